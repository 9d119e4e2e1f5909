"""The producer's own area: sign-up, dashboard, legal details, shop profile and members."""


from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.accounts.services import find_user_by_email
from marketplace.accounts.views import start_session
from marketplace.backoffice import producer_scope
from marketplace.catalog import certificates as certs
from marketplace.catalog import product_images
from marketplace.catalog import products as listings
from marketplace.catalog import services as catalog_services
from marketplace.dates import today_vn
from marketplace.errors import DomainError
from marketplace.extensions import db, limiter
from marketplace.i18n import current_language
from marketplace.images import MAX_UPLOAD_BYTES, UploadRefused
from marketplace.ledger import queries as ledger_queries
from marketplace.mail import queue_mail
from marketplace.money import InvalidAmount, parse_vnd
from marketplace.orders import queries as order_queries
from marketplace.producers import invitations as invites
from marketplace.producers import services, verification
from marketplace.producers.forms import (
    AcceptInvitationForm,
    InviteForm,
    JoinPasswordForm,
    LegalDetailsForm,
    ProducerSignupForm,
    ShopProfileForm,
    fill_old_provinces,
    old_province_choices,
)
from marketplace.producers.models import Producer, ProducerType, VerificationStatus
from marketplace.urls import external_url

bp = Blueprint("producers_manage", __name__)

#: Certificates ending within this many days are shown on the dashboard.
EXPIRY_WARNING_DAYS = 90


def _own_producer() -> Producer:
    """The signed-in member's producer (these screens are for members only)."""
    return producer_scope(required=True)


def _details_from(form: LegalDetailsForm) -> services.LegalDetails:
    return services.LegalDetails(
        name=form.name.data, legal_name=form.legal_name.data, type=ProducerType(form.type.data),
        registration_number=form.registration_number.data, tax_code=form.tax_code.data,
        representative=form.representative.data,
        province_code=form.province_code.data if isinstance(form.province_code.data, int) else -1,
        ward_code=form.ward_code.data if isinstance(form.ward_code.data, int) else None,
        address=form.address.data, phone=form.phone.data, email=form.contact_email.data,
        old_province_code=_chosen_old_province(form),
    )


def _chosen_old_province(form: LegalDetailsForm) -> int | None:
    """The old province chosen on the sign-up form (the correction page has no such field: None)."""
    chosen = getattr(form, "old_province_code", None)
    return chosen.data if chosen is not None and isinstance(chosen.data, int) else None


