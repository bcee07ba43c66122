from datetime import datetime, timedelta

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

REMIND_BEFORE = timedelta(days=2)


def _moment(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def remind_open_invitations(apps: object, schema_editor: BaseSchemaEditor) -> None:
    """Open invitations from before this migration get their reminder too (issued = created)."""
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    _, rows = await client.execute_query(
        'SELECT "id", "created_at", "expires_at" FROM "invitation" WHERE "status" = \'PENDING\''
    )
    update = (
        'UPDATE "invitation" SET "remind_at" = $1 WHERE "id" = $2'
        if postgres
        else 'UPDATE "invitation" SET "remind_at" = ? WHERE "id" = ?'
    )
    for row in rows:
        created, expires = _moment(row["created_at"]), _moment(row["expires_at"])
        if expires - created > REMIND_BEFORE:
            remind = expires - REMIND_BEFORE
            await client.execute_query(update, [remind if postgres else str(remind), row["id"]])


class Migration(migrations.Migration):
    dependencies = [("models", "0008_scope_block_and_email_key")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Invitation",
            name="remind_at",
            field=fields.DatetimeField(
                null=True, db_index=True, auto_now=False, auto_now_add=False
            ),
        ),
        ops.RunPython(remind_open_invitations, ops.RunPython.noop),
    ]
