"""Faults under load against the cluster (make cluster-up), one at a time, loopback only, bounded.

    .venv/bin/python bench/cluster_bench.py prepare     # once: the bench buyers (bench-buyer-N@example.test)
    .venv/bin/python bench/faults.py [--visitors 6 --buyers 3 --watch 12]

While visitors (home, catalogue, search, product pages) and buyers (cash-on-delivery checkouts) keep loading
nginx, the script injects each fault in turn and watches for --watch seconds (at most 60):

1. PostgreSQL restarts (the cluster's own server, pg_ctl fast stop, 3 s down, start): requests answer the app's
   503 page and recover without an app restart;
2. one app instance is killed (SIGKILL to app2's master and workers): nginx serves from the other;
3. Redis goes down (the cluster's own redis-server): the site keeps working (rate limits in memory, jobs
   in-process), then Redis and the job worker come back;
4. the fake Stripe (tests/fixtures/stripe.py, served here on 127.0.0.1:CLUSTER_STRIPE_PORT) answers too slowly,
   then 5. is down: a card checkout shows the clear error, its order stays pending with its stock reserved until
   it expires, and paying again once Stripe is back reaches Stripe's page; the payment is then completed.

It prints each phase's requests, errors by kind and the recovery time (from the fault to the first success after
the last error), then checks conservation over everything the run wrote: every order whole (sub-orders, lines,
totals), each order's reservation equal to its lines, each stock level moved exactly by its movement rows, and
one ledger entry per line of each paid sub-order, none for the others. It refuses to run against an external
PostgreSQL or Redis (CLUSTER_DATABASE_URL, CLUSTER_REDIS_URL): it restarts only the cluster's own servers.
Exit status 1 when a check fails.
"""

import argparse
import importlib.util
import itertools
import os
import random
import re
import signal
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("cluster", ROOT / "deploy" / "cluster.py")
cluster = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cluster)

import tests.fixtures.stripe as fake_stripe  # noqa: E402  the tests' fake Stripe, served here
from tests.fixtures.stripe import FakeStripe, _handler_for  # noqa: E402

# Its session ids count from 1 in each process: this run's must not meet an earlier run's in the cluster's database.
fake_stripe._ids = itertools.count(int(time.time()))

BASE = f"http://127.0.0.1:{cluster.NGINX_PORT}"
PASSWORD = "bench-password-123"  # noqa: S105 cluster_bench.py's bench accounts, on a loopback cluster
WORDS = ("nuoc mam", "tra", "mat ong", "gao", "ca phe", "banh", "ruou", "nem")
#: The app's 503 page (Vietnamese, the default locale) and the card error the buyer reads.
OUTAGE_TITLE = "Tạm thời không khả dụng"
CARD_ERROR = "Không thể bắt đầu thanh toán bằng thẻ"
#: deploy/unavailable.html, nginx's answer when an app server fails with the request in hand.
NGINX_PAGE = "Nếu bạn vừa đặt hàng"
STRIPE_SLOW_SECONDS = 8  # above the cluster's STRIPE_TIMEOUT_SECONDS (5)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_HIDDEN = re.compile(r'name="(token|cart_signature)"[^>]*value="([^"]*)"')
_ORDER = re.compile(r"/orders/([A-Z0-9-]+)")


class Record:
    """Every request's outcome, by phase."""

    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "baseline"
        self.rows: list[tuple[str, float, float, str]] = []  # phase, started, ended, outcome

    def add(self, started: float, outcome: str) -> None:
        with self.lock:
            self.rows.append((self.phase, started, time.monotonic(), outcome))


def _outcome(response: requests.Response) -> str:
    if response.status_code == 503 and NGINX_PAGE in response.text:
        return "503 nginx page (instance lost)"
    if response.status_code == 503 and OUTAGE_TITLE in response.text:
        return "503 app page"
    if response.status_code >= 500:
        return f"{response.status_code} {'nginx' if 'nginx' in response.text else 'other'}"
    if response.status_code in (400, 404, 409, 429) or response.status_code < 400:
        return "ok"
    return str(response.status_code)


