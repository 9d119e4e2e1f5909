"""Load, oversell and memory figures against the cluster (make cluster-up), loopback only, bounded.

    BIN=.venv/bin .venv/bin/python bench/cluster_bench.py prepare     # 200 buyer accounts, one product with 50 units
    .venv/bin/python bench/cluster_bench.py load [--users 40 --seconds 60]   # locust mix (make bench-deps first)
    .venv/bin/python bench/cluster_bench.py oversell                  # 200 buyers, 50 units, both instances
    .venv/bin/python bench/cluster_bench.py rss                       # each gunicorn worker's resident memory

Takes the cluster's settings from deploy/cluster.py (the same CLUSTER_*, NGINX_PORT and APP_PORT_* variables).
locust comes from `make bench-deps`, or set LOCUST to a locust program installed elsewhere (its own venv).
For the catalogue of the issue, start the cluster with CLUSTER_CATALOGUE=synthetic (bench/load_synthetic.py's
20,000 products instead of the demo) and raise the login limits for the bench's many sign-ins from one address:
ACCOUNTS_RATE_LIMIT_PER_ADDRESS=100000/minute ACCOUNTS_RATE_LIMIT_PER_EMAIL_AND_ADDRESS=100000/minute.
"""

import argparse
import csv
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("cluster", ROOT / "deploy" / "cluster.py")
cluster = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cluster)

BUYERS = 200
UNITS = 50
PASSWORD = "bench-password-123"  # noqa: S105 the bench accounts' password, on a loopback cluster
RACE_SKU = "BENCH-RACE-50"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_HIDDEN = re.compile(r'name="(token|cart_signature)"[^>]*value="([^"]*)"')


def _app():
    os.environ.update(cluster.environment())
    sys.path.insert(0, str(ROOT))
    from marketplace import create_app  # reason: the cluster's settings must be in the environment first

    return create_app()


def prepare() -> None:
    """The bench's buyers (bench-buyer-N@example.test) and the race product (RACE_SKU, exactly 50 units online)."""
    import sqlalchemy as sa  # reason: imported with the app, after the cluster's settings

    app = _app()
    from marketplace.accounts.models import Role, User
    from marketplace.accounts.services import hash_password
    from marketplace.catalog.listing import public_products
    from marketplace.catalog.models import Product
    from marketplace.extensions import db
    from marketplace.stock import services as stock

    with app.app_context():
        password_hash = hash_password(PASSWORD)
        existing = set(db.session.scalars(sa.select(User.email).where(User.email.like("bench-buyer-%"))))
        for n in range(BUYERS):
            email = f"bench-buyer-{n}@example.test"
            if email not in existing:
                db.session.add(User(email=email, full_name=f"Người mua thử {n}", password_hash=password_hash,
                                    role=Role.CONSUMER))
        product = db.session.scalars(public_products().order_by(Product.id).limit(1)).first()
        location = stock.warehouse_for(product.producer)
        level = stock.level_for(product.id, location.id)
        if level.quantity != UNITS:
            stock.set_counted(level, UNITS, reason="bench: the race product holds exactly 50 units")
        db.session.commit()
        print(f"{BUYERS} buyers ready; race product {product.slug} (id {product.id}) holds {UNITS} units online")
        (cluster.DIR / "race-product").write_text(f"{product.id} {product.slug}")


def _login(http: requests.Session, base: str, n: int) -> None:
    page = http.get(f"{base}/accounts/login", timeout=30)
    http.post(f"{base}/accounts/login", timeout=30, data={
        "csrf_token": _CSRF.search(page.text).group(1), "email": f"bench-buyer-{n}@example.test", "password": PASSWORD})


