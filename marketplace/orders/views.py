"""Cart, checkout and the buyer's orders (a composition layer: placing an order is orders.checkout, paying
and cancelling with a refund are payments actions)."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, user_logged_in
from wtforms import SelectChoice

from marketplace import geo
from marketplace.accounts.policies import login_required, safe_next
from marketplace.catalog.models import Product
from marketplace.errors import DomainError
from marketplace.extensions import db, limiter
from marketplace.i18n import current_language
from marketplace.inputs import MAX_ID, parse_int
from marketplace.money import format_vnd as money_text
from marketplace.orders import cart as carts
from marketplace.orders import checkout as checkouts
from marketplace.orders import guest_links, guests, lifecycle
from marketplace.orders.addresses import InvalidAddress, saved_addresses
from marketplace.orders.forms import CancelOrderForm, CheckoutForm, GuestCheckoutForm
from marketplace.orders.labels import PAYMENT_LABELS, status_label
from marketplace.orders.models import Address, PaymentMethod
from marketplace.orders.pickups import pickup_places
from marketplace.orders.queries import order_for_buyer, orders_for_buyer
from marketplace.orders.status import CANCELLABLE, TERMINAL
from marketplace.orders.timeline import timeline
from marketplace.payments import providers
from marketplace.payments import vietqr as qr_codes
from marketplace.payments.fulfilment import awaits_payment
from marketplace.payments.records import PaymentRefused
from marketplace.payments.refunds import cancel_order_by_buyer
from marketplace.payments.stripe_gateway import GatewayError
from marketplace.statemachine import InvalidTransition
from marketplace.stock.services import OutOfStock
from marketplace.vouchers.rules import CODE_MAX_LENGTH, VoucherRefused

bp = Blueprint("orders", __name__)
#: Where a buyer follows an order (e-mails): its signed link for a guest order, else the account's order page.
bp.add_app_template_global(guest_links.order_url, "order_url")

CART_KEY = "cart"
#: The e-wallet methods, explained at checkout when offered.
WALLETS = ("vnpay", "momo")
#: The voucher code the visitor applied to the cart (checked again on every page and at checkout).
VOUCHER_KEY = "voucher"


def _config_limit(name: str, default: str):
    return lambda: current_app.config.get(name, default)


#: Orders placed without an account, from one address (each makes a reservation of stock and e-mails).
limit_guest_checkout = limiter.limit(_config_limit("GUEST_CHECKOUT_RATE_LIMIT", "10/hour"),
                                     key_func=get_remote_address, methods=["POST"])
#: Guest order links opened or used from one address (a token cannot be guessed; this keeps trying slow).
limit_guest_links = limiter.limit(_config_limit("GUEST_LINK_RATE_LIMIT", "60/minute"), key_func=get_remote_address)


def _cart_args() -> dict:
    """Where this visitor's cart lives: the user's row, or the session for guests."""
    if current_user.is_authenticated:
        return {"user": current_user}
    guest = session.get(CART_KEY)
    if not isinstance(guest, dict):
        guest = {}
    return {"guest_cart": guest}


def _save_guest(args: dict) -> None:
    if "guest_cart" in args:
        session[CART_KEY] = args["guest_cart"]
        session.modified = True


@user_logged_in.connect
def merge_cart_on_login(app, user, **extra):
    """A guest who logs in keeps what they put in the cart."""
    guest = session.get(CART_KEY)
    if not isinstance(guest, dict) or not guest:
        return
    notes = carts.merge_guest_cart(user, dict(guest))
    session.pop(CART_KEY, None)
    db.session.commit()
    for note in notes:
        flash(note, "info")


def cart_count() -> int:
    """Units in the visitor's cart, for the header."""
    try:
        if current_user.is_authenticated:
            return carts.units_in_cart(current_user)
        guest = session.get(CART_KEY)
        return sum(int(q) for q in guest.values()) if isinstance(guest, dict) else 0
    except (TypeError, ValueError):
        return 0


