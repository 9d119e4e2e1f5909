"""The figures page and its exports: charts and tables, own producer only, exports that parse back."""

import csv
import io

import pytest
from openpyxl import load_workbook

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.stock import services as stock
from tests.factories import make_product, make_user
from tests.settlements.sample import sale, vn

PERIOD = "from=2026-11-01&to=2026-11-10"


def _shop(product):
    """The product's producer (a product never loads it implicitly)."""
    return db.session.get(Producer, product.producer_id)


@pytest.fixture
def shops():
    """Producer A sold tea and sauce, producer B sold a vase; A's tea is low on stock."""
    tea = make_product("Chè Thái Nguyên", price_vnd=50000, stock=3)
    sauce = make_product("=HYPERLINK(\"http://evil\")", producer=tea.producer, price_vnd=30000)
    vase = make_product("Bình gốm Chu Đậu", price_vnd=900000)
    stock.level_for(tea.id, stock.warehouse_for(tea.producer).id).low_stock_threshold = 5
    sale(tea, 2, when=vn(2026, 11, 2), province_code=1)
    sale(sauce, 3, when=vn(2026, 11, 4), province_code=79)
    sale(vase, 1, when=vn(2026, 11, 4))
    db.session.commit()
    return tea, sauce, vase


def sign_in(login_as, role, producer=None):
    user = make_user(role=role, producer=producer)
    db.session.commit()
    return login_as(user)


def test_producer_sees_charts_and_tables_of_its_own_sales(client, login_as, shops):
    """The page has SVG charts and tables with the producer's figures, and nothing of another producer."""
    tea, sauce, vase = shops
    sign_in(login_as, Role.PRODUCER, _shop(tea))
    response = client.get(f"/manage/figures?{PERIOD}&lang=en")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.count("<svg") >= 4
    assert "Chè Thái Nguyên" in text and "190.000" in text
    assert "Bình gốm Chu Đậu" not in text and "900.000" not in text
    assert 'class="low-stock"' in text
    top = text.split('id="top-heading"', 1)[1].split("</section>", 1)[0]
    assert 'id="chart-top-title"' in top and "Chè Thái Nguyên" in top and "Bình gốm Chu Đậu" not in top


def test_a_member_cannot_see_another_producers_figures_by_asking(client, login_as, shops):
    """?producer= naming another producer is ignored for members: they still see only their own figures."""
    tea, _sauce, vase = shops
    sign_in(login_as, Role.PRODUCER, _shop(tea))
    text = client.get(f"/manage/figures?producer={vase.producer_id}&{PERIOD}").get_data(as_text=True)
    assert "Bình gốm Chu Đậu" not in text
    export = client.get(f"/manage/figures/export/products.csv?producer={vase.producer_id}&{PERIOD}")
    assert "Bình gốm Chu Đậu" not in export.get_data().decode("utf-8-sig")


def test_consumers_and_guests_cannot_see_figures(client, login_as, shops):
    """Guests are sent to log in; consumers and showroom-less users get 403; admins must name a producer."""
    assert client.get("/manage/figures").status_code == 302
    assert client.get("/manage/figures/export/products.csv").status_code == 302
    sign_in(login_as, Role.CONSUMER)
    assert client.get("/manage/figures").status_code == 403
    assert client.get("/manage/figures/export/products.xlsx").status_code == 403


def test_admin_sees_a_named_producers_figures(client, login_as, shops):
    """An admin opens any producer's figures with ?producer=; without it or with a bad id, 404."""
    tea, _sauce, vase = shops
    sign_in(login_as, Role.ADMIN)
    text = client.get(f"/manage/figures?producer={vase.producer_id}&{PERIOD}").get_data(as_text=True)
    assert "Bình gốm Chu Đậu" in text and "Chè Thái Nguyên" not in text
    assert client.get("/manage/figures").status_code == 404
    for bad in ("abc", "999999", "-1", "1" * 40):
        assert client.get(f"/manage/figures?producer={bad}").status_code == 404


