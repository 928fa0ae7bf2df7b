"""Streams: ordered (year, dataset) rows, their variants and filters, and the events they produce."""

from __future__ import annotations

from nevisbench.streams.stream import Stream, build_stream
from nevisbench.streams.table import StreamRow, StreamSpec, get_stream, list_streams

__all__ = ["Stream", "StreamRow", "StreamSpec", "build_stream", "get_stream", "list_streams"]
