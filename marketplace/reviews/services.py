"""Writing, replying to and moderating reviews, and the figures product pages show.

Who may review: the buyer of an order line whose sub-order was delivered (or completed after delivery),
once per line. The producer of the product replies once. Only the program office hides a review, with a
reason, through the one writer `change_review_status`. Services flush, never commit; photo files of a
refused or rolled-back review are the caller's to delete (`delete_stored`).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.accounts.models import User
from marketplace.dates import utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.images import ProcessedImage, UploadRefused, process_image
from marketplace.inputs import MAX_ID, parse_int
from marketplace.orders.models import Order, OrderLine, ProducerOrder
from marketplace.orders.status import OrderStatus
from marketplace.reviews.labels import review_status_label
from marketplace.reviews.models import Review, ReviewEvent, ReviewPhoto
from marketplace.reviews.status import TRANSITIONS, ReviewStatus
from marketplace.statemachine import StatusConflict, check_transition
from marketplace.storage import get_storage, new_key
from marketplace.text import nfc

#: Sub-order statuses in which the buyer has received the goods and may review them.
REVIEWABLE = frozenset({OrderStatus.DELIVERED, OrderStatus.COMPLETED})
MAX_BODY = 2000
MAX_REPLY = 1000
MAX_REASON = 500
MAX_PHOTOS = 4
#: Each review photo may be at most this large (a product picture may be 8 MB).
MAX_PHOTO_BYTES = 5 * 1024 * 1024


class NotReviewable(DomainError):
    """This order line cannot be reviewed (yet, or any more); the message says why."""


class AlreadyReviewed(NotReviewable):
    """The line already has its review."""


class AlreadyReplied(DomainError):
    """The producer already replied to this review."""


@dataclass(frozen=True)
class RatingSummary:
    """The average of a product's published reviews (None without any) and how many there are."""

    average: float | None
    count: int


def _line_query(line_id):
    return (sa.select(OrderLine, ProducerOrder.status, Order.buyer_id, Order.number, ProducerOrder.producer_id)
            .join(ProducerOrder, ProducerOrder.id == OrderLine.producer_order_id)
            .join(Order, Order.id == ProducerOrder.order_id)
            .where(OrderLine.id == line_id))


def line_for_review(buyer: User, line_id) -> tuple[OrderLine, str, int]:
    """(the line, its order number, its producer id) when `buyer` may review it now.

    NotFound for a line that is not the buyer's (nothing is revealed about others' orders); NotReviewable
    when it was not delivered yet; AlreadyReviewed when it has its review.
    """
    line_id = parse_int(line_id, minimum=1, maximum=MAX_ID)
    row = db.session.execute(_line_query(line_id)).first() if line_id else None
    if row is None or row.buyer_id != buyer.id:
        raise NotFound(_("Order not found."))
    if OrderStatus(row.status) not in REVIEWABLE:
        raise NotReviewable(_("You can review a product once it has been delivered to you."))
    if db.session.scalar(sa.select(Review.id).where(Review.order_line_id == row.OrderLine.id)) is not None:
        raise AlreadyReviewed(_("You have already reviewed this purchase."))
    return row.OrderLine, row.number, row.producer_id


def clean_rating(value) -> int:
    """The rating as a whole number 1-5; DomainError (field "rating") otherwise."""
    rating = parse_int(value, minimum=1, maximum=5)
    if rating is None:
        raise DomainError(_("Please choose a rating from 1 to 5."), field="rating")
    return rating


def clean_text(value, maximum: int, *, required: bool, empty_message: str = "", field: str = "body") -> str:
    """Text as typed, normalised and trimmed; DomainError (naming the field) when empty (if required) or too long."""
    text = nfc(str(value or "")).replace("\r\n", "\n").strip()
    if required and not text:
        raise DomainError(empty_message or _("Please write something."), field=field)
    if len(text) > maximum:
        raise DomainError(_("Please write at most %(n)s characters.", n=maximum), field=field)
    return text


