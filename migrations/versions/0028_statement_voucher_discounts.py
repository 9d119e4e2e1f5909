"""statement voucher discounts by who bears them

Each statement section keeps the voucher discounts (goods and shipping, net of refunds) on its sales by who
bears them, and its amount due takes them into account: subtracted where OCOP Market or a showroom collected
the discounted price and the producer bears them; on cash on delivery the discounts OCOP Market bears are
owed to the producer. The statement keeps the platform-borne total next to the producer-borne one
(discounts_vnd). Sections built before this had no discounts (0), so their amounts due still add up.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

OLD_DUE = ("(collected_by = 'producer' AND due_vnd = -commission_vnd)"
           " OR (collected_by <> 'producer' AND due_vnd = sales_vnd - refunds_vnd - commission_vnd)")
NEW_DUE = (
    "(collected_by = 'producer' AND due_vnd = platform_discounts_vnd - commission_vnd)"
    " OR (collected_by = 'marketplace'"
    " AND due_vnd = sales_vnd - refunds_vnd - commission_vnd - producer_discounts_vnd)"
    " OR (collected_by = 'showroom'"
    " AND due_vnd = sales_vnd - refunds_vnd - commission_vnd - producer_discounts_vnd - platform_discounts_vnd)"
)


def upgrade():
    with op.batch_alter_table('statement_sections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('producer_discounts_vnd', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('platform_discounts_vnd', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.drop_constraint(op.f('ck_statement_sections_due_adds_up'), type_='check')
        batch_op.create_check_constraint(op.f('ck_statement_sections_due_adds_up'), NEW_DUE)

    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platform_discounts_vnd', sa.BigInteger(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_column('platform_discounts_vnd')

    with op.batch_alter_table('statement_sections', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_statement_sections_due_adds_up'), type_='check')
        batch_op.create_check_constraint(op.f('ck_statement_sections_due_adds_up'), OLD_DUE)
        batch_op.drop_column('platform_discounts_vnd')
        batch_op.drop_column('producer_discounts_vnd')
