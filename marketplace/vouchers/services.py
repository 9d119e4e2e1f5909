"""Creating vouchers, editing their terms, pausing and resuming them (the one status writer), and the lists
the back office shows.

The program office creates platform-borne codes (for every shop, one producer, a product set or first
orders) and producer-borne ones for a producer; a producer creates producer-borne codes for its own shop
only (`create_voucher(..., producer=its own)` forces both). Services flush, never commit.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from marketplace.catalog.models import Product
from marketplace.dates import parse_date, today_vn, utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, parse_int
from marketplace.money import InvalidAmount, parse_vnd
from marketplace.producers.models import Producer
from marketplace.promotions.models import Campaign
from marketplace.statemachine import StatusConflict, check_transition
from marketplace.vouchers.labels import status_label
from marketplace.vouchers.models import (
    CODE_MAX_LENGTH,
    CostBearer,
    Voucher,
    VoucherEvent,
    VoucherKind,
    VoucherRedemption,
)
from marketplace.vouchers.rules import is_valid_code, normalise_code
from marketplace.vouchers.status import TRANSITIONS, VoucherStatus

#: The most products one voucher may be limited to.
MAX_PRODUCTS = 200
#: The longest validity a code may have (days).
MAX_VALIDITY_DAYS = 366
#: Every field create_voucher reads from its mapping (a form's data or a JSON body).
FIELDS = ("code", "title", "kind", "percent", "amount", "max_discount", "min_order", "valid_from", "valid_until",
          "total_limit", "per_user_limit", "first_order_only", "bearer", "producer_id", "product_skus", "campaign_id")


class InvalidVoucher(DomainError):
    """Some fields are wrong; `errors` maps field name to the message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Please correct the highlighted fields."), errors=errors)
        self.errors = errors


@dataclass
class _Parsed:
    errors: dict[str, str]

    def money(self, name: str, raw, *, required: bool) -> int | None:
        text = str(raw or "").strip()
        if not text:
            if required:
                self.errors[name] = _("Please enter an amount in đồng.")
            return None
        try:
            amount = parse_vnd(text)
        except InvalidAmount:
            self.errors[name] = _("Write a whole number of đồng, e.g. 50000 or 50.000.")
            return None
        if required and amount <= 0:
            self.errors[name] = _("The amount must be more than 0 ₫.")
            return None
        return amount

    def count(self, name: str, raw, *, maximum: int = 1_000_000) -> int | None:
        text = str(raw or "").strip()
        if not text:
            return None
        value = parse_int(text, minimum=1, maximum=maximum)
        if value is None:
            self.errors[name] = _("Write a whole number from 1 to %(max)s, or leave it empty for no limit.",
                                  max=maximum)
        return value

    def day(self, name: str, raw) -> date | None:
        value = parse_date(str(raw or ""))
        if value is None:
            self.errors[name] = _("Please enter a date (dd/mm/yyyy).")
        return value


def _products(skus_text: str, producer_id: int | None, errors: dict[str, str]) -> list[Product]:
    skus = [sku for sku in dict.fromkeys(part.strip() for part in str(skus_text or "").replace(",", "\n").splitlines())
            if sku]
    if not skus:
        return []
    if len(skus) > MAX_PRODUCTS:
        errors["product_skus"] = _("A voucher can be limited to at most %(count)s products.", count=MAX_PRODUCTS)
        return []
    statement = sa.select(Product).where(Product.sku.in_(skus))
    if producer_id is not None:
        statement = statement.where(Product.producer_id == producer_id)
    found = list(db.session.scalars(statement))
    missing = [sku for sku in skus if sku not in {product.sku for product in found}]
    if missing:
        errors["product_skus"] = (_("No product of this shop has these SKUs: %(skus)s.", skus=", ".join(missing[:10]))
                                  if producer_id is not None else
                                  _("No product has these SKUs: %(skus)s.", skus=", ".join(missing[:10])))
        return []
    return found


