"""Producers (and staff listing on their behalf) managing products, pictures, stock and certificates."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import can_manage_producer, roles_required
from marketplace.catalog import imports
from marketplace.catalog import services_manage as manage
from marketplace.catalog.forms import (
    CertificateForm,
    ImageForm,
    ImportForm,
    ProductForm,
    StockForm,
    ThresholdForm,
)
from marketplace.catalog.images import MAX_UPLOAD_BYTES, UploadRefused
from marketplace.catalog.models import Certificate, Product, ProductImage, ProductStatus
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.inputs import parse_int
from marketplace.producers.forms import ConfirmForm
from marketplace.producers.models import Producer
from marketplace.stock import services as stock_services
from marketplace.stock.models import Location, LocationKind, StockLevel, StockMovement
from marketplace.storage import get_storage

bp = Blueprint("catalog_manage", __name__)

LISTING_ROLES = (Role.PRODUCER, Role.ADMIN, Role.SHOWROOM_STAFF)


def may_edit_listing(user, producer_id: int) -> bool:
    """Members and admins manage a producer's listings; showroom staff may list on its behalf too."""
    if can_manage_producer(user, producer_id):
        return True
    return bool(user.is_authenticated and user.is_active and user.role == Role.SHOWROOM_STAFF)


def _acting_producer() -> Producer:
    """The producer whose listings are shown: the member's own, or ?producer=<id> for staff."""
    if current_user.role == Role.PRODUCER:
        return db.get_or_404(Producer, current_user.producer_id)
    producer_id = parse_int(request.values.get("producer"), minimum=1)
    if producer_id is None:
        abort(404)
    producer = db.get_or_404(Producer, producer_id)
    if not may_edit_listing(current_user, producer.id):
        abort(404)
    return producer


def _product(product_id: int) -> Product:
    """The product if the current user may manage it; 404 otherwise (no hint that it exists)."""
    product = db.session.get(Product, product_id)
    if product is None or not may_edit_listing(current_user, product.producer_id):
        abort(404)
    return product


def _owner_only(product: Product) -> None:
    """Stock and spreadsheets: members of the producer and admins only."""
    if not can_manage_producer(current_user, product.producer_id):
        abort(404)


def _read_upload(field_name: str) -> bytes:
    upload = request.files.get(field_name)
    if upload is None or not upload.filename:
        return b""
    # One byte over the limit is enough to refuse; never read more.
    return upload.stream.read(MAX_UPLOAD_BYTES + 1)


def _show_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            flash(message, "error")


def _upload_page_status() -> int:
    """The status of an upload page: shown again after a POST, the upload was refused (422); else 200."""
    return 422 if request.method == "POST" else 200


def _query_producer(producer: Producer) -> dict:
    """Extra URL arguments for staff working on a producer's behalf."""
    return {} if current_user.role == Role.PRODUCER else {"producer": producer.id}


@bp.get("/")
@roles_required(*LISTING_ROLES)
def product_list():
    """The shop's products with status, stars, stock and flags."""
    producer = _acting_producer()
    products = manage.producer_products(producer.id)
    ids = [p.id for p in products]
    stock = stock_services.available_online(ids)
    awaiting = {p.id for p in manage.awaiting_confirmation(producer.id)}
    return render_template("catalog/manage/product_list.html", producer=producer, products=products, stock=stock,
                           awaiting=awaiting, low=_low_stock_ids(ids), extra=_query_producer(producer),
                           is_member=not manage.is_assisting(current_user, producer.id),
                           may_use_spreadsheets=can_manage_producer(current_user, producer.id))


def _low_stock_ids(product_ids: list[int]) -> set[int]:
    if not product_ids:
        return set()
    rows = db.session.scalars(
        sa.select(StockLevel.product_id).join(StockLevel.location)
        .where(StockLevel.product_id.in_(product_ids), stock_services.low_stock_clause(),
               Location.kind == LocationKind.WAREHOUSE)
    )
    return set(rows)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*LISTING_ROLES)
def product_new():
    """Create a draft listing (on the producer's behalf when the user is staff)."""
    producer = _acting_producer()
    form = ProductForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            product = manage.create_product(producer, form.data, actor=current_user)
        except manage.InvalidProduct as error:
            _show_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("The product was saved as a draft. Add pictures and its OCOP certificate."), "success")
            return redirect(url_for(".product_edit", product_id=product.id))
    return render_template("catalog/manage/product_form.html", form=form, producer=producer, product=None,
                           assisting=manage.is_assisting(current_user, producer.id), extra=_query_producer(producer))


@bp.route("/<int:product_id>/edit", methods=["GET", "POST"])
@roles_required(*LISTING_ROLES)
def product_edit(product_id: int):
    """Edit every field of a listing; status buttons and the assisted-listing flag are shown here too."""
    product = _product(product_id)
    form = ProductForm(obj=None if request.method == "POST" else product)
    form.fill_choices()
    if request.method == "GET":
        form.price_vnd.data = str(product.price_vnd)
        form.set_code.data = product.set_code or ""
        form.barcode.data = product.barcode or ""
    if form.validate_on_submit():
        try:
            manage.update_product(product, form.data, actor=current_user)
        except manage.InvalidProduct as error:
            _show_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for(".product_edit", product_id=product.id))
    return _render_edit(product, form)


