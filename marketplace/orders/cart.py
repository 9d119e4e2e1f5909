"""The cart: guests keep {product_id: quantity} in their session (passed in here as a plain dict), signed-in
users a Cart row with CartLines. Prices are always read from the products table, never from a form; the
money figures come from orders.pricing.
"""

import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa
from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts import facts
from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductImage
from marketplace.dates import today_vn
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, parse_int
from marketplace.orders import pricing
from marketplace.orders.models import Cart, CartLine, Order, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.producers.models import Producer
from marketplace.stock.services import available_online
from marketplace.vouchers import rules as voucher_rules
from marketplace.vouchers.models import Voucher

#: A cart with its lines, their products and the products' shops (relationships never load by themselves).
CART_GRAPH = (selectinload(Cart.lines).joinedload(CartLine.product).joinedload(Product.producer),)
#: The most units of one product a cart line may hold.
MAX_LINE_QUANTITY = 999

#: Sent after `add_to_cart` put units in a cart: sender the product, `user` the signed-in buyer (None for a
#: guest), `quantity` the units added. The demand signals (a package above orders) record it.
line_added = Namespace().signal("cart-line-added")


class CartError(DomainError):
    """A cart change was refused; the message says why."""


@dataclass
class CartItem:
    product: Product
    quantity: int
    #: Units the producers' warehouses still hold.
    available: int
    #: The unit price when the line was added (None for guests).
    price_vnd_seen: int | None = None
    is_listed: bool = True
    #: The product's main picture (its thumbnail's storage key and alt text), None without one.
    thumb_key: str | None = None
    image_alt: str = ""

    @property
    def unit_price_vnd(self) -> int:
        return self.product.price_vnd

    @property
    def total_vnd(self) -> int:
        return pricing.line_total(self.product.price_vnd, self.quantity)

    @property
    def price_changed(self) -> bool:
        return self.price_vnd_seen is not None and self.price_vnd_seen != self.product.price_vnd

    @property
    def short(self) -> bool:
        return self.quantity > self.available

    @property
    def problem(self) -> str | None:
        """Why this line cannot be bought as it is, or None."""
        if not self.is_listed:
            return _("This product is no longer on sale. Please remove it.")
        if self.available <= 0:
            return _("Out of stock. Please remove it.")
        if self.short:
            return _("Only %(count)s left in stock. Please lower the quantity.", count=self.available)
        return None


@dataclass
class ShopGroup:
    producer: object
    items: list[CartItem] = field(default_factory=list)
    #: This shop's share of the applied voucher's discount (None without one).
    discount: pricing.ShopDiscount | None = None

    @property
    def totals(self) -> pricing.Totals:
        discount = self.discount or pricing.ShopDiscount()
        return pricing.shop_totals(self.producer, (item.total_vnd for item in self.items),
                                   discounts_vnd=discount.discount_vnd,
                                   shipping_discount_vnd=discount.shipping_discount_vnd)

    @property
    def subtotal_vnd(self) -> int:
        return self.totals.subtotal_vnd

    @property
    def shipping_fee_vnd(self) -> int:
        return self.totals.shipping_vnd

    @property
    def total_vnd(self) -> int:
        return self.totals.total_vnd

    @property
    def free_shipping_gap_vnd(self) -> int | None:
        """How much more to buy from this shop for free shipping (None when not applicable)."""
        return pricing.free_shipping_gap(self.producer, self.totals)


