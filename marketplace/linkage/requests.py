"""Demand requests: posting one (checked, matched to producers, the producers told), and the actions on the
request state machine (its writer is linkage.lifecycle.change_request_status): the author closes, the
program office hides and restores, the expiry job expires. Services flush, never commit.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from marketplace import geo
from marketplace.accounts.models import User
from marketplace.accounts.policies import is_admin
from marketplace.catalog import categories
from marketplace.dates import today_vn, utcnow
from marketplace.errors import DomainError, PermissionDenied
from marketplace.extensions import db
from marketplace.inputs import MAX_INT, parse_int
from marketplace.linkage import matching, notifications
from marketplace.linkage.lifecycle import change_request_status
from marketplace.linkage.models import BuyerKind, DemandRequest, Offer, RequestEvent, RequestMatch
from marketplace.linkage.status import OfferStatus, RequestStatus
from marketplace.statemachine import StatusConflict
from marketplace.text import folded_words, nfc

R = RequestStatus
#: A request may ask for goods up to a year ahead.
MAX_DAYS_AHEAD = 366
MAX_QUANTITY = 10_000_000
#: MAX_QUANTITY written the Vietnamese way, for messages.
MAX_QUANTITY_TEXT = "10.000.000"
MAX_PRICE_VND = 1_000_000_000
_PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{7,18}[0-9]$")


class InvalidRequest(DomainError):
    """What was typed cannot make a request; `fields` maps each field name to its message."""


@dataclass(frozen=True)
class RequestDetails:
    """A request's fields, checked and normalised (validate_request)."""

    buyer_kind: BuyerKind
    organisation: str
    title: str
    details: str
    group_code: str
    quantity: int
    unit: str
    target_price_vnd: int | None
    delivery_province_code: int
    needed_by: date
    contact_name: str
    contact_phone: str
    contact_email: str


def _line(value, limit: int) -> str:
    return " ".join(nfc(str(value or "")).split())[:limit + 1]


def validate_request(data, *, today: date | None = None) -> RequestDetails:
    """Check the raw fields of a request (a mapping of strings, as a form sends them); InvalidRequest says
    what is wrong with each field, in the user's language."""
    today = today or today_vn()
    errors: dict[str, str] = {}
    try:
        buyer_kind = BuyerKind(str(data.get("buyer_kind") or ""))
    except ValueError:
        buyer_kind = None
        errors["buyer_kind"] = _("Please say who is buying.")
    organisation = _line(data.get("organisation"), 200)
    if len(organisation) > 200:
        errors["organisation"] = _("At most %(n)s characters.", n=200)
    elif not organisation and buyer_kind not in (None, BuyerKind.CONSUMER):
        errors["organisation"] = _("Please give the name of the business or organisation buying.")
    title = _line(data.get("title"), 200)
    if len(title) < 3:
        errors["title"] = _("Please say what you want to buy (at least 3 characters).")
    elif len(title) > 200:
        errors["title"] = _("At most %(n)s characters.", n=200)
    details = nfc(str(data.get("details") or ""))
    if len(details) > 2000:
        errors["details"] = _("At most %(n)s characters.", n=2000)
    group_code = str(data.get("group_code") or "")
    if not categories.is_group(group_code):
        errors["group_code"] = _("Please choose a product group.")
    quantity = parse_int(data.get("quantity"), minimum=1, maximum=MAX_INT, grouped=True)
    if quantity is None or quantity > MAX_QUANTITY:
        errors["quantity"] = _("Please enter a whole number of units from 1 to %(max)s.", max=MAX_QUANTITY_TEXT)
    unit = _line(data.get("unit"), 60)
    if not unit:
        errors["unit"] = _("Please give the unit (kg, bottle of 500 ml, box…).")
    elif len(unit) > 60:
        errors["unit"] = _("At most %(n)s characters.", n=60)
    raw_price = str(data.get("target_price_vnd") or "").strip()
    target_price = None
    if raw_price:
        target_price = parse_int(raw_price, minimum=1, maximum=MAX_INT, grouped=True)
        if target_price is None or target_price > MAX_PRICE_VND:
            errors["target_price_vnd"] = _("Please write the price per unit in đồng as a whole number, e.g. 125000.")
    province_code = parse_int(data.get("delivery_province_code"), minimum=1)
    if province_code is None or geo.province(province_code) is None:
        errors["delivery_province_code"] = _("Please choose the delivery province.")
    needed_by = data.get("needed_by")
    if not isinstance(needed_by, date):
        errors["needed_by"] = _("Please give the date by which you need the goods.")
    elif needed_by < today:
        errors["needed_by"] = _("The date has already passed.")
    elif needed_by > today + timedelta(days=MAX_DAYS_AHEAD):
        errors["needed_by"] = _("Please post requests for at most one year ahead.")
    contact_name = _line(data.get("contact_name"), 120)
    if not contact_name:
        errors["contact_name"] = _("Please give the name of the person to contact.")
    elif len(contact_name) > 120:
        errors["contact_name"] = _("At most %(n)s characters.", n=120)
    contact_phone = _line(data.get("contact_phone"), 20)
    if not _PHONE.match(contact_phone):
        errors["contact_phone"] = _("Please enter a phone number, e.g. 0912 345 678.")
    contact_email = str(data.get("contact_email") or "").strip()
    try:
        contact_email = validate_email(contact_email, check_deliverability=False).normalized
    except EmailNotValidError:
        errors["contact_email"] = _("Please enter a valid e-mail address.")
    if errors:
        raise InvalidRequest(_("Please correct the highlighted fields."), fields=errors)
    return RequestDetails(buyer_kind, organisation, title, details, group_code, quantity, unit, target_price,
                          province_code, needed_by, contact_name, contact_phone, contact_email)


