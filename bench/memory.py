"""The memory benchmark: `python -m bench.memory` (needs PostgreSQL; the database of bench.run).

The target: a worker's peak RSS under the largest query the cost budget admits stays under
300 MB. On the database `python -m bench.run` seeds (`--reuse` keeps it), this starts the
service as bench.run does (`main.py serve`, one uvicorn worker, development sign-in, the canton
admin) with the budget's default `KIBON_MAX_QUERY_NODES`, and builds the widest selections:

- each list (`institutions`, `users`, `invitations`, `auditLog`) at `first: 100` with every
  field and every object below it (a page of 100 costs 101 with its `totalCount`);
- `sponsors(first: 100) { … institutions(first: 100) { … } }`, the widest nesting (10,100),
  and the largest the budget admits: aliases of it filling the budget exactly (the last with a
  smaller inner page). Most sponsors of the seed have about nine institutions, so that answer
  is far below its worst case; the same budget-filling aliases of the 100 institutions of the
  sponsor with 500, each with `sponsor { institutions(first: 100) }`, reach it (about 50,000
  institutions).

The worker's peak RSS (`VmHWM`) is reset through `/proc/<pid>/clear_refs` before each query,
so the peak of each row is that query's own. The query is sent once and must be admitted (no
cost error) and answer data without errors (the answer size is that answer's); then
`--connections` clients (httpx, so every answer is checked: a 200 with data and no errors)
send it for `--seconds` and finish the requests in flight. RSS and peak are read from
`/proc/<pid>/status` (no psutil): idle after start-up and sign-in, and after each query
(whether memory returns between queries). `--rounds` repeats the queries, `--only` picks them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
from graphql import parse

from bench.run import (
    CANTON_ADMIN,
    SERVICE_ENV,
    add_database_arguments,
    create_canton_admin,
    seed_unless_reused,
    serving,
    token,
)
from engine.cost import query_cost
from engine.limits import MAX_PAGE_SIZE
from schema.root import schema
from schema.types.ids import encode
from settings import HttpSettings

PAGE = MAX_PAGE_SIZE  # a larger `first` is refused
BIG_SPONSOR = encode("Sponsor", 1)  # bench.seed: the sponsor of 500 institutions
SPONSOR = "id name status"
INSTITUTION = f"""id name careType status vouchersFrom vouchersUntil version
  masterData {{ address {{ organisation street houseNumber postalCode town }} contactEmail phone
    website openingDays openingTime closingTime iban accountHolder places }}
  sponsor {{ {SPONSOR} }} viewerCan {{ editMasterData withdraw invite }}"""
PERSON = "id email firstName lastName role status"
USER = f"""{PERSON} sponsor {{ {SPONSOR} }} institution {{ {INSTITUTION} }}
  viewerCan {{ block unblock changeRole delete }}"""
INVITATION = f"""id email role status expiresAt createdAt sentCount lastSentAt acceptedAt
  revokedAt deliveryStatus invitedBy {{ {PERSON} }} sponsor {{ {SPONSOR} }}
  institution {{ {INSTITUTION} }} viewerCan {{ resend revoke }}"""
AUDIT_ENTRY = "id at action actorId actorEmail subjectType subjectId details requestId"
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


def page(field: str, node: str) -> str:
    return f"{field} {{ totalCount edges {{ cursor node {{ {node} }} }} {PAGE_INFO} }}"


def sponsors(inner: int) -> str:
    institutions = f"institutions(first: {inner}) {{ edges {{ cursor node {{ {INSTITUTION} }} }} }}"
    return f"sponsors(first: {PAGE}) {{ edges {{ cursor node {{ {SPONSOR} {institutions} }} }} }}"


def big_sponsor(inner: int) -> str:
    institutions = f"institutions(first: {inner}) {{ edges {{ node {{ {INSTITUTION} }} }} }}"
    nested = f"sponsor {{ {SPONSOR} {institutions} }}"
    filtered = f'institutions(first: {PAGE}, filter: {{sponsorId: "{BIG_SPONSOR}"}})'
    return f"{filtered} {{ edges {{ node {{ {INSTITUTION} {nested} }} }} }}"


def filling(budget: int, shape: Callable[[int], str]) -> tuple[int, str]:
    """Aliases of `shape(inner)` (cost PAGE + PAGE × inner each) up to the budget exactly: how
    many, and the query."""
    parts: list[str] = []
    left = budget
    while left >= 2 * PAGE:
        inner = min(PAGE, (left - PAGE) // PAGE)
        parts.append(f"a{len(parts)}: {shape(inner)}")
        left -= PAGE + PAGE * inner
    return len(parts), "{ " + " ".join(parts) + " }"


def queries(budget: int) -> dict[str, str]:
    chosen = {
        f"{name}({PAGE})": "{ " + page(f"{name}(first: {PAGE})", node) + " }"
        for name, node in (
            ("institutions", INSTITUTION),
            ("users", USER),
            ("invitations", INVITATION),
            ("auditLog", AUDIT_ENTRY),
        )
    }
    chosen[f"sponsors({PAGE}){{institutions({PAGE})}}"] = "{ " + sponsors(PAGE) + " }"
    count, query = filling(budget, sponsors)
    chosen[f"{count} aliases: sponsors{{institutions}}"] = query
    count, query = filling(budget, big_sponsor)
    chosen[f"{count} aliases: institutions{{sponsor{{institutions}}}}"] = query
    return chosen


def memory(pid: int) -> tuple[int, int]:
    """The process's RSS and peak RSS (VmHWM), in kB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS (proc(5))


