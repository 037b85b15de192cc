"""The aggregate_changes table: what each change that can affect an import's aggregates touched.

One row per change (a write may record several): the citizens it changed and the towns it may
have left (a citizen's old town, a purged citizen's town). A recompute reads the rows after the
version it starts from and recomputes only those citizens' presents and those towns'
percentiles. `citizen_ids` NULL means "anything": the next recompute starts from scratch. Rows
no stored aggregate needs any more are deleted as aggregates are stored.
"""

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.stored_aggregates import Document


class AggregateChange(db.Model):
    __tablename__ = "aggregate_changes"
    __table_args__ = (Index("ix_aggregate_changes_import_version", "import_id", "data_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("imports.id", ondelete="CASCADE"), nullable=False
    )
    # The import's data_version once the change committed.
    data_version: Mapped[int] = mapped_column(Integer, nullable=False)
    citizen_ids: Mapped[object | None] = mapped_column(Document)
    towns: Mapped[object | None] = mapped_column(Document)
