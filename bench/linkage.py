"""Benchmark: the demand board with a few thousand requests and producers (figures, never asserts).

    .venv/bin/python bench/linkage.py                    # SQLite (a throw-away file)
    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/x .venv/bin/python bench/linkage.py
    .venv/bin/python bench/linkage.py --requests 3000 --products 6000 --producers 2000 --runs 50

With TEST_DATABASE_URL (or DATABASE_URL) naming a PostgreSQL server, a throw-away database
`ocop_bench_linkage_<pid>` is created on that server (the named database is not touched) and dropped at the
end. Steps: `flask db upgrade heads`, the synthetic catalogue (bench/load_synthetic.py: --products products
of --producers producers in the 34 provinces), then --requests demand requests posted through the service
(linkage.requests.post_request: validation, the matching of linkage.matching over the catalogue's search,
the matches stored), each timed; their titles and details are built from the catalogue's own product names
(a fixed random seed), in every group and province. Then, in-process with Flask's test client (no network,
so the figures are the app's own time): the board's first page, a page further on, the board filtered by
words, by group and province, and a request's page (its ranked matches) as a guest and as a verified
producer's member. Prints p50 and p99 in ms and the SQL statements of one request of each page.
"""

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
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
from marketplace.catalog.models import Product  # noqa: E402
from marketplace.dates import today_vn  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.linkage import requests  # noqa: E402
from marketplace.linkage.models import DemandRequest  # noqa: E402
from marketplace.linkage.views import PAGE_SIZE  # noqa: E402
from marketplace.producers.models import Producer  # noqa: E402

KINDS = ("restaurant", "supermarket", "distributor", "business", "consumer")
UNITS = ("kg", "chai 500ml", "hộp", "thùng 24 chai", "gói 200g")
DETAILS = ("Hàng có tem OCOP, giao làm nhiều đợt.", "Cần đóng gói quà biếu Tết, có hóa đơn.",
           "Ưu tiên hàng 4 sao trở lên, giao tận kho.", "Đạt chuẩn vệ sinh an toàn thực phẩm, hạn dùng trên 6 tháng.")


def _run(args: list[str], url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "OCOP_ENV": "development", "SECRET_KEY": "bench-only"}
    subprocess.run(args, cwd=ROOT, env=env, check=True, timeout=900, stdout=subprocess.DEVNULL)


def _database(given: str | None) -> tuple[str, callable]:
    """The URL of a fresh database and a function that removes it."""
    if given and given.startswith("postgresql"):
        server = sa.engine.make_url(given)
        name = f"ocop_bench_linkage_{os.getpid()}"
        admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

        def drop():
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return server.set(database=name).render_as_string(hide_password=False), drop
    folder = Path(tempfile.mkdtemp(prefix="ocop-bench-linkage-"))

    def remove():
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()
    return f"sqlite:///{folder / 'bench.sqlite3'}", remove


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   (n={len(ordered)})"


def _post_requests(app, count: int) -> tuple[list[float], int]:
    """Post `count` requests as a few hundred buyers; returns the time of each and the matches stored."""
    rng = random.Random(11)
    needed_by = today_vn() + timedelta(days=60)
    with app.app_context():
        products = db.session.execute(sa.select(Product.name, Product.group_code, Producer.province_code)
                                      .join(Producer, Producer.id == Product.producer_id)).all()
        buyers = [User(email=f"buyer{n}@bench.example", full_name=f"Người mua {n}", role=Role.CONSUMER,
                       password_hash="!unusable") for n in range(300)]  # noqa: S106 (never signs in by password)
        db.session.add_all(buyers)
        db.session.commit()
        times = []
        for n in range(count):
            name, group, province = rng.choice(products)
            words = name.split()
            title = " ".join(words[:rng.randint(2, min(4, len(words)))]) if len(words) > 1 else name
            fields = {"buyer_kind": rng.choice(KINDS), "organisation": f"Đơn vị mua {n}", "title": title,
                      "details": rng.choice(DETAILS) + " " + " ".join(rng.choice(products)[0].split()[:2]),
                      "group_code": group, "quantity": str(rng.randint(20, 2000)), "unit": rng.choice(UNITS),
                      "target_price_vnd": str(rng.randint(20, 900) * 1000),
                      "delivery_province_code": str(province if rng.random() < 0.5 else rng.choice(products)[2]),
                      "needed_by": needed_by, "contact_name": "Nguyễn Văn An", "contact_phone": "0912 345 678",
                      "contact_email": f"mua{n}@bench.example"}
            started = time.perf_counter()
            requests.post_request(buyers[n % len(buyers)], requests.validate_request(fields))
            db.session.commit()
            times.append(time.perf_counter() - started)
        stored = db.session.scalar(sa.text("SELECT count(*) FROM demand_request_matches"))
        return times, stored


