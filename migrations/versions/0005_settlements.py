"""settlements: statements of money owed to producers and the ledger entries each one settles

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-29 00:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'statements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('status', sa.Enum('open', 'paid', name='statementstatus', native_enum=False, length=8),
                  nullable=False),
        sa.Column('platform_sales_vnd', sa.BigInteger(), nullable=False),
        sa.Column('platform_refunds_vnd', sa.BigInteger(), nullable=False),
        sa.Column('producer_sales_vnd', sa.BigInteger(), nullable=False),
        sa.Column('producer_refunds_vnd', sa.BigInteger(), nullable=False),
        sa.Column('shipping_fees_vnd', sa.BigInteger(), nullable=False),
        sa.Column('commission_rate_bp', sa.Integer(), nullable=False),
        sa.Column('commission_vnd', sa.BigInteger(), nullable=False),
        sa.Column('discounts_vnd', sa.BigInteger(), nullable=False),
        sa.Column('net_payable_vnd', sa.BigInteger(), nullable=False),
        sa.Column('entry_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('bank_reference', sa.String(length=100), nullable=True),
        sa.Column('paid_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('period_end >= period_start', name=op.f('ck_statements_period_order')),
        sa.CheckConstraint('commission_rate_bp >= 0 AND commission_rate_bp <= 10000',
                           name=op.f('ck_statements_commission_rate_range')),
        sa.CheckConstraint("status <> 'paid' OR (paid_at IS NOT NULL AND bank_reference IS NOT NULL)",
                           name=op.f('ck_statements_paid_has_reference')),
        sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_statements_producer_id_producers')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_statements_created_by_id_users')),
        sa.ForeignKeyConstraint(['paid_by_id'], ['users.id'], name=op.f('fk_statements_paid_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index('ix_statements_producer_period', ['producer_id', 'period_start', 'period_end'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_statements_status'), ['status'], unique=False)

    op.create_table(
        'statement_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('sale_entry_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], ondelete='CASCADE',
                                name=op.f('fk_statement_entries_statement_id_statements')),
        sa.ForeignKeyConstraint(['sale_entry_id'], ['sale_entries.id'],
                                name=op.f('fk_statement_entries_sale_entry_id_sale_entries')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_entries')),
        sa.UniqueConstraint('sale_entry_id', name=op.f('uq_statement_entries_sale_entry_id')),
    )
    with op.batch_alter_table('statement_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_entries_statement_id'), ['statement_id'], unique=False)


def downgrade():
    with op.batch_alter_table('statement_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_entries_statement_id'))
    op.drop_table('statement_entries')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statements_status'))
        batch_op.drop_index('ix_statements_producer_period')
    op.drop_table('statements')
