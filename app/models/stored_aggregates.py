"""The stored_aggregates table: each import's last computed aggregates, stamped with a version.

`document` is the aggregate as the JSON bytes a response carries (orjson's encoding): a read
from the store splices them into its answer without decoding them (migration 0009).
"""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UtcDateTime

# A JSON document the database can look into (aggregate_changes).
Document = JSON().with_variant(JSONB(), "postgresql")


class StoredAggregate(db.Model):
    """One aggregate of one import as of `data_version` (percentiles: as of the day `as_of`)."""

    __tablename__ = "stored_aggregates"
    __table_args__ = (
        CheckConstraint("kind IN ('birthdays', 'town-age-stats')", name="kind_known"),
    )

    import_id: Mapped[int] = mapped_column(
        ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    as_of: Mapped[date | None] = mapped_column(Date)
    document: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
