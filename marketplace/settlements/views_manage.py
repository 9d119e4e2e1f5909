"""The producer's own statements: what it was paid (or owes) per period, and what is not settled yet."""

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import can_manage_producer, roles_required
from marketplace.backoffice import producer_scope
from marketplace.dates import period_bounds
from marketplace.extensions import db
from marketplace.settlements import services
from marketplace.settlements.models import Statement

bp = Blueprint("settlements_manage", __name__)


@bp.get("")
@roles_required(Role.PRODUCER, Role.ADMIN)
def statement_list():
    """The producer's statements, newest first, and the sales not settled yet."""
    producer = producer_scope(required=True)
    statements = list(db.session.scalars(
        sa.select(Statement).where(Statement.producer_id == producer.id)
        .order_by(Statement.period_end.desc(), Statement.id.desc())))
    unsettled_count, unsettled_vnd = services.unsettled_total(producer.id)
    return render_template("settlements/statement_list.html", producer=producer, statements=statements,
                           unsettled_count=unsettled_count, unsettled_vnd=unsettled_vnd,
                           commission_rate_bp=services.commission_rate_for(producer))


@bp.get("/<int:statement_id>")
@roles_required(Role.PRODUCER, Role.ADMIN)
def statement_detail(statement_id: int):
    """One of the producer's statements (404 for any other producer's, so ids cannot be probed)."""
    statement = db.session.get(Statement, statement_id)
    if statement is None or not can_manage_producer(current_user, statement.producer_id):
        abort(404)
    return render_template(
        "settlements/statement_detail.html", statement=statement, entries=services.statement_entries(statement),
        admin=False, bank_reference="", error=None, void_reason="", void_error=None,
        period_start_utc=period_bounds(statement.period_start, statement.period_end)[0],
        producer_collected=services.is_producer_collected,
    )
