"""Dataset handlers: one module per source, each registering its DatasetSpec at import."""
