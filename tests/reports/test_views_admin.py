"""The program analytics pages as the program office, and as everyone else, sees them; their exports."""

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from marketplace.accounts.models import Role
from marketplace.catalog.models import Product
from marketplace.dates import period_bounds
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import SaleEntry
from marketplace.reports import analytics, summary
from tests.core.test_vietnamese_only import visible_text
from tests.factories import make_producer, make_product, make_user
from tests.reports.analytics_sample import FIRST, LAST, build_ledger, sell
from tests.reports.test_rollups import _more_history
from tests.settlements.sample import vn
from tests.showrooms.helpers import make_showroom, make_staff

QUERY = "from=2026-11-02&to=2026-11-08&lang=en"
PAGES = ("/admin/analytics", "/admin/analytics/provinces", "/admin/analytics/products", "/admin/analytics/targets")
#: Every exportable table and the page that shows it.
TABLES = {
    "totals": PAGES[0], "channels": PAGES[0], "timeline": PAGES[0], "top_products": PAGES[0],
    "top_producers": PAGES[0], "producer_provinces": PAGES[1], "buyer_provinces": PAGES[1] + "?map=buyer&",
    "flows": PAGES[1], "groups": PAGES[2], "stars": PAGES[2], "producer_types": PAGES[2],
    "targets": PAGES[3], "province_counts": PAGES[3], "expiring": PAGES[3],
}


