"""Fitting changes into a context: filters, compaction, the token budget."""
