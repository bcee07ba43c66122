from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    """The audit log is filtered by actor and by subject (`auditLog(filter: …)`)."""

    dependencies = [('models', '0004_public_data_notify')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['actor_id']),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['subject_type', 'subject_id']),
        ),
    ]
