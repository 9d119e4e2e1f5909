"""Shared steps for the demand board tests: a request's fields, a posted request, an offer."""

from datetime import timedelta

from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.linkage import offers, requests
from marketplace.producers.models import Producer
from tests.factories import make_user


def request_fields(**changes) -> dict:
    """Valid raw fields of a request, as the form sends them (needed_by already a date)."""
    fields = {"buyer_kind": "restaurant", "organisation": "Nhà hàng Sen Tây Hồ", "title": "Nước mắm cốt Phú Quốc",
              "details": "Can 5 lít, đạm 40 độ trở lên.", "group_code": "1.4", "quantity": "200", "unit": "can 5 lít",
              "target_price_vnd": "450000", "delivery_province_code": "1", "needed_by": today_vn() + timedelta(days=30),
              "contact_name": "Trần Thị Mai", "contact_phone": "0912 345 678", "contact_email": "mai@nhahangsen.example"}
    fields.update(changes)
    return fields


def post(author=None, **changes):
    """Publish a request (as a new consumer unless an author is given)."""
    author = author or make_user()
    return requests.post_request(author, requests.validate_request(request_fields(**changes)))


def offer(demand, member, *, price=430000, quantity=200, lead_time=7, product=None, message="Giao trong 7 ngày."):
    """A producer member's offer on the request."""
    details = offers.OfferDetails(unit_price_vnd=price, quantity=quantity, lead_time_days=lead_time, message=message,
                                  product_id=product.id if product else None)
    producer = db.session.get(Producer, member.producer_id)
    return offers.make_offer(demand, producer=producer, actor=member, details=details)
