"""The one back-office layout: its menu follows the user's role, and every back-office page extends it."""

import re
from pathlib import Path

from marketplace.accounts.models import Role
from tests.factories import make_producer, make_user

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _menu(page: str) -> str:
    return page.split('class="manage-nav"', 1)[1].split("</nav>", 1)[0]


def test_a_producer_member_sees_its_shop_screens(client, login_as):
    """Dashboard to members, with the page being shown marked as current; nothing of the program office."""
    producer = make_producer("HTX Chè Tân Cương")
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    menu = _menu(client.get("/manage/orders?lang=en").get_data(as_text=True))
    for label in ("Dashboard", "Products", "Sales figures", "Statements", "Shop profile", "Members"):
        assert f">{label}</a>" in menu
    assert 'href="/manage/orders" aria-current="page">Orders</a>' in menu
    assert "/admin" not in menu


def test_the_program_office_sees_its_screens_and_those_of_the_producer_in_view(client, login_as):
    """Admin links everywhere; on a page about one producer, that producer's screens carry ?producer=<id>."""
    producer = make_producer("HTX Nước mắm Cát Hải")
    login_as(make_user(role=Role.ADMIN))
    menu = _menu(client.get("/admin/?lang=en").get_data(as_text=True))
    assert 'aria-current="page">Administration</a>' in menu and ">Bank transfers</a>" in menu
    assert "HTX Nước mắm Cát Hải" not in menu and "Dashboard" not in menu
    menu = _menu(client.get(f"/manage/orders?producer={producer.id}&lang=en").get_data(as_text=True))
    assert "HTX Nước mắm Cát Hải" in menu
    assert f'href="/manage/figures?producer={producer.id}">Sales figures</a>' in menu
    assert f'href="/manage/orders?producer={producer.id}" aria-current="page">Orders</a>' in menu
    assert menu.count('aria-current="page"') == 1


def test_back_office_templates_extend_the_one_layout_plainly():
    """No template picks its parent by role, and no page nests blocks to fit two layouts."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        extends = re.findall(r"\{%-?\s*extends\s+(.*?)-?%\}", text)
        for target in extends:
            assert "current_user" not in target and " if " not in target, path
        if any("backoffice/_layout.html" in target for target in extends):
            assert "{% block backoffice %}" in text and "self.page()" not in text, path
    assert not (TEMPLATES / "admin" / "_layout.html").exists()
    assert not (TEMPLATES / "producers" / "manage" / "_layout.html").exists()


def test_every_blueprint_follows_the_naming_scheme(app):
    """<pkg> in <pkg>/views.py, <pkg>_manage in views_manage.py, <pkg>_admin in views_admin.py; the office's
    home is the admin package's views_admin.py (blueprint `admin`). `api-docs` is flask-smorest's own blueprint
    serving the JSON API's OpenAPI document (marketplace.api.openapi); `api_read` is the API's public reads
    (views_read.py), a blueprint apart from the till's `api` because that one authenticates every request."""
    for name, blueprint in app.blueprints.items():
        if name == "api-docs":
            assert blueprint.import_name.startswith("flask_smorest"), name
            continue
        package, _, audience = name.partition("_")
        if name == "admin":
            expected = "marketplace.admin.views_admin"
        else:
            expected = f"marketplace.{package}.views" + (f"_{audience}" if audience else "")
        assert blueprint.import_name == expected, name
        assert audience in ("", "manage", "admin") or name == "api_read", name
