"""Benchmark: does search stay flat as the catalogue grows? The same URLs at 20,000 and at 200,000 products.

    .venv/bin/python bench/search.py                        # PostgreSQL at 127.0.0.1:5432, 20,000 and 200,000
    .venv/bin/python bench/search.py --sqlite               # a throw-away SQLite file instead
    .venv/bin/python bench/search.py --sizes 20000 --requests 100
    .venv/bin/python bench/search.py --keep ocop_bench_search  # create, load and leave ocop_bench_search_20k, _200k
    .venv/bin/python bench/search.py --existing URL_20K --existing URL_200K   # measure loaded databases

For each size: a throw-away database (bench/run.py's Database), `flask db upgrade heads`, the synthetic
catalogue (bench/load_synthetic.py, bulk inserts; one producer per 10 products), then each URL is asked
`--requests` times one after another through the app in this process (Flask's test client: the whole
request, views, templates and SQL, without the HTTP server), after a few warm-up requests. It prints p50
and p99 per URL and size, the growth ratio p50(largest) / p50(smallest) (goal <= 1.5x) and whether search
p99 at the largest size is under 50 ms; for every URL whose p50 is over --slow-ms it prints the EXPLAIN
(ANALYZE on PostgreSQL, QUERY PLAN on SQLite) of the request's slowest SQL statement.

--keep PREFIX names the databases PREFIX_20k, PREFIX_200k (PostgreSQL), loads a database only when it holds
no products, and never drops them. --existing (repeatable) measures databases already loaded, after
`flask db upgrade heads`; their sizes are counted, and the growth table is printed as for a full run.
Every run prints the machine's load average before and after: only figures taken on a quiet machine
compare with other runs.

The app runs with the development settings and the cache layer (marketplace/cache.py) on, so facet counts
are reused until the catalogue changes, as in production; `--no-facet-cache` turns every cache off and
counts them on every request. Each request adds `bench=N` to
its URL so that the whole-page cache for anonymous visitors never answers (a first view, or a signed-in
visitor); `--page-cache` asks the same URL each time instead.
"""

import argparse
import gc
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.run import BIN, Database, log  # noqa: E402

URLS = (
    ("search narrow", "/products?q=nuoc+mam"),
    ("search middling", "/products?q=mat+ong"),
    ("search broad", "/products?q=san"),
    ("search group", "/products?q=tra+thai+nguyen"),
    ("search province", "/products?q=mat+ong+tuyen+quang"),
    ("search typo", "/products?q=nuoc+mamm+phu+quoc"),
    ("suggest narrow", "/search/suggest?q=nuoc+ma"),
    ("suggest broad", "/search/suggest?q=sa"),
    ("catalogue", "/products?group=1.4&stars=4&sort=price_asc&page=2"),
    ("product", "/products/{slug}"),
)


def _env(url: str) -> dict:
    return dict(os.environ, DATABASE_URL=url, OCOP_ENV="development", FLASK_DEBUG="0",
                SECRET_KEY="bench-secret-key-that-is-long-enough-0123456789", MAIL_TO_LOG="1")  # noqa: S106 throw-away


def upgrade(url: str) -> None:
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade", "heads"], cwd=ROOT, env=_env(url),
                          timeout=600, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"flask db upgrade failed:\n{done.stderr[-3000:]}")


def product_count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM products")).scalar_one()
    finally:
        engine.dispose()


