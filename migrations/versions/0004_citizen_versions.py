"""A version of each citizen, for its ETag.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Reviewed by hand. Every write that changes a citizen's representation (its attributes, its
visible relatives, its `deleted_at`) bumps `version` in the same transaction
(app.services.changes), so a citizen's ETag changes exactly when its document does and a write
can check If-Match under the import's lock without rendering anything.

On PostgreSQL 11 and later, adding a NOT NULL column with a constant default rewrites no rows:
existing citizens all start at version 1 at once. The check constraint scans the table once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("citizens") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch.create_check_constraint(op.f("ck_citizens_version_positive"), "version >= 1")


def downgrade():
    with op.batch_alter_table("citizens") as batch:
        batch.drop_constraint(op.f("ck_citizens_version_positive"), type_="check")
        batch.drop_column("version")
