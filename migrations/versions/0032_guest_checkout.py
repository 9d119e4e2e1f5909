"""guest checkout: accounts made at checkout without a password, and the order link's key

A shopper who buys without an account gets a users row marked is_guest (no password: it cannot log in)
under the e-mail typed at checkout, so every rule that counts per buyer (vouchers, first orders) counts
per e-mail. Signing up or resetting the password with that e-mail turns it into an ordinary account with
its orders. orders.guest_key is the random part of the signed link e-mailed for a guest order; NULL for
orders placed signed in, and set to NULL when the order is claimed into another account from the link.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_guest', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guest_key', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('guest_key')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_guest')
