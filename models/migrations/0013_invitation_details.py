from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """How often an invitation was sent and when last; existing ones were sent once, when
    they were made (or last resent: unknown, so their creation)."""

    dependencies = [("models", "0012_withdrawal")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Invitation",
            name="sent_count",
            field=fields.IntField(default=1),
        ),
        ops.AddField(
            model_name="Invitation",
            name="last_sent_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunSQL(
            'UPDATE "invitation" SET "last_sent_at" = "created_at";', reverse_sql="SELECT 1;"
        ),
    ]
