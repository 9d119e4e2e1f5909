"""Public promotion pages: a campaign at its stable address, the trade-fair calendar, a fair, the .ics feed;
and the home page's active campaigns (the Jinja global `home_campaigns`, read only where the home page asks)."""

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext as _

from marketplace import cache
from marketplace.dates import today_vn
from marketplace.i18n import current_language
from marketplace.promotions import campaigns, fairs, ics, participation
from marketplace.promotions.status import ParticipationStatus
from marketplace.storage import media_url
from marketplace.urls import absolute, external_url, site_url

bp = Blueprint("promotions", __name__)


@bp.app_template_global("home_campaigns")
def home_campaigns() -> list:
    """The campaigns shown on the home page today."""
    return campaigns.active_campaigns(today_vn())


@bp.get("/campaigns/<slug>")
@cache.page
def campaign_detail(slug: str):
    """A campaign or collection with its products, while it runs (404 before, after, or when hidden)."""
    campaign = campaigns.public_campaign(slug, today_vn())
    if campaign is None:
        abort(404)
    cards = campaigns.product_cards(campaign)
    return render_template(
        "promotions/campaign_detail.html", campaign=campaign, cards=cards,
        rule=campaigns.rule_label(campaign, current_language()) if campaign.selection == "rule" else "",
        share_url=external_url("promotions.campaign_detail", slug=campaign.slug),
        share_image=absolute(media_url(campaign.banner_key)) if campaign.banner_key else "",
    )


@bp.get("/fairs")
def fair_calendar():
    """Trade fairs and events to come and the latest past ones, with the calendar feed."""
    today = today_vn()
    return render_template("promotions/fair_calendar.html", upcoming=fairs.upcoming(today), past=fairs.past(today),
                           place_label=fairs.place_label, today=today,
                           feed_url=external_url("promotions.fairs_ics"))


@bp.get("/fairs/<slug>")
def fair_detail(slug: str):
    """A fair: place, dates and the producers the office approved."""
    fair = fairs.public_fair(slug)
    if fair is None:
        abort(404)
    return render_template("promotions/fair_detail.html", fair=fair, place=fairs.place_label(fair),
                           producers=participation.participants(fair, status=ParticipationStatus.APPROVED),
                           today=today_vn())


@bp.get("/fairs.ics")
def fairs_ics():
    """The fairs as an iCalendar feed that calendar apps subscribe to."""
    body = ics.calendar(
        fairs.calendar_fairs(today_vn()), name=_("OCOP trade fairs"), host=urlsplit(site_url()).hostname or "ocop",
        fair_url=lambda fair: external_url("promotions.fair_detail", slug=fair.slug), place=fairs.place_label)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="ocop-fairs.ics"', "Cache-Control": "public, max-age=900"})
