"""Languages: Vietnamese by default, English complete.

Message ids are English. Vietnamese translations live in translations/vi/LC_MESSAGES/<area>.po, one
catalogue per area of the marketplace (core, catalog, accounts, ...), all loaded together as Flask-Babel
domains. `python -m marketplace.i18n compile` compiles them (make does it before run and test).
"""

import sys
from datetime import date, datetime
from pathlib import Path

from babel import localedata
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, has_request_context, request
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import get_domain, get_locale, get_translations, refresh

from marketplace.extensions import babel

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LANGUAGE_COOKIE = "lang"
SUPPORTED = ("vi", "en")


def domains() -> list[str]:
    """The translation catalogues present for Vietnamese (their file names without .po)."""
    folder = TRANSLATIONS / "vi" / "LC_MESSAGES"
    found = sorted(path.stem for path in folder.glob("*.po"))
    return found or ["messages"]


def select_locale() -> str:
    """?lang= wins (and is remembered in a cookie), then the cookie, then Vietnamese (also outside requests)."""
    if not has_request_context():
        return "vi"
    asked = request.args.get("lang")
    if asked in SUPPORTED:
        g.set_language_cookie = asked
        return asked
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in SUPPORTED:
        return remembered
    return "vi"


def current_language() -> str:
    """'vi' or 'en' for the current request."""
    locale = get_locale()
    return locale.language if locale else "vi"


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy, the way dates are written in Vietnam (used in both languages)."""
    if value is None:
        return ""
    return babel_format_date(value, "dd/MM/yyyy")


def format_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:mm in Vietnam's time zone."""
    if value is None:
        return ""
    return babel_format_datetime(value, "dd/MM/yyyy HH:mm")


class FormMessages:
    """WTForms' built-in messages ("This field is required.", ...) read from our own catalogues.

    Flask-WTF's i18n (WTF_I18N_ENABLED, on by default) looks the messages up in WTForms' bundled
    catalogues, which have no Vietnamese: it caches what it loaded on `request.wtforms_translations`, so
    giving it this object there makes every form, present and future, use the Vietnamese in core.po.
    WTForms formats the %(min)d placeholders itself, so these return the message unformatted.
    """

    def ugettext(self, string: str) -> str:
        return get_domain().get_translations().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return get_domain().get_translations().ungettext(singular, plural, n)


FORM_MESSAGES = FormMessages()


class TemplateCatalogues:
    """The translations templates read, found once per process and locale instead of once per string.

    Flask-Babel's own template gettext asks for the domain, the locale and the merged catalogue of its
    twenty areas on every call: a catalogue page with 24 cards made some 160 such calls. The catalogue of a
    locale never changes while the process runs (Flask-Babel keeps it forever too), so each is kept here by
    locale; the locale is still read on every call, so a mail drawn under force_locale() is translated into
    its reader's language.
    """

    def __init__(self):
        self._by_locale: dict = {}

    def current(self):
        locale = get_locale()
        try:
            return self._by_locale[locale]
        except KeyError:
            translations = get_translations()
            if locale is not None:  # outside a request Flask-Babel answers with a throw-away null catalogue
                self._by_locale[locale] = translations
            return translations

    def gettext(self, string: str) -> str:
        return self.current().ugettext(string)

    def ngettext(self, singular: str, plural: str, num: int) -> str:
        return self.current().ungettext(singular, plural, num)

    def pgettext(self, context: str, string: str) -> str:
        return self.current().upgettext(context, string)

    def npgettext(self, context: str, singular: str, plural: str, num: int) -> str:
        return self.current().unpgettext(context, singular, plural, num)


def init_app(app: Flask) -> None:
    """Wire Flask-Babel with the locale selector, the language cookie and the template helpers."""
    names = domains()
    app.config["BABEL_DOMAIN"] = ";".join(names)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join([str(TRANSLATIONS)] * len(names))
    # Babel reads a language's CLDR data (dates, numbers) on first use: read it here, at start-up.
    for language in SUPPORTED:
        localedata.load(language)
    babel.init_app(app, locale_selector=select_locale)
    # The same gettext as Flask-Babel's in templates (new-style: autoescaped, formatted with keywords), with
    # each locale's catalogue found once.
    catalogues = TemplateCatalogues()
    app.jinja_env.install_gettext_callables(
        gettext=catalogues.gettext, ngettext=catalogues.ngettext, newstyle=True,
        pgettext=catalogues.pgettext, npgettext=catalogues.npgettext)

    @app.before_request
    def choose_language_afresh():
        # The choice is per request; an app context reused across requests (tests, CLI) must not keep it.
        refresh()
        request.wtforms_translations = FORM_MESSAGES

    @app.after_request
    def remember_language(response):
        chosen = g.pop("set_language_cookie", None)
        if chosen:
            response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response

    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.globals["current_language"] = current_language


def compile_catalogues() -> int:
    """Compile every translations/<lang>/LC_MESSAGES/*.po into .mo; return how many were written."""
    written = 0
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name, domain=po_path.stem)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written += 1
    return written


def extract_messages() -> dict[str, list[str]]:
    """Every translatable message id in the code and templates, with where it was found."""
    # reason: developer command only; keeps the extractor out of the app's start-up
    from babel.messages.extract import extract_from_dir

    method_map = [("marketplace/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    options = {"templates/**.html": {"trimmed": "true"}, "templates/**.txt": {"trimmed": "true"}}
    found: dict[str, list[str]] = {}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
                "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map=options, keywords=keywords
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                key = f"{context}|{msgid}" if context else msgid
                found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def missing_translations(language: str = "vi") -> dict[str, list[str]]:
    """Message ids used somewhere but without a translation in any catalogue of that language."""
    translated: set[str] = set()
    for po_path in (TRANSLATIONS / language / "LC_MESSAGES").glob("*.po"):
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.id and all(strings) and not message.fuzzy:
                translated.update(f"{message.context}|{msgid}" if message.context else msgid for msgid in ids)
    return {msgid: where for msgid, where in extract_messages().items() if msgid not in translated}


if __name__ == "__main__":
    command = sys.argv[1:]
    if command == ["compile"]:
        print(f"compiled {compile_catalogues()} translation catalogue(s)")
    elif command == ["missing"]:
        for msgid, where in sorted(missing_translations().items()):
            print(f"{where[0]}\t{msgid!r}")
    else:
        sys.exit("usage: python -m marketplace.i18n compile|missing")
