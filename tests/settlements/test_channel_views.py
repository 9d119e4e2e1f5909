"""The all-channel statement on screen, in XLSX and in print, and who may see it: producers their own, admins
all, a showroom's managers only their showroom's part (other showrooms' staff 404, clerks 403)."""

import io
import re

import pytest
from openpyxl import load_workbook

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.money import format_vnd
from marketplace.showrooms.models import StaffRole
from tests.factories import make_product, make_user
from tests.settlements.channels import TODAY, october
from tests.settlements.sample import sale, vn
from tests.settlements.test_channels import build
from tests.showrooms.helpers import make_staff


@pytest.fixture
def settled(monkeypatch):
    """The October month (tests.settlements.channels) settled for both producers, committed for the client."""
    month = october(monkeypatch)
    statement, other = build(month.producer), build(month.other_producer, today=TODAY)
    db.session.commit()
    return month, statement, other


def _sign_in(login_as, **fields):
    user = make_user(**fields)
    db.session.commit()
    return login_as(user)


def _xlsx_cells(response) -> list:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]


def test_producer_reads_one_statement_with_a_section_per_channel_and_showroom(client, login_as, settled):
    """The page names each section, the units, and who pays whom in words; no bare negative amount."""
    month, statement, _other = settled
    _sign_in(login_as, role=Role.PRODUCER, producer=month.producer)
    page = client.get(f"/manage/statements/{statement.id}?lang=en").get_data(as_text=True)
    for text in ("Online sales · paid online", "Online sales · cash on delivery",
                 "Showroom · Điểm OCOP Phố Cổ · paid at the counter", "Showroom · Điểm OCOP Phố Cổ · paid online, picked up",
                 "Showroom · Điểm OCOP Bát Tràng · paid at the counter",
                 f"Điểm OCOP Phố Cổ pays you {format_vnd(200665 - 30100)}",
                 f"Điểm OCOP Bát Tràng pays you {format_vnd(39375)}",
                 f"You owe OCOP Market {format_vnd(4500)}", f"OCOP Market pays you {format_vnd(statement.net_payable_vnd)}",
                 "Commission 12,5\xa0% kept by Điểm OCOP Bát Tràng"):
        assert text in page, text
    # Sections and balances (the ledger rows follow): deductions are written "− 9.000 ₫" on their labelled row,
    # and no amount is ever a bare signed number such as "-4.500 ₫".
    figures = page.split("ledger entries</h2>")[0]
    assert not re.search(r"(?<!\w)-\s?\d", re.sub(r"<[^>]+>", " ", figures.split("<main")[1]))
    vietnamese = client.get(f"/manage/statements/{statement.id}?lang=vi").get_data(as_text=True)
    assert f"Điểm OCOP Phố Cổ trả bạn {format_vnd(200665 - 30100)}" in vietnamese
    assert f"Bạn còn nợ Chợ OCOP {format_vnd(4500)}" in vietnamese  # the cash-on-delivery section
    assert f"Chợ OCOP trả bạn {format_vnd(statement.net_payable_vnd)}" in vietnamese
    assert 'data-print' in vietnamese and "js/print.js" in vietnamese


def test_the_xlsx_opens_and_holds_the_numbers_of_the_page(client, login_as, settled):
    """The producer's and the admin's XLSX: every section's units, net, commission and amount due, and who
    owes whom in the same words as the page."""
    month, statement, _other = settled
    _sign_in(login_as, role=Role.PRODUCER, producer=month.producer)
    cells = _xlsx_cells(client.get(f"/manage/statements/{statement.id}.xlsx?lang=en"))
    for section in statement.sections:
        assert section.net_sales_vnd in cells and section.commission_vnd in cells and abs(section.due_vnd) in cells
        for line in section.lines:
            assert line.product_name in cells and line.units_sold in cells and line.sales_vnd in cells
    assert statement.net_payable_vnd in cells
    assert f"Điểm OCOP Bát Tràng pays you {format_vnd(39375)}" in cells
    assert 0.125 in cells and 0.15 in cells and 0.1 in cells  # the rates, as percentages
    _sign_in(login_as, role=Role.ADMIN)
    admin_cells = _xlsx_cells(client.get(f"/admin/statements/{statement.id}.xlsx?lang=en"))
    assert f"Điểm OCOP Bát Tràng pays the producer {format_vnd(39375)}" in admin_cells


def test_names_that_look_like_formulas_stay_text_in_the_xlsx(client, login_as, monkeypatch):
    """A product named like a formula is written as text (leading apostrophe), never run by a spreadsheet."""
    month = october(monkeypatch)
    sale(make_product("=HYPERLINK(\"http://x\")", producer=month.producer), 1, when=vn(2026, 10, 25))
    statement = build(month.producer)
    db.session.commit()
    _sign_in(login_as, role=Role.PRODUCER, producer=month.producer)
    cells = _xlsx_cells(client.get(f"/manage/statements/{statement.id}.xlsx"))
    assert "'=HYPERLINK(\"http://x\")" in cells and "=HYPERLINK(\"http://x\")" not in cells


