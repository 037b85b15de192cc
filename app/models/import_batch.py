"""The imports table: one upload of citizens."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UtcDateTime


class ImportBatch(db.Model):
    """One import; `data_version` grows with every committed change to it or its citizens.

    `birthdays_version` and `town_age_stats_version` are the data_version of the last change
    that could affect that aggregate (app.domain.aggregate_inputs): a stored aggregate computed
    at that version or later is current, whatever changed since that it does not depend on.
    """

    __tablename__ = "imports"
    __table_args__ = (
        CheckConstraint("data_version >= 1", name="data_version_positive"),
        CheckConstraint(
            "birthdays_version BETWEEN 1 AND data_version", name="birthdays_version_known"
        ),
        CheckConstraint(
            "town_age_stats_version BETWEEN 1 AND data_version",
            name="town_age_stats_version_known",
        ),
        # The purge looks for old trash; live rows are not in this index at all.
        Index(
            "ix_imports_trashed",
            "deleted_at",
            postgresql_where=text("deleted_at IS NOT NULL"),
            sqlite_where=text("deleted_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.now()
    )
    data_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    birthdays_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    town_age_stats_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deleted_by: Mapped[str | None] = mapped_column(String(128))
