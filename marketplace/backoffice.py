"""The back office shell that every producer and program-office screen shares.

- whose data a screen shows (`producer_scope`: a member's own producer, or the producer an admin names
  with ?producer=<id>), and for whom an action is done (`acting_producer`: the same, for staff allowed
  by a policy);
- the menu of every back-office page (`menu`, the Jinja global `backoffice_menu`), decided here from the
  user's role, which templates/backoffice/_layout.html shows: a producer member sees its shop's screens, the
  program office its own screens plus, on a page about one producer, that producer's screens;
- the `rate_bp` filter for commission rates;
- what a member of a suspended producer may still do (`refuse_suspended_producer`, run before every request
  to a `*_manage` blueprint): read its past orders, statements and figures, nothing else.

Domain screens live in their packages (`views_manage.py` for the producer's back office under /manage,
`views_admin.py` for the program office under /admin); they import this module, never each other.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, abort, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.inputs import MAX_ID, parse_int
from marketplace.producers.models import Producer, VerificationStatus
from marketplace.showrooms import services as showroom_services
from marketplace.showrooms.models import StaffRole


def _named_producer_id() -> int | None:
    """The ?producer=<id> an admin named (None when absent); 404 when it is not an id."""
    raw = request.values.get("producer", "").strip()
    if not raw:
        return None
    producer_id = parse_int(raw, minimum=1, maximum=MAX_ID)
    if producer_id is None:
        abort(404)
    return producer_id


def producer_scope(*, required: bool = False) -> Producer | None:
    """The producer whose data the signed-in user is looking at.

    A producer member always sees its own producer (a ?producer= naming another one is ignored). An admin
    names one with ?producer=<id> (404 when unknown); without it, None means "all producers", or a 404
    when the page needs one producer (`required`).
    """
    if current_user.role == Role.PRODUCER:
        producer = db.session.get(Producer, current_user.producer_id)
        if producer is None:
            abort(404)
        return producer
    producer_id = _named_producer_id()
    if producer_id is None:
        if required:
            abort(404)
        return None
    producer = db.session.get(Producer, producer_id)
    if producer is None:
        abort(404)
    return producer


def acting_producer(*, may: Callable[[object, int], bool]) -> Producer:
    """The producer a back-office action is for: a member's own, or the one staff name with ?producer=<id>.

    Staff (admins, showroom staff) must name one, and `may(user, producer_id)` must allow it; otherwise,
    and for an unknown producer, 404 (no hint that it exists).
    """
    if current_user.role == Role.PRODUCER:
        return producer_scope(required=True)
    producer_id = _named_producer_id()
    if producer_id is None:
        abort(404)
    producer = db.session.get(Producer, producer_id)
    if producer is None or not may(current_user, producer.id):
        abort(404)
    return producer


@dataclass(frozen=True)
class MenuLink:
    """One entry of the back-office menu."""

    label: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class MenuSection:
    """A group of links, with a heading when it is about one producer."""

    links: list[MenuLink]
    title: str = ""


@dataclass(frozen=True)
class Menu:
    """The back-office menu of the signed-in user: its name (for screen readers) and its sections."""

    label: str
    sections: list[MenuSection] = field(default_factory=list)


def _own_links() -> list[tuple[str, str, dict, tuple[str, ...]]]:
    """(endpoint, label, url arguments, endpoint prefixes that also make it current) of the user's own screens."""
    if current_user.role == Role.PRODUCER:
        return [
            ("producers_manage.dashboard", _("Dashboard"), {}, ()),
            ("catalog_manage.product_list", _("Products"), {}, ("catalog_manage.",)),
            ("orders_manage.order_list", _("Orders"), {}, ("orders_manage.",)),
            ("reviews_manage.review_list", _("Reviews"), {}, ("reviews_manage.",)),
            ("questions_manage.question_list", _("Questions"), {}, ("questions_manage.",)),
            ("reports_manage.figures_page", _("Sales figures"), {}, ("reports_manage.",)),
            ("signals_manage.signals_page", _("What buyers look for"), {}, ("signals_manage.",)),
            ("promotions_manage.fair_list", _("Trade fairs"), {}, ("promotions_manage.",)),
            ("settlements_manage.statement_list", _("Statements"), {}, ("settlements_manage.",)),
            ("vouchers_manage.voucher_list", _("Vouchers"), {}, ("vouchers_manage.",)),
            ("catalog_manage.import_products", _("Import / export"), {}, ()),
            ("producers_manage.profile", _("Shop profile"), {}, ()),
            ("producers_manage.legal_details", _("Legal details"), {}, ()),
            ("producers_manage.members", _("Members"), {}, ()),
            ("showrooms_manage.producer_consignments", _("Showroom consignments"), {},
             ("showrooms_manage.producer_",)),
            ("showrooms_manage.my_lots", _("Lots and QR labels"), {},
             ("showrooms_manage.my_lots", "showrooms_manage.lot_label_sheet")),
            ("linkage_manage.demand_page", _("Buyers' requests"), {}, ("linkage_manage.",)),
        ]
    if current_user.role == Role.ADMIN:
        return [
            ("admin.index", _("Administration"), {}, ()),
            ("producers_admin.producer_list", _("Producers"), {}, ("producers_admin.",)),
            ("catalog_admin.certificate_list", _("Certificates"), {}, ("catalog_admin.",)),
            ("orders_manage.order_list", _("Orders"), {}, ("orders_manage.",)),
            ("payments_admin.bank_transfers", _("Bank transfers"), {},
             ("payments_admin.bank_", "payments_admin.mark_paid", "payments_admin.import_statement")),
            ("payments_admin.wallet_refunds", _("E-wallet refunds"), {}, ("payments_admin.wallet_",)),
            ("settlements_admin.statement_list", _("Statements"), {}, ("settlements_admin.", "settlements_manage.")),
            ("showrooms_admin.showroom_list", _("Showrooms"), {}, ("showrooms_admin.",)),
            ("vouchers_admin.voucher_list", _("Vouchers"), {}, ("vouchers_admin.",)),
            ("showrooms_manage.my_showrooms", _("Showroom stock"), {}, ("showrooms_manage.",)),
            ("signals_admin.signals_page", _("Demand signals"), {}, ("signals_admin.",)),
            ("reviews_admin.review_list", _("Review moderation"), {}, ("reviews_admin.",)),
            ("questions_admin.question_list", _("Question moderation"), {}, ("questions_admin.",)),
            ("promotions_admin.campaign_list", _("Campaigns"), {}, ("promotions_admin.campaign",)),
            ("promotions_admin.fair_list", _("Trade fairs"), {}, ("promotions_admin.fair", "promotions_admin.participation")),
            ("producers_manage.assist", _("List for a producer"), {}, ("catalog_manage.",)),
            ("reports_admin.overview", _("Program analytics"), {}, ("reports_admin.",)),
            ("linkage_admin.request_list", _("Demand requests"), {}, ("linkage_admin.",)),
        ]
    return [("producers_manage.assist", _("List for a producer"), {}, ("catalog_manage.",))]


