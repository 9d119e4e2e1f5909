"""sales rollups: no year rows for the three small levels, and room in each page for the refresh's additions

The channel, kind and province levels no longer keep year rows (reports.rollups.LEVELS: a year of them is
read as twelve month rows), so theirs are deleted; the figures never read them again.

On PostgreSQL the rollups and the day summary are given a fillfactor of 80: a refresh adds to rows already
there far more often than it makes new ones, and with room left in the row's page that update is a HOT
update, which writes neither of the rollups' indexes.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-03 14:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM report_sales_rollups WHERE grain = 'year' AND level IN ('channel', 'kind', 'province')")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE report_sales_rollups SET (fillfactor = 80)")
        op.execute("ALTER TABLE report_sales_days SET (fillfactor = 80)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE report_sales_rollups RESET (fillfactor)")
        op.execute("ALTER TABLE report_sales_days RESET (fillfactor)")
    # The small levels' year rows are not rebuilt here: empty the summary so the next refresh rebuilds it all.
    op.execute("DELETE FROM report_sales_rollups")
    op.execute("DELETE FROM report_sales_days")
    op.execute("DELETE FROM report_product_keys")
    op.execute("DELETE FROM report_summary_marks")
