import pytest


@pytest.fixture(autouse=True)
def request_context(app):
    """Services translate their messages, which needs a request (for the language) even outside views."""
    with app.test_request_context("/?lang=en"):
        yield
