import pytest
from flask import has_request_context


@pytest.fixture(autouse=True)
def locale_outside_requests(app, monkeypatch):
    """Services called directly by a test format their messages in Vietnamese, as the CLI does."""
    config = app.extensions["babel"]
    original = config.locale_selector
    monkeypatch.setattr(config, "locale_selector", lambda: original() if has_request_context() else "vi")
