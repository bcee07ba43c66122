from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_invitation_reminder')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BackgroundJob',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=60)),
                ('runs', fields.IntField(default=0)),
                ('failures', fields.IntField(default=0)),
                ('last_run_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_rows', fields.IntField(default=0)),
                ('last_failure_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=500)),
            ],
            options={'table': 'background_job', 'app': 'models', 'pk_attr': 'name'},
            bases=['Model'],
        ),
    ]
