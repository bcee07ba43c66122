from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

from models import raw_sql
from models.institution import town_key


async def fold_towns(apps: object, schema_editor: BaseSchemaEditor) -> None:
    """The family portal filters on the folded town; rows saved before this get theirs."""
    client = schema_editor.client
    rows = (await client.execute_query('SELECT "id", "town" FROM "institution"'))[1]
    for row in rows:
        if row["town"]:
            mark = raw_sql.placeholders(client.capabilities.dialect)
            await client.execute_query(
                f'UPDATE "institution" SET "search_town" = {next(mark)} '  # noqa: S608
                f'WHERE "id" = {next(mark)}',
                [town_key(row["town"]), row["id"]],
            )


class Migration(migrations.Migration):
    """The voucher period's end, and what the family portal filters on, indexed: the end date
    (overlap with a date or a range), the postal code and the folded town."""

    dependencies = [("models", "0010_background_jobs")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Institution",
            name="vouchers_until",
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name="Institution",
            name="search_town",
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.RunPython(fold_towns, ops.RunPython.noop),
        ops.RunSQL(
            'CREATE INDEX "idx_institution_vouchers_until" ON "institution" ("vouchers_until");'
            'CREATE INDEX "idx_institution_postal_code" ON "institution" ("postal_code");'
            'CREATE INDEX "idx_institution_search_town" ON "institution" ("search_town");',
            reverse_sql='DROP INDEX "idx_institution_vouchers_until";'
            'DROP INDEX "idx_institution_postal_code";'
            'DROP INDEX "idx_institution_search_town";',
        ),
    ]