@bp.app_context_processor
def inject_cart_count():
    return {"cart_count": cart_count}


def _voucher_code() -> str | None:
    code = session.get(VOUCHER_KEY)
    return code if isinstance(code, str) and code else None


def _render_cart(errors: dict | None = None, typed: dict | None = None, status: int = 200, *,
                 voucher_typed: str | None = None, voucher_error: str | None = None,
                 template: str = "orders/cart.html"):
    args = _cart_args()
    summary = carts.load_cart(**args, voucher_code=_voucher_code())
    if voucher_error is None and summary.voucher_refusal is not None:
        voucher_error = summary.voucher_refusal.message
    page = render_template(template, cart=summary, errors=errors or {}, typed=typed or {},
                           max_quantity=carts.MAX_LINE_QUANTITY, voucher_error=voucher_error,
                           voucher_typed=summary.voucher_code if voucher_typed is None else voucher_typed)
    if "user" in args and any(item.price_changed for item in summary.items):
        carts.acknowledge_prices(current_user)
        db.session.commit()
    return page, status


def _wants_json() -> bool:
    """The cart's script asks for JSON (Accept: application/json); a plain form post gets HTML."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


@bp.get("/cart")
def cart():
    """The cart grouped by shop, with shipping and totals from the database."""
    return _render_cart()


@bp.post("/cart/add")
def cart_add():
    """Add a product (quantity from the form; any price sent along is ignored)."""
    args = _cart_args()
    product_id = request.form.get("product_id", "")
    quantity = request.form.get("quantity", "1")
    try:
        product = carts.add_to_cart(product_id, quantity, **args)
    except carts.CartError as error:
        db.session.rollback()
        known_id = parse_int(product_id, minimum=1, maximum=MAX_ID)
        product = db.session.get(Product, known_id) if known_id else None
        return render_template("orders/add_to_cart_error.html", product=product, error=error.message,
                               quantity=quantity[:12]), 400
    _save_guest(args)
    db.session.commit()
    flash(_("%(name)s was added to your cart.", name=product.name), "success")
    return redirect(safe_next(request.form.get("next"), url_for("orders.cart")))


def _stepped_quantity(product_id: str, quantity: str, step: str, args: dict) -> str:
    """The quantity a stepper button asks for: the number shown (or the line's, if that is not a number) plus
    or minus one."""
    shown = parse_int(quantity.strip(), minimum=0, maximum=carts.MAX_LINE_QUANTITY + 1)
    if shown is None:
        known = parse_int(product_id, minimum=1, maximum=MAX_ID)
        shown = carts.current_quantity(known, **args) if known else 0
    return str(shown + int(step))


@bp.post("/cart/update")
def cart_update():
    """Change a line's quantity: the number typed, or one more or one less (the stepper's − and + buttons).

    A form post is answered with a redirect to the cart; the cart's script asks for JSON and gets the cart
    re-rendered (lines, totals, messages) to put in place, with 400 and the reason when the change is refused.
    """
    args = _cart_args()
    product_id = request.form.get("product_id", "")
    quantity = request.form.get("quantity", "")[:12]
    step = request.form.get("step", "")
    if step in ("1", "-1"):
        quantity = _stepped_quantity(product_id, quantity, step, args)
    key = str(product_id)[:12]
    try:
        product = carts.set_quantity(product_id, quantity, **args)
    except carts.CartError as error:
        db.session.rollback()
        if _wants_json():
            html, _status = _render_cart(errors={key: error.message}, typed={key: quantity},
                                         template="orders/_cart_body.html")
            return jsonify(ok=False, error=error.message, html=html, count=cart_count()), 400
        return _render_cart(errors={key: error.message}, typed={key: quantity}, status=400)
    _save_guest(args)
    db.session.commit()
    if _wants_json():
        html, _status = _render_cart(template="orders/_cart_body.html")
        return jsonify(ok=True, html=html, count=cart_count(),
                       message=_("%(name)s: quantity %(count)s.", name=product.name, count=int(quantity)))
    flash(_("Your cart was updated."), "success")
    return redirect(url_for("orders.cart"))


@bp.post("/cart/remove")
def cart_remove():
    """Remove a line."""
    args = _cart_args()
    try:
        carts.remove_from_cart(request.form.get("product_id", ""), **args)
    except carts.CartError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("orders.cart"))
    _save_guest(args)
    db.session.commit()
    flash(_("The item was removed from your cart."), "success")
    return redirect(url_for("orders.cart"))


@bp.post("/cart/voucher")
def cart_voucher():
    """Apply a voucher code to the cart; a refused code re-shows the cart with the reason and what was typed."""
    typed = request.form.get("code", "")[:CODE_MAX_LENGTH + 8]
    args = _cart_args()
    summary = carts.load_cart(**args)
    if summary.is_empty:
        flash(_("Your cart is empty."), "info")
        return redirect(url_for("orders.cart"))
    carts.apply_voucher(summary, typed, user=args.get("user"))
    if summary.voucher is None:
        return _render_cart(status=400, voucher_typed=typed, voucher_error=summary.voucher_refusal.message)
    session[VOUCHER_KEY] = summary.voucher.code
    flash(_("The voucher %(code)s was applied: %(amount)s off.", code=summary.voucher.code,
            amount=money_text(summary.totals.all_discounts_vnd)), "success")
    return redirect(url_for("orders.cart"))


@bp.post("/cart/voucher/remove")
def cart_voucher_remove():
    """Take the voucher off the cart."""
    if session.pop(VOUCHER_KEY, None):
        flash(_("The voucher was removed from your cart."), "success")
    return redirect(url_for("orders.cart"))


def _fill_choices(form: CheckoutForm, addresses: list[Address], *, guest: bool = False) -> None:
    form.address_choice.choices = [SelectChoice(str(a.id), f"{a.full_name}, {a.phone}, {a.street}, "
                                               f"{geo.province_name(a.province_code)}") for a in addresses]
    form.address_choice.choices.append(SelectChoice("new", _("Use another address")))
    form.province_code.choices = [SelectChoice("", _("Choose a province"))] + [
        SelectChoice(str(p.code), p.name) for p in geo.provinces()]
    province_code = parse_int(form.province_code.data, minimum=0) or 0
    form.ward_code.choices = [SelectChoice("", _("Choose a commune"))] + [
        SelectChoice(str(w.code), w.name) for w in geo.wards(province_code)]
    form.payment_method.choices = [SelectChoice(m.value, PAYMENT_LABELS[m]) for m in _payment_methods(guest=guest)]


def _payment_methods(*, guest: bool = False) -> list[PaymentMethod]:
    """The methods offered, cash on delivery first (what most shoppers choose); e-wallets only when their
    credentials are configured (payments.providers), and for a guest only those guests may use."""
    methods = providers.available_methods(PaymentMethod)
    if guest:
        methods = [m for m in methods if m in guests.GUEST_PAYMENT_METHODS]
    return sorted(methods, key=lambda m: m != PaymentMethod.COD)


def _render_checkout(form: CheckoutForm, summary, addresses, status: int = 200, pickup_errors: dict | None = None,
                     *, guest: bool = False):
    return render_template("orders/checkout.html", form=form, cart=summary, addresses=addresses,
                           payment_labels=PAYMENT_LABELS, guest=guest,
                           wallets=[m for m in _payment_methods(guest=guest) if m.value in WALLETS],
                           pickup_offers=checkouts.pickup_offers(summary), pickup_errors=pickup_errors or {}), status


def _pickup_choices(summary) -> dict[int, int | None]:
    """{producer id: showroom id} from the form's pickup_<producer id> fields ("" is delivery; anything that is
    not an id becomes 0, which no showroom has, so the buyer is told to choose again)."""
    choices = {}
    for group in summary.groups:
        raw = request.form.get(f"pickup_{group.producer.id}", "").strip()
        if raw:
            choices[group.producer.id] = parse_int(raw, minimum=1, maximum=MAX_ID) or 0
    return choices


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():
    """Delivery address and payment method; one submit places one order (the hidden token sees to it)."""
    addresses = saved_addresses(current_user)
    form = CheckoutForm()
    if request.method == "GET":
        form.token.data = checkouts.new_checkout_token()
        if addresses:
            form.address_choice.data = str(addresses[0].id)
    _fill_choices(form, addresses)
    summary = carts.load_cart(user=current_user, voucher_code=_voucher_code())
    if request.method == "GET":
        if summary.is_empty:
            flash(_("Your cart is empty."), "info")
            return redirect(url_for("orders.cart"))
        form.cart_signature.data = summary.signature
        return _render_checkout(form, summary, addresses)
    token = (form.token.data or "")[:64]
    existing = checkouts.order_by_token(token) if token else None
    if existing is not None and existing.buyer_id == current_user.id:
        return redirect(url_for("orders.order_detail", number=existing.number))
    if request.form.get("refresh_wards"):
        # Without JavaScript: the buyer picked a province and asks for its communes.
        return _render_checkout(form, summary, addresses)
    address_fields = _address_from_form(form, addresses)
    if address_fields is None:
        return _render_checkout(form, summary, addresses, 400)
    if (form.payment_method.data in {m.value for m in PaymentMethod}
            and form.payment_method.data not in {choice.value for choice in form.payment_method.choices}):
        form.payment_method.errors = [_("This payment method is not available. Please choose another one.")]
        return _render_checkout(form, summary, addresses, 400)
    try:
        order, created = checkouts.place_order(
            current_user, address=address_fields, payment_method=form.payment_method.data, token=token,
            cart_signature=form.cart_signature.data or None,
            save=form.address_choice.data == "new" and bool(form.save_address.data),
            pickups=_pickup_choices(summary), voucher_code=_voucher_code())
    except DomainError as error:
        return _checkout_refused(error, form, summary, addresses, cart_owner={"user": current_user},
                                 retry_url=url_for("orders.checkout"))
    db.session.commit()
    session.pop(VOUCHER_KEY, None)
    if not created:
        return redirect(url_for("orders.order_detail", number=order.number))
    if order.payment_method == PaymentMethod.COD:
        flash(_("Thank you! Your order %(number)s is placed; you pay in cash on delivery.", number=order.number),
              "success")
        return redirect(url_for("orders.order_detail", number=order.number))
    # Payment starts after the commit above: no lock is held while the provider is called.
    try:
        target = providers.get(order.payment_method.value).start(order)
    except PaymentRefused as error:
        db.session.commit()  # keep the failed attempt: its idempotency key must not be reused
        flash(error.message, "error")
        return redirect(url_for("orders.order_pay", number=order.number))
    except GatewayError:
        db.session.rollback()
        flash(_("The card payment could not be started. Please try again in a moment."), "error")
        return redirect(url_for("orders.order_pay", number=order.number))
    db.session.commit()
    return redirect(target)


def _checkout_refused(error: DomainError, form: CheckoutForm, summary, addresses: list[Address], *,
                      cart_owner: dict, retry_url: str, guest: bool = False):
    """What the buyer sees when the checkout was refused (the signed-in and the guest checkout alike); nothing
    was kept. A showroom that cannot hold the part, a bad address or payment method: the form again with the
    messages (400). Stock gone, a cart to look at again, a voucher refused: the cart with a message. The cart
    changed since the page was shown: the form again with the new cart (409). Anything else: a message and
    `retry_url`. `cart_owner` names whose cart to read again ({"user": ...} or {"guest_cart": ...})."""
    db.session.rollback()
    if isinstance(error, checkouts.InvalidPickup):
        return _render_checkout(form, summary, addresses, 400, pickup_errors=error.details["fields"], guest=guest)
    if isinstance(error, (InvalidAddress, checkouts.InvalidPaymentMethod)):
        for name, message in error.details["fields"].items():
            getattr(form, name).errors = [message]
        return _render_checkout(form, summary, addresses, 400, guest=guest)
    if isinstance(error, OutOfStock):
        flash(_("Not enough stock for: %(items)s. Your cart shows what is left; nothing was ordered.",
                items=_shortage_names(error.shortages)), "error")
        return redirect(url_for("orders.cart"))
    if isinstance(error, (checkouts.CartNeedsAttention, checkouts.EmptyCart, VoucherRefused)):
        flash(error.message, "error")
        return redirect(url_for("orders.cart"))
    if isinstance(error, checkouts.CartChanged):
        flash(error.message, "error")
        summary = carts.load_cart(**cart_owner, voucher_code=_voucher_code())
        form.cart_signature.data = summary.signature
        return _render_checkout(form, summary, addresses, 409, guest=guest)
    flash(error.message, "error")
    return redirect(retry_url)


def _address_from_form(form: CheckoutForm, addresses: list[Address]):
    choice = form.address_choice.data or "new"
    if choice == "new":
        return {name: getattr(form, name).data for name in checkouts.ADDRESS_FIELDS}
    chosen = next((a for a in addresses if str(a.id) == choice), None)
    if chosen is None:
        form.address_choice.errors = [_("Please choose one of your addresses or enter a new one.")]
        return None
    return {name: getattr(chosen, name) for name in checkouts.ADDRESS_FIELDS}


def _shortage_names(shortages: dict[int, int]) -> str:
    names = []
    for product_id, left in shortages.items():
        product = db.session.get(Product, product_id)
        names.append(_("%(name)s (%(count)s left)", name=product.name if product else product_id, count=left))
    return ", ".join(names)


@bp.get("/checkout/wards")
def checkout_wards():
    """The communes of a province, as JSON for the address form."""
    code = parse_int(request.args.get("province", ""), minimum=0)
    if code is None:
        return jsonify(error=_("Unknown province."), wards=[]), 400
    if geo.province(code) is None:
        return jsonify(error=_("Unknown province."), wards=[]), 404
    return jsonify(province=code, wards=[{"code": w.code, "name": w.name} for w in geo.wards(code)])


@bp.route("/checkout/guest", methods=["GET", "POST"])
@limit_guest_checkout
def checkout_guest():
    """Buying without an account: name, phone, address and e-mail; the link to the order is e-mailed."""
    if current_user.is_authenticated:
        return redirect(url_for("orders.checkout"))
    guest_cart = _cart_args()["guest_cart"]
    form = GuestCheckoutForm()
    if request.method == "GET":
        form.token.data = checkouts.new_checkout_token()
    _fill_choices(form, [], guest=True)
    summary = carts.load_cart(guest_cart=guest_cart, voucher_code=_voucher_code())
    if request.method == "GET":
        if summary.is_empty:
            flash(_("Your cart is empty."), "info")
            return redirect(url_for("orders.cart"))
        form.cart_signature.data = summary.signature
        return _render_checkout(form, summary, [], guest=True)
    token = (form.token.data or "")[:64]
    existing = checkouts.order_by_token(token) if token else None
    if existing is not None:
        return _back_to_guest_order(existing)
    if request.form.get("refresh_wards"):
        return _render_checkout(form, summary, [], guest=True)
    try:
        order, created = guests.place_guest_order(
            email=form.email.data, address={name: getattr(form, name).data for name in checkouts.ADDRESS_FIELDS},
            payment_method=form.payment_method.data, guest_cart=guest_cart, token=token,
            cart_signature=form.cart_signature.data or None, pickups=_pickup_choices(summary),
            voucher_code=_voucher_code(), language=current_language())
    except DomainError as error:
        return _checkout_refused(error, form, summary, [], cart_owner={"guest_cart": guest_cart},
                                 retry_url=url_for("orders.cart"), guest=True)
    db.session.commit()
    if not created:
        return _back_to_guest_order(order)
    session[CART_KEY] = guest_cart
    session.pop(VOUCHER_KEY, None)
    if order.payment_method == PaymentMethod.COD:
        flash(_("Thank you! Your order %(number)s is placed; you pay in cash on delivery. We have e-mailed you "
                "the link to this page.", number=order.number), "success")
    else:
        flash(_("Your order %(number)s is placed and the items are reserved. Pay by bank transfer below; we "
                "have e-mailed you the link to this page.", number=order.number), "success")
    return redirect(url_for("orders.guest_order", token=guest_links.link_token(order)))


def _back_to_guest_order(order):
    """A guest checkout form sent again: back to its order. The form's token is a secret only this browser was
    given (as the link is), so whoever sends it again placed the order."""
    if order.guest_key:
        return redirect(url_for("orders.guest_order", token=guest_links.link_token(order)))
    flash(_("This checkout form has expired. Please try again."), "error")
    return redirect(url_for("orders.cart"))


def _guest_page(order, token: str, status: int = 200):
    awaiting = awaits_payment(order)
    transfer = order.payment_method == PaymentMethod.VIETQR and awaiting
    page = render_template(
        "orders/guest_order.html", order=order, token=token, status_label=status_label,
        payment_labels=PAYMENT_LABELS, pickups=pickup_places(order),
        can_cancel=any(po.status in CANCELLABLE for po in order.producer_orders),
        transfer=transfer, awaiting=awaiting, bank=qr_codes.bank_details() if transfer else None,
        qr_svg=qr_codes.svg(qr_codes.order_payload(order)) if transfer else None,
        qr_png_url=url_for("orders.guest_order_qr", token=token) if transfer else None)
    response = make_response(page, status)
    # The token is in this page's URL: never hand it to another site in a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/orders/guest/<token>")
@limit_guest_links
def guest_order(token: str):
    """An order placed without an account, from its e-mailed link: see it, pay by transfer, cancel, keep it."""
    return _guest_page(guest_links.order_for_token(token), token)


@bp.get("/orders/guest/<token>/vietqr.png")
@limit_guest_links
def guest_order_qr(token: str):
    """The guest order's VietQR code as a PNG to save (banking apps scan a QR code from a photo)."""
    order = guest_links.order_for_token(token)
    if order.payment_method != PaymentMethod.VIETQR:
        return _guest_page(order, token, 404)
    return _qr_png(order)


