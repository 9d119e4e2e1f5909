"""Illustrative sales history (dữ liệu minh họa) so the program analytics have something to show: about
fourteen months of invented ledger sales of the demo products, online (to buyers in many provinces), at the
two demo showrooms and through supply-demand linkage, with a few refunds. Written through the ledger's own
`record_sale`/`record_reversal`, references "demo-history:...". None of it is a real sale.

Idempotent: nothing is written when a demo-history entry already exists. The numbers come from a fixed seed,
so every machine gets the same history (dated back from the day it is loaded).
"""

import random
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from marketplace.catalog.models import Product
from marketplace.dates import VIETNAM, today_vn
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import LINKAGE_CHANNEL, ONLINE_CHANNEL, SHOWROOM_CHANNEL, SaleEntry
from marketplace.producers.models import Producer
from marketplace.showrooms.models import Showroom

REFERENCE = "demo-history"
DAYS = 420
SEED = 11
#: Where online buyers live, with weights (big cities first), by province code.
BUYER_PROVINCES = ((1, 30), (79, 28), (48, 7), (31, 6), (92, 5), (22, 4), (24, 4), (56, 3), (38, 3), (40, 3),
                   (46, 2), (66, 2), (68, 2), (75, 3), (91, 2), (86, 2), (19, 2), (25, 2), (33, 1), (37, 1),
                   (51, 1), (52, 1), (82, 1), (96, 1), (44, 1), (42, 1), (80, 1), (15, 1), (14, 1), (8, 1))
PAYMENT_METHODS = ("cod", "card", "bank_transfer")


def load_sales_history() -> int:
    """Write the illustrative history unless it is there; returns how many ledger entries were written."""
    exists = db.session.scalar(sa.select(sa.func.count()).select_from(SaleEntry)
                               .where(SaleEntry.reference.like(f"{REFERENCE}:%")))
    if exists:
        return 0
    products = db.session.execute(
        sa.select(Product.id, Product.producer_id, Product.name, Product.sku, Product.price_vnd, Producer.name)
        .join(Producer, Producer.id == Product.producer_id).where(Producer.is_demo).order_by(Product.id)).all()
    if not products:
        return 0
    showrooms = list(db.session.scalars(sa.select(Showroom.location_id).order_by(Showroom.id)))
    chance = random.Random(SEED)  # noqa: S311 (illustrative numbers, not security)
    # Each product gets a popularity, so a few sell a lot and most sell a little (as in real shops).
    weights = [1 / (rank + 1) for rank in range(len(products))]
    chance.shuffle(weights)
    buyers, buyer_weights = zip(*BUYER_PROVINCES, strict=True)
    today = today_vn()
    written = 0
    serial = 0
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        # Growing sales over the months, more at weekends and before Tết (late January / February).
        trend = 0.5 + 0.5 * (DAYS - back) / DAYS
        festive = 1.6 if day.month in (1, 2) else 1.0
        weekend = 1.3 if day.weekday() >= 5 else 1.0
        for _sale in range(max(1, round(chance.gauss(4, 1.5) * trend * festive * weekend))):
            serial += 1
            roll = chance.random()
            if roll < 0.68 or not showrooms:
                channel, location, buyer = ONLINE_CHANNEL, None, chance.choices(buyers, buyer_weights)[0]
            elif roll < 0.95:
                channel, location, buyer = SHOWROOM_CHANNEL, chance.choice(showrooms), None
            else:
                channel, location, buyer = LINKAGE_CHANNEL, None, chance.choices(buyers, buyer_weights)[0]
            when = datetime.combine(day, time(chance.randint(7, 21), chance.randint(0, 59)), tzinfo=VIETNAM)
            lines = chance.choices(products, weights, k=chance.choice((1, 1, 1, 2, 2, 3)))
            entries = []
            for product_id, producer_id, name, sku, price, producer_name in dict.fromkeys(lines):
                quantity = chance.randint(5, 20) if channel == LINKAGE_CHANNEL else chance.choice((1, 1, 1, 2, 2, 3, 5))
                unit_price = price * 9 // 10 if channel == LINKAGE_CHANNEL else price
                entries.append(ledger.record_sale(
                    product_id=product_id, producer_id=producer_id, quantity=quantity, unit_price_vnd=unit_price,
                    payment_method="cash" if channel == SHOWROOM_CHANNEL else chance.choice(PAYMENT_METHODS),
                    product_name=name, producer_name=producer_name, sku=sku, channel=channel,
                    location_id=location, buyer_province_code=buyer,
                    reference=f"{REFERENCE}:{channel}:{serial}", occurred_at=when))
            written += len(entries)
            if channel == ONLINE_CHANNEL and chance.random() < 0.03:
                refund_at = when + timedelta(days=chance.randint(1, 6))
                if refund_at.date() < today:
                    for entry in entries:
                        ledger.record_reversal(entry, reference=f"{REFERENCE}:refund:{serial}", occurred_at=refund_at)
                        written += 1
    db.session.flush()
    return written
