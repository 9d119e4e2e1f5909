"""cash-on-delivery orders wait for the producer's confirmation; tracking links; the buyer's cancel reason

A cash-on-delivery (or pay-at-the-showroom) sub-order is no longer confirmed the moment it is placed: it is
"placed" until its producer (or, for a pickup, its showroom) confirms it. Sub-orders still in the state the old
checkout put them in (confirmed at placement, nothing done since) move to "placed", and the event that said so
now says "placed": the producer has not confirmed them yet. Adds the carrier's tracking URL to sub-orders and
the reason a buyer chose when cancelling to status events.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

#: The reasons the old checkout wrote on the automatic pending_payment -> confirmed change.
CHECKOUT_REASONS = ('cash on delivery', 'pay at the showroom')


def upgrade():
    with op.batch_alter_table('producer_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracking_url', sa.String(length=500), nullable=True))
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=32), nullable=True))

    events = sa.table('order_events', sa.column('id', sa.Integer), sa.column('producer_order_id', sa.Integer),
                      sa.column('from_status', sa.String), sa.column('to_status', sa.String),
                      sa.column('reason', sa.String))
    sub_orders = sa.table('producer_orders', sa.column('id', sa.Integer), sa.column('status', sa.String))
    automatic = sa.select(events.c.producer_order_id).where(
        events.c.from_status == 'pending_payment', events.c.to_status == 'confirmed',
        events.c.reason.in_(CHECKOUT_REASONS))
    # Still confirmed means nothing happened since that automatic confirmation (no status leads back to it).
    op.execute(sub_orders.update().where(sub_orders.c.status == 'confirmed', sub_orders.c.id.in_(automatic))
               .values(status='placed'))
    op.execute(events.update().where(
        events.c.from_status == 'pending_payment', events.c.to_status == 'confirmed',
        events.c.reason.in_(CHECKOUT_REASONS),
        events.c.producer_order_id.in_(sa.select(sub_orders.c.id).where(sub_orders.c.status == 'placed')))
        .values(to_status='placed'))


def downgrade():
    events = sa.table('order_events', sa.column('from_status', sa.String), sa.column('to_status', sa.String),
                      sa.column('producer_order_id', sa.Integer))
    sub_orders = sa.table('producer_orders', sa.column('id', sa.Integer), sa.column('status', sa.String))
    op.execute(events.update().where(events.c.to_status == 'placed').values(to_status='confirmed'))
    op.execute(events.update().where(events.c.from_status == 'placed').values(from_status='confirmed'))
    op.execute(sub_orders.update().where(sub_orders.c.status == 'placed').values(status='confirmed'))
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_column('reason_code')
    with op.batch_alter_table('producer_orders', schema=None) as batch_op:
        batch_op.drop_column('tracking_url')
