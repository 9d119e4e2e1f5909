"""Producers (and staff listing on their behalf) managing products, pictures, stock and certificates.

The blueprint and its URL table; the screens live in one module per group (products, images, stock,
certificates, spreadsheets), the object loaders in `loaders`, the policies in catalog.policies.
"""

from flask import Blueprint

from marketplace.catalog.views_manage import certificates, images, products, spreadsheets, stock

bp = Blueprint("catalog_manage", __name__)

_GET, _POST, _FORM = ["GET"], ["POST"], ["GET", "POST"]
for rule, view, methods in (
    ("/", products.product_list, _GET),
    ("/new", products.product_new, _FORM),
    ("/<int:product_id>/edit", products.product_edit, _FORM),
    ("/<int:product_id>/status", products.product_status, _POST),
    ("/<int:product_id>/confirm", products.product_confirm, _POST),
    ("/<int:product_id>/images", images.product_images, _FORM),
    ("/<int:product_id>/images/<int:image_id>/<action>", images.product_image_action, _POST),
    ("/<int:product_id>/stock", stock.product_stock, _FORM),
    ("/<int:product_id>/certificates", certificates.product_certificates, _FORM),
    ("/<int:product_id>/certificates/<int:certificate_id>/scan", certificates.certificate_scan, _GET),
    ("/template.<fmt>", spreadsheets.import_template, _GET),
    ("/export.<fmt>", spreadsheets.export, _GET),
    ("/import", spreadsheets.import_products, _FORM),
):
    bp.add_url_rule(rule, view_func=view, methods=methods)
