"""The commands' bodies behind `main.py`, and the log set-up every process shares."""
