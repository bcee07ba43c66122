from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """Every list walks an index in its own order, within the caller's scope: invitations by
    the person, sponsor and institution they are for, and the audit log newest first, for
    the canton and for one sponsor or institution."""

    dependencies = [("models", "0013_invitation_details")]

    initial = False

    operations = [
        ops.RunSQL(
            'CREATE INDEX "idx_invitation_user" ON "invitation" ("user_id", "status");'
            'CREATE INDEX "idx_invitation_sponsor" ON "invitation" ("sponsor_id", "id");'
            'CREATE INDEX "idx_invitation_institution" ON "invitation" ("institution_id", "id");'
            'CREATE INDEX "idx_audit_newest" ON "audit_event" ("at", "id");'
            'CREATE INDEX "idx_audit_sponsor_newest" ON "audit_event" ("sponsor_id", "at", "id");'
            'CREATE INDEX "idx_audit_institution_newest" '
            'ON "audit_event" ("institution_id", "at", "id");',
            reverse_sql='DROP INDEX "idx_invitation_user";'
            'DROP INDEX "idx_invitation_sponsor";'
            'DROP INDEX "idx_invitation_institution";'
            'DROP INDEX "idx_audit_newest";'
            'DROP INDEX "idx_audit_sponsor_newest";'
            'DROP INDEX "idx_audit_institution_newest";',
        ),
    ]
