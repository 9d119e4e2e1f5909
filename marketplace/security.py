"""What every request and response goes through, in one place: the proxy in front, bad bytes, headers.

- Behind a reverse proxy (PROXY_FIX_HOPS=1 for nginx) the client address and scheme come from exactly that
  many X-Forwarded-* hops; without the setting those headers are ignored (anyone can send them).
- `<int:...>` in a route matches ASCII digits up to the largest id (ids are INTEGER columns): a larger
  number is a 404, never a database error.
- A NUL byte in the path, the query string or a form field is the client's mistake: 400.
- Every response carries the security headers (CSP without inline scripts or styles, no framing, nosniff,
  referrer and permissions policies, HSTS when configured); pages that show an account, a cart, an order
  or the back office are never stored by a cache (`Cache-Control: no-store`).

Unknown Host headers are refused by Flask itself (TRUSTED_HOSTS; in production SITE_URL's host by default).
"""

from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from marketplace.inputs import MAX_ID

#: Path prefixes whose pages are private to someone: never cached (by the browser's history either).
PRIVATE_PREFIXES = ("/accounts", "/cart", "/checkout", "/orders", "/payments", "/manage", "/admin")

#: Where the browser may send a form: this site, and Stripe Checkout (the pay button redirects there).
FORM_TARGETS = ("'self'", "https://checkout.stripe.com")

_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class IdConverter(IntegerConverter):
    """`<int:...>`: ASCII digits only, at most the largest id (a larger one cannot exist: 404)."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Install the proxy fix, the id converter and the request/response checks (before any blueprint)."""
    if app.config.get("TRUST_SITE_URL_HOST") and not app.config.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["SITE_URL"]).hostname]
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.url_map.converters["int"] = IdConverter
    policy = content_security_policy(app)

    @app.before_request
    def refuse_nul_bytes():
        if _has_nul():
            abort(400)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        hsts = int(app.config.get("HSTS_SECONDS") or 0)
        if hsts > 0:
            headers.setdefault("Strict-Transport-Security", f"max-age={hsts}")
        if is_private_path(request.path):
            headers["Cache-Control"] = "no-store"
        return response


def is_private_path(path: str) -> bool:
    """True for the account, cart, checkout, order, payment and back-office pages."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PRIVATE_PREFIXES)


def content_security_policy(app: Flask) -> str:
    """The policy: everything from this site, no inline code, images also from the media bucket."""
    images = ["'self'", "data:"]
    media = app.config.get("S3_PUBLIC_BASE_URL") or app.config.get("S3_ENDPOINT_URL")
    if media:
        parts = urlsplit(media)
        images.append(f"{parts.scheme}://{parts.netloc}")
    elif (app.config.get("STORAGE_BACKEND") or "local").lower() == "s3":
        images.append("https:")  # presigned URLs on the provider's own host
    forms = list(FORM_TARGETS)
    # The e-wallets' pay buttons redirect to their payment pages (when the wallet is configured).
    for credential, page in (("VNPAY_TMN_CODE", "VNPAY_PAYMENT_URL"), ("MOMO_PARTNER_CODE", "MOMO_ENDPOINT")):
        parts = urlsplit(app.config.get(page) or "")
        if app.config.get(credential) and parts.scheme in ("http", "https") and parts.netloc:
            forms.append(f"{parts.scheme}://{parts.netloc}")
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": images,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": forms,
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _has_nul(marker: str = "\x00") -> bool:
    if marker in request.path:
        return True
    if any(marker in key or any(marker in value for value in values) for key, values in request.args.lists()):
        return True
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in _FORM_TYPES:
        return any(marker in key or any(marker in value for value in values)
                   for key, values in request.form.lists())
    return False