def test_other_producers_cannot_open_the_statement_or_its_xlsx(client, login_as, settled):
    """A member of another producer gets 404 (the id is not confirmed); a consumer 403."""
    month, statement, _other = settled
    _sign_in(login_as, role=Role.PRODUCER, producer=month.other_producer)
    assert client.get(f"/manage/statements/{statement.id}").status_code == 404
    assert client.get(f"/manage/statements/{statement.id}.xlsx").status_code == 404
    _sign_in(login_as, role=Role.CONSUMER)
    assert client.get(f"/manage/statements/{statement.id}.xlsx").status_code == 403
    assert client.get(f"/admin/statements/{statement.id}.xlsx").status_code == 403


def test_a_showroom_manager_sees_what_their_showroom_owes_each_producer(client, login_as, settled):
    """The Old Quarter's manager lists both producers' statements with what the showroom pays each, and opens
    one: only the Old Quarter's sections, nothing of Bát Tràng or of online sales."""
    month, statement, other = settled
    login_as(month.manager)
    listing = client.get(f"/manage/statements/showroom/{month.old_quarter.id}?lang=en")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert f"Your showroom pays {month.producer.name} {format_vnd(200665 - 30100)}" in text
    assert f"Your showroom pays {month.other_producer.name} {format_vnd(40000 - 6000)}" in text
    assert f"In all, your showroom pays the producers {format_vnd(200665 - 30100 + 34000)}" in text
    page = client.get(f"/manage/statements/showroom/{month.old_quarter.id}/{statement.id}?lang=en")
    body = page.get_data(as_text=True).split("<main")[1]
    assert page.status_code == 200
    assert "Showroom · Điểm OCOP Phố Cổ · paid at the counter" in body
    assert "Showroom · Điểm OCOP Phố Cổ · paid online, picked up" in body
    assert f"OCOP Market pays {month.producer.name} {format_vnd(28333)}" in body
    assert "Bát Tràng" not in body and "Online sales" not in body and "cash on delivery" not in body
    cells = _xlsx_cells(client.get(f"/manage/statements/showroom/{month.old_quarter.id}/{statement.id}.xlsx?lang=en"))
    assert f"Your showroom pays {month.producer.name} {format_vnd(200665 - 30100)}" in cells
    assert not any("Bát Tràng" in str(cell) for cell in cells)
    # A period that excludes October lists nothing; a typed date that is not one is refused with a message.
    assert "No statement covers" in client.get(
        f"/manage/statements/showroom/{month.old_quarter.id}?from=2026-11-01&lang=en").get_data(as_text=True)
    bad = client.get(f"/manage/statements/showroom/{month.old_quarter.id}?from=yesterday&lang=en")
    assert bad.status_code == 422 and "dd/mm/yyyy" in bad.get_data(as_text=True)


def test_staff_of_another_showroom_get_404_and_clerks_403(client, login_as, settled):
    """Bát Tràng's manager cannot open the Old Quarter's settlements (404, even with a real statement id), and a
    statement without a Bát Tràng section is 404 under Bát Tràng too; a clerk of the showroom gets 403."""
    month, statement, other = settled
    bat_trang_manager = make_staff(month.bat_trang, StaffRole.MANAGER)
    clerk = make_staff(month.old_quarter, StaffRole.CLERK)
    db.session.commit()
    login_as(bat_trang_manager)
    for url in (f"/manage/statements/showroom/{month.old_quarter.id}",
                f"/manage/statements/showroom/{month.old_quarter.id}/{statement.id}",
                f"/manage/statements/showroom/{month.old_quarter.id}/{statement.id}.xlsx",
                f"/manage/statements/showroom/{month.bat_trang.id}/{other.id}",
                f"/manage/statements/{statement.id}"):
        status = client.get(url).status_code
        assert status in (403, 404) if url.endswith(f"/statements/{statement.id}") else status == 404, url
    own = client.get(f"/manage/statements/showroom/{month.bat_trang.id}/{statement.id}?lang=en")
    assert own.status_code == 200 and "Phố Cổ" not in own.get_data(as_text=True).split("<main")[1]
    login_as(clerk)
    assert client.get(f"/manage/statements/showroom/{month.old_quarter.id}").status_code == 403
    assert client.get(f"/manage/statements/showroom/{month.old_quarter.id}/{statement.id}.xlsx").status_code == 403


def test_the_showroom_menu_offers_producer_settlements_to_managers_only(client, login_as, settled):
    """A manager's back-office menu links the showroom's settlements; a clerk's does not."""
    month, _statement, _other = settled
    clerk = make_staff(month.old_quarter, StaffRole.CLERK)
    db.session.commit()
    login_as(month.manager)
    url = f"/manage/statements/showroom/{month.old_quarter.id}"
    assert url in client.get(f"/manage/showrooms/{month.old_quarter.id}").get_data(as_text=True)
    login_as(clerk)
    assert url not in client.get(f"/manage/showrooms/{month.old_quarter.id}").get_data(as_text=True)

