from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

TABLES = ("institution", "sponsor")


async def notify_on_change(apps: object, schema_editor: BaseSchemaEditor) -> None:
    """Every committed write to public data tells the listening processes (PostgreSQL only):
    a trigger, so no write path, bulk update or manual fix can forget to."""
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    script = """
        CREATE OR REPLACE FUNCTION kibon_public_data_changed() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('kibon_public_data', TG_TABLE_NAME);
            RETURN NULL;
        END $$ LANGUAGE plpgsql;
    """
    for table in TABLES:
        script += f"""
        CREATE TRIGGER "{table}_public_data_changed"
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}"
            FOR EACH STATEMENT EXECUTE FUNCTION kibon_public_data_changed();
        """
    await schema_editor.client.execute_script(script)


async def drop_notify(apps: object, schema_editor: BaseSchemaEditor) -> None:
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    script = "".join(f'DROP TRIGGER "{t}_public_data_changed" ON "{t}";' for t in TABLES)
    await schema_editor.client.execute_script(script + "DROP FUNCTION kibon_public_data_changed();")


class Migration(migrations.Migration):
    dependencies = [("models", "0003_list_indexes")]

    initial = False

    operations = [ops.RunPython(notify_on_change, drop_notify)]
