"""The demand board's rules: who may offer, who closes, expiry, one accepted offer, and the linkage's order."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.dates import today_vn, utcnow
from marketplace.errors import PermissionDenied
from marketplace.extensions import db
from marketplace.ledger.models import LINKAGE_CHANNEL, SaleEntry
from marketplace.linkage import linkages, offers, queries, requests
from marketplace.linkage.models import Linkage, OfferEvent, RequestEvent
from marketplace.linkage.status import (
    OFFER_TRANSITIONS,
    REQUEST_TRANSITIONS,
    OfferStatus,
    RequestStatus,
    can_change_offer,
    can_change_request,
)
from marketplace.orders import lifecycle
from marketplace.orders.models import OrderStatus
from marketplace.producers.models import Producer
from marketplace.stock.services import OutOfStock
from tests.factories import make_producer, make_product, make_user
from tests.linkage.sample import offer, post
from tests.orders.helpers import address, stock_of


def _member(verified=True, **producer_fields):
    return make_user(role=Role.PRODUCER, producer=make_producer(verified=verified, **producer_fields))


@pytest.mark.parametrize("table,check", [(REQUEST_TRANSITIONS, can_change_request), (OFFER_TRANSITIONS, can_change_offer)])
def test_the_transition_tables_are_the_only_moves(table, check):
    """Every (from, to) pair is allowed exactly when the table lists it; unknown states are refused."""
    for current in table:
        for new in table:
            assert check(current, new) == (new in table[current]), (current, new)
    assert not check("open", "nonsense")


def test_only_members_of_verified_producers_make_offers():
    """A member of an unverified producer and a consumer are refused; a member of a verified producer is not."""
    demand = post()
    with pytest.raises(offers.OfferRefused):
        offer(demand, _member(verified=False))
    consumer = make_user()
    with pytest.raises(offers.OfferRefused):
        offers.make_offer(demand, producer=make_producer(), actor=consumer,
                          details=offers.OfferDetails(100000, 1, 1, "", None))
    made = offer(demand, _member())
    assert made.status == OfferStatus.PENDING
    assert db.session.scalar(sa.select(OfferEvent.to_status).where(OfferEvent.offer_id == made.id)) == OfferStatus.PENDING


def test_a_member_cannot_offer_for_another_producer():
    """The producer named must be the member's own."""
    demand = post()
    member = _member()
    with pytest.raises(offers.OfferRefused):
        offers.make_offer(demand, producer=make_producer(), actor=member,
                          details=offers.OfferDetails(100000, 1, 1, "", None))


def test_one_pending_offer_per_producer_and_request():
    """A second offer while the first awaits the buyer is refused; after withdrawing, a new one is taken."""
    demand = post()
    member = _member()
    first = offer(demand, member)
    with pytest.raises(offers.OfferRefused):
        offer(demand, member, price=400000)
    offers.withdraw_offer(first, actor=member)
    assert offer(demand, member, price=400000).unit_price_vnd == 400000


def test_only_the_author_closes_and_closing_declines_the_offers():
    """Another user gets PermissionDenied and nothing changes; the author's close declines pending offers."""
    author = make_user()
    demand = post(author)
    pending = offer(demand, _member())
    with pytest.raises(PermissionDenied):
        requests.close_request(demand, actor=make_user())
    assert demand.status == RequestStatus.OPEN
    requests.close_request(demand, actor=author)
    db.session.refresh(pending)
    assert demand.status == RequestStatus.CLOSED and pending.status == OfferStatus.DECLINED
    events = db.session.scalars(sa.select(RequestEvent).where(RequestEvent.request_id == demand.id)
                                .order_by(RequestEvent.id)).all()
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [
        (None, RequestStatus.OPEN, author.id), (RequestStatus.OPEN, RequestStatus.CLOSED, author.id)]


