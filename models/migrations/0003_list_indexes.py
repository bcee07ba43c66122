from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor


async def trigram_search(apps: object, schema_editor: BaseSchemaEditor) -> None:
    """Substring search (`LIKE '%zurich%'`) backed by trigram indexes; PostgreSQL only."""
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    await schema_editor.client.execute_script(
        """
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX IF NOT EXISTS "idx_institution_search_trgm"
            ON "institution" USING gin ("search_name" gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS "idx_sponsor_search_trgm"
            ON "sponsor" USING gin ("search_name" gin_trgm_ops);
        """
    )


async def drop_trigram_search(apps: object, schema_editor: BaseSchemaEditor) -> None:
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    await schema_editor.client.execute_script(
        'DROP INDEX IF EXISTS "idx_institution_search_trgm";'
        'DROP INDEX IF EXISTS "idx_sponsor_search_trgm";'
    )


class Migration(migrations.Migration):
    """Keyset pagination walks these indexes in order, so page 1,000 costs what page 1 costs."""

    dependencies = [("models", "0002_user_email_lower_unique")]

    initial = False

    operations = [
        ops.RunSQL(
            'CREATE INDEX "idx_institution_order" ON "institution" ("search_name", "id");'
            'CREATE INDEX "idx_institution_sponsor_order" '
            'ON "institution" ("sponsor_id", "search_name", "id");'
            'CREATE INDEX "idx_sponsor_order" ON "sponsor" ("search_name", "id");'
            'CREATE INDEX "idx_user_sponsor" ON "user" ("sponsor_id");'
            'CREATE INDEX "idx_user_institution" ON "user" ("institution_id");',
            reverse_sql='DROP INDEX "idx_institution_order";'
            'DROP INDEX "idx_institution_sponsor_order";'
            'DROP INDEX "idx_sponsor_order";'
            'DROP INDEX "idx_user_sponsor";'
            'DROP INDEX "idx_user_institution";',
        ),
        ops.RunPython(trigram_search, drop_trigram_search),
    ]
