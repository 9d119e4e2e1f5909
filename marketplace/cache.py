"""The one cache layer: everything that caches goes through this module.

What is cached
- Computed values (facet counts, the home page's choice of products): `remember(name, parts, compute)`.
- Whole pages for anonymous visitors: views marked `@page` (home, catalogue and search, product, shop,
  campaign). A page is taken from the cache only for a GET or HEAD from a visitor who is not signed in, has
  no "remember me" cookie and whose session holds nothing but a CSRF token (no cart, no flash message, no
  voucher); it is stored only when the view answered 200 with HTML, set no cookie and wrote nothing else
  into the session. Every page answer carries an ETag and Last-Modified, with `Cache-Control: no-cache` so
  that a browser or nginx in front revalidates (304) instead of showing an old page.

Signed-in visitors
A signed-in page is never kept or shared. When the page guests see is in the cache, a signed-in visitor gets
it with every personal part drawn afresh for them (what those parts need, the member and their cart's units,
saved products and followed shops, is one statement: accounts.facts): the header menu (templates/_header_nav.html: cart,
account, "sell with us"), the wishlist hearts of the products they saved, the "ask the producer" form
(questions/_ask.html) and the "follow this shop" button, each marked in the guests' page; their own CSRF
token goes where the placeholder is. Everything else on those pages is the same for everyone. When the
guests' page is not in the cache, it is drawn first, as for a guest in a request of its own, and kept (so the
next guest or member gets it too); when that page cannot be kept (a search that finds nothing), the page is
drawn for the member as usual, and not kept.

Where
Flask-Caching, on Redis when CACHE_REDIS_URL (or REDIS_URL) is set so that every app process shares the
entries, else in this process's memory (SimpleCache). When Redis does not answer, this process uses its own
memory for CACHE_REDIS_RETRY_SECONDS and then tries Redis again: a Redis outage costs speed, never a page.

Exact invalidation
Every key includes the storefront's versions, kept in the database (table `cache_versions`, one row) so that
every process and every cache backend sees the same ones:
- `catalogue`: what the catalogue lists and counts (a product published, edited, archived or repriced, a
  picture, a certificate verified, expired or revoked, a producer approved or suspended, a campaign, a
  product's online stock reaching or leaving 0);
- `pages`: what pages show besides that (units sold, "only N left", reviews, answered questions, the
  showrooms that hold a product). A change of catalogue changes both.
One function, `storefront_changed(scope)`, marks the session's transaction; the new version is written in
that same transaction just before it commits, so a version never becomes visible before the data it stands
for, and a transaction that rolls back changes nothing. Models whose rows are shown on the storefront say so
with a `__storefront__` class attribute naming their scope: every ORM insert, update or delete of such a row
(and every `update()`/`delete()` statement on its table) calls `storefront_changed` by itself, so no service
can forget it. Services that change such rows in ways the ORM cannot judge call it themselves (stock: only a
change that crosses 0 or the "only N left" threshold matters). Versions are random tokens, not counters: a
database restored from a backup can never meet entries written for a later state.

Reading the versions costs nothing on most requests: each process keeps its own copy and is told when they
change (PostgreSQL: LISTEN/NOTIFY, sent by the committing transaction itself; SQLite: a signal file beside the
database, replaced by the writer after its commit and before it answers), so a page from the cache is served
without a database round trip, and a change committed by any process is on the next page every process
serves. See VersionWatch.

Days matter too: certificates expire and campaigns start and end at Vietnam's midnight, so every key also
includes today's date in Vietnam and no entry outlives the day it was computed on. And so does the code:
every key includes the release (CACHE_RELEASE, or a digest of the templates and translations), so
the processes of a new release never serve what an old one cached in Redis. In debug mode nothing is cached.
"""

import hashlib
import logging
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from flask import (
    Flask,
    Response,
    current_app,
    has_app_context,
    has_request_context,
    request,
    session,
)
from flask_babel import get_locale, gettext
from flask_caching import Cache
from flask_wtf.csrf import generate_csrf
from markupsafe import escape
from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.dates import today_vn, utcnow
from marketplace.extensions import db, limiter

