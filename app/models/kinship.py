"""The kinship table: one row per direction, so (a, b) always has its mirror (b, a)."""

from sqlalchemy import ForeignKeyConstraint, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Kinship(db.Model):
    __tablename__ = "kinship"
    __table_args__ = (
        ForeignKeyConstraint(
            ["import_id", "citizen_id"],
            ["citizens.import_id", "citizens.citizen_id"],
            name="fk_kinship_citizen",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["import_id", "relative_id"],
            ["citizens.import_id", "citizens.citizen_id"],
            name="fk_kinship_relative",
            ondelete="CASCADE",
        ),
        # Mutuality as a constraint: every row needs its mirror row by commit time. Deferred, so a
        # transaction may write both directions in any order; the cascade removes the mirror too.
        ForeignKeyConstraint(
            ["import_id", "relative_id", "citizen_id"],
            ["kinship.import_id", "kinship.citizen_id", "kinship.relative_id"],
            name="fk_kinship_mirror",
            ondelete="CASCADE",
            deferrable=True,
            initially="DEFERRED",
        ),
        # Serves the relative-side foreign keys (cascades when a citizen row goes).
        Index("ix_kinship_relative", "import_id", "relative_id"),
    )

    import_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    relative_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
