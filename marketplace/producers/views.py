"""Public shop pages of producers."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template

from marketplace import cache
from marketplace.catalog import filtering, queries
from marketplace.extensions import db
from marketplace.pagination import page_count, paginate
from marketplace.producers.labels import producer_type_label
from marketplace.producers.models import Producer, VerificationStatus

bp = Blueprint("producers", __name__)


@bp.get("/<slug>")
@cache.page
def shop_detail(slug: str):
    """A verified producer's shop: story, type, province and its public products, a page at a time."""
    if not filtering.is_plausible_slug(slug, max_length=120):
        abort(404)
    producer = db.session.scalars(
        sa.select(Producer).where(Producer.slug == slug,
                                  Producer.verification_status == VerificationStatus.VERIFIED)
    ).first()
    if producer is None:
        abort(404)
    result = paginate(queries.shop_product_ids(producer), current_app.config["CATALOG_PAGE_SIZE"], past_last="404")
    return render_template(
        "producers/shop_detail.html",
        producer=producer, type_label=producer_type_label(producer.type),
        products=queries.cards(result.items), total=result.total, page=result.page, pages=page_count(result),
    )
