"""A suspended producer's members keep reading their past business, and nothing else, under /manage."""

import re

import pytest

from marketplace.accounts.models import Role
from marketplace.backoffice import SUSPENDED_READ_ONLY
from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from marketplace.producers.models import VerificationStatus
from tests.factories import make_producer, make_product, make_user


def _manage_rules(app):
    """(method, URL with made-up ids, endpoint) for every route of a *_manage blueprint."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.split(".")[0].endswith("_manage"):
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: {"fmt": "csv", "table": "products", "token": "x"}.get(
            m.group(1), "999999"), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url, rule.endpoint))
    return found


def _read_only(method, endpoint) -> bool:
    return method == "GET" and endpoint.startswith(SUSPENDED_READ_ONLY)


@pytest.fixture
def suspended(login_as):
    producer = make_producer("HTX Tạm Ngừng")
    product = make_product(producer=producer, status=ProductStatus.ACTIVE)
    producer.verification_status = VerificationStatus.SUSPENDED
    db.session.flush()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    return producer, product


def test_every_action_and_editing_page_is_refused_with_an_explanation(app, client, suspended):
    producer, product = suspended
    checked = 0
    for method, url, endpoint in _manage_rules(app):
        if endpoint in ("producers_manage.join", "producers_manage.join_finish",
                        "producers_manage.invitation_accept"):
            continue  # for visitors without an account (a signed-in member is sent elsewhere)
        url = url.replace("999999", str(product.id), 1) if "product_id" in url or "/products/" in url else url
        response = client.open(url + "?lang=en", method=method, data={})
        if _read_only(method, endpoint):
            assert response.status_code in (200, 404), (method, url)
        else:
            assert response.status_code == 403, (method, url, response.status_code)
            assert "Your shop is suspended" in response.get_data(as_text=True)
            checked += 1
    assert checked > 15
    assert product.status == ProductStatus.ACTIVE


@pytest.mark.parametrize("url", ["/manage/", "/manage/orders", "/manage/statements", "/manage/figures",
                                 "/manage/figures/export/products.csv"])
def test_past_orders_statements_and_figures_stay_readable(client, suspended, url):
    assert client.get(url).status_code == 200


def test_members_of_a_shop_in_good_standing_are_not_affected(client, login_as):
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    for url in ("/manage/products/new", "/manage/profile", "/manage/members", "/manage/details"):
        assert client.get(url).status_code == 200, url


def test_lifting_the_suspension_opens_the_back_office_again(client, suspended):
    producer, _product = suspended
    assert client.get("/manage/profile").status_code == 403
    producer.verification_status = VerificationStatus.VERIFIED
    db.session.flush()
    assert client.get("/manage/profile").status_code == 200
