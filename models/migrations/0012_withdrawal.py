from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.institution import InstitutionStatus
from models.sponsor import SponsorStatus


class Migration(migrations.Migration):
    """Withdrawing what was registered by mistake: a sponsor's status, the status an institution
    had before its withdrawal (a restore goes back to it), and which blocks a withdrawal
    imposed (only a restore lifts them)."""

    dependencies = [("models", "0011_voucher_period")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Sponsor",
            name="status",
            field=fields.CharEnumField(
                SponsorStatus, max_length=10, default=SponsorStatus.ACTIVE
            ),
        ),
        ops.AddField(
            model_name="Institution",
            name="status_before_withdrawal",
            field=fields.CharEnumField(InstitutionStatus, max_length=10, null=True),
        ),
        ops.AddField(
            model_name="Institution",
            name="withdrawn_with_sponsor",
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name="User",
            name="blocked_by_withdrawal",
            field=fields.BooleanField(default=False),
        ),
    ]
