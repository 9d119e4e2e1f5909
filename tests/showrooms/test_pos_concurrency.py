"""Two tills selling the last unit of a product at the same moment: exactly one sale is recorded (PostgreSQL).

SQLite serialises every writer on one database lock, so the race cannot happen there: the test skips on SQLite
and runs with TEST_DATABASE_URL pointing at PostgreSQL.
"""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.showrooms import lots, sales
from marketplace.showrooms.models import PosSale, Showroom, StaffRole
from tests.factories import make_product
from tests.showrooms.helpers import deliver, make_showroom, make_staff

pytestmark = [pytest.mark.committed, pytest.mark.postgres(
    reason="SQLite serialises all writers on one lock, so two tills cannot race there")]


def test_two_tills_selling_the_last_unit_one_succeeds(app):
    showroom = make_showroom()
    product = make_product(price_vnd=50000)
    deliver(showroom, product, 1, lot="LAST", best_before=date(2027, 1, 1))
    clerks = [make_staff(showroom, StaffRole.CLERK).id for _ in range(2)]
    db.session.commit()
    showroom_id, product_id, location_id = showroom.id, product.id, showroom.location_id
    barrier = threading.Barrier(2, timeout=30)
    results = []

    def sell(n, clerk_id):
        with app.app_context(), app.test_request_context("/"):
            till = db.session.get(Showroom, showroom_id)
            clerk = db.session.get(User, clerk_id)
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                sales.complete_sale(till, [sales.LineInput(product_id, 1)], sales.PaymentInput("card"),
                                    f"race-till-{n:04d}", clerk)
                db.session.commit()
                results.append("ok")
            except sales.SaleConflict:
                db.session.rollback()
                results.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sell, args=(n, clerk)) for n, clerk in enumerate(clerks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["conflict", "ok"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PosSale)) == 1
    assert db.session.scalar(sa.select(sa.func.sum(SaleEntry.quantity))) == 1
    assert lots.level_quantity(product_id, location_id) == 0 == lots.lot_total(product_id, location_id)
