"""Showrooms and their staff: create, edit, deactivate; add and remove members; who works where.

A staff account has users.role = showroom_staff and, because of the users table's CHECK, users.location_id
set: it points at the stock location of the first showroom the user still works in. The membership rows
(ShowroomMember) are what the screens check.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from marketplace import geo
from marketplace.accounts.models import Role, User
from marketplace.catalog.models import Product
from marketplace.catalog.status import ProductStatus
from marketplace.database import unique_slug
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.showrooms.models import Showroom, ShowroomMember, StaffRole
from marketplace.stock.models import Location, LocationKind, StockLevel
from marketplace.text import nfc

#: Hà Nội's province code in the 2025 model (marketplace.geo): every showroom of this programme is there.
HANOI = 1


class InvalidShowroom(DomainError):
    """Showroom details that cannot be saved; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Please correct the marked fields."), errors=errors)
        self.errors = errors


class StaffError(DomainError):
    """A staff change that cannot be made (the message is safe to show)."""


@dataclass(frozen=True)
class ShowroomDetails:
    """What an admin enters about a showroom (already parsed: numbers are numbers or None)."""

    name: str
    ward_code: int | None
    street: str
    opening_hours: str
    phone: str
    latitude: float | None
    longitude: float | None
    commission_rate_bp: int | None
    #: The largest discount the till may give, in basis points of a sale (0 = no discounts).
    max_discount_bp: int | None = 0


def check_details(details: ShowroomDetails) -> None:
    """Raise InvalidShowroom listing every field that is wrong."""
    errors = {}
    if not nfc(details.name).strip():
        errors["name"] = _("Enter the showroom's name.")
    if not geo.is_ward_in_province(details.ward_code, HANOI):
        errors["ward_code"] = _("Choose a commune or ward of Hà Nội.")
    if not nfc(details.street).strip():
        errors["street"] = _("Enter the street address.")
    if details.commission_rate_bp is None or not 0 <= details.commission_rate_bp <= 10000:
        errors["commission_rate_bp"] = _("Enter a commission between 0 and 10000 basis points (10000 = 100 %).")
    if details.max_discount_bp is None or not 0 <= details.max_discount_bp <= 10000:
        errors["max_discount_bp"] = _("Enter a discount limit between 0 and 10000 basis points (1000 = 10 %).")
    if (details.latitude is None) != (details.longitude is None):
        errors["latitude"] = _("Enter both the latitude and the longitude, or neither.")
    if details.latitude is not None and not (-90 <= details.latitude <= 90 and -180 <= details.longitude <= 180):
        errors["latitude"] = _("These are not map coordinates.")
    if errors:
        raise InvalidShowroom(errors)


def _apply(showroom: Showroom, details: ShowroomDetails) -> None:
    showroom.name = nfc(details.name).strip()
    showroom.province_code = HANOI
    showroom.ward_code = details.ward_code
    showroom.street = nfc(details.street).strip()
    showroom.opening_hours = nfc(details.opening_hours).strip()
    showroom.phone = nfc(details.phone).strip()
    showroom.latitude = details.latitude
    showroom.longitude = details.longitude
    showroom.commission_rate_bp = details.commission_rate_bp
    showroom.max_discount_bp = details.max_discount_bp


def full_address(showroom: Showroom) -> str:
    """Street, commune, Hà Nội."""
    place = geo.ward(showroom.ward_code)
    return ", ".join(part for part in (showroom.street, place.name if place else "",
                                       geo.province_name(showroom.province_code)) if part)


def map_url(showroom: Showroom) -> str:
    """A link out to OpenStreetMap at the showroom's point (no tiles are loaded by our pages); '' without one."""
    if showroom.latitude is None or showroom.longitude is None:
        return ""
    lat, lon = f"{showroom.latitude:.6f}", f"{showroom.longitude:.6f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


def create_showroom(details: ShowroomDetails) -> Showroom:
    """A new showroom with its own stock location."""
    check_details(details)
    showroom = Showroom(is_active=True)
    _apply(showroom, details)
    showroom.slug = unique_slug(db.session, Showroom.slug, showroom.name, max_length=200)
    location = Location(kind=LocationKind.SHOWROOM, name=showroom.name, province_code=HANOI,
                        address=full_address(showroom)[:255], is_active=True)
    db.session.add(location)
    db.session.flush()
    showroom.location_id = location.id
    db.session.add(showroom)
    db.session.flush()
    return showroom


def update_showroom(showroom: Showroom, details: ShowroomDetails) -> None:
    """Save an admin's edit (the slug stays, so links keep working); the location's name follows."""
    check_details(details)
    _apply(showroom, details)
    location = db.session.get(Location, showroom.location_id)
    location.name = showroom.name
    location.address = full_address(showroom)[:255]
    db.session.flush()


def set_active(showroom: Showroom, active: bool) -> None:
    """Open or close a showroom: a closed one leaves the public pages; its stock and records stay."""
    showroom.is_active = active
    db.session.get(Location, showroom.location_id).is_active = active
    db.session.flush()


