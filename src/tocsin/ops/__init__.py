"""Running Tocsin in production: health, the watcher's watcher, metrics and logs."""
