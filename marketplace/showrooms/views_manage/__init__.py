"""The showroom back office under /manage: staff screens under /manage/showrooms/<id>/..., a producer
member's consignments under /manage/consignments and lot labels under /manage/lots, and the staff
invitation link.

The blueprint and its URL table; the screens live in one module per audience (staff, the till `pos`, its `close`, the
click-and-collect `pickups`, producer,
invitation),
the object loaders in `loaders`, the form-row readers in `forms_lines`.
"""

from flask import Blueprint

from marketplace.accounts.models import Role
from marketplace.accounts.policies import roles_required
from marketplace.extensions import limiter
from marketplace.showrooms.views_manage import close, invitation, lot_labels, pickups, pos, producer, staff

bp = Blueprint("showrooms_manage", __name__)

_GET, _POST, _FORM = ["GET"], ["POST"], ["GET", "POST"]
_STAFF = roles_required(Role.SHOWROOM_STAFF, Role.ADMIN)
_MEMBERS = roles_required(Role.PRODUCER)
for rule, view, methods, guard in (
    ("/showrooms", staff.my_showrooms, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>", staff.showroom_stock, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>/expiring", staff.expiring, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>/consignments", staff.consignment_list, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>/consignments/new", staff.consignment_new, _FORM, _STAFF),
    ("/showrooms/<int:showroom_id>/consignments/<int:consignment_id>", staff.consignment_detail, _FORM, _STAFF),
    ("/showrooms/<int:showroom_id>/consignments/<int:consignment_id>/cancel", staff.consignment_cancel, _POST,
     _STAFF),
    ("/showrooms/<int:showroom_id>/returns/new", staff.return_new, _FORM, _STAFF),
    ("/showrooms/<int:showroom_id>/count", staff.stock_count, _FORM, _STAFF),
    ("/showrooms/<int:showroom_id>/pos", pos.pos, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>/pos/lookup", pos.pos_lookup, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>/pos/sales", pos.pos_post_sale, _POST, _STAFF),
    ("/showrooms/<int:showroom_id>/pos/sales/<int:sale_id>", pos.pos_sale, _FORM, _STAFF),
    ("/showrooms/<int:showroom_id>/pos/sales/<int:sale_id>/void", pos.pos_void, _POST, _STAFF),
    ("/showrooms/<int:showroom_id>/pos/today", pos.pos_day, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>/pos/today.<fmt>", pos.pos_export, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>/pos/discarded", pos.pos_discarded, _FORM, _STAFF),
    ("/showrooms/<int:showroom_id>/pickups", pickups.pickup_list, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>/pickups/<int:producer_order_id>", pickups.pickup_detail, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>/pickups/<int:producer_order_id>/ready", pickups.pickup_ready, _POST, _STAFF),
    ("/showrooms/<int:showroom_id>/pickups/<int:producer_order_id>/hand-over", pickups.pickup_hand_over, _POST,
     _STAFF),
    ("/showrooms/<int:showroom_id>/pickups/<int:producer_order_id>/cancel", pickups.pickup_cancel, _POST, _STAFF),
    ("/showrooms/<int:showroom_id>/close", close.close_list, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>/close/new", close.close_new, _FORM, _STAFF),
    ("/showrooms/<int:showroom_id>/close/<int:close_id>", close.close_report, _GET, _STAFF),
    ("/showrooms/<int:showroom_id>/close/<int:close_id>/correct", close.close_correct, _POST, _STAFF),
    ("/consignments", producer.producer_consignments, _GET, _MEMBERS),
    ("/consignments/new", producer.producer_consignment_new, _FORM, _MEMBERS),
    ("/consignments/<int:consignment_id>", producer.producer_consignment_detail, _GET, _MEMBERS),
    ("/consignments/<int:consignment_id>/cancel", producer.producer_consignment_cancel, _POST, _MEMBERS),
    ("/lots", lot_labels.my_lots, _GET, _MEMBERS),
    ("/lots/<code>/labels", lot_labels.lot_label_sheet, _GET, _MEMBERS),
    ("/showrooms/invitations/<token>", limiter.limit("10/minute", methods=["POST"])(invitation.invitation_accept),
     _FORM, None),
):
    bp.add_url_rule(rule, endpoint=view.__name__, view_func=guard(view) if guard else view, methods=methods)
