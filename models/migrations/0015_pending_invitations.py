from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """The open invitations to a sponsor's institutions, by institution: the people list of a
    sponsor admin shows the applicants invited into its institutions, and among every
    invitation ever sent to them only the few open ones count."""

    dependencies = [("models", "0014_lookup_indexes")]

    initial = False

    operations = [
        ops.RunSQL(
            'CREATE INDEX "idx_invitation_pending_institution" ON "invitation" ("institution_id") '
            "WHERE \"status\" = 'PENDING';",
            reverse_sql='DROP INDEX "idx_invitation_pending_institution";',
        ),
    ]