def _timed(record: Record, call) -> requests.Response | None:
    started = time.monotonic()
    try:
        response = call()
    except requests.RequestException as error:
        record.add(started, f"no answer ({type(error).__name__})")
        return None
    record.add(started, _outcome(response))
    return response


def visitor(record: Record, slugs: list[str], stop: threading.Event) -> None:
    http = requests.Session()
    while not stop.is_set():
        choice = random.random()
        if choice < 0.2:
            url = f"{BASE}/"
        elif choice < 0.5:
            url = f"{BASE}/products?page={random.randint(1, 20)}&sort=price_asc"
        elif choice < 0.7:
            url = f"{BASE}/products?q={random.choice(WORDS)}"
        else:
            url = f"{BASE}/products/{random.choice(slugs)}"
        _timed(record, lambda url=url: http.get(url, timeout=40))
        stop.wait(random.uniform(0.1, 0.4))


def _signed_in(n: int) -> requests.Session:
    http = requests.Session()
    for _ in range(30):
        try:
            page = http.get(f"{BASE}/accounts/login", timeout=40)
            http.post(f"{BASE}/accounts/login", timeout=40, data={
                "csrf_token": _CSRF.search(page.text).group(1), "email": f"bench-buyer-{n}@example.test",
                "password": PASSWORD})
            return http
        except (requests.RequestException, AttributeError):
            time.sleep(1)
    raise SystemExit("could not sign in a bench buyer: run bench/cluster_bench.py prepare first")


def checkout(http: requests.Session, record: Record | None, slug: str, method: str) -> requests.Response | None:
    """Put one unit in the cart and check out with this payment method; the checkout POST's answer."""
    def get(url):
        return _timed(record, lambda: http.get(url, timeout=40)) if record else http.get(url, timeout=40)

    page = get(f"{BASE}/products/{slug}")
    found = page is not None and re.search(r'name="product_id"[^>]*value="([0-9]+)"', page.text)
    if not found:
        return None
    add = {"csrf_token": _CSRF.search(page.text).group(1), "product_id": found.group(1), "quantity": "1"}
    if record:
        _timed(record, lambda: http.post(f"{BASE}/cart/add", data=add, timeout=40))
    else:
        http.post(f"{BASE}/cart/add", data=add, timeout=40)
    form = get(f"{BASE}/checkout")
    hidden = dict(_HIDDEN.findall(form.text)) if form is not None and form.status_code == 200 else {}
    if "token" not in hidden:
        return None
    data = {"csrf_token": _CSRF.search(form.text).group(1), "token": hidden["token"],
            "cart_signature": hidden.get("cart_signature", ""), "address_choice": "new",
            "full_name": "Người mua thử", "phone": "0912 345 678", "province_code": "1", "ward_code": "4",
            "street": "Số 1 phố Thử", "payment_method": method}

    def post():
        return http.post(f"{BASE}/checkout", data=data, timeout=60, allow_redirects=False)

    return _timed(record, post) if record else post()


def buyer(record: Record, n: int, slugs: list[str], stop: threading.Event) -> None:
    http = _signed_in(n)
    while not stop.is_set():
        try:
            checkout(http, record, random.choice(slugs), "cod")
        except (requests.RequestException, AttributeError):
            pass  # counted by _timed when it was a request; a page without its form is a failed earlier step
        stop.wait(random.uniform(0.5, 1.5))


