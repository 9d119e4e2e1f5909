import pytest
from flask_babel import get_locale, refresh


@pytest.fixture(autouse=True)
def request_context(app):
    """Services translate their messages, which needs a request; English pinned for the whole test.

    Flask-Babel caches the locale on the application context, which the test client's requests share
    with this test, so the first language chosen would otherwise stick to every later request.
    """
    with app.test_request_context("/?lang=en"):
        refresh()
        get_locale()
        yield
