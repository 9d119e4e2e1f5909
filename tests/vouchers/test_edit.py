"""The program office edits a voucher: description, value, minimum, dates and limits at any time; code and kind
only until the voucher is first used (a clear refusal after); pausing it from the same screen; bad input
changes nothing; only the program office may."""

import re
from datetime import timedelta

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.dates import today_vn
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import checkout
from marketplace.orders.queries import reload_order
from marketplace.payments import refunds
from marketplace.vouchers import services
from marketplace.vouchers.models import CostBearer, Voucher, VoucherKind
from marketplace.vouchers.rules import VoucherRefused
from marketplace.vouchers.status import VoucherStatus
from tests.factories import make_producer, make_product, make_user
from tests.orders.helpers import address
from tests.vouchers.helpers import make_voucher


def _text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.get_data(as_text=True))


def _form(voucher, **changes) -> dict:
    """The edit form as the page fills it, with some fields changed."""
    form = {key: ("y" if value is True else "" if value is False else value)
            for key, value in services.edit_form_data(voucher).items()}
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def _use(voucher, code=None):
    """A buyer checks out with the voucher (cash on delivery)."""
    buyer = make_user()
    carts.add_to_cart(make_product(price_vnd=200_000, stock=5).id, 1, user=buyer)
    return checkout.place_order(buyer, address=address(), payment_method="cod",
                                token=checkout.new_checkout_token(), voucher_code=code or voucher.code)[0]


def _stored(voucher) -> Voucher:
    db.session.expire_all()
    return db.session.get(Voucher, voucher.id)


@pytest.fixture
def office(client, login_as):
    admin = make_user(role="admin")
    db.session.commit()
    login_as(admin)
    return admin


def test_an_unused_voucher_can_change_everything_on_the_form(client, office):
    """Before any order used it: code, kind, value, description, dates and limits all change."""
    voucher = make_voucher("TET2027", percent=10, total_limit=100)
    db.session.commit()
    page = _text(client.get(f"/admin/vouchers/{voucher.id}/edit"))
    assert "Sửa mã giảm giá TET2027" in page and 'value="TET2027"' in page and "readonly" not in page
    until = today_vn() + timedelta(days=60)
    response = client.post(f"/admin/vouchers/{voucher.id}/edit", data=_form(
        voucher, code="tet-moi", kind="fixed", amount="30.000", percent="", title="Quà Tết OCOP",
        valid_until=until.isoformat(), total_limit="500", per_user_limit="2", min_order="150000"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/vouchers/{voucher.id}")
    stored = _stored(voucher)
    assert (stored.code, stored.kind, stored.amount_vnd, stored.percent, stored.title) == (
        "TET-MOI", VoucherKind.FIXED, 30_000, None, "Quà Tết OCOP")
    assert (stored.valid_until, stored.total_limit, stored.per_user_limit, stored.min_order_vnd) == (
        until, 500, 2, 150_000)
    assert "Đã lưu mã giảm giá TET-MOI." in _text(client.get(response.headers["Location"]))


def test_a_used_voucher_keeps_its_code_and_kind_with_a_clear_message(client, office):
    """Once an order used it: the page says why code and kind are locked; a request changing them anyway is
    refused with that reason (422) and changes nothing; dates, limits and description still change."""
    voucher = make_voucher("DUNGROI", percent=10, total_limit=50, per_user_limit=None)
    _use(voucher)
    db.session.commit()
    page = _text(client.get(f"/admin/vouchers/{voucher.id}/edit"))
    assert "Mã này đã được dùng cho 1 đơn hàng, nên không thể đổi mã và loại giảm giá nữa" in page
    assert re.search(r'id="code"[^>]*readonly', page) and "disabled" in page

    refused = client.post(f"/admin/vouchers/{voucher.id}/edit?lang=en", data=_form(voucher, code="KHAC"))
    assert refused.status_code == 422
    assert "The code cannot be changed: it was already used on 1 orders." in _text(refused)
    refused = client.post(f"/admin/vouchers/{voucher.id}/edit?lang=vi", data=_form(voucher, kind="free_shipping"))
    assert refused.status_code == 422 and "Không thể đổi loại giảm giá" in _text(refused)
    assert (_stored(voucher).code, _stored(voucher).kind) == ("DUNGROI", VoucherKind.PERCENT)

    # The disabled kind radios are not sent by the browser: the kind stays, the rest is saved.
    form = _form(voucher, title="Giảm 15 %", percent="15", total_limit="80")
    del form["kind"]
    assert client.post(f"/admin/vouchers/{voucher.id}/edit", data=form).status_code == 302
    stored = _stored(voucher)
    assert (stored.code, stored.kind, stored.percent, stored.total_limit, stored.title) == (
        "DUNGROI", VoucherKind.PERCENT, 15, 80, "Giảm 15 %")


def test_a_cancelled_order_still_counts_as_used(client, office):
    """A use given back by a cancelled order still locks the code: that order showed it to its buyer."""
    voucher = make_voucher("HUYDON", percent=10)
    order = _use(voucher)
    refunds.cancel_order_by_buyer(reload_order(order), actor=make_user(), reason_code="changed_mind")
    assert _stored(voucher).used_count == 0
    with pytest.raises(services.InvalidVoucher) as refused:
        services.update_voucher(_stored(voucher), _form(voucher, code="MOI"), actor=office)
    assert "code" in refused.value.errors


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"total_limit": "1"}, "total_limit", "Already used on 2 orders: the limit cannot be lower than that."),
    ({"valid_until": "31/02/2027"}, "valid_until", "Please enter a date (dd/mm/yyyy)."),
    ({"valid_until": (today_vn() - timedelta(days=1)).isoformat()}, "valid_until",
     "The last day is already past. To stop the voucher now, pause it."),
    ({"percent": "0"}, "percent", "Write a whole percentage from 1 to 100."),
    ({"max_discount": "0"}, "max_discount", "Leave the maximum empty for no cap"),
    ({"per_user_limit": "²"}, "per_user_limit", "Write a whole number from 1 to 1000"),
    ({"title": "x" * 121}, "title", "At most 120 characters."),
])
def test_bad_edits_are_refused_on_their_field_and_change_nothing(client, office, changes, field, message):
    """Each bad value: 422, the message next to the field, what was typed still in the form, nothing saved."""
    voucher = make_voucher("HAILAN", percent=10, total_limit=10, per_user_limit=None)
    _use(voucher)
    _use(voucher)
    db.session.commit()
    before = services.edit_form_data(_stored(voucher))
    response = client.post(f"/admin/vouchers/{voucher.id}/edit?lang=en", data=_form(voucher, **changes))
    assert response.status_code == 422
    page = _text(response)
    assert message in page and f'id="{field}-error"' in page
    typed = next(iter(changes.values()))
    if len(typed) < 20:
        assert f'value="{typed}"' in page
    assert services.edit_form_data(_stored(voucher)) == before


