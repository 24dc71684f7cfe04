"""The note itself: prompt, answer schema, rendering, quality checks, storage and cache."""
