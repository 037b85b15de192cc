"""After the load: nothing accepted is lost, kinship is mutual, the aggregates are right.

1. Wait for the worker to catch up: the broker holds no task (waiting or running) and every live
   import has both aggregates stored as current (computed at or after the last change that could
   affect them).
2. Compare the tables with the expected state (harness.expected): each citizen's attributes
   and trash, the kinship rows, each import's data_version (1 + the writes accepted: none lost,
   none applied twice), and kinship mutual across the whole database.
3. Read both aggregates of every live import through the API and judge them, and the stored
   ones, with the tests' oracle (harness.oracle): current, and equal to the domain's functions
   applied to rows read straight from the tables with SQL of our own.

A stored aggregate left behind once the broker is idle is a problem too: every committed write
that can affect an aggregate queues a recompute, so one missing means a change was not
announced. Reads would still be right
(computed on the spot, `from_store: false`), but every one would pay for the computation until
the scheduler's sweep, which this scenario does not run.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import redis

from benchmarks.load.client import LoadClient
from harness.broker import broker_load
from harness.expected import ExpectedImport
from harness.oracle import Sql, one_sided_kinship, served_differences, sql_on, stored_differences

POLL_S = 0.2
# The broker idle for this long with aggregates still behind: no recompute is coming for them.
IDLE_BUT_BEHIND_S = 1.0
PROBLEMS_SHOWN_PER_IMPORT = 10

# Each aggregate of a live import not stored as current: missing, computed before the last
# change that could affect it, or (percentiles) not for today. Selected: the import, the version
# of that last change, the kind and the stored stamp.
AGGREGATES_BEHIND = """
    SELECT i.id, k.inputs_version, k.kind, s.data_version
    FROM imports i
    CROSS JOIN LATERAL (VALUES ('birthdays', i.birthdays_version),
                               ('town-age-stats', i.town_age_stats_version))
        AS k (kind, inputs_version)
    LEFT JOIN stored_aggregates s ON s.import_id = i.id AND s.kind = k.kind
    WHERE i.deleted_at IS NULL
      AND (s.data_version IS NULL OR s.data_version < k.inputs_version
           OR (k.kind = 'town-age-stats'
               AND s.as_of IS DISTINCT FROM (now() AT TIME ZONE 'UTC')::date))
    ORDER BY 1, 3
