"""Public catalogue: home, product list with facets, search, suggestions, product pages, and the public
verification page of a certificate (/verify/<code>, printed as a QR code on packaging) with its QR files."""

import io
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import segno
import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import contains_eager, joinedload

from marketplace import cache, geo
from marketplace.catalog import categories, facets, filtering, queries, search
from marketplace.catalog.listing import public_clause
from marketplace.catalog.models import Certificate, Product
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.i18n import current_language
from marketplace.money import format_vnd
from marketplace.questions import services as question_services
from marketplace.reviews import services as review_services
from marketplace.reviews.views import product_review_panel
from marketplace.showrooms import services as showroom_services
from marketplace.signals import recording as signal_recording
from marketplace.stock.services import online_quantity_column
from marketplace.urls import absolute, external_url

bp = Blueprint("catalog", __name__)

#: How many suggestions the search box shows.
SUGGESTION_LIMIT = 8


def sort_labels() -> dict[str, str]:
    """The sort options in the current language."""
    return {
        "relevance": _("Most relevant"), "newest": _("Newest"), "price_asc": _("Price: low to high"),
        "price_desc": _("Price: high to low"), "stars": _("Most stars"), "best_selling": _("Best selling"),
    }


def price_range_label(low: int | None, high: int | None) -> str:
    """A price-facet range: 'Under 100.000 ₫', '100.000 ₫ – 199.999 ₫', 'From 1.000.000 ₫'."""
    if low is None and high is not None:
        return _("Under %(amount)s", amount=format_vnd(high + 1))
    return price_filter_label(low, high)


def price_filter_label(low: int | None, high: int | None) -> str:
    """A typed price filter: 'From 50.000 ₫', 'Up to 300.000 ₫' or '50.000 ₫ – 300.000 ₫'."""
    if high is None:
        return _("From %(amount)s", amount=format_vnd(low))
    if low is None:
        return _("Up to %(amount)s", amount=format_vnd(high))
    return f"{format_vnd(low)} – {format_vnd(high)}"


def group_label(code: str) -> str:
    """The name of a group or sector in the current language."""
    category = categories.get(code)
    return category.name(current_language()) if category else code


def filter_chips(filters: filtering.CatalogFilters) -> list[tuple[str, dict]]:
    """(label, query arguments without that filter) for every active filter."""
    chips = []
    if filters.q:
        chips.append((_("Search: %(q)s", q=filters.q), filters.args(q="", sort=None)))
    if filters.stars:
        label = _("5 stars") if filters.stars == 5 else _("%(stars)s stars and up", stars=filters.stars)
        chips.append((label, filters.args(stars=None)))
    if filters.group:
        chips.append((group_label(filters.group), filters.args(group=None)))
    if filters.province:
        chips.append((geo.province_name(filters.province), filters.args(province=None)))
    if filters.min_price is not None or filters.max_price is not None:
        chips.append((price_filter_label(filters.min_price, filters.max_price),
                       filters.args(min_price=None, max_price=None)))
    if filters.in_stock:
        chips.append((_("In stock"), filters.args(in_stock=False)))
    return chips


def catalogue_url_builder():
    """list_url(args) -> '/products?...': the catalogue links of one page without a url_for per facet link."""
    base = url_for("catalog.product_list")

    def list_url(args: dict) -> str:
        return f"{base}?{urlencode(args)}" if args else base

    return list_url


@bp.context_processor
def catalog_helpers() -> dict:
    return {"group_label": group_label}


@bp.app_template_global()
def card_words() -> dict[str, Markup]:
    """What every product card of a page says, translated once per page (templates/catalog/_product_card.html);
    save and remove are formats that take the product's name (`words.save % {"name": card.name}`, escaped as
    the template's own gettext would)."""
    words = getattr(request, "_card_words", None)  # on the request: an app context may outlive it (tests)
    if words is None:
        words = {key: Markup(text) for key, text in (  # noqa: S704 our own catalogue's words, as templates take them
            ("save", _("Save %(name)s to my wishlist")), ("remove", _("Remove %(name)s from my wishlist")),
            ("saved", _("Saved")), ("save_title", _("Save to wishlist")), ("out_of_stock", _("Out of stock")))}
        request._card_words = words
    return words


@dataclass(frozen=True, slots=True)
class CardLinks:
    """The two links of a product card, from prefixes built once per page instead of two url_for per card."""

    product_prefix: str
    #: The wishlist button's form action, to which the product id is appended.
    save: str

    def product(self, slug: str) -> str:
        return self.product_prefix + quote(slug, safe=SEGMENT_SAFE)


#: What werkzeug's default converter leaves unquoted in a path segment (url_for builds slugs the same way).
SEGMENT_SAFE = "!$&'()*+,/:;=@"


