"""The demand board's public and buyer pages under /demand: the open requests, posting one, one request
with its matched producers and offers (contact details only to verified producers and the program office),
the buyer's answers, and a linkage with its order at the agreed price."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from wtforms import SelectChoice

from marketplace import geo
from marketplace.accounts.models import Role
from marketplace.accounts.policies import is_admin, login_required
from marketplace.catalog import categories
from marketplace.errors import DomainError
from marketplace.extensions import db, limiter
from marketplace.i18n import current_language
from marketplace.inputs import arg_int
from marketplace.linkage import linkages, offers, policies, queries, requests
from marketplace.linkage.forms import (
    ButtonForm,
    LinkageOrderForm,
    OfferForm,
    RequestForm,
    group_choices,
    province_choices,
)
from marketplace.linkage.labels import (
    buyer_kind_label,
    distance_label,
    offer_status_label,
    request_status_label,
)
from marketplace.linkage.models import DemandRequest, Offer
from marketplace.linkage.status import OfferStatus, RequestStatus
from marketplace.orders import checkout
from marketplace.orders.addresses import InvalidAddress
from marketplace.orders.labels import PAYMENT_LABELS
from marketplace.orders.models import PaymentMethod
from marketplace.pagination import page_count, paginate
from marketplace.payments import providers
from marketplace.stock.services import OutOfStock

bp = Blueprint("linkage", __name__)
PAGE_SIZE = 20


@bp.app_context_processor
def linkage_labels():
    return {"request_status_label": request_status_label, "offer_status_label": offer_status_label,
            "buyer_kind_label": buyer_kind_label, "distance_label": distance_label,
            "group_name": group_name}


def group_name(code: str) -> str:
    """'1.4 Gia vị' (the group's code and name in the page's language)."""
    category = categories.get(code)
    return f"{category.code} {category.name(current_language())}" if category else code


def _user_key() -> str:
    """Rate-limit bucket per signed-in account (posting needs one), else per address."""
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def _limit(name: str, default: str):
    return lambda: current_app.config.get(name, default)


#: Posting requests: per account, counted only when a request was published (a form with mistakes is free).
limit_request_posts = limiter.limit(_limit("LINKAGE_RATE_LIMIT_REQUESTS", "5/hour;20/day"), key_func=_user_key,
                                    methods=["POST"], deduct_when=lambda response: response.status_code == 302)
#: Offers: per account.
limit_offer_posts = limiter.limit(_limit("LINKAGE_RATE_LIMIT_OFFERS", "30/hour"), key_func=_user_key,
                                  methods=["POST"], deduct_when=lambda response: response.status_code == 302)


def _request_or_404(request_id: int) -> DemandRequest:
    demand = queries.request_by_id(request_id)
    if demand is None or not policies.can_see_request(current_user, demand):
        abort(404)
    return demand


def _offer_of(demand: DemandRequest, offer_id: int) -> Offer:
    offer = next((o for o in demand.offers if o.id == offer_id), None)
    if offer is None:
        abort(404)
    return offer


@bp.route("")
def request_list():
    """Open requests, newest first, filtered by words, product group and delivery province."""
    group = request.args.get("group", "").strip()
    group = group if categories.get(group) else ""
    province = arg_int("province", minimum=1)
    province = province if geo.province(province) else None
    query = request.args.get("q", "").strip()[:200]
    result = paginate(queries.public_requests(group_code=group or None, province_code=province, query=query),
                      PAGE_SIZE, past_last="404")
    return render_template("linkage/request_list.html", result=result, pages=page_count(result),
                           counts=queries.offer_counts([r.id for r in result.items]), group=group, province=province,
                           query=query, groups=group_choices(_("All groups")), provinces=province_choices(_("All provinces")))


def _prefill(form: RequestForm) -> None:
    user = current_user
    form.contact_name.data = user.full_name
    form.contact_email.data = user.email
    form.contact_phone.data = user.phone or ""
    form.buyer_kind.data = "showroom" if user.role == Role.SHOWROOM_STAFF else ""


@bp.route("/new", methods=["GET", "POST"])
@login_required
@limit_request_posts
def request_new():
    """Post a request: what, how much, for how much, where and by when, and whom to contact."""
    form = RequestForm()
    if request.method == "GET":
        _prefill(form)
        group = request.args.get("group", "")
        if categories.is_group(group):
            form.group_code.data = group
        return render_template("linkage/request_form.html", form=form)
    if form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items()}
        try:
            details = requests.validate_request(data)
        except requests.InvalidRequest as error:
            for name, message in error.details["fields"].items():
                getattr(form, name).errors = [message]
        else:
            demand = requests.post_request(current_user, details)
            db.session.commit()
            flash(_("Your request is published. The producers that make these goods have been told."), "success")
            return redirect(url_for("linkage.request_detail", request_id=demand.id))
    return render_template("linkage/request_form.html", form=form), 400


def _render_detail(demand: DemandRequest, *, offer_form: OfferForm | None = None, status: int = 200):
    user = current_user
    producer = policies.verified_producer_of(user)
    is_author = user.is_authenticated and user.id == demand.author_id
    admin = is_admin(user)
    if is_author or admin:
        visible_offers = list(demand.offers)
    elif producer is not None:
        visible_offers = [o for o in demand.offers if o.producer_id == producer.id]
    else:
        visible_offers = []
    taking = requests.is_taking_offers(demand)
    own_pending = producer is not None and any(o.producer_id == producer.id and o.status == OfferStatus.PENDING
                                               for o in demand.offers)
    may_offer = producer is not None and taking and not is_author and not own_pending
    if may_offer and offer_form is None:
        offer_form = OfferForm(formdata=None)
        offer_form.quantity.data = str(demand.quantity)
        if demand.target_price_vnd:
            offer_form.unit_price_vnd.data = str(demand.target_price_vnd)
    if offer_form is not None and producer is not None:
        offer_form.product_id.choices = [SelectChoice("", _("None (not listed on the marketplace)"))] + [
            SelectChoice(str(p.id), f"{p.name} ({p.unit})") for p in offers.offerable_products(producer)]
    linkage = queries.linkage_of_request(demand.id) if demand.status == RequestStatus.LINKED else None
    return render_template(
        "linkage/request_detail.html", demand=demand, offers=visible_offers,
        pending_count=sum(1 for o in demand.offers if o.status == OfferStatus.PENDING),
        show_contact=policies.can_see_contact(user, demand), is_author=is_author, is_admin=admin,
        taking_offers=taking, may_offer=may_offer, offer_form=offer_form, own_pending=own_pending,
        is_producer_member=user.is_authenticated and user.role == Role.PRODUCER, producer=producer,
        linkage=linkage, may_see_linkage=linkage is not None and policies.can_see_linkage(user, linkage),
        button=ButtonForm()), status


@bp.route("/<int:request_id>")
def request_detail(request_id: int):
    """One request: what is wanted, the producers matched, and the offers its viewer may see."""
    return _render_detail(_request_or_404(request_id))


@bp.route("/<int:request_id>/close", methods=["POST"])
@login_required
def request_close(request_id: int):
    """The author closes the request without accepting an offer."""
    demand = _request_or_404(request_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if demand.author_id != current_user.id:
        abort(403)
    try:
        requests.close_request(demand, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The request is closed."), "success")
    return redirect(url_for("linkage.request_detail", request_id=request_id))


@bp.route("/<int:request_id>/offers", methods=["POST"])
@login_required
@limit_offer_posts
def offer_new(request_id: int):
    """A verified producer's offer on the request."""
    demand = _request_or_404(request_id)
    producer = policies.verified_producer_of(current_user)
    if producer is None:
        abort(403)
    form = OfferForm()
    if not form.validate_on_submit():
        return _render_detail(demand, offer_form=form, status=400)
    data = {name: field.data for name, field in form._fields.items()}
    try:
        details = offers.validate_offer(data, producer)
        offers.make_offer(demand, producer=producer, actor=current_user, details=details)
    except offers.InvalidOffer as error:
        for name, message in error.details["fields"].items():
            getattr(form, name).errors = [message]
        return _render_detail(demand, offer_form=form, status=400)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("linkage.request_detail", request_id=request_id))
    db.session.commit()
    flash(_("Your offer was sent to the buyer."), "success")
    return redirect(url_for("linkage.request_detail", request_id=request_id))


