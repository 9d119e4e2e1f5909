"""Illustrative trade promotion (dữ liệu minh họa): two campaigns running now ("Quà Tết OCOP" with chosen
demo products and a banner drawn locally, "Sản phẩm 5 sao Hà Nội" by rule), a fair to come ("Tuần lễ OCOP
Hà Nội") with demo producers signed up (two approved, one waiting) and a past fair.

Dates are relative to the day of loading. Idempotent: a campaign or fair whose address exists is left as it is.
"""

import io
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from marketplace import geo
from marketplace.catalog.models import Product
from marketplace.dates import today_vn
from marketplace.demo.images import STAR_COLOUR, _font
from marketplace.extensions import db
from marketplace.producers.models import Producer, VerificationStatus
from marketplace.promotions import campaigns, fairs, participation
from marketplace.promotions.models import Campaign, SelectionKind, TradeFair
from marketplace.promotions.status import ParticipationStatus
from marketplace.text import fold

NOTE = "(Dữ liệu minh họa)"
GIFT_PRODUCTS = ("Trà hoa vàng Ba Chẽ", "Nước mắm Phú Quốc Khải Hoàn 40°N", "Mật hoa dừa Trà Vinh FARM",
                 "Bộ bát đĩa hoa sen đỏ, Bát Tràng", "Kẹo dừa Bến Tre", "Chè Đinh Hảo Đạt")


def _banner(title: str) -> bytes:
    """A wide red banner with the title, a row of stars and the illustrative label (PNG, checked like any upload)."""
    image = Image.new("RGB", (1600, 600), (178, 34, 34))
    draw = ImageDraw.Draw(image)
    draw.text((80, 170), title, fill=(255, 255, 255), font=_font(110))
    draw.text((80, 330), "★ ★ ★ ★ ★", fill=STAR_COLOUR, font=_font(80))
    draw.text((80, 480), "Ảnh minh họa", fill=(255, 230, 200), font=_font(44))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _slugs(names) -> list[str]:
    found = dict(db.session.execute(sa.select(Product.name, Product.slug).where(Product.name.in_(names))).all())
    return [found[name] for name in names if name in found]


def _campaigns() -> int:
    today = today_vn()
    created = 0
    if db.session.scalar(sa.select(Campaign.id).where(Campaign.slug == "qua-tet-ocop")) is None:
        slugs = _slugs(GIFT_PRODUCTS)
        if slugs:
            campaigns.save_campaign(None, campaigns.CampaignInput(
                title="Quà Tết OCOP", slug="qua-tet-ocop",
                summary="Quà Tết từ các chủ thể OCOP khắp cả nước: trà, nước mắm, mật hoa dừa, gốm Bát Tràng. " + NOTE,
                story=("Bộ sưu tập minh họa cho mùa quà Tết: những đặc sản OCOP 4 và 5 sao, đóng gói làm quà biếu.\n\n"
                       "Chiến dịch này là dữ liệu minh họa của bản trình diễn OCOP Market."),
                starts_on=today - timedelta(days=7), ends_on=today + timedelta(days=60),
                selection=SelectionKind.CHOSEN, products_text="\n".join(slugs)), banner=_banner("Quà Tết OCOP"))
            created += 1
    if db.session.scalar(sa.select(Campaign.id).where(Campaign.slug == "san-pham-5-sao-ha-noi")) is None:
        campaigns.save_campaign(None, campaigns.CampaignInput(
            title="Sản phẩm 5 sao Hà Nội", slug="san-pham-5-sao-ha-noi",
            summary="Mọi sản phẩm OCOP 5 sao của các chủ thể Hà Nội đang bán trên sàn. " + NOTE,
            story="Bộ sưu tập theo quy tắc (5 sao, Hà Nội): sản phẩm mới đạt 5 sao tự động có mặt. " + NOTE,
            starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=30),
            selection=SelectionKind.RULE, rule_star_level=5, rule_province_code=1), banner=_banner("OCOP 5 sao Hà Nội"))
        created += 1
    return created


def _hanoi_ward(hint: str) -> int | None:
    for ward in geo.wards(1):
        if fold(hint) in fold(ward.name):
            return ward.code
    return None


def _fairs() -> int:
    today = today_vn()
    created = 0
    if db.session.scalar(sa.select(TradeFair.id).where(TradeFair.slug == "tuan-le-ocop-ha-noi")) is None:
        fair = fairs.save_fair(None, fairs.FairInput(
            name="Tuần lễ OCOP Hà Nội", slug="tuan-le-ocop-ha-noi",
            description=("Tuần lễ giới thiệu và bán sản phẩm OCOP của Hà Nội và các tỉnh, thành: gian hàng của các "
                         "hợp tác xã, hộ kinh doanh và doanh nghiệp, trình diễn làm gốm, dệt lụa và pha trà.\n\n"
                         "Sự kiện minh họa: địa điểm và ngày là dữ liệu minh họa."),
            province_code=1, ward_code=_hanoi_ward("Hoàn Kiếm"), venue="Phố đi bộ Hồ Gươm (địa điểm minh họa)",
            starts_on=today + timedelta(days=20), ends_on=today + timedelta(days=26),
            signup_until=today + timedelta(days=15)))
        producers = list(db.session.scalars(
            sa.select(Producer).where(Producer.verification_status == VerificationStatus.VERIFIED,
                                      Producer.province_code == 1).order_by(Producer.id).limit(3)))
        for index, producer in enumerate(producers):
            entry = participation.sign_up(fair, producer, actor=None, note="Gian hàng minh họa " + NOTE, today=today)
            if index < 2:
                participation.change_status(entry, ParticipationStatus.APPROVED, actor=None, reason="Minh họa")
        created += 1
    if db.session.scalar(sa.select(TradeFair.id).where(TradeFair.slug == "hoi-cho-ocop-quang-ninh")) is None:
        fairs.save_fair(None, fairs.FairInput(
            name="Hội chợ OCOP Quảng Ninh", slug="hoi-cho-ocop-quang-ninh",
            description="Hội chợ minh họa đã diễn ra: sản phẩm OCOP vùng biển và miền núi. " + NOTE,
            province_code=22, ward_code=None, venue="Cung Quy hoạch, Hội chợ và Triển lãm (địa điểm minh họa)",
            starts_on=today - timedelta(days=40), ends_on=today - timedelta(days=36)))
        created += 1
    return created


def load_promotions() -> int:
    """Create the illustrative campaigns and fairs that are missing; returns how many were created."""
    return _campaigns() + _fairs()
