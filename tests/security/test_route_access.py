"""Every route of the app has a written access rule, and each role gets what the rule says (issue 9).

ACCESS maps each URL rule (as app.url_map spells it) to the roles that may use it. A route missing from
the table fails `test_every_route_has_an_access_rule`: add the new route to ACCESS with its rule.

Each GET route is then requested as each role (made-up ids, tokens and slugs where the rule needs them):
- a role the rule lets in never gets 403 nor the login page (200, a redirect elsewhere, or 404 for a
  made-up id are all fine);
- a guest the rule keeps out is sent to the login page; a signed-in role the rule keeps out gets 403 (or
  404 where the page hides that the object exists).
POST routes are sent an empty form by every role the rule keeps out, with the same expectations.
"""

import re

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.stock.models import Location, LocationKind
from tests.factories import make_producer, make_user

GUEST, CONSUMER, PRODUCER, STAFF, ADMIN = "guest", "consumer", "producer member", "showroom staff", "admin"
ROLES = (GUEST, CONSUMER, PRODUCER, STAFF, ADMIN)

EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset({CONSUMER, PRODUCER, STAFF, ADMIN})
LISTING = frozenset({PRODUCER, STAFF, ADMIN})          # listings: members, staff on the producer's behalf, admins
MEMBERS_AND_ADMINS = frozenset({PRODUCER, ADMIN})
MEMBERS = frozenset({PRODUCER})
ASSISTANTS = frozenset({STAFF, ADMIN})
OFFICE = frozenset({ADMIN})

