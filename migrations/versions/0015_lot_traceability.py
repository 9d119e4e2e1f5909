"""lot traceability: a random public code per lot (its public page and QR) and the production date

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:55:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('produced_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('public_code', sa.String(length=16), nullable=True))
    lots = sa.table('lots', sa.column('id', sa.Integer), sa.column('public_code', sa.String))
    connection = op.get_bind()
    for (lot_id,) in connection.execute(sa.select(lots.c.id)).all():
        connection.execute(lots.update().where(lots.c.id == lot_id).values(public_code=secrets.token_urlsafe(9)))
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.alter_column('public_code', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_lots_public_code'), ['public_code'])


def downgrade():
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_lots_public_code'), type_='unique')
        batch_op.drop_column('public_code')
        batch_op.drop_column('produced_on')
