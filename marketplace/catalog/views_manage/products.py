"""The listing screens proper: the shop's product list, new and edit forms, status changes, confirmation."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import can_manage_producer, roles_required
from marketplace.catalog import products as listings
from marketplace.catalog.forms import ProductForm
from marketplace.catalog.models import Product
from marketplace.catalog.policies import LISTING_ROLES
from marketplace.catalog.status import PRODUCT_TRANSITIONS, ProductStatus
from marketplace.catalog.views_manage.common import query_producer, show_errors
from marketplace.catalog.views_manage.loaders import get_product, listing_producer
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.producers.forms import ConfirmForm
from marketplace.stock import queries as stock_queries
from marketplace.stock import services as stock_services


@roles_required(*LISTING_ROLES)
def product_list():
    """The shop's products with status, stars, stock and flags."""
    producer = listing_producer()
    products = listings.producer_products(producer.id)
    ids = [p.id for p in products]
    stock = stock_services.available_online(ids)
    awaiting = {p.id for p in listings.awaiting_confirmation(producer.id)}
    return render_template("catalog/manage/product_list.html", producer=producer, products=products, stock=stock,
                           awaiting=awaiting, low=stock_queries.low_stock_product_ids(ids),
                           extra=query_producer(producer),
                           is_member=not listings.is_assisting(current_user, producer.id),
                           may_use_spreadsheets=can_manage_producer(current_user, producer.id))


@roles_required(*LISTING_ROLES)
def product_new():
    """Create a draft listing (on the producer's behalf when the user is staff)."""
    producer = listing_producer()
    form = ProductForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            product = listings.create_product(producer, form.data, actor=current_user)
        except listings.InvalidProduct as error:
            show_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("The product was saved as a draft. Add pictures and its OCOP certificate."), "success")
            return redirect(url_for(".product_edit", product_id=product.id))
    return render_template("catalog/manage/product_form.html", form=form, producer=producer, product=None,
                           assisting=listings.is_assisting(current_user, producer.id), extra=query_producer(producer))


@roles_required(*LISTING_ROLES)
def product_edit(product_id: int):
    """Edit every field of a listing; status buttons and the assisted-listing flag are shown here too."""
    product = get_product(product_id)
    form = ProductForm(obj=None if request.method == "POST" else product)
    form.fill_choices()
    if request.method == "GET":
        form.price_vnd.data = str(product.price_vnd)
        form.set_code.data = product.set_code or ""
        form.barcode.data = product.barcode or ""
    if form.validate_on_submit():
        try:
            listings.update_product(product, form.data, actor=current_user)
        except listings.InvalidProduct as error:
            show_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for(".product_edit", product_id=product.id))
    return _render_edit(product, form)


def _render_edit(product: Product, form):
    assistance = listings.assistance_for(product)
    return render_template(
        "catalog/manage/product_form.html", form=form, producer=product.producer, product=product,
        assistance=assistance, assisting=listings.is_assisting(current_user, product.producer_id),
        next_statuses=sorted(PRODUCT_TRANSITIONS.get(product.status, ())), status_label=listings.status_label,
        action_form=ConfirmForm(), is_public=product.is_public(), extra=query_producer(product.producer),
    )


@roles_required(*LISTING_ROLES)
def product_status(product_id: int):
    """Publish, archive or restore a listing."""
    product = get_product(product_id)
    form = ConfirmForm()
    try:
        new = ProductStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    if form.validate_on_submit():
        try:
            listings.change_product_status(product, new, actor=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The product is now %(status)s.", status=listings.status_label(new)), "success")
            if new == ProductStatus.ACTIVE and not product.is_public():
                flash(_("It is not shown in the catalogue yet: it needs a verified, current OCOP certificate and "
                        "a verified shop."), "info")
    return redirect(url_for(".product_edit", product_id=product.id))


@roles_required(Role.PRODUCER)
def product_confirm(product_id: int):
    """The producer confirms a listing prepared on its behalf."""
    product = get_product(product_id)
    if ConfirmForm().validate_on_submit():
        try:
            listings.confirm_assisted_listing(product, actor=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Thank you: the listing is confirmed. You can publish it now."), "success")
    return redirect(url_for(".product_edit", product_id=product.id))