ACCESS: dict[str, frozenset[str]] = {
    # Public pages: the catalogue, shops, certificate checks, the cart, health and language.
    "/": EVERYONE,
    "/products": EVERYONE,
    "/products/<slug>": EVERYONE,
    "/search": EVERYONE,
    "/search/suggest": EVERYONE,
    "/shops/<slug>": EVERYONE,
    "/verify/<code>": EVERYONE,
    "/verify/<code>/qr.png": EVERYONE,
    "/verify/<code>/qr.svg": EVERYONE,
    # The certificate check form (an unknown code is a warning page, 404).
    "/verify": EVERYONE,
    "/about/demo-data": EVERYONE,
    "/about/ocop-stars": EVERYONE,
    "/about/contact": EVERYONE,
    "/about/returns": EVERYONE,
    "/about/privacy": EVERYONE,
    "/healthz": EVERYONE,
    "/language/<code>": EVERYONE,
    "/media/<path:key>": EVERYONE,
    "/static/<path:filename>": EVERYONE,
    "/cart": EVERYONE,
    "/cart/add": EVERYONE,
    "/cart/update": EVERYONE,
    "/cart/remove": EVERYONE,
    "/cart/voucher": EVERYONE,
    "/cart/voucher/remove": EVERYONE,
    "/checkout/wards": EVERYONE,
    # Buying without an account, and the guest order's signed link (a made-up token is 404 for everyone);
    # claiming a guest order into an account needs the account.
    "/checkout/guest": EVERYONE,
    "/orders/guest/<token>": EVERYONE,
    "/orders/guest/<token>/vietqr.png": EVERYONE,
    "/orders/guest/<token>/cancel": EVERYONE,
    "/orders/guest/<token>/claim": SIGNED_IN,
    "/showrooms": EVERYONE,
    "/lot/<code>": EVERYONE,
    "/products/<slug>/reviews": EVERYONE,
    # Asking a producer needs an account (the page is 404 for a made-up product).
    "/products/<slug>/questions": SIGNED_IN,
    # The demand board: requests are public (contact details inside only for verified producers and the
    # office); posting, answering and linkages need an account; offers come from producer members only.
    "/demand": EVERYONE,
    "/demand/<int:request_id>": EVERYONE,
    "/demand/new": SIGNED_IN,
    "/demand/mine": SIGNED_IN,
    "/demand/<int:request_id>/close": SIGNED_IN,
    "/demand/<int:request_id>/offers": SIGNED_IN,
    "/demand/<int:request_id>/offers/<int:offer_id>/accept": SIGNED_IN,
    "/demand/<int:request_id>/offers/<int:offer_id>/decline": SIGNED_IN,
    "/demand/<int:request_id>/offers/<int:offer_id>/withdraw": SIGNED_IN,
    "/demand/linkages/<int:linkage_id>": SIGNED_IN,
    "/demand/linkages/<int:linkage_id>/order": SIGNED_IN,
    "/campaigns/<slug>": EVERYONE,
    "/fairs": EVERYONE,
    "/fairs/<slug>": EVERYONE,
    "/fairs.ics": EVERYONE,
    # Accounts: the forms visitors use (signed-in users are sent on), then the signed-in pages.
    "/accounts/login": EVERYONE,
    "/accounts/logout": EVERYONE,
    "/accounts/signup": EVERYONE,
    "/accounts/signup/<token>": EVERYONE,
    "/accounts/password/reset": EVERYONE,
    "/accounts/password/reset/<token>": EVERYONE,
    "/accounts/": SIGNED_IN,
    "/accounts/password": SIGNED_IN,
    # A shopper's orders and payments (each order is its buyer's only: 404 for anyone else's).
    "/checkout": SIGNED_IN,
    "/orders": SIGNED_IN,
    "/orders/<number>": SIGNED_IN,
    "/orders/<number>/pay": SIGNED_IN,
    "/orders/<number>/cancel": SIGNED_IN,
    "/payments/pay/<number>": SIGNED_IN,
    "/payments/stripe/success": SIGNED_IN,
    "/payments/stripe/cancel/<number>": SIGNED_IN,
    "/payments/vietqr/<number>": SIGNED_IN,
    "/payments/vietqr/<number>.png": SIGNED_IN,
    "/payments/vnpay/return": SIGNED_IN,
    "/payments/momo/return": SIGNED_IN,
    # Shopper trust: a review of one's own delivered line (404 for anyone else's), one's own wishlist and follows.
    "/orders/<number>/review/<int:line_id>": SIGNED_IN,
    "/saved": SIGNED_IN,
    "/saved/<int:product_id>": SIGNED_IN,
    "/following": SIGNED_IN,
    "/following/<int:producer_id>": SIGNED_IN,
    "/questions": SIGNED_IN,
    # The JSON API: its document is public; a sale needs a till token, whatever the session
    # (test_the_till_api_ignores_the_session: every role without a token gets 401).
    "/api/v1/openapi.json": EVERYONE,
    "/api/v1/showroom-sales": EVERYONE,
    # The read API: public records only (tests/api/test_read_api.py), the same for every role and no session.
    "/api/v1/products": EVERYONE,
    "/api/v1/products/<slug>": EVERYONE,
    "/api/v1/producers": EVERYONE,
    "/api/v1/producers/<slug>": EVERYONE,
    "/api/v1/producers/<slug>/products": EVERYONE,
    "/api/v1/showrooms": EVERYONE,
    "/api/v1/showrooms/<slug>": EVERYONE,
    "/api/v1/certificates": EVERYONE,
    "/api/v1/certificates/<code>": EVERYONE,
    "/api/v1/campaigns": EVERYONE,
    "/api/v1/campaigns/<slug>": EVERYONE,
    "/api/v1/demand-requests": EVERYONE,
    "/api/v1/demand-requests/<int:request_id>": EVERYONE,
    # Stripe calls this one; the signature decides.
    "/payments/stripe/webhook": EVERYONE,
    # The e-wallet gateways call these; the signature decides.
    "/payments/vnpay/ipn": EVERYONE,
    "/payments/momo/ipn": EVERYONE,
    # Producer sign-up and invitations, for visitors.
    "/manage/join": EVERYONE,
    "/manage/join/<token>": EVERYONE,
    "/manage/invitations/<token>": EVERYONE,
    "/manage/showrooms/invitations/<token>": EVERYONE,
    # The producer's back office.
    "/manage/": LISTING,
    "/manage/assist": ASSISTANTS,
    "/manage/details": MEMBERS,
    "/manage/profile": MEMBERS,
    "/manage/members": MEMBERS,
    "/manage/orders": MEMBERS_AND_ADMINS,
    "/manage/orders/<int:producer_order_id>": MEMBERS_AND_ADMINS,
    "/manage/orders/<int:producer_order_id>/cancel": MEMBERS_AND_ADMINS,
    "/manage/orders/<int:producer_order_id>/confirm": MEMBERS_AND_ADMINS,
    "/manage/orders/<int:producer_order_id>/deliver": MEMBERS_AND_ADMINS,
    "/manage/orders/<int:producer_order_id>/ship": MEMBERS_AND_ADMINS,
    "/manage/statements": MEMBERS_AND_ADMINS,
    "/manage/statements/<int:statement_id>": MEMBERS_AND_ADMINS,
    "/manage/vouchers": MEMBERS_AND_ADMINS,
    "/manage/vouchers/new": MEMBERS_AND_ADMINS,
    "/manage/vouchers/<int:voucher_id>/status": MEMBERS_AND_ADMINS,
    "/manage/statements/<int:statement_id>.xlsx": MEMBERS_AND_ADMINS,
    "/manage/statements/showroom/<int:showroom_id>": ASSISTANTS,
    "/manage/statements/showroom/<int:showroom_id>/<int:statement_id>": ASSISTANTS,
    "/manage/statements/showroom/<int:showroom_id>/<int:statement_id>.xlsx": ASSISTANTS,
    "/manage/figures": MEMBERS_AND_ADMINS,
    "/manage/figures/export/<table>.<fmt>": MEMBERS_AND_ADMINS,
    "/manage/signals": MEMBERS_AND_ADMINS,
    "/manage/signals/export/<table>.<fmt>": MEMBERS_AND_ADMINS,
    "/manage/reviews": MEMBERS_AND_ADMINS,
    "/manage/reviews/<int:review_id>/reply": MEMBERS_AND_ADMINS,
    "/manage/questions": MEMBERS_AND_ADMINS,
    "/manage/questions/<int:question_id>/answer": MEMBERS_AND_ADMINS,
    "/manage/questions/<int:question_id>/publish": MEMBERS_AND_ADMINS,
    "/manage/questions/<int:question_id>/unpublish": MEMBERS_AND_ADMINS,
    "/manage/fairs": MEMBERS,
    "/manage/fairs/<int:fair_id>/signup": MEMBERS,
    "/manage/fairs/<int:fair_id>/withdraw": MEMBERS,
    "/manage/products/": LISTING,
    "/manage/products/new": LISTING,
    "/manage/products/<int:product_id>/edit": LISTING,
    "/manage/products/<int:product_id>/images": LISTING,
    "/manage/products/<int:product_id>/images/<int:image_id>/<action>": LISTING,
    "/manage/products/<int:product_id>/status": LISTING,
    "/manage/products/<int:product_id>/confirm": MEMBERS,
    "/manage/products/<int:product_id>/certificates": LISTING,
    "/manage/products/<int:product_id>/certificates/<int:certificate_id>/scan": LISTING,
    "/manage/products/<int:product_id>/stock": MEMBERS_AND_ADMINS,
    "/manage/products/import": MEMBERS_AND_ADMINS,
    "/manage/products/export.<fmt>": MEMBERS_AND_ADMINS,
    "/manage/products/template.<fmt>": MEMBERS_AND_ADMINS,
    # Showroom staff (their own showrooms only: 404 for another's; clerks get 403 for a manager's action)
    # and the program office; a producer member's consignments to showrooms.
    "/manage/showrooms": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/expiring": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/consignments": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/consignments/new": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/consignments/<int:consignment_id>": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/consignments/<int:consignment_id>/cancel": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/returns/new": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/count": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pos": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pos/lookup": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pos/sales": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pos/sales/<int:sale_id>": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pos/sales/<int:sale_id>/void": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pos/today": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pos/today.<fmt>": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/close": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pos/discarded": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pickups": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pickups/<int:producer_order_id>": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pickups/<int:producer_order_id>/ready": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pickups/<int:producer_order_id>/hand-over": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/pickups/<int:producer_order_id>/cancel": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/close/new": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/close/<int:close_id>": ASSISTANTS,
    "/manage/showrooms/<int:showroom_id>/close/<int:close_id>/correct": ASSISTANTS,
    "/manage/consignments": MEMBERS,
    "/manage/consignments/new": MEMBERS,
    "/manage/consignments/<int:consignment_id>": MEMBERS,
    "/manage/consignments/<int:consignment_id>/cancel": MEMBERS,
    "/manage/lots": MEMBERS,
    "/manage/lots/<code>/labels": MEMBERS,
    "/manage/demand": MEMBERS_AND_ADMINS,
    # The program office.
    "/admin/": OFFICE,
    "/admin/signals": OFFICE,
    "/admin/signals/export/<table>.<fmt>": OFFICE,
    "/admin/campaigns": OFFICE,
    "/admin/campaigns/new": OFFICE,
    "/admin/campaigns/<int:campaign_id>": OFFICE,
    "/admin/fairs": OFFICE,
    "/admin/fairs/new": OFFICE,
    "/admin/fairs/<int:fair_id>": OFFICE,
    "/admin/fairs/<int:fair_id>/participations/<int:participation_id>/<decision>": OFFICE,
    "/admin/producers": OFFICE,
    "/admin/producers/<int:producer_id>": OFFICE,
    "/admin/producers/<int:producer_id>/<decision>": OFFICE,
    "/admin/certificates": OFFICE,
    "/admin/certificates/<int:certificate_id>": OFFICE,
    "/admin/certificates/<int:certificate_id>/<decision>": OFFICE,
    "/admin/certificates/<int:certificate_id>/scan": OFFICE,
    "/admin/statements": OFFICE,
    "/admin/statements/new": OFFICE,
    "/admin/statements/<int:statement_id>": OFFICE,
    "/admin/statements/<int:statement_id>.xlsx": OFFICE,
    "/admin/statements/<int:statement_id>/paid": OFFICE,
    "/admin/statements/<int:statement_id>/void": OFFICE,
    "/admin/showrooms": OFFICE,
    "/admin/analytics": OFFICE,
    "/admin/analytics/provinces": OFFICE,
    "/admin/analytics/products": OFFICE,
    "/admin/analytics/targets": OFFICE,
    "/admin/analytics/export/<table>.<fmt>": OFFICE,
    "/admin/vouchers": OFFICE,
    "/admin/vouchers/new": OFFICE,
    "/admin/vouchers/<int:voucher_id>": OFFICE,
    "/admin/vouchers/<int:voucher_id>/status": OFFICE,
    "/admin/vouchers/<int:voucher_id>/edit": OFFICE,
    "/admin/showrooms/new": OFFICE,
    "/admin/showrooms/<int:showroom_id>": OFFICE,
    "/admin/showrooms/<int:showroom_id>/active": OFFICE,
    "/admin/showrooms/<int:showroom_id>/staff": OFFICE,
    "/admin/showrooms/<int:showroom_id>/staff/<int:user_id>/remove": OFFICE,
    "/admin/showrooms/<int:showroom_id>/tokens": OFFICE,
    "/admin/showrooms/<int:showroom_id>/tokens/<int:token_id>/revoke": OFFICE,
    "/admin/reviews": OFFICE,
    "/admin/reviews/<int:review_id>": OFFICE,
    "/admin/questions": OFFICE,
    "/admin/questions/<int:question_id>": OFFICE,
    "/admin/demand": OFFICE,
    "/admin/demand/<int:request_id>/hide": OFFICE,
    "/admin/demand/<int:request_id>/restore": OFFICE,
    "/admin/demand/linkages": OFFICE,
    "/payments/admin/bank-transfers": OFFICE,
    "/payments/admin/bank-transfers/import": OFFICE,
    "/payments/admin/bank-transfers/<number>/paid": OFFICE,
    "/payments/admin/wallet-refunds": OFFICE,
    "/payments/admin/wallet-refunds/<int:payment_id>/done": OFFICE,
}

