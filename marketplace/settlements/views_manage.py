"""The producer's own statements: what it was paid (or owes) per period, and what is not settled yet."""

from flask import Blueprint, render_template
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.backoffice import producer_scope
from marketplace.dates import period_bounds
from marketplace.settlements import fees, services

bp = Blueprint("settlements_manage", __name__)


@bp.get("")
@roles_required(Role.PRODUCER, Role.ADMIN)
def statement_list():
    """The producer's statements, newest first, and the sales not settled yet."""
    producer = producer_scope(required=True)
    statements = services.producer_statements(producer.id)
    unsettled_count, unsettled_vnd = services.unsettled_total(producer.id)
    return render_template("settlements/statement_list.html", producer=producer, statements=statements,
                           unsettled_count=unsettled_count, unsettled_vnd=unsettled_vnd,
                           commission_rate_bp=fees.commission_rate_for(producer))


@bp.get("/<int:statement_id>")
@roles_required(Role.PRODUCER, Role.ADMIN)
def statement_detail(statement_id: int):
    """One of the producer's statements (404 for any other producer's, so ids cannot be probed)."""
    statement = services.statement_for(current_user, statement_id)
    return render_template(
        "settlements/statement_detail.html", statement=statement, entries=services.statement_entries(statement),
        admin=False, bank_reference="", error=None, void_reason="", void_error=None,
        period_start_utc=period_bounds(statement.period_start, statement.period_end)[0],
        producer_collected=fees.is_producer_collected,
    )
