"""The public certificate check: type a label's code; an unknown code is a warning about counterfeits."""

import pytest
import sqlalchemy as sa

from marketplace.catalog.models import Certificate
from marketplace.extensions import db
from tests.factories import make_product


def _certificate(product) -> Certificate:
    return db.session.scalar(sa.select(Certificate).where(Certificate.product_id == product.id))


def test_the_check_form_is_public_and_in_vietnamese(client):
    """/verify shows a form for the code, with no error before anything is typed."""
    response = client.get("/verify")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kiểm tra chứng nhận OCOP" in text and 'name="code"' in text and "KHÔNG CÓ TRONG SỔ ĐĂNG KÝ" not in text


def test_a_known_code_opens_its_certificate_and_product(client):
    """A typed code (spaces around it are fine) goes to the certificate's page, which names the product."""
    product = make_product("Trà hoa vàng Ba Chẽ")
    db.session.commit()
    code = _certificate(product).verification_code
    response = client.get("/verify", query_string={"code": f"  {code} "})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{code}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Trà hoa vàng Ba Chẽ" in page and "HỢP LỆ" in page


def test_a_pasted_verification_link_is_read_as_its_code(client):
    """Pasting the whole address printed in the QR code works too."""
    product = make_product()
    db.session.commit()
    code = _certificate(product).verification_code
    response = client.get("/verify", query_string={"code": f"https://ocop.example/verify/{code}"})
    assert response.headers["Location"].endswith(f"/verify/{code}")


@pytest.mark.parametrize("path", ["/verify?code=KHONGCO123", "/verify/KHONGCO123"])
def test_an_unknown_code_warns_of_counterfeits_instead_of_a_bare_404(client, path):
    """Typed or scanned, an unknown code says it is not in the registry and to beware of fakes (404, in Vietnamese)."""
    response = client.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "KHÔNG CÓ TRONG SỔ ĐĂNG KÝ" in text and "hàng giả" in text and "KHONGCO123" in text
    assert 'name="code"' in text


def test_an_unknown_code_in_english(client):
    """The English page says the same."""
    text = client.get("/verify/KHONGCO123?lang=en").get_data(as_text=True)
    assert "NOT IN THE REGISTRY" in text and "counterfeits" in text


def test_an_empty_code_asks_for_one(client):
    """Sending the form empty asks for the code printed under the QR code."""
    response = client.get("/verify?code=+")
    assert response.status_code == 400 and "Vui lòng nhập mã" in response.get_data(as_text=True)


def test_the_typed_code_is_escaped(client):
    """Whatever is typed is shown as text, never as markup."""
    text = client.get("/verify", query_string={"code": "<script>x</script>"}).get_data(as_text=True)
    assert "<script>x</script>" not in text and "&lt;script&gt;" in text


def test_the_footer_links_to_the_check(client):
    """Every page's footer leads to the certificate check."""
    assert 'href="/verify"' in client.get("/").get_data(as_text=True)
