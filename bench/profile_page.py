"""Where one page's time goes, in-process: SQL, template rendering, and the rest (ORM, Flask, our code).

Runs the app (the same `wsgi:app` gunicorn serves, so `gc.freeze()` applies) against DATABASE_URL
through Flask's test client, as an anonymous visitor (or, with --signed-in, as a shopper with a cart line and
a saved product, made in that database on first use), and prints per request: wall time, the number
of SQL statements and their time (cursor execute to result), the time inside `render_template`
(outermost template only), and the remainder; then the top functions of a cProfile run over the same
requests. A database filled by bench/load_synthetic.py (see bench/README.md):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ocop_bench OCOP_ENV=development SECRET_KEY=... \\
        .venv/bin/python bench/profile_page.py /products/<slug> --requests 200 [--signed-in] [--lang en]
"""

import argparse
import cProfile
import pstats
import secrets
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from flask import before_render_template, template_rendered
from flask_login.utils import _create_identifier as login_identifier
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace.accounts.models import Role, User  # noqa: E402
from marketplace.accounts.services import hash_password  # noqa: E402
from marketplace.catalog.listing import public_products  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.orders.models import Cart, CartLine  # noqa: E402
from marketplace.wishlists.models import SavedProduct  # noqa: E402
from wsgi import app  # noqa: E402

SHOPPER_EMAIL = "bench-shopper@ocop.example"


def shopper_token() -> str:
    """The session token of the bench shopper (a consumer with one cart line and one saved product), made on
    first use."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == SHOPPER_EMAIL))
        if user is None:
            user = User(email=SHOPPER_EMAIL, password_hash=hash_password(secrets.token_urlsafe(24)), full_name="Người mua thử", role=Role.CONSUMER)
            db.session.add(user)
            db.session.flush()
            products = list(db.session.scalars(public_products().order_by(sa.text("1")).limit(2)))
            cart = Cart(user_id=user.id)
            db.session.add(cart)
            db.session.flush()
            db.session.add(CartLine(cart_id=cart.id, product_id=products[0].id, quantity=2,
                                    price_vnd_seen=products[0].price_vnd))
            db.session.add(SavedProduct(user_id=user.id, product_id=products[1].id))
            db.session.commit()
        return user.session_token


class Clock:
    """Adds up SQL and rendering time of the requests run while it is attached."""

    def __init__(self):
        self.sql_seconds = self.render_seconds = 0.0
        self.statements = 0
        self._sql_started: list[float] = []
        self._render_started: list[float] = []

    def attach(self, engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before_sql)
        event.listen(engine, "after_cursor_execute", self._after_sql)
        before_render_template.connect(self._before_render, app)
        template_rendered.connect(self._after_render, app)

    def _before_sql(self, *_args, **_kwargs):
        self._sql_started.append(time.perf_counter())

    def _after_sql(self, *_args, **_kwargs):
        self.sql_seconds += time.perf_counter() - self._sql_started.pop()
        self.statements += 1

    def _before_render(self, *_args, **_kwargs):
        self._render_started.append(time.perf_counter())

    def _after_render(self, *_args, **_kwargs):
        elapsed = time.perf_counter() - self._render_started.pop()
        if not self._render_started:  # only the outermost template: nested renders are inside it
            self.render_seconds += elapsed


def show_statements(client, path: str) -> None:
    """Print every statement one request runs (first 300 characters each)."""
    statements = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split())[:300])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
        client.get(path)
        event.remove(db.engine, "before_cursor_execute", note)
    for number, statement in enumerate(statements, 1):
        print(f"  [{number}] {statement}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="the page, e.g. /products/<slug>")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25, help="functions listed from the cProfile run (0: no run)")
    parser.add_argument("--signed-in", action="store_true",
                        help="as a signed-in shopper (the guests' page, when kept, with their own parts drawn in)")
    parser.add_argument("--unshared", action="store_true",
                        help="with --signed-in: no guest fetches the page first, so it is drawn for the shopper")
    parser.add_argument("--lang", choices=("vi", "en"), default="vi")
    parser.add_argument("--show-sql", action="store_true", help="print the statements of one request first")
    parser.add_argument("--no-cache", action="store_true",
                        help="render every request (CACHE_ENABLED off): what the page itself costs")
    args = parser.parse_args(argv)
    if args.no_cache:
        app.config["CACHE_ENABLED"] = False
    client = app.test_client()
    client.set_cookie("lang", args.lang)
    if args.signed_in:
        token = shopper_token()
        with app.test_request_context(environ_base=client.environ_base):
            identifier = login_identifier()  # Flask-Login's session protection compares it
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = False
            session["_id"] = identifier
    if args.signed_in and not args.unshared:
        app.test_client().get(args.path, headers={"Cookie": f"lang={args.lang}"})  # a guest keeps the page
    for _ in range(20):  # warm up: templates compiled, caches filled, connections in the pool
        status = client.get(args.path).status_code
    if status != 200:
        print(f"{args.path} answered {status}", file=sys.stderr)
        return 1
    if args.signed_in and 'action="/accounts/logout"' not in client.get(args.path).get_data(as_text=True):
        print("the shopper is not signed in", file=sys.stderr)
        return 1
    if args.show_sql:
        show_statements(client, args.path)
    clock = Clock()
    with app.app_context():
        clock.attach(db.engine)
    started = time.perf_counter()
    for _ in range(args.requests):
        client.get(args.path)
    wall = (time.perf_counter() - started) / args.requests * 1000
    sql = clock.sql_seconds / args.requests * 1000
    render = clock.render_seconds / args.requests * 1000
    who = "signed in" if args.signed_in else "anonymous"
    print(f"{args.path} ({who}, {args.lang}): {wall:.2f} ms per request over {args.requests} requests")
    print(f"  SQL       {sql:6.2f} ms  ({clock.statements / args.requests:.1f} statements)")
    print(f"  template  {render:6.2f} ms  (render_template, SQL run while rendering counted there too)")
    print(f"  the rest  {wall - sql - render:6.2f} ms  (ORM, Flask, our view code, the test client)")
    if args.top <= 0:
        return 0
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        client.get(args.path)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
