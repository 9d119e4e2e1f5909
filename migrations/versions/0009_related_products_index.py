"""index for a product page's related products (same group, most stars, best selling)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 03:00:00

"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX on both databases (no batch copy of the table, which would drop the FTS triggers).
    op.create_index('ix_products_group_stars_sold', 'products', ['group_code', 'star_level', 'sold_quantity', 'id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_products_group_stars_sold', table_name='products')
