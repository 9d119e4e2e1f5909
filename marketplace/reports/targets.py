"""The OCOP program's targets (Decision 919/QĐ-TTg, phase 2021-2025; shared/DOMAIN.md §1) next to the
platform's own figures, each computed by a written rule, from the catalogue, producers and showrooms
as they are today.

A target the platform has no data for (the share of products in a closed value chain) is reported as
not recorded, never estimated.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace import geo
from marketplace.catalog.listing import public_clause
from marketplace.catalog.models import Certificate, Product
from marketplace.catalog.status import CertificateStatus
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.producers.models import Producer, ProducerType
from marketplace.producers.status import VerificationStatus
from marketplace.showrooms.models import Showroom

#: National targets (919/QĐ-TTg and the issue): listed 3+ star products, share of 5 stars among them,
#: shares of cooperatives and of enterprises among producers, showrooms per province.
LISTED_PRODUCTS_TARGET = 10_000
FIVE_STAR_SHARE_TARGET = 3
COOPERATIVE_SHARE_TARGET = 40
ENTERPRISE_SHARE_TARGET = 30
EXPIRY_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    #: How the platform's figure is computed, in words.
    rule: str
    #: The program's target, as people read it.
    target: str
    #: The platform's figure, as people read it ("" when not recorded).
    actual: str
    #: True/False against the target; None when there is nothing to compare (a count, or no data).
    met: bool | None
    #: The numbers behind `actual` (exports): value and, for a share, what it is a share of.
    value: int | None = None
    of: int | None = None


@dataclass(frozen=True)
class ProvinceCount:
    code: int
    name: str
    producers: int
    listed_products: int
    showrooms: int


@dataclass(frozen=True)
class ExpiringCertificate:
    certificate_id: int
    product_id: int
    product_name: str
    producer_name: str
    province: str
    star_level: int
    decision_number: str
    valid_until: date
    days_left: int


def percent_text(value: int, of: int) -> str:
    """'12,5 %' (one decimal, Vietnamese comma, no-break space); '' when there is nothing to divide by."""
    if not of:
        return ""
    share = round(value * 1000 / of) / 10
    text = f"{share:.1f}".replace(".", ",")
    if text.endswith(",0"):
        text = text[:-2]
    return f"{text}\xa0%"


def _count(statement) -> int:
    return int(db.session.scalar(statement) or 0)


def _listed(today: date, *extra):
    return (sa.select(sa.func.count()).select_from(Product).join(Producer, Producer.id == Product.producer_id)
            .where(public_clause(today), *extra))


def _verified_producers(*extra):
    return sa.select(sa.func.count()).select_from(Producer).where(
        Producer.verification_status == VerificationStatus.VERIFIED, *extra)


def program_targets(today: date | None = None) -> list[Target]:
    """Every target with the platform's figure and the rule it is computed by."""
    today = today or today_vn()
    listed = _count(_listed(today))
    five = _count(_listed(today, Product.star_level == 5))
    producers = _count(_verified_producers())
    cooperatives = _count(_verified_producers(Producer.type == ProducerType.COOPERATIVE))
    enterprises = _count(_verified_producers(Producer.type == ProducerType.ENTERPRISE))
    covered = _count(sa.select(sa.func.count(sa.distinct(Showroom.province_code))).where(Showroom.is_active))
    expiring = len(expiring_certificates(today))
    provinces = len(geo.provinces())
    goal_text = f"{LISTED_PRODUCTS_TARGET:,}".replace(",", ".")
    five_goal, cooperative_goal = f"{FIVE_STAR_SHARE_TARGET}\xa0%", f"{COOPERATIVE_SHARE_TARGET}\xa0%"
    enterprise_goal = f"{ENTERPRISE_SHARE_TARGET}\xa0%"
    listed_rule = _("Products on sale today: active, from a verified producer, with a valid certificate of 3 "
                    "stars or more (the catalogue's own listing rule).")
    return [
        Target("listed_products", _("OCOP products of 3 stars or more listed"), listed_rule,
               _("%(count)s products (national target)", count=goal_text),
               f"{listed:,}".replace(",", "."), listed >= LISTED_PRODUCTS_TARGET, listed, None),
        Target("five_star_share", _("Share of 5-star products"),
               _("5-star products among the listed products above. Decision 919/QĐ-TTg speaks of about "
                 "400 to 500 five-star products out of 10.000; the program office follows it as a share."),
               _("at least %(share)s", share=five_goal),
               percent_text(five, listed) or _("no listed product"),
               five * 100 >= FIVE_STAR_SHARE_TARGET * listed if listed else None, five, listed),
        Target("cooperative_share", _("Share of producers that are cooperatives"),
               _("Verified producers of type cooperative (HTX) among all verified producers; cooperative "
                 "groups (THT) are not cooperatives."),
               _("at least %(share)s", share=cooperative_goal),
               percent_text(cooperatives, producers) or _("no verified producer"),
               cooperatives * 100 >= COOPERATIVE_SHARE_TARGET * producers if producers else None,
               cooperatives, producers),
        Target("enterprise_share", _("Share of producers that are SMEs or enterprises"),
               _("Verified producers of type enterprise (DN) among all verified producers."),
               _("at least %(share)s", share=enterprise_goal),
               percent_text(enterprises, producers) or _("no verified producer"),
               enterprises * 100 >= ENTERPRISE_SHARE_TARGET * producers if producers else None,
               enterprises, producers),
        Target("showroom_provinces", _("Provinces with an OCOP showroom on the platform"),
               _("Provinces with at least one open showroom that sells through the platform."),
               _("at least one per province (%(count)s)", count=provinces),
               _("%(covered)s of %(count)s", covered=covered, count=provinces), covered >= provinces,
               covered, provinces),
        Target("expiring_certificates", _("Certificates expiring in the next %(days)s days", days=EXPIRY_WINDOW_DAYS),
               _("Verified certificates whose 36-month validity ends between today and %(days)s days from "
                 "now (listed below): their products leave the catalogue unless re-evaluated.",
                 days=EXPIRY_WINDOW_DAYS),
               _("no target: a list to follow up"), str(expiring), None, expiring, None),
        Target("value_chain_share", _("Share of products in a closed value chain"),
               _("The platform does not record whether a product belongs to a closed value chain, so this "
                 "share cannot be computed here; it is not estimated."),
               _("at least %(share)s", share="30\xa0%"), "", None, None, None),
    ]


