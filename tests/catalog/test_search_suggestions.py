"""Search-box suggestions are one SQL statement, and always as fresh as the catalogue: a product published,
archived, or whose producer is suspended or approved, shows or goes on the very next request (issue 15).
Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.catalog.models import ProductStatus
from marketplace.catalog.products import change_product_status
from marketplace.catalog.services import index_product
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.producers.verification import approve_producer, suspend_producer
from tests.factories import make_producer, make_product, make_user


def suggested(client, q: str) -> list[str]:
    response = client.get("/search/suggest", query_string={"q": q})
    assert response.status_code == 200
    return [item["name"] for item in response.get_json()["suggestions"]]


@pytest.fixture
def honey(app):
    producer = make_producer("Hợp tác xã Ong Bạc Hà", slug="htx-ong-bac-ha")
    return make_product("Mật ong bạc hà Đồng Văn", producer=producer, slug="mat-ong-dong-van")


def test_a_suggestion_is_one_sql_statement(client, honey):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    suggested(client, "mat o")  # the first request may load what the app reads once
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert suggested(client, "mat o") == ["Mật ong bạc hà Đồng Văn"]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len([statement for statement in statements if "products" in statement]) == 1


def test_a_published_product_is_suggested_on_the_next_request(client):
    producer = make_producer("Hợp tác xã Gốm Chu Đậu", slug="htx-gom-chu-dau")
    vase = make_product("Bình gốm Chu Đậu", producer=producer, status=ProductStatus.DRAFT, slug="binh-gom")
    assert suggested(client, "binh gom") == []
    change_product_status(vase, ProductStatus.ACTIVE, actor=None)
    assert suggested(client, "binh gom") == ["Bình gốm Chu Đậu"]


def test_an_archived_product_leaves_the_suggestions_on_the_next_request(client, honey):
    assert suggested(client, "mat ong") == ["Mật ong bạc hà Đồng Văn"]
    change_product_status(honey, ProductStatus.ARCHIVED, actor=None, reason="out of season")
    assert suggested(client, "mat ong") == []
    change_product_status(honey, ProductStatus.ACTIVE, actor=None)
    assert suggested(client, "mat ong") == ["Mật ong bạc hà Đồng Văn"]


def test_a_suspended_producer_leaves_the_suggestions_and_comes_back_when_approved(client, honey):
    admin = make_user(role=Role.ADMIN)
    assert suggested(client, "ong bac") == ["Mật ong bạc hà Đồng Văn"]
    suspend_producer(honey.producer, actor=admin, reason="Giấy chứng nhận cần kiểm tra lại")
    assert suggested(client, "ong bac") == []
    approve_producer(honey.producer, actor=admin)
    assert suggested(client, "ong bac") == ["Mật ong bạc hà Đồng Văn"]


def test_an_expired_certificate_is_never_suggested(client, honey):
    honey.certified_until = today_vn() - timedelta(days=1)
    db.session.flush()
    assert suggested(client, "mat ong") == []


def test_a_renamed_product_is_suggested_by_its_new_name(client, honey):
    honey.name = "Mật ong hoa cà phê"
    index_product(honey)
    db.session.flush()
    assert suggested(client, "dong van") == []
    assert suggested(client, "hoa ca phe") == ["Mật ong hoa cà phê"]
