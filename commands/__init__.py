"""Command-line glue for `main.py`'s commands that need more than a line or two."""