def check_photos(files: list[bytes]) -> list[ProcessedImage]:
    """Every photo checked and re-encoded before anything is stored; UploadRefused names the bad one."""
    files = [data for data in files if data]
    if len(files) > MAX_PHOTOS:
        raise UploadRefused(_("A review can have at most %(n)s photos.", n=MAX_PHOTOS), field="photos")
    processed = []
    for number, data in enumerate(files, start=1):
        try:
            processed.append(process_image(data, max_bytes=MAX_PHOTO_BYTES))
        except UploadRefused as error:
            raise UploadRefused(_("Photo %(n)s: %(reason)s", n=number, reason=error.message), field="photos") from None
    return processed


def write_review(buyer: User, line_id, *, rating, body, photos: list[bytes] | None = None) -> tuple[Review, list[str]]:
    """Record the buyer's review of a delivered line; returns it and the storage keys written.

    The photos are checked first: a bad one refuses the whole review and stores nothing. If the caller's
    commit fails, it deletes the returned keys (delete_stored).
    """
    line, _number, producer_id = line_for_review(buyer, line_id)
    rating = clean_rating(rating)
    body = clean_text(body, MAX_BODY, required=False)
    processed = check_photos(photos or [])
    review = Review(order_line_id=line.id, product_id=line.product_id, producer_id=producer_id, author_id=buyer.id,
                    rating=rating, body=body, status=ReviewStatus.PUBLISHED, created_at=utcnow())
    db.session.add(review)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        # The same line reviewed twice at once (two tabs): the unique line id lets one win.
        raise AlreadyReviewed(_("You have already reviewed this purchase.")) from None
    keys = _store_photos(review, processed)
    return review, keys


def _store_photos(review: Review, processed: list[ProcessedImage]) -> list[str]:
    storage = get_storage()
    keys: list[str] = []
    try:
        for position, image in enumerate(processed):
            key = new_key(f"reviews/{review.id}", "webp")
            thumb_key = key[: -len(".webp")] + "_thumb.webp"
            storage.save(key, image.data, "image/webp")
            keys.append(key)
            storage.save(thumb_key, image.thumb, "image/webp")
            keys.append(thumb_key)
            db.session.add(ReviewPhoto(review_id=review.id, position=position, storage_key=key, thumb_key=thumb_key,
                                       width=image.width, height=image.height))
        db.session.flush()
    except Exception:
        delete_stored(keys)
        raise
    return keys


def delete_stored(keys: list[str]) -> None:
    """Delete photo files (after a rollback that dropped the rows referring to them)."""
    storage = get_storage()
    for key in keys:
        storage.delete(key)


