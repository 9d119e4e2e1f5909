"""The point of sale of a showroom: the till page (static/js/pos.js does the basket and the offline queue), its
JSON endpoints (product lookup, posting a sale), the receipt, the day's sales with void and the e-invoice export.

The till needs JavaScript (the page says so in a <noscript>): it must keep selling with no network, which only a
script in the page can do, and a second, form-only till would be a second sale path to keep in step.
"""

from datetime import UTC, datetime, timedelta

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.dates import period_bounds, today_vn, utcnow
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, parse_int
from marketplace.payments import vietqr
from marketplace.showrooms import discards, einvoice_export, labels, sales, till_lookup
from marketplace.showrooms.forms import ButtonForm
from marketplace.showrooms.models import PaymentMethod, PosSale, Showroom
from marketplace.showrooms.views_manage.loaders import is_manager, staff_showroom

#: An offline sale may carry the time it was made if it is at most this old.
OFFLINE_WINDOW = timedelta(days=7)


def pos(showroom_id: int):
    showroom = staff_showroom(showroom_id)
    return render_template("showrooms/manage/pos.html", showroom=showroom, manager=is_manager(showroom),
                           form=ButtonForm(), methods=[(m.value, labels.payment_method_label(m)) for m in PaymentMethod],
                           max_quantity=sales.MAX_QUANTITY,
                           catalogue=[item.as_json() for item in till_lookup.held_items(showroom)])


def pos_lookup(showroom_id: int):
    """JSON: the products matching ?q= held here, or a 422 with a message (bad or unknown barcode)."""
    showroom = staff_showroom(showroom_id)
    try:
        items = till_lookup.find(showroom, request.args.get("q", ""))
    except till_lookup.BarcodeError as error:
        return jsonify(error=error.message, items=[]), 422
    return jsonify(items=[item.as_json() for item in items])


