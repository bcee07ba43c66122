from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_outbox_lease_owner_and_first_attempt')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RateCounter',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(max_length=80)),
                ('period', fields.BigIntField()),
                ('hits', fields.IntField(default=0)),
                ('ends_at', fields.BigIntField(db_index=True)),
            ],
            options={'table': 'rate_counter', 'app': 'models', 'unique_together': (('key', 'period'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