def producers_per_province(today: date | None = None) -> list[ProvinceCount]:
    """Verified producers, listed 3+ star products and open showrooms in each of the 34 provinces."""
    today = today or today_vn()
    producers = dict(db.session.execute(
        sa.select(Producer.province_code, sa.func.count()).where(
            Producer.verification_status == VerificationStatus.VERIFIED).group_by(Producer.province_code)).all())
    listed = dict(db.session.execute(
        sa.select(Producer.province_code, sa.func.count()).select_from(Product)
        .join(Producer, Producer.id == Product.producer_id).where(public_clause(today))
        .group_by(Producer.province_code)).all())
    showrooms = dict(db.session.execute(
        sa.select(Showroom.province_code, sa.func.count()).where(Showroom.is_active)
        .group_by(Showroom.province_code)).all())
    return [ProvinceCount(place.code, place.short_name, int(producers.get(place.code, 0)),
                          int(listed.get(place.code, 0)), int(showrooms.get(place.code, 0)))
            for place in geo.provinces()]


def expiring_certificates(today: date | None = None, days: int = EXPIRY_WINDOW_DAYS) -> list[ExpiringCertificate]:
    """Verified certificates whose validity ends from today to `days` days ahead, soonest first."""
    today = today or today_vn()
    rows = db.session.execute(
        sa.select(Certificate.id, Product.id, Product.name, Producer.name, Producer.province_code,
                  Certificate.star_level, Certificate.decision_number, Certificate.valid_until)
        .join(Product, Product.id == Certificate.product_id).join(Producer, Producer.id == Product.producer_id)
        .where(Certificate.status == CertificateStatus.VALID, Certificate.valid_until >= today,
               Certificate.valid_until <= today + timedelta(days=days))
        .order_by(Certificate.valid_until, Product.name)
    ).all()
    return [ExpiringCertificate(cid, pid, pname, producer, geo.province_name(province), stars, number, until,
                                (until - today).days)
            for cid, pid, pname, producer, province, stars, number, until in rows]
