"""The kinship table: one row per direction, so (a, b) always has its mirror (b, a)."""

from sqlalchemy import ForeignKeyConstraint, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Kinship(db.Model):
    __tablename__ = "kinship"
    __table_args__ = (
        # The citizen must exist; the relative then must too, since the mirror row's own
        # citizen-side key needs it (a relative-side key would check it twice; migration 0005).
        ForeignKeyConstraint(
            ["import_id", "citizen_id"],
            ["citizens.import_id", "citizens.citizen_id"],
            name="fk_kinship_citizen",
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
        # Each row's mirror key: the mirror key's checks and cascades find one entry by it.
        # With only (import_id, relative_id) the planner could check the n mirrors of a citizen
        # with n relatives by reading all n entries each: n² (migration 0005).
        Index("ix_kinship_mirror", "import_id", "relative_id", "citizen_id"),
    )

    import_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    relative_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
