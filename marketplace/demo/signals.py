"""Illustrative demand signals (dữ liệu minh họa), so the demand-signal pages have something to show:

- searches that found nothing, spread over the last weeks, some with the buyer's province;
- three illustrative buyers (accounts that cannot sign in: inactive, unknown password) and guests who put
  demo products in their carts, one of whom ordered nothing afterwards;
- two demo products that ran out of stock and were refilled (stock-takes through stock.services, their
  log rows dated back over the last weeks to show a history).

Idempotent: nothing is added when the first illustrative search is already recorded.
"""

import secrets
from datetime import timedelta

import sqlalchemy as sa

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import hash_password
from marketplace.catalog.models import Product, ZeroResultSearch
from marketplace.catalog.search import record_zero_result_search
from marketplace.catalog.status import ProductStatus
from marketplace.dates import utcnow
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.signals.models import CartAddition, SearchProvince
from marketplace.stock import services as stock_services
from marketplace.stock.models import StockMovement
from marketplace.text import search_tokens

NOTE = "Dữ liệu minh họa: tín hiệu nhu cầu"
#: (what was typed, days ago of each search, province codes of the buyers where known).
SEARCHES = (
    ("Yến sào Khánh Hòa", (2, 5, 9, 13, 21, 30), (56, 79, 1)),
    ("yen sao", (1, 4), (48,)),
    ("Nước mắm Phan Thiết", (3, 8, 17), (79,)),
    ("Hạt điều rang muối Bình Phước", (6, 11, 25, 40), (79, 92)),
    ("Bánh đậu xanh Hải Dương", (7, 19), (31,)),
    ("Nem chua Thanh Hóa", (10, 12, 33), ()),
    ("Mật ong rừng U Minh", (4, 15, 26), (92, 92)),
    ("Sâm Ngọc Linh", (14, 45), (48,)),
    ("Chè Tân Cương Thái Nguyên loại đặc biệt", (20,), ()),
)
#: Demo products that illustrative buyers put in their carts and did not buy.
CART_PRODUCTS = ("Gạo ST25", "Kẹo dừa Bến Tre", "Nước mắm Phú Quốc Khải Hoàn 40°N", "Trà hoa vàng Ba Chẽ")
#: Demo products whose stock ran out and came back: (name, days ago of its stock so far, then of each
#: stock-take at zero and refill in turn).
STOCK_OUTS = (("Bánh pía Sóc Trăng", (28, 20, 12, 6, 2)), ("Chả mực Hạ Long", (25, 18, 9)))


def _products(names) -> dict[str, Product]:
    return {product.name: product for product in db.session.scalars(
        sa.select(Product).where(Product.name.in_(names), Product.status == ProductStatus.ACTIVE))}


def _buyers() -> list[User]:
    buyers = []
    for n in (1, 2, 3):
        email = f"nguoi-mua-minh-hoa-{n}@example.org"
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            # Nobody can sign in as these: unknown random password, and inactive.
            user = User(email=email, full_name=f"Người mua minh họa {n}", role=Role.CONSUMER, is_active=False,
                        password_hash=hash_password(secrets.token_urlsafe(24)))
            db.session.add(user)
            db.session.flush()
        buyers.append(user)
    return buyers


def _searches(now) -> int:
    count = 0
    for text, days_ago, provinces in SEARCHES:
        for index, days in enumerate(days_ago):
            entry = record_zero_result_search(text, "vi")
            entry.created_at = now - timedelta(days=days, hours=index * 3)
            if index < len(provinces):
                db.session.add(SearchProvince(search_id=entry.id, province_code=provinces[index]))
            count += 1
    return count


def _carts(now) -> int:
    products = _products(CART_PRODUCTS)
    buyers = _buyers()
    count = 0
    for position, name in enumerate(CART_PRODUCTS):
        product = products.get(name)
        if product is None:
            continue
        # Each buyer (and a few guests) put it in a cart some days ago; nobody ordered it afterwards.
        for offset, buyer in enumerate(buyers[: 3 - position % 2]):
            db.session.add(CartAddition(product_id=product.id, producer_id=product.producer_id, user_id=buyer.id,
                                        quantity=1 + offset, created_at=now - timedelta(days=3 + offset + position)))
            count += 1
        for guest in range(position + 1):
            db.session.add(CartAddition(product_id=product.id, producer_id=product.producer_id, user_id=None,
                                        quantity=1, created_at=now - timedelta(days=1 + guest)))
            count += 1
    return count


def _stock_outs(now) -> int:
    """Stock-takes at zero and refills of the same units: the product ends with its stock as before."""
    products = _products([name for name, _days in STOCK_OUTS])
    count = 0
    for name, days_ago in STOCK_OUTS:
        product = products.get(name)
        if product is None:
            continue
        location = stock_services.warehouse_for(db.session.get(Producer, product.producer_id))
        level = stock_services.level_for(product.id, location.id)
        units = level.quantity
        if units <= 0:
            continue
        earlier = list(db.session.scalars(sa.select(StockMovement).where(StockMovement.stock_level_id == level.id)))
        for step in range(len(days_ago) - 1):
            if step % 2 == 0:
                stock_services.set_counted(level, 0, reason=NOTE)
            else:
                stock_services.receive(product.id, location.id, units, reason=NOTE)
        added = list(db.session.scalars(sa.select(StockMovement).where(
            StockMovement.stock_level_id == level.id, StockMovement.id.not_in([m.id for m in earlier]))
            .order_by(StockMovement.id)))
        for movement in earlier:
            movement.created_at = now - timedelta(days=days_ago[0])
        for movement, days in zip(added, days_ago[1:], strict=True):
            movement.created_at = now - timedelta(days=days)
        count += len(added)
    return count


def load_signals() -> int:
    """Record the illustrative signals once; returns how many rows were added (0 when already there)."""
    first = " ".join(search_tokens(SEARCHES[0][0]))
    if db.session.scalar(sa.select(ZeroResultSearch.id).where(ZeroResultSearch.folded_query == first).limit(1)):
        return 0
    now = utcnow()
    added = _searches(now) + _carts(now) + _stock_outs(now)
    db.session.flush()
    return added