def post_request(author: User, details: RequestDetails) -> DemandRequest:
    """Publish a request, rank the producers able to supply it (linkage.matching), keep the best ones as its
    matches and tell them (e-mail after the commit, and their portal)."""
    now = utcnow()
    request = DemandRequest(
        author_id=author.id, buyer_kind=details.buyer_kind, organisation=details.organisation, title=details.title,
        details=details.details, group_code=details.group_code, search_text=folded_words(details.title),
        details_text=folded_words(details.details),
        quantity=details.quantity, unit=details.unit, target_price_vnd=details.target_price_vnd,
        delivery_province_code=details.delivery_province_code, needed_by=details.needed_by,
        contact_name=details.contact_name, contact_phone=details.contact_phone,
        contact_email=details.contact_email, status=R.OPEN, created_at=now, updated_at=now,
    )
    db.session.add(request)
    db.session.flush()
    db.session.add(RequestEvent(request_id=request.id, from_status=None, to_status=R.OPEN, at=now, actor_id=author.id))
    author_producer = author.producer_id
    ranked = matching.ranked_producers(
        title=details.title, details=details.details, group_code=details.group_code, delivery_province_code=details.delivery_province_code,
        quantity_wanted=details.quantity, exclude_producer_id=author_producer)
    matches = [RequestMatch(request_id=request.id, producer_id=c.producer_id, rank=position,
                            group_match=c.group_match, words_matched=c.words_matched, words_total=c.words_total,
                            stock_quantity=c.stock_quantity, star_level=c.star_level,
                            distance_tier=c.distance_tier, notified_at=now)
               for position, c in enumerate(ranked, start=1)]
    db.session.add_all(matches)
    db.session.flush()
    notifications.notify_matched(request, [m.producer_id for m in matches])
    return request


def is_taking_offers(request: DemandRequest, today: date | None = None) -> bool:
    """Open, and its needed-by date not passed."""
    return request.status == R.OPEN and request.needed_by >= (today or today_vn())


def close_request(request: DemandRequest, *, actor: User) -> DemandRequest:
    """The author closes its request (no offer accepted); others get PermissionDenied."""
    if request.author_id != actor.id:
        raise PermissionDenied(_("Only the author of a request can close it."))
    return change_request_status(request, R.CLOSED, actor=actor)


def hidden_reason(reason) -> str:
    """The program office's reason for hiding a request, tidied; DomainError when empty or too long."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise DomainError(_("Please give a reason: the author will read it."))
    if len(reason) > 500:
        raise DomainError(_("The reason is too long (at most 500 characters)."))
    return reason


def hide_request(request: DemandRequest, *, actor: User, reason: str) -> DemandRequest:
    """The program office hides a request (spam, abuse) with a reason the author reads."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only the program office can hide a request."))
    return change_request_status(request, R.HIDDEN, actor=actor, reason=hidden_reason(reason))


def restore_request(request: DemandRequest, *, actor: User) -> DemandRequest:
    """The program office shows a hidden request again (or lets it expire when its date has passed)."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only the program office can restore a request."))
    if request.needed_by < today_vn():
        return change_request_status(request, R.EXPIRED, actor=actor, reason="expired")
    return change_request_status(request, R.OPEN, actor=actor)


def expire_requests(today: date | None = None) -> int:
    """Expire every open or hidden request whose needed-by date has passed; returns how many (the daily job)."""
    today = today or today_vn()
    due = db.session.scalars(sa.select(DemandRequest).where(
        DemandRequest.status.in_([R.OPEN, R.HIDDEN]), DemandRequest.needed_by < today).order_by(DemandRequest.id))
    count = 0
    for request in list(due):
        try:
            change_request_status(request, R.EXPIRED, reason="expired")
        except StatusConflict:
            continue
        count += 1
    return count


def pending_offer_count(request_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(Offer.id)).where(
        Offer.request_id == request_id, Offer.status == OfferStatus.PENDING)) or 0
