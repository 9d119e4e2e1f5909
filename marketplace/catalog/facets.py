"""Facet counts of the catalogue page, cached (with the home page's) in the one cache layer.

Facet counts follow the usual rule: each facet is counted with every other filter applied but not its own,
one GROUP BY per facet, always inside the listing rule.
"""

from dataclasses import dataclass, replace

import sqlalchemy as sa

from marketplace import cache
from marketplace.catalog import categories
from marketplace.catalog.filtering import STAR_LEVELS, CatalogFilters, conditions, select_products
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.producers.models import Producer
from marketplace.stock.services import online_in_stock_clause

#: The price-range facet: (lowest, highest) in đồng, both inclusive; None means open.
PRICE_RANGES: tuple[tuple[int | None, int | None], ...] = (
    (None, 99_999), (100_000, 199_999), (200_000, 499_999), (500_000, 999_999), (1_000_000, None),
)


@dataclass
class Facets:
    """Counts for each facet, every one computed with the other filters applied."""

    stars: dict[int, int]
    groups: dict[str, int]
    provinces: dict[int, int]
    prices: list[tuple[int | None, int | None, int]]
    in_stock: int
    total: int

    @property
    def sectors(self) -> dict[str, int]:
        """Counts per sector, summed from the group counts."""
        totals: dict[str, int] = {}
        for code, count in self.groups.items():
            sector = categories.sector_of(code)
            totals[sector] = totals.get(sector, 0) + count
        return totals


def count_by_stars(filters: CatalogFilters) -> dict[int, int]:
    """Products at or above each star level (3+, 4+, 5), other filters applied."""
    rows = db.session.execute(
        select_products(Product.star_level, sa.func.count()).where(*conditions(filters, "stars")).group_by(Product.star_level)
    ).all()
    exact = {int(level): count for level, count in rows if level}
    return {level: sum(count for star, count in exact.items() if star >= level) for level in STAR_LEVELS}


def count_by_group(filters: CatalogFilters) -> dict[str, int]:
    """Products per group code, other filters applied."""
    rows = db.session.execute(
        select_products(Product.group_code, sa.func.count()).where(*conditions(filters, "group")).group_by(Product.group_code)
    ).all()
    return {code: count for code, count in rows}


def count_by_province(filters: CatalogFilters) -> dict[int, int]:
    """Products per producer province code, other filters applied."""
    rows = db.session.execute(
        select_products(Producer.province_code, sa.func.count())
        .where(*conditions(filters, "province")).group_by(Producer.province_code)
    ).all()
    return {int(code): count for code, count in rows}


def count_by_price(filters: CatalogFilters) -> list[tuple[int | None, int | None, int]]:
    """(lowest, highest, count) for each price range, in one query."""
    sums = []
    for low, high in PRICE_RANGES:
        bounds = [Product.price_vnd >= low] if low is not None else []
        bounds += [Product.price_vnd <= high] if high is not None else []
        sums.append(sa.func.coalesce(sa.func.sum(sa.case((sa.and_(*bounds), 1), else_=0)), 0))
    row = db.session.execute(select_products(*sums).where(*conditions(filters, "price"))).one()
    return [(low, high, int(count)) for (low, high), count in zip(PRICE_RANGES, row, strict=True)]


def count_in_stock(filters: CatalogFilters) -> int:
    """Products with units in a producer's warehouse, other filters applied."""
    return db.session.execute(
        select_products(sa.func.count()).where(*conditions(filters, "in_stock"), online_in_stock_clause(Product.id))
    ).scalar_one()


def cached(name: str, filters: CatalogFilters, compute):
    """compute() once per catalogue version and day for this filter state (page and sort do not matter).

    Facet counts scan the whole public catalogue (one GROUP BY per facet), while the 24 products of a page
    are one indexed query: counts are kept in the cache layer (marketplace/cache.py) until the catalogue
    changes, so a product that has just become public is counted on the very next request.
    """
    return cache.remember(name, replace(filters, page=1, sort=None), compute)


def facet_counts(filters: CatalogFilters) -> Facets:
    """Every facet of the catalogue page; the total falls out of the star counts (no extra query)."""

    def compute() -> Facets:
        stars = count_by_stars(filters)
        return Facets(
            stars=stars, groups=count_by_group(filters), provinces=count_by_province(filters),
            prices=count_by_price(filters), in_stock=count_in_stock(filters),
            total=stars[filters.stars or STAR_LEVELS[0]],
        )

    return cached("facets", filters, compute)


def browse_counts() -> tuple[dict[str, int], dict[int, int]]:
    """Public products per group and per province, for the home page."""
    everything = CatalogFilters()
    return cached("browse", everything, lambda: (count_by_group(everything), count_by_province(everything)))
