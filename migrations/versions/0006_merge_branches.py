"""merge producer tools and settlements branches

Revision ID: 0006
Revises: 0004, 0005
Create Date: 2026-11-29 00:23:12.716228

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = ('0004', '0005')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
