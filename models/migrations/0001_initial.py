from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from mailer.outbox import DeliveryStatus
from models.institution import CareType, InstitutionStatus
from models.invitation import InvitationStatus
from models.role import Role
from models.user import Language, UserStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('actor_id', fields.IntField(null=True)),
                ('actor_email', fields.CharField(null=True, max_length=254)),
                ('action', fields.CharField(db_index=True, max_length=60)),
                ('subject_type', fields.CharField(null=True, max_length=30)),
                ('subject_id', fields.IntField(null=True)),
                ('sponsor_id', fields.IntField(null=True, db_index=True)),
                ('institution_id', fields.IntField(null=True, db_index=True)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('request_id', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'audit_event', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message_id', fields.CharField(unique=True, max_length=200)),
                ('recipient', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=300)),
                ('body_text', fields.TextField(null=True, unique=False)),
                ('body_html', fields.TextField(null=True, unique=False)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: PENDING\nSENT: SENT\nFAILED: FAILED', enum_type=DeliveryStatus, max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_message', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Sponsor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('name_key', fields.CharField(unique=True, max_length=200)),
                ('search_name', fields.CharField(db_index=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'sponsor', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Institution',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('search_name', fields.CharField(db_index=True, max_length=200)),
                ('care_type', fields.CharEnumField(description='DAYCARE_CENTER: DAYCARE_CENTER\nDAY_FAMILY: DAY_FAMILY\nDAY_SCHOOL: DAY_SCHOOL\nHOLIDAY_CARE: HOLIDAY_CARE', enum_type=CareType, max_length=20)),
                ('status', fields.CharEnumField(default=InstitutionStatus.INVITED, description='INVITED: INVITED\nACTIVE: ACTIVE', enum_type=InstitutionStatus, max_length=10)),
                ('vouchers_from', fields.DateField(db_index=True)),
                ('sponsor', fields.ForeignKeyField('models.Sponsor', source_field='sponsor_id', null=True, db_constraint=True, to_field='id', related_name='institutions', on_delete=OnDelete.RESTRICT)),
                ('organisation', fields.CharField(null=True, max_length=200)),
                ('street', fields.CharField(null=True, max_length=200)),
                ('house_number', fields.CharField(null=True, max_length=20)),
                ('postal_code', fields.CharField(null=True, max_length=4)),
                ('town', fields.CharField(null=True, max_length=100)),
                ('contact_email', fields.CharField(null=True, max_length=254)),
                ('phone', fields.CharField(null=True, max_length=20)),
                ('website', fields.CharField(null=True, max_length=500)),
                ('opening_days', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('opening_time', fields.TimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closing_time', fields.TimeField(null=True, auto_now=False, auto_now_add=False)),
                ('iban', fields.CharField(null=True, max_length=34)),
                ('account_holder', fields.CharField(null=True, max_length=200)),
                ('places', fields.IntField(null=True)),
                ('version', fields.IntField(default=1)),
                ('activated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'institution', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(max_length=254)),
                ('email_key', fields.CharField(unique=True, max_length=254)),
                ('first_name', fields.CharField(default='', max_length=100)),
                ('last_name', fields.CharField(default='', max_length=100)),
                ('role', fields.CharEnumField(db_index=True, description='SUPER_ADMIN: SUPER_ADMIN\nCANTON_ADMIN: CANTON_ADMIN\nCANTON_CLERK: CANTON_CLERK\nSPONSOR_ADMIN: SPONSOR_ADMIN\nSPONSOR_CLERK: SPONSOR_CLERK\nINSTITUTION_ADMIN: INSTITUTION_ADMIN\nINSTITUTION_CLERK: INSTITUTION_CLERK\nAPPLICANT: APPLICANT', enum_type=Role, max_length=20)),
                ('sponsor', fields.ForeignKeyField('models.Sponsor', source_field='sponsor_id', null=True, db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.RESTRICT)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', null=True, db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(description='INVITED: INVITED\nACTIVE: ACTIVE\nBLOCKED: BLOCKED', enum_type=UserStatus, max_length=10)),
                ('status_before_block', fields.CharEnumField(null=True, description='INVITED: INVITED\nACTIVE: ACTIVE\nBLOCKED: BLOCKED', enum_type=UserStatus, max_length=10)),
                ('language', fields.CharEnumField(null=True, description='DE: DE\nFR: FR', enum_type=Language, max_length=2)),
                ('issuer', fields.CharField(null=True, max_length=255)),
                ('subject', fields.CharField(null=True, max_length=255)),
                ('signed_out_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'user', 'app': 'models', 'unique_together': (('issuer', 'subject'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('role', fields.CharEnumField(description='SUPER_ADMIN: SUPER_ADMIN\nCANTON_ADMIN: CANTON_ADMIN\nCANTON_CLERK: CANTON_CLERK\nSPONSOR_ADMIN: SPONSOR_ADMIN\nSPONSOR_CLERK: SPONSOR_CLERK\nINSTITUTION_ADMIN: INSTITUTION_ADMIN\nINSTITUTION_CLERK: INSTITUTION_CLERK\nAPPLICANT: APPLICANT', enum_type=Role, max_length=20)),
                ('sponsor', fields.ForeignKeyField('models.Sponsor', source_field='sponsor_id', null=True, db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.RESTRICT)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', null=True, db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.RESTRICT)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('status', fields.CharEnumField(default=InvitationStatus.PENDING, description='PENDING: PENDING\nACCEPTED: ACCEPTED\nREVOKED: REVOKED\nEXPIRED: EXPIRED', enum_type=InvitationStatus, max_length=10)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('language', fields.CharEnumField(null=True, description='DE: DE\nFR: FR', enum_type=Language, max_length=2)),
                ('invited_by', fields.ForeignKeyField('models.User', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='sent_invitations', on_delete=OnDelete.SET_NULL)),
                ('message', fields.ForeignKeyField('models.OutboxMessage', source_field='message_id', null=True, db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.SET_NULL)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'invitation', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
