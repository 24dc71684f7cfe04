"""Guided set-up (`tilgen init`): what the machine has, what to recommend, what to write."""
