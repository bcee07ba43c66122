"""Measurements that are scripts, not tests: `python -m bench.run` (service and portal, see
the README's performance section) and `python -m bench.mail_throughput`."""
