"""Time every program analytics page on PostgreSQL with 1,000,000 ledger rows (figures, never asserts).

    .venv/bin/python bench/analytics.py                    # 1,000,000 rows, throw-away database
    .venv/bin/python bench/analytics.py --rows 200000 --repeat 5 --keep
    .venv/bin/python bench/analytics.py --keep --name ocop_bench_analytics_keep   # load once, keep it
    .venv/bin/python bench/analytics.py --existing ocop_bench_analytics_keep      # time it again (no loading)
    .venv/bin/python bench/analytics.py --existing ocop_bench_analytics_keep --summary-kept   # pages only

1. creates a throw-away database `ocop_bench_analytics_<pid>` on the PostgreSQL server at
   postgresql+psycopg://postgres@127.0.0.1:5432 (`--pg-url` or BENCH_PG_URL), runs the migrations and
   bench/load_synthetic.py (a synthetic catalogue: 8,000 products of 1,500 producers in the 34 provinces
   by default), adds 12 showrooms in 6 provinces;
2. loads the ledger in one INSERT .. SELECT over generate_series: `--rows` sales over the last three years
   (more in recent months), 70 % online, 25 % at the showrooms, 5 % supply-demand linkage, a few products
   selling far more than most, buyers in every province (Hà Nội and Hồ Chí Minh most), two lines per
   order, then reversing entries for about 1.5 % of them (refunds), and ANALYZE;
3. "before": times each page while the sales summary is empty (every figure sums the ledger itself);
4. folds the ledger into the summary (reports.summary.refresh_summary, timed), ANALYZE, and times each page
   again ("after"); then records 1,000 new sales and times the default page before and after the next
   incremental refresh;
5. drops the database (unless --keep), also on Ctrl-C. A kept database keeps its summary and the 1,000 new
   sales (each run adds its own, referenced bench-new:<pid>:<id>).

--existing NAME skips 1 and 2 on a database an earlier --keep run loaded: it applies the migrations, empties
the summary (so "before" reads the ledger alone and the first refresh folds all of it) and times 3 and 4; the
database is never dropped.

Each page is requested through the app (Flask's test client, signed in as an administrator) --repeat times
after one warm-up; the median server time is printed. Only 127.0.0.1 is used.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The pages timed: (name, URL). "default" is each page as the menu opens it (the last 30 days).
PAGES = (
    ("overview, default (30 days)", "/admin/analytics"),
    ("overview, 3 years by month", "/admin/analytics?from={three_years}&to={today}&by=month"),
    ("overview, 1 year by week, showroom, 4 stars", "/admin/analytics?from={one_year}&to={today}&by=week"
                                                     "&channel=showroom&star=4"),
    ("provinces, default", "/admin/analytics/provinces"),
    ("provinces, 3 years, map of buyers", "/admin/analytics/provinces?from={three_years}&to={today}&map=buyer"),
    ("products, default", "/admin/analytics/products"),
    ("products, 3 years, group 1.4, Hà Nội", "/admin/analytics/products?from={three_years}&to={today}"
                                             "&group=1.4&province=1"),
    ("provinces, 1 year, group 1.4", "/admin/analytics/provinces?from={one_year}&to={today}&group=1.4"),
    ("provinces, 1 year, 4 stars", "/admin/analytics/provinces?from={one_year}&to={today}&star=4"),
    ("overview, 1 year, one showroom", "/admin/analytics?from={one_year}&to={today}&channel=showroom:{showroom}"),
    ("overview, 1 year by week, Hà Nội, 4 stars", "/admin/analytics?from={one_year}&to={today}&by=week"
                                                  "&province=1&star=4"),
    ("targets", "/admin/analytics/targets"),
    ("export flows.xlsx, 3 years", "/admin/analytics/export/flows.xlsx?from={three_years}&to={today}"),
)
SHOWROOM_PROVINCES = (1, 1, 1, 1, 79, 79, 48, 22, 31, 92, 1, 79)
#: Buyer provinces with weights (repeated codes), for online and linkage sales.
BUYER_CODES = [1] * 14 + [79] * 14 + [48] * 3 + [31] * 3 + [92] * 2 + [24, 22, 56, 38, 40, 46, 66, 68, 75, 91, 86,
                                                                       19, 25, 33, 37, 51, 52, 82, 96, 44, 42, 80,
                                                                       15, 14, 8, 4, 11, 12, 20]


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def admin_sql(pg_url: str, statement: str) -> None:
    engine = sa.create_engine(f"{pg_url}/postgres", isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()


LEDGER_SQL = """
INSERT INTO sale_entries (product_id, producer_id, quantity, unit_price_vnd, total_vnd, channel, location_id,
                          buyer_province_code, payment_method, reference, occurred_at, product_name, sku,
                          producer_name, created_at)
