import pytest


@pytest.fixture(autouse=True)
def _english(english_request_context):
    """Every test here runs in an English request context (see tests/fixtures/app.py)."""
    yield
