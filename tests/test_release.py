"""A release an operator can install: a wheel with the code and the `kibon` command, the
deployment rehearsed on one machine, the locks complete."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import database

ROOT = Path(__file__).resolve().parent.parent
KIBON = Path(sys.executable).with_name("kibon")
PACKAGES = {
    "commands",
    "web",
    "schema",
    "resolvers",
    "engine",
    "models",
    "mailer",
    "settings",
    "i18n",
}


def run(*command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (this venv's own programs)
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_the_wheel_holds_the_top_level_packages_their_files_and_the_kibon_command(
    tmp_path: Path,
) -> None:
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), ".")

    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("kibon_onboarding-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == PACKAGES | {"main.py"}
    assert "models/migrations/0001_initial.py" in names
    assert "mailer/templates/letter.txt.j2" in names
    assert "i18n/fr/LC_MESSAGES/messages.po" in names
    assert "web/graphiql/assets/kibon-graphiql.js" in names
    assert not [name for name in names if name.startswith("tests/")]
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "kibon = main:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_kibon_command_is_main_py_under_another_name() -> None:
    helped = run(str(KIBON), "--help")

    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: kibon ")
    assert "serve" in helped.stdout
    assert "migrate" in helped.stdout


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_carries_its_hashes_at_the_pinned_version(lock: str) -> None:
    text = (ROOT / lock).read_text()
    pins = {
        line.split("==")[0].lower().replace("_", "-"): line.split("==")[1].split()[0]
        for line in text.splitlines()
        if "==" in line and not line.startswith("#")
    }
    constraints = {
        line.split("==")[0].lower().replace("_", "-"): line.split("==")[1].strip()
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    blocks = text.split("==")[1:]

    assert pins
    assert all("--hash=sha256:" in block.split("\n\n")[0] for block in blocks)
    assert {name: v for name, v in pins.items() if name in constraints} == {
        name: constraints[name] for name in pins if name in constraints
    }
    assert "opentelemetry-sdk" in pins
    assert ("pytest" in pins) is (lock == "requirements-dev.lock")


@pytest.mark.skipif(not database.is_postgres(), reason="the rehearsal runs on PostgreSQL")
def test_the_deployment_rehearsal_runs_two_hosts_a_mail_worker_and_one_database() -> None:
    rehearsal = run(
        sys.executable, "deploy/rehearse.py", "--postgres", database.POSTGRES_SERVER, timeout=180
    )

    assert rehearsal.returncode == 0, rehearsal.stdout + rehearsal.stderr
    lines = rehearsal.stdout.splitlines()
    assert lines[-1] == "rehearsal passed"
    assert "ok  release step: kibon migrate" in lines
    assert "ok  host B: the invited person accepted it" in lines
    assert "ok  every process stopped on SIGTERM" in lines
