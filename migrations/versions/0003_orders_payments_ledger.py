"""orders, payments, ledger: carts, addresses, orders with per-producer sub-orders, lines and status
events; payment attempts and provider events; the append-only sales ledger

Revision ID: 0003
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provider_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('event_type', sa.String(length=80), nullable=False),
    sa.Column('outcome', sa.String(length=255), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_events')),
    sa.UniqueConstraint('provider', 'event_id', name='uq_provider_events_provider_event')
    )
    op.create_table('addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=10), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('ward_code', sa.Integer(), nullable=False),
    sa.Column('street', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_addresses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addresses'))
    )
    op.create_index(op.f('ix_addresses_user_id'), 'addresses', ['user_id'], unique=False)
    op.create_table('carts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_carts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carts')),
    sa.UniqueConstraint('user_id', name=op.f('uq_carts_user_id'))
    )
    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('idempotency_token', sa.String(length=64), nullable=False),
    sa.Column('payment_method', sa.Enum('card', 'cod', 'vietqr', name='paymentmethod', native_enum=False, length=16), nullable=False),
    sa.Column('recipient_name', sa.String(length=120), nullable=False),
    sa.Column('recipient_phone', sa.String(length=10), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('ward_code', sa.Integer(), nullable=False),
    sa.Column('street', sa.String(length=255), nullable=False),
    sa.Column('subtotal_vnd', sa.BigInteger(), nullable=False),
    sa.Column('shipping_vnd', sa.BigInteger(), nullable=False),
    sa.Column('total_vnd', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('total_vnd >= 0', name=op.f('ck_orders_total_not_negative')),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_orders_buyer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('idempotency_token', name=op.f('uq_orders_idempotency_token')),
    sa.UniqueConstraint('number', name=op.f('uq_orders_number'))
    )
    op.create_index(op.f('ix_orders_buyer_id'), 'orders', ['buyer_id'], unique=False)
    op.create_index(op.f('ix_orders_created_at'), 'orders', ['created_at'], unique=False)
    op.create_index(op.f('ix_orders_expires_at'), 'orders', ['expires_at'], unique=False)
    op.create_table('cart_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cart_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('price_vnd_seen', sa.BigInteger(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_cart_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['cart_id'], ['carts.id'], name=op.f('fk_cart_lines_cart_id_carts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_cart_lines_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_lines')),
    sa.UniqueConstraint('cart_id', 'product_id', name='uq_cart_lines_cart_product')
    )
    op.create_index(op.f('ix_cart_lines_cart_id'), 'cart_lines', ['cart_id'], unique=False)
    op.create_table('producer_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending_payment', 'paid', 'confirmed', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded', name='orderstatus', native_enum=False, length=20), nullable=False),
    sa.Column('subtotal_vnd', sa.BigInteger(), nullable=False),
    sa.Column('shipping_fee_vnd', sa.BigInteger(), nullable=False),
    sa.Column('total_vnd', sa.BigInteger(), nullable=False),
    sa.Column('producer_name', sa.String(length=200), nullable=False),
    sa.Column('carrier', sa.String(length=80), nullable=True),
    sa.Column('tracking_number', sa.String(length=80), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sale_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_producer_orders_location_id_locations')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_producer_orders_order_id_orders')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_producer_orders_producer_id_producers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_producer_orders')),
    sa.UniqueConstraint('order_id', 'producer_id', name='uq_producer_orders_order_producer')
    )
    op.create_index(op.f('ix_producer_orders_order_id'), 'producer_orders', ['order_id'], unique=False)
    op.create_index('ix_producer_orders_producer_status', 'producer_orders', ['producer_id', 'status'], unique=False)
    op.create_table('order_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_order_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('pending_payment', 'paid', 'confirmed', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded', name='orderstatus', native_enum=False, length=20), nullable=True),
    sa.Column('to_status', sa.Enum('pending_payment', 'paid', 'confirmed', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded', name='orderstatus', native_enum=False, length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_order_events_actor_id_users')),
    sa.ForeignKeyConstraint(['producer_order_id'], ['producer_orders.id'], name=op.f('fk_order_events_producer_order_id_producer_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_events'))
    )
    op.create_index(op.f('ix_order_events_producer_order_id'), 'order_events', ['producer_order_id'], unique=False)
    op.create_table('order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_vnd', sa.BigInteger(), nullable=False),
    sa.Column('total_vnd', sa.BigInteger(), nullable=False),
    sa.Column('product_name', sa.String(length=200), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('producer_name', sa.String(length=200), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_lines_quantity_positive')),
    sa.CheckConstraint('unit_price_vnd > 0', name=op.f('ck_order_lines_unit_price_positive')),
    sa.ForeignKeyConstraint(['producer_order_id'], ['producer_orders.id'], name=op.f('fk_order_lines_producer_order_id_producer_orders')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_order_lines_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_lines'))
    )
    op.create_index(op.f('ix_order_lines_producer_order_id'), 'order_lines', ['producer_order_id'], unique=False)
    op.create_index(op.f('ix_order_lines_product_id'), 'order_lines', ['product_id'], unique=False)
    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('producer_order_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('charge', 'refund', name='paymentkind', native_enum=False, length=10), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('started', 'succeeded', 'failed', 'expired', 'unmatched', name='paymentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('amount_vnd', sa.BigInteger(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=True),
    sa.Column('external_reference', sa.String(length=255), nullable=True),
    sa.Column('idempotency_key', sa.String(length=100), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_vnd >= 0', name=op.f('ck_payments_amount_not_negative')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_payments_order_id_orders')),
    sa.ForeignKeyConstraint(['producer_order_id'], ['producer_orders.id'], name=op.f('fk_payments_producer_order_id_producer_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payments_idempotency_key'))
    )
    op.create_index(op.f('ix_payments_external_id'), 'payments', ['external_id'], unique=False)
    op.create_index(op.f('ix_payments_external_reference'), 'payments', ['external_reference'], unique=False)
    op.create_index(op.f('ix_payments_order_id'), 'payments', ['order_id'], unique=False)
    op.create_table('sale_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_vnd', sa.BigInteger(), nullable=False),
    sa.Column('total_vnd', sa.BigInteger(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('buyer_province_code', sa.Integer(), nullable=True),
    sa.Column('payment_method', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('product_name', sa.String(length=200), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=True),
    sa.Column('producer_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(reverses_id IS NULL AND quantity > 0) OR (reverses_id IS NOT NULL AND quantity < 0)', name=op.f('ck_sale_entries_sign_matches_kind')),
    sa.CheckConstraint('quantity <> 0', name=op.f('ck_sale_entries_quantity_not_zero')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_sale_entries_location_id_locations')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_sale_entries_order_line_id_order_lines')),
    sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_sale_entries_producer_id_producers')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_sale_entries_product_id_products')),
    sa.ForeignKeyConstraint(['reverses_id'], ['sale_entries.id'], name=op.f('fk_sale_entries_reverses_id_sale_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sale_entries')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_sale_entries_reverses_id'))
    )
    op.create_index(op.f('ix_sale_entries_channel'), 'sale_entries', ['channel'], unique=False)
    op.create_index(op.f('ix_sale_entries_occurred_at'), 'sale_entries', ['occurred_at'], unique=False)
    op.create_index(op.f('ix_sale_entries_order_line_id'), 'sale_entries', ['order_line_id'], unique=False)
    op.create_index('ix_sale_entries_producer_occurred', 'sale_entries', ['producer_id', 'occurred_at'], unique=False)
    op.create_index('ix_sale_entries_product_occurred', 'sale_entries', ['product_id', 'occurred_at'], unique=False)
    op.create_index(op.f('ix_sale_entries_reference'), 'sale_entries', ['reference'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_sale_entries_reference'), table_name='sale_entries')
    op.drop_index('ix_sale_entries_product_occurred', table_name='sale_entries')
    op.drop_index('ix_sale_entries_producer_occurred', table_name='sale_entries')
    op.drop_index(op.f('ix_sale_entries_order_line_id'), table_name='sale_entries')
    op.drop_index(op.f('ix_sale_entries_occurred_at'), table_name='sale_entries')
    op.drop_index(op.f('ix_sale_entries_channel'), table_name='sale_entries')
    op.drop_table('sale_entries')
    op.drop_index(op.f('ix_payments_order_id'), table_name='payments')
    op.drop_index(op.f('ix_payments_external_reference'), table_name='payments')
    op.drop_index(op.f('ix_payments_external_id'), table_name='payments')
    op.drop_table('payments')
    op.drop_index(op.f('ix_order_lines_product_id'), table_name='order_lines')
    op.drop_index(op.f('ix_order_lines_producer_order_id'), table_name='order_lines')
    op.drop_table('order_lines')
    op.drop_index(op.f('ix_order_events_producer_order_id'), table_name='order_events')
    op.drop_table('order_events')
    op.drop_index('ix_producer_orders_producer_status', table_name='producer_orders')
    op.drop_index(op.f('ix_producer_orders_order_id'), table_name='producer_orders')
    op.drop_table('producer_orders')
    op.drop_index(op.f('ix_cart_lines_cart_id'), table_name='cart_lines')
    op.drop_table('cart_lines')
    op.drop_index(op.f('ix_orders_expires_at'), table_name='orders')
    op.drop_index(op.f('ix_orders_created_at'), table_name='orders')
    op.drop_index(op.f('ix_orders_buyer_id'), table_name='orders')
    op.drop_table('orders')
    op.drop_table('carts')
    op.drop_index(op.f('ix_addresses_user_id'), table_name='addresses')
    op.drop_table('addresses')
    op.drop_table('provider_events')
