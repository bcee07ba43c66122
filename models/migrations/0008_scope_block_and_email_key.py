from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

from models import email, raw_sql
from models.role import Role

ROLES = "\n".join(f"{role.value}: {role.value}" for role in Role)


async def rekey_emails(apps: object, schema_editor: BaseSchemaEditor) -> None:
    """Every account's `email_key` recomputed by `models.email.normalized`. Two accounts whose
    addresses are one mailbox under the new key stop the migration at the unique index: an
    operator decides which account stays."""
    client = schema_editor.client
    rows = (await client.execute_query('SELECT "id", "email", "email_key" FROM "user"'))[1]
    for row in rows:
        key = email.normalized(row["email"])
        if key != row["email_key"]:
            mark = raw_sql.placeholders(client.capabilities.dialect)
            await client.execute_query(
                f'UPDATE "user" SET "email_key" = {next(mark)} WHERE "id" = {next(mark)}',  # noqa: S608
                [key, row["id"]],
            )


class Migration(migrations.Migration):
    """The scope rule's data.

    - A block records who imposed it (`blocked_by_id`, `blocked_by_role`): a canton's block is
      lifted only by canton staff.
    - E-mail identity is `email_key` alone (its unique index, from 0001), computed by one
      function; PostgreSQL's `lower()` folds Unicode (KELVIN SIGN is `k`), so the index on
      `lower(email)` would merge mailboxes the key keeps apart. Existing keys are recomputed.
    - Audit entries about an institution name the sponsor it belonged to when written; older
      entries get the institution's sponsor of today, the best that is known.
    """

    dependencies = [("models", "0007_hardening_rate_limit")]

    initial = False

    operations = [
        ops.AddField(
            model_name="User",
            name="blocked_by_id",
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name="User",
            name="blocked_by_role",
            field=fields.CharEnumField(
                null=True, description=ROLES, enum_type=Role, max_length=20
            ),
        ),
        ops.RunSQL(
            'DROP INDEX "uidx_user_email_lower";',
            reverse_sql='CREATE UNIQUE INDEX "uidx_user_email_lower" ON "user" (lower("email"));',
        ),
        ops.RunPython(rekey_emails, ops.RunPython.noop),
        ops.RunSQL(
            'UPDATE "audit_event" SET "sponsor_id" = (SELECT "sponsor_id" FROM "institution" '
            'WHERE "institution"."id" = "audit_event"."institution_id") '
            'WHERE "sponsor_id" IS NULL AND "institution_id" IS NOT NULL;',
            reverse_sql="SELECT 1;",
        ),
    ]
