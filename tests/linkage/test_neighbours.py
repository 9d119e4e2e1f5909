"""The neighbour table of the 34 provinces: complete, only real codes, symmetric, and read as distances."""

from marketplace import geo
from marketplace.linkage.neighbours import (
    FARTHER,
    NEIGHBOURING,
    NEIGHBOURS,
    SAME_PROVINCE,
    distance_tier,
    neighbours,
)


def test_every_province_is_in_the_table_and_nothing_else():
    """The table has one entry for each of the 34 provinces of marketplace.geo, and names only those codes."""
    codes = {place.code for place in geo.provinces()}
    assert len(codes) == 34
    assert set(NEIGHBOURS) == codes
    for code, around in NEIGHBOURS.items():
        assert around <= codes, code
        assert code not in around, code
        assert around, f"{geo.province_name(code)} has no neighbour"


def test_the_table_is_symmetric():
    """If A borders B then B borders A."""
    for code, around in NEIGHBOURS.items():
        for other in around:
            assert code in NEIGHBOURS[other], (geo.province_name(code), geo.province_name(other))


def test_known_borders_after_the_merger():
    """A few borders checked by hand: Hà Nội–Bắc Ninh, Hồ Chí Minh–Đồng Nai, Lâm Đồng–Hồ Chí Minh (Bình Thuận and
    Bà Rịa - Vũng Tàu), Cà Mau–An Giang (Bạc Liêu and Kiên Giang); Hà Nội does not border Hải Phòng."""
    assert 24 in neighbours(1) and 75 in neighbours(79) and 79 in neighbours(68) and 91 in neighbours(96)
    assert 31 not in neighbours(1)


def test_distance_tiers():
    """Same province, then a neighbour, then anything else (unknown codes are far)."""
    assert distance_tier(1, 1) == SAME_PROVINCE
    assert distance_tier(1, 33) == NEIGHBOURING
    assert distance_tier(1, 79) == FARTHER
    assert distance_tier(1, None) == FARTHER
    assert neighbours(999) == frozenset()