@pytest.mark.parametrize("table, expected", [
    ("products", {"'=HYPERLINK(\"http://evil\")": (3, 90000), "Chè Thái Nguyên": (2, 100000)}),
    ("provinces", {"Hà Nội": (2, 100000), "Hồ Chí Minh": (3, 90000)}),
    ("channels", {"Online": (5, 190000)}),
])
def test_csv_and_xlsx_exports_parse_back_with_the_same_numbers(client, login_as, shops, table, expected):
    """Both formats carry the page's figures; text that looks like a formula is neutralised."""
    tea = shops[0]
    sign_in(login_as, Role.PRODUCER, _shop(tea))
    response = client.get(f"/manage/figures/export/{table}.csv?{PERIOD}&lang=en")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][1:] == ["Units", "Revenue (VND)"]
    assert {row[0]: (int(row[1]), int(row[2])) for row in rows[1:]} == expected
    workbook = load_workbook(io.BytesIO(client.get(f"/manage/figures/export/{table}.xlsx?{PERIOD}&lang=en").data))
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    assert list(sheet_rows[0][1:]) == ["Units", "Revenue (VND)"]
    assert {row[0]: (row[1], row[2]) for row in sheet_rows[1:]} == expected


def test_timeline_and_low_stock_exports(client, login_as, shops):
    """The timeline export has one row per day of the period; low stock lists the tea."""
    tea = shops[0]
    sign_in(login_as, Role.PRODUCER, _shop(tea))
    rows = list(csv.reader(io.StringIO(
        client.get(f"/manage/figures/export/timeline.csv?{PERIOD}").get_data().decode("utf-8-sig"))))
    assert len(rows) == 1 + 10
    assert sum(int(row[2]) for row in rows[1:]) == 190000
    workbook = load_workbook(io.BytesIO(client.get("/manage/figures/export/low_stock.xlsx").data))
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    assert sheet_rows[1][0] == "Chè Thái Nguyên" and sheet_rows[1][3:] == (3, 5)


@pytest.mark.parametrize("query", [
    "from=abc&to=def", "from=2026-02-31", "to=99999-01-01", "by=hour", "by=", "from=2026-11-10&to=2026-11-01",
    "from=1900-01-01&to=2100-12-31&by=day", "from=%01&to=%ff", "from=" + "9" * 500, "by=month&from=01/01/2025",
])
def test_bad_filters_never_fail(client, login_as, shops, query):
    """Any filter values give a page (and exports) with a message, never a server error."""
    sign_in(login_as, Role.PRODUCER, _shop(shops[0]))
    assert client.get(f"/manage/figures?{query}").status_code == 200
    assert client.get(f"/manage/figures/export/timeline.csv?{query}").status_code == 200


@pytest.mark.parametrize("path", ["/manage/figures/export/secrets.csv", "/manage/figures/export/products.pdf",
                                  "/manage/figures/export/../products.csv"])
def test_unknown_exports_are_404(client, login_as, shops, path):
    """Only the listed tables and formats exist."""
    sign_in(login_as, Role.PRODUCER, _shop(shops[0]))
    assert client.get(path).status_code == 404


def test_totals_compare_with_the_previous_period_of_the_same_length(client, login_as, shops):
    """10 days (1-10 Nov) against the 10 days before (22-31 Oct): tea sold 2 then, 2+3 units now."""
    tea, sauce, _vase = shops
    sale(tea, 2, when=vn(2026, 10, 25))
    sale(tea, 1, when=vn(2026, 10, 21))  # the day before the previous period: not counted
    db.session.commit()
    sign_in(login_as, Role.PRODUCER, _shop(tea))
    text = client.get(f"/manage/figures?{PERIOD}&lang=vi").get_data(as_text=True)
    totals = text.split('class="figure-totals"', 1)[1].split("</ul>", 1)[0]
    # Now 2 x 50.000 + 3 x 30.000 = 190.000 in 5 units; before 100.000 in 2 units.
    assert "+90,0&nbsp;%" in totals and "+150,0&nbsp;%" in totals
    assert "22/10/2026" in text and "31/10/2026" in text and "100.000" in text
    assert "kỳ trước" in text


def test_no_previous_sales_says_so_instead_of_a_percentage(client, login_as, shops):
    tea, _sauce, _vase = shops
    sign_in(login_as, Role.PRODUCER, _shop(tea))
    text = client.get(f"/manage/figures?{PERIOD}&lang=en").get_data(as_text=True)
    totals = text.split('class="figure-totals"', 1)[1].split("</ul>", 1)[0]
    assert "no sales in the previous period" in totals and "%" not in totals.replace("&nbsp;%", "")
