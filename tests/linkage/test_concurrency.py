"""Two accepts at the same moment on PostgreSQL: one wins, the other changes nothing.

SQLite serialises every writer on one database lock, so the race cannot happen there: the test skips on
SQLite with that reason and runs with TEST_DATABASE_URL pointing at PostgreSQL.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.linkage import offers
from marketplace.linkage.models import DemandRequest, Linkage, Offer
from marketplace.linkage.status import OfferStatus, RequestStatus
from marketplace.statemachine import InvalidTransition
from tests.factories import make_producer, make_user
from tests.linkage.sample import offer, post

pytestmark = [pytest.mark.committed, pytest.mark.postgres(
    reason="SQLite serialises all writers on one lock, so two accepts cannot race there")]
RACERS = 6


def test_concurrent_accepts_of_different_offers_record_one_linkage(app):
    """Six threads accept six different offers of one request at once: one linkage, one accepted offer, the
    others declined, the request linked; every loser got a refusal and wrote nothing."""
    with app.test_request_context("/"):
        author = make_user()
        demand = post(author)
        offer_ids = [offer(demand, make_user(role=Role.PRODUCER, producer=make_producer()), price=400000 + n).id
                     for n in range(RACERS)]
        db.session.commit()
        demand_id, author_id = demand.id, author.id
    barrier = threading.Barrier(RACERS, timeout=60)

    def accept(offer_id):
        with app.app_context(), app.test_request_context("/"):
            buyer = db.session.get(User, author_id)
            request = db.session.get(DemandRequest, demand_id)
            chosen = db.session.get(Offer, offer_id)
            db.session.commit()  # give the connection back while waiting
            barrier.wait(timeout=60)
            try:
                offers.accept_offer(request, chosen, actor=buyer)
                db.session.commit()
                return "won"
            except (InvalidTransition, offers.OfferRefused):
                db.session.rollback()
                return "lost"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(accept, offer_ids))
    assert results.count("won") == 1 and results.count("lost") == RACERS - 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Linkage.id))) == 1
    statuses = db.session.scalars(sa.select(Offer.status).where(Offer.request_id == demand_id)).all()
    assert sorted(statuses) == sorted([OfferStatus.ACCEPTED] + [OfferStatus.DECLINED] * (RACERS - 1))
    assert db.session.get(DemandRequest, demand_id).status == RequestStatus.LINKED
