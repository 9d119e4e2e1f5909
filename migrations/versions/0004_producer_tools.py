"""producer tools: member invitations, assisted listings, certificate expiry reminders

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-29 00:10:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'producer_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('accepted_user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['accepted_user_id'], ['users.id'],
                                name=op.f('fk_producer_invitations_accepted_user_id_users')),
        sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'],
                                name=op.f('fk_producer_invitations_invited_by_id_users')),
        sa.ForeignKeyConstraint(['producer_id'], ['producers.id'],
                                name=op.f('fk_producer_invitations_producer_id_producers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_producer_invitations')),
    )
    with op.batch_alter_table('producer_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_producer_invitations_producer_id'), ['producer_id'], unique=False)

    op.create_table(
        'assisted_listings',
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_edited_by_id', sa.Integer(), nullable=False),
        sa.Column('last_edited_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'],
                                name=op.f('fk_assisted_listings_confirmed_by_id_users')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_assisted_listings_created_by_id_users')),
        sa.ForeignKeyConstraint(['last_edited_by_id'], ['users.id'],
                                name=op.f('fk_assisted_listings_last_edited_by_id_users')),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], ondelete='CASCADE',
                                name=op.f('fk_assisted_listings_product_id_products')),
        sa.PrimaryKeyConstraint('product_id', name=op.f('pk_assisted_listings')),
    )

    op.create_table(
        'certificate_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('days_before', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'],
                                name=op.f('fk_certificate_reminders_certificate_id_certificates')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_reminders')),
        sa.UniqueConstraint('certificate_id', 'days_before',
                            name=op.f('uq_certificate_reminders_certificate_id_days_before')),
    )


def downgrade():
    op.drop_table('certificate_reminders')
    op.drop_table('assisted_listings')
    with op.batch_alter_table('producer_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_producer_invitations_producer_id'))
    op.drop_table('producer_invitations')
