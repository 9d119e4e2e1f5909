"""indexes for a product group's page sorted by price or by newest

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 01:10:00

"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX on both databases (no batch copy of the table, which would drop the FTS triggers).
    op.create_index('ix_products_group_price', 'products', ['group_code', 'price_vnd', 'id'], unique=False)
    op.create_index('ix_products_group_created', 'products', ['group_code', 'created_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_products_group_created', table_name='products')
    op.drop_index('ix_products_group_price', table_name='products')
