"""A small catalogue for the storefront tests: six public products and three hidden ones."""

from datetime import timedelta

from marketplace.catalog.models import ProductStatus
from marketplace.dates import today_vn, utcnow
from tests.factories import make_certificate, make_producer, make_product

HA_NOI, AN_GIANG, LAM_DONG = 1, 91, 68


def build_catalogue() -> dict:
    """Products named after real OCOP specialties, with distinct stars, prices, groups, provinces and stock."""
    now = utcnow()
    hanoi = make_producer("Hợp tác xã Gốm Bát Tràng", province_code=HA_NOI, slug="htx-gom-bat-trang",
                          story="Ba đời làm gốm bên sông Hồng.")
    an_giang = make_producer("Công ty Nước mắm Khải Hoàn", province_code=AN_GIANG, slug="nuoc-mam-khai-hoan")
    lam_dong = make_producer("Hợp tác xã Hoa Lan", province_code=LAM_DONG, slug="htx-hoa-lan")
    products = {
        "fish_sauce": make_product(
            "Nước mắm Phú Quốc Khải Hoàn 40°N", producer=an_giang, group_code="1.4", stars=5, price_vnd=250_000,
            stock=10, slug="nuoc-mam-phu-quoc", sold_quantity=40, created_at=now - timedelta(days=5),
            description="Cá cơm than ủ chượp 12 tháng trong thùng gỗ.", is_featured=True),
        "soy_sauce": make_product(
            "Tương Đường Lâm", producer=hanoi, group_code="1.4", stars=3, price_vnd=45_000, stock=0,
            slug="tuong-duong-lam", sold_quantity=5, created_at=now - timedelta(days=4),
            description="Tương nếp truyền thống của làng cổ."),
        "bowls": make_product(
            "Bộ bát đĩa hoa sen đỏ Bát Tràng", producer=hanoi, group_code="4.1", stars=5, price_vnd=1_200_000,
            stock=3, slug="bo-bat-dia-bat-trang", sold_quantity=12, created_at=now - timedelta(days=3)),
        "orchid": make_product(
            "Lan hồ điệp Đà Lạt", producer=lam_dong, group_code="5.1", stars=3, price_vnd=350_000, stock=5,
            slug="lan-ho-diep-da-lat", sold_quantity=1, created_at=now - timedelta(days=2)),
        "tea": make_product(
            "Chè Shan tuyết cổ thụ", producer=lam_dong, group_code="1.5", stars=4, price_vnd=150_000, stock=10,
            slug="che-shan-tuyet", sold_quantity=30, created_at=now - timedelta(days=1),
            description="Đặc sản vùng cao, hái từ cây chè trăm năm."),
        "silk": make_product(
            "Khăn lụa Vạn Phúc", producer=hanoi, group_code="4.2", stars=4, price_vnd=450_000, stock=2,
            slug="khan-lua-van-phuc", sold_quantity=0, created_at=now),
    }
    hidden_producer = make_producer("Cơ sở Chưa Xác Minh", verified=False, province_code=HA_NOI, slug="chua-xac-minh")
    hidden = {
        "unverified": make_product("Nước mắm ẩn danh", producer=hidden_producer, stars=5, slug="nuoc-mam-an-danh"),
        "draft": make_product("Nước mắm bản nháp", producer=an_giang, stars=4, status=ProductStatus.DRAFT,
                              slug="nuoc-mam-ban-nhap"),
        "expired": make_product("Nước mắm hết hạn", producer=an_giang, stars=None, slug="nuoc-mam-het-han"),
    }
    make_certificate(hidden["expired"], stars=4, decision_date=today_vn() - timedelta(days=4 * 365),
                     valid_until=today_vn() - timedelta(days=1))
    return {"producers": {"hanoi": hanoi, "an_giang": an_giang, "lam_dong": lam_dong, "hidden": hidden_producer},
            **products, "hidden": hidden}


def names_on(response) -> list[str]:
    """Product names of the cards on a page, in order."""
    import re

    return [re.sub(r"\s+", " ", name).strip()
            for name in re.findall(r'<h3 class="card-title">(.*?)</h3>', response.get_data(as_text=True), re.S)]
