"""Stored aggregates, kept by the recompute task.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

Reviewed by hand. One row per import and aggregate kind, stamped with the data_version it was
computed from (and, for percentiles, the day); reads serve it only while that is current.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "stored_aggregates",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("document", DOCUMENT, nullable=False),
        sa.CheckConstraint(
            "kind IN ('birthdays', 'town-age-stats')", name=op.f("ck_stored_aggregates_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_stored_aggregates_import_id_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", "kind", name=op.f("pk_stored_aggregates")),
    )


def downgrade():
    op.drop_table("stored_aggregates")
