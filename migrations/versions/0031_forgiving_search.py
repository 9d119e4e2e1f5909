"""Search that reads how shoppers type: producers' old provinces, a vocabulary of indexed words for typos

- producers.old_province_code: the province before 1 July 2025 (Resolution 202/2025/QH15). Filled here for
  producers of the 11 provinces that did not merge (their old province is the new one); producers of a
  merged province choose theirs on their legal details page.
- PostgreSQL: the pg_trgm extension and search_words (every word of products.search_name/search_body,
  kept by triggers on products, with a trigram index), which catalog.spelling reads for typo corrections.
  A word is never removed when its last product goes: a stale word only proposes a correction that then
  finds nothing, which the search checks before showing it.
- ix_products_sold (sold_quantity, id): a broad search ("san") reads its matches best-selling first from it
  and stops after a page (catalog.search.tiered).
- SQLite: products_fts_vocab, an fts5vocab table over products_fts (the same words, kept by FTS5 itself).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03 08:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

#: Provinces that kept their territory on 1 July 2025: the new code -> the old code (the same numbers).
UNMERGED = (1, 4, 11, 12, 14, 20, 22, 38, 40, 42, 46)

PG_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE search_words (word varchar(40) PRIMARY KEY)",
    # The operator class is named with the extension's schema: the extension may already exist in another
    # schema than this database's first one (CREATE EXTENSION IF NOT EXISTS then does nothing).
    "CREATE INDEX search_words_trgm ON search_words USING gin (word {trgm_schema}.gin_trgm_ops)",
    """CREATE FUNCTION search_words_from_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_words (word)
  SELECT DISTINCT left(w, 40) FROM new_rows,
         unnest(string_to_array(new_rows.search_name || ' ' || new_rows.search_body, ' ')) AS w
  WHERE w <> ''
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$""",
    """CREATE FUNCTION search_words_from_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_words (word)
  SELECT DISTINCT left(w, 40) FROM unnest(string_to_array(NEW.search_name || ' ' || NEW.search_body, ' ')) AS w
  WHERE w <> ''
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER search_words_ai AFTER INSERT ON products REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_words_from_new_rows()",
    "CREATE TRIGGER search_words_au AFTER UPDATE OF search_name, search_body ON products FOR EACH ROW "
    "WHEN (OLD.search_name IS DISTINCT FROM NEW.search_name OR OLD.search_body IS DISTINCT FROM NEW.search_body) "
    "EXECUTE FUNCTION search_words_from_row()",
    "INSERT INTO search_words (word) SELECT DISTINCT left(w, 40) FROM products, "
    "unnest(string_to_array(search_name || ' ' || search_body, ' ')) AS w WHERE w <> '' ON CONFLICT DO NOTHING",
)
PG_DOWN = (
    "DROP TRIGGER IF EXISTS search_words_au ON products",
    "DROP TRIGGER IF EXISTS search_words_ai ON products",
    "DROP FUNCTION IF EXISTS search_words_from_row()",
    "DROP FUNCTION IF EXISTS search_words_from_new_rows()",
    "DROP TABLE IF EXISTS search_words",
)


def upgrade():
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('old_province_code', sa.SmallInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_producers_old_province_code'), ['old_province_code'], unique=False)
    op.create_index('ix_products_sold', 'products', ['sold_quantity', 'id'], unique=False)
    producers = sa.table('producers', sa.column('province_code', sa.Integer),
                         sa.column('old_province_code', sa.SmallInteger))
    op.execute(producers.update().where(producers.c.province_code.in_(UNMERGED))
               .values(old_province_code=producers.c.province_code))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_UP[0])
        trgm_schema = op.get_bind().execute(sa.text(
            "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'")).scalar_one()
        for statement in PG_UP[1:]:
            op.execute(statement.replace("{trgm_schema}", trgm_schema))
    else:
        op.execute("CREATE VIRTUAL TABLE products_fts_vocab USING fts5vocab(products_fts, 'row')")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for statement in PG_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP TABLE IF EXISTS products_fts_vocab")
    op.drop_index('ix_products_sold', table_name='products')
    with op.batch_alter_table('producers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_producers_old_province_code'))
        batch_op.drop_column('old_province_code')