class _Tables(HTMLParser):
    """The text of every cell of each <table data-table="..."> of a page, row by row."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._table = self.tables.setdefault(attrs["data-table"], [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(text: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(text)
    return parser.tables


def _number(text) -> int | None:
    """'1.349.999 ₫' -> 1349999, '-100.000 ₫' -> -100000; None for text that holds no number."""
    if isinstance(text, int):
        return text
    digits = re.sub(r"[^0-9-]", "", str(text))
    return int(digits) if re.fullmatch(r"-?[0-9]+", digits) else None


def _numbers(rows) -> list[list]:
    return [[_number(cell) if _number(cell) is not None else cell for cell in row] for row in rows]


@pytest.fixture
def admin(client, login_as):
    user = make_user(role=Role.ADMIN)
    db.session.commit()
    login_as(user)
    return user


def test_overview_shows_totals_growth_channels_and_top_lists(client, admin):
    """The hand-computed figures appear on the overview with their charts."""
    made = build_ledger()
    response = client.get(f"/admin/analytics?{QUERY}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "1.349.999" in text and "+575,0" in text
    tables = page_tables(text)
    assert tables["channels"][1:] == [["Điểm OCOP Mẫu", "4", "499.999 ₫", "3"],
                                      ["Supply-demand linkage", "10", "450.000 ₫", "1"],
                                      ["Online", "6", "400.000 ₫", "4"]]
    assert tables["top_products"][1] == ["Nước mắm B", "14", "650.000 ₫"]
    assert [row[0] for row in tables["timeline"][1:]] == ["02/11/2026", "04/11/2026", "05/11/2026", "06/11/2026",
                                                          "07/11/2026", "08/11/2026"]
    for chart in ("chart-channels", "chart-timeline", "chart-top-products", "chart-top-producers"):
        assert f'id="{chart}-title"' in text and f'id="{chart}-desc"' in text
    assert "Revenue (VND)" in text
    assert made.showroom.name in text


def test_provinces_page_has_a_labelled_tile_map_and_the_same_figures_in_a_table(client, admin):
    """34 tiles, each named with its figure; the table beside it holds the same values."""
    build_ledger()
    text = client.get(f"/admin/analytics/provinces?{QUERY}").get_data(as_text=True)
    tiles = re.findall(r'<g class="map-tile map-level-(\d)" role="img" aria-label="([^"]+)"', text)
    assert len(tiles) == 34
    labels = dict((label.split(":")[0], (level, label)) for level, label in tiles)
    assert labels["An Giang"] == ("5", "An Giang: 650.000\xa0₫")
    assert labels["Hà Nội"][0] == "4" and labels["Quảng Ninh"][0] == "2" and labels["Cà Mau"] == ("0", "Cà Mau: no sales")
    tables = page_tables(text)
    assert tables["producer_provinces"][1:] == [["An Giang", "14", "650.000 ₫", "3"], ["Hà Nội", "5", "499.999 ₫", "4"],
                                                ["Quảng Ninh", "1", "200.000 ₫", "1"]]
    assert ["An Giang", "Hà Nội", "10", "450.000 ₫", "1"] in tables["flows"]
    buyers = client.get(f"/admin/analytics/provinces?{QUERY}&map=buyer").get_data(as_text=True)
    assert 'aria-label="Hồ Chí Minh: 400.000\xa0₫"' in buyers
    assert page_tables(buyers)["buyer_provinces"][1:] == [["Not recorded", "4", "499.999 ₫", "3"],
                                                          ["Hà Nội", "10", "450.000 ₫", "2"],
                                                          ["Hồ Chí Minh", "6", "400.000 ₫", "3"]]


def test_products_page(client, admin):
    """Groups, star levels and producer types."""
    build_ledger()
    tables = page_tables(client.get(f"/admin/analytics/products?{QUERY}").get_data(as_text=True))
    assert tables["groups"][1:] == [["1.4 Condiments", "14", "650.000 ₫"], ["1.5 Tea", "5", "499.999 ₫"],
                                    ["4.1 Household and decorative crafts", "1", "200.000 ₫"]]
    assert tables["stars"][1:] == [["3 stars", "1", "200.000 ₫"], ["4 stars", "14", "650.000 ₫"],
                                   ["5 stars", "5", "499.999 ₫"]]
    assert tables["producer_types"][1][0] == "Enterprise"


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_export_opens_and_holds_the_pages_numbers(client, admin, table):
    """XLSX (read back with openpyxl) and CSV hold exactly the rows the page shows, numbers as numbers."""
    build_ledger()
    page = TABLES[table]
    separator = "&" if "?" in page else "?"
    page_rows = page_tables(client.get(f"{page}{separator}{QUERY}").get_data(as_text=True))[table]
    xlsx = client.get(f"/admin/analytics/export/{table}.xlsx?{QUERY}")
    assert xlsx.status_code == 200
    assert 'attachment; filename="ocop-' in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    sheet_rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    csv_rows = list(csv.reader(io.StringIO(client.get(f"/admin/analytics/export/{table}.csv?{QUERY}")
                                          .data.decode("utf-8-sig"))))
    assert len(sheet_rows) == len(csv_rows)
    if table in ("targets",):
        # The page writes "met"/"not yet met" next to the figure; the export has a column for it.
        assert [row[0] for row in sheet_rows[1:]] == [row[0] for row in page_rows[1:]]
        return
    body = [row for row in page_rows[1:] if not (len(row) == 1)]
    if table == "totals":
        body = [row[:3] for row in body]
        sheet_rows = [row[:3] for row in sheet_rows]
        csv_rows = [row[:3] for row in csv_rows]
    assert _numbers(sheet_rows[1:]) == _numbers(body)
    assert _numbers(csv_rows[1:]) == _numbers(body)
    if table in ("channels", "flows", "groups", "producer_provinces", "top_products"):
        assert any(isinstance(value, int) and value >= 200_000 for row in sheet_rows[1:] for value in row)


def test_exports_are_formula_safe(client, admin):
    """A product named like a formula stays text in CSV and XLSX."""
    producer = make_producer(province_code=1)
    product = make_product('=HYPERLINK("http://evil.example")', producer=producer, stock=0)
    sell(product, 1, 125_000, when=vn(2026, 11, 3), reference="order:x", province=1)
    db.session.commit()
    text = client.get(f"/admin/analytics/export/top_products.csv?{QUERY}").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    sheet = load_workbook(io.BytesIO(client.get(f"/admin/analytics/export/top_products.xlsx?{QUERY}").data)).active
    assert sheet["A2"].value.startswith("'=HYPERLINK") and sheet["A2"].data_type == "s"


def test_unknown_export_is_404(client, admin):
    """Only the listed tables and formats exist."""
    assert client.get("/admin/analytics/export/users.csv").status_code == 404
    assert client.get("/admin/analytics/export/channels.pdf").status_code == 404


@pytest.mark.parametrize("query", [
    "from=nonsense", "to=2026-02-30", "by=decade", "province=abc", "province=99999999999999999999999",
    "group=%3Cscript%3E", "star=7", "channel=showroom:abc", "channel=ONLINE", "map=moon",
])
def test_bad_filters_get_a_message_never_an_error_page(client, admin, query):
    """Each page answers 200 with the reason in the page language; exports ignore the bad value."""
    for page in PAGES[:3]:
        response = client.get(f"{page}?{query}&lang=en")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        if not query.startswith("map") or page == PAGES[1]:
            assert 'class="flash flash-error" role="alert"' in text
        assert "<script>" not in text.split("</header>", 1)[-1] or "%3Cscript" not in query
    assert client.get(f"/admin/analytics/export/channels.csv?{query}").status_code == 200


def test_the_filters_make_a_shareable_address(client, admin):
    """The form is GET and the export links carry the same filters."""
    made = build_ledger()
    text = client.get(f"/admin/analytics?{QUERY}&channel=online&star=5&province=1&group=1.5&by=week") \
        .get_data(as_text=True)
    assert 'method="get"' in text
    assert "channel=online" in text and "star=5" in text and "group=1.5" in text and "by=week" in text
    assert page_tables(text)["channels"][1:] == [["Online", "2", "200.000 ₫", "2"]]
    assert made.showroom.name in text  # in the channel filter's options


@pytest.mark.parametrize("role", [Role.CONSUMER, Role.PRODUCER, Role.SHOWROOM_STAFF])
def test_only_the_program_office_gets_in(client, login_as, role):
    """Consumers, producer members and showroom staff get 403 on every page and export; guests log in."""
    for url in (*PAGES, "/admin/analytics/export/channels.csv", "/admin/analytics/export/targets.xlsx"):
        assert client.get(url).status_code == 302
    if role == Role.SHOWROOM_STAFF:
        user = make_staff(make_showroom())
    elif role == Role.PRODUCER:
        user = make_user(role=role, producer=make_producer())
    else:
        user = make_user(role=role)
    db.session.commit()
    login_as(user)
    for url in (*PAGES, "/admin/analytics/export/channels.csv", "/admin/analytics/export/targets.xlsx"):
        response = client.get(url)
        assert response.status_code == 403
        assert b"1.349.999" not in response.data


def _ledger_sum(first: date, last: date) -> tuple[int, int]:
    start, end = period_bounds(first, last)
    units, revenue = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(SaleEntry.quantity), 0), sa.func.coalesce(sa.func.sum(SaleEntry.total_vnd), 0))
        .where(SaleEntry.occurred_at >= start, SaleEntry.occurred_at < end)).one()
    return int(units), int(revenue)


def _page_totals(client, query=QUERY) -> tuple[int, int]:
    totals = page_tables(client.get(f"/admin/analytics?{query}").get_data(as_text=True))["totals"]
    revenue = next(row for row in totals if row[0] == "Revenue")
    units = next(row for row in totals if row[0] == "Units")
    return _number(units[1]), _number(revenue[1])


def test_page_equals_a_direct_sum_over_the_ledger_after_new_sales_and_refunds(client, admin):
    """The summary is refreshed, then sales and refunds arrive: the page still equals SUM over the ledger,
    before and after the next refresh."""
    made = build_ledger()
    summary.refresh_summary()
    db.session.commit()
    assert _page_totals(client) == _ledger_sum(FIRST, LAST) == (20, 1_349_999)
    # New sales on days already in the summary, a refund of an old sale, a void at the showroom.
    fresh = sell(made.tea, 4, 100_000, when=vn(2026, 11, 2, 18), reference="order:9", province=79)
    old = db.session.scalars(sa.select(SaleEntry).where(SaleEntry.reference == "order:1")).first()
    ledger.record_reversal(old, reference="refund:1", occurred_at=vn(2026, 11, 8, 9))
    till = db.session.scalars(sa.select(SaleEntry).where(SaleEntry.reference == "pos:1")).first()
    ledger.record_reversal(till, reference="pos:1:void", occurred_at=vn(2026, 11, 4, 10))
    db.session.commit()
    assert summary.pending_entries() == 3
    expected = _ledger_sum(FIRST, LAST)
    assert expected == (20 + 4 - old.quantity - till.quantity, 1_349_999 + 400_000 - old.total_vnd - till.total_vnd)
    # A direct read (entries above the mark come from the ledger) ...
    total = analytics.totals(analytics.parse_filters(MultiDict({"from": "2026-11-02", "to": "2026-11-08"})))
    assert (total.units, total.revenue_vnd) == expected
    # ... and the page, which folds them into the summary first.
    assert _page_totals(client) == expected
    assert summary.pending_entries() == 0
    assert fresh.id is not None


def test_long_period_pages_equal_direct_sums_after_new_sales_refunds_and_changes(client, admin):
    """Over a period read from year, month and day rollups: after new sales in a month already rolled up, a
    refund of an old sale and a product moved to another group, the pages equal a direct SUM over the ledger
    (by today's group), before the next refresh (a direct read) and after it (the page refreshes)."""
    made = build_ledger()
    _more_history(made)
    summary.refresh_summary()
    db.session.commit()
    sell(made.vase, 2, 210_000, when=vn(2025, 6, 10), reference="order:h3", province=48)
    old = db.session.scalars(sa.select(SaleEntry).where(SaleEntry.reference == "order:h1")).one()
    ledger.record_reversal(old, reference="refund:h1", occurred_at=vn(2025, 2, 1))
    made.sauce.group_code = "1.3"
    db.session.commit()
    first, last = date(2025, 1, 1), date(2026, 11, 30)
    query = f"from={first.isoformat()}&to={last.isoformat()}&by=month&lang=en"
    expected = _ledger_sum(first, last)
    start, end = period_bounds(first, last)
    by_group = {code: (int(units), int(revenue)) for code, units, revenue in db.session.execute(
        sa.select(Product.group_code, sa.func.sum(SaleEntry.quantity), sa.func.sum(SaleEntry.total_vnd))
        .join(Product, Product.id == SaleEntry.product_id)
        .where(SaleEntry.occurred_at >= start, SaleEntry.occurred_at < end).group_by(Product.group_code))}
    assert by_group["1.3"] == (14 + 1 + 20, 650_000 + 50_000 + 800_000)
    direct = analytics.totals(analytics.parse_filters(MultiDict({"from": first.isoformat(), "to": last.isoformat()})))
    assert (direct.units, direct.revenue_vnd) == expected
    assert summary.pending_entries() == 2
    assert _page_totals(client, query) == expected
    assert summary.pending_entries() == 0
    groups = page_tables(client.get(f"/admin/analytics/products?{query}").get_data(as_text=True))["groups"]
    assert {row[0].split()[0]: (_number(row[1]), _number(row[2])) for row in groups[1:] if row[0] != "Total"} \
        == by_group


def test_vietnamese_pages_have_no_english(client, admin):
    """In Vietnamese, none of the analytics pages shows an English label of ours, a channel or a group."""
    build_ledger()
    with open("translations/vi/LC_MESSAGES/analytics.po", "rb") as po:
        english = [message.id for message in read_po(po) if message.id and len(message.id) > 3]
    english += ["Online", "Supply-demand linkage", "Revenue", "Units", "Orders", "Condiments", "Download",
                "Cooperative", "Enterprise", "stars"]
    for page in PAGES:
        separator = "&" if "?" in page else "?"
        text = visible_text(client.get(f"{page}{separator}from=2026-11-02&to=2026-11-08&by=quarter&lang=vi")
                            .get_data(as_text=True))
        for message in english:
            plain = message.split("%(")[0].strip()
            if len(plain) > 3:
                found = re.search(rf"\b{re.escape(plain)}\b", text)
                assert not found, f"{plain!r} on the Vietnamese {page}: {text[found.start() - 80:found.end() + 40]}"
        assert "Phân tích chương trình" in text
    overview = visible_text(client.get("/admin/analytics?from=2026-11-02&to=2026-11-08&by=quarter&lang=vi")
                            .get_data(as_text=True))
    assert "Quý 4/2026" in overview
