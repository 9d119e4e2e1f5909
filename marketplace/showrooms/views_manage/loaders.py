"""The one loader per kind of object of the showroom back office; each answers 404 (no hint that the object
exists) when it is missing or not the signed-in user's, and 403 when a clerk asks for a manager's action."""

from flask import abort
from flask_login import current_user

from marketplace.backoffice import producer_scope
from marketplace.extensions import db
from marketplace.showrooms import consignments, policies
from marketplace.showrooms.models import Consignment, Showroom


def staff_showroom(showroom_id: int, *, manager: bool = False) -> Showroom:
    """A showroom the signed-in user works in (admins: any). `manager` actions refuse clerks with 403."""
    showroom = db.session.get(Showroom, showroom_id)
    if showroom is None or not policies.may_work_in(current_user, showroom.id):
        abort(404)
    if manager and not policies.may_manage(current_user, showroom.id):
        abort(403)
    return showroom


def is_manager(showroom: Showroom) -> bool:
    """True for the showroom's managers and for admins (templates show the manager's buttons by it)."""
    return policies.may_manage(current_user, showroom.id)


def showroom_consignment(showroom: Showroom, consignment_id: int) -> Consignment:
    """A consignment of this showroom (with its lines and events)."""
    consignment = consignments.get_consignment(consignment_id)
    if consignment is None or consignment.showroom_id != showroom.id:
        abort(404)
    return consignment


def producer_consignment(consignment_id: int) -> Consignment:
    """A consignment of the signed-in member's producer."""
    producer = producer_scope(required=True)
    consignment = consignments.get_consignment(consignment_id)
    if consignment is None or consignment.producer_id != producer.id:
        abort(404)
    return consignment
