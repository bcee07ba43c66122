"""The real service in a subprocess (`python main.py serve`), for what needs a process of its
own: signals, the graphql-http audit, its own database and mail sink."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from mailer.sink import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 20.0


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    environment: dict[str, str]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def command(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """`python main.py ARGUMENTS` with the server's settings (its database, for one)."""
        return subprocess.run(  # noqa: S603
            [sys.executable, "main.py", *arguments],
            cwd=ROOT,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )


def _environment(database: Path, port: int, extra: dict[str, str]) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KIBON_")}
    return {
        **inherited,
        "KIBON_DATABASE_URL": f"sqlite://{database}",
        "KIBON_DEV_LOGIN": "1",
        "KIBON_HOST": "127.0.0.1",
        "KIBON_PORT": str(port),
        "KIBON_PORTAL_URL": f"http://127.0.0.1:{port}",  # invitation links to this server
        **extra,
    }


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not start:\n{server.log()}")


@contextmanager
def running(tmp_dir: Path, **extra: str) -> Iterator[Server]:
    port = free_port()
    log_path = tmp_dir / "server.log"
    environment = _environment(tmp_dir / "server.sqlite3", port, extra)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "main.py", "serve"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Server(f"http://127.0.0.1:{port}", process, log_path, environment)
        try:
            _wait_until_healthy(server)
            yield server
        finally:
            if process.poll() is None:
                process.terminate()
            process.wait(timeout=30)
