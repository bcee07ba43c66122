"""Real processes of the project, started as an operator would start them."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


async def start_mail_worker(database_url: str, smtp_port: int) -> asyncio.subprocess.Process:
    """`python main.py mail-worker` against an SMTP server on loopback."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KIBON_")},
        "KIBON_DEV_LOGIN": "on",  # the settings want an identity provider or this
        "KIBON_DATABASE_URL": database_url,
        "KIBON_SMTP_HOST": "127.0.0.1",
        "KIBON_SMTP_PORT": str(smtp_port),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "main.py",
        "mail-worker",
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
