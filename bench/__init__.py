"""Measurements that are scripts, not tests: `python -m bench.run` (service and portal, see
the README's performance section), `python -m bench.memory` (a worker's peak RSS) and
`python -m bench.mail_throughput`."""
