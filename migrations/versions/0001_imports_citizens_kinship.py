"""Imports, citizens and kinship.

Revision ID: 0001
Revises:
Create Date: 2026-11-21

Reviewed by hand. Citizens are keyed naturally by (import_id, citizen_id); kinship stores one row
per direction and a deferred self-referencing foreign key requires every row's mirror, so the
database itself refuses one-sided kinship at commit. `deleted_at` (soft deletes) and
`data_version` (aggregate freshness) exist from this first revision.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Byte-wise collation: ORDER BY on names and towns follows Unicode code points.
TEXT = sa.String(length=256).with_variant(sa.String(length=256, collation="C"), "postgresql")
LIVE = sa.text("deleted_at IS NULL")


def upgrade():
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("data_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("data_version >= 1", name=op.f("ck_imports_data_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_table(
        "citizens",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("town", TEXT, nullable=False),
        sa.Column("street", TEXT, nullable=False),
        sa.Column("building", TEXT, nullable=False),
        sa.Column("apartment", sa.Integer(), nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("gender", sa.String(length=6), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("citizen_id >= 0", name=op.f("ck_citizens_citizen_id_non_negative")),
        sa.CheckConstraint("apartment >= 0", name=op.f("ck_citizens_apartment_non_negative")),
        sa.CheckConstraint("gender IN ('male', 'female')", name=op.f("ck_citizens_gender_known")),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_citizens_import_id_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", "citizen_id", name=op.f("pk_citizens")),
    )
    # Live citizens of one import: counts become index-only scans.
    op.create_index(
        "ix_citizens_live",
        "citizens",
        ["import_id", "citizen_id"],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )
    op.create_table(
        "kinship",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("relative_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id", "citizen_id"],
            ["citizens.import_id", "citizens.citizen_id"],
            name="fk_kinship_citizen",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id", "relative_id"],
            ["citizens.import_id", "citizens.citizen_id"],
            name="fk_kinship_relative",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id", "relative_id", "citizen_id"],
            ["kinship.import_id", "kinship.citizen_id", "kinship.relative_id"],
            name="fk_kinship_mirror",
            ondelete="CASCADE",
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.PrimaryKeyConstraint("import_id", "citizen_id", "relative_id", name=op.f("pk_kinship")),
    )
    # Serves the relative-side foreign keys: cascades when a citizen row is removed.
    op.create_index("ix_kinship_relative", "kinship", ["import_id", "relative_id"])


def downgrade():
    op.drop_table("kinship")
    op.drop_table("citizens")
    op.drop_table("imports")
