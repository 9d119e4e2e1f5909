"""Showroom test data: plain functions, like tests.factories."""

import itertools
from datetime import date

from marketplace.accounts.models import Role
from marketplace.showrooms import consignments, services
from marketplace.showrooms.models import Showroom, StaffRole
from tests.factories import make_user

_counter = itertools.count(1)
BA_DINH, HOAN_KIEM = 4, 70


def make_showroom(name=None, *, ward_code=BA_DINH, commission_rate_bp=1500, latitude=21.0341, longitude=105.8372,
                  **fields) -> Showroom:
    n = next(_counter)
    details = services.ShowroomDetails(
        name=name or f"Điểm OCOP Thử {n}", ward_code=ward_code, street=fields.get("street", f"Số {n} Phố Thử"),
        opening_hours=fields.get("opening_hours", "8:00–21:00"), phone=fields.get("phone", "024 3823 0000"),
        latitude=latitude, longitude=longitude, commission_rate_bp=commission_rate_bp)
    return services.create_showroom(details)


def make_staff(showroom: Showroom, role=StaffRole.MANAGER, **fields):
    user = make_user(role=Role.SHOWROOM_STAFF, location_id=showroom.location_id, **fields)
    services.add_member(showroom, user, role)
    return user


def deliver(showroom, product, quantity, lot="L1", best_before: date | None = None, *, actor=None,
            counted=None, reason=""):
    """Record and receive a one-line delivery; returns the consignment."""
    consignment = consignments.record_delivery(
        showroom, product.producer_id,
        [consignments.DeliveryLine(product.id, quantity, lot, best_before)], actor=actor)
    line = consignments.lines_of(consignment)[0]
    consignments.receive(consignment, {line.id: quantity if counted is None else counted}, {line.id: reason},
                         actor=actor)
    return consignment
