"""Finding and redacting secrets before any prompt is built."""