def test_requests_expire_after_their_date():
    """Past its date a request leaves the board at once, takes no offer, and the daily job marks it expired."""
    demand = post(needed_by=today_vn() + timedelta(days=2))
    pending = offer(demand, _member())
    later = today_vn() + timedelta(days=3)
    assert demand.id not in [r.id for r in db.session.scalars(queries.public_requests(today=later))]
    with pytest.raises(offers.OfferRefused):
        offers.make_offer(demand, producer=make_producer(), actor=_member(), today=later,
                          details=offers.OfferDetails(100000, 1, 1, "", None))
    assert requests.expire_requests(today_vn()) == 0
    assert requests.expire_requests(later) == 1
    db.session.refresh(pending)
    assert demand.status == RequestStatus.EXPIRED and pending.status == OfferStatus.DECLINED


def test_the_buyer_accepts_exactly_one_offer(outbox, db_session):
    """Accepting one offer links the request, declines the others and records one linkage; a second accept is
    refused. Both producers are told."""
    author = make_user()
    demand = post(author)
    winner_member, loser_member = _member(), _member()
    winner = offer(demand, winner_member, price=430000, quantity=200)
    loser = offer(demand, loser_member, price=420000, quantity=150)
    linkage = offers.accept_offer(demand, winner, actor=author)
    db_session.commit()
    db.session.refresh(loser)
    assert demand.status == RequestStatus.LINKED
    assert (winner.status, loser.status) == (OfferStatus.ACCEPTED, OfferStatus.DECLINED)
    assert (linkage.request_id, linkage.offer_id, linkage.quantity, linkage.unit_price_vnd, linkage.value_vnd,
            linkage.agreed_on) == (demand.id, winner.id, 200, 430000, 86_000_000, today_vn())
    with pytest.raises(offers.OfferRefused):
        offers.accept_offer(demand, loser, actor=author)
    assert db.session.scalar(sa.select(sa.func.count(Linkage.id))) == 1
    outbox.wait_for(3)
    assert any("accepted" in m["Subject"] or "chấp nhận" in m["Subject"] for m in outbox.to(winner_member.email))
    assert outbox.to(loser_member.email)


def test_only_the_author_accepts():
    """Someone else accepting an offer is refused."""
    demand = post()
    made = offer(demand, _member())
    with pytest.raises(PermissionDenied):
        offers.accept_offer(demand, made, actor=make_user())


def _linked(stock=300, price=430000, quantity=200):
    author = make_user()
    member = _member()
    producer = db.session.get(Producer, member.producer_id)
    product = make_product("Nước mắm cốt", producer=producer, price_vnd=500000, stock=stock, group_code="1.4")
    demand = post(author)
    made = offer(demand, member, price=price, quantity=quantity, product=product)
    return author, member, product, offers.accept_offer(demand, made, actor=author)


def test_a_linkage_becomes_an_order_at_the_agreed_price_with_the_stock_reserved():
    """One sub-order on the linkage channel, the agreed unit price (not the catalogue's), no shipping added, the
    stock reserved; once delivered with the cash, the ledger records the sale on the linkage channel."""
    author, member, product, linkage = _linked(stock=300)
    order, created = linkages.place_linkage_order(linkage, buyer=author, address=address(), payment_method="cod",
                                                  token="link-1")
    assert created and linkage.order_id == order.id
    (sub,) = order.producer_orders
    (line,) = sub.lines
    assert (line.unit_price_vnd, line.quantity, order.total_vnd) == (430000, 200, 86_000_000)
    assert sub.sales_channel == LINKAGE_CHANNEL and sub.status == OrderStatus.PLACED
    assert stock_of(product) == 100
    lifecycle.confirm_sub_order(sub, actor=member)
    lifecycle.ship_sub_order(sub, actor=member, carrier="Viettel Post", tracking_number="VT1")
    lifecycle.deliver_sub_order(sub, actor=member, cash_collected=True)
    entry = db.session.scalar(sa.select(SaleEntry).where(SaleEntry.order_line_id == line.id))
    assert (entry.channel, entry.unit_price_vnd, entry.total_vnd) == (LINKAGE_CHANNEL, 430000, 86_000_000)
    again, created_again = linkages.place_linkage_order(linkage, buyer=author, address=address(),
                                                        payment_method="cod", token="link-1")
    assert again.id == order.id and not created_again


