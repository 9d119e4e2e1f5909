"""Schemas of the read API (/api/v1 GET endpoints): the query arguments each list accepts and the public shape of
each record. Only public fields are declared, so nothing else can leave: a schema dumps the attributes it names
and no other (no contact details of demand requests, no tax code, commission or staff of anyone).
"""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from marketplace.api.schemas import in_range, length, one_of
from marketplace.catalog.filtering import MAX_PRICE_VND, SORTS, STAR_LEVELS
from marketplace.text import MAX_QUERY_LENGTH

#: A Decision 148 sector ("1") or group ("1.4") code.
GROUP_CODE = validate.Regexp(r"^[0-9]{1,2}(\.[0-9]{1,2})?$", error=_l("A sector (1) or group (1.4) code."))
_PROVINCE = in_range(1, 999)
_ID = in_range(1, 2**31 - 1)


class _Query(Schema):
    """Query arguments: typed, validated (a wrong one is a 422 naming it)."""


class ProductQuery(_Query):
    q = fields.String(validate=length(high=MAX_QUERY_LENGTH),
                      metadata={"description": "Words to search for, with or without Vietnamese accents."})
    stars = fields.Integer(validate=one_of(STAR_LEVELS),
                           metadata={"description": "At least this many OCOP stars (3, 4 or 5)."})
    group = fields.String(validate=GROUP_CODE, metadata={"description": "A product group (1.4) or sector (1)."})
    province = fields.Integer(validate=_PROVINCE, metadata={"description": "The producer's province code."})
    min_price = fields.Integer(validate=in_range(0, MAX_PRICE_VND),
                               metadata={"description": "Lowest unit price in đồng."})
    max_price = fields.Integer(validate=in_range(0, MAX_PRICE_VND),
                               metadata={"description": "Highest unit price in đồng."})
    in_stock = fields.Boolean(metadata={"description": "Only products with units available online."})
    sort = fields.String(validate=one_of(SORTS),
                         metadata={"description": "relevance (the default with q), newest (the default "
                                                  "otherwise), price_asc, price_desc, stars, best_selling."})


class ProducerQuery(_Query):
    province = fields.Integer(validate=_PROVINCE, metadata={"description": "The producer's province code."})


class ShowroomQuery(_Query):
    commune = fields.Integer(validate=_ID, metadata={"description": "The showroom's commune (ward) code."})


class CertificateQuery(_Query):
    product = fields.String(validate=length(1, 160),
                            metadata={"description": "The product's slug."})
    stars = fields.Integer(validate=one_of(STAR_LEVELS), metadata={"description": "Exactly this many stars."})
    status = fields.String(validate=one_of(("valid", "expired", "revoked")),
                           metadata={"description": "valid, expired (past valid_until) or revoked."})


class DemandQuery(_Query):
    q = fields.String(validate=length(high=200), metadata={"description": "Words of the title or details."})
    group = fields.String(validate=GROUP_CODE, metadata={"description": "A product group (1.4) or sector (1)."})
    province = fields.Integer(validate=_PROVINCE, metadata={"description": "The delivery province code."})


class ProducerRef(Schema):
    slug = fields.String()
    name = fields.String()


class ProductCardOut(Schema):
    """A product as the catalogue lists it."""

    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    price = fields.Integer(metadata={"description": "Unit price in đồng (VND, no minor unit)."})
    unit = fields.String(metadata={"description": "The selling unit as printed, e.g. chai 500ml."})
    star_level = fields.Integer(metadata={"description": "OCOP stars of the current certificate (3-5)."})
    producer = fields.Nested(ProducerRef)
    province_code = fields.Integer()
    province = fields.String()
    available = fields.Integer(metadata={"description": "Units available to online buyers now."})
    in_stock = fields.Boolean()
    image = fields.String(allow_none=True, metadata={"description": "The main picture's thumbnail URL."})
    url = fields.String(metadata={"description": "The product's page."})


class CertificateOut(Schema):
    verification_code = fields.String(metadata={"description": "The code printed as a QR on the packaging."})
    product = fields.Nested(ProducerRef, metadata={"description": "The certified product (slug, name)."})
    producer = fields.Nested(ProducerRef)
    star_level = fields.Integer()
    score = fields.Integer(metadata={"description": "Evaluation score out of 100."})
    decision_number = fields.String()
    decision_date = fields.Date()
    valid_until = fields.Date()
    issuing_level = fields.String(metadata={"description": "district, province or ministry."})
    authority = fields.String()
    criteria_version = fields.String()
    is_potential_five_star = fields.Boolean()
    status = fields.String(metadata={"description": "valid, expired or revoked, as of today in Vietnam."})
    verify_url = fields.String(metadata={"description": "The public verification page."})


class ImageOut(Schema):
    url = fields.String()
    thumbnail = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    alt = fields.String()


class ShowroomRef(Schema):
    slug = fields.String()
    name = fields.String()


class ProductOut(ProductCardOut):
    """One product with its description, codes, pictures, certificate and the showrooms holding it."""

    description = fields.String()
    group_code = fields.String(metadata={"description": "Decision 148 product group, e.g. 1.4."})
    sku = fields.String()
    barcode = fields.String(allow_none=True)
    images = fields.List(fields.Nested(ImageOut))
    certificate = fields.Nested(CertificateOut, allow_none=True)
    showrooms = fields.List(fields.Nested(ShowroomRef), metadata={"description": "Active showrooms holding units."})


class ProducerOut(Schema):
    slug = fields.String()
    name = fields.String()
    legal_name = fields.String()
    type = fields.String(metadata={"description": "HTX (cooperative), THT (cooperative group), DN (enterprise), "
                                                  "HKD (household business)."})
    province_code = fields.Integer()
    province = fields.String()
    address = fields.String()
    story = fields.String()
    logo = fields.String(allow_none=True)
    url = fields.String(metadata={"description": "The shop's page."})


class ShowroomOut(Schema):
    slug = fields.String()
    name = fields.String()
    province_code = fields.Integer()
    commune_code = fields.Integer()
    address = fields.String()
    opening_hours = fields.String()
    phone = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    map_url = fields.String(metadata={"description": "OpenStreetMap at the showroom, empty without a point."})


class CampaignOut(Schema):
    slug = fields.String()
    title = fields.String()
    summary = fields.String()
    story = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    selection = fields.String(metadata={"description": "chosen (by the office) or rule (stars/province/group)."})
    banner = fields.String(allow_none=True)
    url = fields.String()


class CampaignDetailOut(CampaignOut):
    products = fields.List(fields.Nested(ProductCardOut), metadata={"description": "Its public products (at most 48)."})


class DemandRequestOut(Schema):
    """A request on the demand board: what is wanted, never who to contact."""

    id = fields.Integer()
    title = fields.String()
    details = fields.String()
    group_code = fields.String()
    buyer_kind = fields.String()
    organisation = fields.String()
    quantity = fields.Integer()
    unit = fields.String()
    target_price = fields.Integer(allow_none=True, metadata={"description": "Hoped-for unit price in đồng."})
    delivery_province_code = fields.Integer()
    delivery_province = fields.String()
    needed_by = fields.Date()
    status = fields.String(metadata={"description": "open, linked, closed or expired."})
    created_at = fields.DateTime()
    url = fields.String()
