"""The read API's endpoints: GET /api/v1/{products, producers, showrooms, certificates, campaigns, demand-requests}.

Each list shows exactly what the matching public page shows, through the owning package's own queries:
products through the catalogue (catalog.filtering.parse_filters and catalog.queries.catalog_page: the same
listing rule, filters, search and sorts as /products), a shop's products through catalog.queries, showrooms
through showrooms.services.public_showrooms, campaigns through promotions.campaigns (shown today, not hidden),
demand requests through linkage.queries.public_requests (open ones; one request unless hidden, never its
contact details). Producers are the verified ones; certificates are the office-decided ones (valid, expired
or revoked) of verified producers' non-draft products. Pages, ETags and errors: see api.reading. The blueprint is
its own (api_read): the till's (api, views.py) authenticates every request it gets, these take no token.
"""

import sqlalchemy as sa
from flask_login import AnonymousUserMixin
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from marketplace import geo
from marketplace.api.read_schemas import (
    CampaignDetailOut,
    CampaignOut,
    CertificateOut,
    CertificateQuery,
    DemandQuery,
    DemandRequestOut,
    ProducerOut,
    ProducerQuery,
    ProductCardOut,
    ProductOut,
    ProductQuery,
    ShowroomOut,
    ShowroomQuery,
)
from marketplace.api.reading import (
    PageNotFound,
    ReadBlueprint,
    install,
    not_found,
    page_of,
    page_of_statement,
    paged,
)
from marketplace.api.schemas import ErrorOut
from marketplace.catalog import filtering, queries
from marketplace.catalog.listing import public_clause
from marketplace.catalog.models import Certificate, Product
from marketplace.catalog.status import CertificateStatus, ProductStatus
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.linkage import policies as linkage_policies
from marketplace.linkage import queries as linkage_queries
from marketplace.linkage.models import DemandRequest
from marketplace.producers.models import Producer, VerificationStatus
from marketplace.promotions import campaigns
from marketplace.showrooms import services as showroom_services
from marketplace.storage import media_url
from marketplace.urls import absolute, external_url

blp = install(ReadBlueprint(
    "api_read", __name__, url_prefix="/api/v1",
    description="Public reads: the catalogue, producers, showrooms, certificates, campaigns and the demand board "
                "(public fields only)."))

#: The most campaigns shown at once (a handful run at a time).
MAX_CAMPAIGNS = 500

_ERRORS = ((404, "Nothing public with this address, or a page past the last."),
           (422, "A query argument is not valid (details name it)."),
           (429, "Too many requests from this address: slow down."))


def _documented_errors(func):
    for status, description in _ERRORS:
        func = blp.alt_response(status, schema=ErrorOut, description=description)(func)
    return func


def _media(key: str | None) -> str | None:
    return absolute(media_url(key)) if key else None


def _card(card: queries.ProductCard) -> dict:
    return {"id": card.id, "slug": card.slug, "name": card.name, "price": card.price_vnd, "unit": card.unit,
            "star_level": card.star_level, "producer": {"slug": card.producer_slug, "name": card.producer_name},
            "province_code": card.province_code, "province": geo.province_name(card.province_code),
            "available": card.available, "in_stock": card.in_stock, "image": _media(card.thumb_key),
            "url": external_url("catalog.product_detail", slug=card.slug)}


def _certificate(certificate: Certificate, product: Product, producer: Producer) -> dict:
    return {"verification_code": certificate.verification_code,
            "product": {"slug": product.slug, "name": product.name},
            "producer": {"slug": producer.slug, "name": producer.name},
            "star_level": certificate.star_level, "score": certificate.score,
            "decision_number": certificate.decision_number, "decision_date": certificate.decision_date,
            "valid_until": certificate.valid_until, "issuing_level": certificate.issuing_level.value,
            "authority": certificate.authority, "criteria_version": certificate.criteria_version,
            "is_potential_five_star": certificate.is_potential_five_star,
            "status": certificate.effective_status(),
            "verify_url": external_url("catalog.certificate_verify", code=certificate.verification_code)}


def _producer(producer: Producer) -> dict:
    return {"slug": producer.slug, "name": producer.name, "legal_name": producer.legal_name,
            "type": producer.type.value, "province_code": producer.province_code,
            "province": geo.province_name(producer.province_code), "address": producer.address,
            "story": producer.story or "", "logo": _media(producer.logo_key),
            "url": external_url("producers.shop_detail", slug=producer.slug)}


def _showroom(showroom) -> dict:
    return {"slug": showroom.slug, "name": showroom.name, "province_code": showroom.province_code,
            "commune_code": showroom.ward_code, "address": showroom_services.full_address(showroom),
            "opening_hours": showroom.opening_hours or "", "phone": showroom.phone or "",
            "latitude": showroom.latitude, "longitude": showroom.longitude,
            "map_url": showroom_services.map_url(showroom)}


def _campaign(campaign) -> dict:
    return {"slug": campaign.slug, "title": campaign.title, "summary": campaign.summary or "",
            "story": campaign.story or "", "starts_on": campaign.starts_on, "ends_on": campaign.ends_on,
            "selection": campaign.selection.value, "banner": _media(campaign.banner_key),
            "url": external_url("promotions.campaign_detail", slug=campaign.slug)}