def _terms(data: Mapping, kind: VoucherKind | None, parse: _Parsed, *, editing: bool = False,
           used_count: int = 0) -> dict:
    """The terms a voucher's owner may set, and change later (description, value, minimum, dates, limits,
    first orders only), parsed from the raw fields; errors go to parse.errors. When `editing`, a total limit
    cannot be below the `used_count` uses already taken."""
    errors = parse.errors
    title = " ".join(str(data.get("title") or "").split())
    if len(title) > 120:
        errors["title"] = _("At most 120 characters.")
    percent = amount = cap = None
    if kind == VoucherKind.PERCENT:
        percent = parse_int(str(data.get("percent") or "").strip().rstrip("%").strip(), minimum=1, maximum=100)
        if percent is None:
            errors["percent"] = _("Write a whole percentage from 1 to 100.")
        cap = parse.money("max_discount", data.get("max_discount"), required=False)
    elif kind == VoucherKind.FIXED:
        amount = parse.money("amount", data.get("amount"), required=True)
    elif kind == VoucherKind.FREE_SHIPPING:
        cap = parse.money("max_discount", data.get("max_discount"), required=False)
    if cap == 0:
        errors["max_discount"] = _("Leave the maximum empty for no cap, or write more than 0 ₫.")
    min_order = parse.money("min_order", data.get("min_order"), required=False) or 0
    valid_from = parse.day("valid_from", data.get("valid_from"))
    valid_until = parse.day("valid_until", data.get("valid_until"))
    if valid_from and valid_until:
        if valid_until < valid_from:
            errors["valid_until"] = _("The last day must be on or after the first day.")
        elif valid_until < today_vn():
            errors["valid_until"] = (_("The last day is already past. To stop the voucher now, pause it.")
                                     if editing else _("The last day is already past."))
        elif (valid_until - valid_from).days + 1 > MAX_VALIDITY_DAYS:
            errors["valid_until"] = _("A voucher is valid for at most %(days)s days.", days=MAX_VALIDITY_DAYS)
    total_limit = parse.count("total_limit", data.get("total_limit"))
    if editing and total_limit is not None and total_limit < used_count:
        errors["total_limit"] = _("Already used on %(count)s orders: the limit cannot be lower than that.",
                                  count=used_count)
    per_user_limit = parse.count("per_user_limit", data.get("per_user_limit"), maximum=1000)
    return dict(title=title, percent=percent, amount_vnd=amount, max_discount_vnd=cap, min_order_vnd=min_order,
                valid_from=valid_from, valid_until=valid_until, total_limit=total_limit,
                per_user_limit=per_user_limit, first_order_only=bool(data.get("first_order_only")))


