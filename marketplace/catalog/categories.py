"""The OCOP category tree of Decision 148/QĐ-TTg (2023): 6 sectors, 17 groups, 26 product sets.

Codes are the decision's own ("1.4" is a group, "1.4.1" a product set). The tree is law, not user data,
so it lives in code; products store the codes. Certificates from 2018-2020 keep their old group name as
text (Certificate.legacy_group), mapped here for display.
"""

from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class Category:
    code: str
    name_vi: str
    name_en: str
    children: tuple["Category", ...] = field(default=())

    def name(self, language: str = "vi") -> str:
        return self.name_en if language == "en" else self.name_vi


def _c(code, vi, en, *children):
    return Category(code, vi, en, tuple(children))


SECTORS: tuple[Category, ...] = (
    _c("1", "Thực phẩm", "Food",
       _c("1.1", "Thực phẩm tươi sống", "Fresh food",
          _c("1.1.1", "Rau, củ, quả, hạt tươi", "Fresh vegetables, fruit and nuts"),
          _c("1.1.2", "Thịt, trứng, sữa, thủy sản tươi", "Fresh meat, eggs, milk and seafood")),
       _c("1.2", "Thực phẩm thô, sơ chế", "Raw and semi-processed food",
          _c("1.2.1", "Gạo, ngũ cốc", "Rice and grains"),
          _c("1.2.2", "Mật ong, mật hoa và sản phẩm từ mật", "Honey, nectars and their products")),
       _c("1.3", "Thực phẩm chế biến", "Processed food",
          _c("1.3.1", "Thực phẩm ăn nhanh", "Fast food"),
          _c("1.3.2", "Chế biến từ ngũ cốc", "Made from cereals"),
          _c("1.3.3", "Chế biến từ rau, củ, quả, hạt", "Made from vegetables, fruit and nuts"),
          _c("1.3.4", "Chế biến từ thịt, trứng, sữa, thủy sản, mật ong", "Made from meat, eggs, milk, seafood, honey")),
       _c("1.4", "Gia vị", "Condiments",
          _c("1.4.1", "Tương, nước mắm, nước chấm", "Sauces, fish sauce and dips"),
          _c("1.4.2", "Gia vị khác", "Other condiments")),
       _c("1.5", "Chè", "Tea",
          _c("1.5.1", "Chè (trà)", "Tea"),
          _c("1.5.2", "Trà từ thực vật khác", "Teas from other plants")),
       _c("1.6", "Cà phê, ca cao", "Coffee and cocoa",
          _c("1.6.1", "Cà phê, ca cao", "Coffee and cocoa"))),
    _c("2", "Đồ uống", "Beverages",
       _c("2.1", "Đồ uống có cồn", "Alcoholic drinks",
          _c("2.1.1", "Rượu trắng", "White spirits"),
          _c("2.1.2", "Đồ uống có cồn khác", "Other alcoholic drinks")),
       _c("2.2", "Đồ uống không cồn", "Soft drinks",
          _c("2.2.1", "Nước khoáng, nước uống đóng chai", "Mineral and bottled water"),
          _c("2.2.2", "Đồ uống không cồn khác", "Other soft drinks"))),
    _c("3", "Dược liệu và sản phẩm từ dược liệu", "Herbal products",
       _c("3.1", "Thực phẩm chức năng, thuốc từ dược liệu", "Supplements and herbal medicine",
          _c("3.1.1", "Thực phẩm chức năng, thuốc dược liệu, thuốc y học cổ truyền", "Supplements, herbal and traditional medicine")),
       _c("3.2", "Mỹ phẩm từ dược liệu", "Herbal cosmetics",
          _c("3.2.1", "Mỹ phẩm có thành phần từ dược liệu", "Cosmetics with herbal ingredients")),
       _c("3.3", "Tinh dầu và dược liệu khác", "Essential oils and other herbs",
          _c("3.3.1", "Tinh dầu, dược liệu khác", "Essential oils and other herbs"))),
    _c("4", "Thủ công mỹ nghệ", "Handicrafts",
       _c("4.1", "Thủ công mỹ nghệ gia dụng, trang trí", "Household and decorative crafts",
          _c("4.1.1", "Đồ gia dụng, trang trí, lưu niệm", "Household, decorative and souvenir crafts")),
       _c("4.2", "Vải, may mặc", "Textiles and clothing",
          _c("4.2.1", "Vải, sản phẩm may mặc", "Fabrics and garments"))),
    _c("5", "Sinh vật cảnh", "Ornamentals",
       _c("5.1", "Hoa", "Flowers", _c("5.1.1", "Hoa", "Flowers")),
       _c("5.2", "Cây cảnh", "Ornamental plants", _c("5.2.1", "Cây cảnh", "Ornamental plants")),
       _c("5.3", "Động vật cảnh", "Ornamental animals", _c("5.3.1", "Động vật cảnh", "Ornamental animals"))),
    _c("6", "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch", "Community and eco-tourism",
       _c("6.1", "Dịch vụ du lịch cộng đồng, sinh thái, điểm du lịch", "Community tourism, eco-tourism and tourist spots",
          _c("6.1.1", "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch", "Community tourism, eco-tourism and tourist spots"))),
)

#: 2018-2020 (Decision 490) group names found on old certificates, mapped to today's sectors.
LEGACY_GROUPS: dict[str, str] = {
    "Thực phẩm": "1",
    "Đồ uống": "2",
    "Thảo dược": "3",
    "Vải và may mặc": "4",
    "Lưu niệm - nội thất - trang trí": "4",
    "Dịch vụ du lịch nông thôn - bán hàng": "6",
}


@cache
def _index() -> dict[str, Category]:
    found: dict[str, Category] = {}

    def walk(items):
        for item in items:
            found[item.code] = item
            walk(item.children)

    walk(SECTORS)
    return found


def get(code: str | None) -> Category | None:
    """The sector, group or product set with this code."""
    return _index().get(code or "")


def groups() -> list[Category]:
    """The 17 product groups, in code order."""
    return [group for sector in SECTORS for group in sector.children]


def product_sets() -> list[Category]:
    """The 26 product sets, in code order."""
    return [item for group in groups() for item in group.children]


def is_group(code: str | None) -> bool:
    return code is not None and code.count(".") == 1 and code in _index()


def is_set_of_group(set_code: str | None, group_code: str | None) -> bool:
    """True when the product set belongs to the group."""
    return bool(set_code and group_code and set_code.count(".") == 2 and set_code.startswith(group_code + ".")
                and set_code in _index())


def sector_of(code: str) -> str:
    return code.split(".")[0]
