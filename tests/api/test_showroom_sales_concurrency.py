"""The same till sale id posted twice at the same moment through the API: exactly one sale and one set of ledger
rows (PostgreSQL). SQLite serialises every writer on one lock, so the race cannot happen there."""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.api import tokens
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.showrooms import lots
from marketplace.showrooms.models import PosSale
from tests.factories import make_product, make_user
from tests.showrooms.helpers import deliver, make_showroom

pytestmark = [pytest.mark.committed, pytest.mark.postgres(
    reason="SQLite serialises all writers on one lock, so two posts cannot race there")]


def test_two_concurrent_posts_of_one_sale_id_record_one_sale_and_one_set_of_ledger_rows(app):
    showroom = make_showroom()
    product = make_product("Tương Cự Đà", price_vnd=45000, barcode="8934563138165", sku="TCD-RACE", stock=0)
    deliver(showroom, product, 10, lot="A1", best_before=date(2027, 3, 1))
    _row, secret = tokens.create_token(showroom, "Quầy 1", make_user())
    db.session.commit()
    body = {"sale_id": "race-sale-0001", "occurred_at": "2026-12-01T09:30:00+07:00", "payment_method": "cash",
            "lines": [{"barcode": "8934563138165", "quantity": 3, "unit_price": 45000}]}
    barrier = threading.Barrier(2, timeout=30)
    answers = []

    def post():
        client = app.test_client()
        barrier.wait(timeout=30)
        response = client.post("/api/v1/showroom-sales", json=body, headers={"Authorization": f"Bearer {secret}"})
        answers.append((response.status_code, response.get_json()["sale"]["number"]))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(status for status, _number in answers) == [200, 201]
    assert answers[0][1] == answers[1][1]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PosSale)) == 1
    entries = list(db.session.scalars(sa.select(SaleEntry)))
    assert sum(entry.quantity for entry in entries) == 3 and sum(entry.total_vnd for entry in entries) == 135000
    assert lots.lot_total(product.id, showroom.location_id) == 7