def create_voucher(data: Mapping, *, actor, producer: Producer | None = None) -> Voucher:
    """A new active voucher from the raw fields (FIELDS); InvalidVoucher with every field's error otherwise.

    With `producer` (a producer's own back office) the code is borne by that producer and limited to its
    shop whatever the data says; without it (the program office) `bearer` and `producer_id` are read.
    """
    errors: dict[str, str] = {}
    parse = _Parsed(errors)
    code = normalise_code(data.get("code"))
    if not is_valid_code(code):
        errors["code"] = _("A code has 3 to %(max)s letters (A-Z), digits or hyphens, e.g. TET2027.",
                           max=CODE_MAX_LENGTH)
    elif db.session.scalar(sa.select(Voucher.id).where(Voucher.code == code)) is not None:
        errors["code"] = _("The code %(code)s is already taken; choose another.", code=code)
    try:
        kind = VoucherKind(data.get("kind"))
    except ValueError:
        kind = None
        errors["kind"] = _("Please choose the kind of discount.")
    terms = _terms(data, kind, parse)
    if producer is not None:
        bearer, producer_id = CostBearer.PRODUCER, producer.id
    else:
        try:
            bearer = CostBearer(data.get("bearer"))
        except ValueError:
            bearer = None
            errors["bearer"] = _("Please choose who bears the discount.")
        raw_producer = str(data.get("producer_id") or "").strip()
        producer_id = parse_int(raw_producer, minimum=1, maximum=MAX_ID) if raw_producer else None
        if raw_producer and (producer_id is None or db.session.get(Producer, producer_id) is None):
            errors["producer_id"] = _("Please choose a producer from the list.")
            producer_id = None
        elif bearer == CostBearer.PRODUCER and producer_id is None:
            errors["producer_id"] = _("A discount the producer bears is for that producer's shop: choose it.")
    products = _products(data.get("product_skus"), producer_id, errors)
    campaign_id = None
    raw_campaign = str(data.get("campaign_id") or "").strip() if producer is None else ""
    if raw_campaign:
        campaign_id = parse_int(raw_campaign, minimum=1, maximum=MAX_ID)
        if campaign_id is None or db.session.get(Campaign, campaign_id) is None:
            errors["campaign_id"] = _("Please choose a campaign from the list.")
    if errors:
        raise InvalidVoucher(errors)
    voucher = Voucher(
        code=code, kind=kind, **terms, used_count=0, bearer=bearer, producer_id=producer_id,
        status=VoucherStatus.ACTIVE, campaign_id=campaign_id, created_by_id=getattr(actor, "id", None),
        products=products,
    )
    db.session.add(voucher)
    db.session.flush()
    db.session.add(VoucherEvent(voucher_id=voucher.id, from_status=None, to_status=VoucherStatus.ACTIVE,
                                at=utcnow(), actor_id=getattr(actor, "id", None)))
    db.session.flush()
    return voucher