#: Made-up values for URL arguments: ids no row has, tokens no one signed, a format and table that exist.
MADE_UP = {"slug": "no-such-thing", "code": "NOSUCHCODE", "number": "OC-0000-000000", "token": "not.a.token",
           "key": "products/none.jpg", "filename": "css/site.css", "fmt": "csv", "table": "products",
           "decision": "approve", "action": "delete"}
#: Arguments that make a page that exists (e.g. the language switch needs a real language).
REAL = {"/language/<code>": {"code": "en"}}


def _url(rule) -> str:
    values = {name: MADE_UP.get(name, 999999) for name in rule.arguments}
    values.update(REAL.get(rule.rule, {}))
    text = rule.rule
    for name, value in values.items():
        text = re.sub(r"<(?:[^:>]+:)?" + re.escape(name) + ">", str(value), text)
    return text


@pytest.fixture
def clients(app, login_as):
    """One test client per role, each signed in as a fresh user of that role."""
    showroom = Location(kind=LocationKind.SHOWROOM, name="Điểm OCOP Thử")
    db.session.add(showroom)
    db.session.flush()
    users = {CONSUMER: make_user(), PRODUCER: make_user(role=Role.PRODUCER, producer=make_producer()),
             STAFF: make_user(role=Role.SHOWROOM_STAFF, location_id=showroom.id), ADMIN: make_user(role=Role.ADMIN)}
    result = {GUEST: app.test_client()}
    for role, user in users.items():
        result[role] = login_as(user, app.test_client())
    return result


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login" in response.headers.get("Location", "")