def _demand(demand: DemandRequest) -> dict:
    return {"id": demand.id, "title": demand.title, "details": demand.details or "", "group_code": demand.group_code,
            "buyer_kind": demand.buyer_kind.value, "organisation": demand.organisation or "",
            "quantity": demand.quantity, "unit": demand.unit, "target_price": demand.target_price_vnd,
            "delivery_province_code": demand.delivery_province_code,
            "delivery_province": geo.province_name(demand.delivery_province_code),
            "needed_by": demand.needed_by, "status": demand.status.value, "created_at": demand.created_at,
            "url": external_url("linkage.request_detail", request_id=demand.id)}


# --- Products --------------------------------------------------------------------------------------------

@blp.route("/products")
@blp.etag
@blp.arguments(ProductQuery, location="query", as_kwargs=True)
@blp.response(200, ProductCardOut(many=True), description="A page of public products.")
@blp.paginate()
@_documented_errors
def product_list(pagination_parameters, **query):
    """Public products with the catalogue's filters, search and sorts (as /products)."""
    args = {key: str(value) for key, value in query.items() if key != "in_stock"}
    if query.get("in_stock"):
        args["in_stock"] = "1"
    args["page"] = str(pagination_parameters.page)
    page = queries.catalog_page(filtering.parse_filters(args), pagination_parameters.page_size)
    if page is None:
        raise PageNotFound(pagination_parameters.page)
    paged(page.total, pagination_parameters)
    return [_card(card) for card in page.products]


@blp.route("/products/<slug>")
@blp.etag
@blp.response(200, ProductOut, description="A public product.")
@_documented_errors
def product_detail(slug: str):
    """One public product with its certificate, pictures and the showrooms holding it."""
    if not filtering.is_plausible_slug(slug):
        not_found("product")
    product = db.session.scalars(
        sa.select(Product).join(Product.producer)
        .options(contains_eager(Product.producer),
                 joinedload(Product.current_certificate), selectinload(Product.images))
        .where(Product.slug == slug, public_clause())).unique().first()
    if product is None:
        not_found("product")
    card = queries.cards([product.id])[0]
    certificate = product.current_certificate
    return {**_card(card), "description": product.description or "", "group_code": product.group_code,
            "sku": product.sku, "barcode": product.barcode,
            "images": [{"url": _media(image.storage_key), "thumbnail": _media(image.thumb_key),
                        "width": image.width, "height": image.height, "alt": image.alt or ""}
                       for image in product.images],
            "certificate": _certificate(certificate, product, product.producer) if certificate else None,
            "showrooms": [{"slug": s.slug, "name": s.name} for s in showroom_services.showrooms_holding(product.id)]}


# --- Producers -------------------------------------------------------------------------------------------

def _verified_producer(slug: str) -> Producer:
    producer = None
    if filtering.is_plausible_slug(slug, max_length=120):
        producer = db.session.scalar(sa.select(Producer).where(
            Producer.slug == slug, Producer.verification_status == VerificationStatus.VERIFIED))
    if producer is None:
        not_found("producer")
    return producer


@blp.route("/producers")
@blp.etag
@blp.arguments(ProducerQuery, location="query", as_kwargs=True)
@blp.response(200, ProducerOut(many=True), description="A page of verified producers, by name.")
@blp.paginate()
@_documented_errors
def producer_list(pagination_parameters, province: int | None = None):
    """Verified producers (OCOP subjects), by name; optionally of one province."""
    statement = sa.select(Producer).where(Producer.verification_status == VerificationStatus.VERIFIED)
    if province is not None:
        statement = statement.where(Producer.province_code == province)
    rows = page_of_statement(statement.order_by(Producer.name, Producer.id), pagination_parameters)
    return [_producer(producer) for producer in rows]


@blp.route("/producers/<slug>")
@blp.etag
@blp.response(200, ProducerOut, description="A verified producer.")
@_documented_errors
def producer_detail(slug: str):
    """One verified producer's public profile."""
    return _producer(_verified_producer(slug))


@blp.route("/producers/<slug>/products")
@blp.etag
@blp.response(200, ProductCardOut(many=True), description="A page of the producer's public products.")
@blp.paginate()
@_documented_errors
def producer_products(slug: str, pagination_parameters):
    """A verified producer's public products, newest first (as its shop page)."""
    producer = _verified_producer(slug)
    ids = page_of_statement(queries.shop_product_ids(producer), pagination_parameters)
    return [_card(card) for card in queries.cards(ids)]


# --- Showrooms -------------------------------------------------------------------------------------------

@blp.route("/showrooms")
@blp.etag
@blp.arguments(ShowroomQuery, location="query", as_kwargs=True)
@blp.response(200, ShowroomOut(many=True), description="A page of active showrooms, by name.")
@blp.paginate()
@_documented_errors
def showroom_list(pagination_parameters, commune: int | None = None):
    """Active OCOP showrooms with address, hours, phone and map point; optionally of one commune."""
    return [_showroom(s) for s in page_of(showroom_services.public_showrooms(commune), pagination_parameters)]


