"""Delivery addresses: checking and normalising what the buyer typed, and the saved addresses."""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace import geo
from marketplace.accounts.models import User
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.inputs import parse_int
from marketplace.orders.models import Address


class InvalidAddress(DomainError):
    """The delivery address is incomplete or wrong; `fields` maps field name to message."""


_PHONE = re.compile(r"^0(3|5|7|8|9)\d{8}$")


def normalise_phone(raw: str | None) -> str | None:
    """A Vietnamese mobile number as 10 digits starting with 0 (accepts +84 / 84 forms), or None."""
    if not raw:
        return None
    text = re.sub(r"[\s.\-()]", "", str(raw))
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    return text if _PHONE.match(text) else None


@dataclass(frozen=True)
class DeliveryAddress:
    full_name: str
    phone: str
    province_code: int
    ward_code: int
    street: str


def validate_address(full_name, phone, province_code, ward_code, street) -> DeliveryAddress:
    """Check and normalise an address; raises InvalidAddress with a message per field."""
    errors: dict[str, str] = {}
    full_name = " ".join(str(full_name or "").split())
    street = " ".join(str(street or "").split())
    if not full_name:
        errors["full_name"] = _("Please enter the recipient's name.")
    elif len(full_name) > 120:
        errors["full_name"] = _("The name is too long (at most 120 characters).")
    normalised = normalise_phone(phone)
    if normalised is None:
        errors["phone"] = _("Please enter a Vietnamese mobile number, e.g. 0912 345 678.")
    province_code = parse_int(province_code, minimum=0)
    if province_code is None or geo.province(province_code) is None:
        errors["province_code"] = _("Please choose a province.")
    ward_code = parse_int(ward_code, minimum=0)
    if ward_code is None or not geo.is_ward_in_province(ward_code, province_code):
        errors["ward_code"] = _("Please choose a commune of the chosen province.")
    if not street:
        errors["street"] = _("Please enter the street address.")
    elif len(street) > 255:
        errors["street"] = _("The street address is too long (at most 255 characters).")
    if errors:
        raise InvalidAddress(_("Please correct the delivery address."), fields=errors)
    return DeliveryAddress(full_name, normalised, province_code, ward_code, street)


def save_address(user: User, address: DeliveryAddress) -> Address:
    """Keep an address for next time (an identical one is not stored twice)."""
    existing = db.session.scalar(sa.select(Address).where(
        Address.user_id == user.id, Address.full_name == address.full_name, Address.phone == address.phone,
        Address.ward_code == address.ward_code, Address.street == address.street,
    ))
    if existing:
        return existing
    saved = Address(user_id=user.id, full_name=address.full_name, phone=address.phone,
                    province_code=address.province_code, ward_code=address.ward_code, street=address.street)
    db.session.add(saved)
    db.session.flush()
    return saved


def saved_addresses(user: User) -> list[Address]:
    return list(db.session.scalars(sa.select(Address).where(Address.user_id == user.id).order_by(Address.id.desc())))