@dataclass
class CartSummary:
    groups: list[ShopGroup]
    #: The voucher code the buyer entered (normalised), the voucher when it applies, or why it does not.
    voucher_code: str | None = None
    voucher: Voucher | None = None
    voucher_refusal: voucher_rules.VoucherRefused | None = None

    @property
    def items(self) -> list[CartItem]:
        return [item for group in self.groups for item in group.items]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def quantity(self) -> int:
        return sum(item.quantity for item in self.items)

    @property
    def totals(self) -> pricing.Totals:
        return pricing.cart_totals(group.totals for group in self.groups)

    @property
    def subtotal_vnd(self) -> int:
        return self.totals.subtotal_vnd

    @property
    def shipping_vnd(self) -> int:
        return self.totals.shipping_vnd

    @property
    def discounts_vnd(self) -> int:
        return self.totals.discounts_vnd

    @property
    def shipping_discount_vnd(self) -> int:
        return self.totals.shipping_discount_vnd

    @property
    def total_vnd(self) -> int:
        return self.totals.total_vnd

    @property
    def has_problems(self) -> bool:
        return any(item.problem for item in self.items)

    @property
    def signature(self) -> str:
        """A fingerprint of products, quantities and prices: checkout refuses if it changed since shown."""
        text = ";".join(f"{i.product.id}:{i.quantity}:{i.unit_price_vnd}:{g.shipping_fee_vnd}"
                        for g in self.groups for i in g.items)
        if self.voucher is not None:
            text += f";voucher:{self.voucher.code}:{self.discounts_vnd}:{self.shipping_discount_vnd}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def parse_quantity(raw) -> int:
    """A whole number from 1 to MAX_LINE_QUANTITY, or CartError with a message for the buyer."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise CartError(_("Please enter a quantity."))
    quantity = parse_int(text)
    if quantity is None:
        if text.lstrip("-").isascii() and text.lstrip("-").isdigit():
            raise CartError(_("You can buy at most %(max)s of one product.", max=MAX_LINE_QUANTITY))
        raise CartError(_("The quantity must be a whole number."))
    if quantity < 1:
        raise CartError(_("The quantity must be at least 1."))
    if quantity > MAX_LINE_QUANTITY:
        raise CartError(_("You can buy at most %(max)s of one product.", max=MAX_LINE_QUANTITY))
    return quantity


def _listed_product(product_id) -> Product:
    product_id = parse_int(product_id, minimum=1, maximum=MAX_ID)
    if product_id is None:
        raise CartError(_("This product does not exist."))
    product = db.session.get(Product, product_id)
    if product is None or not product.is_public(today_vn()):
        raise CartError(_("This product is not on sale."))
    return product


def _check_stock(product: Product, quantity: int) -> None:
    available = available_online([product.id])[product.id]
    if available <= 0:
        raise CartError(_("%(name)s is out of stock.", name=product.name))
    if quantity > available:
        raise CartError(_("Only %(count)s of %(name)s left in stock.", count=available, name=product.name))


def user_cart(user, *, create: bool = False) -> Cart | None:
    """The user's cart row, read afresh with its lines and their products (created when asked)."""
    cart = db.session.scalar(sa.select(Cart).where(Cart.user_id == user.id).options(*CART_GRAPH)
                             .execution_options(populate_existing=True))
    if cart is None and create:
        cart = Cart(user_id=user.id)
        db.session.add(cart)
        db.session.flush()
    return cart


def _units_of(user_id) -> sa.ScalarSelect:
    return (sa.select(sa.func.coalesce(sa.func.sum(CartLine.quantity), 0)).join(Cart).where(Cart.user_id == user_id)
            .scalar_subquery())


# Read with the member on every page (accounts.facts), instead of a query of its own.
facts.provide("cart_units", lambda: _units_of(User.id), int)


def units_in_cart(user) -> int:
    """Units in the user's cart, summed in the database (the header shows it on every page)."""
    known = facts.of(user, "cart_units", db.session())
    if known is not None:
        return known
    return db.session.scalar(sa.select(_units_of(user.id)))


def _user_line(user, product_id: int) -> CartLine | None:
    return db.session.scalar(
        sa.select(CartLine).join(Cart).where(Cart.user_id == user.id, CartLine.product_id == product_id)
    )


def current_quantity(product_id: int, *, user=None, guest_cart: dict | None = None) -> int:
    if user is not None:
        line = _user_line(user, product_id)
        return line.quantity if line else 0
    return int((guest_cart or {}).get(str(product_id), 0))


def add_to_cart(product_id, quantity, *, user=None, guest_cart: dict | None = None) -> Product:
    """Add units of a public product, refusing more than the stock; guests' dict is changed in place."""
    product = _listed_product(product_id)
    quantity = parse_quantity(quantity)
    total = current_quantity(product.id, user=user, guest_cart=guest_cart) + quantity
    if total > MAX_LINE_QUANTITY:
        raise CartError(_("You can buy at most %(max)s of one product.", max=MAX_LINE_QUANTITY))
    _check_stock(product, total)
    _store(product, total, user=user, guest_cart=guest_cart, seen_now=True)
    line_added.send(product, user=user, quantity=quantity)
    return product


