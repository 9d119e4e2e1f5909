"""Which of the 34 provinces (since 1 July 2025) share a land border: reviewed data for matching by distance.

Source and method. Resolution 202/2025/QH15 merged the 63 provinces into 34 (shared/DOMAIN.md §6 lists
which old provinces each new one took in). Two new provinces are neighbours when any of their old
provinces shared a land border (the pre-2025 borders as drawn on the national administrative map);
a border across a river counts, a sea crossing does not, so islands add nothing. The table was written by
hand from that rule, province by province, and reviewed against the list of mergers; the tests check
that it names every province of marketplace.geo exactly once, names no other code, and is symmetric.

Keys and values are statistics-office province codes (never names), the same codes as marketplace.geo.
"""

from types import MappingProxyType

#: The old provinces each entry comes from are in the comment, then its neighbours.
_NEIGHBOURS: dict[int, frozenset[int]] = {
    1: frozenset({19, 24, 33, 37, 25}),          # Hà Nội: Thái Nguyên, Bắc Ninh, Hưng Yên, Ninh Bình, Phú Thọ
    4: frozenset({8, 19, 20}),                   # Cao Bằng: Tuyên Quang, Thái Nguyên, Lạng Sơn
    8: frozenset({4, 15, 19, 25}),               # Tuyên Quang (+Hà Giang): Cao Bằng, Lào Cai, Thái Nguyên, Phú Thọ
    11: frozenset({12, 14}),                     # Điện Biên: Lai Châu, Sơn La
    12: frozenset({11, 14, 15}),                 # Lai Châu: Điện Biên, Sơn La, Lào Cai
    14: frozenset({11, 12, 15, 25, 38}),         # Sơn La: Điện Biên, Lai Châu, Lào Cai, Phú Thọ, Thanh Hóa
    15: frozenset({12, 14, 8, 25}),              # Lào Cai (+Yên Bái): Lai Châu, Sơn La, Tuyên Quang, Phú Thọ
    19: frozenset({4, 20, 8, 25, 1, 24}),        # Thái Nguyên (+Bắc Kạn): Cao Bằng, Lạng Sơn, Tuyên Quang, Phú Thọ,
                                                 # Hà Nội, Bắc Ninh
    20: frozenset({4, 19, 24, 22}),              # Lạng Sơn: Cao Bằng, Thái Nguyên, Bắc Ninh, Quảng Ninh
    22: frozenset({20, 24, 31}),                 # Quảng Ninh: Lạng Sơn, Bắc Ninh, Hải Phòng
    24: frozenset({20, 19, 1, 33, 31, 22}),      # Bắc Ninh (+Bắc Giang): Lạng Sơn, Thái Nguyên, Hà Nội, Hưng Yên,
                                                 # Hải Phòng, Quảng Ninh
    25: frozenset({15, 8, 19, 1, 14, 38, 37}),   # Phú Thọ (+Vĩnh Phúc, Hòa Bình): Lào Cai, Tuyên Quang, Thái Nguyên,
                                                 # Hà Nội, Sơn La, Thanh Hóa, Ninh Bình
    31: frozenset({22, 24, 33}),                 # Hải Phòng (+Hải Dương): Quảng Ninh, Bắc Ninh, Hưng Yên
    33: frozenset({1, 24, 31, 37}),              # Hưng Yên (+Thái Bình): Hà Nội, Bắc Ninh, Hải Phòng, Ninh Bình
    37: frozenset({1, 33, 25, 38}),              # Ninh Bình (+Hà Nam, Nam Định): Hà Nội, Hưng Yên, Phú Thọ, Thanh Hóa
    38: frozenset({14, 25, 37, 40}),             # Thanh Hóa: Sơn La, Phú Thọ, Ninh Bình, Nghệ An
    40: frozenset({38, 42}),                     # Nghệ An: Thanh Hóa, Hà Tĩnh
    42: frozenset({40, 44}),                     # Hà Tĩnh: Nghệ An, Quảng Trị
    44: frozenset({42, 46}),                     # Quảng Trị (+Quảng Bình): Hà Tĩnh, Huế
    46: frozenset({44, 48}),                     # Huế: Quảng Trị, Đà Nẵng
    48: frozenset({46, 51}),                     # Đà Nẵng (+Quảng Nam): Huế, Quảng Ngãi
    51: frozenset({48, 52}),                     # Quảng Ngãi (+Kon Tum): Đà Nẵng, Gia Lai
    52: frozenset({51, 66}),                     # Gia Lai (+Bình Định): Quảng Ngãi, Đắk Lắk
    56: frozenset({66, 68}),                     # Khánh Hòa (+Ninh Thuận): Đắk Lắk, Lâm Đồng
    66: frozenset({52, 56, 68}),                 # Đắk Lắk (+Phú Yên): Gia Lai, Khánh Hòa, Lâm Đồng
    68: frozenset({66, 56, 75, 79}),             # Lâm Đồng (+Đắk Nông, Bình Thuận): Đắk Lắk, Khánh Hòa, Đồng Nai,
                                                 # Hồ Chí Minh
    75: frozenset({68, 79, 80}),                 # Đồng Nai (+Bình Phước): Lâm Đồng, Hồ Chí Minh, Tây Ninh
    79: frozenset({75, 68, 80, 82}),             # Hồ Chí Minh (+Bình Dương, Bà Rịa - Vũng Tàu): Đồng Nai, Lâm Đồng,
                                                 # Tây Ninh, Đồng Tháp
    80: frozenset({75, 79, 82}),                 # Tây Ninh (+Long An): Đồng Nai, Hồ Chí Minh, Đồng Tháp
    82: frozenset({80, 79, 91, 86, 92}),         # Đồng Tháp (+Tiền Giang): Tây Ninh, Hồ Chí Minh, An Giang,
                                                 # Vĩnh Long, Cần Thơ
    86: frozenset({82, 92}),                     # Vĩnh Long (+Bến Tre, Trà Vinh): Đồng Tháp, Cần Thơ
    91: frozenset({82, 92, 96}),                 # An Giang (+Kiên Giang): Đồng Tháp, Cần Thơ, Cà Mau
    92: frozenset({82, 86, 91, 96}),             # Cần Thơ (+Sóc Trăng, Hậu Giang): Đồng Tháp, Vĩnh Long, An Giang, Cà Mau
    96: frozenset({91, 92}),                     # Cà Mau (+Bạc Liêu): An Giang, Cần Thơ
}

#: Province code -> the codes of the provinces it borders (read-only).
NEIGHBOURS = MappingProxyType(_NEIGHBOURS)

SAME_PROVINCE, NEIGHBOURING, FARTHER = 0, 1, 2


def neighbours(province_code: int | None) -> frozenset[int]:
    """The provinces bordering this one (empty for an unknown code)."""
    return NEIGHBOURS.get(province_code or 0, frozenset())


def distance_tier(from_code: int | None, to_code: int | None) -> int:
    """0 for the same province, 1 for neighbouring provinces, 2 for anything farther (or unknown)."""
    if from_code is not None and from_code == to_code:
        return SAME_PROVINCE
    if to_code in neighbours(from_code):
        return NEIGHBOURING
    return FARTHER