SELECT p.id, p.producer_id, g.quantity, p.price_vnd, g.quantity * p.price_vnd, g.channel, g.location_id,
       g.buyer, 'card', 'bench:' || (g.i / 2), g.at, p.name, p.sku, r.name, g.at
FROM (
    SELECT i, at, channel, quantity,
           1 + floor(:products * power(random(), 2.5))::int AS product_id,
           CASE WHEN channel = 'showroom' THEN (:locations)[1 + floor(random() * :location_count)::int] END
               AS location_id,
           CASE WHEN channel <> 'showroom' THEN (:buyers)[1 + floor(random() * :buyer_count)::int] END AS buyer
    FROM (
        SELECT i, now() - interval '1095 days' * (1 - sqrt(random())) AS at, x,
               CASE WHEN x < 0.70 THEN 'online' WHEN x < 0.95 THEN 'showroom' ELSE 'linkage' END AS channel,
               CASE WHEN x >= 0.95 THEN 10 + floor(random() * 40)::int ELSE 1 + floor(power(random(), 3) * 5)::int END
                   AS quantity
        FROM (SELECT i, random() AS x FROM generate_series(1, :rows) AS i) AS draws
    ) AS sales
) AS g
JOIN products p ON p.id = g.product_id
JOIN producers r ON r.id = p.producer_id
"""

REVERSALS_SQL = """
INSERT INTO sale_entries (product_id, producer_id, quantity, unit_price_vnd, total_vnd, channel, location_id,
                          buyer_province_code, payment_method, reference, occurred_at, reverses_id, product_name,
                          sku, producer_name, created_at)
SELECT product_id, producer_id, -quantity, unit_price_vnd, -total_vnd, channel, location_id, buyer_province_code,
       payment_method, 'refund:' || reference, least(now(), occurred_at + interval '1 day' * (1 + id % 7)), id,
       product_name, sku, producer_name, now()
