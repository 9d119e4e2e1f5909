"""Declarative base, column types and naming conventions shared by every model."""

from datetime import UTC
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from marketplace.text import slugify

#: Named constraints, so migrations can drop and alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite returns naive values otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def enum_type(enum_cls: type[StrEnum], length: int = 24) -> sa.Enum:
    """Store a StrEnum by its value as a plain string column (readable in SQL, no native enum)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


def unique_slug(session, column, text: str, *, max_length: int, exclude_id: int | None = None) -> str:
    """A URL slug from the text, unique in `column` (a Model.slug); "-2", "-3"... added while taken.

    exclude_id skips the row being renamed, so it keeps its own slug.
    """
    model_id = column.class_.id
    base = slugify(text, max_length)
    slug, n = base, 2
    while True:
        query = sa.select(model_id).where(column == slug)
        if exclude_id is not None:
            query = query.where(model_id != exclude_id)
        if session.scalar(query.limit(1)) is None:
            return slug
        slug, n = f"{base}-{n}", n + 1
