"""Links that leave the site (e-mails, payment return URLs, QR codes, structured data).

They are built from the configured SITE_URL in every mode, never from the request's Host header: a request
sent with `Host: evil.example` must not put evil.example into a password-reset e-mail.
"""

from urllib.parse import urljoin, urlsplit

from flask import current_app, url_for


def site_url() -> str:
    """The configured public address of the site, without a trailing slash."""
    return current_app.config["SITE_URL"].rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` on the configured site (path and query from url_for)."""
    path = url_for(endpoint, **values)
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:  # url_for already made it absolute (e.g. SERVER_NAME in tests)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
    return site_url() + path


def absolute(path: str) -> str:
    """An absolute URL on the configured site for a path such as a media URL."""
    return urljoin(site_url() + "/", path.lstrip("/"))
