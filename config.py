"""Settings for each environment, read from environment variables with safe development defaults."""

import os
from datetime import timedelta
from urllib.parse import urlsplit

from redis.backoff import NoBackoff
from redis.retry import Retry

#: The development default; production refuses to start with it.
DEFAULT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 the public development default, refused in production


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _list(name: str) -> list[str]:
    """A comma-separated setting as a list (empty entries dropped)."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres:// and postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEFAULT_SECRET_KEY
    #: A relative SQLite path is resolved by Flask-SQLAlchemy inside the instance/ folder.
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("DATABASE_URL") or "sqlite:///ocop.sqlite3")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    WTF_CSRF_TIME_LIMIT = None

    #: Who runs the shop, shown in the footer and on /about/contact as Vietnamese e-commerce law asks (name,
    #: address, business registration, hotline, e-mail). Unset, illustrative details are shown and say so.
    OPERATOR_NAME = os.environ.get("OPERATOR_NAME", "")
    OPERATOR_ADDRESS = os.environ.get("OPERATOR_ADDRESS", "")
    OPERATOR_REGISTRATION = os.environ.get("OPERATOR_REGISTRATION", "")
    OPERATOR_HOTLINE = os.environ.get("OPERATOR_HOTLINE", "")
    OPERATOR_EMAIL = os.environ.get("OPERATOR_EMAIL", "")

    #: Rate limits are kept in memory unless REDIS_URL lets several processes share them.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    #: A Redis outage must not block logins: limits fall back to this process's memory until Redis answers
    #: again, any other limiter error is logged and the request goes on, and no request waits long for Redis.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {
        "socket_connect_timeout": float(os.environ.get("REDIS_TIMEOUT_SECONDS") or 0.3),
        "socket_timeout": float(os.environ.get("REDIS_TIMEOUT_SECONDS") or 0.3),
        # redis-py retries a failed command three times, with back-off, by default: one try is enough here.
        "retry": Retry(NoBackoff(), 0),
    }
    #: Login attempts: per client address (any account), per (account, address) pair, and per account from
    #: browsers the account never signed in from (slower, so a stranger cannot lock the owner out).
    ACCOUNTS_RATE_LIMIT_PER_ADDRESS = os.environ.get("ACCOUNTS_RATE_LIMIT_PER_ADDRESS", "10/minute")
    ACCOUNTS_RATE_LIMIT_PER_EMAIL_AND_ADDRESS = os.environ.get("ACCOUNTS_RATE_LIMIT_PER_EMAIL_AND_ADDRESS", "5/minute")
    ACCOUNTS_RATE_LIMIT_PER_EMAIL = os.environ.get("ACCOUNTS_RATE_LIMIT_PER_EMAIL", "20/hour")
    #: Password-reset mails to one account (any address): no mail bombing.
    ACCOUNTS_RATE_LIMIT_RESETS_PER_EMAIL = os.environ.get("ACCOUNTS_RATE_LIMIT_RESETS_PER_EMAIL", "5/minute")
    #: Demand requests published per account (a form sent back with mistakes does not count), and offers.
    LINKAGE_RATE_LIMIT_REQUESTS = os.environ.get("LINKAGE_RATE_LIMIT_REQUESTS", "5/hour;20/day")
    LINKAGE_RATE_LIMIT_OFFERS = os.environ.get("LINKAGE_RATE_LIMIT_OFFERS", "30/hour")

    #: Host names the site answers to (comma-separated; ".example.org" allows its subdomains); other Host
    #: headers get 400. Empty: any host in development, only SITE_URL's host in production.
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS") or None
    TRUST_SITE_URL_HOST = False
    #: Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For/-Proto are trusted, so rate
    #: limits count the real client; 0 (the default) ignores those headers, which anyone can send.
    PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 0)
    #: Strict-Transport-Security max-age; 0 sends no HSTS header (production sends one).
    HSTS_SECONDS = _int("HSTS_SECONDS", 0)

    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 20 * 1024 * 1024)
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", "")  # empty: instance/uploads
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    #: With STORAGE_BACKEND=s3 images come from this origin, which the Content-Security-Policy allows.
    S3_PUBLIC_BASE_URL = os.environ.get("S3_PUBLIC_BASE_URL", "")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    #: STARTTLS before anything else; the server's certificate is verified (system CAs, or MAIL_TLS_CA_FILE).
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    #: A PEM file of the CA that signed the mail server's certificate, for a server with a private CA.
    MAIL_TLS_CA_FILE = os.environ.get("MAIL_TLS_CA_FILE", "")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "OCOP Market <no-reply@ocop.example>")
    #: In development mail is written to the log instead of being sent.
    MAIL_TO_LOG = _bool("MAIL_TO_LOG", not os.environ.get("MAIL_SERVER"))

    #: Log lines: "text" (readable) or "json" (one object a line, for a log collector); both carry the request
    #: id (marketplace/observability.py). /metrics for Prometheus only when METRICS_ENABLED (loopback only, or
    #: with METRICS_TOKEN as a bearer token).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    METRICS_ENABLED = _bool("METRICS_ENABLED", False)
    METRICS_PATH = os.environ.get("METRICS_PATH", "/metrics")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

    #: Jobs (mail, scheduled commands; see marketplace/jobs.py): on Redis (REDIS_URL, or JOBS_REDIS_URL for
    #: another database) through RQ and `flask jobs worker`; in-process when neither is set or JOBS_INLINE.
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL", "")
    JOBS_INLINE = _bool("JOBS_INLINE", False)
    #: A failing job is tried again this many times, after these pauses (seconds; the last one repeats).
    JOB_RETRIES = _int("JOB_RETRIES", 4)
    JOB_RETRY_INTERVALS = [int(value) for value in _list("JOB_RETRY_INTERVALS")] or [30, 120, 600, 1800]
    #: How long a job that failed for good stays in RQ's failed-job registry (seconds).
    JOB_FAILURE_TTL = _int("JOB_FAILURE_TTL", 7 * 24 * 3600)

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
    #: Per try; the SDK tries three times (two retries), so 3 x 7 s and its back-off stay inside gunicorn's 30 s
    #: worker timeout, and a hung Stripe gives the buyer the clear error instead of a killed worker's 502.
    STRIPE_TIMEOUT_SECONDS = _int("STRIPE_TIMEOUT_SECONDS", 7)

    #: E-wallets: each is offered at checkout only when its credentials are set. Defaults point at the
    #: providers' sandboxes; production sets the live addresses they give with the credentials.
    VNPAY_TMN_CODE = os.environ.get("VNPAY_TMN_CODE", "")
    VNPAY_HASH_SECRET = os.environ.get("VNPAY_HASH_SECRET", "")
    VNPAY_PAYMENT_URL = os.environ.get("VNPAY_PAYMENT_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html")
    VNPAY_API_URL = os.environ.get("VNPAY_API_URL", "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction")
    MOMO_PARTNER_CODE = os.environ.get("MOMO_PARTNER_CODE", "")
    MOMO_ACCESS_KEY = os.environ.get("MOMO_ACCESS_KEY", "")
    MOMO_SECRET_KEY = os.environ.get("MOMO_SECRET_KEY", "")
    MOMO_ENDPOINT = os.environ.get("MOMO_ENDPOINT", "https://test-payment.momo.vn")
    #: MoMo asks for at least 30 s on its create and query calls.
    WALLET_TIMEOUT_SECONDS = _int("WALLET_TIMEOUT_SECONDS", 30)

    #: The marketplace's receiving bank account for VietQR transfers (NAPAS bank BIN, account number and name).
    #: The defaults are demo values that match no real account.
    VIETQR_BANK_BIN = os.environ.get("VIETQR_BANK_BIN", "970436")
    VIETQR_ACCOUNT = os.environ.get("VIETQR_ACCOUNT", "0001000000000")
    VIETQR_ACCOUNT_NAME = os.environ.get("VIETQR_ACCOUNT_NAME", "OCOP MARKET DEMO")
    VIETQR_BANK_NAME = os.environ.get("VIETQR_BANK_NAME", "Vietcombank")

    CATALOG_PAGE_SIZE = 24

    #: The one cache layer (marketplace/cache.py): facet counts, the home page's choice and whole anonymous
    #: pages, invalidated exactly by the storefront's versions. Redis (CACHE_REDIS_URL, else REDIS_URL)
    #: shares it between processes; without Redis each process keeps its own in memory. CACHE_ENABLED=0
    #: turns it off (every page computed afresh).
    CACHE_ENABLED = _bool("CACHE_ENABLED", True)
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "")
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "ocop:")
    #: Entries are written under versioned keys and never read after a change; this only frees memory.
    CACHE_DEFAULT_TIMEOUT = _int("CACHE_DEFAULT_TIMEOUT", 6 * 3600)
    #: Entries kept in a process's own memory (a page is 30-80 KB; counts and id lists are small).
    CACHE_THRESHOLD = _int("CACHE_THRESHOLD", 500)
    CACHE_REDIS_TIMEOUT_SECONDS = float(os.environ.get("REDIS_TIMEOUT_SECONDS") or 0.3)
    #: Part of every cache key: set it per release (e.g. the commit id); unset, a digest of the templates and
    #: translations stands in (by content: the same for every process and host of a release).
    CACHE_RELEASE = os.environ.get("CACHE_RELEASE", "")
    #: After Redis fails to answer, this process uses its own memory for this long before trying Redis again.
    CACHE_REDIS_RETRY_SECONDS = _int("CACHE_REDIS_RETRY_SECONDS", 30)
    #: How each process learns that the storefront's versions changed (marketplace/cache.VersionWatch):
    #: "auto" (PostgreSQL LISTEN/NOTIFY, or a signal file beside a SQLite database file) or "read" (the
    #: versions read from the database on every request).
    CACHE_VERSIONS_SIGNAL = os.environ.get("CACHE_VERSIONS_SIGNAL", "auto")
    #: Every process reads the versions again at least this often, whatever the signal says: changes made
    #: outside the app (SQL by hand, a restored backup) show within this many seconds.
    CACHE_VERSIONS_RECHECK_SECONDS = _int("CACHE_VERSIONS_RECHECK_SECONDS", 10)

    #: Shipping fee charged per producer shop unless the producer sets its own.
    DEFAULT_SHIPPING_FEE_VND = _int("DEFAULT_SHIPPING_FEE_VND", 30000)
    #: Commission kept by the marketplace, in basis points (1000 = 10 %).
    DEFAULT_COMMISSION_BP = _int("DEFAULT_COMMISSION_BP", 1000)
    UNPAID_ORDER_TTL_MINUTES = _int("UNPAID_ORDER_TTL_MINUTES", 60)
    #: Days a click-and-collect order prepared at a showroom waits for the buyer (then, unpaid, it is cancelled).
    PICKUP_HOLD_DAYS = _int("PICKUP_HOLD_DAYS", 3)
    #: Days a cash-on-delivery order waits for its shop's confirmation before it is cancelled (orders.unconfirmed).
    ORDER_CONFIRM_DAYS = _int("ORDER_CONFIRM_DAYS", 3)
    #: Public base URL of every link that leaves the site (e-mails, payment return URLs, QR codes); never
    #: taken from the request's Host header. Production refuses to start without it.
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")

    @classmethod
    def check(cls) -> None:
        """Refuse settings that are unsafe for this environment (only production has rules)."""


class DevelopmentConfig(Config):
    DEBUG = _bool("FLASK_DEBUG", False)


class TestConfig(Config):
    ENV_NAME = "test"
    #: Every cache on, in this process's memory (tests/conftest.py empties it before each test): the suite
    #: proves that no change is hidden by a cached count or page.
    CACHE_TYPE = "SimpleCache"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 tests only
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    #: Jobs run in-process in the tests (tests/test_jobs.py builds its own RQ queue on Redis database 8).
    JOBS_INLINE = True
    MAIL_TO_LOG = False
    SERVER_NAME = "localhost"
    SITE_URL = "http://localhost"
    STRIPE_SECRET_KEY = "sk_test_fake"  # noqa: S105 the tests' fake Stripe
    STRIPE_WEBHOOK_SECRET = "whsec_test_secret"  # noqa: S105 the tests' fake Stripe


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    MAIL_TO_LOG = _bool("MAIL_TO_LOG", False)
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    #: Statement parameters (password hashes, session tokens, addresses) never reach the logs.
    SQLALCHEMY_ENGINE_OPTIONS = {**Config.SQLALCHEMY_ENGINE_OPTIONS, "hide_parameters": True}
    SITE_URL = os.environ.get("SITE_URL", "")
    #: Without TRUSTED_HOSTS production answers only to SITE_URL's host (see marketplace/security.py).
    TRUST_SITE_URL_HOST = True
    HSTS_SECONDS = _int("HSTS_SECONDS", 365 * 24 * 3600)

    @classmethod
    def check(cls) -> None:
        """Refuse to start with a missing or default secret key, or without the site's public address."""
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEFAULT_SECRET_KEY or len(cls.SECRET_KEY) < 32:
            raise RuntimeError("SECRET_KEY must be set to a real secret (32+ characters) in production.")
        site = urlsplit(cls.SITE_URL or "")
        if site.scheme not in ("http", "https") or not site.hostname:
            raise RuntimeError("SITE_URL must be set to the site's public address (https://...) in production.")


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def config_from_environment() -> type[Config]:
    """Pick the settings class named by OCOP_ENV (development by default)."""
    return CONFIGS[os.environ.get("OCOP_ENV", "development")]
