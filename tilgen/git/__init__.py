"""Collecting changes from git: the repository, a day's commits, patches, untracked files,
languages."""