def _producer_links(producer: Producer) -> list[tuple[str, str, dict, tuple[str, ...]]]:
    """The screens about one producer that the program office (or showroom staff) may open."""
    scoped = {"producer": producer.id}
    if current_user.role != Role.ADMIN:
        return [("catalog_manage.product_list", _("Products"), scoped, ("catalog_manage.",))]
    return [
        ("producers_admin.producer_detail", _("Verification"), {"producer_id": producer.id}, ()),
        ("catalog_manage.product_list", _("Products"), scoped, ("catalog_manage.",)),
        ("orders_manage.order_list", _("Orders"), scoped, ("orders_manage.",)),
        ("reviews_manage.review_list", _("Reviews"), scoped, ("reviews_manage.",)),
        ("questions_manage.question_list", _("Questions"), scoped, ("questions_manage.",)),
        ("reports_manage.figures_page", _("Sales figures"), scoped, ("reports_manage.",)),
        ("signals_manage.signals_page", _("What buyers look for"), scoped, ("signals_manage.",)),
        ("settlements_admin.statement_list", _("Statements"), scoped, ("settlements_admin.", "settlements_manage.")),
        ("vouchers_manage.voucher_list", _("Vouchers"), scoped, ("vouchers_manage.",)),
    ]


def _showroom_groups() -> list[tuple[str, list]]:
    """Showroom staff: one group per showroom they work in, with its screens (managers get their actions)."""
    groups = []
    for member in showroom_services.memberships(current_user):
        args = {"showroom_id": member.showroom_id}
        entries = [
            ("showrooms_manage.pos", _("Point of sale"), args, ()),
            ("showrooms_manage.pos_day", _("Today's sales"), args, ("showrooms_manage.pos_sale",)),
            ("showrooms_manage.pickup_list", _("Pickup orders"), args, ("showrooms_manage.pickup_",)),
            ("showrooms_manage.showroom_stock", _("Stock"), args, ()),
            ("showrooms_manage.expiring", _("Expiring lots"), args, ()),
            ("showrooms_manage.consignment_list", _("Consignments"), args, ("showrooms_manage.consignment",)),
        ]
        if member.role == StaffRole.MANAGER:
            entries += [("showrooms_manage.return_new", _("Return to a producer"), args, ()),
                        ("showrooms_manage.stock_count", _("Stock count"), args, ()),
                        ("showrooms_manage.close_list", _("Till close"), args, ("showrooms_manage.close_",)),
                        ("showrooms_manage.pos_discarded", _("Discarded till sales"), args, ()),
                        ("settlements_manage.showroom_statements", _("Producer settlements"), args,
                         ("settlements_manage.showroom_",))]
        groups.append((member.showroom.name, entries))
    return groups


