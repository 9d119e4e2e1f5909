"""Provinces and communes of Vietnam since 1 July 2025 (34 provinces, 3,321 communes).

The data comes from the vietnam-provinces package. Everything is keyed on the numeric codes of the
statistics office, never on names, which change between releases.
"""

from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, Ward

from marketplace.text import fold


@dataclass(frozen=True)
class Place:
    code: int
    name: str
    #: The province a commune belongs to (0 for provinces themselves).
    province_code: int = 0

    @property
    def short_name(self) -> str:
        """'Thành phố Hà Nội' -> 'Hà Nội' for compact labels."""
        for prefix in ("Thành phố ", "Tỉnh "):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name


@cache
def provinces() -> tuple[Place, ...]:
    """All provinces, sorted by name the Vietnamese way (accent-folded)."""
    places = [Place(int(p.code), p.name) for p in Province.iter_all()]
    return tuple(sorted(places, key=lambda p: fold(p.short_name)))


@cache
def _province_index() -> dict[int, Place]:
    return {p.code: p for p in provinces()}


def province(code: int | None) -> Place | None:
    """The province with this code, or None."""
    if code is None:
        return None
    return _province_index().get(int(code))


def province_name(code: int | None) -> str:
    """The province's name, or an empty string for an unknown code."""
    place = province(code)
    return place.short_name if place else ""


@cache
def _wards_by_province() -> dict[int, tuple[Place, ...]]:
    grouped: dict[int, list[Place]] = {}
    for ward in Ward.iter_all():
        place = Place(int(ward.code), ward.name, int(ward.province_code))
        grouped.setdefault(place.province_code, []).append(place)
    return {code: tuple(sorted(items, key=lambda w: fold(w.name))) for code, items in grouped.items()}


@cache
def _ward_index() -> dict[int, Place]:
    return {w.code: w for items in _wards_by_province().values() for w in items}


def wards(province_code: int | None) -> tuple[Place, ...]:
    """The communes and wards of one province, sorted by name."""
    if province_code is None:
        return ()
    return _wards_by_province().get(int(province_code), ())


def ward(code: int | None) -> Place | None:
    """The commune or ward with this code, or None."""
    if code is None:
        return None
    return _ward_index().get(int(code))


def load() -> None:
    """Build the province and commune indexes now: create_app calls it, so no request pays for them and
    wsgi.py's gc.freeze() finds them already built."""
    _province_index()
    _ward_index()


def is_ward_in_province(ward_code: int | None, province_code: int | None) -> bool:
    """True when the commune exists and belongs to that province."""
    place = ward(ward_code)
    return place is not None and province_code is not None and place.province_code == int(province_code)
