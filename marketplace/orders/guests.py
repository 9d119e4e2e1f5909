"""Buying without an account: the guest checkout and claiming a guest order into an account.

The shopper types a name, phone, address and e-mail. The order is placed by orders.checkout.place_order,
like any other, under the account of that e-mail (accounts.services.guest_account: a guest account without
a password when the address has none), so stock, ledger, e-mails and the vouchers' per-buyer limits work
unchanged and count per e-mail; a voucher's per-buyer limit and first-order rule are also checked against
the phone number, so a new e-mail does not make a new buyer. The order gets a random guest key: its signed
link (orders.guest_links) is e-mailed and shows that one order.

Claiming: signing up (or resetting the password) with that e-mail turns the guest account into an ordinary
one, orders included; a signed-in shopper can also claim the order from its link.
"""

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.accounts.services import EMAIL_MAX_LENGTH, guest_account, normalise_email
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.mail import queue_mail
from marketplace.orders import checkout
from marketplace.orders.addresses import DeliveryAddress, InvalidAddress, validate_address
from marketplace.orders.models import Order, PaymentMethod, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.vouchers import rules as voucher_rules
from marketplace.vouchers.models import VoucherRedemption

#: How a shopper without an account may pay: on delivery, or by a bank transfer from the order's link
#: (card and e-wallet payments come back to pages tied to the signed-in buyer).
GUEST_PAYMENT_METHODS = (PaymentMethod.COD, PaymentMethod.VIETQR)


def check_email(raw) -> str:
    """The e-mail typed at the guest checkout, normalised; InvalidAddress (field "email") when it is not one."""
    text = normalise_email(str(raw or "").strip())
    if not text:
        message = _("Please enter your e-mail address: we send the link to your order there.")
        raise InvalidAddress(message, fields={"email": message})
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        message = _("Please enter a valid e-mail address, e.g. ten@example.com.")
        raise InvalidAddress(message, fields={"email": message}) from None
    if len(text) > EMAIL_MAX_LENGTH:
        message = _("The e-mail address is too long.")
        raise InvalidAddress(message, fields={"email": message})
    return text


def check_contact(email, address_fields) -> tuple[str, DeliveryAddress]:
    """The e-mail and the delivery address together, every field's message at once (InvalidAddress)."""
    errors: dict[str, str] = {}
    checked_email = address = None
    try:
        checked_email = check_email(email)
    except InvalidAddress as error:
        errors.update(error.details["fields"])
    try:
        address = validate_address(*(address_fields.get(name) for name in checkout.ADDRESS_FIELDS))
    except InvalidAddress as error:
        errors.update(error.details["fields"])
    if errors:
        raise InvalidAddress(_("Please correct the fields marked below."), fields=errors)
    return checked_email, address


def _guest_method(raw) -> PaymentMethod:
    method = next((m for m in GUEST_PAYMENT_METHODS if m.value == raw), None)
    if method is None:
        message = _("Without an account you can pay cash on delivery or by bank transfer. "
                    "Please choose one of them, or log in to pay by card or e-wallet.")
        raise checkout.InvalidPaymentMethod(message, fields={"payment_method": message})
    return method


def check_voucher_for_phone(code: str, phone: str) -> None:
    """Refuse a voucher this phone number has used up (per-buyer limit) or is not new for (first order only)."""
    voucher = voucher_rules.find_voucher(code)
    if voucher.per_user_limit is not None:
        uses = db.session.scalar(
            sa.select(sa.func.count()).select_from(VoucherRedemption).join(Order, Order.id == VoucherRedemption.order_id)
            .where(VoucherRedemption.voucher_id == voucher.id, VoucherRedemption.released_at.is_(None),
                   Order.recipient_phone == phone))
        if uses >= voucher.per_user_limit:
            raise voucher_rules.VoucherRefused("already_used", _(
                "The voucher %(code)s was already used for orders to this phone number.", code=voucher.code))
    if voucher.first_order_only:
        earlier = db.session.scalar(sa.select(sa.exists().where(
            Order.recipient_phone == phone, ProducerOrder.order_id == Order.id,
            ProducerOrder.status != OrderStatus.CANCELLED)))
        if earlier:
            raise voucher_rules.VoucherRefused("first_order_only", _(
                "The voucher %(code)s is only for a first order.", code=voucher.code))


def place_guest_order(*, email, address, payment_method, guest_cart: dict, token: str,
                      cart_signature: str | None = None, pickups=None, voucher_code: str | None = None,
                      language: str = "vi") -> tuple[Order, bool]:
    """Place the session cart as an order under the e-mail's account (a guest account if it has none).

    `address` is the raw fields (checkout.ADDRESS_FIELDS). Raises what checkout.place_order raises, with
    InvalidAddress also for the e-mail and InvalidPaymentMethod for a method a guest cannot use. For a bank
    transfer the link to the order is e-mailed at once (cash on delivery: in the order confirmation).
    """
    checked_email, delivery = check_contact(email, address)
    method = _guest_method(payment_method)
    if voucher_code:
        check_voucher_for_phone(voucher_code, delivery.phone)
    buyer = guest_account(checked_email, full_name=delivery.full_name, phone=delivery.phone, language=language)
    order, created = checkout.place_order(buyer, address=delivery, payment_method=method, token=token,
                                          cart_signature=cart_signature, pickups=pickups, voucher_code=voucher_code,
                                          guest_cart=guest_cart)
    if created and method != PaymentMethod.COD:
        queue_mail(buyer.email, _l("Your order %(number)s: pay by bank transfer", number=order.number),
                   "guest_order_link", language=buyer.preferred_language, order=order, name=delivery.full_name)
    return order, created


class NotAGuestOrder(DomainError):
    """The order is already in an account."""


def claim_order(order: Order, user: User) -> Order:
    """Move a guest order into the signed-in user's account; its link stops working."""
    if not order.guest_key:
        raise NotAGuestOrder(_("This order is already in an account."))
    db.session.execute(sa.update(Order).where(Order.id == order.id, Order.guest_key.is_not(None))
                       .values(buyer_id=user.id, guest_key=None).execution_options(synchronize_session=False))
    db.session.refresh(order)
    return order
