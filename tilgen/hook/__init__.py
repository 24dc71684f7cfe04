"""The post-commit hook: installing it and the queue of background jobs."""