def all_showrooms() -> list[Showroom]:
    """Every showroom, active first, by name (the admin list)."""
    return list(db.session.scalars(sa.select(Showroom).order_by(Showroom.is_active.desc(), Showroom.name)))


def public_showrooms(ward_code: int | None = None) -> list[Showroom]:
    """The active showrooms, by name; only those in one commune when `ward_code` is given."""
    query = sa.select(Showroom).where(Showroom.is_active.is_(True)).order_by(Showroom.name)
    if ward_code is not None:
        query = query.where(Showroom.ward_code == ward_code)
    return list(db.session.scalars(query))


def showroom_communes() -> list[geo.Place]:
    """The communes that have at least one active showroom (the public page's filter)."""
    codes = db.session.scalars(sa.select(Showroom.ward_code).where(Showroom.is_active.is_(True)).distinct())
    places = [geo.ward(code) for code in codes]
    return sorted((p for p in places if p is not None), key=lambda p: p.name)


def _holding(product_id_column) -> sa.ColumnElement:
    return sa.and_(StockLevel.product_id == product_id_column, StockLevel.quantity > 0,
                   Showroom.is_active.is_(True))


def held_in_showroom_column(product_id_column):
    """SQL expression: true when an active showroom holds units of the product (read with the product on its
    page, so the showrooms are looked up only when there are some)."""
    return sa.exists().where(StockLevel.location_id == Showroom.location_id, _holding(product_id_column))


def showrooms_holding(product_id: int) -> list[Showroom]:
    """The active showrooms holding units of the product now, by name (one query; the product page)."""
    return list(db.session.scalars(
        sa.select(Showroom).join(StockLevel, StockLevel.location_id == Showroom.location_id)
        .where(_holding(product_id)).order_by(Showroom.name)
    ))


# --- Staff ---------------------------------------------------------------------------------------------

def members(showroom: Showroom) -> list[ShowroomMember]:
    """The showroom's staff with their accounts, by name."""
    return list(db.session.scalars(
        sa.select(ShowroomMember).join(ShowroomMember.user).options(joinedload(ShowroomMember.user))
        .where(ShowroomMember.showroom_id == showroom.id).order_by(User.full_name)
    ))


def memberships(user) -> list[ShowroomMember]:
    """The showrooms a user works in (with each showroom), by showroom name; none for other roles."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.SHOWROOM_STAFF:
        return []
    return list(db.session.scalars(
        sa.select(ShowroomMember).join(ShowroomMember.showroom).options(joinedload(ShowroomMember.showroom))
        .where(ShowroomMember.user_id == user.id).order_by(Showroom.name)
    ))


def membership(user, showroom_id: int) -> ShowroomMember | None:
    """The user's membership of that showroom, or None."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.SHOWROOM_STAFF or not user.is_active:
        return None
    return db.session.scalars(sa.select(ShowroomMember).where(
        ShowroomMember.user_id == user.id, ShowroomMember.showroom_id == showroom_id)).first()


def add_member(showroom: Showroom, user: User, role: StaffRole | str) -> ShowroomMember:
    """Make `user` staff of the showroom (or change their role there). Producer members and admins keep
    their own role: one account has one role, so they are refused."""
    role = StaffRole(role)
    if user.role in (Role.PRODUCER, Role.ADMIN):
        raise StaffError(_("This account belongs to a producer or to the program office; "
                           "invite another e-mail address."))
    existing = db.session.scalars(sa.select(ShowroomMember).where(
        ShowroomMember.user_id == user.id, ShowroomMember.showroom_id == showroom.id)).first()
    if existing is not None:
        existing.role = role
        db.session.flush()
        return existing
    member = ShowroomMember(showroom_id=showroom.id, user_id=user.id, role=role)
    db.session.add(member)
    user.role = Role.SHOWROOM_STAFF
    if user.location_id is None:
        user.location_id = showroom.location_id
    db.session.flush()
    return member


def remove_member(showroom: Showroom, user: User) -> None:
    """Take the user off the showroom's staff. Their account points at another showroom they still work
    in; with none left it becomes an ordinary shopper's account."""
    member = db.session.scalars(sa.select(ShowroomMember).where(
        ShowroomMember.user_id == user.id, ShowroomMember.showroom_id == showroom.id)).first()
    if member is None:
        raise StaffError(_("This person is not on the showroom's staff."))
    db.session.delete(member)
    db.session.flush()
    remaining = db.session.scalars(
        sa.select(Showroom.location_id).join(ShowroomMember, ShowroomMember.showroom_id == Showroom.id)
        .where(ShowroomMember.user_id == user.id).order_by(ShowroomMember.id)).first()
    if remaining is None:
        user.role = Role.CONSUMER
        user.location_id = None
    elif user.location_id == showroom.location_id:
        user.location_id = remaining
    db.session.flush()


def consignable_products(producer_id: int) -> list[Product]:
    """The producer's products that can be consigned (not archived), by name."""
    return list(db.session.scalars(
        sa.select(Product).where(Product.producer_id == producer_id, Product.status != ProductStatus.ARCHIVED)
        .order_by(Product.name)))
