"""The performance benchmark: `python -m bench.run` (needs PostgreSQL and `wrk`).

Seeds a fresh PostgreSQL database (10,000 sponsors, 100,000 institutions, 200,000 users), starts
the service (one uvicorn worker) and the plain reference endpoint, drives both with wrk in
interleaved rounds, and prints requests/s, p50, p99, SQL per request and the ratio to the
reference for each target. Absolute numbers swing between runs; the ratios are the result.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import asyncpg
import httpx
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from bench.seed import seed
from mailer.sink import free_port
from schema.types.keyset import encode_cursor
from settings import tortoise_config

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "kibon_bench"
ROOT = Path(__file__).resolve().parent.parent

FAMILY_PORTAL = """query ($after: String) { publicInstitutions(first: 50, after: $after) {
  edges { node { id name careType status sponsor { name }
  address { organisation street houseNumber postalCode town } contactEmail } }
  pageInfo { hasNextPage endCursor } } }"""
FAMILY_OTHER = """{ publicInstitutions(first: 50, filter: {careType: DAY_SCHOOL}) {
  edges { node { name vouchersFrom vouchersUntil address { town } phone website } } } }"""
SPONSOR_LIST = """{ institutions(first: 50) { edges { node { id name careType status
  sponsor { name } } } pageInfo { hasNextPage endCursor } } }"""
CANTON_PAGE = """query ($after: String, $search: String) {
  institutions(first: 100, after: $after, filter: {search: $search}) {
  edges { node { id name careType status } } pageInfo { hasNextPage endCursor } } }"""
MASTER_DATA = """{ institutions(first: 50) { edges { node { id name careType status
  masterData { address { organisation street houseNumber postalCode town } contactEmail phone
  iban places } } } pageInfo { hasNextPage endCursor } } }"""
USERS = """{ users(first: 50) { edges { node { id email firstName lastName role status
  sponsor { id name } institution { id name } } } pageInfo { hasNextPage endCursor } } }"""
SPONSORS = """{ sponsors(first: 20) { edges { node { id name
  institutions(first: 10) { edges { node { id name } } } } } pageInfo { hasNextPage } } }"""
INVITATIONS = """{ invitations(first: 50) { edges { node { id email role status expiresAt
  sentCount sponsor { name } institution { name } } } pageInfo { hasNextPage endCursor } } }"""
AUDIT_LOG = """{ auditLog(first: 50) { edges { node { id at action actorEmail subjectType
  subjectId details } } pageInfo { hasNextPage endCursor } } }"""


@dataclass
class Target:
    name: str
    query: str
    reference: str  # the path of its plain reference (bench/reference.py)
    variables: dict[str, object] = field(default_factory=dict)
    email: str | None = None  # signed in as (development issuer of the server measured)


@dataclass
class Figures:
    rps: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # to the reference run just before
    cpu: list[float] = field(default_factory=list)  # the service's CPU ms per request
    database: list[float] = field(default_factory=list)  # PostgreSQL's CPU ms per request
    errors: int = 0


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds() -> float:
    """The CPU time PostgreSQL's processes on this machine have used so far (0 when it runs
    elsewhere): on two shared cores, the database's work per request counts in every ratio."""
    used = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                used += cpu_seconds(int(entry.name))
        except OSError:  # the process ended meanwhile
            continue
    return used


def wrk(
    url: str, target: Target | None, token: str | None, seconds: int, connections: int
) -> tuple[float, float, float, int]:
    """One wrk run: a GET of `url` for a reference (target None), the target's POST else."""
    script = ""
    if target is not None:
        body = json.dumps({"query": target.query, "variables": target.variables})
        script = f"wrk.method = 'POST'\nwrk.body = {json.dumps(body)}\n"
        script += "wrk.headers['Content-Type'] = 'application/json'\n"
        if token:
            script += f"wrk.headers['Authorization'] = 'Bearer {token}'\n"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", lua.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(lua.name).unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, _ms(out, "50%"), _ms(out, "99%"), int(errors.group(1)) if errors else 0


def _ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def seeded() -> bool:
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    found = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
    await admin.close()
    return bool(found)


async def prepare(institutions: int, sponsors: int, users: int) -> None:
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    await admin.close()
    await migrate(config=tortoise_config(f"{SERVER}/{DATABASE}"))
    await seed(f"{SERVER}/{DATABASE}", sponsors=sponsors, institutions=institutions, users=users)


@contextmanager
def process(
    command: list[str], env: dict[str, str], port: int, ready: str, cwd: Path = ROOT
) -> Iterator[tuple[str, int]]:
    """The command started in `cwd` and answering at `ready`: its URL and its process id."""
    child = subprocess.Popen(command, env=os.environ | env, cwd=cwd)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{url}{ready}")
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url, child.pid
    finally:
        child.terminate()
        child.wait(10)


