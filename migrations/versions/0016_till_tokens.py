"""till tokens: the tokens an existing till of a showroom posts sales with (/api/v1)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('till_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('showroom_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_till_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['showroom_id'], ['showrooms.id'], name=op.f('fk_till_tokens_showroom_id_showrooms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_till_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_till_tokens_token_hash'))
    )
    with op.batch_alter_table('till_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_till_tokens_showroom_id'), ['showroom_id'], unique=False)


def downgrade():
    with op.batch_alter_table('till_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_till_tokens_showroom_id'))
    op.drop_table('till_tokens')
