"""Settings: every `KIBON_*` variable checked in one place, a wrong one named on one line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from settings import ConfigurationError, Settings, table
from settings.variables import known_names

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT.parent / "shared" / "CONTRACT.md"
DEV = {"KIBON_DEV_LOGIN": "on"}


def refusal(**variables: str) -> str:
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env({**DEV, **variables})
    return str(refused.value)


def run_main(*arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KIBON_")}
    return subprocess.run(  # noqa: S603 (this interpreter, this project's main.py)
        [sys.executable, "main.py", *arguments],
        cwd=ROOT,
        env={**inherited, **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("word", "meaning"),
    [(w, True) for w in ("on", "true", "1", "yes", "ON", " Yes ")]
    + [(w, False) for w in ("off", "false", "0", "no", "OFF")],
)
def test_a_switch_accepts_on_off_true_false_1_0_yes_no(word: str, meaning: bool) -> None:
    settings = Settings.from_env({**DEV, "KIBON_SMTP_HOST": "relay", "KIBON_SMTP_STARTTLS": word})

    assert settings.smtp is not None
    assert settings.smtp.starttls is meaning


@pytest.mark.parametrize("word", ["ture", "t", "y", "enabled", "2"])
def test_a_switch_refuses_any_other_word_instead_of_reading_it_as_off(word: str) -> None:
    message = refusal(KIBON_SMTP_HOST="relay", KIBON_SMTP_STARTTLS=word)

    assert message.startswith("KIBON_SMTP_STARTTLS: ")
    assert "on/off, true/false, 1/0 or yes/no" in message


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("KIBON_SMTP_HOTS", "KIBON_SMTP_HOST"), ("KIBON_PORTAL_ULR", "KIBON_PORTAL_URL")],
)
def test_a_misspelt_name_is_refused_with_the_name_it_resembles(typo: str, meant: str) -> None:
    message = refusal(**{typo: "x"})

    assert message == f"{typo} is not a setting of this service; did you mean {meant}?"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("KIBON_PORT", "eighty", "1 to 65535"),
        ("KIBON_PORT", "70000", "1 to 65535"),
        ("KIBON_SMTP_PORT", "0", "1 to 65535"),
        ("KIBON_INVITATION_TTL_DAYS", "31", "1 to 30"),
        ("KIBON_LOG_LEVEL", "loud", "DEBUG, INFO, WARNING or ERROR"),
        ("KIBON_PORTAL_URL", "portal.be.ch", "not an http:// or https:// URL"),
        ("KIBON_SUPPORT_EMAIL", "support", "not an e-mail address"),
        ("KIBON_MAX_QUERY_NODES", "0", "100 to 10000000"),
        ("KIBON_DENIED_AUDIT_RETENTION_DAYS", "0", "1 to 3650"),
    ],
)
def test_a_value_out_of_type_or_range_is_refused_with_what_is_accepted(
    name: str, value: str, says: str
) -> None:
    message = refusal(**{name: value})

    assert message.startswith(f"{name}: ")
    assert says in message


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://db/kibon", "'mysql' is no database this service runs on"),
        ("postgres://postgres@db:5432", "names no database"),
        ("postgres://postgres@db:5432/", "names no database"),
        ("sqlite:///no/such/dir/kibon.sqlite3", "'/no/such/dir' of the SQLite file does not exist"),
    ],
)
def test_a_database_url_needs_a_known_scheme_a_database_name_and_an_existing_directory(
    url: str, says: str
) -> None:
    message = refusal(KIBON_DATABASE_URL=url)

    assert message.startswith("KIBON_DATABASE_URL: ")
    assert says in message
    assert not Path("/no/such/dir").exists()


def test_a_sqlite_file_in_an_existing_directory_and_a_named_postgres_database_are_accepted(
    tmp_path: Path,
) -> None:
    sqlite = Settings.from_env({**DEV, "KIBON_DATABASE_URL": f"sqlite://{tmp_path}/k.sqlite3"})
    postgres = Settings.from_env({**DEV, "KIBON_DATABASE_URL": "postgres://u@db:5432/kibon"})

    assert sqlite.database_url == f"sqlite://{tmp_path}/k.sqlite3"
    assert postgres.database_url == "postgres://u@db:5432/kibon"


@pytest.mark.parametrize(
    "missing", ["KIBON_OIDC_ISSUER", "KIBON_OIDC_AUDIENCE", "KIBON_OIDC_JWKS_URL"]
)
def test_without_the_development_sign_in_the_identity_provider_is_required(
    missing: str, tmp_path: Path
) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": []}))
    provider = {
        "KIBON_OIDC_ISSUER": "https://login.be.ch",
        "KIBON_OIDC_AUDIENCE": "kibon",
        "KIBON_OIDC_JWKS_URL": f"file://{jwks}",
    }
    del provider[missing]

    with pytest.raises(ConfigurationError, match=f"^{missing}: required when KIBON_DEV_LOGIN"):
        Settings.from_env(provider)


def test_a_jwks_file_that_does_not_exist_is_refused_at_start(tmp_path: Path) -> None:
    message = refusal(KIBON_OIDC_JWKS_URL=f"file://{tmp_path}/missing.json")

    assert message.startswith("KIBON_OIDC_JWKS_URL: the JWKS file")
    assert "does not exist" in message


def test_the_development_sign_in_is_refused_on_a_host_that_is_not_loopback() -> None:
    message = refusal(KIBON_HOST="0.0.0.0")  # noqa: S104

    assert message.startswith("KIBON_DEV_LOGIN: refused with KIBON_HOST=0.0.0.0")
    assert "KIBON_DEV_LOGIN_FORCE=on" in message


def test_the_development_sign_in_on_another_host_is_allowed_when_forced() -> None:
    settings = Settings.from_env({**DEV, "KIBON_HOST": "10.0.0.5", "KIBON_DEV_LOGIN_FORCE": "on"})

    assert settings.dev_login is True
    assert Settings.from_env({**DEV, "KIBON_HOST": "::1"}).host == "::1"


def test_the_portal_url_follows_the_port_unless_it_is_set() -> None:
    following = Settings.from_env({**DEV, "KIBON_PORT": "9123"})
    set_apart = Settings.from_env(
        {**DEV, "KIBON_PORT": "9123", "KIBON_PORTAL_URL": "https://p.ch/"}
    )

    assert following.portal_url == "http://localhost:9123"
    assert set_apart.portal_url == "https://p.ch"


def test_every_variable_the_contract_names_is_a_known_setting() -> None:
    if not CONTRACT.is_file():  # the contract lies beside the checkout, not in it
        pytest.skip(f"the API contract is not at {CONTRACT}")
    named = set(re.findall(r"KIBON_[A-Z0-9_]*[A-Z0-9]", CONTRACT.read_text(encoding="utf-8")))

    assert named
    assert named - set(known_names()) == set()


def test_the_settings_of_other_work_in_progress_are_declared() -> None:
    declared = {
        "KIBON_MAX_QUERY_NODES",
        "KIBON_CANTON_NAME",
        "KIBON_SUPPORT_EMAIL",
        "KIBON_SUPPORT_PHONE",
        "KIBON_INVITED_RETENTION_DAYS",
        "KIBON_TRUSTED_DOCUMENTS",
        "KIBON_MAIL_WORKER",
    }

    assert declared <= set(known_names())


def test_the_configuration_table_in_the_docs_is_the_one_the_settings_define() -> None:
    page = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")

    assert table.render() in page, "run `make docs` to regenerate the table"


def test_a_wrong_setting_stops_a_command_with_status_2_and_one_line_on_stderr() -> None:
    finished = run_main("migrate", KIBON_DEV_LOGIN="on", KIBON_SMTP_STARTTLS="ture")

    assert finished.returncode == 2
    assert finished.stderr.splitlines() == [
        "main.py: KIBON_SMTP_STARTTLS: 'ture' is not a switch; "
        "use on/off, true/false, 1/0 or yes/no"
    ]
    assert "Traceback" not in finished.stdout + finished.stderr


def test_help_and_the_schema_need_no_settings_at_all() -> None:
    wrong = {"KIBON_DATABASE_URL": "mysql://nowhere", "KIBON_SMTP_HOTS": "x"}

    helped = run_main("--help", **wrong)
    exported = run_main("export-schema", **wrong)

    assert (helped.returncode, helped.stderr) == (0, "")
    assert "serve" in helped.stdout
    assert (exported.returncode, exported.stderr) == (0, "")
    assert exported.stdout.strip() == (ROOT / "api" / "schema.graphql").read_text().strip()
