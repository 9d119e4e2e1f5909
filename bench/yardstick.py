"""The benchmark's yardstick: the smallest honest Flask page over the same catalogue.

It renders 24 public products (same models, same listing rule) filtered by group, newest first, with
page numbers, from one inline template. Nothing else: no facets, no translations, no sessions.
Served by bench/run.py with the same gunicorn settings as the app:

    DATABASE_URL=... gunicorn -w 2 --threads 1 bench.yardstick:app
"""

import os
import sys
from pathlib import Path

from flask import Flask, render_template_string, request
from sqlalchemy.orm import contains_eager

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import normalise_database_url  # noqa: E402
from marketplace import import_models  # noqa: E402
from marketplace.catalog.listing import public_products  # noqa: E402
from marketplace.catalog.models import Product  # noqa: E402
from marketplace.extensions import db  # noqa: E402

PAGE_SIZE = 24

TEMPLATE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Yardstick</title></head>
<body><h1>Sản phẩm OCOP</h1>
<ul>
{% for product in products %}
  <li><a href="/products/{{ product.slug }}">{{ product.name }}</a> · {{ product.producer.name }}
      · {{ product.star_level }} sao · {{ "{:,}".format(product.price_vnd).replace(",", ".") }} ₫ · {{ product.unit }}</li>
{% endfor %}
</ul>
<p>{% if page > 1 %}<a href="?group={{ group }}&page={{ page - 1 }}">‹</a>{% endif %} Trang {{ page }}
<a href="?group={{ group }}&page={{ page + 1 }}">›</a></p>
</body></html>"""


def create_app() -> Flask:
    app = Flask(__name__)
    url = normalise_database_url(os.environ.get("DATABASE_URL") or "sqlite:///ocop.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    db.init_app(app)
    import_models()

    @app.get("/")
    def products():
        group = request.args.get("group", "")
        page = request.args.get("page", 1, type=int) or 1
        page = max(1, min(page, 1000))
        query = public_products().options(contains_eager(Product.producer))
        if group:
            query = query.where(Product.group_code == group)
        query = query.order_by(Product.created_at.desc(), Product.id.desc()).limit(PAGE_SIZE)
        rows = db.session.scalars(query.offset((page - 1) * PAGE_SIZE)).unique().all()
        return render_template_string(TEMPLATE, products=rows, group=group, page=page)

    return app


app = create_app()
