"""Spreadsheets of a shop's listings: the empty template, the export and the all-or-nothing import."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.catalog import imports
from marketplace.catalog.forms import ImportForm
from marketplace.catalog.policies import may_manage_stock
from marketplace.catalog.views_manage.common import query_producer, read_upload, upload_page_status
from marketplace.catalog.views_manage.loaders import listing_producer
from marketplace.extensions import db


@roles_required(Role.PRODUCER, Role.ADMIN)
def import_template(fmt: str):
    """An empty import spreadsheet with the column headings and one example row."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    return imports.download(imports.template_rows(), fmt, "ocop-import-template")


@roles_required(Role.PRODUCER, Role.ADMIN)
def export(fmt: str):
    """The shop's whole catalogue as a spreadsheet (same columns as the import)."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    producer = listing_producer(may=may_manage_stock)
    return imports.download(imports.export_rows(producer), fmt, f"{producer.slug}-catalogue")


@roles_required(Role.PRODUCER, Role.ADMIN)
def import_products():
    """Import listings from XLSX or CSV: every row is checked, and nothing is imported if any row is wrong."""
    producer = listing_producer(may=may_manage_stock)
    form = ImportForm()
    row_errors: list[str] = []
    if form.validate_on_submit():
        upload = request.files.get("file")
        data = read_upload("file")
        try:
            if not data:
                raise imports.ImportRefused([_("Choose an XLSX or CSV file.")])
            rows = imports.read_rows(upload.filename, data)
            with db.session.begin_nested():
                result = imports.import_rows(producer, rows, actor=current_user)
        except imports.ImportRefused as error:
            row_errors = error.errors
        else:
            db.session.commit()
            flash(_("Imported: %(created)s new products, %(updated)s updated.", created=result.created,
                    updated=result.updated), "success")
            return redirect(url_for(".product_list", **query_producer(producer)))
    return render_template("catalog/manage/import.html", producer=producer, form=form, row_errors=row_errors,
                           columns=imports.COLUMNS, extra=query_producer(producer)), upload_page_status()
