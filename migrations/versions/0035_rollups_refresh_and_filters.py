"""sales rollups: a lighter refresh, and the filters the levels did not cover

- The channel, kind and province levels no longer keep year rows (reports.rollups.LEVELS: a year of them is
  read as twelve month rows), and the kind_province level also keeps the buyer's province, so the provinces
  page with a group or star filter reads rollups instead of the product-level day summary.
- The day summary's indexes lead with the product, the producer and the showroom, each followed by the
  day, so a filter no level covers reads only the rows of its products, producers or showroom.
- On PostgreSQL the rollups and the day summary get a fillfactor of 80: a refresh adds to rows already there
  far more often than it makes new ones, and with room left in the row's page that update is a HOT update,
  which writes none of the table's indexes.

Levels changed, so the summary is emptied and its mark removed (as in 0029): the next refresh rebuilds the
day summary and the rollups from the ledger; until then the figures read the ledger itself, so they stay
exact.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03 14:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def _empty_summary():
    for table in ("report_sales_rollups", "report_sales_days", "report_product_keys", "report_summary_marks"):
        op.execute(f"DELETE FROM {table}")


def upgrade():
    _empty_summary()
    with op.batch_alter_table('report_sales_days', schema=None) as batch_op:
        batch_op.drop_index('ix_report_sales_days_product_id')
        batch_op.drop_index('ix_report_sales_days_producer_id')
        batch_op.create_index('ix_report_sales_days_product_day', ['product_id', 'day'], unique=False)
        batch_op.create_index('ix_report_sales_days_producer_day', ['producer_id', 'day'], unique=False)
        batch_op.create_index('ix_report_sales_days_location_day', ['location_key', 'day'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE report_sales_rollups SET (fillfactor = 80)")
        op.execute("ALTER TABLE report_sales_days SET (fillfactor = 80)")


def downgrade():
    _empty_summary()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE report_sales_rollups RESET (fillfactor)")
        op.execute("ALTER TABLE report_sales_days RESET (fillfactor)")
    with op.batch_alter_table('report_sales_days', schema=None) as batch_op:
        batch_op.drop_index('ix_report_sales_days_location_day')
        batch_op.drop_index('ix_report_sales_days_producer_day')
        batch_op.drop_index('ix_report_sales_days_product_day')
        batch_op.create_index('ix_report_sales_days_producer_id', ['producer_id'], unique=False)
        batch_op.create_index('ix_report_sales_days_product_id', ['product_id'], unique=False)