@bp.app_template_global()
def card_links() -> CardLinks:
    """The card links of the page being drawn (catalog.product_detail and wishlists.saved_toggle)."""
    links = getattr(request, "_card_links", None)
    if links is None:
        links = CardLinks(_prefix(url_for("catalog.product_detail", slug="x"), "x"),
                          _prefix(url_for("wishlists.saved_toggle", product_id=1), "1"))
        request._card_links = links
    return links


def _prefix(url: str, sample: str) -> str:
    if not url.endswith("/" + sample):
        raise RuntimeError(f"{url} does not end with its last argument")
    return url[:-len(sample)]


@bp.get("/")
@cache.page
def home():
    """Featured and newest 5-star products, and the ways in: by product group and by province."""
    group_counts, province_counts = facets.browse_counts()
    featured, five_star = queries.home_cards()
    return render_template(
        "catalog/home.html",
        featured=featured,
        five_star=five_star,
        groups=categories.groups(),
        group_counts=group_counts,
        province_counts=[(place, province_counts[place.code]) for place in geo.provinces()
                         if place.code in province_counts],
    )


@bp.get("/products")
@cache.page
def product_list():
    """The catalogue: filters, facets with counts, sort and pages, all held in the query string."""
    filters = filtering.parse_filters(request.args)
    result = queries.catalog_page(filters, current_app.config["CATALOG_PAGE_SIZE"])
    if result is None:
        abort(404)
    if filters.q and result.total == 0 and queries.search_alone_finds_nothing(filters):
        cache.do_not_store()  # every such search is counted (demand signals): never answered from the cache
        missed = search.record_zero_result_search(filters.q, current_language())
        if missed is not None:
            signal_recording.note_search_province(missed, current_user if current_user.is_authenticated else None)
            db.session.commit()
    facets = result.facets
    return render_template(
        "catalog/product_list.html",
        filters=filters, result=result, facets=facets, search_query=filters.q,
        chips=filter_chips(filters), sort_labels=sort_labels(), price_range_label=price_range_label,
        sectors=categories.SECTORS,
        provinces=[(place, facets.provinces[place.code]) for place in geo.provinces() if place.code in facets.provinces],
        list_url=catalogue_url_builder(),
    )


@bp.get("/search", endpoint="search")
def search_redirect():
    """/search?q=... leads to the catalogue with that query."""
    q = filtering.clean_query(request.args.get("q", ""))
    return redirect(url_for("catalog.product_list", q=q or None), code=302)


@bp.get("/search/suggest")
def search_suggest():
    """Up to 8 products for the search box, as JSON {"suggestions": [{"name", "url", "meta"}]}.

    Nothing in them is anyone's own, so every visitor shares them: kept in the cache layer per typed text
    until anything a page shows changes (names, prices, what is listed, the best-selling order).
    """
    typed = filtering.clean_query(request.args.get("q", ""))

    def compute() -> list[dict]:
        return [
            {"name": product.name, "url": url_for("catalog.product_detail", slug=product.slug),
             "meta": f"{format_vnd(product.price_vnd)} · {geo.province_name(product.province_code)}"}
            for product in queries.suggestions(typed, SUGGESTION_LIMIT)
        ]

    return jsonify(suggestions=cache.remember("suggest", typed, compute, scope=cache.PAGES))


def product_json_ld(product: Product, in_stock: bool) -> dict:
    """schema.org Product data for search engines."""
    media_url = current_app.jinja_env.globals.get("media_url")
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description or product.name,
        "sku": product.sku,
        "category": group_label(product.group_code),
        "brand": {"@type": "Brand", "name": product.producer.name},
        "url": external_url("catalog.product_detail", slug=product.slug),
        "offers": {
            "@type": "Offer",
            "price": product.price_vnd,
            "priceCurrency": "VND",
            "availability": "https://schema.org/InStock" if in_stock else "https://schema.org/OutOfStock",
            "seller": {"@type": "Organization", "name": product.producer.name},
        },
    }
    if product.barcode:
        data["gtin13"] = product.barcode
    if media_url and product.images:
        data["image"] = [absolute(media_url(image.storage_key)) for image in product.images]
    return data


