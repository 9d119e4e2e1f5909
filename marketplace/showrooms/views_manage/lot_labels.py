"""A producer member's lots and their QR label sheets (print CSS, A4, 3 x 8 labels), each QR holding the
absolute URL of the lot's public traceability page. The member's own lots only: another's is a 404."""

from flask import abort, render_template

from marketplace.backoffice import producer_scope
from marketplace.inputs import arg_int
from marketplace.showrooms import traceability
from marketplace.showrooms.views import lot_qr_svg, lot_url

LABELS_PER_SHEET = 24
MAX_SHEETS = 20


def my_lots():
    producer = producer_scope(required=True)
    return render_template("showrooms/manage/producer_lots.html", producer=producer,
                           lots=traceability.producer_lots(producer.id))


def lot_label_sheet(code: str):
    """?sheets=<1..20> A4 sheets of the same label."""
    producer = producer_scope(required=True)
    lot = traceability.producer_lot(producer.id, code)
    if lot is None:
        abort(404)
    sheets = arg_int("sheets", minimum=1, maximum=MAX_SHEETS) or 1
    return render_template("showrooms/manage/lot_labels.html", producer=producer, lot=lot, product=lot.product,
                           qr=lot_qr_svg(lot), url=lot_url(lot), sheets=sheets, per_sheet=LABELS_PER_SHEET)
