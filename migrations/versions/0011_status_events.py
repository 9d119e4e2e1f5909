"""status events for producer verification, products and certificates: who changed what, when, from, to, why

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

VERIFICATION = ('pending', 'verified', 'rejected', 'suspended')
PRODUCT = ('draft', 'active', 'archived')
CERTIFICATE = ('submitted', 'valid', 'rejected', 'revoked')


def _status(values, name):
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def _events(table, subject, subject_table, values, enum_name, ondelete=None):
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column(subject, sa.Integer(), nullable=False),
        sa.Column('from_status', _status(values, enum_name), nullable=False),
        sa.Column('to_status', _status(values, enum_name), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f(f'fk_{table}_actor_id_users')),
        sa.ForeignKeyConstraint([subject], [f'{subject_table}.id'], name=op.f(f'fk_{table}_{subject}_{subject_table}'),
                                ondelete=ondelete),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    op.create_index(op.f(f'ix_{table}_{subject}'), table, [subject], unique=False)


def upgrade():
    _events('producer_events', 'producer_id', 'producers', VERIFICATION, 'verificationstatus')
    _events('product_events', 'product_id', 'products', PRODUCT, 'productstatus', ondelete='CASCADE')
    _events('certificate_events', 'certificate_id', 'certificates', CERTIFICATE, 'certificatestatus')


def downgrade():
    for table, subject in (('certificate_events', 'certificate_id'), ('product_events', 'product_id'),
                           ('producer_events', 'producer_id')):
        op.drop_index(op.f(f'ix_{table}_{subject}'), table_name=table)
        op.drop_table(table)
