"""Stored aggregates kept as the bytes a response carries.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

Reviewed by hand. A read from the store decoded the JSONB document into Python objects, and the
response encoded them again: 15% of a birthdays read. The document is now kept as the UTF-8
JSON the service writes (orjson), so a read splices those bytes into its response, and the
stored document and the computed one are the same bytes (and the same ETag).

What is stored is a cache any read can rebuild: the upgrade empties it rather than converting
it (JSONB's text form orders keys its own way), and the next read or the sweep fills it again.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.execute("DELETE FROM aggregate_changes")
    op.execute("DELETE FROM stored_aggregates")
    with op.batch_alter_table("stored_aggregates") as batch:
        batch.drop_column("document")
        batch.add_column(sa.Column("document", sa.LargeBinary(), nullable=False))


def downgrade():
    op.execute("DELETE FROM aggregate_changes")
    op.execute("DELETE FROM stored_aggregates")
    with op.batch_alter_table("stored_aggregates") as batch:
        batch.drop_column("document")
        batch.add_column(sa.Column("document", JSON_DOCUMENT, nullable=False))