def _member_of_a_matched_producer(app, request_id: int) -> int:
    """A member (new user) of the first producer matched with the request."""
    with app.app_context():
        producer_id = db.session.scalar(sa.text(
            "SELECT producer_id FROM demand_request_matches WHERE request_id = :id ORDER BY rank LIMIT 1"), {"id": request_id})
        member = User(email="member@bench.example", full_name="Thành viên", role=Role.PRODUCER,
                      producer_id=producer_id, password_hash="!unusable")  # noqa: S106
        db.session.add(member)
        db.session.commit()
        return member.id


def _time_page(client, url: str, runs: int, engine) -> tuple[list[float], int]:
    statements = []

    def count(*_args):
        statements.append(1)

    response = client.get(url)  # warm-up: templates compiled
    if response.status_code != 200:
        sys.exit(f"{url}: {response.status_code}")
    sa.event.listen(engine, "before_cursor_execute", count)
    client.get(url)
    sa.event.remove(engine, "before_cursor_execute", count)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - started)
    return samples, len(statements)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--products", type=int, default=6000)
    parser.add_argument("--producers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    # SIGTERM ends the run like Ctrl-C, so the throw-away database is removed.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    url, cleanup = _database(os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL"))
    try:
        _run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade", "heads"], url)
        _run([sys.executable, "bench/load_synthetic.py", "--products", str(args.products),
              "--producers", str(args.producers)], url)

        class BenchConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = normalise_database_url(url)
            RATELIMIT_ENABLED = False

        app = create_app(BenchConfig)
        post_times, stored = _post_requests(app, args.requests)
        print(f"post a request (validation, matching, {stored / args.requests:.1f} matches stored on average): "
              f"{_percentiles(post_times)}")
        with app.app_context():
            demand = db.session.scalars(sa.select(DemandRequest).order_by(DemandRequest.id.desc())).first()
            request_id, group, province = demand.id, demand.group_code, demand.delivery_province_code
            word = demand.title.split()[0]
            engine = db.engine
        member_id = _member_of_a_matched_producer(app, request_id)
        last_page = max(1, -(-args.requests // PAGE_SIZE))
        pages = [("board, first page", "/demand"), (f"board, last page ({last_page})", f"/demand?page={last_page}"),
                 ("board, words", f"/demand?q={word}"), ("board, group and province",
                                                         f"/demand?group={group}&province={province}"),
                 ("request page (ranked matches), guest", f"/demand/{request_id}")]
        client = app.test_client()
        for name, address in pages:
            samples, statements = _time_page(client, address, args.runs, engine)
            print(f"{name:45} {_percentiles(samples)}   {statements} statements")
        with app.test_request_context(environ_base=client.environ_base):
            login_user(db.session.get(User, member_id), force=True)
            signed_in = dict(session)
        with client.session_transaction() as client_session:
            client_session.update(signed_in)
        samples, statements = _time_page(client, f"/demand/{request_id}", args.runs, engine)
        print(f"{'request page, verified producer member':45} {_percentiles(samples)}   {statements} statements")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
