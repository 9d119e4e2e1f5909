"""Campaigns and collections: what is shown while active, which products they hold, saving them.

A campaign's products are always read through the catalogue's public products (catalog.queries): a product
that is hidden, archived, uncertified or whose producer is not verified never shows, whether the office
chose it or a rule matched it. Services flush, never commit; storage keys to delete are returned to the
caller, which deletes them after its commit.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace import geo
from marketplace.catalog import categories
from marketplace.catalog import queries as catalog_queries
from marketplace.catalog.models import Product
from marketplace.database import unique_slug
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.images import process_image
from marketplace.producers.models import Producer
from marketplace.promotions.models import Campaign, CampaignProduct, SelectionKind
from marketplace.storage import get_storage, new_key
from marketplace.text import nfc

#: Products one campaign page shows (the rule's best first).
PAGE_PRODUCTS = 48
#: Campaigns shown together on the home page.
HOME_CAMPAIGNS = 3
#: Most products the office may choose by hand.
MAX_CHOSEN = 100


class CampaignInvalid(DomainError):
    """The campaign was not saved; `errors` maps form fields to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


@dataclass
class CampaignInput:
    """What the office typed, already in Python types (the form's shape)."""

    title: str
    summary: str
    story: str
    starts_on: date | None
    ends_on: date | None
    selection: str
    slug: str = ""
    products_text: str = ""
    rule_star_level: int | None = None
    rule_province_code: int | None = None
    rule_group_code: str | None = None
    is_hidden: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def active_campaigns(today: date, limit: int = HOME_CAMPAIGNS) -> list[Campaign]:
    """Campaigns shown today: not hidden and between their first and last day, the newest first."""
    return list(db.session.scalars(
        sa.select(Campaign).where(Campaign.is_hidden.is_(False), Campaign.starts_on <= today, Campaign.ends_on >= today)
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc()).limit(limit)))


def public_campaign(slug: str, today: date) -> Campaign | None:
    """The campaign at this address if it is shown today (None otherwise: not yet, over, or hidden)."""
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))
    if campaign is None or not campaign.is_active(today):
        return None
    return campaign


def chosen_ids(campaign: Campaign) -> list[int]:
    """The chosen products' ids in the office's order (public or not)."""
    return list(db.session.scalars(sa.select(CampaignProduct.product_id)
                                   .where(CampaignProduct.campaign_id == campaign.id)
                                   .order_by(CampaignProduct.position, CampaignProduct.id)))


def rule_statement(campaign: Campaign) -> sa.Select:
    """SELECT of the ids of the public products matching the campaign's rule, best first."""
    statement = catalog_queries.public_ids()
    if campaign.rule_star_level is not None:
        statement = statement.where(Product.star_level == campaign.rule_star_level)
    if campaign.rule_province_code is not None:
        statement = statement.where(Producer.province_code == campaign.rule_province_code)
    if campaign.rule_group_code:
        statement = statement.where(Product.group_code == campaign.rule_group_code)
    return statement.order_by(Product.star_level.desc(), Product.sold_quantity.desc(), Product.id.desc())


def product_cards(campaign: Campaign, limit: int = PAGE_PRODUCTS) -> list:
    """The campaign's public products as catalogue cards (hidden or archived ones never)."""
    if campaign.selection == SelectionKind.RULE:
        ids = list(db.session.scalars(rule_statement(campaign).limit(limit)))
    else:
        ids = chosen_ids(campaign)
    return catalog_queries.cards(ids)[:limit]


def rule_label(campaign: Campaign, language: str) -> str:
    """The rule in words: '5★ · Hà Nội · 1.5 Chè'."""
    parts = []
    if campaign.rule_star_level:
        parts.append(f"{campaign.rule_star_level}★")
    if campaign.rule_province_code is not None:
        parts.append(geo.province_name(campaign.rule_province_code))
    if campaign.rule_group_code and (group := categories.get(campaign.rule_group_code)):
        parts.append(f"{group.code} {group.name(language)}")
    return " · ".join(parts) or _("Every certified product")


_SLUG_IN_URL = re.compile(r"/products/([a-z0-9-]+)/?$")


def _references(text: str) -> list[str]:
    """Product slugs from a text: one product per line or comma, as a slug or a product page's address."""
    found = []
    for raw in re.split(r"[\s,;]+", text or ""):
        raw = raw.strip()
        if not raw:
            continue
        path = urlsplit(raw).path if "/" in raw else raw
        match = _SLUG_IN_URL.search(path)
        found.append((match.group(1) if match else path.strip("/")).lower())
    return list(dict.fromkeys(found))


