"""The version of each aggregate's inputs, so a change they do not depend on keeps them current.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Reviewed by hand. `birthdays_version` and `town_age_stats_version` hold the data_version of the
last change that could affect that aggregate (app.domain.aggregate_inputs); a stored aggregate
stamped at that version or later is current. A change of a citizen's name, street, building,
apartment or gender moves data_version but neither of these, so it neither invalidates nor
recomputes an aggregate.

Existing imports start with both at their data_version: what is stored for them stays exactly
as current as it was. The columns are added with a constant default (no table rewrite on
PostgreSQL 11 and later), then set in one UPDATE of the imports table (one row per import).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ("birthdays_version", "town_age_stats_version")


def upgrade():
    with op.batch_alter_table("imports") as batch:
        for column in COLUMNS:
            batch.add_column(sa.Column(column, sa.Integer(), server_default="1", nullable=False))
    op.execute("UPDATE imports SET birthdays_version = data_version,"
               " town_age_stats_version = data_version")  # fmt: skip
    with op.batch_alter_table("imports") as batch:
        for column in COLUMNS:
            batch.create_check_constraint(
                op.f(f"ck_imports_{column}_known"), f"{column} BETWEEN 1 AND data_version"
            )


def downgrade():
    with op.batch_alter_table("imports") as batch:
        for column in COLUMNS:
            batch.drop_constraint(op.f(f"ck_imports_{column}_known"), type_="check")
            batch.drop_column(column)
