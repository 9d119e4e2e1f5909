"""The 63 provinces before 1 July 2025 and the one of the 34 provinces each became part of.

Source: Resolution 202/2025/QH15 of the National Assembly (12 June 2025) on the arrangement of
provincial-level administrative units, in force from 1 July 2025: 11 provinces kept their territory
and 52 were merged into 23. Old codes are the statistics office's province codes before the
arrangement; new codes are those of marketplace.geo (the vietnam-provinces package), whose merged
provinces kept the code of one of their parts.

Shoppers and packaging still say Kiên Giang, Bến Tre or Hải Dương: a producer keeps the old province
its place belonged to (Producer.old_province_code), search finds its products by that name, and
pages show "..., An Giang (trước đây Kiên Giang)". Where the new province is one old province, the
old one follows from it; where several merged, the producer chooses among them.
"""

from dataclasses import dataclass
from functools import cache

from flask_babel import gettext

from marketplace import geo
from marketplace.text import fold, folded_words


@dataclass(frozen=True)
class OldProvince:
    #: The statistics office's code before 1 July 2025.
    code: int
    name: str
    #: The code of the province (of the 34) it is part of since 1 July 2025.
    new_code: int


#: (old code, name, new code), in the order of the old codes.
_TABLE = (
    (1, "Hà Nội", 1), (2, "Hà Giang", 8), (4, "Cao Bằng", 4), (6, "Bắc Kạn", 19), (8, "Tuyên Quang", 8),
    (10, "Lào Cai", 15), (11, "Điện Biên", 11), (12, "Lai Châu", 12), (14, "Sơn La", 14), (15, "Yên Bái", 15),
    (17, "Hòa Bình", 25), (19, "Thái Nguyên", 19), (20, "Lạng Sơn", 20), (22, "Quảng Ninh", 22),
    (24, "Bắc Giang", 24), (25, "Phú Thọ", 25), (26, "Vĩnh Phúc", 25), (27, "Bắc Ninh", 24),
    (30, "Hải Dương", 31), (31, "Hải Phòng", 31), (33, "Hưng Yên", 33), (34, "Thái Bình", 33),
    (35, "Hà Nam", 37), (36, "Nam Định", 37), (37, "Ninh Bình", 37), (38, "Thanh Hóa", 38),
    (40, "Nghệ An", 40), (42, "Hà Tĩnh", 42), (44, "Quảng Bình", 44), (45, "Quảng Trị", 44),
    (46, "Thừa Thiên Huế", 46), (48, "Đà Nẵng", 48), (49, "Quảng Nam", 48), (51, "Quảng Ngãi", 51),
    (52, "Bình Định", 52), (54, "Phú Yên", 66), (56, "Khánh Hòa", 56), (58, "Ninh Thuận", 56),
    (60, "Bình Thuận", 68), (62, "Kon Tum", 51), (64, "Gia Lai", 52), (66, "Đắk Lắk", 66),
    (67, "Đắk Nông", 68), (68, "Lâm Đồng", 68), (70, "Bình Phước", 75), (72, "Tây Ninh", 80),
    (74, "Bình Dương", 79), (75, "Đồng Nai", 75), (77, "Bà Rịa - Vũng Tàu", 79), (79, "Hồ Chí Minh", 79),
    (80, "Long An", 80), (82, "Tiền Giang", 82), (83, "Bến Tre", 86), (84, "Trà Vinh", 86),
    (86, "Vĩnh Long", 86), (87, "Đồng Tháp", 82), (89, "An Giang", 91), (91, "Kiên Giang", 91),
    (92, "Cần Thơ", 92), (93, "Hậu Giang", 92), (94, "Sóc Trăng", 92), (95, "Bạc Liêu", 96), (96, "Cà Mau", 96),
)


@cache
def all_old() -> tuple[OldProvince, ...]:
    """The 63 old provinces, sorted by name the Vietnamese way."""
    return tuple(sorted((OldProvince(*row) for row in _TABLE), key=lambda p: fold(p.name)))


@cache
def _index() -> dict[int, OldProvince]:
    return {p.code: p for p in all_old()}


def old_province(code: int | None) -> OldProvince | None:
    if code is None:
        return None
    return _index().get(int(code))


def parts_of(new_code: int | None) -> tuple[OldProvince, ...]:
    """The old provinces a province of the 34 was made of (one when it did not merge)."""
    return tuple(p for p in all_old() if new_code is not None and p.new_code == int(new_code))


def derived_old_code(new_code: int | None, chosen: int | None = None) -> int | None:
    """The old province of a place in `new_code`: the only one when the province did not merge, else the
    producer's choice if it is one of the merged parts (None otherwise)."""
    parts = parts_of(new_code)
    if len(parts) == 1:
        return parts[0].code
    if chosen is not None and any(p.code == chosen for p in parts):
        return int(chosen)
    return None


def was_merged(old: OldProvince) -> bool:
    """True when the old province is one of several parts of its new province."""
    return len(parts_of(old.new_code)) > 1


def former_name(old_code: int | None) -> str:
    """The old province's name when it differs from the new one's (shown as "trước đây ..."), else ""."""
    old = old_province(old_code)
    if old is None or not was_merged(old) or fold(old.name) == fold(geo.province_name(old.new_code)):
        return ""
    return old.name


@cache
def names_by_folded() -> dict[str, OldProvince]:
    """Old provinces by their folded name ("kien giang"), for reading them out of a search query."""
    return {folded_words(p.name): p for p in all_old()}


def province_label(province_code: int | None, old_province_code: int | None) -> str:
    """The province as pages show it: "An Giang (formerly Kiên Giang)" when it merged, else "An Giang"."""
    name = geo.province_name(province_code)
    former = former_name(old_province_code)
    if not former or old_province(old_province_code).new_code != province_code:
        return name
    return gettext("%(province)s (formerly %(old)s)", province=name, old=former)