def _about_this_page(entries) -> bool:
    """False for a showroom's group on a page about another showroom (its links are not current there)."""
    page = (request.view_args or {}).get("showroom_id")
    return all(args.get("showroom_id", page) == page for _name, _label, args, _also in entries)


def _current(entries, endpoint: str) -> str | None:
    """The entry for this page: the same endpoint, or else the first whose prefixes match."""
    for name, _label, _args, _also in entries:
        if name == endpoint:
            return name
    for name, _label, _args, also in entries:
        if any(endpoint.startswith(prefix) for prefix in also):
            return name
    return None


def menu(producer: Producer | None = None) -> Menu:
    """The back-office menu of the signed-in user, on a page about `producer` (or about no one producer).

    A producer member gets its shop's screens. The program office gets its own screens and, on a page
    about one producer, that producer's screens too (they carry ?producer=<id>); showroom staff get each
    of their showrooms' screens and the listing screens. templates/backoffice/_layout.html shows it on every back-office page.
    """
    if not current_user.is_authenticated:
        return Menu(_("Back office"))
    groups = [("", _own_links())]
    if current_user.role == Role.SHOWROOM_STAFF:
        groups = _showroom_groups() + groups
    if producer is not None and current_user.role != Role.PRODUCER:
        groups.append((producer.name, _producer_links(producer)))
    endpoint = request.endpoint or ""
    # One link is current: in the producer's group when the page is about that producer, else in the user's own.
    marked = False
    sections = []
    for title, entries in reversed(groups):
        current = None if marked or not _about_this_page(entries) else _current(entries, endpoint)
        marked = marked or current is not None
        sections.append(MenuSection([MenuLink(label, url_for(name, **args), current=name == current)
                                     for name, label, args, _also in entries], title=title))
    sections.reverse()
    label = {Role.PRODUCER: _("Producer area"), Role.ADMIN: _("Administration"),
             Role.SHOWROOM_STAFF: _("Showroom")}.get(current_user.role, _("Back office"))
    return Menu(label, sections)


def format_rate_bp(rate_bp: int | None) -> str:
    """1000 basis points -> '10 %', 750 -> '7,5 %' (Vietnamese decimal comma, no-break space)."""
    if rate_bp is None:
        return ""
    whole, rest = divmod(int(rate_bp), 100)
    text = str(whole) if rest == 0 else f"{whole},{rest:02d}".rstrip("0")
    return f"{text}\xa0%"


#: What the members of a suspended producer may still open (GET only): its dashboard, past orders,
#: statements and sales figures. Endpoint names, or blueprint names ending with a dot.
SUSPENDED_READ_ONLY = ("producers_manage.dashboard", "orders_manage.order_list", "orders_manage.order_detail",
                       "settlements_manage.statement_", "reports_manage.")


def refuse_suspended_producer():
    """Before every request to a producer back-office blueprint (`*_manage`): a member of a suspended
    producer gets 403 with an explanation for every action and editing page; reading stays open."""
    if not (request.blueprint or "").endswith("_manage") or not current_user.is_authenticated:
        return None
    if current_user.role != Role.PRODUCER:
        return None
    producer = db.session.get(Producer, current_user.producer_id)
    if producer is None or producer.verification_status != VerificationStatus.SUSPENDED:
        return None
    if request.method in ("GET", "HEAD") and (request.endpoint or "").startswith(SUSPENDED_READ_ONLY):
        return None
    page = render_template("errors/error.html", status=403, title=_("Your shop is suspended"), message=_(
        "The OCOP program office has suspended your shop, so its back office is closed to changes. You can "
        "still read your past orders, statements and sales figures. Contact the program office to know why."))
    return make_response(page, 403)


def init_app(app: Flask) -> None:
    """Register the back office's template filter, the menu the layout shows and the suspension check."""
    app.jinja_env.filters["rate_bp"] = format_rate_bp
    app.jinja_env.globals["backoffice_menu"] = menu
    app.before_request(refuse_suspended_producer)
