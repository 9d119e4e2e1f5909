"""Benchmark: what shopper trust adds to the storefront's pages.

    .venv/bin/python bench/trust.py [--products 5000] [--saved 300] [--reviews 500] [--runs 100]

A throw-away SQLite file: `flask db upgrade heads`, the synthetic catalogue (bench/load_synthetic.py), one
shopper with `--saved` saved products, and one product with `--reviews` published reviews (delivered order
lines of one order) and 10 published questions. Then, in-process with Flask's test client (no network, the
app's own time): N GETs of a catalogue page (24 cards) as a guest and as that shopper (the hearts read the
saved ids in one query), and of the reviewed product's page. Prints p50 and p99 in ms and the SQL statements
per page.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from config import TestConfig  # noqa: E402
from marketplace import create_app  # noqa: E402
from marketplace.accounts.models import User  # noqa: E402
from marketplace.accounts.services import hash_password  # noqa: E402
from marketplace.catalog.listing import public_products  # noqa: E402
from marketplace.catalog.models import Product  # noqa: E402
from marketplace.dates import utcnow  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.orders.models import Order, OrderLine, PaymentMethod, ProducerOrder  # noqa: E402
from marketplace.orders.status import OrderStatus  # noqa: E402
from marketplace.questions.models import Question  # noqa: E402
from marketplace.questions.status import QuestionStatus  # noqa: E402
from marketplace.reviews.models import Review  # noqa: E402
from marketplace.stock.models import Location  # noqa: E402
from marketplace.wishlists.models import SavedProduct  # noqa: E402


def _run(args: list[str], url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "OCOP_ENV": "development", "SECRET_KEY": "bench-only"}
    subprocess.run(args, cwd=ROOT, env=env, check=True, timeout=900, stdout=subprocess.DEVNULL)


def _seed(saved: int, reviews: int) -> tuple[int, str]:
    """The shopper, their saved products, and the reviewed product; returns (user id, product slug)."""
    products = list(db.session.scalars(public_products().order_by(Product.id).limit(saved + 1)))
    shopper = User(email="bench.shopper@example.org", full_name="Người mua thử", password_hash=hash_password("bench-only"))  # noqa: S106 throw-away bench account
    db.session.add(shopper)
    db.session.flush()
    db.session.add_all(SavedProduct(user_id=shopper.id, product_id=p.id, created_at=utcnow()) for p in products[1:])
    reviewed = products[0]
    location = db.session.scalar(sa.select(Location.id).limit(1))
    order = Order(number="OC-BENCH-000001", buyer_id=shopper.id, idempotency_token=f"bench-{os.getpid()}", payment_method=PaymentMethod.COD,
                  recipient_name="Thử", recipient_phone="0900000000", province_code=1, ward_code=1, street="Thử",
                  subtotal_vnd=1, shipping_vnd=0, total_vnd=1)
    db.session.add(order)
    db.session.flush()
    sub = ProducerOrder(order_id=order.id, producer_id=reviewed.producer_id, location_id=location,
                        status=OrderStatus.DELIVERED, subtotal_vnd=1, shipping_fee_vnd=0, total_vnd=1, producer_name="Thử")
    db.session.add(sub)
    db.session.flush()
    for n in range(reviews):
        line = OrderLine(producer_order_id=sub.id, product_id=reviewed.id, quantity=1, unit_price_vnd=1, total_vnd=1,
                         product_name=reviewed.name, sku=reviewed.sku, unit=reviewed.unit, producer_name="Thử")
        db.session.add(line)
        db.session.flush()
        db.session.add(Review(order_line_id=line.id, product_id=reviewed.id, producer_id=reviewed.producer_id,
                              author_id=shopper.id, rating=1 + n % 5, body=f"Đánh giá thử số {n}.",
                              reply_body="Cảm ơn." if n % 2 else None, created_at=utcnow()))
    for n in range(10):
        db.session.add(Question(product_id=reviewed.id, producer_id=reviewed.producer_id, asker_id=shopper.id,
                                body=f"Câu hỏi thử {n}?", status=QuestionStatus.PUBLISHED, answer_body="Trả lời.",
                                answered_at=utcnow(), created_at=utcnow()))
    db.session.commit()
    return shopper.id, reviewed.slug


def _measure(client, url: str, runs: int, engine) -> tuple[float, float, int]:
    statements = []

    def count(*_args):
        statements.append(1)

    client.get(url)  # warm the caches
    timings = []
    for _ in range(runs):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        event.remove(engine, "before_cursor_execute", count)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.99) - 1)], len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--saved", type=int, default=300)
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ocop-bench-trust-") as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        _run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade", "heads"], url)
        _run([str(BIN / "python"), "bench/load_synthetic.py", "--products", str(args.products),
              "--producers", str(max(10, args.products // 10))], url)

        class BenchConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = url
            UPLOAD_FOLDER = folder

        app = create_app(BenchConfig)
        with app.app_context():
            _user_id, slug = _seed(args.saved, args.reviews)
            engine = db.engine
        guest = app.test_client()
        shopper = app.test_client()
        signed_in = shopper.post("/accounts/login", data={"email": "bench.shopper@example.org", "password": "bench-only"})
        if signed_in.status_code != 302:
            raise SystemExit("the bench shopper could not sign in")
        pages = [("catalogue page, guest", guest, "/products?sort=newest"),
                 (f"catalogue page, shopper with {args.saved} saved", shopper, "/products?sort=newest"),
                 (f"product page with {args.reviews} reviews and 10 questions, guest", guest, f"/products/{slug}"),
                 (f"product page with {args.reviews} reviews, shopper", shopper, f"/products/{slug}")]
        print(f"{args.products} products, {args.runs} runs each (SQLite, in-process)")
        for label, client, url_path in pages:
            with app.app_context():
                p50, p99, queries = _measure(client, url_path, args.runs, engine)
            print(f"  {label:<60} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   {queries} SQL statements")


if __name__ == "__main__":
    main()