def _offer_action(request_id: int, offer_id: int, action):
    demand = _request_or_404(request_id)
    offer = _offer_of(demand, offer_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        result = action(demand, offer)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return None
    db.session.commit()
    return result


@bp.route("/<int:request_id>/offers/<int:offer_id>/accept", methods=["POST"])
@login_required
def offer_accept(request_id: int, offer_id: int):
    """The buyer accepts one offer: the linkage is recorded."""
    linkage = _offer_action(request_id, offer_id,
                            lambda demand, offer: offers.accept_offer(demand, offer, actor=current_user))
    if linkage is None:
        return redirect(url_for("linkage.request_detail", request_id=request_id))
    flash(_("Offer accepted: the linkage is recorded and the producer is told."), "success")
    return redirect(url_for("linkage.linkage_detail", linkage_id=linkage.id))


@bp.route("/<int:request_id>/offers/<int:offer_id>/decline", methods=["POST"])
@login_required
def offer_decline(request_id: int, offer_id: int):
    """The buyer turns one offer down."""
    if _offer_action(request_id, offer_id,
                     lambda demand, offer: offers.decline_offer(demand, offer, actor=current_user)) is not None:
        flash(_("The offer was declined."), "success")
    return redirect(url_for("linkage.request_detail", request_id=request_id))


@bp.route("/<int:request_id>/offers/<int:offer_id>/withdraw", methods=["POST"])
@login_required
def offer_withdraw(request_id: int, offer_id: int):
    """The producer takes its offer back."""
    if _offer_action(request_id, offer_id, lambda demand, offer: offers.withdraw_offer(offer, actor=current_user)) is not None:
        flash(_("Your offer was withdrawn."), "success")
    return redirect(url_for("linkage.request_detail", request_id=request_id))


@bp.route("/mine")
@login_required
def my_requests():
    """The signed-in buyer's requests and linkages."""
    mine = queries.requests_by_author(current_user.id)
    return render_template("linkage/my_requests.html", requests=mine, counts=queries.offer_counts([r.id for r in mine]),
                           linkages=list(db.session.scalars(queries.linkages(buyer_id=current_user.id))))


def _linkage_or_404(linkage_id: int):
    linkage = queries.linkage_by_id(linkage_id)
    if linkage is None or not policies.can_see_linkage(current_user, linkage):
        abort(404)
    return linkage


def _order_form(linkage, *, posted: bool) -> LinkageOrderForm:
    form = LinkageOrderForm() if posted else LinkageOrderForm(formdata=None)
    if not posted:
        form.token.data = checkout.new_checkout_token()
        form.full_name.data = linkage.request.contact_name
        form.phone.data = linkage.request.contact_phone
        form.province_code.data = str(linkage.request.delivery_province_code)
    form.province_code.choices = province_choices(_("Choose…"))
    # E-wallets are offered only when their credentials are configured (payments.providers).
    form.payment_method.choices = [SelectChoice(m.value, PAYMENT_LABELS[m]) for m in providers.available_methods(PaymentMethod)]
    province = arg_int("province", minimum=1, args={"province": form.province_code.data or ""})
    form.ward_code.choices = [SelectChoice("", _("Choose…"))] + [SelectChoice(str(w.code), w.name)
                                                                  for w in geo.wards(province)]
    return form


def _render_linkage(linkage, form: LinkageOrderForm | None, status: int = 200):
    is_buyer = current_user.id == linkage.buyer_id
    product = linkages.orderable_product(linkage)
    return render_template("linkage/linkage_detail.html", linkage=linkage, form=form, is_buyer=is_buyer,
                           orderable=is_buyer and linkage.order_id is None and product is not None,
                           product=product), status


@bp.route("/linkages/<int:linkage_id>")
@login_required
def linkage_detail(linkage_id: int):
    """What was agreed; the buyer can turn it into a marketplace order at the agreed price."""
    linkage = _linkage_or_404(linkage_id)
    form = _order_form(linkage, posted=False) if current_user.id == linkage.buyer_id and linkage.order_id is None else None
    return _render_linkage(linkage, form)


@bp.route("/linkages/<int:linkage_id>/order", methods=["POST"])
@login_required
def linkage_order(linkage_id: int):
    """Place the marketplace order of a linkage (agreed quantity and price, the producer's stock reserved)."""
    linkage = _linkage_or_404(linkage_id)
    if current_user.id != linkage.buyer_id:
        abort(403)
    form = _order_form(linkage, posted=True)
    if not form.validate_on_submit():
        return _render_linkage(linkage, form, 400)
    if request.form.get("refresh_wards"):
        return _render_linkage(linkage, form)
    if form.payment_method.data not in {choice.value for choice in form.payment_method.choices}:
        form.payment_method.errors = [_("This payment method is not available. Please choose another one.")]
        return _render_linkage(linkage, form, 400)
    address = {name: getattr(form, name).data for name in checkout.ADDRESS_FIELDS}
    try:
        order, created = linkages.place_linkage_order(linkage, buyer=current_user, address=address,
                                                      payment_method=form.payment_method.data,
                                                      token=(form.token.data or "")[:64])
    except (InvalidAddress, checkout.InvalidPaymentMethod) as error:
        db.session.rollback()
        for name, message in error.details["fields"].items():
            getattr(form, name).errors = [message]
        return _render_linkage(queries.linkage_by_id(linkage_id), form, 400)
    except OutOfStock:
        db.session.rollback()
        flash(_("The producer does not have the agreed quantity in stock now; nothing was ordered. Ask the "
                "producer to update its stock, then try again."), "error")
        return redirect(url_for("linkage.linkage_detail", linkage_id=linkage_id))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("linkage.linkage_detail", linkage_id=linkage_id))
    db.session.commit()
    flash(_("Order %(number)s is placed at the agreed price.", number=order.number), "success")
    if created and order.payment_method != PaymentMethod.COD:
        # The order's own pay step starts the payment (payments own the providers).
        return redirect(url_for("orders.order_pay", number=order.number))
    return redirect(url_for("orders.order_detail", number=order.number))
