"""demand board: the details' folded words beside the title's, so the board's search reads both

demand_requests.details_text holds the accent-folded words of the details (marketplace.text.folded_words,
the folding the title's search_text and the catalogue's search use); existing requests are filled here.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-03 14:10:00

"""
from alembic import op
import sqlalchemy as sa

from marketplace.text import folded_words


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('demand_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details_text', sa.Text(), server_default='', nullable=False))
    connection = op.get_bind()
    requests = sa.table('demand_requests', sa.column('id', sa.Integer), sa.column('details', sa.Text),
                        sa.column('details_text', sa.Text))
    rows = connection.execute(sa.select(requests.c.id, requests.c.details).where(requests.c.details != '')).all()
    for request_id, details in rows:
        connection.execute(sa.update(requests).where(requests.c.id == request_id)
                           .values(details_text=folded_words(details)))


def downgrade():
    with op.batch_alter_table('demand_requests', schema=None) as batch_op:
        batch_op.drop_column('details_text')