class StripeServer:
    """tests/fixtures/stripe.py's fake on the cluster's STRIPE_API_BASE, which can be made slow or taken down."""

    def __init__(self, port: int):
        self.port, self.fake, self.slow, self.server = port, FakeStripe(), False, None
        self.start()

    def start(self) -> None:
        outer = self

        class Handler(_handler_for(self.fake)):
            def _answer(self, method):
                if outer.slow:
                    time.sleep(STRIPE_SLOW_SECONDS)
                try:
                    super()._answer(method)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the app gave up waiting (its timeout), as it should with a slow Stripe

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _phase_report(record: Record, phase: str, injected: float | None) -> tuple[int, float | None]:
    rows = [row for row in record.rows if row[0] == phase]
    kinds = Counter(outcome for *_, outcome in rows)
    errors = [row for row in rows if row[3] != "ok"]
    recovery = None
    if injected is not None:
        if errors:
            last_error = max(row[2] for row in errors)
            after = [row[2] for row in rows if row[3] == "ok" and row[1] >= last_error]
            recovery = (min(after) - injected) if after else float("inf")
        else:
            recovery = 0.0
    detail = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common() if kind != "ok") or "none"
    told = "" if recovery is None else (f"; recovered {recovery:.1f} s after the fault" if recovery != float("inf")
                                        else "; NOT recovered")
    print(f"  {phase}: {len(rows)} requests, {len(errors)} errors ({detail}){told}")
    return len(errors), recovery