def test_a_linkage_order_without_the_stock_keeps_nothing():
    """Short of stock: OutOfStock, no order, the stock untouched, the linkage still without an order."""
    author, _member_, product, linkage = _linked(stock=50)
    with pytest.raises(OutOfStock):
        linkages.place_linkage_order(linkage, buyer=author, address=address(), payment_method="cod", token="link-2")
    assert stock_of(product) == 50 and linkage.order_id is None


def test_only_the_buyer_orders_a_linkage():
    """The producer or anyone else cannot place the buyer's order."""
    _author, member, _product, linkage = _linked()
    with pytest.raises(PermissionDenied):
        linkages.place_linkage_order(linkage, buyer=member, address=address(), payment_method="cod", token="x")


def test_hiding_needs_the_office_and_a_reason_and_can_be_undone():
    """Only an admin hides, with a reason kept on the request; restoring opens it again."""
    demand = post()
    admin = make_user(role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        requests.hide_request(demand, actor=make_user(), reason="spam")
    with pytest.raises(requests.DomainError):
        requests.hide_request(demand, actor=admin, reason="  ")
    requests.hide_request(demand, actor=admin, reason="Quảng cáo, không phải nhu cầu thật")
    assert demand.status == RequestStatus.HIDDEN and demand.hidden_reason == "Quảng cáo, không phải nhu cầu thật"
    requests.restore_request(demand, actor=admin)
    assert demand.status == RequestStatus.OPEN and demand.hidden_reason is None


def test_most_wanted_groups_requests_by_folded_text_and_group():
    """The same item typed with or without accents counts together; hidden requests (spam) do not count."""
    since = utcnow() - timedelta(minutes=5)
    post(title="Nước mắm Phú Quốc")
    post(title="nuoc mam PHU QUOC")
    post(title="Gạo ST25", group_code="1.2")
    spam = post(title="Gạo ST25", group_code="1.2")
    requests.hide_request(spam, actor=make_user(role=Role.ADMIN), reason="spam")
    rows = queries.most_wanted(since, limit=10)
    assert [(r.folded_text, r.group_code, r.count) for r in rows] == [("nuoc mam phu quoc", "1.4", 2),
                                                                       ("gao st25", "1.2", 1)]
    assert rows[0].last_posted_at.tzinfo is not None


def test_the_boards_search_reads_the_details_folded_like_the_catalogue():
    """A word only in the details finds the request, typed with or without accents; every word of the query
    must begin a word of the title or of the details; "most wanted" still groups by the title alone."""
    since = utcnow() - timedelta(minutes=5)
    sauce = post(title="Nước mắm Phú Quốc", details="Đóng chai thủy tinh, đạm 40 độ.")
    other = post(title="Nước mắm cốt", details="Can nhựa 5 lít.")
    rice = post(title="Gạo ST25", details="Gạo thơm Sóc Trăng, bao 25 kg.", group_code="1.2")

    def found(query):
        return {request.id for request in db.session.scalars(queries.public_requests(query=query))}

    assert found("thuy tinh") == found("THỦY TINH") == {sauce.id}
    assert found("soc trang") == {rice.id}
    assert found("nuoc mam nhua") == {other.id}
    assert found("nuoc mam") == {sauce.id, other.id}
    assert found("tinh") == {sauce.id}  # a word's beginning, not its middle: "thủy tinh" has "tinh"
    assert found("inh") == set()
    rows = queries.most_wanted(since, limit=10)
    assert sorted((r.folded_text, r.count) for r in rows) == [("gao st25", 1), ("nuoc mam cot", 1),
                                                                ("nuoc mam phu quoc", 1)]
