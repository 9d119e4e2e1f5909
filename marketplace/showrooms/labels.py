"""What people read for each showroom enum value, in both languages: one label function per enum."""

from flask_babel import gettext as _
from flask_babel import pgettext

from marketplace.showrooms.models import ConsignmentKind, PaymentMethod, StaffRole
from marketplace.showrooms.status import ConsignmentStatus, PosSaleStatus


def staff_role_label(role: StaffRole | str) -> str:
    labels = {StaffRole.MANAGER: pgettext("showroom staff", "Manager"),
              StaffRole.CLERK: pgettext("showroom staff", "Clerk")}
    return labels.get(StaffRole(role), str(role))


def consignment_kind_label(kind: ConsignmentKind | str) -> str:
    labels = {ConsignmentKind.DELIVERY: _("Delivery to the showroom"),
              ConsignmentKind.RETURN: _("Return to the producer")}
    return labels.get(ConsignmentKind(kind), str(kind))


def consignment_status_label(status: ConsignmentStatus | str, kind: ConsignmentKind | str | None = None) -> str:
    """A return that is "received" was handed back to the producer: it says so."""
    status = ConsignmentStatus(status)
    if status == ConsignmentStatus.RECEIVED and kind is not None and ConsignmentKind(kind) == ConsignmentKind.RETURN:
        return _("Handed back")
    labels = {ConsignmentStatus.RECORDED: pgettext("consignment", "Recorded, awaiting receipt"),
              ConsignmentStatus.RECEIVED: pgettext("consignment", "Received"),
              ConsignmentStatus.CANCELLED: pgettext("consignment", "Cancelled")}
    return labels[status]


def payment_method_label(method: PaymentMethod | str) -> str:
    labels = {PaymentMethod.CASH: _("Cash"), PaymentMethod.BANK_TRANSFER: _("Bank transfer (VietQR)"),
              PaymentMethod.CARD: _("Card terminal")}
    return labels.get(PaymentMethod(method), str(method))


def sale_status_label(status: PosSaleStatus | str) -> str:
    labels = {PosSaleStatus.COMPLETED: pgettext("till sale", "Completed"),
              PosSaleStatus.VOIDED: pgettext("till sale", "Voided")}
    return labels[PosSaleStatus(status)]
