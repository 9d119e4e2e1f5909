"""Reading the demand board: public lists, one request with what its viewer may see, a producer's matched
requests and offers, the program office's lists, the linkages, and the most-wanted items (read by the
demand signals). Every query says what it loads (relationships are lazy="raise_on_sql").
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.linkage.models import DemandRequest, Linkage, Offer, RequestMatch
from marketplace.linkage.status import OfferStatus, RequestStatus
from marketplace.text import search_tokens

R = RequestStatus


def open_clause(today: date | None = None):
    """SQL condition: the request is open and its needed-by date has not passed (expiry needs no job to hide it)."""
    return sa.and_(DemandRequest.status == R.OPEN, DemandRequest.needed_by >= (today or today_vn()))


def public_requests(*, group_code: str | None = None, province_code: int | None = None, query: str = "",
                    today: date | None = None) -> sa.Select:
    """Open requests, newest first, optionally of one group (or sector), delivered to one province, or
    whose words start with the query's (accent-folded): each word of the query begins a word of the title
    or of the details."""
    statement = sa.select(DemandRequest).where(open_clause(today))
    if group_code:
        if "." in group_code:
            statement = statement.where(DemandRequest.group_code == group_code)
        else:
            statement = statement.where(DemandRequest.group_code.like(f"{group_code}.%"))
    if province_code:
        statement = statement.where(DemandRequest.delivery_province_code == province_code)
    words = sa.literal(" ") + DemandRequest.search_text + sa.literal(" ") + DemandRequest.details_text
    for token in search_tokens(query):
        # Tokens are [a-z0-9] words only (no LIKE wildcard in them).
        statement = statement.where(words.like(f"% {token}%"))
    return statement.order_by(DemandRequest.created_at.desc(), DemandRequest.id.desc())


def request_by_id(request_id: int) -> DemandRequest | None:
    """One request with its matches (and their producers) and its offers (with producer and product)."""
    return db.session.scalar(
        sa.select(DemandRequest).where(DemandRequest.id == request_id)
        .options(joinedload(DemandRequest.author),
                 selectinload(DemandRequest.matches).joinedload(RequestMatch.producer),
                 selectinload(DemandRequest.offers).options(joinedload(Offer.producer), joinedload(Offer.product))))


def requests_by_author(author_id: int) -> list[DemandRequest]:
    return list(db.session.scalars(sa.select(DemandRequest).where(DemandRequest.author_id == author_id)
                                   .order_by(DemandRequest.id.desc())))


def offer_counts(request_ids: list[int]) -> dict[int, int]:
    """Offers awaiting the buyer, per request."""
    if not request_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Offer.request_id, sa.func.count(Offer.id))
        .where(Offer.request_id.in_(request_ids), Offer.status == OfferStatus.PENDING)
        .group_by(Offer.request_id)).all())


def matched_requests(producer_id: int, *, today: date | None = None) -> list[tuple[DemandRequest, RequestMatch]]:
    """The open requests this producer was matched to (its portal's list), with its rank on each."""
    rows = db.session.execute(
        sa.select(DemandRequest, RequestMatch).join(RequestMatch, RequestMatch.request_id == DemandRequest.id)
        .where(RequestMatch.producer_id == producer_id, open_clause(today))
        .order_by(DemandRequest.needed_by, DemandRequest.id)).all()
    return [(request, match) for request, match in rows]


def offers_of_producer(producer_id: int) -> list[Offer]:
    """Every offer of the producer, newest first, with its request."""
    return list(db.session.scalars(sa.select(Offer).where(Offer.producer_id == producer_id)
                                   .options(joinedload(Offer.request), joinedload(Offer.product))
                                   .order_by(Offer.id.desc())))


LINKAGE_GRAPH = (joinedload(Linkage.request), joinedload(Linkage.offer), joinedload(Linkage.producer),
                 joinedload(Linkage.product), joinedload(Linkage.buyer), joinedload(Linkage.order))


def linkage_by_id(linkage_id: int) -> Linkage | None:
    return db.session.scalar(sa.select(Linkage).where(Linkage.id == linkage_id).options(*LINKAGE_GRAPH))


def linkage_of_request(request_id: int) -> Linkage | None:
    return db.session.scalar(sa.select(Linkage).where(Linkage.request_id == request_id).options(*LINKAGE_GRAPH))


def linkages(*, producer_id: int | None = None, buyer_id: int | None = None) -> sa.Select:
    """Linkages, newest first, of one producer or buyer (or all, for the program office)."""
    statement = sa.select(Linkage).options(*LINKAGE_GRAPH).order_by(Linkage.agreed_on.desc(), Linkage.id.desc())
    if producer_id is not None:
        statement = statement.where(Linkage.producer_id == producer_id)
    if buyer_id is not None:
        statement = statement.where(Linkage.buyer_id == buyer_id)
    return statement


def admin_requests(*, status: RequestStatus | None = None) -> sa.Select:
    """Every request for the program office, newest first, with its author."""
    statement = sa.select(DemandRequest).options(joinedload(DemandRequest.author)).order_by(DemandRequest.id.desc())
    if status is not None:
        statement = statement.where(DemandRequest.status == status)
    return statement


@dataclass(frozen=True)
class MostWanted:
    """One item buyers asked for: the accent-folded words of the requests' titles and their product group,
    how many requests asked for it since the date given, and when the last one was posted."""

    folded_text: str
    group_code: str
    count: int
    last_posted_at: datetime


def most_wanted(since: datetime, limit: int = 20) -> list[MostWanted]:
    """The items most asked for in requests posted since `since` (hidden requests, i.e. spam, are left
    out), grouped by folded title and product group, most requests first (then the latest)."""
    last = sa.func.max(DemandRequest.created_at)
    rows = db.session.execute(
        sa.select(DemandRequest.search_text, DemandRequest.group_code, sa.func.count(DemandRequest.id), last)
        .where(DemandRequest.created_at >= since, DemandRequest.status != R.HIDDEN)
        .group_by(DemandRequest.search_text, DemandRequest.group_code)
        .order_by(sa.func.count(DemandRequest.id).desc(), last.desc(), DemandRequest.search_text)
        .limit(limit)).all()
    return [MostWanted(text, group, count, at) for text, group, count, at in rows]
