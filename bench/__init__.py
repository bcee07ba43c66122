"""Measurements that are scripts, not tests: `python -m bench.<name>` from the worktree root."""
