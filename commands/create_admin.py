"""`create-admin EMAIL [--role …]`: a canton account that binds to the first sign-in with its
verified address."""

from __future__ import annotations

from models import account
from models.role import Role


async def run(address: str, role: Role) -> None:
    try:
        user, changed = await account.create_admin(email=address, role=role)
    except ValueError as invalid:
        raise SystemExit(f"create-admin: {invalid}") from None
    print(f"{'created' if changed else 'unchanged'}: {user.email} ({user.role})")