@blp.route("/showrooms/<slug>")
@blp.etag
@blp.response(200, ShowroomOut, description="An active showroom.")
@_documented_errors
def showroom_detail(slug: str):
    """One active showroom."""
    showroom = next((s for s in showroom_services.public_showrooms() if s.slug == slug), None)
    if showroom is None:
        not_found("showroom")
    return _showroom(showroom)


# --- Certificates ----------------------------------------------------------------------------------------

def _published_certificates() -> sa.Select:
    """Certificates the program office decided on (valid or revoked) of verified producers' non-draft products,
    with their product and producer."""
    return (sa.select(Certificate).join(Certificate.product).join(Product.producer)
            .options(contains_eager(Certificate.product).contains_eager(Product.producer))
            .where(Certificate.status.in_((CertificateStatus.VALID, CertificateStatus.REVOKED)),
                   Product.status != ProductStatus.DRAFT,
                   Producer.verification_status == VerificationStatus.VERIFIED))


@blp.route("/certificates")
@blp.etag
@blp.arguments(CertificateQuery, location="query", as_kwargs=True)
@blp.response(200, CertificateOut(many=True), description="A page of certificates, newest decision first.")
@blp.paginate()
@_documented_errors
def certificate_list(pagination_parameters, product: str | None = None, stars: int | None = None,
                     status: str | None = None):
    """OCOP certificates of verified producers' products; by product, stars or status (as of today)."""
    statement = _published_certificates()
    if product is not None:
        statement = statement.where(Product.slug == product)
    if stars is not None:
        statement = statement.where(Certificate.star_level == stars)
    today = today_vn()
    if status == "revoked":
        statement = statement.where(Certificate.status == CertificateStatus.REVOKED)
    elif status == "valid":
        statement = statement.where(Certificate.status == CertificateStatus.VALID, Certificate.valid_until >= today)
    elif status == "expired":
        statement = statement.where(Certificate.status == CertificateStatus.VALID, Certificate.valid_until < today)
    rows = page_of_statement(statement.order_by(Certificate.decision_date.desc(), Certificate.id.desc()),
                             pagination_parameters)
    return [_certificate(c, c.product, c.product.producer) for c in rows]


@blp.route("/certificates/<code>")
@blp.etag
@blp.response(200, CertificateOut, description="A certificate, by the code printed on the packaging.")
@_documented_errors
def certificate_detail(code: str):
    """One certificate by its verification code (the QR on the packaging): is it valid today?"""
    certificate = None
    if 0 < len(code) <= 32 and code.isprintable():
        certificate = db.session.scalars(
            _published_certificates().where(Certificate.verification_code == code)).unique().first()
    if certificate is None:
        not_found("certificate")
    return _certificate(certificate, certificate.product, certificate.product.producer)


# --- Campaigns -------------------------------------------------------------------------------------------

@blp.route("/campaigns")
@blp.etag
@blp.response(200, CampaignOut(many=True), description="A page of the campaigns running today, newest first.")
@blp.paginate()
@_documented_errors
def campaign_list(pagination_parameters):
    """Campaigns and collections running today (not hidden)."""
    running = campaigns.active_campaigns(today_vn(), limit=MAX_CAMPAIGNS)
    return [_campaign(campaign) for campaign in page_of(running, pagination_parameters)]


@blp.route("/campaigns/<slug>")
@blp.etag
@blp.response(200, CampaignDetailOut, description="A campaign running today, with its public products.")
@_documented_errors
def campaign_detail(slug: str):
    """One campaign while it runs, with its public products (at most 48)."""
    campaign = campaigns.public_campaign(slug, today_vn()) if filtering.is_plausible_slug(slug, 120) else None
    if campaign is None:
        not_found("campaign")
    return {**_campaign(campaign), "products": [_card(card) for card in campaigns.product_cards(campaign)]}


# --- Demand requests -------------------------------------------------------------------------------------

@blp.route("/demand-requests")
@blp.etag
@blp.arguments(DemandQuery, location="query", as_kwargs=True)
@blp.response(200, DemandRequestOut(many=True), description="A page of open requests, newest first.")
@blp.paginate()
@_documented_errors
def demand_list(pagination_parameters, q: str = "", group: str | None = None, province: int | None = None):
    """Open requests of the demand board (what is wanted, never who to contact)."""
    statement = linkage_queries.public_requests(group_code=group, province_code=province, query=q)
    return [_demand(demand) for demand in page_of_statement(statement, pagination_parameters)]


@blp.route("/demand-requests/<int:request_id>")
@blp.etag
@blp.response(200, DemandRequestOut, description="A request of the demand board (not hidden).")
@_documented_errors
def demand_detail(request_id: int):
    """One request, open or not, unless the program office hid it; never its contact details."""
    demand = db.session.get(DemandRequest, request_id)
    if demand is None or not linkage_policies.can_see_request(AnonymousUserMixin(), demand):
        not_found("demand request")
    return _demand(demand)