@dataclass
class Row:
    name: str
    cost: int
    answer: int  # bytes
    rps: float
    failed: int  # not a 200 with data and no errors
    slowest: float  # seconds
    peak: int  # kB, this query's own
    after: int  # kB, RSS once its requests ended


def admitted(client: httpx.Client, query: str) -> int:
    """Sends the query once; the size of its answer, which must be data without errors."""
    answer = client.post("/graphql", json={"query": query})
    body = answer.json()
    if answer.status_code != 200 or "errors" in body or not body.get("data"):
        raise SystemExit(f"not answered with data: {answer.status_code} {answer.text[:500]}")
    return len(answer.content)


async def drive(
    url: str, headers: dict[str, str], query: str, args: argparse.Namespace
) -> tuple[float, int, float]:
    """`args.connections` clients, each sending the query again until `args.seconds` passed:
    requests per second, how many failed, the slowest in seconds."""
    body = orjson.dumps({"query": query})
    headers = headers | {"Content-Type": "application/json"}
    done, failed, slowest = 0, 0, 0.0
    started = time.monotonic()

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal done, failed, slowest
        while time.monotonic() - started < args.seconds:
            sent = time.monotonic()
            answer = await http.post("/graphql", content=body, headers=headers)
            slowest = max(slowest, time.monotonic() - sent)
            ok = answer.status_code == 200 and answer.content.startswith(b'{"data":{')
            done, failed = done + 1, failed + (not ok or b'"errors":' in answer.content)

    limits = httpx.Limits(max_connections=args.connections)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as http:
        await asyncio.gather(*(client(http) for _ in range(args.connections)))
    return done / (time.monotonic() - started), failed, slowest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1, help="the queries again, in order")
    add_database_arguments(parser)
    args = parser.parse_args()
    seed_unless_reused(args)
    budget = HttpSettings().max_query_nodes
    # The default budget, whatever the environment says.
    env = SERVICE_ENV | {"KIBON_MAX_QUERY_NODES": str(budget)}
    create_canton_admin(env)
    chosen = queries(budget)
    if args.only:
        chosen = {n: q for n, q in chosen.items() if any(o in n for o in args.only)}
    rows = []
    with serving(env=env) as (url, pid):
        # One worker, with the mail worker, runs in the process started: its RSS is the figure.
        headers = {"Authorization": f"Bearer {token(url, CANTON_ADMIN)}"}
        idle, idle_peak = memory(pid)
        print(f"budget {budget:,}; worker idle RSS {idle / 1024:.0f} MB", flush=True)
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            for name, query in list(chosen.items()) * args.rounds:
                cost = query_cost(schema._schema, parse(query))
                reset_peak(pid)
                answer = admitted(client, query)
                rps, failed, slowest = asyncio.run(drive(url, headers, query, args))
                after, peak = memory(pid)
                rows.append(Row(name, cost, answer, rps, failed, slowest, peak, after))
                print(f"{name}: peak {peak / 1024:.0f} MB", flush=True)
    report(idle, idle_peak, rows, args)
    return 0


def report(idle: int, idle_peak: int, rows: list[Row], args: argparse.Namespace) -> None:
    print(f"\n{args.connections} connections, {args.seconds:g} s per query, {args.rounds} round(s)")
    print(f"idle: RSS {idle / 1024:.0f} MB, peak {idle_peak / 1024:.0f} MB")
    columns = ("cost", "answer", "req/s", "failed", "slowest", "peak RSS", "RSS after")
    print(f"{'query':46} " + " ".join(f"{c:>9}" for c in columns))
    for r in rows:
        print(
            f"{r.name:46} {r.cost:9,} {r.answer / 1e6:7.2f}MB {r.rps:9.1f} {r.failed:9d} "
            f"{r.slowest:8.1f}s {r.peak / 1024:7.0f}MB {r.after / 1024:7.0f}MB"
        )
    print(f"peak RSS of the worker: {max(r.peak for r in rows) / 1024:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
