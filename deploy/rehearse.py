"""Rehearse a deployment of several hosts on one machine, as docs/deployment.md describes it:

  release step   kibon migrate                       (once, before any host takes traffic)
  host A, host B kibon serve --no-mail-worker         (two ports standing in for two hosts)
  mail host      kibon mail-worker                   (into an SMTP relay on loopback)
  one PostgreSQL database for all of them            (created here, dropped at the end)

with production settings (no development sign-in: tokens are signed by a key of this script,
published as a JWKS file), then a smoke flow through both hosts: canton staff register a
sponsor on host A, host B lists it, the invitation mail reaches the relay, the invited person
accepts it on host B, and host A knows them in their new role.

    .venv/bin/python deploy/rehearse.py [--postgres postgres://postgres@127.0.0.1:5432]

Exit status 0 when every step held; each step prints one line.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
from aiosmtpd.controller import Controller
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

ROOT = Path(__file__).resolve().parent.parent
KIBON = Path(sys.executable).with_name("kibon")
ISSUER = "https://login.rehearsal.invalid/realms/kibon"
AUDIENCE = "kibon-rehearsal"
CANTON = "canton.rehearsal@be.ch"
INVITED = "leitung@kita-probe.ch"
LINK = re.compile(r"invitation#token=([\w-]+)")
READY_SECONDS = 30.0


def step(text: str) -> None:
    print(f"ok  {text}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Relay:
    """The canton's SMTP relay, on loopback: keeps what it receives."""

    def __init__(self) -> None:
        self.mails: list[str] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope.original_content.decode("utf-8", "replace"))
        return "250 OK"


class Provider:
    """The identity provider: one RSA key, its JWKS as a file, tokens on demand."""

    def __init__(self, directory: Path) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "rehearsal"}, private=True)
        self.jwks = directory / "jwks.json"
        self.jwks.write_text(json.dumps(KeySet([self.key]).as_dict(private=False)))

    def token(self, email: str) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": f"sub-{email}",
            "email": email,
            "email_verified": True,
            "given_name": "Probe",
            "family_name": "Lauf",
            "iat": now,
            "exp": now + 600,
        }
        return jwt.encode({"alg": "RS256", "kid": "rehearsal"}, claims, self.key)


def environment(database_url: str, provider: Provider, relay: Relay) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KIBON_")}
    return {
        **inherited,
        "KIBON_DATABASE_URL": database_url,
        "KIBON_OIDC_ISSUER": ISSUER,
        "KIBON_OIDC_AUDIENCE": AUDIENCE,
        "KIBON_OIDC_JWKS_URL": f"file://{provider.jwks}",
        "KIBON_SMTP_HOST": "127.0.0.1",
        "KIBON_SMTP_PORT": str(relay.port),
        "KIBON_MAIL_FROM": "kiBon Probe <noreply@be.ch>",
        "KIBON_PORTAL_URL": "https://portal.rehearsal.invalid",
    }


def run(env: dict[str, str], *arguments: str) -> None:
    done = subprocess.run(  # noqa: S603 (this venv's kibon command)
        [str(KIBON), *arguments], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"FAILED kibon {' '.join(arguments)}:\n{done.stderr}")


@contextmanager
def process(env: dict[str, str], log: Path, *arguments: str) -> Iterator[None]:
    """A long-running kibon command, stopped with SIGTERM as systemd stops it."""
    with log.open("wb") as output:
        started = subprocess.Popen(  # noqa: S603 (this venv's kibon command)
            [str(KIBON), *arguments], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield
        finally:
            started.send_signal(signal.SIGTERM)
            code = started.wait(timeout=30)
    if code not in (0, -signal.SIGTERM):
        raise SystemExit(f"FAILED kibon {arguments[0]} exited with {code}:\n{log.read_text()}")


def wait_until_ready(base: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"FAILED {base} did not become ready in {READY_SECONDS:.0f} s")


def graphql(base: str, bearer: str, query: str, **variables: Any) -> dict[str, Any]:
    answer = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=10,
    )
    body: dict[str, Any] = answer.json()
    if answer.status_code != 200 or body.get("errors"):
        raise SystemExit(f"FAILED {base}: {answer.status_code} {body}")
    data: dict[str, Any] = body["data"]
    return data


