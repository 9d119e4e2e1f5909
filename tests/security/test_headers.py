"""Security headers on every kind of page, no inline code for the CSP to allow, and no server banner."""

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from marketplace.accounts.models import Role
from tests.factories import make_producer, make_product, make_user

ROOT = Path(__file__).resolve().parents[2]


def _page(client, login_as, kind):
    """(path, expected private) for one kind of page, after signing in as whoever may see it."""
    product = make_product(stock=5)
    if kind in ("account", "cart", "checkout", "orders"):
        login_as(make_user())
        client.post("/cart/add", data={"product_id": str(product.id), "quantity": "1"})
    elif kind == "manage":
        producer = make_producer()
        login_as(make_user(role=Role.PRODUCER, producer=producer))
    elif kind == "admin":
        login_as(make_user(role=Role.ADMIN))
    return {"home": "/", "product": f"/products/{product.slug}", "catalog": "/products?q=ch%C3%A8",
            "account": "/accounts/", "login": "/accounts/login", "cart": "/cart", "checkout": "/checkout",
            "orders": "/orders", "manage": "/manage/", "admin": "/admin/", "error": "/no-such-page"}[kind]


PRIVATE = {"account", "login", "cart", "checkout", "orders", "manage", "admin"}


@pytest.mark.parametrize("kind", ["home", "product", "catalog", "account", "login", "cart", "checkout", "orders",
                                  "manage", "admin", "error"])
def test_every_kind_of_page_carries_the_security_headers(client, login_as, kind):
    """CSP without inline code, no framing, nosniff, referrer and permissions policies; no-store where private."""
    path = _page(client, login_as, kind)
    response = client.get(path)
    assert response.status_code == (404 if kind == "error" else 200), path
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # only in production (over HTTPS)
    if kind in PRIVATE:
        assert response.headers["Cache-Control"] == "no-store", path
    else:
        assert "no-store" not in response.headers.get("Cache-Control", ""), path


def test_the_reset_page_keeps_its_stricter_referrer_policy(client):
    """The page whose URL holds a reset token sends no Referer at all (its own header is kept)."""
    from flask import current_app

    from marketplace.accounts import services

    user = make_user()
    token = services.make_reset_token(user, current_app.config["SECRET_KEY"])
    response = client.get(f"/accounts/password/reset/{token}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_production_sends_hsts(production_app):
    """Strict-Transport-Security in production only."""
    response = production_app.test_client().get("/healthz", headers={"Host": "ocop.example"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# An inline <script> with code, a <style> block, a style="" attribute or an on...="" handler would need
# 'unsafe-inline'. JSON-LD (<script type="application/ld+json">) is data, which the CSP does not block.
_INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I),
    re.compile(r"<style\b", re.I),
    re.compile(r"\sstyle\s*=", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),
    re.compile(r"javascript:", re.I),
]


def test_no_template_has_inline_script_or_style():
    """Web page templates (not e-mails, whose clients need inline styles) hold no inline code."""
    offenders = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        if "email" in template.relative_to(ROOT / "templates").parts:
            continue
        text = template.read_text(encoding="utf-8")
        for pattern in _INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{template.relative_to(ROOT)}:{line}: {match.group(0)}")
    assert offenders == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_sends_no_server_banner():
    """The project's gunicorn.conf.py (which the README's production command uses) drops `Server: gunicorn`."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--access-logfile", "/dev/null", "tests.security.hello_wsgi:app"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    headers = response.headers
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        assert "Server" not in headers
        assert headers["Date"]  # the other default headers are still sent
    finally:
        server.terminate()
        server.wait(timeout=10)