def _amount(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= sales.MAX_AMOUNT_VND else None
    if isinstance(value, str):
        return parse_int(value.strip() or "0", minimum=0, maximum=sales.MAX_AMOUNT_VND)
    return 0 if value is None else None


def _quantity(value) -> int | None:
    """Whole numbers only (JSON numbers or ASCII digit strings); anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return parse_int(value, minimum=-(2**62), maximum=2**62)
    return None


def _occurred_at(text) -> datetime | None:
    """The till's time of an offline sale (ISO 8601), kept when within the last week and not in the future."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    when, now = when.astimezone(UTC), utcnow()
    return when if now - OFFLINE_WINDOW <= when <= now + timedelta(minutes=5) else None


def _sale_json(showroom: Showroom, sale: PosSale) -> dict:
    body = {"id": sale.id, "number": sale.number, "client_id": sale.client_id, "total": sale.total_vnd,
            "change": sale.change_vnd, "method": str(sale.payment_method),
            "receipt_url": url_for(".pos_sale", showroom_id=showroom.id, sale_id=sale.id)}
    if sale.payment_method == PaymentMethod.BANK_TRANSFER:
        body["qr_svg"] = _qr_svg(sale)
    return body


def _qr_svg(sale: PosSale) -> str:
    bank = vietqr.bank_details()
    return vietqr.svg(vietqr.payload(bank_bin=bank["bank_bin"], account=bank["account"], amount_vnd=sale.total_vnd,
                                     purpose=sale.number), scale=4) if sale.total_vnd > 0 else ""


def pos_post_sale(showroom_id: int):
    """JSON in, JSON out (CSRF token in the X-CSRFToken header). 201 new sale, 200 the same client id again,
    409 stock gone (the till keeps it for the manager), 422 not a valid sale."""
    showroom = staff_showroom(showroom_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("lines"), list):
        return jsonify(error=_("This is not a sale.")), 422
    lines = []
    for raw in data["lines"][:sales.MAX_LINES + 1]:
        if not isinstance(raw, dict):
            return jsonify(error=_("This is not a sale.")), 422
        product_id, quantity = _quantity(raw.get("product_id")), _quantity(raw.get("quantity"))
        discount = _amount(raw.get("discount"))
        if product_id is None or not 1 <= product_id <= MAX_ID:
            return jsonify(error=_("This product is not sold in this showroom.")), 422
        if quantity is None:
            return jsonify(error=_("Enter a quantity from 1 to %(high)s.", high=sales.MAX_QUANTITY)), 422
        if discount is None:
            return jsonify(error=_("The discount is not an amount in đồng.")), 422
        lines.append(sales.LineInput(product_id, quantity, discount))
    discount, cash = _amount(data.get("discount")), _amount(data.get("cash_received"))
    if discount is None or cash is None:
        return jsonify(error=_("The discount is not an amount in đồng.") if discount is None
                       else _("The cash received must be at least the total.")), 422
    payment = sales.PaymentInput(str(data.get("method") or ""), discount_vnd=discount,
                                 cash_received_vnd=cash if data.get("cash_received") not in (None, "") else None,
                                 einvoice_number=str(data.get("einvoice_number") or "")[:60])
    client_id = str(data.get("client_id") or "")[:80]
    known = sales.find_sale(showroom, client_id) if client_id else None
    try:
        sale = known or sales.complete_sale(showroom, lines, payment, client_id, current_user,
                                            occurred_at=_occurred_at(data.get("occurred_at")))
    except sales.SaleConflict as error:
        return jsonify(error=error.message, conflict=True), 409
    except DomainError as error:
        return jsonify(error=error.message), 422
    body = _sale_json(showroom, sale)
    db.session.commit()
    return jsonify(sale=body), 200 if known else 201


def _sale_or_404(showroom: Showroom, sale_id: int) -> PosSale:
    sale = sales.get_sale(showroom, sale_id)
    if sale is None:
        abort(404)
    return sale


def pos_sale(showroom_id: int, sale_id: int):
    """The receipt (prints on 80 mm paper) and, on screen, the e-invoice number form and the VietQR code."""
    showroom = staff_showroom(showroom_id)
    sale = _sale_or_404(showroom, sale_id)
    form = ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The form expired. Please try again."), "error")
        else:
            try:
                sales.set_einvoice_number(sale, request.form.get("einvoice_number", ""))
            except DomainError as error:
                flash(error.message, "error")
            else:
                db.session.commit()
                flash(_("E-invoice number saved."), "success")
                return redirect(url_for(".pos_sale", showroom_id=showroom.id, sale_id=sale.id))
    qr = _qr_svg(sale) if sale.payment_method == PaymentMethod.BANK_TRANSFER else ""
    return render_template("showrooms/manage/pos_receipt.html", showroom=showroom, sale=sale, form=form, qr_svg=qr,
                           manager=is_manager(showroom))


def pos_void(showroom_id: int, sale_id: int):
    showroom = staff_showroom(showroom_id, manager=True)
    sale = _sale_or_404(showroom, sale_id)
    if not ButtonForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
    else:
        try:
            sales.void_sale(sale, current_user, request.form.get("reason", ""))
        except DomainError as error:
            flash(error.message, "error")
        else:
            number = sale.number
            db.session.commit()
            flash(_("Sale %(number)s was voided.", number=number), "success")
    return redirect(url_for(".pos_day", showroom_id=showroom.id))


def _day_sales(showroom: Showroom):
    day = today_vn()
    start, end = period_bounds(day, day)
    return day, sales.sales_between(showroom, start, end)


def pos_day(showroom_id: int):
    """Today's sales with totals by payment method; managers may void."""
    showroom = staff_showroom(showroom_id)
    day, rows = _day_sales(showroom)
    totals: dict[str, int] = {}
    for sale in rows:
        if sale.status == "completed":
            totals[sale.payment_method] = totals.get(sale.payment_method, 0) + sale.total_vnd
    return render_template("showrooms/manage/pos_day.html", showroom=showroom, day=day, sales=rows, totals=totals,
                           manager=is_manager(showroom), form=ButtonForm())


def pos_export(showroom_id: int, fmt: str):
    """Today's sale lines as CSV or XLSX for the e-invoice provider."""
    showroom = staff_showroom(showroom_id)
    day, rows = _day_sales(showroom)
    table = einvoice_export.rows(rows, labels.payment_method_label)
    name = f"pos-{showroom.id}-{day.isoformat()}"
    if fmt == "csv":
        body, mimetype = einvoice_export.to_csv(table), einvoice_export.CSV_MIMETYPE
    elif fmt == "xlsx":
        body, mimetype = einvoice_export.to_xlsx(table), einvoice_export.XLSX_MIMETYPE
    else:
        abort(404)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def pos_discarded(showroom_id: int):
    """GET: the offline sales managers discarded here (who, when, what, why). POST (JSON from the till, CSRF in
    the X-CSRFToken header): record a discard; 201 recorded, 200 the same id again, 422 refused."""
    showroom = staff_showroom(showroom_id, manager=True)
    if request.method == "GET":
        return render_template("showrooms/manage/pos_discarded.html", showroom=showroom, manager=True,
                               rows=discards.discarded_sales(showroom))
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("lines"), list):
        return jsonify(error=_("This is not a sale.")), 422
    lines = []
    for raw in data["lines"][:sales.MAX_LINES]:
        product_id = _quantity(raw.get("product_id")) if isinstance(raw, dict) else None
        quantity = _quantity(raw.get("quantity")) if isinstance(raw, dict) else None
        if product_id is None or not 1 <= product_id <= MAX_ID or quantity is None:
            return jsonify(error=_("This is not a sale.")), 422
        lines.append(discards.DiscardedLine(product_id, quantity))
    client_id = str(data.get("client_id") or "")[:80]
    known = discards.find_discarded(showroom, client_id) if client_id else None
    try:
        row = known or discards.discard_sale(
            showroom, client_id=client_id, lines=lines, method=str(data.get("method") or "")[:20] or None,
            total_vnd=_amount(data.get("total")) or 0, occurred_at=_occurred_at(data.get("occurred_at")),
            conflict=str(data.get("conflict") or "")[:500], reason=str(data.get("reason") or "")[:600],
            actor=current_user)
    except DomainError as error:
        db.session.rollback()
        return jsonify(error=error.message), 422
    body = {"id": row.id, "client_id": row.client_id}
    db.session.commit()
    return jsonify(discarded=body), 200 if known else 201
