from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """E-mail is unique case-insensitively in the database itself, not only in code.

    `email_key` holds the lower-cased address under a unique constraint; this index guards the
    display column too, so a write that skips the model (a bulk update, raw SQL) cannot create
    `Anna@x.ch` beside `anna@x.ch`.
    """

    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.RunSQL(
            'CREATE UNIQUE INDEX "uidx_user_email_lower" ON "user" (lower("email"));',
            reverse_sql='DROP INDEX "uidx_user_email_lower";',
        ),
    ]