log = logging.getLogger(__name__)

CATALOGUE = "catalogue"
PAGES = "pages"
SCOPES = (CATALOGUE, PAGES)

#: A page on the product page says "only N left" from this many units down (templates read it too).
ONLY_LEFT_AT = 5

#: Session keys that do not make a visitor's pages their own: Flask-WTF's token, Flask's permanence flag and
#: Flask-Login's note to clear a "remember me" cookie (it writes one for any visitor without a user).
SHAREABLE_SESSION_KEYS = frozenset({"csrf_token", "_permanent", "_remember"})

#: Session keys of a signed-in visitor that the personal parts of a page account for (Flask-Login's).
SIGNED_IN_SESSION_KEYS = SHAREABLE_SESSION_KEYS | {"_user_id", "_fresh", "_id"}

#: Written into a page instead of the visitor's CSRF token while it is rendered for the cache; every answer
#: replaces it with the token of the visitor who asked.
CSRF_PLACEHOLDER = "__OCOP_CSRF_TOKEN_5f1c__"

_SESSION_FLAG = "storefront_changed"
_BUMPED = "storefront_versions_written"
_PAGE_ATTRIBUTE = "_ocop_page_cache"


# --- the store ------------------------------------------------------------------------------------------


class Store:
    """Flask-Caching on Redis (shared) or in memory, with this process's memory standing in for Redis.

    One object for the process, like every extension; what it knows of each app (whether that app uses
    Redis, since when Redis has not answered) is kept in the app's extensions.
    """

    def __init__(self) -> None:
        self.shared = Cache()
        self.local = Cache()

    def init_app(self, app: Flask) -> None:
        redis_url = app.config.get("CACHE_REDIS_URL") or app.config.get("REDIS_URL") or ""
        common = {"CACHE_DEFAULT_TIMEOUT": app.config["CACHE_DEFAULT_TIMEOUT"],
                  "CACHE_KEY_PREFIX": app.config["CACHE_KEY_PREFIX"]}
        self.local.init_app(app, config={**common, "CACHE_TYPE": "SimpleCache",
                                         "CACHE_THRESHOLD": app.config["CACHE_THRESHOLD"]})
        use_redis = bool(redis_url) and app.config["CACHE_TYPE"] != "SimpleCache"
        if use_redis:
            timeout = float(app.config["CACHE_REDIS_TIMEOUT_SECONDS"])
            self.shared.init_app(app, config={
                **common, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url,
                "CACHE_OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
            })
        app.extensions["ocop_cache"] = {"redis": use_redis, "down_until": 0.0,
                                        "retry_seconds": float(app.config["CACHE_REDIS_RETRY_SECONDS"])}

    @staticmethod
    def _settings() -> dict:
        return current_app.extensions["ocop_cache"]

    @property
    def uses_redis(self) -> bool:
        """True when this app keeps its entries in Redis (and Redis answered lately)."""
        settings = self._settings()
        return settings["redis"] and time.monotonic() >= settings["down_until"]

    def _backend(self) -> Cache:
        return self.shared if self.uses_redis else self.local

    def _failed(self, error: Exception) -> None:
        settings = self._settings()
        log.warning("cache: Redis did not answer (%s); using this process's memory for %.0f s",
                    type(error).__name__, settings["retry_seconds"])
        settings["down_until"] = time.monotonic() + settings["retry_seconds"]

    def _use(self, action: Callable[[Cache], object]):
        """action(backend) on Redis or memory; a Redis failure is retried on this process's memory (a miss
        costs a page computed afresh, never an error)."""
        backend = self._backend()
        try:
            return action(backend)
        except Exception as error:  # noqa: BLE001 any Redis failure; the local cache's own errors are raised
            if backend is self.local:
                raise
            self._failed(error)
            return action(self.local)

    def get(self, key: str):
        return self._use(lambda backend: backend.get(key))

    def set(self, key: str, value, timeout: int | None = None) -> None:
        self._use(lambda backend: backend.set(key, value, timeout=timeout))

    def clear(self) -> None:
        """Forget every entry of this app (both backends) and its copy of the versions; used by the tests."""
        self._settings()["watch"].forget()
        self.local.clear()
        if self._backend() is self.shared:
            self._use(lambda backend: backend.clear())


