"""One condition engine for integration filters and policies."""
