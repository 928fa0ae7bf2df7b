"""nevisbench: NEVIS'22, the never-ending visual-classification stream, in PyTorch."""

from __future__ import annotations

__version__ = "0.1.0"
