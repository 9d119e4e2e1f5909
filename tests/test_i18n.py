"""Every user-facing string has a Vietnamese translation; formatting is the Vietnamese way."""

from datetime import UTC, date, datetime

import pytest

from marketplace import i18n
from marketplace.money import InvalidAmount, format_vnd, parse_vnd


def test_every_message_is_translated_to_vietnamese():
    """No string in the code or templates is left untranslated (English is the source language)."""
    missing = i18n.missing_translations("vi")
    assert not missing, "untranslated: " + "; ".join(f"{msgid!r} ({where[0]})" for msgid, where in list(missing.items())[:20])


def test_vnd_is_formatted_the_vietnamese_way():
    """125000 shows as 125.000 ₫ with a no-break space."""
    assert format_vnd(125000) == "125.000\xa0₫"
    assert format_vnd(1250000) == "1.250.000\xa0₫"
    assert format_vnd(0) == "0\xa0₫"
    assert format_vnd(-125000) == "-125.000\xa0₫"


def test_vnd_formatting_agrees_with_babel():
    """The fast formatter gives exactly Babel's Vietnamese grouping for amounts of every size."""
    from babel.numbers import format_decimal

    for amount in (0, 5, 999, 1000, 125000, 1250000, 9_999_999_999, -1_500_000):
        assert format_vnd(amount) == format_decimal(amount, format="#,##0", locale="vi_VN") + "\xa0₫"


def test_vnd_parsing_accepts_grouping_and_refuses_decimals():
    """Typed amounts with dots, commas or the sign parse; decimals and negatives do not."""
    assert parse_vnd("125.000") == 125000
    assert parse_vnd("125.000 ₫") == 125000
    assert parse_vnd("125000") == 125000
    assert parse_vnd("125,000") == 125000
    assert parse_vnd("1.250.000\xa0₫") == 1250000
    assert parse_vnd(" 125000đ ") == 125000
    assert parse_vnd(125000) == 125000
    for bad in ("12,5", "-5", "1.5", "abc", "", "12.34.567", None, -5):
        with pytest.raises(InvalidAmount):
            parse_vnd(bad)


def test_dates_are_day_month_year(app):
    """Dates read dd/mm/yyyy in both languages."""
    for language in ("vi", "en"):
        with app.test_request_context(f"/?lang={language}"):
            assert i18n.format_date(date(2026, 3, 7)) == "07/03/2026"
            assert i18n.format_date(None) == ""


def test_times_are_shown_in_vietnam(app):
    """A stored UTC time reads in Vietnam's time zone (UTC+7), which may be the next day."""
    with app.test_request_context("/?lang=en"):
        assert i18n.format_datetime(datetime(2026, 3, 7, 18, 30, tzinfo=UTC)) == "08/03/2026 01:30"
        assert i18n.format_datetime(None) == ""


def test_language_switch_is_remembered(client):
    """?lang=en switches to English and a cookie keeps the choice on the next page."""
    response = client.get("/about/demo-data?lang=en")
    assert b"About the demo data" in response.data
    assert "lang=en" in response.headers.get("Set-Cookie", "")
    again = client.get("/about/demo-data")
    assert b"About the demo data" in again.data
    vietnamese = client.get("/about/demo-data?lang=vi")
    assert "Về dữ liệu minh họa" in vietnamese.get_data(as_text=True)


def test_vietnamese_is_the_default(client):
    """A first visit without any choice is in Vietnamese."""
    response = client.get("/about/demo-data")
    assert "Về dữ liệu minh họa" in response.get_data(as_text=True)
    assert '<html lang="vi">' in response.get_data(as_text=True)


def test_language_switch_returns_to_the_same_page(client):
    """The VI/EN link goes back to the page the visitor was on, in the chosen language."""
    response = client.get("/language/en?next=/products%3Fstars%3D4")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/products?stars=4&lang=en")


def test_language_switch_refuses_to_redirect_off_site(client):
    """A crafted next (another host, scheme, backslash or control character) lands on the home page instead."""
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/\r\nSet-Cookie:x=1"):
        response = client.get("/language/vi", query_string={"next": target})
        location = response.headers["Location"]
        assert "evil.example" not in location and "Set-Cookie" not in location, target
        assert location.split("?")[0] in ("/", "http://localhost/"), location