def _check(role: str, allowed: frozenset[str], response, what: str) -> str | None:
    """A description of what is wrong with this answer, or None."""
    status = response.status_code
    if status >= 500:
        return f"{what} as {role}: {status}"
    if role in allowed:
        if status == 403 or _is_login_redirect(response):
            return f"{what} as {role}: {status} {response.headers.get('Location', '')} but the rule lets it in"
        return None
    if role == GUEST:
        return None if _is_login_redirect(response) else f"{what} as a guest: {status}, not the login page"
    return None if status in (403, 404) else f"{what} as {role}: {status}, not 403"


def test_every_route_has_an_access_rule(app):
    missing = sorted({rule.rule for rule in app.url_map.iter_rules()} - ACCESS.keys())
    assert not missing, (f"routes without an access rule: {missing}; add each one to ACCESS in "
                         f"tests/security/test_route_access.py with the roles that may use it")
    stale = sorted(ACCESS.keys() - {rule.rule for rule in app.url_map.iter_rules()})
    assert not stale, f"ACCESS names routes that no longer exist: {stale}; remove or rename them"


def test_each_role_gets_what_the_rule_says_on_every_get_route(app, clients):
    problems = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.rule not in ACCESS:
            continue
        url = _url(rule)
        for role in ROLES:
            problem = _check(role, ACCESS[rule.rule], clients[role].get(url), f"GET {url}")
            if problem:
                problems.append(problem)
    assert not problems, "\n".join(problems)


def test_roles_kept_out_cannot_post_either(app, clients):
    problems = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" not in rule.methods or rule.rule not in ACCESS:
            continue
        url = _url(rule)
        for role in ROLES:
            if role in ACCESS[rule.rule]:
                continue
            problem = _check(role, ACCESS[rule.rule], clients[role].post(url, data={}), f"POST {url}")
            if problem:
                problems.append(problem)
    assert not problems, "\n".join(problems)


def test_the_till_api_ignores_the_session(app, clients):
    """A signed-in session is no till token: every role gets 401 from the sale endpoint."""
    for role in ROLES:
        response = clients[role].post("/api/v1/showroom-sales", json={})
        assert response.status_code == 401, (role, response.status_code)
        assert response.get_json()["error"] == "unauthorized"
