"""The stock screen of a listing: set or adjust the warehouse stock with a reason, and the low-stock alert."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.catalog.forms import StockForm, ThresholdForm
from marketplace.catalog.policies import may_manage_stock
from marketplace.catalog.views_manage.common import query_producer
from marketplace.catalog.views_manage.loaders import get_product
from marketplace.extensions import db
from marketplace.orders import queries as order_queries
from marketplace.stock import queries as stock_queries
from marketplace.stock import services as stock_services
from marketplace.stock.labels import reference_kind


@roles_required(Role.PRODUCER, Role.ADMIN)
def product_stock(product_id: int):
    """Set or adjust the warehouse stock with a reason; each change is listed with who made it."""
    product = get_product(product_id, may=may_manage_stock)
    form = StockForm(prefix="stock")
    threshold_form = ThresholdForm(prefix="alert")
    level = stock_queries.warehouse_level(product.id, product.producer_id)
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
    movements = stock_queries.recent_movements(level)
    ordered = {number for kind, number in map(reference_kind, (m.reference for m in movements)) if kind == "order"}
    return render_template("catalog/manage/product_stock.html", product=product, producer=product.producer, form=form,
                           threshold_form=threshold_form, level=level, movements=movements,
                           order_ids=order_queries.sub_order_ids_by_number(product.producer_id, ordered),
                           extra=query_producer(product.producer))