def test_pausing_from_the_edit_screen_stops_the_voucher_at_checkout(client, office):
    """"Pause (deactivate)" on the edit screen: back on the edit screen, and a buyer's checkout is refused."""
    voucher = make_voucher("DUNG", percent=10)
    db.session.commit()
    assert "Tạm dừng (ngừng cho dùng)" in _text(client.get(f"/admin/vouchers/{voucher.id}/edit"))
    response = client.post(f"/admin/vouchers/{voucher.id}/status", data={"back": "edit"})
    assert response.headers["Location"].endswith(f"/admin/vouchers/{voucher.id}/edit")
    assert _stored(voucher).status == VoucherStatus.PAUSED
    with pytest.raises(VoucherRefused) as refused:
        _use(voucher)
    assert refused.value.reason == "paused"
    page = _text(client.get(f"/admin/vouchers/{voucher.id}/edit"))
    assert "Tạm dừng</dd>" in page and ">Tiếp tục</button>" in page


def test_a_use_taken_while_editing_cannot_slip_under_the_new_limit(office, monkeypatch):
    """The edit read the voucher with no use; a checkout takes one before the edit writes a limit and a new
    code: the conditional write matches nothing, the edit is refused, the voucher unchanged."""
    voucher = make_voucher("DUAXE", percent=10, total_limit=5, per_user_limit=None)
    form = _form(voucher, code="DUAXE-2", total_limit="1")
    _use(voucher)
    # What the edit read before the checkout: no use yet (kept in memory only, nothing written).
    stale = _stored(voucher)
    set_committed_value(stale, "used_count", 0)
    monkeypatch.setattr(services, "times_used", lambda _voucher: 0)
    with pytest.raises(DomainError) as refused:
        services.update_voucher(stale, form, actor=office)
    assert "Vừa có người mua dùng mã này" in refused.value.message
    stored = _stored(voucher)
    assert (stored.code, stored.total_limit, stored.used_count) == ("DUAXE", 5, 1)


def test_only_the_program_office_edits_vouchers(client, login_as):
    """A producer member (even of the voucher's shop) and a buyer get 403; an unknown id is 404."""
    shop = make_producer()
    voucher = make_voucher("SHOP", producer=shop, bearer=CostBearer.PRODUCER)
    member = make_user(role="producer", producer=shop)
    buyer = make_user()
    admin = make_user(role="admin")
    db.session.commit()
    for user in (member, buyer):
        login_as(user)
        assert client.get(f"/admin/vouchers/{voucher.id}/edit").status_code == 403
        assert client.post(f"/admin/vouchers/{voucher.id}/edit", data=_form(voucher, title="x")).status_code == 403
    assert _stored(voucher).title == ""
    login_as(admin)
    assert client.get("/admin/vouchers/999999/edit").status_code == 404
