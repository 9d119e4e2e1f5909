"""The producer's province on products, for searches that name a province

products.province_code and products.old_province_code copy the producer's (producers.province_code,
producers.old_province_code), with indexes (province_code, sold_quantity, id) and (old_province_code,
sold_quantity, id): "mat ong tuyen quang" reads Tuyên Quang's products best-selling first and tests the
words on each, instead of gathering every word starting with "mat", "ong", "tuyen", "quang" in the
full-text index. Triggers keep the copy in step on both databases, whatever writes the rows (the app,
an import, a bulk load): a product takes its producer's provinces when it is inserted or moved to another
producer, and a producer's change of province or old province is copied to its products.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-03 15:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

FILL = ("UPDATE products SET province_code = (SELECT province_code FROM producers WHERE producers.id = "
        "products.producer_id), old_province_code = (SELECT old_province_code FROM producers WHERE "
        "producers.id = products.producer_id)")

PG_UP = (
    """CREATE FUNCTION products_province_from_producer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT province_code, old_province_code INTO NEW.province_code, NEW.old_province_code
  FROM producers WHERE id = NEW.producer_id;
  RETURN NEW;
END $$""",
    """CREATE FUNCTION products_province_follow_producer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE products SET province_code = NEW.province_code, old_province_code = NEW.old_province_code
  WHERE producer_id = NEW.id;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER products_province_bi BEFORE INSERT ON products FOR EACH ROW "
    "EXECUTE FUNCTION products_province_from_producer()",
    "CREATE TRIGGER products_province_bu BEFORE UPDATE OF producer_id, province_code, old_province_code ON products "
    "FOR EACH ROW EXECUTE FUNCTION products_province_from_producer()",
    "CREATE TRIGGER producers_province_au AFTER UPDATE OF province_code, old_province_code ON producers FOR EACH ROW "
    "WHEN (OLD.province_code IS DISTINCT FROM NEW.province_code "
    "OR OLD.old_province_code IS DISTINCT FROM NEW.old_province_code) "
    "EXECUTE FUNCTION products_province_follow_producer()",
)
PG_DOWN = (
    "DROP TRIGGER IF EXISTS producers_province_au ON producers",
    "DROP TRIGGER IF EXISTS products_province_bu ON products",
    "DROP TRIGGER IF EXISTS products_province_bi ON products",
    "DROP FUNCTION IF EXISTS products_province_follow_producer()",
    "DROP FUNCTION IF EXISTS products_province_from_producer()",
)

SQLITE_UP = (
    "CREATE TRIGGER products_province_ai AFTER INSERT ON products BEGIN "
    "UPDATE products SET province_code = (SELECT province_code FROM producers WHERE id = NEW.producer_id), "
    "old_province_code = (SELECT old_province_code FROM producers WHERE id = NEW.producer_id) WHERE id = NEW.id; END",
    # Also when something else writes the copy: it always equals the producer's.
    "CREATE TRIGGER products_province_au AFTER UPDATE OF producer_id, province_code, old_province_code ON products "
    "WHEN NEW.province_code IS NOT (SELECT province_code FROM producers WHERE id = NEW.producer_id) "
    "OR NEW.old_province_code IS NOT (SELECT old_province_code FROM producers WHERE id = NEW.producer_id) "
    "BEGIN UPDATE products SET province_code = (SELECT province_code FROM producers WHERE id = NEW.producer_id), "
    "old_province_code = (SELECT old_province_code FROM producers WHERE id = NEW.producer_id) WHERE id = NEW.id; END",
    "CREATE TRIGGER producers_province_au AFTER UPDATE OF province_code, old_province_code ON producers "
    "WHEN OLD.province_code IS NOT NEW.province_code OR OLD.old_province_code IS NOT NEW.old_province_code BEGIN "
    "UPDATE products SET province_code = NEW.province_code, old_province_code = NEW.old_province_code "
    "WHERE producer_id = NEW.id; END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS producers_province_au",
    "DROP TRIGGER IF EXISTS products_province_au",
    "DROP TRIGGER IF EXISTS products_province_ai",
)


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province_code', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('old_province_code', sa.SmallInteger(), nullable=True))
    op.execute(FILL)
    op.create_index('ix_products_province_sold', 'products', ['province_code', 'sold_quantity', 'id'], unique=False)
    op.create_index('ix_products_old_province_sold', 'products', ['old_province_code', 'sold_quantity', 'id'],
                    unique=False)
    for statement in PG_UP if op.get_bind().dialect.name == 'postgresql' else SQLITE_UP:
        op.execute(statement)
    if op.get_bind().dialect.name == 'postgresql':
        # Statistics for the new columns now, not at autovacuum's next pass: without them PostgreSQL guessed
        # 1,000 products per province and read a province's 5,910 products in full instead of walking them.
        op.execute("ANALYZE products")


def downgrade():
    for statement in PG_DOWN if op.get_bind().dialect.name == 'postgresql' else SQLITE_DOWN:
        op.execute(statement)
    op.drop_index('ix_products_old_province_sold', table_name='products')
    op.drop_index('ix_products_province_sold', table_name='products')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('old_province_code')
        batch_op.drop_column('province_code')
