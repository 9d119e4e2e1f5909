import pytest

from tests.catalog.sample import build_catalogue


@pytest.fixture
def catalogue(app):
    """Six public products and three hidden ones (unverified producer, draft, expired certificate)."""
    return build_catalogue()
