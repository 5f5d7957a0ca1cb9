"""One adapter per chat platform: its HTTP requests into ``ChatRequest``, ``Reply`` and alert
notifications into its wire format."""