def prepare(database, products: int) -> None:
    env = _env(database.url)
    upgrade(database.url)
    if product_count(database.url):
        log(f"{database.url.rsplit('/', 1)[-1]} already holds products: kept as loaded")
        return
    started = time.monotonic()
    subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "load_synthetic.py"), "--products", str(products),
                    "--producers", str(max(10, products // 10))], cwd=ROOT, env=env, check=True, timeout=1800)
    log(f"loaded {products} products in {time.monotonic() - started:.0f} s")


def make_app(url: str, facet_cache: bool):
    from config import DevelopmentConfig
    from marketplace import create_app

    class BenchConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 a throw-away database
        RATELIMIT_ENABLED = False
        MAIL_TO_LOG = True
        CACHE_ENABLED = facet_cache

    return create_app(BenchConfig)


class StatementLog:
    """The SQL statements of one request with their durations."""

    def __init__(self, engine):
        self.engine, self.entries, self._started = engine, [], {}

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        took = (time.perf_counter() - self._started.pop(id(cursor), time.perf_counter())) * 1000
        self.entries.append((took, statement, parameters))


def explain(app, client, path: str) -> str:
    """The plan of the slowest SQL statement of one request to `path`."""
    from marketplace.extensions import db

    with app.app_context():
        engine = db.engine
        with StatementLog(engine) as statements:
            client.get(path)
        if not statements.entries:
            return "  (no SQL: answered from the cache)"
        took, statement, parameters = max(statements.entries, key=lambda entry: entry[0])
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        plan = "\n".join("  " + " ".join(str(value) for value in row) for row in rows)
        return f"  slowest statement {took:.1f} ms of {len(statements.entries)}:\n  {statement[:600]}\n{plan}"


def _unshared(path: str, number: int, page_cache: bool) -> str:
    """The path, made unique per request unless --page-cache: the whole-page cache (marketplace.cache) would
    otherwise answer every repeat of an anonymous GET, and the figures would be the cache's, not search's.
    The extra argument is ignored by the views; the data caches (facet counts) still apply."""
    if page_cache:
        return path
    return f"{path}{'&' if '?' in path else '?'}bench={number}"


def measure(app, requests: int, slow_ms: float, page_cache: bool = False) -> tuple[dict, list[str]]:
    from marketplace.extensions import db

    with app.app_context():
        slug = db.session.execute(sa.text(
            "SELECT p.slug FROM products p JOIN producers pr ON pr.id = p.producer_id WHERE p.status = 'active' "
            "AND pr.verification_status = 'verified' AND p.star_level >= 3 AND p.certified_until >= CURRENT_DATE "
            "ORDER BY p.id LIMIT 1 OFFSET 1000")).scalar_one()
    client = app.test_client()
    gc.collect()
    gc.freeze()
    figures, plans = {}, []
    for label, pattern in URLS:
        path = pattern.format(slug=slug)
        for number in range(5):
            response = client.get(_unshared(path, -1 - number, page_cache))
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        timings = []
        for number in range(requests):
            asked = _unshared(path, number, page_cache)
            started = time.perf_counter()
            client.get(asked)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p50 = statistics.median(timings)
        p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
        figures[label] = (p50, p99)
        log(f"{label:<16} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  {path}")
        if p50 > slow_ms:
            plans.append(f"{label} {path} (p50 {p50:.1f} ms):\n"
                         f"{explain(app, client, _unshared(path, requests, page_cache))}")
    gc.unfreeze()
    return figures, plans


class KeptDatabase:
    """A named PostgreSQL database, created when missing and never dropped (--keep)."""

    def __init__(self, pg_url: str, name: str):
        self.pg_url, self.name = pg_url.rstrip("/"), name
        self.url = f"{self.pg_url}/{name}"

    def __enter__(self) -> "KeptDatabase":
        engine = sa.create_engine(f"{self.pg_url}/postgres", isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                if not connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                          {"name": self.name}).first():
                    connection.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        finally:
            engine.dispose()
        return self

    def __exit__(self, *exc) -> None:
        log(f"kept database {self.name}")


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def report(results: dict[int, dict], all_plans: list[str], *, database: str, requests: int, facet_cache: bool) -> None:
    sizes = sorted(results)
    print()
    print(f"Search benchmark, {database}, {requests} sequential requests per URL in-process, facet cache "
          f"{'on' if facet_cache else 'off'}, whole-page cache bypassed unless --page-cache; load average at the end {load_average()}")
    header = "".join(f"{f'p50 {size}':>12}{f'p99 {size}':>12}" for size in sizes)
    print(f"{'url':<17}{header}{'growth':>9}")
    smallest, largest = sizes[0], sizes[-1]
    for label, _ in URLS:
        cells = "".join(f"{results[size][label][0]:>12.1f}{results[size][label][1]:>12.1f}" for size in sizes)
        growth = results[largest][label][0] / results[smallest][label][0] if len(sizes) > 1 else 1.0
        print(f"{label:<17}{cells}{growth:>8.2f}x")
    if len(sizes) > 1:
        worst = max(results[largest][label][0] / results[smallest][label][0] for label, _ in URLS)
        print(f"worst growth {worst:.2f}x (goal <= 1.5x)")
    search_p99 = max(results[largest][label][1] for label, _ in URLS if label.startswith("search"))
    print(f"search p99 at {largest}: {search_p99:.1f} ms (goal < 50 ms)")
    for plan in all_plans:
        print()
        print(plan)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"))
    parser.add_argument("--sizes", default="20000,200000", help="catalogue sizes, comma-separated")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per URL and size")
    parser.add_argument("--slow-ms", type=float, default=20.0, help="print the EXPLAIN of URLs slower than this (p50)")
    parser.add_argument("--no-facet-cache", action="store_true")
    parser.add_argument("--page-cache", action="store_true",
                        help="ask the same URL each time, so that the whole-page cache answers the repeats")
    parser.add_argument("--existing", metavar="URL", action="append",
                        help="measure a database already loaded (repeat for each size; nothing created or dropped)")
    parser.add_argument("--keep", metavar="PREFIX", help="PostgreSQL: load into PREFIX_20k, PREFIX_200k... and keep them")
    args = parser.parse_args(argv)
    if "127.0.0.1" not in args.pg_url and "localhost" not in args.pg_url:
        parser.error("the benchmark only talks to 127.0.0.1")
    if args.keep and args.sqlite:
        parser.error("--keep is for PostgreSQL")
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    log(f"load average at the start {load_average()}")
    results: dict[int, dict] = {}
    all_plans: list[str] = []
    if args.existing:
        for url in args.existing:
            upgrade(url)
            size = product_count(url)
            log(f"{url.rsplit('/', 1)[-1]}: {size} products")
            results[size], plans = _measure_url(url, args)
            all_plans += [f"[{size} products] {plan}" for plan in plans]
        report(results, all_plans, database=sa.make_url(args.existing[0]).get_backend_name(),
               requests=args.requests, facet_cache=not args.no_facet_cache)
        return 0
    for size in sizes:
        database = (KeptDatabase(args.pg_url, f"{args.keep}_{size // 1000}k") if args.keep
                    else Database(args.sqlite, args.pg_url))
        with database:
            log(f"{size} products, {'SQLite' if args.sqlite else 'PostgreSQL'}")
            prepare(database, size)
            results[size], plans = _measure_url(database.url, args)
            all_plans += [f"[{size} products] {plan}" for plan in plans]
    report(results, all_plans, database="SQLite" if args.sqlite else "PostgreSQL", requests=args.requests,
           facet_cache=not args.no_facet_cache)
    return 0


def _measure_url(url: str, args) -> tuple[dict, list[str]]:
    app = make_app(url, not args.no_facet_cache)
    try:
        return measure(app, args.requests, args.slow_ms, args.page_cache)
    finally:
        from marketplace.extensions import db

        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
