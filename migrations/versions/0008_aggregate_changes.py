"""What each change touched, so a recompute costs in proportion to it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Reviewed by hand. app.services.changes writes a row for every change that can affect an
aggregate: the citizens it changed and the towns it may have left. A recompute starts from the
stored aggregate and redoes only those citizens' presents and those towns' percentiles
(app.services.aggregates).

A stored aggregate that is already behind has no rows for the changes it missed, so the upgrade
deletes it: the next read or the sweep computes it whole, and every later change is recorded.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "aggregate_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("citizen_ids", DOCUMENT, nullable=True),
        sa.Column("towns", DOCUMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_aggregate_changes_import_id_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aggregate_changes")),
    )
    op.create_index(
        "ix_aggregate_changes_import_version", "aggregate_changes", ["import_id", "data_version"]
    )
    op.execute(
        "DELETE FROM stored_aggregates WHERE EXISTS (SELECT 1 FROM imports"
        " WHERE imports.id = stored_aggregates.import_id AND stored_aggregates.data_version <"
        " CASE stored_aggregates.kind WHEN 'birthdays' THEN imports.birthdays_version"
        " ELSE imports.town_age_stats_version END)"
    )


def downgrade():
    op.drop_index("ix_aggregate_changes_import_version", table_name="aggregate_changes")
    op.drop_table("aggregate_changes")
