"""The README's walk-through works exactly as written: its shell block, run by bash against a
started service (as `make run` starts it), with the port given the way the README says."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from tests.support import server

README = server.ROOT / "README.md"


def json_values(text: str) -> list[Any]:
    """The JSON answers curl printed one after another (without newlines between them)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while at < len(text.strip()):
        value, end = decoder.raw_decode(text, at)
        values.append(value)
        at = end + len(text[end:]) - len(text[end:].lstrip())
    return values


def walk_through() -> str:
    section = README.read_text().split("## Walk-through", 1)[1]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found, "the README's walk-through has no ```sh block"
    return found.group(1)


def test_the_readme_walk_through_runs_as_written_against_a_started_service(
    tmp_path: Path,
) -> None:
    commands = walk_through()

    with server.running(tmp_path) as running:
        ran = subprocess.run(  # noqa: S603
            ["/bin/bash", "-euo", "pipefail", "-c", commands],
            cwd=server.ROOT,
            # A second terminal has only what the README gives it: the service's database and
            # port stand in for the defaults, the development sign-in is not there.
            env={k: v for k, v in running.environment.items() if k != "KIBON_DEV_LOGIN"},
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert ran.returncode == 0, ran.stderr
    created, printed = ran.stdout.split("\n", 1)
    registered, mails = json_values(printed)
    assert created == "created: chefin@be.ch (CANTON_ADMIN)"
    answer = registered["data"]["registerSponsor"]
    assert answer["__typename"] == "RegisterSponsorSuccess"
    assert answer["sponsor"]["name"] == "Kitas Sonnenschein"
    sent = mails["messages"]
    assert [message["to"] for message in sent] == [["jana@kita-sonne.ch"]]
    assert sent[0]["links"][0].startswith(f"{running.url}/invitation#token=")


def test_the_walk_through_names_no_fixed_port_outside_its_default() -> None:
    commands = walk_through()

    assert "localhost:8000" not in commands
    assert "${KIBON_PORT:-8000}" in commands
    assert "open " not in commands
