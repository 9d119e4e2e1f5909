"""The producer's demand page at /manage/demand: requests it was matched to, its offers and linkages."""

from flask import Blueprint, render_template

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.backoffice import producer_scope
from marketplace.extensions import db
from marketplace.linkage import queries

bp = Blueprint("linkage_manage", __name__)


@bp.get("")
@roles_required(Role.PRODUCER, Role.ADMIN)
def demand_page():
    """Open requests matched to the producer (best first by its rank), its offers and its linkages."""
    producer = producer_scope(required=True)
    matched = queries.matched_requests(producer.id)
    return render_template("linkage/manage/demand.html", producer=producer, matched=matched,
                           offers=queries.offers_of_producer(producer.id),
                           linkages=list(db.session.scalars(queries.linkages(producer_id=producer.id).limit(50))),
                           is_verified=producer.is_verified)
