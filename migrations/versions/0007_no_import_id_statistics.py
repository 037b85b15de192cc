"""No planner statistics on import_id: a new import is never believed to hold one row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Reviewed by hand. With statistics, the most common values of citizens.import_id and
kinship.import_id list the imports that existed at the last ANALYZE, and together they cover
every row: an import created since is estimated at one row until the next ANALYZE. The planner
then checks `citizen_id = ANY(...)` as a filter over every citizen of that import instead of
as an index condition (1.3 ms instead of 0.02 ms at 10,000 citizens, on each such statement of
every write), and may loop over what it thinks is one row. Without statistics on the column it
estimates every import at 0.5% of the table, which is never one row and never the whole table:
lookups by id stay index conditions, and reads were already written not to depend on the
estimate (benchmarks/README.md, planner-trap mode).

The setting applies from the next ANALYZE (autovacuum's or a manual one); the upgrade runs
one, so the statistics gathered before are replaced at once.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("citizens", "kinship")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite (development) plans without such statistics
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN import_id SET STATISTICS 0")
        op.execute(f"ANALYZE {table}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN import_id SET STATISTICS -1")
        op.execute(f"ANALYZE {table}")