store = Store()


def release_id(app: Flask) -> str:
    """What this release's pages are made of (the templates and the translations, by name and content), read
    once at start-up: part of every key, so processes of a new release never serve pages or values of an old
    one from Redis, while every process and host of one release shares them."""
    digest = hashlib.blake2b(digest_size=8)
    root = Path(app.root_path).parent
    for folder, pattern in ((Path(app.template_folder or "templates"), "*.html"), (root / "translations", "*.po")):
        folder = folder if folder.is_absolute() else root / folder
        for path in sorted(folder.rglob(pattern)):
            digest.update(f"{path.relative_to(root)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def init_app(app: Flask) -> None:
    """Bind the store, listen to the session for storefront changes, install the page cache's hooks."""
    store.init_app(app)
    app.extensions["ocop_cache"]["release"] = app.config.get("CACHE_RELEASE") or release_id(app)
    app.extensions["ocop_cache"]["watch"] = VersionWatch(app)
    _install_session_listeners()
    _install_page_hooks(app)
    if _unlimited_page not in limiter._request_filters:  # one limiter for every app of the process
        limiter.request_filter(_unlimited_page)
    # Flask-WTF offers generate_csrf both as a template global and through a context processor: replace both.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.jinja_env.globals["ONLY_LEFT_AT"] = ONLY_LEFT_AT


def enabled() -> bool:
    """The cache is on (CACHE_ENABLED) and the app is not in debug mode, where templates change under it."""
    return bool(current_app.config.get("CACHE_ENABLED", True)) and not current_app.debug


# --- versions --------------------------------------------------------------------------------------------


cache_versions = sa.Table(
    "cache_versions", db.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("catalogue", sa.String(32), nullable=False),
    sa.Column("pages", sa.String(32), nullable=False),
)


@dataclass(frozen=True)
class Versions:
    catalogue: str
    pages: str

    def key(self, scope: str) -> str:
        return self.catalogue if scope == CATALOGUE else f"{self.catalogue}.{self.pages}"


def _state() -> dict:
    """This request's cache state (on the request, not on g: an app context may outlive one request)."""
    if not has_request_context():
        return {}
    state = getattr(request, "_ocop_cache", None)
    if state is None:
        state = request._ocop_cache = {}
    return state


#: The versions' query, sent as it is: it runs whenever a process does not know them, so it skips the ORM.
_READ_VERSIONS = "SELECT catalogue, pages FROM cache_versions WHERE id = 1"

#: PostgreSQL's channel for "the storefront's versions changed" (NOTIFY is sent by the committing transaction).
NOTIFY_CHANNEL = "ocop_cache_versions"


class VersionWatch:
    """This process's copy of the storefront's versions, so that a page from the cache costs no database
    round trip, kept exact by a signal that every process of the site sees:

    - PostgreSQL: the transaction that writes new versions also sends NOTIFY (delivered only if it commits,
      in commit order, to every host); each process LISTENs on a connection of its own and, at the start of
      every request, takes what has arrived without waiting (a non-blocking read of its socket);
    - SQLite: after a commit that wrote new versions, the writer replaces a signal file beside the database
      file (a new inode each time) before it answers; each process compares the file's identity at the start
      of every request (one stat);
    - anything else, or when the listener is down: the versions are read from the database on every request.

    A signal only says "changed": the process then reads the row once. The writer's own process forgets its
    copy at the commit. Changes made outside the app (SQL by hand, a restored backup) are seen within
    CACHE_VERSIONS_RECHECK_SECONDS, when every process reads the row again anyway.
    """

    def __init__(self, app: Flask) -> None:
        self.mode = "read"
        self.signal_path: Path | None = None
        self.recheck = float(app.config.get("CACHE_VERSIONS_RECHECK_SECONDS", 10))
        self.lock = threading.Lock()
        self.current: Versions | None = None
        self.generation = 0
        self.read_at = 0.0
        self.pid = 0
        self.listener = None
        self.listener_retry_at = 0.0
        self.file_mark: tuple | None = None
        configured = app.config.get("CACHE_VERSIONS_SIGNAL", "auto")
        uri = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if configured == "auto" and uri.get_backend_name() == "postgresql":
            self.mode = "notify"
        elif configured == "auto" and uri.get_backend_name() == "sqlite" and uri.database not in (None, "", ":memory:"):
            self.mode = "file"  # the file's place is the engine's (Flask-SQLAlchemy resolves relative paths)

    # -- reading ------------------------------------------------------------------------------------------

    def known(self) -> tuple[Versions | None, int]:
        """The versions this process knows to be current (None: read the row, then learn() it), and the
        generation of that answer (how many changes this process has heard of)."""
        with self.lock:
            if self.pid != os.getpid():  # a new worker forked from the master: nothing it knows is its own
                self._reset()
            if self._changed():  # always asked: it takes the signals that have arrived
                self.current = None
                self.generation += 1
            elif time.monotonic() - self.read_at >= self.recheck:
                self.current = None
            return self.current, self.generation

    def learn(self, found: Versions, generation: int, read_at: float) -> None:
        """The row as read after known() answered None at that generation: kept only if no change was heard
        of since (another thread may have read an older row before a change and learn it after)."""
        if self.mode == "read":
            return
        with self.lock:
            if generation == self.generation and (self.mode != "notify" or self.listener is not None):
                self.current, self.read_at = found, read_at

    def forget(self) -> None:
        """This process has just committed new versions."""
        with self.lock:
            self.current = None
            self.generation += 1
        if self.mode == "file":
            self._touch()

    def _reset(self) -> None:
        self.pid = os.getpid()
        self.current = None
        self.listener = None  # a parent's connection is not this process's to use
        self.listener_retry_at = 0.0
        self.file_mark = None

    def _changed(self) -> bool:
        if self.mode == "file":
            return self._file_changed()
        if self.mode == "notify":
            return self._notified()
        return True

    # -- SQLite: the signal file --------------------------------------------------------------------------

    def _signal_file(self) -> Path:
        if self.signal_path is None:
            database = Path(db.engine.url.database).resolve()
            self.signal_path = database.with_name(database.name + ".versions")
        return self.signal_path

    def _file_changed(self) -> bool:
        try:
            info = os.stat(self._signal_file())
            mark = (info.st_ino, info.st_mtime_ns, info.st_size)
        except FileNotFoundError:
            mark = None
        changed = mark != self.file_mark
        self.file_mark = mark
        return changed

    def _touch(self) -> None:
        path = self._signal_file()
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        try:
            temporary.write_text(secrets.token_hex(8))
            os.replace(temporary, path)
        except OSError as error:  # a read-only folder: the other processes see the change at their recheck
            log.warning("cache: could not write the versions' signal file (%s)", error)
            temporary.unlink(missing_ok=True)

    # -- PostgreSQL: LISTEN / NOTIFY ----------------------------------------------------------------------

    def _notified(self) -> bool:
        if self.listener is None:
            return self._listen()
        try:
            return any(True for _ in self.listener.notifies(timeout=0))
        except Exception as error:  # noqa: BLE001 the listener's connection is gone: read per request till back
            log.warning("cache: lost the versions' listener (%s); reading them per request", type(error).__name__)
            self._drop_listener()
            return True

    def _listen(self) -> bool:
        """Open this process's listener (at most every few seconds after a failure). Always "changed": what
        happened before it listened is read from the row."""
        now = time.monotonic()
        if now < self.listener_retry_at:
            return True
        try:
            raw = db.engine.raw_connection()
            connection = raw.driver_connection
            raw.detach()  # this process's own, outside the pool
            connection.autocommit = True
            connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
            self.listener = connection
        except Exception as error:  # noqa: BLE001 the database is down: read per request until it is back
            log.warning("cache: could not listen for versions (%s)", type(error).__name__)
            self.listener_retry_at = now + 5
        return True

    def _drop_listener(self) -> None:
        try:
            self.listener.close()
        except Exception:  # noqa: BLE001,S110 already broken
            pass
        self.listener = None
        self.listener_retry_at = time.monotonic() + 5


def _watch() -> VersionWatch:
    return current_app.extensions["ocop_cache"]["watch"]


def versions() -> Versions:
    """The storefront's versions, known once per request: from this process's copy (see VersionWatch) or, when
    it does not know them, by one small query on the request's own connection."""
    state = _state()
    found = state.get("versions")
    if found is None:
        watch = _watch()
        found, generation = watch.known()
        if found is None:
            started = time.monotonic()
            row = db.session.connection().exec_driver_sql(_READ_VERSIONS).first()
            found = Versions(*row) if row else Versions("0", "0")
            watch.learn(found, generation, started)
        state["versions"] = found
    return found


def storefront_changed(scope: str = CATALOGUE, session: Session | None = None) -> None:
    """Mark the current transaction as changing what the storefront shows (new versions at its commit)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown cache scope {scope!r}")
    session = session or db.session()
    marked = session.info.setdefault(_SESSION_FLAG, set())
    marked.add(scope)


def sees_uncommitted_changes() -> bool:
    """True when this session has changed the storefront and not committed yet: it sees rows that other
    sessions do not, so it neither reads nor fills the shared cache until it commits."""
    session = db.session()
    if session.info.get(_SESSION_FLAG):
        return True
    return any(_scope_of(type(instance)) for rows in (session.new, session.dirty, session.deleted) for instance in rows)


def _bump(session: Session, scopes: set[str]) -> None:
    values = {"pages": secrets.token_hex(8)}
    if CATALOGUE in scopes:
        values["catalogue"] = secrets.token_hex(8)
    updated = session.execute(sa.update(cache_versions).where(cache_versions.c.id == 1).values(**values))
    if updated.rowcount == 0:  # the row was deleted (tests empty every table): start it again
        session.execute(sa.insert(cache_versions).values(id=1, catalogue=secrets.token_hex(8), pages=values["pages"]))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"NOTIFY {NOTIFY_CHANNEL}"))  # delivered to every listener if this commits
    session.info[_BUMPED] = True
    _state().pop("versions", None)


def _scope_of(cls) -> str | None:
    return getattr(cls, "__storefront__", None)


_listeners_installed = False


def _install_session_listeners() -> None:
    global _listeners_installed
    if _listeners_installed:
        return
    _listeners_installed = True

    @event.listens_for(Session, "after_flush")
    def note_flushed_rows(session, flush_context):
        for state in (session.new, session.deleted, session.dirty):
            for instance in state:
                scope = _scope_of(type(instance))
                if scope and (state is not session.dirty or session.is_modified(instance)):
                    storefront_changed(scope, session)

    @event.listens_for(Session, "do_orm_execute")
    def note_bulk_statements(orm_execute_state):
        if not (orm_execute_state.is_update or orm_execute_state.is_delete or orm_execute_state.is_insert):
            return
        scope = orm_execute_state.execution_options.get("storefront_scope")
        mapper = orm_execute_state.bind_mapper
        if scope is None and mapper is not None:
            scope = _scope_of(mapper.class_)
        if scope:
            storefront_changed(scope, orm_execute_state.session)

    @event.listens_for(Session, "before_commit")
    def write_versions(session):
        if session.in_nested_transaction():
            return
        if session.new or session.dirty or session.deleted:
            session.flush()
        scopes = session.info.pop(_SESSION_FLAG, None)
        if scopes:
            _bump(session, scopes)

    @event.listens_for(Session, "after_commit")
    def signal_versions(session):
        if session.info.pop(_BUMPED, False) and has_app_context() and "ocop_cache" in current_app.extensions:
            _watch().forget()

    @event.listens_for(Session, "after_soft_rollback")
    def forget_marks(session, previous_transaction):
        # A whole transaction rolled back: its changes never happened. (A savepoint's rollback keeps the marks:
        # at worst one version too many.)
        if not previous_transaction.nested:
            session.info.pop(_SESSION_FLAG, None)
            session.info.pop(_BUMPED, None)


# --- computed values -------------------------------------------------------------------------------------


def _key(*parts: Hashable) -> str:
    text = repr((current_app.extensions["ocop_cache"]["release"], parts)).encode()
    return hashlib.blake2b(text, digest_size=16).hexdigest()


def remember(name: str, parts: Hashable, compute: Callable, scope: str = CATALOGUE):
    """compute() once per storefront version and day, for `parts` (anything hashable with a stable repr)."""
    if not enabled() or sees_uncommitted_changes():
        return compute()
    key = "v:" + _key(name, parts, versions().key(scope), today_vn())
    found = store.get(key)
    if found is not None:
        return found
    value = compute()
    store.set(key, value)
    return value


# --- whole pages -----------------------------------------------------------------------------------------


def page(view: Callable) -> Callable:
    """Mark a view whose anonymous answers may be kept whole (see the module's docstring). A page view carries
    no rate limit: its answers are the same for every guest and mostly come from the cache, so the rate
    limiter's work is skipped for it (unless the app sets default or application-wide limits)."""
    setattr(view, _PAGE_ATTRIBUTE, True)
    return view


def _is_page_view() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return view is not None and getattr(view, _PAGE_ATTRIBUTE, False)


def _unlimited_page() -> bool:
    """Flask-Limiter's request filter: True (no limit to check) for a page view when no limit applies to
    every route."""
    config = current_app.config
    return not (config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION")) and _is_page_view()


class _NotForEveryone(Exception):
    """Raised by do_not_store() in a page drawn for the cache on a member's behalf: that answer will not be
    kept, so the view stops before its side effects (they happen once, in the member's own page)."""


def do_not_store() -> None:
    """Keep this request's answer out of the page cache (e.g. a search that was recorded as finding nothing).
    Call it before the answer's side effects: in a page drawn for the cache on a member's behalf it stops the
    view there."""
    state = _state()
    state["skip"] = True
    if state.get("for_a_member"):
        raise _NotForEveryone


def _draw_for_guests(key: str) -> "StoredPage | None":
    """A member asks for a page guests have not had yet: draw the guests' page first, as a request of its own
    (the same address, no cookie but the language; its own app context, so no user, session or `g` of the
    member's), which the page hooks keep as for any guest; then the member gets it with their own parts. None
    when that page is not kept (not 200, or do_not_store()): the member's page is then drawn for them."""
    from marketplace.i18n import LANGUAGE_COOKIE  # reason: i18n builds on the app; this module sits below it

    environ = {name: value for name, value in request.environ.items()
               if not name.startswith("werkzeug.") and name != "HTTP_COOKIE"}
    language = request.cookies.get(LANGUAGE_COOKIE)
    if language:
        environ["HTTP_COOKIE"] = f"{LANGUAGE_COOKIE}={language}"
    app = current_app._get_current_object()
    try:
        with app.app_context(), app.request_context(environ):
            _state()["for_a_member"] = True
            app.full_dispatch_request()
    except _NotForEveryone:
        return None
    return store.get(key)


def csrf_token() -> str:
    """The template global `csrf_token()`: the visitor's token, or the placeholder in a page being cached."""
    if _state().get("key"):
        return CSRF_PLACEHOLDER
    return generate_csrf()


def _visitor() -> str | None:
    """"guest" for a GET from someone not signed in (no user in the session, no "remember me" cookie) whose
    session holds nothing of their own; "member" for a signed-in one whose session holds nothing but the
    sign-in (no cart of a guest, no flash message); None for anything else."""
    if request.method not in ("GET", "HEAD"):
        return None
    keys = set(session.keys())
    if "_user_id" in keys:
        return "member" if keys <= SIGNED_IN_SESSION_KEYS else None
    if request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        return None
    return "guest" if keys <= SHAREABLE_SESSION_KEYS else None


def _page_key() -> str:
    from marketplace.i18n import select_locale  # reason: i18n builds on the app; this module sits below it

    environ = request.environ  # the address as it came (building request.url costs more than the lookup)
    address = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
               environ.get("SCRIPT_NAME"), environ.get("PATH_INFO"), environ.get("QUERY_STRING"))
    return "p:" + _key(address, select_locale(), today_vn(), versions().key(PAGES))


@dataclass
class StoredPage:
    body: bytes  # the HTML, with the CSRF placeholder where the visitor's token goes
    content_type: str
    etag: str
    #: When the entry was made: the page cannot have changed later (a change makes a new key).
    last_modified: datetime


def _install_page_hooks(app: Flask) -> None:
    @app.before_request
    def answer_from_cache():
        if not _is_page_view() or not enabled():
            return None
        visitor = _visitor()
        if visitor is None or sees_uncommitted_changes():
            return None
        key = _page_key()
        state = _state()
        stored = store.get(key)
        if visitor == "member":
            if stored is None:
                stored = _draw_for_guests(key)
            if stored is None:
                return None  # drawn for them as usual, never kept
            state["key"], state["member"] = key, True
            _read_only_statements()
            response = Response(_personalise(stored.body.decode()), content_type=stored.content_type)
            response.headers["Cache-Control"] = "private, no-cache"
            return response
        state["key"] = key
        if stored is None:
            return None
        state["hit"] = True
        response = Response(stored.body, content_type=stored.content_type)
        response.set_etag(stored.etag)
        response.last_modified = stored.last_modified
        return response

    @app.after_request
    def keep_and_finish(response: Response) -> Response:
        state = _state()
        key = state.get("key")
        if not key:
            return response
        if state.get("member"):
            _fill_token(response, etag=False)
            return response
        if not state.get("hit") and _storable(response):
            body = response.get_data()
            stored = StoredPage(body, response.content_type,
                                hashlib.blake2b(body, digest_size=12).hexdigest(), utcnow().replace(microsecond=0))
            store.set(key, stored)
            response.set_etag(stored.etag)
            response.last_modified = stored.last_modified
        elif not state.get("hit"):
            return response
        _fill_token(response)
        response.headers["Cache-Control"] = "private, no-cache" if "csrf_token" in session else "public, no-cache"
        response.vary.add("Cookie")
        return response.make_conditional(request)


def _read_only_statements() -> None:
    """A member's page from the cache reads one row (the member and their facts) and writes nothing: on
    PostgreSQL, read it outside a transaction, sparing the BEGIN and ROLLBACK round trips (on this request's
    connection only; the pool restores its isolation level when it is returned)."""
    session = db.session()
    bind = session.get_bind()
    # Only on a connection of the pool's own (a session bound to a connection already in a transaction, as in
    # the tests, keeps that transaction).
    if not session.in_transaction() and isinstance(bind, sa.Engine) and bind.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _storable(response: Response) -> bool:
    return (response.status_code == 200 and response.mimetype == "text/html" and not response.direct_passthrough
            and "Set-Cookie" not in response.headers and not _state().get("skip")
            and set(session.keys()) <= SHAREABLE_SESSION_KEYS and not sees_uncommitted_changes())


#: Signed CSRF tokens by the session's raw token: with WTF_CSRF_TIME_LIMIT = None a signature never expires,
#: so a returning visitor's token is signed once per process instead of on every page.
_signed_tokens: OrderedDict[str, str] = OrderedDict()
_SIGNED_TOKENS_KEPT = 10_000


def _visitor_token() -> str:
    raw = session.get("csrf_token")
    if not raw or current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    token = _signed_tokens.get(raw)
    if token is None:
        token = _signed_tokens[raw] = generate_csrf()
        if len(_signed_tokens) > _SIGNED_TOKENS_KEPT:
            _signed_tokens.popitem(last=False)
    return token


def _fill_token(response: Response, etag: bool = True) -> None:
    """Put the visitor's own CSRF token where the page has the placeholder; the ETag then names that token."""
    body = response.get_data()
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder not in body:
        return
    token = _visitor_token()
    response.set_data(body.replace(placeholder, token.encode()))
    if not etag:
        return
    etag, _ = response.get_etag()
    raw = session.get("csrf_token", "")
    response.set_etag(f"{etag}-{hashlib.blake2b(raw.encode(), digest_size=6).hexdigest()}")


# --- the personal parts of a guests' page, for a signed-in visitor ---------------------------------------

_HEADER_NAV = re.compile(r'<nav class="header-nav".*?</nav>', re.S)
_ASK = re.compile(r"<!--ocop:ask-->.*?<!--/ocop:ask-->", re.S)
_FOLLOW = re.compile(r"<!--ocop:follow:(\d+)-->.*?<!--/ocop:follow-->", re.S)
_HEART = re.compile(r'<form method="post" action="[^"]*/saved/(\d+)" class="heart-form.*?</form>', re.S)


def _personalise(page: str) -> str:
    """The guests' page with the personal parts drawn for the signed-in visitor."""
    context: dict = {}
    current_app.update_template_context(context)  # once for every part (render_template would do it per part)

    def draw(name: str, **values) -> str:
        return current_app.jinja_env.get_template(name).render({**context, **values})

    page = _HEADER_NAV.sub(lambda _match: _member_nav(context, draw), page, count=1)
    page = _ASK.sub(lambda _match: "<!--ocop:ask-->" + draw(
        "questions/_ask.html", product=SimpleNamespace(slug=(request.view_args or {}).get("slug", ""))
    ) + "<!--/ocop:ask-->", page, count=1)
    page = _FOLLOW.sub(lambda match: f"<!--ocop:follow:{match.group(1)}-->" + draw(
        "wishlists/_follow.html", producer=SimpleNamespace(id=int(match.group(1)))) + "<!--/ocop:follow-->", page)
    if _HEART.search(page):
        saved = current_app.jinja_env.globals["heart_state"]().saved
        if saved:
            words = {"saved": str(escape(gettext("Saved")))}
            page = _HEART.sub(lambda match: _as_saved(match.group(0), words) if int(match.group(1)) in saved
                              else match.group(0), page)
    return page


#: A member's header menu by what it shows (templates/_header_nav.html), drawn once per process for each.
_member_navs: OrderedDict[tuple, str] = OrderedDict()
_MEMBER_NAVS_KEPT = 2_000


def _member_nav(context: dict, draw: Callable) -> str:
    """The header menu of a signed-in member, drawn once for each thing it can show: the language, their name,
    their back-office links (decided by the policies, asked every time), their cart's units. Whatever else
    the menu shows is the same for every member (their CSRF token is the placeholder here). A new personal
    item in templates/_header_nav.html (or the parts it includes) must be added to this key."""

    user = context["current_user"]
    key = (current_app.extensions["ocop_cache"]["release"], str(get_locale()), user.full_name,
           tuple(current_app.jinja_env.globals["account_menu_links"]()), context["cart_count"]())
    nav = _member_navs.get(key)
    if nav is None:
        nav = _member_navs[key] = draw("_header_nav.html")
        if len(_member_navs) > _MEMBER_NAVS_KEPT:
            _member_navs.popitem(last=False)
    return nav


def _as_saved(form: str, words: dict) -> str:
    """A guest's heart form (not saved) as the visitor's saved one: the same changes the template makes."""
    remove_label = re.search(r'data-label-remove="([^"]*)"', form).group(1)
    form = form.replace('name="action" value="add"', 'name="action" value="remove"', 1)
    form = form.replace('aria-pressed="false"', 'aria-pressed="true"', 1)
    form = re.sub(r' aria-label="[^"]*"', f' aria-label="{remove_label}"', form, count=1)
    form = re.sub(r' title="[^"]*"', f' title="{words["saved"]}"', form, count=1)
    return re.sub(r'(<span class="heart-text" data-text-add="[^"]*" data-text-remove="([^"]*)">)[^<]*</span>',
                  lambda match: f"{match.group(1)}{match.group(2)}</span>", form, count=1)
