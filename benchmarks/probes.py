"""What the benchmark reads beside its timings: frozen planner statistics, the server's memory."""

from pathlib import Path

import psycopg
from psycopg import sql

from harness.database import libpq_url


def freeze_statistics(database_url: str) -> list[str]:
    """ANALYZE the database with autovacuum off; return import_id MCV lists as evidence."""
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        # The measured imports add 10% or more rows, which is autovacuum's threshold for a
        # fresh ANALYZE; one landing mid-run would quietly disarm the trap for later rounds.
        for schema, table in tables:
            conn.execute(
                sql.SQL("ALTER TABLE {} SET (autovacuum_enabled = false)").format(
                    sql.Identifier(schema, table)
                )
            )
        conn.execute("ANALYZE")
        rows = conn.execute(
            "SELECT tablename, most_common_vals::text FROM pg_stats"
            " WHERE attname = 'import_id' ORDER BY tablename"
        ).fetchall()
    return [f"{table}.import_id MCV={values}" for table, values in rows]


def peak_rss_mb(master: int) -> dict[str, float]:
    """VmHWM in MB of the gunicorn master and of each worker, keyed 'master'/'worker <pid>'."""
    workers = []
    # Scanning /proc works on every kernel; /proc/<pid>/task/*/children needs an option.
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue  # the process exited while we looked
        # The command name may hold spaces or parentheses: fields start after the last ')'.
        if stat and int(stat.rsplit(")", 1)[1].split()[1]) == master:
            workers.append(int(entry.name))
    return {"master": vm_hwm_mb(master)} | {f"worker {p}": vm_hwm_mb(p) for p in sorted(workers)}


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
