"""The citizens table, keyed naturally by (import_id, citizen_id)."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UtcDateTime

# Byte-wise ("C") collation makes ORDER BY follow Unicode code points, as the contract asks,
# whatever the database's default locale. SQLite ignores the name and compares bytes anyway.
CodePointString = String(256).with_variant(String(256, collation="C"), "postgresql")


class Citizen(db.Model):
    __tablename__ = "citizens"
    __table_args__ = (
        CheckConstraint("citizen_id >= 0", name="citizen_id_non_negative"),
        CheckConstraint("apartment >= 0", name="apartment_non_negative"),
        CheckConstraint("gender IN ('male', 'female')", name="gender_known"),
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

    import_id: Mapped[int] = mapped_column(
        ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True
    )
    citizen_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    town: Mapped[str] = mapped_column(CodePointString, nullable=False)
    street: Mapped[str] = mapped_column(CodePointString, nullable=False)
    building: Mapped[str] = mapped_column(CodePointString, nullable=False)
    apartment: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(CodePointString, nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    gender: Mapped[str] = mapped_column(String(6), nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deleted_by: Mapped[str | None] = mapped_column(String(128))
