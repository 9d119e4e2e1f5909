"""statements can be voided before payment: who, when and why, in statement_voids

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 02:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # A table of its own rather than columns on statements: on SQLite, adding a foreign-key column and
    # taking it away again would need a copy of statements, and dropping the old copy with foreign keys
    # on cascades into statement_entries. The status value 'void' needs no change (a plain string column).
    op.create_table(
        'statement_voids',
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.Column('released_entries', sa.Integer(), nullable=False),
        sa.Column('voided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('voided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['statement_id'], ['statements.id'],
                                name=op.f('fk_statement_voids_statement_id_statements')),
        sa.ForeignKeyConstraint(['voided_by_id'], ['users.id'], name=op.f('fk_statement_voids_voided_by_id_users')),
        sa.PrimaryKeyConstraint('statement_id', name=op.f('pk_statement_voids')),
    )


def downgrade():
    op.drop_table('statement_voids')