REGISTER = """mutation ($input: RegisterSponsorInput!) { registerSponsor(input: $input) {
  __typename ... on RegisterSponsorSuccess { sponsor { id name } } } }"""
SPONSORS = "{ sponsors(first: 50) { edges { node { name } } } }"
ACCEPT = """mutation ($token: String!) { acceptInvitation(token: $token) {
  __typename ... on AcceptInvitationSuccess { user { role } } } }"""
ME = "{ me { user { email role status } } }"


def wait_for_mail(relay: Relay, seconds: float = 20.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for mail in relay.mails:
            message = email.message_from_string(mail, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            text = message.get_body(preferencelist=("plain",))
            found = LINK.search(text.get_content() if text is not None else "")
            if found:
                return found.group(1)
        time.sleep(0.2)
    raise SystemExit("FAILED no invitation mail reached the relay")


def smoke(host_a: str, host_b: str, provider: Provider, relay: Relay) -> None:
    canton = provider.token(CANTON)
    sponsor = f"Kitas Probe {uuid4().hex[:6]}"
    registered = graphql(host_a, canton, REGISTER, input={"name": sponsor, "adminEmail": INVITED})[
        "registerSponsor"
    ]
    assert registered["__typename"] == "RegisterSponsorSuccess", registered
    step(f"host A: canton staff registered the sponsor {sponsor!r}")
    names = [e["node"]["name"] for e in graphql(host_b, canton, SPONSORS)["sponsors"]["edges"]]
    assert sponsor in names, names
    step("host B: lists it (one database behind both hosts)")
    invitation = wait_for_mail(relay)
    step(f"mail-worker: the invitation reached the relay ({len(relay.mails)} mail)")
    accepted = graphql(host_b, provider.token(INVITED), ACCEPT, token=invitation)
    assert accepted["acceptInvitation"]["__typename"] == "AcceptInvitationSuccess", accepted
    step("host B: the invited person accepted it")
    me = graphql(host_a, provider.token(INVITED), ME)["me"]["user"]
    assert (me["role"], me["status"]) == ("SPONSOR_ADMIN", "ACTIVE"), me
    step("host A: knows them as SPONSOR_ADMIN, ACTIVE")


async def create_database(server: str, name: str) -> None:
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop_database(server: str, name: str) -> None:
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def rehearse(server: str, directory: Path) -> None:
    name = f"kibon_rehearsal_{uuid4().hex[:10]}"
    asyncio.run(create_database(server, name))
    relay, provider = Relay(), Provider(directory)
    env = environment(f"{server}/{name}", provider, relay)
    relay.controller.start()
    try:
        step(f"one PostgreSQL database {name}; an SMTP relay on 127.0.0.1:{relay.port}")
        run(env, "migrate")
        step("release step: kibon migrate")
        run(env, "create-admin", CANTON, "--role", "CANTON_ADMIN")
        step(f"kibon create-admin {CANTON}")
        ports = free_port(), free_port()
        with ExitStack() as hosts:
            for label, port in zip("AB", ports, strict=True):
                host_env = {**env, "KIBON_PORT": str(port)}
                log = directory / f"host-{label}.log"
                hosts.enter_context(process(host_env, log, "serve", "--no-mail-worker"))
            hosts.enter_context(process(env, directory / "mail.log", "mail-worker"))
            bases = [f"http://127.0.0.1:{port}" for port in ports]
            for label, base in zip("AB", bases, strict=True):
                wait_until_ready(base)
                step(f"host {label}: kibon serve --no-mail-worker on {base}, ready")
            smoke(bases[0], bases[1], provider, relay)
        step("every process stopped on SIGTERM")
    finally:
        relay.controller.stop()
        asyncio.run(drop_database(server, name))
    print("rehearsal passed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kibon-rehearsal-") as directory:
        rehearse(arguments.postgres.rstrip("/"), Path(directory))


if __name__ == "__main__":
    main()