def change_voucher_status(voucher: Voucher, new: VoucherStatus | str, *, actor, reason: str | None = None) -> Voucher:
    """The only writer of Voucher.status: checks TRANSITIONS, compare-and-sets, records a VoucherEvent."""
    new = VoucherStatus(new)
    current = VoucherStatus(voucher.status)
    check_transition(TRANSITIONS, current, new, _("A voucher cannot go from “%(old)s” to “%(new)s”.",
                                                   old=status_label(current), new=status_label(new)))
    result = db.session.execute(
        sa.update(Voucher).where(Voucher.id == voucher.id, Voucher.status == current)
        .values(status=new, updated_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(voucher)
        raise StatusConflict(_("This voucher was changed by someone else in the meantime. Please reload."))
    db.session.add(VoucherEvent(voucher_id=voucher.id, from_status=current, to_status=new, at=utcnow(),
                                actor_id=getattr(actor, "id", None), reason=(reason or None) and str(reason)[:300]))
    db.session.flush()
    db.session.refresh(voucher)
    return voucher


#: What the edit screen may change; code and kind only until the voucher is first used.
EDIT_FIELDS = ("code", "title", "kind", "percent", "amount", "max_discount", "min_order", "valid_from",
               "valid_until", "total_limit", "per_user_limit", "first_order_only")


def times_used(voucher: Voucher) -> int:
    """On how many orders the voucher was ever used (a use given back by a cancelled order still counts:
    that order showed the code and its kind)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(VoucherRedemption)
                             .where(VoucherRedemption.voucher_id == voucher.id)) or 0


def edit_form_data(voucher: Voucher) -> dict[str, object]:
    """The edit form's fields filled from the voucher (amounts as plain digits, dates as YYYY-MM-DD)."""
    def digits(value):
        return "" if value is None else str(value)
    return {"code": voucher.code, "title": voucher.title, "kind": voucher.kind.value,
            "percent": digits(voucher.percent), "amount": digits(voucher.amount_vnd),
            "max_discount": digits(voucher.max_discount_vnd),
            "min_order": digits(voucher.min_order_vnd or None), "valid_from": voucher.valid_from.isoformat(),
            "valid_until": voucher.valid_until.isoformat(), "total_limit": digits(voucher.total_limit),
            "per_user_limit": digits(voucher.per_user_limit), "first_order_only": voucher.first_order_only}


def update_voucher(voucher: Voucher, data: Mapping, *, actor) -> Voucher:
    """Change a voucher's terms (EDIT_FIELDS) from the raw fields; InvalidVoucher with every field's error.

    Who bears it and which products it is for never change (a new code is made for that). The code and the
    kind of discount change only while the voucher was never used: once an order showed them, a change is
    refused with a message saying so (an empty or absent field keeps them). The total limit cannot go
    below the uses already taken. The write is conditional, so a checkout taking a use at the same moment
    cannot slip past either rule: the edit is then refused and asks to reload.
    """
    errors: dict[str, str] = {}
    parse = _Parsed(errors)
    used = times_used(voucher)
    raw_code = str(data.get("code") or "").strip()
    code = normalise_code(raw_code) if raw_code else voucher.code
    if code != voucher.code:
        if used:
            errors["code"] = _("The code cannot be changed: it was already used on %(count)s orders. Create a"
                               " new voucher for another code.", count=used)
        elif not is_valid_code(code):
            errors["code"] = _("A code has 3 to %(max)s letters (A-Z), digits or hyphens, e.g. TET2027.",
                               max=CODE_MAX_LENGTH)
        elif db.session.scalar(sa.select(Voucher.id).where(Voucher.code == code, Voucher.id != voucher.id)):
            errors["code"] = _("The code %(code)s is already taken; choose another.", code=code)
    raw_kind = str(data.get("kind") or "").strip()
    try:
        kind = VoucherKind(raw_kind) if raw_kind else VoucherKind(voucher.kind)
    except ValueError:
        kind = None
        errors["kind"] = _("Please choose the kind of discount.")
    if kind is not None and kind != voucher.kind and used:
        errors["kind"] = _("The kind of discount cannot be changed: the voucher was already used on %(count)s"
                           " orders. Create a new voucher for another kind.", count=used)
    terms = _terms(data, kind, parse, editing=True, used_count=voucher.used_count)
    if errors:
        raise InvalidVoucher(errors)
    conditions = [Voucher.id == voucher.id]
    if terms["total_limit"] is not None:
        conditions.append(Voucher.used_count <= terms["total_limit"])
    if code != voucher.code or kind != voucher.kind:
        conditions.append(~sa.select(VoucherRedemption.id).where(VoucherRedemption.voucher_id == voucher.id).exists())
    result = db.session.execute(
        sa.update(Voucher).where(*conditions).values(code=code, kind=kind, updated_at=utcnow(), **terms)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(voucher)
        raise StatusConflict(_("This voucher was used by a buyer in the meantime. Please reload and try again."))
    db.session.refresh(voucher)
    return voucher


#: What the back-office lists and pages show of a voucher.
VOUCHER_PAGE = (joinedload(Voucher.producer), joinedload(Voucher.campaign), selectinload(Voucher.products))


def vouchers_statement(producer_id: int | None = None):
    """Vouchers newest first: all of them, or those of one producer's shop."""
    statement = sa.select(Voucher).options(*VOUCHER_PAGE).order_by(Voucher.created_at.desc(), Voucher.id.desc())
    if producer_id is not None:
        statement = statement.where(Voucher.producer_id == producer_id)
    return statement


def voucher_for(voucher_id: int, *, producer_id: int | None = None) -> Voucher:
    """A voucher by id (for a producer: only one of its shop's); NotFound otherwise."""
    statement = sa.select(Voucher).where(Voucher.id == voucher_id).options(*VOUCHER_PAGE)
    if producer_id is not None:
        statement = statement.where(Voucher.producer_id == producer_id)
    voucher = db.session.scalar(statement.execution_options(populate_existing=True))
    if voucher is None:
        raise NotFound(_("There is no such voucher."))
    return voucher


def events_for(voucher: Voucher) -> list[VoucherEvent]:
    return list(db.session.scalars(sa.select(VoucherEvent).where(VoucherEvent.voucher_id == voucher.id)
                                   .order_by(VoucherEvent.id)))
