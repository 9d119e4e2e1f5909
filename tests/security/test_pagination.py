"""Lists shown a page at a time go through marketplace.pagination: page links, the last page, odd numbers."""

from datetime import date

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.settlements import views_admin
from marketplace.settlements.models import Statement
from tests.factories import make_producer, make_user


@pytest.fixture
def three_statements():
    producer = make_producer("HTX Phân Trang")
    for month in (8, 9, 10):
        db.session.add(Statement(producer_id=producer.id, period_start=date(2026, month, 1),
                                 period_end=date(2026, month, 28), commission_rate_bp=1000))
    db.session.flush()
    return producer


def test_admin_statement_list_comes_a_page_at_a_time(client, login_as, monkeypatch, three_statements):
    monkeypatch.setattr(views_admin, "PAGE_SIZE", 2)
    login_as(make_user(role=Role.ADMIN))
    first = client.get("/admin/statements?lang=en").get_data(as_text=True)
    assert "Page 1 of 2" in first and "28/10/2026" in first and "28/08/2026" not in first
    assert f'href="/admin/statements?producer={three_statements.id}&amp;page=2"' not in first
    second = client.get("/admin/statements?lang=en&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "28/08/2026" in second
    # Past the last page: the last page; nonsense: the first.
    assert "Page 2 of 2" in client.get("/admin/statements?lang=en&page=99").get_data(as_text=True)
    assert "Page 1 of 2" in client.get("/admin/statements?lang=en&page=²").get_data(as_text=True)
    filtered = client.get(f"/admin/statements?lang=en&producer={three_statements.id}").get_data(as_text=True)
    assert f"producer={three_statements.id}&amp;page=2" in filtered