def set_quantity(product_id, quantity, *, user=None, guest_cart: dict | None = None) -> Product:
    """Change a line's quantity (1 to the stock available)."""
    quantity = parse_quantity(quantity)
    product = _line_product(product_id, user=user, guest_cart=guest_cart)
    _check_stock(product, quantity)
    _store(product, quantity, user=user, guest_cart=guest_cart, seen_now=False)
    return product


def remove_from_cart(product_id, *, user=None, guest_cart: dict | None = None) -> None:
    """Remove a line (unknown lines are ignored)."""
    product_id = parse_int(product_id, minimum=1, maximum=MAX_ID)
    if product_id is None:
        raise CartError(_("This product is not in your cart."))
    if user is not None:
        line = _user_line(user, product_id)
        if line is not None:
            db.session.delete(line)
            db.session.flush()
    elif guest_cart is not None:
        guest_cart.pop(str(product_id), None)


def _line_product(product_id, *, user, guest_cart) -> Product:
    product_id = parse_int(product_id, minimum=1, maximum=MAX_ID)
    if product_id is None:
        raise CartError(_("This product is not in your cart."))
    if not current_quantity(product_id, user=user, guest_cart=guest_cart):
        raise CartError(_("This product is not in your cart."))
    return _listed_product(product_id)


def _store(product: Product, quantity: int, *, user, guest_cart, seen_now: bool) -> None:
    if user is None:
        if guest_cart is None:
            raise CartError(_("Your cart could not be found."))
        guest_cart[str(product.id)] = quantity
        return
    line = _user_line(user, product.id)
    if line is None:
        cart = user_cart(user, create=True)
        db.session.add(CartLine(cart_id=cart.id, product_id=product.id, quantity=quantity,
                                price_vnd_seen=product.price_vnd))
    else:
        line.quantity = quantity
        if seen_now:
            line.price_vnd_seen = product.price_vnd
    db.session.flush()


def _guest_entries(guest_cart: dict | None) -> list[tuple[Product, int]]:
    """The guest's (product, quantity) pairs, products read in one query; junk keys and quantities are skipped."""
    wanted: dict[int, int] = {}
    for key, quantity in (guest_cart or {}).items():
        try:
            wanted[int(key)] = int(quantity)
        except (TypeError, ValueError):
            continue
    if not wanted:
        return []
    products = {product.id: product for product in db.session.scalars(
        sa.select(Product).where(Product.id.in_(wanted)).options(joinedload(Product.producer)))}
    return [(products[product_id], quantity) for product_id, quantity in wanted.items() if product_id in products]


def merge_guest_cart(user, guest_cart: dict | None) -> list[str]:
    """Move a guest's lines into the user's cart (quantities added, capped by stock); return notes to show."""
    notes: list[str] = []
    if not guest_cart:
        return notes
    entries = _guest_entries(guest_cart)
    available = available_online(product.id for product, _quantity in entries)
    held = dict(db.session.execute(
        sa.select(CartLine.product_id, CartLine.quantity).join(Cart).where(Cart.user_id == user.id)
    ).tuples().all())
    today = today_vn()
    for product, quantity in entries:
        if not product.is_public(today):
            continue
        wanted = quantity + held.get(product.id, 0)
        capped = min(wanted, available.get(product.id, 0), MAX_LINE_QUANTITY)
        if capped <= 0:
            notes.append(_("%(name)s is out of stock and was not added.", name=product.name))
            continue
        if capped < wanted:
            notes.append(_("Only %(count)s of %(name)s left in stock; your cart holds that many.",
                           count=capped, name=product.name))
        _store(product, capped, user=user, guest_cart=None, seen_now=False)
    guest_cart.clear()
    return notes


def main_pictures(product_ids) -> dict[int, tuple[str, str]]:
    """{product id: (thumbnail key, alt text)} of each product's first picture, in one query."""
    ids = set(product_ids)
    if not ids:
        return {}
    rows = db.session.execute(sa.select(ProductImage.product_id, ProductImage.thumb_key, ProductImage.alt)
                              .where(ProductImage.product_id.in_(ids))
                              .order_by(ProductImage.product_id, ProductImage.position, ProductImage.id))
    pictures: dict[int, tuple[str, str]] = {}
    for product_id, thumb_key, alt in rows:
        pictures.setdefault(product_id, (thumb_key, alt))
    return pictures


