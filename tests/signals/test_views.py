"""The demand-signal pages as admins, producers and outsiders see them, and their exports."""

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders.models import Address
from marketplace.signals.models import SearchProvince
from marketplace.stock import services as stock_services
from marketplace.stock.models import Location, LocationKind
from tests.factories import make_producer, make_product, make_user


def _run_out(product):
    level = stock_services.level_for(product.id, stock_services.warehouse_for(product.producer).id)
    stock_services.set_counted(level, 0, reason="counted")


def _shops():
    """Two producers, each with a product that ran out and a product left in a cart."""
    mine, theirs = make_producer("HTX Mật ong Mèo Vạc"), make_producer("Công ty Gốm Bát Tràng")
    honey = make_product("Mật ong bạc hà", producer=mine, group_code="1.2", stock=3)
    vase = make_product("Bình gốm men lam", producer=theirs, group_code="4.1", stock=3)
    for product in (honey, vase):
        _run_out(product)
    buyer = make_user()
    carts.add_to_cart(make_product("Phấn hoa", producer=mine, group_code="1.2").id, 1, user=buyer)
    carts.add_to_cart(make_product("Đĩa gốm hoa sen", producer=theirs, group_code="4.1").id, 1, user=buyer)
    return mine, theirs


def test_a_search_that_finds_nothing_is_kept_with_the_buyers_province(client, login_as):
    """A signed-in buyer with a saved address searching for what nobody sells leaves the search and its province."""
    buyer = make_user()
    db.session.add(Address(user_id=buyer.id, full_name="An", phone="0912345678", province_code=79, ward_code=1,
                           street="1 Lê Lợi"))
    db.session.flush()
    login_as(buyer)
    assert client.get("/products?q=yến+sào+khánh+hòa").status_code == 200
    assert db.session.scalar(sa.select(SearchProvince.province_code)) == 79


def test_admin_sees_every_signal_with_producers_and_the_search_texts(client, login_as):
    """The office's page lists both producers' stock-outs and carts and the missed search."""
    _shops()
    client.get("/products?q=n%C3%B3n+l%C3%A1+b%C3%A0i+th%C6%A1")
    login_as(make_user(role=Role.ADMIN))
    page = client.get("/admin/signals?lang=en").get_data(as_text=True)
    for text in ("nón lá bài thơ", "Mật ong bạc hà", "Bình gốm men lam", "Phấn hoa", "Đĩa gốm hoa sen",
                 "Công ty Gốm Bát Tràng"):
        assert text in page


def test_a_producer_sees_only_its_own_stock_outs_and_carts(client, login_as):
    """Another producer's product names and figures never appear on a producer's page nor in its exports."""
    mine, theirs = _shops()
    login_as(make_user(role=Role.PRODUCER, producer=mine))
    page = client.get("/manage/signals?lang=en").get_data(as_text=True)
    assert "Mật ong bạc hà" in page and "Phấn hoa" in page
    assert "Bình gốm men lam" not in page and "Đĩa gốm hoa sen" not in page
    # ?producer= naming the other shop is ignored for a member.
    other = client.get(f"/manage/signals?producer={theirs.id}").get_data(as_text=True)
    assert "Bình gốm men lam" not in other
    for table in ("out_of_stock", "carts"):
        body = client.get(f"/manage/signals/export/{table}.csv?producer={theirs.id}").data.decode("utf-8-sig")
        assert "gốm" not in body.lower()


def test_a_producer_sees_the_missed_searches_of_its_groups_and_all_on_request(client, login_as):
    """A honey producer sees 'mật ong rừng' but not 'nón lá bài thơ' until it asks for every search."""
    mine, _theirs = _shops()
    client.get("/products?q=m%E1%BA%ADt+ong+r%E1%BB%ABng")
    client.get("/products?q=n%C3%B3n+l%C3%A1+b%C3%A0i+th%C6%A1")
    login_as(make_user(role=Role.PRODUCER, producer=mine))
    page = client.get("/manage/signals").get_data(as_text=True)
    assert "mật ong rừng" in page and "nón lá bài thơ" not in page
    everything = client.get("/manage/signals?searches=all").get_data(as_text=True)
    assert "nón lá bài thơ" in everything


def test_outsiders_are_refused(client, login_as):
    """Guests go to the login page; consumers, producers and showroom staff get 403 on the office's page and
    its exports; consumers on /manage."""
    assert client.get("/admin/signals").status_code in (302, 303)
    login_as(make_user())
    assert client.get("/admin/signals").status_code == 403
    assert client.get("/manage/signals").status_code == 403
    assert client.get("/admin/signals/export/searches.csv").status_code == 403
    login_as(make_user(role=Role.PRODUCER, producer=make_producer()))
    assert client.get("/admin/signals").status_code == 403
    assert client.get("/admin/signals/export/searches.xlsx").status_code == 403
    showroom = Location(kind=LocationKind.SHOWROOM, name="Điểm OCOP Thử")
    db.session.add(showroom)
    db.session.flush()
    login_as(make_user(role=Role.SHOWROOM_STAFF, location_id=showroom.id))
    assert client.get("/admin/signals").status_code == 403
    assert client.get("/admin/signals/export/searches.csv").status_code == 403


def test_exports_are_formula_safe_and_hold_the_page_figures(client, login_as):
    """A search typed as a formula is text in CSV and XLSX; counts are numbers; unknown tables are 404."""
    for _ in range(2):
        client.get("/products?q=%3DHYPERLINK(%22x%22)+nuoc")
    login_as(make_user(role=Role.ADMIN))
    rows = list(csv.reader(io.StringIO(client.get("/admin/signals/export/searches.csv").data.decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=") and rows[1][1] == "2"
    response = client.get("/admin/signals/export/searches.xlsx")
    assert "no-store" in response.headers["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.cell(2, 1).value.startswith("'=") and sheet.cell(2, 2).value == 2
    assert client.get("/admin/signals/export/secrets.csv").status_code == 404
    assert client.get("/admin/signals/export/searches.pdf").status_code == 404


def test_bad_period_is_explained_in_vietnamese(client, login_as):
    """A date that is not one gets a Vietnamese message and the page still shows."""
    login_as(make_user(role=Role.ADMIN))
    page = client.get("/admin/signals?from=abc&lang=vi")
    assert page.status_code == 200
    assert "Không hiểu được ngày bắt đầu" in page.get_data(as_text=True)


def test_most_wanted_requests_show_for_the_office_and_by_group_for_producers(client, login_as):
    """Two requests for fish sauce and one for tea: the office sees both rows with counts; a fish-sauce producer
    sees only its group's row, and the export holds the same count."""
    from tests.linkage.sample import post

    post(title="Nước mắm cốt Phú Quốc", group_code="1.4")
    post(title="NUOC MAM COT PHU QUOC", group_code="1.4")
    post(title="Chè Shan tuyết", group_code="1.5")
    login_as(make_user(role=Role.ADMIN))
    page = client.get("/admin/signals?lang=en").get_data(as_text=True)
    assert "nuoc mam cot phu quoc" in page and "che shan tuyet" in page
    producer = make_producer()
    make_product("Nước mắm Nam Ô", producer=producer, group_code="1.4")
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    mine = client.get("/manage/signals?lang=en").get_data(as_text=True)
    assert "nuoc mam cot phu quoc" in mine and "che shan tuyet" not in mine
    rows = list(csv.reader(io.StringIO(client.get("/manage/signals/export/wanted.csv").data.decode("utf-8-sig"))))
    assert rows[1][0] == "nuoc mam cot phu quoc" and rows[1][2] == "2"