def token(url: str, email: str | None) -> str | None:
    """A development token from the server at `url`; its first request binds the account."""
    if email is None:
        return None
    signed: str = httpx.post(f"{url}/dev/token", json={"email": email}).json()["access_token"]
    headers = {"Authorization": f"Bearer {signed}"}
    httpx.post(f"{url}/graphql", json={"query": "{ me { user { id } } }"}, headers=headers)
    return signed


async def deep_position(position: int) -> tuple[str, int]:
    connection = await asyncpg.connect(f"{SERVER}/{DATABASE}")
    row = await connection.fetchrow(
        "SELECT search_name, id FROM institution ORDER BY search_name, id OFFSET $1 LIMIT 1",
        position - 1,
    )
    await connection.close()
    return row["search_name"], row["id"]


async def sql_per_request(targets: list[Target]) -> dict[str, int]:
    """Counts statements in-process, through the same app and the ORM's statement log."""
    from settings import Settings
    from tests.support.sql import statements
    from web.app import create_app

    counts: dict[str, int] = {}
    url = f"{SERVER}/{DATABASE}"
    settings = Settings.from_env({"KIBON_DATABASE_URL": url, "KIBON_DEV_LOGIN": "1"})
    await Tortoise.init(config=settings.tortoise_config(), _enable_global_fallback=True)
    app = create_app(settings, run_mail_worker=False)
    async with (
        app.state.public_cache.listening_to(url),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as client,
    ):
        await asyncio.sleep(0.5)  # the cache starts listening
        for target in targets:
            signed = (await client.post("/dev/token", json={"email": target.email})).json()
            headers = {"Authorization": f"Bearer {signed['access_token']}"} if target.email else {}
            body = {"query": target.query, "variables": target.variables}
            await client.post("/graphql", json=body, headers=headers)  # warm up as wrk does
            with statements() as seen:
                answer = await client.post("/graphql", json=body, headers=headers)
            if "errors" in answer.json():
                print(f"{target.name}: {answer.json()['errors']}", file=sys.stderr)
            counts[target.name] = len(seen)
    await Tortoise.close_connections()
    return counts


def targets(deep: tuple[str, int]) -> list[Target]:
    sponsor_admin, small_sponsor_admin, canton, parent = (
        "person1@bench.example",  # the sponsor of 500 institutions
        "person5000@bench.example",  # a sponsor of about ten
        CANTON_ADMIN,
        "parent@bench.example",
    )
    after: dict[str, object] = {"after": encode_cursor(list(deep))}
    deep_reference = "/institutions?" + urlencode({"after": deep[0], "after_id": deep[1]})
    return [
        Target("family portal, anonymous (cached)", FAMILY_PORTAL, "/families"),
        Target("family portal, other selection (cached)", FAMILY_OTHER, "/families"),
        Target("family portal, signed-in parent", FAMILY_PORTAL, "/families", email=parent),
        Target(
            "sponsor admin institutions(50){sponsor}",
            SPONSOR_LIST,
            "/sponsor-institutions",
            email=sponsor_admin,
        ),
        Target("canton institutions(100), first page", CANTON_PAGE, "/institutions", email=canton),
        Target("canton institutions(100), page 1,000", CANTON_PAGE, deep_reference, after, canton),
        Target(
            "canton institutions(100), search",
            CANTON_PAGE,
            "/institutions?search=sonne",
            {"search": "sonne"},
            canton,
        ),
        Target("canton institutions(50){masterData}", MASTER_DATA, "/master-data", email=canton),
        Target("canton users(50){sponsor institution}", USERS, "/users", email=canton),
        Target(
            "sponsor admin users(50){sponsor institution}", USERS, "/users", email=sponsor_admin
        ),
        Target(
            "small sponsor admin users(50){sponsor institution}",
            USERS,
            "/users",
            email=small_sponsor_admin,
        ),
        Target("canton sponsors(20){institutions(10)}", SPONSORS, "/sponsors", email=canton),
        Target(
            "canton invitations(50){sponsor institution}", INVITATIONS, "/invitations", email=canton
        ),
        Target("sponsor admin invitations(50)", INVITATIONS, "/invitations", email=sponsor_admin),
        Target(
            "small sponsor admin invitations(50)",
            INVITATIONS,
            "/invitations",
            email=small_sponsor_admin,
        ),
        Target("canton auditLog(50)", AUDIT_LOG, "/audit", email=canton),
        Target("sponsor admin auditLog(50)", AUDIT_LOG, "/audit", email=sponsor_admin),
    ]


