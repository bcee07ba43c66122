from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_useradmin_audit_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='OutboxMessage',
            name='claimed_by',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='first_attempt_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
