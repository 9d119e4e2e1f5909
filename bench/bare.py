"""The second yardstick: bare Flask pages over a flat table, the framework's own ceiling.

bench/yardstick.py applies the app's listing rule to the app's models; this one does not use anything
of ours. `bare_products` is one flat table (id, name, slug, price, group, created), copied once from
the synthetic catalogue's public products by `fill()`, with the two indexes any such app would have.
Two pages, each one query through Flask-SQLAlchemy and one cached Jinja template:

    /products?group=1.4&page=2   24 rows of a category, newest first, with page links
    /products/<slug>             one product

Served by bench/run.py with the same gunicorn settings as the app:

    DATABASE_URL=... gunicorn -w 2 --threads 1 bench.bare:app
"""

import os
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, abort, render_template, request
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PAGE_SIZE = 24

# The public products, in plain SQL, evaluated once when the table is filled (never per request).
PUBLIC_PRODUCTS_SQL = (
    "SELECT p.id, p.name, p.slug, p.price_vnd, p.group_code, p.created_at FROM products p "
    "JOIN producers pr ON pr.id = p.producer_id WHERE p.status = 'active' "
    "AND pr.verification_status = 'verified' AND p.star_level >= 3 AND p.certified_until >= CURRENT_DATE"
)

TEMPLATES = {
    "layout.html": """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title></head>
<body><header><a href="/products">Sản phẩm OCOP</a></header>
<main>{% block main %}{% endblock %}</main></body></html>""",
    "listing.html": """{% extends "layout.html" %}{% block title %}Sản phẩm{% endblock %}
{% block main %}<h1>Sản phẩm nhóm {{ group }}</h1>
<ul>{% for product in products %}
  <li><a href="{{ url_for('product', slug=product.slug) }}">{{ product.name }}</a>
      · {{ "{:,}".format(product.price).replace(",", ".") }} ₫</li>
{% endfor %}</ul>
<p>{% if page > 1 %}<a href="{{ url_for('listing', group=group, page=page - 1) }}">‹</a>{% endif %} Trang {{ page }}
<a href="{{ url_for('listing', group=group, page=page + 1) }}">›</a></p>{% endblock %}""",
    "product.html": """{% extends "layout.html" %}{% block title %}{{ product.name }}{% endblock %}
{% block main %}<h1>{{ product.name }}</h1>
<p>{{ "{:,}".format(product.price).replace(",", ".") }} ₫ · nhóm {{ product.group }}
· {{ product.created.strftime("%d/%m/%Y") }}</p>
<p><a href="{{ url_for('listing', group=product.group) }}">Cùng nhóm</a></p>{% endblock %}""",
}


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class BareProduct(db.Model):
    __tablename__ = "bare_products"
    __table_args__ = (sa.Index("ix_bare_products_group_created", "group", "created", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(160), unique=True)
    price: Mapped[int] = mapped_column(sa.BigInteger)
    group: Mapped[str] = mapped_column(sa.String(8))
    created: Mapped[datetime] = mapped_column(sa.DateTime)


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or "sqlite:///ocop.sqlite3"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def fill(url: str) -> int:
    """(Re)create bare_products in the database at `url` from its public products; the row count."""
    engine = sa.create_engine(url)
    try:
        Base.metadata.drop_all(engine)
        Base.metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(sa.text(
                'INSERT INTO bare_products (id, name, slug, price, "group", created) ' + PUBLIC_PRODUCTS_SQL))
            connection.execute(sa.text("ANALYZE bare_products"))
            return connection.execute(sa.text("SELECT count(*) FROM bare_products")).scalar_one()
    finally:
        engine.dispose()


def create_app() -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader(TEMPLATES)
    url = database_url()
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    db.init_app(app)

    @app.get("/products")
    def listing():
        group = request.args.get("group", "")
        page = max(1, min(request.args.get("page", 1, type=int) or 1, 1000))
        query = sa.select(BareProduct)
        if group:
            query = query.where(BareProduct.group == group)
        query = query.order_by(BareProduct.created.desc(), BareProduct.id.desc())
        rows = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        return render_template("listing.html", products=rows, group=group, page=page)

    @app.get("/products/<slug>")
    def product(slug: str):
        found = db.session.scalars(sa.select(BareProduct).where(BareProduct.slug == slug)).first()
        if found is None:
            abort(404)
        return render_template("product.html", product=found)

    return app


if __name__ == "__main__":
    # `python bench/bare.py` fills bare_products in DATABASE_URL (bench/run.py does this itself).
    print(f"bare_products: {fill(database_url())} rows")
else:
    app = create_app()
