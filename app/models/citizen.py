"""The citizens table, keyed naturally by (import_id, citizen_id), its columns derived from the
declaration of a citizen's attributes (app.domain.citizen_rules.ATTRIBUTES)."""

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, text

from app.domain.citizen_rules import ATTRIBUTES, IDENTITY, Attribute, Kind
from app.extensions import db
from app.models.types import UtcDateTime

# Byte-wise ("C") collation makes ORDER BY follow Unicode code points, as the contract asks,
# whatever the database's default locale. SQLite ignores the name and compares bytes anyway.
CodePointString = String(256).with_variant(String(256, collation="C"), "postgresql")


def _column_type(attribute: Attribute):
    if attribute.kind is Kind.CHOICE:
        return String(max(map(len, attribute.choices)))
    return {Kind.INTEGER: Integer, Kind.TEXT: CodePointString, Kind.DATE: Date}[attribute.kind]


def _column(attribute: Attribute) -> Column:
    key = attribute.name == IDENTITY
    return Column(
        attribute.name, _column_type(attribute), nullable=False, primary_key=key,
        autoincrement=False if key else "auto",
    )  # fmt: skip


def _rule(attribute: Attribute) -> CheckConstraint | None:
    """The database's own copy of the attribute's range rule, so no writer can bypass it."""
    if attribute.kind is Kind.INTEGER:
        return CheckConstraint(f"{attribute.name} >= 0", name=f"{attribute.name}_non_negative")
    if attribute.kind is Kind.CHOICE:
        allowed = ", ".join(f"'{choice}'" for choice in attribute.choices)
        return CheckConstraint(f"{attribute.name} IN ({allowed})", name=f"{attribute.name}_known")
    return None


_COLUMNS = [attribute for attribute in ATTRIBUTES if attribute.is_column]
# `is not None`, not truthiness: a constraint without columns has len() 0.
_RULES = [rule for rule in map(_rule, _COLUMNS) if rule is not None]


class Citizen(db.Model):
    __table__ = db.Table(
        "citizens",
        Column("import_id", ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True),
        *map(_column, _COLUMNS),
        Column("deleted_at", UtcDateTime()),
        Column("deleted_by", String(128)),
        # Bumped with every change to the citizen's representation (app.services.changes): what
        # its ETag is made of.
        Column("version", Integer, nullable=False, server_default="1"),
        CheckConstraint("version >= 1", name="version_positive"),
        *_RULES,
        # Counting and listing live citizens of one import is the hottest read.
        Index(
            "ix_citizens_live",
            "import_id",
            "citizen_id",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # Only trashed rows: kinship visibility is an anti-join against this (tiny) set, and
        # the purge scans it for old trash.
        Index(
            "ix_citizens_trashed",
            "import_id",
            "citizen_id",
            postgresql_where=text("deleted_at IS NOT NULL"),
            sqlite_where=text("deleted_at IS NOT NULL"),
        ),
    )
