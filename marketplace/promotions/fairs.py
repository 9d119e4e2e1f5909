"""Trade fairs and events: the public calendar and the office's saving of a fair. Services flush, never commit."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace import geo
from marketplace.database import unique_slug
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.promotions.models import TradeFair
from marketplace.text import nfc

#: Past fairs the calendar page still lists.
PAST_FAIRS = 12


class FairInvalid(DomainError):
    """The fair was not saved; `errors` maps form fields to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


@dataclass
class FairInput:
    name: str
    description: str
    province_code: int | None
    ward_code: int | None
    venue: str
    starts_on: date | None
    ends_on: date | None
    signup_until: date | None = None
    slug: str = ""
    is_hidden: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def upcoming(today: date) -> list[TradeFair]:
    """Fairs not over yet (running or to come), soonest first."""
    return list(db.session.scalars(
        sa.select(TradeFair).where(TradeFair.is_hidden.is_(False), TradeFair.ends_on >= today)
        .order_by(TradeFair.starts_on, TradeFair.id)))


def past(today: date, limit: int = PAST_FAIRS) -> list[TradeFair]:
    """The latest fairs that are over."""
    return list(db.session.scalars(
        sa.select(TradeFair).where(TradeFair.is_hidden.is_(False), TradeFair.ends_on < today)
        .order_by(TradeFair.ends_on.desc(), TradeFair.id.desc()).limit(limit)))


def calendar_fairs(today: date) -> list[TradeFair]:
    """What the .ics feed holds: the fairs to come and those of the last year."""
    return list(db.session.scalars(
        sa.select(TradeFair).where(TradeFair.is_hidden.is_(False), TradeFair.ends_on >= today.replace(year=today.year - 1))
        .order_by(TradeFair.starts_on, TradeFair.id)))


def public_fair(slug: str) -> TradeFair | None:
    fair = db.session.scalar(sa.select(TradeFair).where(TradeFair.slug == slug))
    return None if fair is None or fair.is_hidden else fair


def all_fairs() -> list[TradeFair]:
    return list(db.session.scalars(sa.select(TradeFair).order_by(TradeFair.starts_on.desc(), TradeFair.id.desc())))


def place_label(fair: TradeFair) -> str:
    """'Venue, Commune, Province'."""
    ward = geo.ward(fair.ward_code) if fair.ward_code else None
    return ", ".join(part for part in (fair.venue, ward.name if ward else "", geo.province_name(fair.province_code))
                     if part)


def save_fair(fair: TradeFair | None, data: FairInput) -> TradeFair:
    """Create or update a fair; raises FairInvalid with every problem, saving nothing."""
    errors = dict(data.errors)
    if not nfc(data.name):
        errors.setdefault("name", _("Please enter a name."))
    if data.province_code is None or geo.province(data.province_code) is None:
        errors.setdefault("province_code", _("Please choose a province."))
    elif data.ward_code is not None and not geo.is_ward_in_province(data.ward_code, data.province_code):
        errors.setdefault("ward_code", _("Please choose a commune of the chosen province."))
    if data.starts_on is None:
        errors.setdefault("starts_on", _("Please enter the first day (dd/mm/yyyy)."))
    if data.ends_on is None:
        errors.setdefault("ends_on", _("Please enter the last day (dd/mm/yyyy)."))
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.setdefault("ends_on", _("The last day is before the first day."))
    if data.signup_until and data.starts_on and data.signup_until > data.starts_on:
        errors.setdefault("signup_until", _("Sign-up must close by the first day of the fair."))
    if errors:
        raise FairInvalid(errors)
    if fair is None:
        fair = TradeFair(slug=unique_slug(db.session, TradeFair.slug, data.slug or data.name, max_length=100))
        db.session.add(fair)
    fair.name = nfc(data.name)[:160]
    fair.description = nfc(data.description)
    fair.province_code, fair.ward_code = data.province_code, data.ward_code
    fair.venue = nfc(data.venue)[:255]
    fair.starts_on, fair.ends_on, fair.signup_until = data.starts_on, data.ends_on, data.signup_until
    fair.is_hidden = data.is_hidden
    db.session.flush()
    return fair
