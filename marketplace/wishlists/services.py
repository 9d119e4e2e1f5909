"""Saving products and following shops, for the signed-in user only.

Every function takes the user explicitly and reads or writes that user's rows alone: there is no way to
name another user's list. A product can be saved while it is public, a shop followed while it is verified;
removing always works. Services flush, never commit.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.accounts import facts
from marketplace.accounts.models import User
from marketplace.catalog import queries
from marketplace.catalog.listing import public_products
from marketplace.catalog.models import Product
from marketplace.dates import utcnow
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, parse_int
from marketplace.producers.models import Producer, VerificationStatus
from marketplace.wishlists.models import FollowedShop, SavedProduct

#: Most products one user can keep saved, and shops one user can follow.
MAX_SAVED = 500
MAX_FOLLOWED = 200
#: "New" products of followed shops: listed in the last this many days.
NEW_PRODUCT_DAYS = 30
NEW_PRODUCT_LIMIT = 24


class ListFull(DomainError):
    """The user's list holds the most entries allowed."""


def _id(value) -> int:
    found = parse_int(value, minimum=1, maximum=MAX_ID)
    if found is None:
        raise NotFound(_("Product not found."))
    return found


def _ids(text: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",")) if text else frozenset()


def _listed(column, user_id) -> sa.ScalarSelect:
    """The user's ids in one column as one text ("3,17,42"), for the member's own facts."""
    return (sa.select(sa.func.aggregate_strings(sa.cast(column, sa.String), sa.literal_column("','")))
            .where(column.table.c.user_id == user_id).scalar_subquery())


# Read with the member on every page (accounts.facts): the hearts and the follow button cost no query.
facts.provide("saved_ids", lambda: _listed(SavedProduct.product_id, User.id), _ids)
facts.provide("followed_ids", lambda: _listed(FollowedShop.producer_id, User.id), _ids)


def saved_product_ids(user: User) -> set[int]:
    """The ids of the user's saved products (one query; the card hearts of a whole page use it)."""
    known = facts.of(user, "saved_ids", db.session())
    if known is not None:
        return set(known)
    return set(db.session.scalars(sa.select(SavedProduct.product_id).where(SavedProduct.user_id == user.id)))


def save_product(user: User, product_id) -> Product:
    """Put a public product on the user's wishlist (saving it twice changes nothing)."""
    product_id = _id(product_id)
    product = db.session.scalar(public_products().where(Product.id == product_id))
    if product is None:
        raise NotFound(_("Product not found."))
    if db.session.scalar(sa.select(SavedProduct.id).where(SavedProduct.user_id == user.id,
                                                          SavedProduct.product_id == product_id)):
        return product
    count = db.session.scalar(sa.select(sa.func.count()).select_from(SavedProduct).where(SavedProduct.user_id == user.id))
    if count >= MAX_SAVED:
        raise ListFull(_("Your wishlist is full (%(n)s products). Remove some to save more.", n=MAX_SAVED))
    db.session.add(SavedProduct(user_id=user.id, product_id=product_id, created_at=utcnow()))
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        pass  # saved at the same moment from another tab: it is saved either way
    return product


def unsave_product(user: User, product_id) -> None:
    """Take a product off the user's wishlist (absent: nothing happens)."""
    product_id = _id(product_id)
    db.session.execute(sa.delete(SavedProduct).where(SavedProduct.user_id == user.id,
                                                     SavedProduct.product_id == product_id))
    db.session.flush()


def saved_products(user: User) -> tuple[list[queries.ProductCard], list[tuple[int, str]]]:
    """The user's wishlist, newest first: cards of the products still on sale, and (id, name) of the others."""
    rows = db.session.execute(sa.select(SavedProduct.product_id, Product.name).join(Product, Product.id == SavedProduct.product_id)
                              .where(SavedProduct.user_id == user.id)
                              .order_by(SavedProduct.created_at.desc(), SavedProduct.id.desc())).all()
    ids = [row.product_id for row in rows]
    found = queries.cards_by_id(ids)
    cards = [found[product_id] for product_id in ids if product_id in found]
    gone = [(row.product_id, row.name) for row in rows if row.product_id not in found]
    return cards, gone


def _verified_producer(producer_id) -> Producer:
    producer_id = parse_int(producer_id, minimum=1, maximum=MAX_ID)
    producer = db.session.get(Producer, producer_id) if producer_id else None
    if producer is None or producer.verification_status != VerificationStatus.VERIFIED:
        raise NotFound(_("Shop not found."))
    return producer


def is_following(user: User, producer_id: int) -> bool:
    known = facts.of(user, "followed_ids", db.session())
    if known is not None:
        return producer_id in known
    return db.session.scalar(sa.select(FollowedShop.id).where(FollowedShop.user_id == user.id,
                                                              FollowedShop.producer_id == producer_id)) is not None


def follow_shop(user: User, producer_id) -> Producer:
    """Follow a verified producer's shop (following twice changes nothing)."""
    producer = _verified_producer(producer_id)
    if is_following(user, producer.id):
        return producer
    count = db.session.scalar(sa.select(sa.func.count()).select_from(FollowedShop).where(FollowedShop.user_id == user.id))
    if count >= MAX_FOLLOWED:
        raise ListFull(_("You follow the most shops allowed (%(n)s). Unfollow some to follow more.", n=MAX_FOLLOWED))
    db.session.add(FollowedShop(user_id=user.id, producer_id=producer.id, created_at=utcnow()))
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        pass
    return producer


def unfollow_shop(user: User, producer_id) -> None:
    """Stop following a shop (not followed: nothing happens)."""
    producer_id = parse_int(producer_id, minimum=1, maximum=MAX_ID)
    if producer_id is None:
        raise NotFound(_("Shop not found."))
    db.session.execute(sa.delete(FollowedShop).where(FollowedShop.user_id == user.id,
                                                     FollowedShop.producer_id == producer_id))
    db.session.flush()


def followed_shops(user: User) -> list[Producer]:
    """The verified shops the user follows, by name."""
    return list(db.session.scalars(
        sa.select(Producer).join(FollowedShop, FollowedShop.producer_id == Producer.id)
        .where(FollowedShop.user_id == user.id, Producer.verification_status == VerificationStatus.VERIFIED)
        .order_by(Producer.name)))


def new_from_followed(user: User, *, days: int = NEW_PRODUCT_DAYS, limit: int = NEW_PRODUCT_LIMIT) -> list[queries.ProductCard]:
    """Public products that the user's followed shops listed in the last `days` days, newest first."""
    since = utcnow() - timedelta(days=days)
    followed = sa.select(FollowedShop.producer_id).where(FollowedShop.user_id == user.id)
    ids = list(db.session.scalars(
        queries.public_ids().where(Product.producer_id.in_(followed), Product.created_at >= since)
        .order_by(Product.created_at.desc(), Product.id.desc()).limit(limit)))
    return queries.cards(ids)
