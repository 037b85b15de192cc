"""API tokens, who trashed a record, and indexes for the purge.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

Reviewed by hand. Tokens keep only a SHA-256 of their secret. The partial indexes hold trashed
rows only, so they stay tiny and cost live writes nothing; kinship visibility is an anti-join
against ix_citizens_trashed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TRASHED = sa.text("deleted_at IS NOT NULL")


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('reader', 'editor', 'admin')", name=op.f("ck_api_tokens_role_known")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
    )
    with op.batch_alter_table("imports") as batch:
        batch.add_column(sa.Column("deleted_by", sa.String(length=128), nullable=True))
    with op.batch_alter_table("citizens") as batch:
        batch.add_column(sa.Column("deleted_by", sa.String(length=128), nullable=True))
    op.create_index(
        "ix_imports_trashed",
        "imports",
        ["deleted_at"],
        postgresql_where=TRASHED,
        sqlite_where=TRASHED,
    )
    op.create_index(
        "ix_citizens_trashed",
        "citizens",
        ["import_id", "citizen_id"],
        postgresql_where=TRASHED,
        sqlite_where=TRASHED,
    )


def downgrade():
    op.drop_index("ix_citizens_trashed", table_name="citizens")
    op.drop_index("ix_imports_trashed", table_name="imports")
    with op.batch_alter_table("citizens") as batch:
        batch.drop_column("deleted_by")
    with op.batch_alter_table("imports") as batch:
        batch.drop_column("deleted_by")
    op.drop_table("api_tokens")