def load_cart(*, user=None, guest_cart: dict | None = None, voucher_code: str | None = None) -> CartSummary:
    """The cart with current prices and stock, grouped by producer shop, and the voucher's discount when
    a code is given and may be used (else summary.voucher_refusal says why)."""
    entries: list[tuple[Product, int, int | None]] = []
    if user is not None:
        cart = user_cart(user)
        if cart is not None:
            entries = [(line.product, line.quantity, line.price_vnd_seen) for line in cart.lines]
    else:
        entries = [(product, quantity, None) for product, quantity in _guest_entries(guest_cart) if quantity > 0]
    available = available_online([product.id for product, _q, _s in entries])
    # The shops of these products in one query (a product never loads its producer implicitly).
    shops = {shop.id: shop for shop in db.session.scalars(
        sa.select(Producer).where(Producer.id.in_({product.producer_id for product, _q, _s in entries})))}
    pictures = main_pictures(product.id for product, _q, _s in entries)
    today = today_vn()
    groups: dict[int, ShopGroup] = {}
    for product, quantity, seen in entries:
        group = groups.setdefault(product.producer_id, ShopGroup(producer=shops[product.producer_id]))
        thumb_key, alt = pictures.get(product.id, (None, ""))
        group.items.append(CartItem(product=product, quantity=quantity, available=available.get(product.id, 0),
                                    price_vnd_seen=seen, is_listed=product.is_public(today),
                                    thumb_key=thumb_key, image_alt=alt or product.name))
    ordered = sorted(groups.values(), key=lambda g: g.producer.name)
    for group in ordered:
        group.items.sort(key=lambda item: item.product.name)
    summary = CartSummary(groups=ordered)
    if voucher_code and not summary.is_empty:
        apply_voucher(summary, voucher_code, user=user)
    return summary


def has_earlier_orders(user) -> bool:
    """Whether the buyer has an order with a sub-order that was not cancelled (first-order vouchers)."""
    return db.session.scalar(sa.select(
        sa.exists().where(Order.buyer_id == user.id, ProducerOrder.order_id == Order.id,
                          ProducerOrder.status != OrderStatus.CANCELLED))) or False


def apply_voucher(summary: CartSummary, code: str, *, user=None) -> None:
    """Price the voucher on the cart (orders.pricing) and check it (vouchers.rules): on success the shops
    carry their discounts and summary.voucher is set; otherwise summary.voucher_refusal says why."""
    summary.voucher_code = voucher_rules.normalise_code(code)
    try:
        voucher = voucher_rules.find_voucher(code)
        eligible = voucher_rules.eligible_product_ids(voucher, [item.product for item in summary.items])
        shops = [pricing.ShopLines(group.shipping_fee_vnd,
                                   [(item.product.id, item.total_vnd, item.product.id in eligible)
                                    for item in group.items]) for group in summary.groups]
        discounts = pricing.voucher_discounts(voucher, shops)
        facts = voucher_rules.CartFacts(
            eligible_ids=eligible,
            eligible_subtotal_vnd=sum(shop.eligible_vnd for shop in shops),
            discount_vnd=sum(part.discount_vnd + part.shipping_discount_vnd for part in discounts),
            buyer_id=user.id if user is not None else None,
            buyer_has_orders=user is not None and voucher.first_order_only and has_earlier_orders(user))
        voucher_rules.check_voucher(voucher, facts, today_vn())
    except voucher_rules.VoucherRefused as refusal:
        summary.voucher_refusal = refusal
        return
    summary.voucher = voucher
    summary.voucher_code = voucher.code
    for group, discount in zip(summary.groups, discounts, strict=True):
        group.discount = discount


def acknowledge_prices(user) -> None:
    """The buyer has seen the current prices: stop reporting the change."""
    cart = user_cart(user)
    if cart is None:
        return
    for line in cart.lines:
        if line.price_vnd_seen != line.product.price_vnd:
            line.price_vnd_seen = line.product.price_vnd
    db.session.flush()


def remove_products(user, product_ids) -> None:
    """Drop these products from the user's cart (after they were ordered)."""
    cart = user_cart(user)
    if cart is None:
        return
    ids = set(product_ids)
    for line in list(cart.lines):
        if line.product_id in ids:
            cart.lines.remove(line)
    db.session.flush()
