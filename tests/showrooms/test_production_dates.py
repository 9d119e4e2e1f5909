"""The delivery form's production date per line: it reaches the lot (and its public traceability page) on
receipt; a date in the future, after the best-before date, or not a date is refused with the line named."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.showrooms import consignments, lots
from marketplace.showrooms.models import Consignment, Lot
from tests.factories import make_producer, make_product, make_user
from tests.showrooms.helpers import make_showroom, make_staff


def _form(showroom, product, produced_on, best_before=None):
    best_before = best_before or (today_vn() + timedelta(days=90)).isoformat()
    return {"showroom": str(showroom.id), "product_0": str(product.id), "quantity_0": "6", "lot_0": "NSX-1",
            "best_before_0": best_before, "produced_on_0": produced_on}


@pytest.fixture()
def member(app, login_as):
    producer = make_producer()
    product = make_product(producer=producer, stock=0)
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    return make_showroom(), product


def test_the_production_date_reaches_the_lot_and_its_public_page(app, client, login_as, member):
    """Recorded by the producer, received by the manager: the lot carries the date, the QR page shows it."""
    showroom, product = member
    made = today_vn() - timedelta(days=10)
    assert client.get("/manage/consignments/new").get_data(as_text=True).count('name="produced_on_') == 8
    assert client.post("/manage/consignments/new", data=_form(showroom, product, made.isoformat())).status_code == 302
    consignment = db.session.scalar(sa.select(Consignment))
    line = consignments.lines_of(consignment)[0]
    assert line.produced_on == made
    manager = login_as(make_staff(showroom), app.test_client())
    assert manager.post(f"/manage/showrooms/{showroom.id}/consignments/{consignment.id}",
                        data={f"counted_{line.id}": "6"}).status_code == 302
    lot = db.session.scalar(sa.select(Lot).where(Lot.code == "NSX-1"))
    assert lot.produced_on == made
    page = client.get(f"/lot/{lot.public_code}").get_data(as_text=True)
    assert made.strftime("%d/%m/%Y") in page


@pytest.mark.parametrize(("produced_on", "best_before", "message"), [
    ("tomorrow", None, "Line 1: The production date cannot be in the future."),
    ("2027-01-10", "2027-01-01", "Line 1: The production date cannot be after the best-before date."),
    ("31/02/2026", None, "Line 1: the production date is not a date (dd/mm/yyyy)."),
    ("hôm qua", None, "Line 1: the production date is not a date (dd/mm/yyyy)."),
])
def test_a_wrong_production_date_is_refused_and_nothing_is_recorded(client, member, produced_on, best_before, message):
    showroom, product = member
    if produced_on == "tomorrow":
        produced_on = (today_vn() + timedelta(days=1)).isoformat()
    if best_before == "2027-01-01":
        produced_on, best_before = (today_vn() - timedelta(days=1)).isoformat(), (today_vn() - timedelta(days=5)).isoformat()
        message = "Line 1: The production date cannot be after the best-before date."
    response = client.post("/manage/consignments/new?lang=en", data=_form(showroom, product, produced_on, best_before))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and f'value="{produced_on}"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consignment)) == 0


def test_the_service_refuses_dates_too_and_a_known_lot_keeps_its_production_date(app):
    """record_delivery checks the dates itself; a lot recorded with one production date refuses another."""
    showroom, product = make_showroom(), make_product(stock=0)
    future = consignments.DeliveryLine(product.id, 1, "S-1", None, today_vn() + timedelta(days=2))
    with pytest.raises(consignments.ConsignmentError):
        consignments.record_delivery(showroom, product.producer_id, [future], actor=None)
    lot = lots.lot_for(product.id, "S-2", date(2027, 1, 1), date(2026, 10, 1))
    assert lot.produced_on == date(2026, 10, 1)
    with pytest.raises(lots.LotError):
        lots.lot_for(product.id, "S-2", date(2027, 1, 1), date(2026, 10, 2))
    other = consignments.DeliveryLine(product.id, 1, "S-2", date(2027, 1, 1), date(2026, 10, 2))
    with pytest.raises(consignments.ConsignmentError):
        consignments.record_delivery(showroom, product.producer_id, [other], actor=None)