def _render_edit(product: Product, form):
    assistance = manage.assistance_for(product)
    return render_template(
        "catalog/manage/product_form.html", form=form, producer=product.producer, product=product,
        assistance=assistance, assisting=manage.is_assisting(current_user, product.producer_id),
        next_statuses=sorted(manage.PRODUCT_TRANSITIONS.get(product.status, ())), status_label=manage.status_label,
        action_form=ConfirmForm(), is_public=product.is_public(), extra=_query_producer(product.producer),
    )


@bp.post("/<int:product_id>/status")
@roles_required(*LISTING_ROLES)
def product_status(product_id: int):
    """Publish, archive or restore a listing."""
    product = _product(product_id)
    form = ConfirmForm()
    try:
        new = ProductStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    if form.validate_on_submit():
        try:
            manage.change_product_status(product, new, actor=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The product is now %(status)s.", status=manage.status_label(new)), "success")
            if new == ProductStatus.ACTIVE and not product.is_public():
                flash(_("It is not shown in the catalogue yet: it needs a verified, current OCOP certificate and "
                        "a verified shop."), "info")
    return redirect(url_for(".product_edit", product_id=product.id))


@bp.post("/<int:product_id>/confirm")
@roles_required(Role.PRODUCER)
def product_confirm(product_id: int):
    """The producer confirms a listing prepared on its behalf."""
    product = _product(product_id)
    if ConfirmForm().validate_on_submit():
        try:
            manage.confirm_assisted_listing(product, actor=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Thank you: the listing is confirmed. You can publish it now."), "success")
    return redirect(url_for(".product_edit", product_id=product.id))


# ---------------------------------------------------------------- images


@bp.route("/<int:product_id>/images", methods=["GET", "POST"])
@roles_required(*LISTING_ROLES)
def product_images(product_id: int):
    """Upload, reorder, choose the main picture and delete pictures."""
    product = _product(product_id)
    form = ImageForm()
    if form.validate_on_submit():
        data = _read_upload("image")
        try:
            if not data:
                raise UploadRefused(_("Choose a picture to upload."))
            with db.session.begin_nested():
                manage.add_product_image(product, data, alt=form.alt.data or "")
        except DomainError as error:
            form.image.errors = [error.message]
        else:
            db.session.commit()
            flash(_("Picture added."), "success")
            return redirect(url_for(".product_images", product_id=product.id))
    return render_template("catalog/manage/product_images.html", product=product, producer=product.producer,
                           form=form, action_form=ConfirmForm(), max_images=manage.MAX_IMAGES,
                           extra=_query_producer(product.producer)), _upload_page_status()


def _image(product: Product, image_id: int) -> ProductImage:
    image = db.session.get(ProductImage, image_id)
    if image is None or image.product_id != product.id:
        abort(404)
    return image


@bp.post("/<int:product_id>/images/<int:image_id>/<action>")
@roles_required(*LISTING_ROLES)
def product_image_action(product_id: int, image_id: int, action: str):
    """Move a picture up or down, make it the main picture, or delete it."""
    product = _product(product_id)
    image = _image(product, image_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    deleted: list[str] = []
    if action == "up":
        manage.move_product_image(image, -1)
    elif action == "down":
        manage.move_product_image(image, 1)
    elif action == "main":
        manage.make_main_image(image)
    elif action == "delete":
        deleted = manage.delete_product_image(image)
    else:
        abort(404)
    db.session.commit()
    manage.delete_stored(deleted)
    flash(_("Picture deleted.") if deleted else _("Order of pictures saved."), "success")
    return redirect(url_for(".product_images", product_id=product.id))


# ---------------------------------------------------------------- stock


def _warehouse_level(product: Product) -> StockLevel | None:
    return db.session.scalars(
        sa.select(StockLevel).join(StockLevel.location)
        .where(StockLevel.product_id == product.id, Location.kind == LocationKind.WAREHOUSE,
               Location.producer_id == product.producer_id)
    ).first()


@bp.route("/<int:product_id>/stock", methods=["GET", "POST"])
@roles_required(Role.PRODUCER, Role.ADMIN)
def product_stock(product_id: int):
    """Set or adjust the warehouse stock with a reason; each change is listed with who made it."""
    product = _product(product_id)
    _owner_only(product)
    form = StockForm(prefix="stock")
    threshold_form = ThresholdForm(prefix="alert")
    level = _warehouse_level(product)
    if request.method == "GET" and level is not None:
        threshold_form.low_stock_threshold.data = level.low_stock_threshold
    if request.method == "POST" and request.form.get("form") == "stock":
        if form.validate_on_submit():
            location = stock_services.warehouse_for(product.producer)
            level = stock_services.level_for(product.id, location.id)
            try:
                with db.session.begin_nested():
                    if form.mode.data == "count":
                        stock_services.set_counted(level, form.quantity.data, reason=form.reason.data,
                                                   actor_id=current_user.id)
                    else:
                        stock_services.adjust(level, form.quantity.data, reason=form.reason.data,
                                              actor_id=current_user.id)
            except stock_services.OutOfStock as error:
                form.quantity.errors = [_("Only %(n)s units are in stock; the stock cannot go below zero.",
                                          n=error.shortages.get(product.id, 0))]
            except stock_services.InvalidQuantity:
                form.quantity.errors = [_("Enter a whole number of units other than zero, and a reason.")]
            else:
                db.session.commit()
                flash(_("Stock updated: %(n)s units.", n=level.quantity), "success")
                return redirect(url_for(".product_stock", product_id=product.id))
    elif request.form.get("form") == "alert" and threshold_form.validate_on_submit():
        location = stock_services.warehouse_for(product.producer)
        level = stock_services.level_for(product.id, location.id)
        level.low_stock_threshold = threshold_form.low_stock_threshold.data
        db.session.commit()
        flash(_("Low-stock alert saved."), "success")
        return redirect(url_for(".product_stock", product_id=product.id))
    movements = []
    if level is not None:
        movements = list(db.session.scalars(
            sa.select(StockMovement).where(StockMovement.stock_level_id == level.id)
            .order_by(StockMovement.created_at.desc(), StockMovement.id.desc()).limit(50)
        ))
    return render_template("catalog/manage/product_stock.html", product=product, producer=product.producer, form=form,
                           threshold_form=threshold_form, level=level, movements=movements,
                           extra=_query_producer(product.producer))


# ---------------------------------------------------------------- certificates


@bp.route("/<int:product_id>/certificates", methods=["GET", "POST"])
@roles_required(*LISTING_ROLES)
def product_certificates(product_id: int):
    """The product's certificates, and a form to submit a new one with its scan."""
    product = _product(product_id)
    form = CertificateForm()
    if form.validate_on_submit():
        data = _read_upload("scan")
        raw = dict(form.data)
        try:
            details = manage.clean_certificate_fields(raw)
            with db.session.begin_nested():
                manage.submit_certificate(product, details, data)
        except manage.InvalidCertificate as error:
            _show_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("Certificate submitted. The program office will check it against the scan."), "success")
            return redirect(url_for(".product_certificates", product_id=product.id))
    return render_template("catalog/manage/product_certificates.html", product=product, producer=product.producer,
                           form=form, certificates=manage.product_certificates(product.id),
                           status_label=manage.certificate_status_label,
                           extra=_query_producer(product.producer)), _upload_page_status()


@bp.get("/<int:product_id>/certificates/<int:certificate_id>/scan")
@roles_required(*LISTING_ROLES)
def certificate_scan(product_id: int, certificate_id: int):
    """The stored scan, for the producer to check what was sent."""
    product = _product(product_id)
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.product_id != product.id or not certificate.scan_key:
        abort(404)
    return send_scan(certificate)


def send_scan(certificate: Certificate):
    """Send a certificate scan as a download that browsers will not run (also used by the admin screens)."""
    try:
        data = get_storage().open(certificate.scan_key)
    except FileNotFoundError:
        abort(404)
    is_pdf = certificate.scan_key.endswith(".pdf")
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf" if is_pdf else "image/webp"
    response.headers["Content-Disposition"] = (
        f'inline; filename="certificate-{certificate.id}.{"pdf" if is_pdf else "webp"}"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- spreadsheets


@bp.get("/template.<fmt>")
@roles_required(Role.PRODUCER, Role.ADMIN)
def import_template(fmt: str):
    """An empty import spreadsheet with the column headings and one example row."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    return imports.download(imports.template_rows(), fmt, "ocop-import-template")


@bp.get("/export.<fmt>")
@roles_required(Role.PRODUCER, Role.ADMIN)
def export(fmt: str):
    """The shop's whole catalogue as a spreadsheet (same columns as the import)."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    producer = _acting_producer()
    if not can_manage_producer(current_user, producer.id):
        abort(404)
    return imports.download(imports.export_rows(producer), fmt, f"{producer.slug}-catalogue")


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.PRODUCER, Role.ADMIN)
def import_products():
    """Import listings from XLSX or CSV: every row is checked, and nothing is imported if any row is wrong."""
    producer = _acting_producer()
    if not can_manage_producer(current_user, producer.id):
        abort(404)
    form = ImportForm()
    row_errors: list[str] = []
    if form.validate_on_submit():
        upload = request.files.get("file")
        data = _read_upload("file")
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
            return redirect(url_for(".product_list", **_query_producer(producer)))
    return render_template("catalog/manage/import.html", producer=producer, form=form, row_errors=row_errors,
                           columns=imports.COLUMNS, extra=_query_producer(producer)), _upload_page_status()