def reply_to_review(review: Review, *, actor: User | None, body) -> Review:
    """The producer's one reply; AlreadyReplied when there is one (also when two members race)."""
    if review.reply_body is not None:
        raise AlreadyReplied(_("This review already has your reply."))
    body = clean_text(body, MAX_REPLY, required=True, field="body", empty_message=_("Please write your reply."))
    now = utcnow()
    result = db.session.execute(
        sa.update(Review).where(Review.id == review.id, Review.reply_body.is_(None))
        .values(reply_body=body, replied_at=now, replied_by_id=actor.id if actor else None)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(review)
        raise AlreadyReplied(_("This review already has your reply."))
    set_committed_value(review, "reply_body", body)
    set_committed_value(review, "replied_at", now)
    set_committed_value(review, "replied_by_id", actor.id if actor else None)
    return review


def change_review_status(review: Review, new: ReviewStatus | str, *, actor: User | None, reason: str | None = None) -> Review:
    """The only writer of Review.status: checks the table, compare-and-sets, records a ReviewEvent."""
    new = ReviewStatus(new)
    current = ReviewStatus(review.status)
    check_transition(TRANSITIONS, current, new, _("A review cannot go from “%(old)s” to “%(new)s”.",
                                                   old=review_status_label(current), new=review_status_label(new)))
    result = db.session.execute(
        sa.update(Review).where(Review.id == review.id, Review.status == current).values(status=new)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(review)
        raise StatusConflict(_("This review was changed by someone else in the meantime. Please reload."))
    set_committed_value(review, "status", new)
    db.session.add(ReviewEvent(review_id=review.id, from_status=current, to_status=new, at=utcnow(),
                               actor_id=actor.id if actor else None, reason=reason))
    db.session.flush()
    return review


def hide_review(review: Review, *, actor: User, reason) -> Review:
    """The program office hides an abusive review; the reason is required and kept in the event."""
    reason = clean_text(reason, MAX_REASON, required=True, field="reason",
                        empty_message=_("Please give the reason for hiding this review."))
    return change_review_status(review, ReviewStatus.HIDDEN, actor=actor, reason=reason)


def restore_review(review: Review, *, actor: User, reason=None) -> Review:
    """Show a hidden review again."""
    reason = clean_text(reason, MAX_REASON, required=False, field="reason") or None
    return change_review_status(review, ReviewStatus.PUBLISHED, actor=actor, reason=reason)


# Reading.

def rating_summary(product_id: int) -> RatingSummary:
    """Average and count of the product's published reviews, in one query."""
    average, count = db.session.execute(
        sa.select(sa.func.avg(Review.rating), sa.func.count(Review.id))
        .where(Review.product_id == product_id, Review.status == ReviewStatus.PUBLISHED)).one()
    return summary_of(average, count)


def rating_summary_columns(product_id_column) -> tuple:
    """SQL expressions (average, count) of one product's published reviews, to read with the product itself
    (the product page's own query); summary_of() turns the two values into a RatingSummary."""
    published = sa.and_(Review.product_id == product_id_column, Review.status == ReviewStatus.PUBLISHED)
    return (sa.select(sa.func.avg(Review.rating)).where(published).scalar_subquery(),
            sa.select(sa.func.count(Review.id)).where(published).scalar_subquery())


def summary_of(average, count) -> RatingSummary:
    """The RatingSummary of an average and a count read from the database."""
    return RatingSummary(float(average) if average is not None else None, int(count or 0))


def published_reviews(product_id: int) -> sa.Select:
    """SELECT of a product's published reviews, newest first, with their author and photos."""
    return (sa.select(Review).where(Review.product_id == product_id, Review.status == ReviewStatus.PUBLISHED)
            .options(joinedload(Review.author), selectinload(Review.photos))
            .order_by(Review.created_at.desc(), Review.id.desc()))


def reviews_for_producer(producer_id: int | None) -> sa.Select:
    """SELECT of the reviews of a producer's products (all producers for None), newest first."""
    query = sa.select(Review).options(joinedload(Review.author), joinedload(Review.product),
                                      selectinload(Review.photos))
    if producer_id is not None:
        query = query.where(Review.producer_id == producer_id)
    return query.order_by(Review.created_at.desc(), Review.id.desc())


def review_by_id(review_id) -> Review | None:
    """The review with this id, with what the back-office screens show (None when there is none)."""
    review_id = parse_int(review_id, minimum=1, maximum=MAX_ID)
    if review_id is None:
        return None
    return db.session.scalar(sa.select(Review).where(Review.id == review_id)
                             .options(joinedload(Review.author), joinedload(Review.product),
                                      selectinload(Review.photos),
                                      selectinload(Review.events).joinedload(ReviewEvent.actor)))


def reviewed_lines(line_ids) -> set[int]:
    """Which of these order lines already have a review (one query)."""
    line_ids = list(line_ids)
    if not line_ids:
        return set()
    return set(db.session.scalars(sa.select(Review.order_line_id).where(Review.order_line_id.in_(line_ids))))


def review_actions(order: Order) -> dict[int, str]:
    """For the buyer's order page: {line id: "write" or "done"} for lines of delivered sub-orders."""
    lines = [line.id for po in order.producer_orders if OrderStatus(po.status) in REVIEWABLE for line in po.lines]
    done = reviewed_lines(lines)
    return {line_id: "done" if line_id in done else "write" for line_id in lines}


def format_average(average: float | None, language: str) -> str:
    """4.75 -> '4,8' in Vietnamese, '4.8' in English (one decimal)."""
    if average is None:
        return ""
    text = f"{average:.1f}"
    return text.replace(".", ",") if language == "vi" else text
