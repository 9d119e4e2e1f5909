"""The program office's trade promotion: campaigns and collections, trade fairs and their participants."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.catalog.models import Product
from marketplace.dates import today_vn
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.images import MAX_UPLOAD_BYTES, UploadRefused
from marketplace.promotions import campaigns, fairs, participation
from marketplace.promotions.forms import CampaignForm, DecisionForm, FairForm, optional_code
from marketplace.promotions.models import Campaign, FairParticipation, TradeFair
from marketplace.promotions.status import ParticipationStatus

bp = Blueprint("promotions_admin", __name__)

#: The office's decisions on a participation, by the word in their URL.
DECISIONS = {"approve": ParticipationStatus.APPROVED, "decline": ParticipationStatus.DECLINED}


def _read_upload(name: str) -> bytes:
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return b""
    return upload.stream.read(MAX_UPLOAD_BYTES + 1)


def _show_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            flash(message, "error")


def get_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def get_fair(fair_id: int) -> TradeFair:
    fair = db.session.get(TradeFair, fair_id)
    if fair is None:
        abort(404)
    return fair


def _campaign_input(form: CampaignForm) -> campaigns.CampaignInput:
    star = optional_code(form.rule_star_level.data)
    return campaigns.CampaignInput(
        title=form.title.data or "", slug=form.slug.data or "", summary=form.summary.data or "",
        story=form.story.data or "", starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        selection=form.selection.data or "", products_text=form.products_text.data or "",
        rule_star_level=star if star in (3, 4, 5) else None,
        rule_province_code=optional_code(form.rule_province_code.data),
        rule_group_code=form.rule_group_code.data or None, is_hidden=bool(form.is_hidden.data))


def _product_refs(campaign: Campaign) -> str:
    """The chosen products as the text the form shows: one product page address per line."""
    ids = campaigns.chosen_ids(campaign)
    if not ids:
        return ""
    slugs = dict(db.session.execute(sa.select(Product.id, Product.slug).where(Product.id.in_(ids))).all())
    return "\n".join(url_for("catalog.product_detail", slug=slugs[i]) for i in ids if i in slugs)


@bp.get("/campaigns")
@roles_required(Role.ADMIN)
def campaign_list():
    """Every campaign, with whether it shows today."""
    return render_template("promotions/admin/campaign_list.html", campaigns=campaigns.all_campaigns(), today=today_vn())


@bp.route("/campaigns/new", methods=["GET", "POST"])
@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def campaign_edit(campaign_id: int | None = None):
    """Create or change a campaign: texts, banner, dates, chosen products or a rule."""
    campaign = get_campaign(campaign_id) if campaign_id is not None else None
    form = CampaignForm(obj=campaign) if request.method == "GET" and campaign else CampaignForm()
    if request.method == "GET" and campaign:
        form.selection.data = campaign.selection.value
        form.products_text.data = _product_refs(campaign)
        form.rule_star_level.data = str(campaign.rule_star_level or "")
        form.rule_province_code.data = str(campaign.rule_province_code if campaign.rule_province_code is not None else "")
        form.rule_group_code.data = campaign.rule_group_code or ""
    form.fill_choices()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with db.session.begin_nested():
                    saved, old_keys = campaigns.save_campaign(campaign, _campaign_input(form),
                                                              banner=_read_upload("banner"))
            except campaigns.CampaignInvalid as error:
                _show_errors(form, error.errors)
            except UploadRefused as error:
                form.banner.errors = [error.message]
            else:
                db.session.commit()
                campaigns.delete_stored(old_keys)
                flash(_("Campaign saved."), "success")
                return redirect(url_for(".campaign_edit", campaign_id=saved.id))
        status = 422
    cards = campaigns.product_cards(campaign) if campaign else []
    return render_template("promotions/admin/campaign_form.html", form=form, campaign=campaign, cards=cards,
                           today=today_vn()), status


@bp.get("/fairs")
@roles_required(Role.ADMIN)
def fair_list():
    """Every fair, with its number of sign-ups waiting."""
    listed = fairs.all_fairs()
    waiting = {fair.id: len(participation.participants(fair, status=ParticipationStatus.PENDING)) for fair in listed}
    return render_template("promotions/admin/fair_list.html", fairs=listed, waiting=waiting, today=today_vn(),
                           place_label=fairs.place_label)


@bp.route("/fairs/new", methods=["GET", "POST"])
@bp.route("/fairs/<int:fair_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def fair_edit(fair_id: int | None = None):
    """Create or change a fair; its sign-ups with approve and decline."""
    fair = get_fair(fair_id) if fair_id is not None else None
    form = FairForm(obj=fair) if request.method == "GET" and fair else FairForm()
    if request.method == "GET" and fair:
        form.province_code.data = str(fair.province_code)
        form.ward_code.data = str(fair.ward_code or "")
    form.fill_choices()
    status = 200
    if request.method == "POST" and "refresh_wards" not in request.form:
        if form.validate_on_submit():
            data = fairs.FairInput(
                name=form.name.data or "", slug=form.slug.data or "", description=form.description.data or "",
                province_code=optional_code(form.province_code.data), ward_code=optional_code(form.ward_code.data),
                venue=form.venue.data or "", starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                signup_until=form.signup_until.data, is_hidden=bool(form.is_hidden.data))
            try:
                saved = fairs.save_fair(fair, data)
            except fairs.FairInvalid as error:
                db.session.rollback()
                _show_errors(form, error.errors)
            else:
                db.session.commit()
                flash(_("Fair saved."), "success")
                return redirect(url_for(".fair_edit", fair_id=saved.id))
        status = 422
    signups = participation.participants(fair) if fair else []
    return render_template("promotions/admin/fair_form.html", form=form, fair=fair, signups=signups,
                           decision_form=DecisionForm(), today=today_vn()), status


@bp.post("/fairs/<int:fair_id>/participations/<int:participation_id>/<decision>")
@roles_required(Role.ADMIN)
def participation_decide(fair_id: int, participation_id: int, decision: str):
    """Approve or decline a producer's sign-up (with a reason shown to it)."""
    fair = get_fair(fair_id)
    entry = db.session.get(FairParticipation, participation_id)
    if entry is None or entry.fair_id != fair.id or decision not in DECISIONS:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        participation.change_status(entry, DECISIONS[decision], actor=current_user, reason=form.reason.data)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Decision recorded."), "success")
    return redirect(url_for(".fair_edit", fair_id=fair.id) + "#signups")
