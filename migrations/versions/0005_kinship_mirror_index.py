"""Kinship writes at linear cost: the mirror looked up by its whole key, one check fewer per row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

Reviewed by hand. The deferred mirror foreign key checks each row (import_id, c, r) at commit
with `WHERE import_id = $1 AND citizen_id = $2 AND relative_id = $3`, and its cascade deletes
the same way. PostgreSQL was free to serve that from the old two-column index on
(import_id, relative_id) and filter citizen_id, and did: for the n rows pointing at a citizen
with n relatives, each check then read all n entries of that citizen, n² in all (a 10,000-star
import committed in 3.5 s, a 20,000-star in 14 s). With citizen_id as the index's third column
both indexes answer the check with one entry, whichever the planner picks, and the index
still serves the relative-side foreign key and its cascade (its first two columns).

The foreign key from relative_id to citizens goes: the other two imply it. A row (c, r) needs
its mirror (r, c) at commit, and the mirror's own citizen-side key needs r to be a citizen of
the import; when r goes, the citizen-side cascade removes (r, c) and the mirror key's cascade
removes (c, r). Its check cost a third of every kinship write (a key-share lock on the
relative's row for each row written).

The new index is built before the old one is dropped, inside the migration's transaction:
writes to kinship wait for the build, reads do not.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_kinship_mirror", "kinship", ["import_id", "relative_id", "citizen_id"])
    op.drop_index("ix_kinship_relative", table_name="kinship")
    with op.batch_alter_table("kinship") as batch:  # SQLite rebuilds the table
        batch.drop_constraint("fk_kinship_relative", type_="foreignkey")


def downgrade():
    with op.batch_alter_table("kinship") as batch:
        batch.create_foreign_key(
            "fk_kinship_relative", "citizens", ["import_id", "relative_id"],
            ["import_id", "citizen_id"], ondelete="CASCADE",
        )  # fmt: skip
    op.create_index("ix_kinship_relative", "kinship", ["import_id", "relative_id"])
    op.drop_index("ix_kinship_mirror", table_name="kinship")
