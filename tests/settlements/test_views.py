"""Statement screens: the admin builds and pays them; each producer sees only its own."""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.settlements import services
from marketplace.settlements.models import Statement, StatementStatus
from tests.factories import make_product, make_user
from tests.settlements.sample import sale, vn


@pytest.fixture
def october_sales():
    """Two producers with an October card sale each."""
    mine, theirs = make_product(price_vnd=100000), make_product(price_vnd=70000)
    sale(mine, 2, when=vn(2026, 10, 5))
    sale(theirs, 1, when=vn(2026, 10, 6))
    return mine.producer, theirs.producer


def sign_in(login_as, role=Role.ADMIN, producer=None):
    """Sign in as a new user; the test data is committed first, as a failed request rolls its own work back."""
    user = make_user(role=role, producer=producer)
    db.session.commit()
    return login_as(user)


def _statement(producer):
    return services.build_statement(producer, date(2026, 10, 1), date(2026, 10, 31), today=date(2026, 11, 20))


def test_admin_builds_a_statement_from_the_form(client, login_as, october_sales):
    """The admin picks a producer and a finished period and lands on the new statement's page."""
    producer, _other = october_sales
    sign_in(login_as)
    response = client.post("/admin/statements/new", data={
        "producer": str(producer.id), "period_start": "2026-10-01", "period_end": "31/10/2026"})
    assert response.status_code == 302
    statement = db.session.scalar(sa.select(Statement).where(Statement.producer_id == producer.id))
    assert statement.platform_sales_vnd == 200000 and statement.net_payable_vnd == 180000
    page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "180.000" in page and "Mark paid" in page


@pytest.mark.parametrize("form", [
    {"producer": "", "period_start": "2026-10-01", "period_end": "2026-10-31"},
    {"producer": "999999", "period_start": "2026-10-01", "period_end": "2026-10-31"},
    {"producer": "abc", "period_start": "yesterday", "period_end": "2026-13-45"},
    {"producer": "1", "period_start": "2026-10-31", "period_end": "2026-10-01"},
    {"producer": "1", "period_start": "2026-11-01", "period_end": "2099-01-01"},
    {},
])
def test_bad_statement_forms_are_refused_and_keep_what_was_typed(client, login_as, october_sales, form):
    """Unknown producers, unreadable or impossible dates: a message, the typed values, nothing created."""
    sign_in(login_as)
    response = client.post("/admin/statements/new?lang=en", data=form)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    for key in ("period_start", "period_end"):
        if form.get(key):
            assert f'value="{form[key]}"' in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Statement)) == 0


def test_a_second_statement_for_the_same_period_is_refused(client, login_as, october_sales):
    """Settling an overlapping period again shows a message and creates nothing."""
    producer, _other = october_sales
    _statement(producer)
    sign_in(login_as)
    response = client.post("/admin/statements/new?lang=en", data={
        "producer": str(producer.id), "period_start": "2026-10-15", "period_end": "2026-11-02"})
    assert response.status_code == 422
    assert "overlaps" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Statement)) == 1


def test_admin_marks_a_statement_paid_once(client, login_as, october_sales):
    """The bank reference is recorded; a second payout is refused with a message."""
    statement = _statement(october_sales[0])
    sign_in(login_as)
    response = client.post(f"/admin/statements/{statement.id}/paid", data={"bank_reference": "VCB-778899"})
    assert response.status_code == 302
    db.session.refresh(statement)
    assert statement.status == StatementStatus.PAID and statement.bank_reference == "VCB-778899"
    again = client.post(f"/admin/statements/{statement.id}/paid?lang=en", data={"bank_reference": "OTHER"})
    assert again.status_code == 409
    assert "already marked paid" in again.get_data(as_text=True)
    db.session.refresh(statement)
    assert statement.bank_reference == "VCB-778899"


def test_mark_paid_without_reference_keeps_the_statement_open(client, login_as, october_sales):
    """An empty bank reference is refused with a message."""
    statement = _statement(october_sales[0])
    sign_in(login_as)
    response = client.post(f"/admin/statements/{statement.id}/paid?lang=en", data={"bank_reference": "  "})
    assert response.status_code == 409
    assert "bank reference" in response.get_data(as_text=True)
    db.session.refresh(statement)
    assert statement.status == StatementStatus.OPEN


def test_producer_sees_its_own_statements_only(client, login_as, october_sales):
    """A member of producer A lists and opens A's statements; B's statement id gives 404."""
    mine, theirs = october_sales
    own, other = _statement(mine), _statement(theirs)
    sign_in(login_as, Role.PRODUCER, mine)
    listing = client.get("/manage/statements?lang=en")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert f"#{own.id}" in text and f"#{other.id}<" not in text
    assert client.get(f"/manage/statements/{own.id}").status_code == 200
    assert client.get(f"/manage/statements/{other.id}").status_code == 404
    assert client.get(f"/manage/statements?producer={theirs.id}&lang=en").get_data(as_text=True).count(
        theirs.name) == 0
    assert client.get("/manage/statements/999999").status_code == 404


def test_producers_and_consumers_cannot_use_the_admin_screens(client, login_as, october_sales):
    """The admin statement screens answer 403 to a producer member or a consumer, login to a guest."""
    statement = _statement(october_sales[0])
    assert client.get("/admin/statements").status_code == 302
    for role, producer in ((Role.PRODUCER, october_sales[0]), (Role.CONSUMER, None)):
        sign_in(login_as, role, producer)
        assert client.get("/admin/statements").status_code == 403
        assert client.get(f"/admin/statements/{statement.id}").status_code == 403
        assert client.post(f"/admin/statements/{statement.id}/paid", data={"bank_reference": "X"}).status_code == 403
        assert client.post("/admin/statements/new", data={"producer": str(october_sales[1].id),
                                                         "period_start": "2026-10-01",
                                                         "period_end": "2026-10-31"}).status_code == 403
    db.session.refresh(statement)
    assert statement.status == StatementStatus.OPEN
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Statement)) == 1


def test_consumers_cannot_see_producer_statements(client, login_as, october_sales):
    """A consumer gets 403 on the producer's statement pages."""
    statement = _statement(october_sales[0])
    sign_in(login_as, Role.CONSUMER)
    assert client.get("/manage/statements").status_code == 403
    assert client.get(f"/manage/statements/{statement.id}").status_code == 403


def test_admin_lists_and_filters_statements(client, login_as, october_sales):
    """The admin list shows every producer's statements and filters by producer and status (bad filters ignored)."""
    mine, theirs = october_sales
    _statement(mine), _statement(theirs)
    sign_in(login_as)
    text = client.get("/admin/statements").get_data(as_text=True)
    assert mine.name in text and theirs.name in text
    filtered = client.get(f"/admin/statements?producer={mine.id}&status=open").get_data(as_text=True)
    assert filtered.count(theirs.name) == 1  # only in the producer filter's options
    for query in ("producer=x&status=zzz", "producer=99999999999999999999", "status=paid"):
        assert client.get(f"/admin/statements?{query}").status_code == 200
