"""A realistic mix against the cluster (make cluster-up), for bench/cluster_bench.py load (or locust itself).

    .venv/bin/locust -f bench/locustfile.py --headless -u 40 -r 10 -t 60s --host http://127.0.0.1:8100

Visitors (9 in 10) open the home page, catalogue pages with filters and sorts, searches, product pages and the
JSON API; buyers (1 in 10) sign in once (accounts made by `cluster_bench.py prepare`: bench-buyer-N@example.test),
then put a product in the cart and check out (cash on delivery). Each request is named by its page, so locust's
table gives throughput and p50/p95/p99 per page. Loopback only: the host must be 127.0.0.1 or localhost.
"""

import os
import random
import re
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

WORDS = ("nuoc mam", "tra", "mat ong", "gao", "ca phe", "tuong", "banh", "ruou", "che", "nem", "mien", "hat dieu")
GROUPS = ("1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "3.1", "4.1")
SORTS = ("newest", "price_asc", "price_desc", "stars", "best_selling")
BUYERS = int(os.environ.get("BENCH_BUYERS", "200"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password-123")
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_HIDDEN = re.compile(r'name="(token|cart_signature)"[^>]*value="([^"]*)"')
_PRODUCT_LINK = re.compile(r'href="/products/([a-z0-9-]+)"')
_PRODUCT_ID = re.compile(r'name="product_id"[^>]*value="([0-9]+)"')


@events.test_start.add_listener
def loopback_only(environment, **_kwargs):
    host = urlsplit(environment.host or "").hostname
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"bench/locustfile.py runs against the loopback only, not {host!r}")


class Visitor(HttpUser):
    weight = 9
    wait_time = between(0.5, 2)
    slugs: list[str] = []

    def _remember(self, html: str) -> None:
        found = _PRODUCT_LINK.findall(html)
        if found:
            Visitor.slugs = (Visitor.slugs + found)[-500:]

    @task(2)
    def home(self):
        self._remember(self.client.get("/", name="home").text)

    @task(4)
    def catalogue(self):
        params = {"page": random.randint(1, 20), "sort": random.choice(SORTS)}
        if random.random() < 0.5:
            params["group"] = random.choice(GROUPS)
        if random.random() < 0.3:
            params["stars"] = random.choice((4, 5))
        # A page past the last answers 404 by design (a smaller catalogue has fewer pages): not a failure.
        with self.client.get("/products", params=params, name="catalogue", catch_response=True) as response:
            if response.status_code == 404 and params["page"] > 1:
                response.success()
            else:
                self._remember(response.text)

    @task(3)
    def search(self):
        self._remember(self.client.get("/products", params={"q": random.choice(WORDS)}, name="search").text)

    @task(5)
    def product(self):
        if not Visitor.slugs:
            return self.home()
        self.client.get(f"/products/{random.choice(Visitor.slugs)}", name="product")

    @task(1)
    def api(self):
        self.client.get("/api/v1/products", params={"q": random.choice(WORDS), "page_size": 24}, name="api products")


class Buyer(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        page = self.client.get("/accounts/login", name="login page")
        email = f"bench-buyer-{random.randrange(BUYERS)}@example.test"
        self.client.post("/accounts/login", name="login",
                         data={"csrf_token": _token(page.text), "email": email, "password": PASSWORD})

    @task
    def buy(self):
        slug = random.choice(Visitor.slugs) if Visitor.slugs else None
        if slug is None:
            Visitor.slugs = _PRODUCT_LINK.findall(self.client.get("/", name="home").text)
            return
        page = self.client.get(f"/products/{slug}", name="product")
        product_id = _PRODUCT_ID.search(page.text)
        if product_id is None:  # out of stock: no add-to-cart form
            return
        self.client.post("/cart/add", name="cart add",
                         data={"csrf_token": _token(page.text), "product_id": product_id.group(1), "quantity": "1"})
        checkout = self.client.get("/checkout", name="checkout page")
        hidden = dict(_HIDDEN.findall(checkout.text))
        if "token" not in hidden:
            return
        self.client.post("/checkout", name="checkout", data={
            "csrf_token": _token(checkout.text), "token": hidden["token"],
            "cart_signature": hidden.get("cart_signature", ""), "address_choice": "new",
            "full_name": "Người mua thử", "phone": "0912 345 678", "province_code": "1", "ward_code": "4",
            "street": "Số 1 phố Thử", "payment_method": "cod"})


def _token(html: str) -> str:
    found = _CSRF.search(html)
    return found.group(1) if found else ""
