"""Voiding a statement built by mistake: its sales go back to "not settled" and the next statement takes them."""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.settlements import services
from marketplace.settlements.models import Statement, StatementEntry, StatementStatus
from tests.factories import make_product, make_user
from tests.settlements.sample import sale, vn

TODAY = date(2026, 11, 20)


@pytest.fixture
def producer():
    product = make_product(price_vnd=100000)
    sale(product, 2, when=vn(2026, 10, 5))
    sale(product, 1, when=vn(2026, 10, 20))
    return product.producer


def build(producer, start=date(2026, 10, 1), end=date(2026, 10, 31)):
    return services.build_statement(producer, start, end, today=TODAY)


def sign_in_admin(login_as):
    admin = make_user(role=Role.ADMIN, full_name="Trần Thị Bình")
    db.session.commit()
    login_as(admin)
    return admin


def settled_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StatementEntry))


def test_voiding_releases_the_sales_to_a_new_statement_of_the_same_period(producer):
    """A wrong statement is voided with a reason; the same period can then be settled again, once."""
    admin = make_user(role=Role.ADMIN)
    wrong = build(producer, end=date(2026, 10, 10))
    assert wrong.entry_count == 1 and settled_count() == 1
    services.void_statement(wrong, "  Sai kỳ:   phải là cả tháng 10 ", actor=admin)
    assert wrong.status == StatementStatus.VOID
    assert wrong.void.reason == "Sai kỳ: phải là cả tháng 10" and wrong.void.voided_by_id == admin.id
    assert wrong.void.released_entries == 1 and settled_count() == 0
    assert services.unsettled_total(producer.id) == (2, 300000)

    right = build(producer)
    assert right.entry_count == 2 and right.platform_sales_vnd == 300000
    assert services.unsettled_total(producer.id) == (0, 0)
    assert wrong.platform_sales_vnd == 200000, "the void statement keeps the figures it had"


@pytest.mark.parametrize("reason, message", [("", "Say why"), ("   ", "Say why"), ("x" * 301, "at most 300")])
def test_a_void_needs_a_reason(producer, reason, message):
    statement = build(producer)
    with pytest.raises(services.DomainError, match=message):
        services.void_statement(statement, reason, actor=None)
    db.session.refresh(statement)
    assert statement.status == StatementStatus.OPEN and settled_count() == 2


def test_paid_and_void_statements_change_no_more(producer):
    """Money moved: a paid statement cannot be voided; a void one can be neither paid nor voided again."""
    paid = build(producer)
    services.mark_paid(paid, "VCB-1", actor=None)
    with pytest.raises(services.StatementClosed, match="paid"):
        services.void_statement(paid, "too late", actor=None)
    assert settled_count() == 2

    other = make_product(price_vnd=50000)
    sale(other, 1, when=vn(2026, 10, 7))
    void = build(other.producer)
    services.void_statement(void, "mistake", actor=None)
    with pytest.raises(services.StatementClosed, match="voided; it cannot be paid"):
        services.mark_paid(void, "VCB-2", actor=None)
    with pytest.raises(services.StatementClosed, match="already voided"):
        services.void_statement(void, "again", actor=None)
    db.session.refresh(void)
    assert void.status == StatementStatus.VOID and void.bank_reference is None


def test_admin_voids_from_the_statement_page(client, login_as, producer):
    """The form asks for a reason; the page then says who voided it, when, why and what was released."""
    statement = build(producer)
    sign_in_admin(login_as)
    page = client.get(f"/admin/statements/{statement.id}?lang=en").get_data(as_text=True)
    assert "Void this statement" in page
    response = client.post(f"/admin/statements/{statement.id}/void", data={"reason": "Built for the wrong producer"})
    assert response.status_code == 302
    page = client.get(f"/admin/statements/{statement.id}?lang=en").get_data(as_text=True)
    assert "voided on" in page and "Trần Thị Bình" in page and "Built for the wrong producer" in page
    assert "2 ledger entries were released" in page
    assert "Mark paid" not in page and "Void this statement" not in page
    listing = client.get("/admin/statements?status=void&lang=en").get_data(as_text=True)
    assert f"#{statement.id}" in listing and ">Void<" in listing


def test_a_void_without_reason_keeps_the_statement_and_says_why(client, login_as, producer):
    statement = build(producer)
    sign_in_admin(login_as)
    response = client.post(f"/admin/statements/{statement.id}/void?lang=en", data={"reason": " "})
    assert response.status_code == 409
    assert "Say why the statement is voided." in response.get_data(as_text=True)
    db.session.refresh(statement)
    assert statement.status == StatementStatus.OPEN and settled_count() == 2


def test_only_admins_void_statements(client, login_as, producer):
    """The producer itself (or a consumer) gets 403 and the statement stays open."""
    statement = build(producer)
    for user in (make_user(role=Role.PRODUCER, producer=producer), make_user()):
        db.session.commit()
        login_as(user)
        response = client.post(f"/admin/statements/{statement.id}/void", data={"reason": "mine"})
        assert response.status_code == 403
    db.session.refresh(statement)
    assert statement.status == StatementStatus.OPEN


def test_the_producer_sees_a_void_statement_as_void_without_the_admins_name(client, login_as, producer):
    statement = build(producer)
    services.void_statement(statement, "Wrong period", actor=make_user(role=Role.ADMIN, full_name="Lê Văn Cường"))
    db.session.commit()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    page = client.get(f"/manage/statements/{statement.id}?lang=en").get_data(as_text=True)
    assert "voided on" in page and "the program office" in page and "Wrong period" in page
    assert "Lê Văn Cường" not in page
    assert ">Void<" in client.get("/manage/statements?lang=en").get_data(as_text=True)


def test_unknown_statement_gives_404(client, login_as):
    sign_in_admin(login_as)
    assert client.post("/admin/statements/987654/void", data={"reason": "x"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Statement)) == 0