def _show_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is None and name == "email":
            field = getattr(form, "contact_email", None)
        if field is not None:
            field.errors = [message]
        else:
            flash(message, "error")


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def join():
    """A cooperative or household business signs up: one member account and a pending producer."""
    if current_user.is_authenticated:
        if current_user.role == Role.PRODUCER:
            return redirect(url_for(".dashboard"))
        flash(_("You are signed in with another kind of account. Sign out to register a producer."), "info")
        return redirect(url_for("catalog.home"))
    form = ProducerSignupForm()
    form.fill_places()
    if request.form.get("refresh_wards"):
        # Without JavaScript: the province was chosen and its communes are asked for.
        return render_template("producers/manage/join.html", form=form, old_province_choices=old_province_choices())
    if form.validate_on_submit():
        details = _details_from(form)
        try:
            services.check_legal_details(details)
        except services.InvalidProducerData as error:
            _show_errors(form, error.errors)
        else:
            # The same answer whether or not the address has an account; its owner learns which by e-mail.
            existing = find_user_by_email(form.email.data)
            # A guest account (the address bought without an account) registers like a new address.
            if existing is not None and not existing.is_guest:
                queue_mail(existing.email, _l("Someone tried to sign up with your e-mail address"), "account_exists",
                           language=existing.preferred_language, user=existing,
                           login_url=external_url("accounts.login"),
                           reset_url=external_url("accounts.password_reset_request"))
            else:
                token = services.make_join_token(details, email=form.email.data, full_name=form.full_name.data,
                                                 language=current_language())
                queue_mail(form.email.data, _l("Finish registering your shop on OCOP Market"), "producer_join_confirm",
                           language=current_language(), full_name=form.full_name.data, shop=details.name,
                           confirm_url=external_url("producers_manage.join_finish", token=token),
                           hours=services.JOIN_MAX_AGE_SECONDS // 3600)
            db.session.commit()
            flash(_("We have sent a message to %(email)s. Follow the link in it to finish registering your shop.",
                    email=form.email.data), "info")
            return redirect(url_for("accounts.login"))
    return render_template("producers/manage/join.html", form=form, old_province_choices=old_province_choices())


@bp.route("/join/<token>", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def join_finish(token: str):
    """The e-mailed link: choose a password; the pending producer and its first member are created."""
    try:
        details, account = services.join_from_token(token)
    except services.InvalidInvitation as error:
        flash(error.message, "error")
        return redirect(url_for(".join"))
    existing = find_user_by_email(account["login"])
    if current_user.is_authenticated or (existing is not None and not existing.is_guest):
        flash(_("This account is already created. Log in."), "info")
        return redirect(url_for("accounts.login"))
    form = JoinPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.register_producer(details, email=account["login"], password=form.password.data,
                                              full_name=account["full_name"], language=account["language"])
        except services.EmailTaken:
            flash(_("This account is already created. Log in."), "info")
            return redirect(url_for("accounts.login"))
        except services.InvalidProducerData as error:
            _show_errors(form, error.errors)
        else:
            start_session(user)
            db.session.commit()
            flash(_("Welcome! Your shop is waiting for verification by the OCOP program office. You can already "
                    "prepare your products."), "success")
            return redirect(url_for(".dashboard"))
    response = make_response(render_template("producers/manage/join_finish.html", form=form, token=token,
                                             details=details, login=account["login"]))
    # The token is in this page's URL: never hand it to another site in a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/")
@roles_required(Role.PRODUCER, Role.ADMIN, Role.SHOWROOM_STAFF)
def dashboard():
    """What needs doing first (sub-orders to confirm and to ship, certificates expiring within 90 days, low
    stock), today's and this month's sales from the ledger, then verification and listings."""
    if current_user.role != Role.PRODUCER:
        return redirect(url_for(".assist"))
    producer = _own_producer()
    products = listings.producer_products(producer.id)
    today = today_vn()
    order_counts = order_queries.fulfilment_counts(producer.id)
    sales = {"today": ledger_queries.producer_sales_vnd(producer.id, today, today),
             "month": ledger_queries.producer_sales_vnd(producer.id, today.replace(day=1), today)}
    expiring = certs.expiring_certificates(producer.id, today, days=EXPIRY_WARNING_DAYS)
    low_stock = listings.low_stock_products(producer.id)
    counts = {status: sum(1 for p in products if p.status == status) for status in ("draft", "active", "archived")}
    return render_template(
        "producers/manage/dashboard.html", producer=producer, counts=counts,
        public_count=sum(1 for p in products if p.is_public(today)),
        awaiting=listings.awaiting_confirmation(producer.id), expiring=expiring, low_stock=low_stock,
        today=today, order_counts=order_counts, sales=sales, expiry_days=EXPIRY_WARNING_DAYS,
    )


@bp.route("/details", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def legal_details():
    """Correct the legal details while the shop is pending or was rejected (it then goes back to review)."""
    producer = _own_producer()
    editable = producer.verification_status in (VerificationStatus.PENDING, VerificationStatus.REJECTED)
    form = LegalDetailsForm(obj=producer if request.method == "GET" else None)
    if request.method == "GET":
        form.type.data = producer.type.value
        form.contact_email.data = producer.email
    form.fill_places()
    if editable and request.form.get("refresh_wards"):
        return render_template("producers/manage/legal_details.html", form=form, producer=producer, editable=editable)
    if editable and form.validate_on_submit():
        try:
            verification.update_legal_details(producer, _details_from(form), actor=current_user)
            catalog_services.reindex_producer(producer)
        except services.InvalidProducerData as error:
            _show_errors(form, error.errors)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Details saved. The program office will review them."), "success")
            return redirect(url_for(".dashboard"))
    return render_template("producers/manage/legal_details.html", form=form, producer=producer, editable=editable)


def _parse_amount(field, *, optional: bool) -> int | None:
    text = (field.data or "").strip()
    if optional and not text:
        return None
    try:
        return parse_vnd(text)
    except InvalidAmount:
        field.errors = [_("Enter a whole number of đồng.")]
        return None


@bp.route("/profile", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def profile():
    """The shop profile: story, logo, cover, contact, shipping fee and free-shipping threshold."""
    producer = _own_producer()
    form = ShopProfileForm()
    choose_old_province = fill_old_provinces(form, producer.province_code)
    if request.method == "GET":
        form.old_province_code.data = producer.old_province_code
        form.story.data = producer.story
        form.phone.data = producer.phone
        form.contact_email.data = producer.email
        form.shipping_fee.data = str(producer.shipping_fee_vnd)
        form.free_shipping_threshold.data = str(producer.free_shipping_threshold_vnd or "")
    status = 200
    if form.validate_on_submit():
        fee = _parse_amount(form.shipping_fee, optional=False)
        threshold = _parse_amount(form.free_shipping_threshold, optional=True)
        new_keys: list[str] = []
        old_keys: list[str] = []
        if not form.shipping_fee.errors and not form.free_shipping_threshold.errors:
            which = ""
            try:
                with db.session.begin_nested():
                    services.update_profile(producer, story=form.story.data or "", phone=form.phone.data,
                                            email=form.contact_email.data, shipping_fee_vnd=fee,
                                            free_shipping_threshold_vnd=threshold)
                    if choose_old_province and services.set_old_province(producer, form.old_province_code.data):
                        catalog_services.reindex_producer(producer)
                    for which in ("logo", "cover"):
                        upload = request.files.get(which)
                        if upload is not None and upload.filename:
                            new, old = services.set_shop_picture(producer, which,
                                                                 upload.stream.read(MAX_UPLOAD_BYTES + 1))
                            new_keys.append(new)
                            old_keys.append(old)
            except services.InvalidProducerData as error:
                names = {"shipping_fee_vnd": "shipping_fee", "free_shipping_threshold_vnd": "free_shipping_threshold"}
                _show_errors(form, {names.get(k, k): v for k, v in error.errors.items()})
            except UploadRefused as error:
                product_images.delete_stored(new_keys)
                getattr(form, which).errors = [error.message]
            else:
                db.session.commit()
                product_images.delete_stored([k for k in old_keys if k])
                flash(_("Shop profile saved."), "success")
                return redirect(url_for(".profile"))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("producers/manage/profile.html", form=form, producer=producer,
                           choose_old_province=choose_old_province), status


@bp.route("/members", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def members():
    """The producer's members, and inviting another one by e-mail."""
    producer = _own_producer()
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invites.invite_member(producer, form.email.data, actor=current_user)
        except services.EmailTaken as error:
            form.email.errors = [error.message]
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for(".members"))
    return render_template("producers/manage/members.html", producer=producer, form=form,
                           members=services.members(producer), invitations=invites.producer_invitations(producer))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def invitation_accept(token: str):
    """Someone invited by e-mail creates their member account."""
    try:
        invitation = invites.invitation_from_token(token)
    except services.InvalidInvitation as error:
        return render_template("producers/manage/invitation_invalid.html", message=error.message), 404
    if current_user.is_authenticated:
        flash(_("Sign out first to accept this invitation with a new account."), "info")
        return redirect(url_for("catalog.home"))
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = invites.accept_invitation(invitation, full_name=form.full_name.data, password=form.password.data,
                                              language=current_language())
        except services.InvalidProducerData as error:
            _show_errors(form, error.errors)
        except DomainError as error:
            flash(error.message, "error")
        else:
            shop = invitation.producer.name  # read before the commit expires the invitation
            start_session(user)
            db.session.commit()
            flash(_("Welcome to %(shop)s.", shop=shop), "success")
            return redirect(url_for(".dashboard"))
    return render_template("producers/manage/invitation_accept.html", form=form, invitation=invitation)


@bp.get("/assist")
@roles_required(Role.ADMIN, Role.SHOWROOM_STAFF)
def assist():
    """Admins and showroom staff choose a producer to list products on its behalf."""
    query = (request.args.get("q") or "").strip()[:100]
    return render_template("producers/manage/assist.html", producers=services.find_producers(query), query=query)