def _qr_png(order) -> Response:
    response = Response(qr_codes.png(qr_codes.order_payload(order)), mimetype="image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="vietqr-{order.number}.png"'
    return response


@bp.route("/orders/guest/<token>/cancel", methods=["GET", "POST"])
@limit_guest_links
def guest_order_cancel(token: str):
    """Cancel from the link what was not shipped yet, with the same choice of parts and reason as a signed-in
    buyer (a paid part is refunded)."""
    response = make_response(_cancel_page(
        lambda: guest_links.order_for_token(token), actor=lambda order: order.buyer,
        action=url_for("orders.guest_order_cancel", token=token), back=url_for("orders.guest_order", token=token)))
    # The token is in this page's URL: never hand it to another site in a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/orders/guest/<token>/claim")
@limit_guest_links
@login_required
def guest_order_claim(token: str):
    """Keep an order placed without an account in the signed-in account (its link then stops working)."""
    order = guest_links.order_for_token(token)
    guests.claim_order(order, current_user)
    db.session.commit()
    flash(_("The order %(number)s is now in your account.", number=order.number), "success")
    return redirect(url_for("orders.order_detail", number=order.number))


@bp.get("/orders")
@login_required
def order_list():
    """The buyer's orders, newest first."""
    return render_template("orders/order_list.html", orders=orders_for_buyer(current_user),
                           status_label=status_label, payment_labels=PAYMENT_LABELS)


@bp.get("/orders/<number>")
@login_required
def order_detail(number: str):
    """One order: each shop's part with its timeline (dates from the status events) and tracking link."""
    order = order_for_buyer(current_user, number)
    prepaid = order.payment_method != PaymentMethod.COD
    return render_template(
        "orders/order_detail.html", order=order, status_label=status_label, pickups=pickup_places(order),
        timelines={po.id: timeline(po, prepaid=prepaid) for po in order.producer_orders},
        payment_labels=PAYMENT_LABELS, can_cancel=any(po.status in CANCELLABLE for po in order.producer_orders),
        can_pay=order.payment_method != PaymentMethod.COD and awaits_payment(order),
    )


@bp.get("/orders/<number>/pay")
@login_required
def order_pay(number: str):
    """The step between placing and paying: a button that starts the payment (POST)."""
    order = order_for_buyer(current_user, number)
    if not awaits_payment(order):
        return redirect(url_for("orders.order_detail", number=order.number))
    return render_template("orders/order_pay.html", order=order, payment_labels=PAYMENT_LABELS)


@bp.route("/orders/<number>/cancel", methods=["GET", "POST"])
@login_required
def order_cancel(number: str):
    """The buyer confirms a cancellation: which shops' parts (those not shipped yet), why, and in their own
    words; paid parts are refunded. Works without JavaScript (a page, not a dialog)."""
    return _cancel_page(lambda: order_for_buyer(current_user, number), actor=lambda order: current_user,
                        action=url_for("orders.order_cancel", number=number),
                        back=url_for("orders.order_detail", number=number))


def _cancel_page(load_order, *, actor, action: str, back: str):
    """The cancel page of a signed-in buyer's order or of a guest's order link: `load_order` reads the order
    (again after the commit before a refund), `actor(order)` is who cancels, `action` where the form posts and
    `back` the order's page."""
    order = load_order()
    cancellable = lifecycle.cancellable_sub_orders(order)
    if not cancellable:
        flash(_("This order was already shipped or closed and cannot be cancelled."), "error")
        return redirect(back)
    form = CancelOrderForm()
    form.parts.choices = [SelectChoice(str(po.id), po.producer_name) for po in cancellable]
    if request.method == "GET":
        form.parts.data = [str(po.id) for po in cancellable]
    status = 200
    if form.validate_on_submit() and _reason_ok(form):
        chosen = [int(value) for value in form.parts.data]
        db.session.commit()  # nothing is held while a refund is asked of the provider
        order = load_order()
        try:
            cancelled = cancel_order_by_buyer(order, actor=actor(order), reason_code=form.reason.data,
                                              note=form.note.data, producer_order_ids=chosen)
        except DomainError as error:
            db.session.rollback()
            form.parts.errors = [error.message]
            order = load_order()
            status = 409 if isinstance(error, InvalidTransition) else 400
        else:
            db.session.commit()
            names = ", ".join(po.producer_name for po in cancelled)
            if any(po.paid_at is not None for po in cancelled):
                flash(_("Cancelled: %(shops)s. What you paid for these parts will be refunded.", shops=names),
                      "success")
            else:
                flash(_("Cancelled: %(shops)s.", shops=names), "success")
            kept = [po.producer_name for po in order.producer_orders if po.id not in {c.id for c in cancelled}
                    and po.status not in TERMINAL]
            if kept:
                flash(_("Still on its way: %(shops)s.", shops=", ".join(kept)), "info")
            return redirect(back)
    elif request.method == "POST":
        status = 400
    return render_template("orders/order_cancel.html", order=order, form=form, cancellable=cancellable,
                           status_label=status_label, action=action, back=back), status


def _reason_ok(form: CancelOrderForm) -> bool:
    """The typed words suit the chosen reason (required for "another reason"); the message goes under them."""
    try:
        lifecycle.buyer_cancel_reason(form.reason.data, form.note.data)
    except DomainError as error:
        form.note.errors = [error.message]
        return False
    return True