def resolve_products(text: str) -> tuple[list[int], list[str]]:
    """(ids of the products named, in order; references that name no product)."""
    references = _references(text)
    if not references:
        return [], []
    by_slug = dict(db.session.execute(sa.select(Product.slug, Product.id).where(Product.slug.in_(references))).all())
    return ([by_slug[ref] for ref in references if ref in by_slug],
            [ref for ref in references if ref not in by_slug])


def _validate(data: CampaignInput) -> tuple[dict[str, str], list[int]]:
    errors = dict(data.errors)
    if not nfc(data.title):
        errors.setdefault("title", _("Please enter a title."))
    if data.starts_on is None:
        errors.setdefault("starts_on", _("Please enter the first day (dd/mm/yyyy)."))
    if data.ends_on is None:
        errors.setdefault("ends_on", _("Please enter the last day (dd/mm/yyyy)."))
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.setdefault("ends_on", _("The last day is before the first day."))
    ids: list[int] = []
    if data.selection == SelectionKind.CHOSEN:
        ids, unknown = resolve_products(data.products_text)
        if unknown:
            errors.setdefault("products_text", _("No product has this address: %(refs)s.", refs=", ".join(unknown[:5])))
        elif not ids:
            errors.setdefault("products_text", _("Choose at least one product (its address, one per line)."))
        elif len(ids) > MAX_CHOSEN:
            errors.setdefault("products_text", _("Choose at most %(n)s products.", n=MAX_CHOSEN))
    elif data.selection == SelectionKind.RULE:
        if data.rule_province_code is not None and geo.province(data.rule_province_code) is None:
            errors.setdefault("rule_province_code", _("Please choose a province."))
        if data.rule_group_code and not categories.is_group(data.rule_group_code):
            errors.setdefault("rule_group_code", _("Please choose a product group."))
    else:
        errors.setdefault("selection", _("Choose how the products are selected."))
    return errors, ids


def save_campaign(campaign: Campaign | None, data: CampaignInput, *, banner: bytes = b"") -> tuple[Campaign, list[str]]:
    """Create or update a campaign (with its banner, checked and re-encoded); returns it and the storage keys
    of a replaced banner, to delete after the commit. Raises CampaignInvalid or UploadRefused, saving nothing."""
    errors, ids = _validate(data)
    if errors:
        raise CampaignInvalid(errors)
    processed = process_image(banner) if banner else None
    if campaign is None:
        campaign = Campaign(slug=unique_slug(db.session, Campaign.slug, data.slug or data.title, max_length=100))
        db.session.add(campaign)
    campaign.title = nfc(data.title)[:160]
    campaign.summary = nfc(data.summary)[:300]
    campaign.story = nfc(data.story)
    campaign.starts_on, campaign.ends_on = data.starts_on, data.ends_on
    campaign.selection = SelectionKind(data.selection)
    rule = campaign.selection == SelectionKind.RULE
    campaign.rule_star_level = data.rule_star_level if rule else None
    campaign.rule_province_code = data.rule_province_code if rule else None
    campaign.rule_group_code = (data.rule_group_code or None) if rule else None
    campaign.is_hidden = data.is_hidden
    db.session.flush()
    db.session.execute(sa.delete(CampaignProduct).where(CampaignProduct.campaign_id == campaign.id))
    for position, product_id in enumerate(ids):
        db.session.add(CampaignProduct(campaign_id=campaign.id, product_id=product_id, position=position))
    old_keys: list[str] = []
    if processed is not None:
        storage = get_storage()
        key = new_key(f"campaigns/{campaign.id}", "webp")
        thumb_key = key[: -len(".webp")] + "_thumb.webp"
        storage.save(key, processed.data, "image/webp")
        try:
            storage.save(thumb_key, processed.thumb, "image/webp")
        except Exception:
            storage.delete(key)
            raise
        old_keys = [k for k in (campaign.banner_key, campaign.banner_thumb_key) if k]
        campaign.banner_key, campaign.banner_thumb_key = key, thumb_key
        campaign.banner_width, campaign.banner_height = processed.width, processed.height
    db.session.flush()
    return campaign, old_keys


def delete_stored(keys: list[str]) -> None:
    """Remove replaced banner files (after the commit that stopped using them)."""
    storage = get_storage()
    for key in keys:
        storage.delete(key)


def all_campaigns() -> list[Campaign]:
    """Every campaign for the office's list, the latest first."""
    return list(db.session.scalars(sa.select(Campaign).order_by(Campaign.ends_on.desc(), Campaign.id.desc())))
