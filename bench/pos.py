"""Benchmark: the server time of completing a 5-line POS sale and of a barcode lookup at the till.

    .venv/bin/python bench/pos.py                    # SQLite (a throw-away file)
    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/x .venv/bin/python bench/pos.py
    .venv/bin/python bench/pos.py --runs 300 --products 20000

With TEST_DATABASE_URL (or DATABASE_URL) naming a PostgreSQL server, a throw-away database
`ocop_bench_pos_<pid>` is created on that server (the named database is not touched) and dropped at the end.
Steps: `flask db upgrade heads`, the synthetic catalogue (bench/load_synthetic.py, 20,000 products by
default), one showroom holding five of them in two lots each, a clerk; then, in-process with Flask's test
client (no network, so the figures are the app's own time): N posts of a 5-line cash sale to
/manage/showrooms/<id>/pos/sales (each a new till id), and N barcode lookups. Prints p50 and p99 in ms.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import session
from flask_login import login_user

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from config import TestConfig, normalise_database_url  # noqa: E402
from marketplace import create_app  # noqa: E402
from marketplace.accounts.models import Role, User  # noqa: E402
from marketplace.accounts.services import hash_password  # noqa: E402
from marketplace.catalog.models import Product  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.showrooms import consignments, services  # noqa: E402
from marketplace.showrooms.models import StaffRole  # noqa: E402


def _ean13(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


BARCODES = tuple(_ean13(f"89399990000{n}") for n in range(1, 6))


def _run(args: list[str], url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "OCOP_ENV": "development", "SECRET_KEY": "bench-only"}
    subprocess.run(args, cwd=ROOT, env=env, check=True, timeout=900, stdout=subprocess.DEVNULL)


def _database(given: str | None) -> tuple[str, callable]:
    """The URL of a fresh database and a function that removes it."""
    if given and given.startswith("postgresql"):
        server = sa.engine.make_url(given)
        name = f"ocop_bench_pos_{os.getpid()}"
        admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

        def drop():
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return server.set(database=name).render_as_string(hide_password=False), drop
    folder = tempfile.mkdtemp(prefix="ocop-bench-pos-")
    path = Path(folder) / "bench.sqlite3"

    def remove():
        for file in Path(folder).iterdir():
            file.unlink()
        Path(folder).rmdir()
    return f"sqlite:///{path}", remove


def _setup(app, products_count: int):
    """A showroom holding five products (two lots each), a clerk; returns (showroom id, product ids, clerk id)."""
    with app.app_context():
        ids = list(db.session.scalars(sa.select(Product.id).order_by(Product.id).limit(5)))
        for product_id, barcode in zip(ids, BARCODES, strict=True):
            db.session.get(Product, product_id).barcode = barcode
        showroom = services.create_showroom(services.ShowroomDetails(
            name="Điểm OCOP Bench", ward_code=4, street="1 Phố Thử", opening_hours="", phone="", latitude=None,
            longitude=None, commission_rate_bp=1000, max_discount_bp=1000))
        by_producer: dict[int, list[Product]] = {}
        for product in db.session.scalars(sa.select(Product).where(Product.id.in_(ids))):
            by_producer.setdefault(product.producer_id, []).append(product)
        for producer_id, items in by_producer.items():
            for lot, best_before in (("B1", date(2027, 1, 1)), ("B2", date(2027, 6, 1))):
                consignment = consignments.record_delivery(showroom, producer_id, [
                    consignments.DeliveryLine(p.id, 50_000, f"{lot}-{p.id}", best_before) for p in items], actor=None)
                lines = consignments.lines_of(consignment)
                consignments.receive(consignment, {line.id: line.quantity for line in lines}, {}, actor=None)
        clerk = User(email="clerk@bench.example", full_name="Bench", role=Role.SHOWROOM_STAFF,
                     location_id=showroom.location_id, password_hash=hash_password("bench-password"))
        db.session.add(clerk)
        db.session.flush()
        services.add_member(showroom, clerk, StaffRole.CLERK)
        db.session.commit()
        return showroom.id, ids, clerk.id


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   (n={len(ordered)})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--products", type=int, default=20000)
    args = parser.parse_args(argv)
    url, cleanup = _database(os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL"))
    try:
        _run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade", "heads"], url)
        _run([sys.executable, "bench/load_synthetic.py", "--products", str(args.products),
              "--producers", str(max(1, args.products // 10))], url)

        class BenchConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = normalise_database_url(url)

        app = create_app(BenchConfig)
        showroom_id, product_ids, clerk_id = _setup(app, args.products)
        client = app.test_client()
        with app.test_request_context(environ_base=client.environ_base):
            login_user(db.session.get(User, clerk_id), force=True)
            signed_in = dict(session)
        with client.session_transaction() as client_session:
            client_session.update(signed_in)
        sale_url = f"/manage/showrooms/{showroom_id}/pos/sales"
        lookup_url = f"/manage/showrooms/{showroom_id}/pos/lookup"
        sale_times, lookup_times = [], []
        for n in range(args.runs + 10):
            body = {"client_id": f"bench-{os.getpid()}-{n:06d}", "method": "cash", "cash_received": 10**9,
                    "lines": [{"product_id": pid, "quantity": 1 + n % 3} for pid in product_ids]}
            started = time.perf_counter()
            response = client.post(sale_url, json=body)
            elapsed = time.perf_counter() - started
            if response.status_code != 201:
                sys.exit(f"sale failed: {response.status_code} {response.get_data(as_text=True)[:300]}")
            started = time.perf_counter()
            response = client.get(lookup_url, query_string={"q": BARCODES[n % 5]})
            lookup_elapsed = time.perf_counter() - started
            if response.status_code != 200 or len(response.get_json()["items"]) != 1:
                sys.exit(f"lookup failed: {response.status_code}")
            if n >= 10:  # the first ten warm up caches and compiled statements
                sale_times.append(elapsed)
                lookup_times.append(lookup_elapsed)
        with app.app_context():
            dialect = db.engine.dialect.name
            db.session.remove()
            db.engine.dispose()
        print(f"POS bench on {dialect}, {args.products} products, {args.runs} runs each (in-process test client)")
        print(f"  complete a 5-line sale   {_percentiles(sale_times)}")
        print(f"  barcode lookup           {_percentiles(lookup_times)}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