@bp.get("/products/<slug>")
@cache.page
def product_detail(slug: str):
    """A public product with its certificate, producer and related products; anything else is 404.

    One query reads the product with its producer, certificate and pictures, and beside it the units online,
    the rating summary, and whether it has published questions or is held in a showroom; a second reads the
    related products' cards. The questions, showrooms and newest reviews are read only when there are some.
    """
    if not filtering.is_plausible_slug(slug):
        abort(404)
    rating_average, rating_count = review_services.rating_summary_columns(Product.id)
    rows = db.session.execute(
        sa.select(Product, online_quantity_column(Product.id), rating_average, rating_count,
                  question_services.has_published_questions_column(Product.id),
                  showroom_services.held_in_showroom_column(Product.id))
        .join(Product.producer)
        .options(contains_eager(Product.producer), joinedload(Product.current_certificate),
                 joinedload(Product.images))
        .where(Product.slug == slug, public_clause())
    ).unique().all()  # all: one product (slugs are unique) over as many rows as it has pictures
    if not rows:
        abort(404)
    product, available, average, count, has_questions, in_showrooms = rows[0]
    available = int(available or 0)
    return render_template(
        "catalog/product_detail.html",
        product=product, certificate=product.current_certificate, available=available,
        related=queries.related_products(product),
        showrooms=showroom_services.showrooms_holding(product.id) if in_showrooms else [],
        review_panel=product_review_panel(product.id, review_services.summary_of(average, count)),
        question_pairs=question_services.published_questions(product.id) if has_questions else [],
        group=categories.get(product.group_code), json_ld=product_json_ld(product, available > 0),
    )


#: What the page says for each effective status (rejected and submitted are both "not verified").
VERDICTS = {"valid": "valid", "expired": "expired", "revoked": "revoked", "submitted": "unverified",
            "rejected": "unverified"}


def _find_certificate(code: str) -> Certificate | None:
    if not code or len(code) > 32:
        return None
    return db.session.scalar(
        db.select(Certificate).where(Certificate.verification_code == code)
        .options(joinedload(Certificate.product).joinedload(Product.producer)))


def _certificate_by_code(code: str) -> Certificate:
    certificate = _find_certificate(code)
    if certificate is None:
        abort(404)
    return certificate


def typed_certificate_code(text: str) -> str:
    """The code in what a visitor typed or pasted: spaces dropped, and a pasted verification link cut down
    to its code."""
    text = "".join(str(text or "").split())[:300]
    if "/verify/" in text:
        text = text.rsplit("/verify/", 1)[1].split("?", 1)[0].split("#", 1)[0].strip("/")
    return text[:64]


def _unknown_certificate(code: str):
    """An unknown code: not a bare 404, but a warning that it is not in the registry."""
    return render_template("catalog/certificate_check.html", code=code, unknown=True), 404


@bp.get("/verify")
def certificate_check():
    """A form to type the code printed on a product's OCOP label: a known code opens its certificate, an
    unknown one is said plainly (not in the registry: beware of counterfeits)."""
    if "code" not in request.args:
        return render_template("catalog/certificate_check.html", code="", unknown=False)
    code = typed_certificate_code(request.args.get("code", ""))
    if not code:
        return render_template("catalog/certificate_check.html", code="", unknown=False,
                               error=_("Please type the code printed under the QR code on the label.")), 400
    certificate = _find_certificate(code)
    if certificate is None:
        return _unknown_certificate(code)
    return redirect(url_for("catalog.certificate_verify", code=certificate.verification_code))


def verification_url(certificate: Certificate) -> str:
    """The absolute URL printed in the QR code."""
    return external_url("catalog.certificate_verify", code=certificate.verification_code)


def qr_svg(url: str, scale: int = 5) -> Markup:
    """The QR code as inline SVG (generated here, no external service)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=scale, xmldecl=False, svgns=True, border=2,
                                    title="QR", svgclass="qr-code")
    return Markup(out.getvalue().decode("utf-8"))  # noqa: S704 segno's own SVG: paths and a fixed title, no input text


@bp.get("/verify/<code>")
def certificate_verify(code: str):
    """The verification page; says clearly whether the certificate is valid, expired, revoked or not verified
    (an unknown code: that it is not in the registry)."""
    cert = _find_certificate(code)
    if cert is None:
        return _unknown_certificate(code[:64])
    today = today_vn()
    effective = cert.effective_status(today)
    url = verification_url(cert)
    return render_template("catalog/certificate_verify.html", certificate=cert, product=cert.product,
                           producer=cert.product.producer, verdict=VERDICTS.get(effective, "unverified"),
                           effective=effective, today=today, qr=qr_svg(url), verify_url=url)


@bp.get("/verify/<code>/qr.png")
def certificate_qr_png(code: str):
    """A high-resolution PNG of the QR code, for printing on labels."""
    cert = _certificate_by_code(code)
    out = io.BytesIO()
    segno.make(verification_url(cert), error="m").save(out, kind="png", scale=16, border=4)
    response = Response(out.getvalue(), mimetype="image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="ocop-qr-{cert.verification_code}.png"'
    return response


@bp.get("/verify/<code>/qr.svg")
def certificate_qr_svg(code: str):
    """The QR code as an SVG file (scales to any label size)."""
    cert = _certificate_by_code(code)
    response = Response(str(qr_svg(verification_url(cert), scale=10)), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="ocop-qr-{cert.verification_code}.svg"'
    return response