def _kill_instance(name: str) -> list[int]:
    master = cluster._pid(name)
    if master is None:
        return []
    children = [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    for pid in [master, *children]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    (cluster.RUN / f"{name}.pid").unlink(missing_ok=True)
    return [master, *children]


def _wait_ok(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def card_fault(stripe: StripeServer, engine: sa.Engine, slugs: list[str], how: str, buyer_n: int) -> bool:
    """A card checkout while Stripe is slow or down: the clear error, the order pending with its stock reserved,
    then paying again once Stripe is back reaches Stripe's page, and the payment completes."""
    http = _signed_in(buyer_n)
    if how == "slow":
        stripe.slow = True
    else:
        stripe.stop()
    started = time.monotonic()
    answer = None
    for slug in random.sample(slugs, 10):
        answer = checkout(http, None, slug, "card")
        if answer is not None:
            break
    took = time.monotonic() - started
    if answer is None or answer.status_code != 302:
        print(f"  stripe {how}: checkout did not redirect ({answer.status_code if answer is not None else 'no form'})")
        return False
    number_match = _ORDER.search(answer.headers["Location"])
    shown = http.get(BASE + urlsplit(answer.headers["Location"]).path, timeout=40)
    with engine.connect() as connection:
        state = connection.execute(sa.text(
            "SELECT o.expires_at, array_agg(DISTINCT p.status), "
            " (SELECT COALESCE(SUM(m.quantity_change), 0) FROM stock_movements m WHERE m.reference = 'order:' || o.number),"
            " (SELECT SUM(l.quantity) FROM order_lines l JOIN producer_orders q ON q.id = l.producer_order_id"
            "  WHERE q.order_id = o.id)"
            " FROM orders o JOIN producer_orders p ON p.order_id = o.id WHERE o.number = :n GROUP BY o.id"),
            {"n": number_match.group(1)}).one()
    expires_at, statuses, reserved, units = state
    pending = statuses == ["pending_payment"] and -reserved == units and expires_at > datetime.now(UTC)
    clear = CARD_ERROR in shown.text
    if how == "slow":
        stripe.slow = False
    else:
        stripe.start()
    page = http.get(f"{BASE}/orders/{number_match.group(1)}", timeout=40)
    csrf = _CSRF.search(page.text).group(1)
    retry = http.post(f"{BASE}/payments/pay/{number_match.group(1)}", data={"csrf_token": csrf}, timeout=60,
                      allow_redirects=False)
    target = retry.headers.get("Location", "")
    retried = retry.status_code == 302 and "/c/pay/cs_test_" in target
    paid = False
    if retried:
        session_id = target.rsplit("/", 1)[1]
        stripe.fake.complete(session_id)
        success = http.get(f"{BASE}/payments/stripe/success", params={"session_id": session_id}, timeout=60)
        with engine.connect() as connection:
            statuses = connection.execute(sa.text(
                "SELECT array_agg(DISTINCT p.status) FROM producer_orders p JOIN orders o ON o.id = p.order_id"
                " WHERE o.number = :n"), {"n": number_match.group(1)}).scalar()
        paid = success.status_code == 200 and statuses == ["paid"]
    print(f"  stripe {how}: checkout answered in {took:.1f} s, error shown to the buyer: {'yes' if clear else 'NO'}; "
          f"order {number_match.group(1)} pending with {units} unit(s) reserved until "
          f"{expires_at:%H:%M} UTC: {'yes' if pending else 'NO'}; retry reached Stripe: {'yes' if retried else 'NO'}; "
          f"paid after the retry: {'yes' if paid else 'NO'}")
    return clear and pending and retried and paid


def conservation(engine: sa.Engine, since: datetime, before: dict[int, int]) -> bool:
    """Everything the run wrote adds up; prints each check."""
    ok = True
    with engine.connect() as connection:
        def check(label: str, sql: str) -> None:
            nonlocal ok
            bad = connection.execute(sa.text(sql), {"t": since}).all()
            ok = ok and not bad
            print(f"  {label}: {'holds' if not bad else 'BROKEN ' + repr(bad[:5])}")

        orders = connection.execute(sa.text("SELECT count(*) FROM orders WHERE created_at >= :t"), {"t": since}).scalar()
        print(f"  {orders} orders written during the run")
        check("every order whole (sub-orders with lines, totals add up)",
              "SELECT o.number FROM orders o WHERE o.created_at >= :t AND ("
              " NOT EXISTS (SELECT 1 FROM producer_orders p WHERE p.order_id = o.id)"
              " OR EXISTS (SELECT 1 FROM producer_orders p WHERE p.order_id = o.id AND NOT EXISTS"
              "   (SELECT 1 FROM order_lines l WHERE l.producer_order_id = p.id))"
              " OR o.total_vnd <> (SELECT SUM(p.total_vnd) FROM producer_orders p WHERE p.order_id = o.id)"
              " OR EXISTS (SELECT 1 FROM producer_orders p WHERE p.order_id = o.id AND p.subtotal_vnd <>"
              "   (SELECT SUM(l.total_vnd) FROM order_lines l WHERE l.producer_order_id = p.id)))")
        check("each order's reservation equals its lines (released if cancelled)",
              "SELECT o.number FROM orders o WHERE o.created_at >= :t AND"
              " (SELECT COALESCE(SUM(m.quantity_change), 0) FROM stock_movements m WHERE m.reference = 'order:' || o.number"
              "  AND m.kind IN ('reservation', 'release')) <>"
              " -(SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN producer_orders p"
              "   ON p.id = l.producer_order_id WHERE p.order_id = o.id AND p.status <> 'cancelled')")
        moved = dict(connection.execute(sa.text(
            "SELECT stock_level_id, SUM(quantity_change) FROM stock_movements WHERE created_at >= :t"
            " GROUP BY stock_level_id"), {"t": since}).all())
        now = dict(connection.execute(sa.text("SELECT id, quantity FROM stock_levels")).all())
        drift = [(level, before.get(level, 0), moved.get(level, 0), quantity) for level, quantity in now.items()
                 if before.get(level, 0) + moved.get(level, 0) != quantity]
        ok = ok and not drift
        print(f"  every stock level moved exactly by its movement rows ({len(moved)} levels moved, "
              f"{sum(-v for v in moved.values())} units out): {'holds' if not drift else 'BROKEN ' + repr(drift[:5])}")
        check("one ledger entry per line of each paid sub-order, none for the others",
              "SELECT l.id, p.status, COUNT(e.id) FROM order_lines l JOIN producer_orders p ON p.id = l.producer_order_id"
              " JOIN orders o ON o.id = p.order_id LEFT JOIN sale_entries e ON e.order_line_id = l.id"
              "  AND e.reverses_id IS NULL AND e.quantity = l.quantity AND e.total_vnd = l.total_vnd"
              " WHERE o.created_at >= :t GROUP BY l.id, p.status"
              " HAVING COUNT(e.id) <> CASE WHEN p.status = 'paid' THEN 1 ELSE 0 END")
        check("no ledger entry written during the run without its order line",
              "SELECT e.id FROM sale_entries e LEFT JOIN order_lines l ON l.id = e.order_line_id"
              " LEFT JOIN producer_orders p ON p.id = l.producer_order_id"
              " WHERE e.created_at >= :t AND (l.id IS NULL OR p.status <> 'paid')")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=6)
    parser.add_argument("--buyers", type=int, default=3)
    parser.add_argument("--watch", type=int, default=12, help="seconds watched after each fault (at most 60)")
    arguments = parser.parse_args()
    watch = min(max(arguments.watch, 5), 60)
    if cluster.EXTERNAL_DATABASE_URL or cluster.EXTERNAL_REDIS_URL:
        raise SystemExit("bench/faults.py restarts the cluster's own PostgreSQL and Redis only: unset "
                         "CLUSTER_DATABASE_URL and CLUSTER_REDIS_URL")
    if not all(cluster._pid(name) for name in ("postgres", "redis", "app1", "app2", "nginx")):
        raise SystemExit("the cluster is not running: make cluster-up (then bench/cluster_bench.py prepare)")
    engine = sa.create_engine(cluster.DATABASE_URL, pool_pre_ping=True)
    slugs = []
    for page in (1, 2, 3):  # public products with stock to spare, as the read API lists them
        listed = requests.get(f"{BASE}/api/v1/products", params={"page": page, "page_size": 100}, timeout=60).json()
        slugs += [item["slug"] for item in listed if item["available"] >= 20]
    with engine.connect() as connection:
        since = datetime.now(UTC)
        before = dict(connection.execute(sa.text("SELECT id, quantity FROM stock_levels")).all())
    if not slugs:
        raise SystemExit("no published product with stock to load")
    stripe = StripeServer(cluster.STRIPE_PORT)
    env = cluster.environment()
    record, stop = Record(), threading.Event()
    threads = [threading.Thread(target=visitor, args=(record, slugs, stop)) for _ in range(arguments.visitors)]
    threads += [threading.Thread(target=buyer, args=(record, n, slugs, stop)) for n in range(arguments.buyers)]
    for thread in threads:
        thread.start()
    results: dict[str, tuple[int, float | None]] = {}
    print(f"faults under load: {arguments.visitors} visitors and {arguments.buyers} buyers through {BASE}, "
          f"{watch} s watched after each fault")
    try:
        time.sleep(8)
        results["baseline"] = _phase_report(record, "baseline", None)

        record.phase = "postgres restart"
        injected = time.monotonic()
        cluster.stop_postgres("fast")
        time.sleep(3)
        cluster.start_postgres()
        print(f"  (PostgreSQL was down {time.monotonic() - injected:.1f} s)")
        time.sleep(watch)
        results[record.phase] = _phase_report(record, record.phase, injected)

        record.phase = "one app instance killed"
        injected = time.monotonic()
        killed = _kill_instance("app2")
        print(f"  (killed app2: pids {killed})")
        time.sleep(watch)
        results[record.phase] = _phase_report(record, record.phase, injected)
        cluster.start_app(2, cluster.APP_PORTS[1], env)

        record.phase = "redis down"
        injected = time.monotonic()
        cluster.stop_redis()
        time.sleep(watch)
        results[record.phase] = _phase_report(record, record.phase, injected)
        cluster.start_redis()
        cluster.start_worker(env)

        record.phase = "stripe slow"
        stripe_ok = card_fault(stripe, engine, slugs, "slow", arguments.buyers)
        results[record.phase] = _phase_report(record, record.phase, None)
        record.phase = "stripe down"
        stripe_ok = card_fault(stripe, engine, slugs, "down", arguments.buyers + 1) and stripe_ok
        results[record.phase] = _phase_report(record, record.phase, None)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=70)
        stripe.stop()
        if not cluster._pid("postgres"):
            cluster.start_postgres()
        if not cluster._pid("redis"):
            cluster.start_redis()
    print("conservation after the run:")
    conserved = conservation(engine, since, before)
    app_errors_outside = sum(results[p][0] for p in ("baseline", "redis down", "stripe slow", "stripe down"))
    verdict = conserved and stripe_ok and app_errors_outside == 0
    print(f"verdict: {'all checks hold' if verdict else 'SOME CHECK FAILED'} (errors where none are expected: "
          f"{app_errors_outside})")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
