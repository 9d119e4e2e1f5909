"""The till close: takings by payment method with voids netted, expected versus counted cash, the note required
for a difference, a closed shift never changes (later sales go to the next shift), corrections, access."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.showrooms import closes, sales
from marketplace.showrooms.models import StaffRole, TillClose, TillCloseCorrection
from tests.factories import make_product
from tests.showrooms.helpers import deliver, make_showroom, make_staff


@pytest.fixture()
def shop(app):
    showroom = make_showroom()
    product = make_product("Chè Tân Cương", price_vnd=50000, sku="CHE-1")
    deliver(showroom, product, 20, lot="C1", best_before=date(2027, 6, 1))
    manager = make_staff(showroom, StaffRole.MANAGER)
    db.session.commit()
    return showroom, product, manager


def _sell(showroom, product, manager, client_id, method="cash", quantity=1):
    sale = sales.complete_sale(showroom, [sales.LineInput(product.id, quantity)],
                               sales.PaymentInput(method, cash_received_vnd=200000 if method == "cash" else None),
                               client_id, manager)
    db.session.commit()
    return sale


def test_totals_by_method_voids_netted_and_the_difference(shop):
    showroom, product, manager = shop
    _sell(showroom, product, manager, "close-cash-1", quantity=2)
    voided = _sell(showroom, product, manager, "close-cash-2")
    _sell(showroom, product, manager, "close-card-1", method="card")
    _sell(showroom, product, manager, "close-bank-1", method="bank_transfer", quantity=3)
    sales.void_sale(voided, manager, "wrong item")
    db.session.commit()
    shift = closes.current_shift(showroom)
    assert shift.by_method == {"cash": 100000, "card": 50000, "bank_transfer": 150000}
    assert (shift.sales_count, shift.voids_count) == (4, 1)
    with pytest.raises(closes.CloseError):
        closes.close_shift(showroom, 500000, 590000, "", manager)  # differs, no note
    close = closes.close_shift(showroom, 500000, 590000, "10.000 đ short", manager)
    db.session.commit()
    assert (close.expected_cash_vnd, close.counted_cash_vnd, close.difference_vnd) == (600000, 590000, -10000)
    assert close.shift_number == 1


def test_a_closed_shift_never_changes_and_later_sales_go_to_the_next(shop):
    showroom, product, manager = shop
    sale = _sell(showroom, product, manager, "close-next-1")
    first = closes.close_shift(showroom, 0, 50000, "", manager, now=utcnow())
    db.session.commit()
    _sell(showroom, product, manager, "close-next-2", method="card")
    sales.void_sale(sale, manager, "customer returned it")  # a void of a closed shift's sale: the next shift
    db.session.commit()
    again = closes.shift_totals(showroom, first.period_start, first.closed_at)
    assert again.by_method["cash"] == first.cash_vnd == 50000
    shift = closes.current_shift(showroom, utcnow() + timedelta(seconds=1))
    assert shift.period_start == first.closed_at
    assert shift.by_method == {"cash": -50000, "card": 50000, "bank_transfer": 0}
    second = closes.close_shift(showroom, 0, 0, "refund paid from the drawer", manager,
                                now=utcnow() + timedelta(seconds=1))
    db.session.commit()
    assert (second.shift_number, second.expected_cash_vnd, second.difference_vnd) == (2, -50000, 50000)


def test_correction_is_a_new_record_and_the_close_stays(shop):
    showroom, product, manager = shop
    _sell(showroom, product, manager, "close-corr-1")
    close = closes.close_shift(showroom, 100000, 140000, "short", manager)
    db.session.commit()
    with pytest.raises(closes.CloseError):
        closes.correct_close(close, 150000, "", manager)
    closes.correct_close(close, 150000, "found 10.000 under the tray", manager)
    db.session.commit()
    db.session.expire_all()
    close = closes.get_close(showroom, close.id)
    assert (close.counted_cash_vnd, close.difference_vnd) == (140000, -10000)
    assert closes.effective_count(close) == (150000, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TillCloseCorrection)) == 1


@pytest.mark.parametrize("value", [-1, None, "abc", 10**13, True])
def test_bad_amounts_are_refused(shop, value):
    showroom, _product, manager = shop
    with pytest.raises(closes.CloseError):
        closes.close_shift(showroom, value, 0, "x", manager)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TillClose)) == 0


def test_manager_closes_through_the_pages(client, login_as, shop):
    showroom, product, manager = shop
    _sell(showroom, product, manager, "close-page-1")
    login_as(manager)
    base = f"/manage/showrooms/{showroom.id}/close"
    listing = client.get(base)
    assert listing.status_code == 200 and f"{base}/new" in listing.get_data(as_text=True)
    form = client.get(f"{base}/new")
    assert form.status_code == 200 and "50.000" in form.get_data(as_text=True)
    refused = client.post(f"{base}/new", data={"opening_float": "100.000", "counted_cash": "140000", "note": ""})
    assert refused.status_code == 422
    done = client.post(f"{base}/new", data={"opening_float": "100.000", "counted_cash": "150.000", "note": ""})
    assert done.status_code == 302
    close = db.session.scalars(sa.select(TillClose)).one()
    report = client.get(done.headers["Location"]).get_data(as_text=True)
    assert showroom.name in report and "150.000" in report
    fixed = client.post(f"{base}/{close.id}/correct", data={"counted_cash": "149000", "note": "recount"})
    assert fixed.status_code == 302
    assert "recount" in client.get(f"{base}/{close.id}").get_data(as_text=True)
    assert "149.000" in client.get(base).get_data(as_text=True)  # the list shows the corrected count


def test_clerks_get_403_and_other_showrooms_404(client, login_as, shop):
    showroom, _product, manager = shop
    closes.close_shift(showroom, 0, 0, "", manager)
    db.session.commit()
    close = db.session.scalars(sa.select(TillClose)).one()
    login_as(make_staff(showroom, StaffRole.CLERK))
    assert client.get(f"/manage/showrooms/{showroom.id}/close").status_code == 403
    assert client.get(f"/manage/showrooms/{showroom.id}/close/{close.id}").status_code == 403
    other = make_showroom()
    login_as(make_staff(other, StaffRole.MANAGER))
    assert client.get(f"/manage/showrooms/{showroom.id}/close").status_code == 404
    assert client.get(f"/manage/showrooms/{other.id}/close/{close.id}").status_code == 404
