"""sales rollups for program analytics: the ledger added up without the product, per level, day, month and
year (reports.models.SalesRollup), and the attributes each product's sales are filed under (ProductKey).

The summary is emptied and its mark removed: the next `flask reports refresh-summary` (or the first visit to
an analytics page) rebuilds the day summary and the rollups from the ledger; until then the figures read
the ledger itself, so they stay exact.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_product_keys',
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('province_key', sa.Integer(), nullable=False),
    sa.Column('group_code', sa.String(length=8), nullable=False),
    sa.Column('star_key', sa.SmallInteger(), nullable=False),
    sa.Column('producer_type', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_report_product_keys'))
    )
    op.create_table('report_sales_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('grain', sa.String(length=8), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('location_key', sa.Integer(), nullable=False),
    sa.Column('buyer_province_key', sa.Integer(), nullable=False),
    sa.Column('province_key', sa.Integer(), nullable=False),
    sa.Column('group_code', sa.String(length=8), nullable=False),
    sa.Column('star_key', sa.SmallInteger(), nullable=False),
    sa.Column('producer_type', sa.String(length=8), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('units', sa.BigInteger(), nullable=False),
    sa.Column('revenue_vnd', sa.BigInteger(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_sales_rollups')),
    sa.UniqueConstraint('level', 'grain', 'start', 'channel', 'location_key', 'buyer_province_key', 'province_key', 'group_code', 'star_key', 'producer_type', 'producer_id', 'product_id', name='uq_report_sales_rollups_key')
    )
    with op.batch_alter_table('report_sales_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_report_sales_rollups_province', ['level', 'grain', 'province_key', 'start'], unique=False)
    op.execute("DELETE FROM report_sales_days")
    op.execute("DELETE FROM report_summary_marks")


def downgrade():
    with op.batch_alter_table('report_sales_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_report_sales_rollups_province')
    op.drop_table('report_sales_rollups')
    op.drop_table('report_product_keys')
    # The day summary alone is consistent again once refreshed: empty it and let the next refresh rebuild it.
    op.execute("DELETE FROM report_sales_days")
    op.execute("DELETE FROM report_summary_marks")
