"""The admin's till-token screen: a new token is shown once and stored hashed; revoking stops it at once."""

import hashlib

import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.api.models import TillToken
from marketplace.extensions import db
from tests.factories import make_user
from tests.showrooms.helpers import make_showroom


def _secret_in(page: str) -> str:
    start = page.index('<code class="till-token">') + len('<code class="till-token">')
    return page[start:page.index("</code>", start)]


def test_an_admin_creates_a_token_shown_once_and_revokes_it(client, login_as, app):
    showroom = make_showroom()
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    login_as(admin)
    url = f"/admin/showrooms/{showroom.id}/tokens"
    assert client.get(url).status_code == 200
    created = client.post(url, data={"name": "Quầy 1"})
    assert created.status_code == 200
    page = created.get_data(as_text=True)
    secret = _secret_in(page)
    assert secret.startswith("ocop_till_") and len(secret) > 40
    assert created.headers["Cache-Control"] == "no-store"
    row = db.session.scalars(sa.select(TillToken)).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in row.token_hash
    assert (row.name, row.created_by_id, row.showroom_id, row.revoked_at) == ("Quầy 1", admin.id, showroom.id, None)
    again = client.get(url).get_data(as_text=True)
    assert secret not in again and "Quầy 1" in again
    sale = {"sale_id": "till-sale-0001", "occurred_at": "2026-12-01T09:30:00+07:00", "payment_method": "card",
            "lines": [{"sku": "NONE", "quantity": 1, "unit_price": 1}]}
    assert client.post("/api/v1/showroom-sales", json=sale,
                       headers={"Authorization": f"Bearer {secret}"}).status_code == 404
    revoked = client.post(f"{url}/{row.id}/revoke", follow_redirects=True)
    assert revoked.status_code == 200
    db.session.refresh(row)
    assert row.revoked_at is not None
    assert client.post("/api/v1/showroom-sales", json=sale,
                       headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_token_needs_a_name_and_belongs_to_its_showroom(client, login_as, app):
    showroom, other = make_showroom(), make_showroom()
    login_as(make_user(role=Role.ADMIN))
    url = f"/admin/showrooms/{showroom.id}/tokens"
    assert client.post(url, data={"name": "  "}).status_code == 400
    assert client.post(url, data={"name": "x" * 81}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TillToken)) == 0
    client.post(url, data={"name": "Quầy 1"})
    row = db.session.scalars(sa.select(TillToken)).one()
    assert client.post(f"/admin/showrooms/{other.id}/tokens/{row.id}/revoke").status_code == 404
    assert client.post("/admin/showrooms/999999/tokens").status_code == 404
    db.session.refresh(row)
    assert row.revoked_at is None


def test_only_admins_see_the_token_screen(client, login_as, app):
    showroom = make_showroom()
    login_as(make_user(role=Role.SHOWROOM_STAFF, location_id=showroom.location_id))
    assert client.get(f"/admin/showrooms/{showroom.id}/tokens").status_code == 403
    assert client.post(f"/admin/showrooms/{showroom.id}/tokens", data={"name": "x"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TillToken)) == 0
