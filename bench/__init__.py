"""Benchmarks: not unit tests. `python -m bench.run` (see the README's performance section)."""
