"""Public catalogue: home, product list with facets, search, suggestions and product pages."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)
