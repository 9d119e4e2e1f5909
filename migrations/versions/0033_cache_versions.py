"""cache versions: the storefront's versions that every cache key includes (marketplace/cache.py)

One row. `catalogue` changes with what the catalogue lists and counts, `pages` with anything a public page
shows; both are random tokens written in the same transaction as the change they stand for.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-03 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'cache_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('catalogue', sa.String(length=32), nullable=False),
        sa.Column('pages', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_versions')),
    )
    op.bulk_insert(table, [{'id': 1, 'catalogue': 'initial', 'pages': 'initial'}])


def downgrade():
    op.drop_table('cache_versions')