"""
# (label of the request, kind in the store, path under the import)
AGGREGATES = (
    ("birthdays", "birthdays", "citizens/birthdays"),
    ("percentiles", "town-age-stats", "towns/stat/percentile/age?page[size]=0"),
)


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)  # each one fails the run
    facts: list[str] = field(default_factory=list)
    settle_seconds: float | None = None
    # (import, kind) of the stored aggregates left behind: their reads are computed on the spot.
    behind: set[tuple[int, str]] = field(default_factory=set)

    @property
    def passed(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "problems": self.problems,
            "facts": self.facts,
            "settle_seconds": self.settle_seconds,
            "stored_aggregates_behind": [list(item) for item in sorted(self.behind)],
        }


async def verify(
    client: LoadClient,
    imports: dict[int, ExpectedImport],
    uncertain_imports: int,
    database_url: str,
    redis_url: str,
    settle_timeout_s: float,
) -> Verification:
    """`uncertain_imports`: POSTs of an import that errored, so may or may not have created one."""
    result = Verification()
    broker = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        with sql_on(database_url) as sql:
            await wait_for_worker(sql, broker, settle_timeout_s, result)
            compare_tables(sql, imports, uncertain_imports, result)
            await compare_aggregates(client, sql, result)
    finally:
        broker.close()
    return result


async def wait_for_worker(
    sql: Sql, broker: redis.Redis, timeout_s: float, result: Verification
) -> None:
    started = time.monotonic()
    idle_since = None
    while True:
        # The broker first: once it is idle, no task can change the store after we look.
        waiting, running = broker_load(broker)
        behind = sql(AGGREGATES_BEHIND)
        now = time.monotonic()
        idle = waiting == 0 and running == 0
        idle_since = (idle_since or now) if idle else None
        if idle and not behind:
            result.settle_seconds = round(now - started, 2)
            result.facts.append(
                f"the worker caught up {now - started:.1f} s after the load: the broker is idle"
                " and every live import has both aggregates stored as current"
            )
            return
        if idle and now - idle_since >= IDLE_BUT_BEHIND_S:
            result.settle_seconds = round(now - started, 2)
            result.behind = {(import_id, kind) for import_id, _, kind, _ in behind}
            details = "; ".join(
                f"import {import_id}'s {kind} changed at data_version {version}, stored at {stored}"
                for import_id, version, kind, stored in behind
            )
            result.problems.append(
                f"the broker is idle with no task, yet {len(behind)} stored aggregates are behind,"
                f" so no recompute was queued for their import's last data_version ({details})"
            )
            return
        if now - started > timeout_s:
            result.problems.append(
                f"the worker did not catch up in {timeout_s:g} s: {waiting} tasks waiting,"
                f" {running} running, stored aggregates behind:"
                f" {[(import_id, kind) for import_id, _, kind, _ in behind]}"
            )
            return
        await asyncio.sleep(POLL_S)


def compare_tables(
    sql: Sql, imports: dict[int, ExpectedImport], uncertain_imports: int, result: Verification
) -> None:
    unexplained = sorted({row[0] for row in sql("SELECT id FROM imports")} - set(imports))
    if len(unexplained) > uncertain_imports:
        result.problems.append(
            f"imports {unexplained} exist, but no accepted POST created them"
            f" ({uncertain_imports} POSTs of an import errored)"
        )
    citizens = rows = uncertain = 0
    for import_id in sorted(imports):
        expected = imports[import_id]
        problems = expected.differences(sql)
        if len(problems) > PROBLEMS_SHOWN_PER_IMPORT:
            more = len(problems) - PROBLEMS_SHOWN_PER_IMPORT
            problems = [*problems[:PROBLEMS_SHOWN_PER_IMPORT], f"... and {more} more"]
        result.problems.extend(f"import {import_id}: {problem}" for problem in problems)
        citizens += len(expected.citizens)
        rows += len(expected.kinship_rows())
        uncertain += len(expected.uncertain)
    result.facts.append(
        f"{len(imports)} imports, {citizens} citizens and {rows} kinship rows"
        " compared with every accepted write"
        + (f" ({uncertain} citizens left out: touched by an errored write)" if uncertain else "")
    )
    # Every import's rows, the ones no accepted write explains included.
    mirrorless = one_sided_kinship(sql)
    if mirrorless:
        result.problems.append(
            f"{len(mirrorless)} kinship rows without their mirror (import, a, b): {mirrorless[:20]}"
        )
    else:
        count = sql("SELECT count(*) FROM kinship")[0][0]
        result.facts.append(f"kinship is mutual: each of the {count} rows has its mirror")


async def compare_aggregates(client: LoadClient, sql: Sql, result: Verification) -> None:
    live = [row[0] for row in sql("SELECT id FROM imports WHERE deleted_at IS NULL ORDER BY id")]
    for import_id in live:
        documents, problems = [], []
        for label, kind, path in AGGREGATES:
            path = f"/imports/{import_id}/{path}"
            reply = await client.call(f"verify {label}", "GET", path, 200, "reader")
            if not reply.ok:
                break  # recorded as a failed request
            documents.append(reply.document)
            from_store = (import_id, kind) not in result.behind
            if reply.document.get("meta", {}).get("from_store") is not from_store:
                state = "current" if from_store else "behind"
                problems.append(f"{label}: meta.from_store is not {from_store} (store {state})")
        if len(documents) < len(AGGREGATES):
            continue
        try:
            problems += served_differences(sql, import_id, *documents)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"an aggregate document lacks what it should hold ({exc!r})")
        problems += stored_differences(sql, import_id)[1]
        result.problems.extend(f"import {import_id}: {problem}" for problem in problems)
    result.facts.append(
        f"both aggregates of {len(live)} live imports read through the API, and the stored ones,"
        " compared with a recomputation from the rows"
    )
