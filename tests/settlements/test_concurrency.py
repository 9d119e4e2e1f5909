"""Real concurrency on PostgreSQL: two admins settling or paying the same statement at once do it once, and
statements built at once over every channel settle each ledger entry once.

SQLite serialises every writer on one database lock, so these races cannot happen there: the tests skip
on SQLite with that reason and run with TEST_DATABASE_URL pointing at PostgreSQL.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.ledger.models import SaleEntry
from marketplace.producers.models import Producer
from marketplace.settlements import services
from marketplace.settlements.models import Statement, StatementEntry, StatementSection, StatementStatus
from tests.factories import make_product, make_user
from tests.settlements.channels import october
from tests.settlements.sample import sale, vn

pytestmark = [pytest.mark.committed, pytest.mark.postgres(
    reason="SQLite serialises all writers on one lock, so concurrent settlements cannot race there")]
ADMINS = 8
TODAY = date(2026, 11, 28)


def _race(app, work):
    barrier = threading.Barrier(ADMINS)

    def attempt(_n):
        with app.app_context(), app.test_request_context("/?lang=en"):
            try:
                barrier.wait()
                work()
                db.session.commit()
                return "ok"
            except services.DomainError:
                db.session.rollback()
                return "refused"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(ADMINS) as pool:
        return list(pool.map(attempt, range(ADMINS)))


def _numbering():
    """n() gives each racing thread its own number, 0 to ADMINS - 1."""
    counter, lock = iter(range(ADMINS)), threading.Lock()

    def n() -> int:
        with lock:
            return next(counter)

    return n


def _open_statement(days) -> tuple[int, int]:
    """(statement id, admin id), committed: an open October statement of one producer's sales on these days."""
    product = make_product(price_vnd=10000)
    for day in days:
        sale(product, 1, when=vn(2026, 10, day))
    statement = services.build_statement(product.producer, date(2026, 10, 1), date(2026, 10, 31), today=TODAY)
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    return statement.id, admin.id


def test_concurrent_builds_of_one_period_settle_each_sale_once(app):
    """Eight admins build the same producer's October statement at once: one statement, every sale in it once."""
    product = make_product(price_vnd=10000)
    for day in range(1, 21):
        sale(product, 1, when=vn(2026, 10, day))
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    producer_id, admin_id = product.producer_id, admin.id

    def build():
        services.build_statement(db.session.get(Producer, producer_id), date(2026, 10, 1), date(2026, 10, 31),
                                 actor=db.session.get(User, admin_id), today=TODAY)

    results = _race(app, build)
    assert results.count("ok") == 1 and results.count("refused") == ADMINS - 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Statement)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatementEntry)) == 20
    assert db.session.scalar(sa.select(Statement.platform_sales_vnd)) == 200000


def test_concurrent_payouts_record_one_payment(app):
    """Eight admins mark the same statement paid at once: one wins, its reference is the one kept."""
    statement_id, admin_id = _open_statement([3])
    number = _numbering()

    def pay():
        n = number()
        services.mark_paid(db.session.get(Statement, statement_id), f"REF-{n}", actor=db.session.get(User, admin_id))

    results = _race(app, pay)
    assert results.count("ok") == 1 and results.count("refused") == ADMINS - 1
    db.session.expire_all()
    paid = db.session.get(Statement, statement_id)
    assert paid.status == StatementStatus.PAID and paid.bank_reference.startswith("REF-")


def test_a_void_racing_payouts_leaves_one_outcome(app):
    """Four admins void and four pay the same open statement at once: exactly one wins, and the sales are
    either settled by the paid statement or all released, never both."""
    statement_id, admin_id = _open_statement([3, 4, 5])
    number = _numbering()

    def pay_or_void():
        n = number()
        target, actor = db.session.get(Statement, statement_id), db.session.get(User, admin_id)
        if n % 2:
            services.mark_paid(target, f"REF-{n}", actor=actor)
        else:
            services.void_statement(target, f"mistake {n}", actor=actor)

    results = _race(app, pay_or_void)
    assert results.count("ok") == 1 and results.count("refused") == ADMINS - 1
    db.session.expire_all()
    final = db.session.scalar(sa.select(Statement).where(Statement.id == statement_id)
                              .options(joinedload(Statement.void)))
    settled = db.session.scalar(sa.select(sa.func.count()).select_from(StatementEntry))
    if final.status == StatementStatus.PAID:
        assert settled == 3 and final.void is None
    else:
        assert final.status == StatementStatus.VOID and settled == 0 and final.void.released_entries == 3


def test_two_overlapping_statements_built_at_once_settle_each_sale_of_every_channel_once(app, monkeypatch):
    """Eight admins build statements of one producer at once, half for all October, half for its first half,
    over online, picked-up and till sales at two showrooms with a till void: exactly one statement is kept
    and every ledger entry is settled exactly once; voiding it and building again settles them once more."""
    month = october(monkeypatch)
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    producer_id, admin_id = month.producer.id, admin.id
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)
                                .where(SaleEntry.producer_id == producer_id))
    numbers = [_numbering()]

    def build():
        period_end = date(2026, 10, 31) if numbers[-1]() % 2 else date(2026, 10, 15)
        services.build_statement(db.session.get(Producer, producer_id), date(2026, 10, 1), period_end,
                                 actor=db.session.get(User, admin_id), today=TODAY)

    results = _race(app, build)
    assert results.count("ok") == 1 and results.count("refused") == ADMINS - 1
    db.session.expire_all()
    [kept] = db.session.scalars(sa.select(Statement).where(Statement.producer_id == producer_id)).all()
    settled = db.session.scalars(sa.select(StatementEntry.sale_entry_id)).all()
    assert len(settled) == len(set(settled)) == kept.entry_count
    if kept.period_end.day == 31:
        assert kept.entry_count == entries
    channels = set(db.session.scalars(sa.select(StatementSection.channel)
                                      .where(StatementSection.statement_id == kept.id)))
    assert "showroom" in channels

    services.void_statement(kept, "built in a race", actor=db.session.get(User, admin_id))
    db.session.commit()
    numbers.append(_numbering())
    again = _race(app, build)
    assert again.count("ok") == 1
    db.session.expire_all()
    settled = db.session.scalars(sa.select(StatementEntry.sale_entry_id)).all()
    assert len(settled) == len(set(settled))
    live = db.session.scalars(sa.select(Statement).where(Statement.status != StatementStatus.VOID)).all()
    assert len(live) == 1 and live[0].entry_count == len(settled)