FROM sale_entries WHERE id % 67 = 0 AND channel <> 'linkage' AND reverses_id IS NULL
"""


def migrate_and_load_catalogue(url: str, products: int, producers: int) -> None:
    env = dict(os.environ, DATABASE_URL=url, OCOP_ENV="development", PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "heads"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=600)
    subprocess.run([sys.executable, "bench/load_synthetic.py", "--products", str(products), "--producers",
                    str(producers)], cwd=ROOT, env=env, check=True, timeout=1800)


def add_showrooms(connection) -> list[int]:
    from marketplace import geo
    from marketplace.showrooms.models import Showroom
    from marketplace.stock.models import Location, LocationKind

    now = datetime.now(UTC)
    locations = []
    for number, province in enumerate(SHOWROOM_PROVINCES, start=1):
        name = f"Điểm OCOP thử {number} ({geo.province_name(province)})"
        location_id = connection.execute(sa.insert(Location.__table__).values(
            kind=LocationKind.SHOWROOM, name=name, province_code=province, address="Địa chỉ thử", is_active=True,
            created_at=now).returning(Location.__table__.c.id)).scalar_one()
        connection.execute(sa.insert(Showroom.__table__).values(
            name=name, slug=f"diem-ocop-thu-{number}", province_code=province,
            ward_code=geo.wards(province)[0].code, street="Số 1 phố Thử", opening_hours="8:00-21:00", phone="",
            commission_rate_bp=1000, max_discount_bp=0, location_id=location_id, is_active=True, created_at=now))
        locations.append(location_id)
    return locations


def load_ledger(connection, rows: int, products: int, locations: list[int]) -> None:
    started = time.monotonic()
    connection.execute(sa.text(LEDGER_SQL).bindparams(
        sa.bindparam("locations", type_=sa.ARRAY(sa.Integer)), sa.bindparam("buyers", type_=sa.ARRAY(sa.Integer))),
        {"rows": rows, "products": products, "locations": locations, "location_count": len(locations),
         "buyers": BUYER_CODES, "buyer_count": len(BUYER_CODES)})
    connection.execute(sa.text(REVERSALS_SQL))
    total = connection.execute(sa.text("SELECT count(*) FROM sale_entries")).scalar_one()
    log(f"ledger: {total:,} rows (sales and refunds) in {time.monotonic() - started:.1f} s")


def analyze(engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))


def time_pages(client, pages, repeat: int, *, warm: bool = True) -> list[tuple[str, float, int]]:
    results = []
    for name, url in pages:
        if warm:
            client.get(url)  # warm-up: templates compiled, caches filled
        samples = []
        status = 0
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            status = response.status_code
        results.append((name, statistics.median(samples), status))
    return results


def print_table(title: str, results) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{title} (machine load average {load})")
    print("| page | median ms | status |")
    print("|---|---|---|")
    for name, milliseconds, status in results:
        print(f"| {name} | {milliseconds:.0f} | {status} |")


def migrate(url: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, OCOP_ENV="development", PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "heads"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=600)


def empty_summary(connection) -> None:
    """Empty the summary, its mark at 0 (the figures then read the ledger alone; the next refresh folds all
    of the ledger)."""
    for table in ("report_sales_rollups", "report_sales_days", "report_product_keys", "report_summary_marks"):
        connection.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (the table names above)
    connection.execute(sa.text("INSERT INTO report_summary_marks (id, last_entry_id, refreshed_at) "
                               "VALUES (1, 0, now())"))


def run(args) -> None:
    name = args.existing or args.name or f"ocop_bench_analytics_{os.getpid()}"
    pg_url = args.pg_url.rstrip("/")
    url = f"{pg_url}/{name}"
    # config.py reads the environment when it is first imported.
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("OCOP_ENV", "development")
    from datetime import timedelta

    from flask_login import login_user

    from marketplace import create_app
    from marketplace.accounts.models import Role, User
    from marketplace.dates import today_vn
    from marketplace.extensions import db
    from marketplace.ledger import services as ledger
    from marketplace.ledger.models import SaleEntry
    from marketplace.reports import summary

    if args.existing:
        log(f"reusing database {name}")
        migrate(url)
    else:
        admin_sql(pg_url, f'CREATE DATABASE "{name}"')
        log(f"created database {name}")
    app = None
    try:
        if not args.existing:
            migrate_and_load_catalogue(url, args.products, args.producers)
        app = create_app()
        with app.app_context():
            with db.engine.begin() as connection:
                if not args.existing:
                    locations = add_showrooms(connection)
                    products = connection.execute(sa.text("SELECT max(id) FROM products")).scalar_one()
                    load_ledger(connection, args.rows, products, locations)
                total = connection.execute(sa.text("SELECT count(*) FROM sale_entries")).scalar_one()
                if args.summary_kept:
                    log(f"ledger: {total:,} rows; summary kept")
                else:
                    # An empty summary with its mark at 0: the "before" figures read the ledger alone.
                    empty_summary(connection)
                    log(f"ledger: {total:,} rows; summary emptied")
            analyze(db.engine)
            admin = db.session.scalar(sa.select(User).where(User.email == "bench-admin@example.test"))
            if admin is None:
                admin = User(email="bench-admin@example.test", full_name="Bench", role=Role.ADMIN,
                             password_hash="!unusable")  # noqa: S106 (signs in through the session, never a password)
                db.session.add(admin)
                db.session.commit()
            admin_id = admin.id
            showroom = db.session.scalar(sa.text("SELECT min(location_id) FROM showrooms"))
        today = today_vn()
        values = {"today": today.isoformat(), "one_year": (today - timedelta(days=364)).isoformat(),
                  "three_years": (today - timedelta(days=1094)).isoformat(), "showroom": showroom}
        pages = [(title, address.format(**values)) for title, address in PAGES]
        client = app.test_client()
        with app.test_request_context(environ_base=client.environ_base):
            login_user(db.session.get(User, admin_id), force=True)
            from flask import session

            cookie = dict(session)
        with client.session_transaction() as stored:
            stored.update(cookie)

        folding = summary.refresh_summary
        if not args.summary_kept:
            # Before: no summary yet. The pages must not fold the ledger in while we time them.
            summary.refresh_summary = lambda **_kw: None
            # Summing the whole ledger takes many seconds a page: once each is enough to see it (after one
            # warm-up request that compiles the templates).
            time_pages(client, pages[-2:-1], 1)
            before = time_pages(client, pages, 1, warm=False)
            summary.refresh_summary = folding
            print_table("Before: summary empty, every figure sums the ledger", before)

        with app.app_context():
            started = time.monotonic()
            folded = summary.refresh_summary()
            db.session.commit()
            log(f"summary built from {folded:,} ledger rows in {time.monotonic() - started:.1f} s; "
                f"{db.session.scalar(sa.text('SELECT count(*) FROM report_sales_days')):,} day summary rows")
            for level, grain, count in db.session.execute(sa.text(
                    "SELECT level, grain, count(*) FROM report_sales_rollups GROUP BY level, grain ORDER BY 1, 2")):
                log(f"  rollup {level} by {grain}: {count:,} rows")
            analyze(db.engine)
        after = time_pages(client, pages, args.repeat)
        print_table("After: summary built (figures read it plus the ledger entries not yet folded in)", after)

        with app.app_context():
            sample = db.session.scalars(sa.select(SaleEntry).where(SaleEntry.reverses_id.is_(None)).limit(1000)).all()
            for entry in sample:
                ledger.record_sale(product_id=entry.product_id, producer_id=entry.producer_id, quantity=1,
                                   unit_price_vnd=entry.unit_price_vnd, payment_method="card",
                                   product_name=entry.product_name, producer_name=entry.producer_name,
                                   channel=entry.channel, location_id=entry.location_id,
                                   buyer_province_code=entry.buyer_province_code, reference=f"bench-new:{os.getpid()}:{entry.id}")
            db.session.commit()
        summary.refresh_summary = lambda **_kw: None
        pending = time_pages(client, pages[:1], args.repeat)
        summary.refresh_summary = folding
        with app.app_context():
            started = time.monotonic()
            folded = summary.refresh_summary()
            db.session.commit()
            log(f"incremental refresh: {folded:,} new entries folded in {(time.monotonic() - started) * 1000:.0f} ms")
        print_table("1,000 new sales not yet folded in (read from the ledger)", pending)
    finally:
        if args.keep or args.existing:
            log(f"kept database {name}; time it again with bench/analytics.py --existing {name}")
        else:
            with suppress(Exception):
                admin_sql(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                log(f"dropped database {name}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=8000)
    parser.add_argument("--producers", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database (drop it yourself)")
    parser.add_argument("--name", help="the new database's name (default ocop_bench_analytics_<pid>)")
    parser.add_argument("--existing", metavar="NAME",
                        help="time a database an earlier --keep run loaded (migrated, summary emptied; kept)")
    parser.add_argument("--summary-kept", action="store_true",
                        help="with --existing: keep its summary (no 'before' figures, no whole rebuild): fold what "
                             "is new, then time the pages and an incremental refresh")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"))
    # SIGTERM ends the run like Ctrl-C, so the throw-away database is dropped.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    args = parser.parse_args(argv)
    if args.summary_kept and not args.existing:
        parser.error("--summary-kept needs --existing")
    run(args)


if __name__ == "__main__":
    main()
