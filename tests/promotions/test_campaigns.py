"""Campaigns: shown only while active, products only public ones, rule products, banner refusal, share tags."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from marketplace.accounts.models import Role
from marketplace.catalog.status import ProductStatus
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.images import UploadRefused
from marketplace.promotions import campaigns
from marketplace.promotions.models import Campaign, SelectionKind
from tests.factories import make_producer, make_product, make_user


@pytest.fixture(autouse=True)
def _english(english_request_context):
    yield


def png(width=1600, height=600) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (178, 34, 34)).save(buffer, "PNG")
    return buffer.getvalue()


def campaign(title="Quà Tết OCOP", *, days=(-1, 10), products=(), hidden=False, **rule) -> Campaign:
    today = today_vn()
    data = campaigns.CampaignInput(
        title=title, summary="Quà Tết từ các chủ thể OCOP", story="Câu chuyện", starts_on=today + timedelta(days=days[0]),
        ends_on=today + timedelta(days=days[1]), selection=SelectionKind.RULE if rule else SelectionKind.CHOSEN,
        products_text="\n".join(f"/products/{p.slug}" for p in products), is_hidden=hidden, **rule)
    saved, _keys = campaigns.save_campaign(None, data)
    return saved


def test_campaign_page_and_home_only_while_active(client):
    """Before its first day, after its last, or hidden: no home card and 404; between: both."""
    product = make_product("Trà hoa vàng Ba Chẽ")
    running = campaign("Quà Tết OCOP", products=[product])
    future = campaign("Tết năm sau", days=(5, 20), products=[product])
    over = campaign("Trung thu", days=(-30, -1), products=[product])
    hidden = campaign("Ẩn đi", products=[product], hidden=True)
    home = client.get("/").get_data(as_text=True)
    assert "Quà Tết OCOP" in home
    for other in (future, over, hidden):
        assert other.title not in home
        assert client.get(f"/campaigns/{other.slug}").status_code == 404
    page = client.get(f"/campaigns/{running.slug}")
    assert page.status_code == 200 and "Trà hoa vàng Ba Chẽ" in page.get_data(as_text=True)
    assert running.slug == "qua-tet-ocop"


def test_hidden_and_archived_products_are_never_shown():
    """Chosen products that are archived, drafts, uncertified or of an unverified producer drop out; order kept."""
    first, second = make_product("Thứ nhất"), make_product("Thứ hai")
    archived = make_product("Đã lưu trữ", status=ProductStatus.ARCHIVED)
    draft = make_product("Bản nháp", status=ProductStatus.DRAFT)
    uncertified = make_product("Chưa chứng nhận", stars=None)
    unverified = make_product("Chủ thể chưa xác minh", producer=make_producer(verified=False))
    chosen = campaign(products=[second, archived, draft, uncertified, unverified, first])
    assert [card.name for card in campaigns.product_cards(chosen)] == ["Thứ hai", "Thứ nhất"]


def test_rule_selects_five_star_products_of_one_province_and_a_group():
    """'5 stars, Hà Nội' holds exactly the public 5-star products of Hà Nội producers; a group narrows it."""
    hanoi, hcm = make_producer(province_code=1), make_producer(province_code=79)
    tea = make_product("Trà 5 sao Hà Nội", producer=hanoi, stars=5, group_code="1.5")
    sauce = make_product("Tương 5 sao Hà Nội", producer=hanoi, stars=5, group_code="1.4")
    make_product("Trà 4 sao Hà Nội", producer=hanoi, stars=4, group_code="1.5")
    make_product("Trà 5 sao TP HCM", producer=hcm, stars=5, group_code="1.5")
    make_product("Trà 5 sao lưu trữ", producer=hanoi, stars=5, group_code="1.5", status=ProductStatus.ARCHIVED)
    by_rule = campaign(rule_star_level=5, rule_province_code=1)
    assert {card.name for card in campaigns.product_cards(by_rule)} == {tea.name, sauce.name}
    tea_only = campaign("Chè", rule_star_level=5, rule_province_code=1, rule_group_code="1.5")
    assert [card.name for card in campaigns.product_cards(tea_only)] == [tea.name]


def test_unknown_products_and_bad_dates_are_refused_with_reasons():
    """A product address that names nothing, and a last day before the first, are refused; nothing saved."""
    today = today_vn()
    with pytest.raises(campaigns.CampaignInvalid) as refused:
        campaigns.save_campaign(None, campaigns.CampaignInput(
            title="X", summary="", story="", starts_on=today, ends_on=today - timedelta(days=1),
            selection="chosen", products_text="/products/khong-co-san-pham-nay"))
    assert "khong-co-san-pham-nay" in refused.value.errors["products_text"]
    assert "before the first day" in refused.value.errors["ends_on"]
    assert db.session.query(Campaign).count() == 0


def test_banner_that_is_not_a_picture_is_refused_with_the_reason():
    """A text file as banner raises UploadRefused saying which pictures are accepted."""
    with pytest.raises(UploadRefused, match="not a picture we can read"):
        campaigns.save_campaign(None, campaigns.CampaignInput(
            title="Quà", summary="", story="", starts_on=today_vn(), ends_on=today_vn(), selection="chosen",
            products_text=make_product().slug), banner=b"%PDF-1.4 not an image")


def test_admin_uploads_a_banner_and_a_bad_one_is_refused_in_the_form(client, login_as):
    """The office's form stores a re-encoded WebP banner; a bad file re-shows the form with the reason (422)."""
    login_as(make_user(role=Role.ADMIN))
    product = make_product("Nước mắm Phú Quốc")
    today = today_vn()
    form = {"title": "Quà Tết OCOP", "slug": "", "summary": "Quà Tết", "story": "Câu chuyện",
            "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=5)).isoformat(),
            "selection": "chosen", "products_text": f"http://127.0.0.1:5000/products/{product.slug}"}
    bad = client.post("/admin/campaigns/new?lang=en", data={**form, "banner": (io.BytesIO(b"hello"), "banner.png")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "not a picture we can read" in text and 'value="Quà Tết OCOP"' in text
    assert db.session.query(Campaign).count() == 0
    good = client.post("/admin/campaigns/new", data={**form, "banner": (io.BytesIO(png()), "banner.png")},
                       content_type="multipart/form-data")
    assert good.status_code == 302
    saved = db.session.query(Campaign).one()
    assert saved.banner_key.endswith(".webp") and saved.banner_width == 1600


def test_campaign_page_carries_open_graph_and_twitter_tags_with_absolute_urls(client, app):
    """og:url, og:image and twitter:image are absolute addresses on SITE_URL."""
    product = make_product("Chè Đinh Hảo Đạt")
    saved, _keys = campaigns.save_campaign(None, campaigns.CampaignInput(
        title="Quà Tết OCOP", summary="Quà Tết từ các chủ thể OCOP", story="", starts_on=today_vn(),
        ends_on=today_vn(), selection="chosen", products_text=product.slug), banner=png())
    html = client.get(f"/campaigns/{saved.slug}").get_data(as_text=True)
    site = app.config["SITE_URL"].rstrip("/")
    tags = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)"', html))
    assert tags["og:title"] == "Quà Tết OCOP"
    assert tags["og:url"] == f"{site}/campaigns/qua-tet-ocop"
    assert tags["og:image"].startswith(site + "/") and tags["twitter:image"] == tags["og:image"]
    assert tags["twitter:card"] == "summary_large_image"


def test_campaign_admin_is_for_the_office_only(client, login_as):
    """Consumers and producers get 403 on the campaign screens."""
    for role, producer in ((Role.CONSUMER, None), (Role.PRODUCER, make_producer())):
        login_as(make_user(role=role, producer=producer))
        assert client.get("/admin/campaigns").status_code == 403
        assert client.post("/admin/campaigns/new", data={"title": "x"}).status_code == 403
