"""Tests of the dataset handlers, one file per module of nevisbench/data/handlers."""
