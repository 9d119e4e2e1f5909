"""payment_events: each status a payment row takes (from, to, when, who, why), like order_events

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

STATUSES = ('started', 'succeeded', 'failed', 'expired', 'unmatched')


def upgrade():
    op.create_table(
        'payment_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('payment_id', sa.Integer(), nullable=False),
        sa.Column('from_status', sa.Enum(*STATUSES, name='paymentstatus', native_enum=False, length=16),
                  nullable=True),
        sa.Column('to_status', sa.Enum(*STATUSES, name='paymentstatus', native_enum=False, length=16),
                  nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_payment_events_actor_id_users')),
        sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_events_payment_id_payments')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_events')),
    )
    op.create_index(op.f('ix_payment_events_payment_id'), 'payment_events', ['payment_id'], unique=False)
    # Rows written before this table existed get one event with the status they have now.
    op.execute(
        "INSERT INTO payment_events (payment_id, from_status, to_status, at, actor_id, reason) "
        "SELECT id, NULL, status, updated_at, NULL, 'recorded before payment events existed' FROM payments"
    )


def downgrade():
    op.drop_index(op.f('ix_payment_events_payment_id'), table_name='payment_events')
    op.drop_table('payment_events')
