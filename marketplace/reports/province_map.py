"""A tile map of Vietnam's 34 provinces (since 1 July 2025): one square per province, placed on a grid
roughly where the province lies (north at the top, the coast to the right, the Mekong delta at the
bottom-left), coloured by a value. The page draws it as SVG; the same values are in a table beside it.
"""

from dataclasses import dataclass

from marketplace import geo

#: province code: (column, row, short label printed on the tile). The label is the common abbreviation,
#: made unique where two provinces share initials (Lai Châu / Lào Cai, Quảng Ninh / Quảng Ngãi ...).
LAYOUT: dict[int, tuple[int, int, str]] = {
    12: (1, 0, "LCh"), 15: (2, 0, "LCa"), 8: (3, 0, "TQ"), 4: (4, 0, "CB"),
    11: (0, 1, "ĐB"), 14: (1, 1, "SL"), 25: (2, 1, "PT"), 19: (3, 1, "TN"), 20: (4, 1, "LS"),
    1: (2, 2, "HN"), 24: (3, 2, "BN"), 22: (4, 2, "QNi"),
    37: (2, 3, "NB"), 33: (3, 3, "HY"), 31: (4, 3, "HP"),
    38: (2, 4, "TH"),
    40: (2, 5, "NA"),
    42: (3, 6, "HT"),
    44: (3, 7, "QT"),
    46: (4, 8, "Huế"),
    48: (4, 9, "ĐNg"),
    51: (4, 10, "QNg"),
    52: (4, 11, "GL"),
    66: (3, 12, "ĐL"), 56: (4, 12, "KH"),
    75: (2, 13, "ĐNa"), 68: (3, 13, "LĐ"),
    80: (0, 14, "TNi"), 79: (1, 14, "HCM"),
    91: (0, 15, "AG"), 82: (1, 15, "ĐT"), 86: (2, 15, "VL"),
    96: (0, 16, "CM"), 92: (1, 16, "CT"),
}
COLUMNS = 5
ROWS = 17
#: Colour steps of the scale (0 is "nothing").
LEVELS = 5


@dataclass(frozen=True)
class Tile:
    code: int
    name: str
    abbreviation: str
    column: int
    row: int
    value: int
    #: 0 for no value (or a negative one), else 1..LEVELS by the share of the largest value.
    level: int


def tiles(values: dict[int, int]) -> list[Tile]:
    """One tile per province, coloured by `values` (province code -> value; missing means 0)."""
    top = max([value for value in values.values() if value > 0], default=0)
    result = []
    for code, (column, row, abbreviation) in LAYOUT.items():
        value = int(values.get(code, 0))
        level = 0 if value <= 0 or top == 0 else max(1, min(LEVELS, -(-value * LEVELS // top)))
        result.append(Tile(code, geo.province_name(code), abbreviation, column, row, value, level))
    return result


def legend(values: dict[int, int]) -> list[tuple[int, int, int]]:
    """(level, lowest, highest) value of each colour step, for the map's key."""
    top = max([value for value in values.values() if value > 0], default=0)
    if top == 0:
        return []
    bounds = []
    for level in range(1, LEVELS + 1):
        low = (level - 1) * top // LEVELS + 1
        high = level * top // LEVELS
        bounds.append((level, low, high))
    return bounds