def measure(
    services: dict[str, tuple[str, int]],
    reference: str,
    chosen: list[Target],
    args: argparse.Namespace,
) -> dict[str, dict[str, Figures]]:
    """Each target right after its reference, on every service (`before` and `after`: its
    URL and process id), in rounds: ratios of neighbours in time, so a slow moment of the
    machine hits all alike. The services take turns being first after the reference. The
    service's own CPU time per request is read from /proc around each run: on two shared
    cores it moves far less than requests a second do."""
    tokens = {
        (side, t.name): token(url, t.email) for side, (url, _) in services.items() for t in chosen
    }
    figures = {side: {t.name: Figures() for t in chosen} for side in services}
    for round_number in range(args.rounds):
        turns = list(services.items())
        if round_number % 2:
            turns.reverse()
        for target in chosen:
            plain, *_ = wrk(
                f"{reference}{target.reference}", None, None, args.seconds, args.connections
            )
            for side, (url, pid) in turns:
                used, database = cpu_seconds(pid), database_cpu_seconds()
                rps, p50, p99, errors = wrk(
                    f"{url}/graphql",
                    target,
                    tokens[side, target.name],
                    args.seconds,
                    args.connections,
                )
                measured = figures[side][target.name]
                requests = rps * args.seconds
                measured.cpu.append((cpu_seconds(pid) - used) * 1000 / requests)
                measured.database.append((database_cpu_seconds() - database) * 1000 / requests)
                measured.rps.append(rps)
                measured.p50.append(p50)
                measured.p99.append(p99)
                measured.ratios.append(rps / plain)
                measured.errors += errors
    return figures


SERVICE_ENV = {
    "KIBON_DATABASE_URL": f"{SERVER}/{DATABASE}",
    "KIBON_LOG_LEVEL": "WARNING",
    "KIBON_DEV_LOGIN": "1",  # the settings want an identity provider or this
}
CANTON_ADMIN = "canton@bench.example"


def serving(
    checkout: Path = ROOT, env: dict[str, str] = SERVICE_ENV
) -> contextlib.AbstractContextManager[tuple[str, int]]:
    """The service of `checkout` (`main.py serve`, one worker) on a free port: its URL and
    its process id."""
    port = free_port()
    served = env | {"KIBON_PORT": str(port)}
    return process([sys.executable, "main.py", "serve"], served, port, "/healthz", cwd=checkout)


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark shares: the seeded database and the choice of what runs."""
    parser.add_argument("--institutions", type=int, default=100_000)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database an earlier run seeded"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="measure only what has TEXT in its name (repeatable)",
    )


def seed_unless_reused(args: argparse.Namespace) -> None:
    if not (args.reuse and asyncio.run(seeded())):
        print("seeding …", flush=True)
        asyncio.run(prepare(args.institutions, args.institutions // 10, args.institutions * 2))


def create_canton_admin(env: dict[str, str]) -> None:
    """The account the benchmarks sign in as (already there after an earlier run)."""
    admin = [sys.executable, "main.py", "create-admin", CANTON_ADMIN, "--role", "CANTON_ADMIN"]
    subprocess.run(admin, env=os.environ | env, cwd=ROOT, check=False, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--before",
        type=Path,
        metavar="CHECKOUT",
        help="also measure the service of another checkout (say, a worktree of main) in the "
        "same rounds, for a before-and-after table of one run",
    )
    add_database_arguments(parser)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("needs wrk: apt-get install wrk")
        return 2
    seed_unless_reused(args)
    env = SERVICE_ENV
    python, reference_port = sys.executable, free_port()
    create_canton_admin(env)
    plain = [python, "-m", "uvicorn", "bench.reference:app", "--port", str(reference_port)]
    plain += ["--no-access-log", "--log-level", "warning"]
    chosen = targets(asyncio.run(deep_position(args.institutions - 100)))
    if args.only:
        chosen = [t for t in chosen if any(o in t.name for o in args.only)]
    checkouts = {"after": ROOT} if args.before is None else {"before": args.before, "after": ROOT}
    with contextlib.ExitStack() as running:
        services = {side: running.enter_context(serving(at)) for side, at in checkouts.items()}
        reference, _ = running.enter_context(process(plain, env, reference_port, "/families"))
        print("measuring …", flush=True)
        figures = measure(services, reference, chosen, args)
    report(chosen, figures, asyncio.run(sql_per_request(chosen)))
    return 0


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(
    chosen: list[Target], figures: dict[str, dict[str, Figures]], sql: dict[str, int]
) -> None:
    after = figures["after"]
    before = figures.get("before")
    columns = ["req/s", "p50 ms", "p99 ms", "SQL", "CPU ms", "DB ms", "× plain", "non-2xx"]
    if before is not None:
        columns += ["CPU ms", "DB ms", "before", "non-2xx"]
    print(f"\n{'target':46} " + " ".join(f"{c:>7}" for c in columns))
    for target in chosen:
        f = after[target.name]
        line = (
            f"{target.name:46} {median(f.rps):7.0f} {median(f.p50):7.2f} {median(f.p99):7.2f} "
            f"{sql[target.name]:7d} {median(f.cpu):7.2f} {median(f.database):7.2f} "
            f"{median(f.ratios):7.2f} {f.errors:7d}"
        )
        if before is not None:
            b = before[target.name]
            line += (
                f" {median(b.cpu):7.2f} {median(b.database):7.2f} {median(b.ratios):7.2f} "
                f"{b.errors:7d}"
            )
        print(line)


if __name__ == "__main__":
    sys.exit(main())
