"""Bad input is the client's mistake: a NUL byte anywhere is 400, an id beyond 64 bits is 404 or 400, never a
503 that tells the client to come back later."""

import pytest

from marketplace.accounts.models import Role
from tests.factories import make_producer, make_product, make_user

HUGE = "99999999999999999999999999999"  # 29 digits: more than a signed 64-bit integer holds


@pytest.mark.parametrize("path", ["/verify/a%00b", "/products/a%00b", "/shops/a%00b", "/products?q=a%00b",
                                  "/search?q=%00", "/products?a%00=1", "/accounts/login?next=/%00",
                                  "/no-such-page%00"])
def test_a_nul_byte_in_the_path_or_query_is_400(client, path):
    response = client.get(path)
    assert response.status_code == 400, path
    assert "Retry-After" not in response.headers


@pytest.mark.parametrize("path, field", [
    ("/accounts/login", "email"), ("/accounts/login", "password"), ("/accounts/signup", "full_name"),
    ("/accounts/password/reset", "email"), ("/cart/add", "product_id"), ("/cart/update", "quantity"),
])
def test_a_nul_byte_in_a_form_field_is_400(client, path, field):
    data = {"email": "lan@example.test", "password": "một mật khẩu dài", "full_name": "Lan",
            "product_id": "1", "quantity": "1"}
    data[field] = "a\x00b"
    response = client.post(path, data=data)
    assert response.status_code == 400, (path, field)


def test_a_nul_byte_in_a_signed_in_form_is_400(client, login_as):
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    response = client.post("/manage/profile", data={"description": "Chè\x00ngon"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", [f"/admin/producers/{HUGE}", f"/admin/certificates/{HUGE}",
                                  f"/admin/statements/{HUGE}", "/admin/producers/9223372036854775808",
                                  "/admin/producers/9223372036854775807", "/admin/producers/2147483648"])
def test_ids_beyond_64_bits_in_admin_routes_are_404(client, login_as, path):
    login_as(make_user(role=Role.ADMIN))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [f"/manage/orders/{HUGE}", f"/manage/products/{HUGE}/edit",
                                  f"/manage/statements/{HUGE}", f"/manage/products/1/certificates/{HUGE}/scan"])
def test_ids_beyond_64_bits_in_back_office_routes_are_404(client, login_as, path):
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    assert client.get(path).status_code == 404


def test_the_largest_id_is_still_an_id(client, login_as):
    """Ids are INTEGER columns: 2**31 - 1 reaches the view and the database (and simply does not exist);
    one more is refused by the route, on PostgreSQL too (which would answer "integer out of range")."""
    login_as(make_user(role=Role.ADMIN))
    assert client.get("/admin/producers/2147483647").status_code == 404
    assert client.get(f"/admin/producers/{2**31}").status_code == 404


@pytest.mark.parametrize("path", [f"/products?page={HUGE}", f"/products?province={HUGE}",
                                  f"/products?stars={HUGE}", f"/checkout/wards?province={HUGE}"])
def test_huge_numbers_in_query_strings_are_never_an_outage(client, path):
    response = client.get(path)
    assert response.status_code < 500, path
    assert "Retry-After" not in response.headers


def test_huge_numbers_in_back_office_query_strings_are_never_an_outage(client, login_as):
    make_product()
    login_as(make_user(role=Role.ADMIN))
    for path in (f"/manage/orders?producer={HUGE}", f"/manage/statements?producer={HUGE}",
                 f"/manage/figures?producer={HUGE}", f"/admin/statements?producer={HUGE}"):
        response = client.get(path)
        assert response.status_code in (200, 302, 400, 404), path



BEYOND_ID = str(2**40)  # fits a BIGINT, not an INTEGER id column (PostgreSQL: "integer out of range")


def test_ids_beyond_the_id_column_in_forms_and_query_strings_are_never_a_server_error(client, login_as):
    """An id that no INTEGER column can hold is refused like any unknown id, on PostgreSQL too."""
    product = make_product(stock=5)
    for path, data in (("/cart/add", {"product_id": BEYOND_ID, "quantity": "1"}),
                       ("/cart/update", {"product_id": BEYOND_ID, "quantity": "1"}),
                       ("/cart/remove", {"product_id": BEYOND_ID})):
        response = client.post(path, data=data)
        assert response.status_code < 500, (path, response.status_code)
    client.post("/cart/add", data={"product_id": str(product.id), "quantity": "1"})
    login_as(make_user(role=Role.ADMIN))
    for path in (f"/manage/orders?producer={BEYOND_ID}", f"/manage/statements?producer={BEYOND_ID}",
                 f"/manage/figures?producer={BEYOND_ID}", f"/admin/statements?producer={BEYOND_ID}",
                 f"/manage/products/?producer={BEYOND_ID}"):
        response = client.get(path)
        assert response.status_code in (200, 302, 400, 404), (path, response.status_code)