def oversell() -> None:
    """200 signed-in buyers, half on each app instance, check out the same product at once: 50 orders, no more."""
    product_id, slug = (cluster.DIR / "race-product").read_text().split()
    bases = [f"http://127.0.0.1:{port}" for port in cluster.APP_PORTS]
    sessions = []
    for n in range(BUYERS):
        http, base = requests.Session(), bases[n % 2]
        _login(http, base, n)
        page = http.get(f"{base}/products/{slug}", timeout=30)
        http.post(f"{base}/cart/add", timeout=30, data={"csrf_token": _CSRF.search(page.text).group(1),
                                                        "product_id": product_id, "quantity": "1"})
        checkout = http.get(f"{base}/checkout", timeout=30)
        sessions.append((http, base, _CSRF.search(checkout.text).group(1), dict(_HIDDEN.findall(checkout.text))))
    barrier = threading.Barrier(BUYERS, timeout=120)

    def buy(item):
        http, base, csrf, hidden = item
        barrier.wait()
        return http.post(f"{base}/checkout", allow_redirects=False, timeout=120, data={
            "csrf_token": csrf, "token": hidden.get("token", ""), "cart_signature": hidden.get("cart_signature", ""),
            "address_choice": "new", "full_name": "Người mua thử", "phone": "0912 345 678", "province_code": "1",
            "ward_code": "4", "street": "Số 1 phố Thử", "payment_method": "cod"})

    with ThreadPoolExecutor(BUYERS) as pool:
        answers = list(pool.map(buy, sessions))
    placed = sum("/orders/" in r.headers.get("Location", "") for r in answers)
    errors = sum(r.status_code >= 500 for r in answers)
    print(f"oversell: {BUYERS} buyers on {len(bases)} instances for {UNITS} units: {placed} orders placed, "
          f"{BUYERS - placed - errors} told it is sold out, {errors} server errors")
    _check_stock(int(product_id))


def _check_stock(product_id: int) -> None:
    import sqlalchemy as sa  # reason: see prepare

    app = _app()
    from marketplace.extensions import db
    from marketplace.stock.services import available_online

    with app.app_context():
        left = available_online([product_id])[product_id]
        # The bench buyers' order lines of the product (the demo's own orders of it are not counted).
        ordered = db.session.scalar(sa.text(
            "SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l"
            " JOIN producer_orders p ON p.id = l.producer_order_id JOIN orders o ON o.id = p.order_id"
            " JOIN users u ON u.id = o.buyer_id WHERE l.product_id = :p AND u.email LIKE 'bench-buyer-%'"),
            {"p": product_id})
        verdict = "holds" if left + ordered == UNITS else "BROKEN"
        print(f"stock left {left} + units the bench buyers ordered {ordered} = {left + ordered} of {UNITS}: "
              f"conservation {verdict}")


def _locust() -> str:
    """locust: LOCUST, else the one beside this Python (make bench-deps), else on PATH."""
    beside = cluster.PYTHON_BIN / "locust"
    found = os.environ.get("LOCUST") or (str(beside) if beside.exists() else shutil.which("locust"))
    if not found:
        raise SystemExit("locust is not installed: make bench-deps (or set LOCUST to its program)")
    return found


def load(users: int, seconds: int) -> None:
    """The locust mix through nginx; prints each page's request count, failures, req/s and p50/p95/p99 (ms)."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "load"
        subprocess.run([_locust(), "-f", str(ROOT / "bench" / "locustfile.py"),  # noqa: S603
                        "--headless", "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{seconds}s",
                        "--host", f"http://127.0.0.1:{cluster.NGINX_PORT}", "--csv", str(prefix), "--only-summary"],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(f"{prefix}_stats.csv", newline="") as stats:
            rows = list(csv.DictReader(stats))
    print(f"load: {users} users for {seconds} s through nginx on 127.0.0.1:{cluster.NGINX_PORT}")
    print(f"{'page':<16}{'requests':>9}{'failures':>9}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}")
    for row in rows:
        print(f"{row['Name']:<16}{row['Request Count']:>9}{row['Failure Count']:>9}{float(row['Requests/s']):>8.1f}"
              f"{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}")


def rss() -> None:
    """Resident memory of each gunicorn worker (children of the two masters), from /proc."""
    for name in ("app1", "app2"):
        master = (cluster.RUN / f"{name}.pid").read_text().strip()
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            kib = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
            print(f"{name} worker {pid}: {kib / 1024:.0f} MB RSS")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("prepare", "load", "oversell", "rss"))
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=60)
    arguments = parser.parse_args()
    if arguments.command == "load":
        load(arguments.users, min(arguments.seconds, 600))
    else:
        {"prepare": prepare, "oversell": oversell, "rss": rss}[arguments.command]()
