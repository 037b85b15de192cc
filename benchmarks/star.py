"""Kinship of the worst shape: one citizen related to every other, at 10,000 and 100,000 citizens.

Every kinship write must cost in proportion to the rows it touches, whatever PostgreSQL's
statistics say. A star makes a quadratic step obvious: 10 times the citizens must cost about 10
times as much, not 100 times. Each size runs on a new import, over HTTP, against gunicorn in
production configuration; `--mode stale` first loads several large imports and ANALYZEs them, so
every new import is planned from statistics that do not know it (see README, planner-trap mode).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

import orjson
import psycopg
import requests

from benchmarks.dataset import DEFAULT_SEED, generate_citizens, import_document
from benchmarks.probes import freeze_statistics
from benchmarks.run import (
    WORKER_TIMEOUT_S,
    add_service_options,
    new_session,
    post_import,
    timed,
)
from harness.database import ThrowawayDatabase, create_token, server_version
from harness.processes import HarnessError
from harness.service import exit_on_sigterm, running_service

STAR = 1  # the citizen related to all others

# Step key -> label, in the order a round runs them; n is the import's size.
STEPS = {
    "import": "POST /imports (a star of n)",
    "remove": "DELETE …/relationships/relatives (n-1 ids)",
    "add": "POST …/relationships/relatives (n-1 ids)",
    "clear": "PATCH …/relationships/relatives []",
    "refill": "PATCH …/relationships/relatives (n-1 ids)",
    "trash": "DELETE …/citizens/1 (the star)",
    "restore": "PATCH …/citizens/1 deleted_at null",
    "create": "POST …/citizens, related to all n",
    "purge-citizen": "DELETE …/citizens/{n+1}?permanent=true",
    "trash-import": "DELETE /imports/{id}",
    "restore-import": "PATCH /imports/{id} deleted_at null",
    "purge-import": "DELETE /imports/{id}?permanent=true",
}
# What the issue that introduced this benchmark set as limits on a 2-core machine, in seconds.
TARGETS = {
    "import": 10,
    "remove": 5,
    "add": 5,
    "clear": 5,
    "refill": 5,
    "purge-import": 10,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.star",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000], help="citizens per star"
    )
    parser.add_argument(
        "--mode", choices=("fresh", "stale", "both"), default="both", help="database statistics"
    )
    parser.add_argument(
        "--stale-imports", type=int, default=3, help="imports of 10,000 loaded by --mode stale"
    )
    add_service_options(parser, port=8766, database="citizens_star", redis_db=10)
    args = parser.parse_args(argv)
    if min(args.sizes) < 3 or args.stale_imports < 1:
        parser.error("--sizes must be at least 3 and --stale-imports at least 1")
    return args


def star_citizens(n: int) -> list[dict]:
    """n citizens of the demo data set, citizen 1 related to every other and nothing else."""
    citizens = generate_citizens(n, 0, DEFAULT_SEED)
    for citizen in citizens:
        citizen["relatives"] = [STAR]
    citizens[STAR - 1]["relatives"] = list(range(2, n + 1))
    return citizens


def linkage(import_id: str, ids) -> bytes:
    return orjson.dumps({"data": [{"type": "citizens", "id": f"{import_id}.{c}"} for c in ids]})


def new_citizen(import_id: str, citizen_id: int, relatives: range) -> bytes:
    attributes = {
        "citizen_id": citizen_id, "town": "Москва", "street": "Льва Толстого", "building": "16к7",
        "apartment": 7, "name": "Иванов Иван", "birth_date": "1986-12-26", "gender": "male",
    }  # fmt: skip
    return orjson.dumps(
        {
            "data": {
                "type": "citizens",
                "attributes": attributes,
                "relationships": {"relatives": orjson.loads(linkage(import_id, relatives))},
            }
        }
    )


def restore_document(kind: str, resource_id: str) -> bytes:
    return orjson.dumps(
        {"data": {"type": kind, "id": resource_id, "attributes": {"deleted_at": None}}}
    )


def run_star(session: requests.Session, base_url: str, n: int) -> dict[str, float]:
    """Run every step on a new star of n citizens; return step -> seconds."""
    # Every body is encoded before its clock starts.
    seconds = {}
    seconds["import"], _, import_id = post_import(
        session, base_url, import_document(star_citizens(n))
    )
    imports = f"{base_url}/imports/{import_id}"
    star = f"{imports}/citizens/{STAR}"
    relationship = f"{star}/relationships/relatives"
    others = linkage(import_id, range(2, n + 1))
    created = n + 1
    requests_in_order = [
        ("remove", "DELETE", relationship, 204, others),
        ("add", "POST", relationship, 204, others),
        ("clear", "PATCH", relationship, 204, linkage(import_id, [])),
        ("refill", "PATCH", relationship, 204, others),
        ("trash", "DELETE", star, 204, None),
        (
            "restore", "PATCH", f"{star}?with_trashed=true", 200,
            restore_document("citizens", f"{import_id}.{STAR}"),
        ),
        (
            "create", "POST", f"{imports}/citizens", 201,
            new_citizen(import_id, created, range(1, n + 1)),
        ),
        ("purge-citizen", "DELETE", f"{imports}/citizens/{created}?permanent=true", 204, None),
        ("trash-import", "DELETE", imports, 204, None),
        (
            "restore-import", "PATCH", f"{imports}?with_trashed=true", 200,
            restore_document("imports", import_id),
        ),
        ("purge-import", "DELETE", f"{imports}?permanent=true", 204, None),
    ]  # fmt: skip
    for step, method, url, expected, body in requests_in_order:
        seconds[step], _ = timed(session, method, url, expected, body)
    return seconds


def load_other_imports(session: requests.Session, base_url: str, count: int, database_url: str):
    """Fill the database with `count` imports of 10,000 citizens plus one 10,000-star, then
    ANALYZE with autovacuum off: statistics that know every import but the ones to come."""
    body = import_document(generate_citizens(10_000, 1_000, DEFAULT_SEED))
    for _ in range(count):
        post_import(session, base_url, body)
    post_import(session, base_url, import_document(star_citizens(10_000)))
    return freeze_statistics(database_url)


def measure(args: argparse.Namespace, mode: str) -> dict[int, dict[str, float]]:
    """Start the service (gunicorn and a Celery worker, as deployed) on a new database, set up
    `mode`, run each size; return size -> step -> seconds."""
    admin_url = f"postgresql://{args.pg}/postgres"
    database = ThrowawayDatabase(admin_url, name=args.database)
    with running_service(
        database, args.workers, args.redis, "production", args.port, WORKER_TIMEOUT_S,
        RATE_LIMIT="off", RATE_LIMIT_ANONYMOUS="off",
    ) as service:  # fmt: skip
        try:
            session = new_session(create_token(service.database_url, "benchmark", "admin"))
            if mode == "stale":
                load_other_imports(
                    session, service.server.url, args.stale_imports, service.database_url
                )
            results = {}
            for n in args.sizes:
                start = time.perf_counter()
                results[n] = run_star(session, service.server.url, n)
                print(
                    f"{mode}: star of {n:,} done in {time.perf_counter() - start:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
            return results
        except (HarnessError, requests.RequestException) as exc:
            log = service.server.log_tail()
            raise HarnessError(f"{exc}\n--- server log (tail) ---\n{log}") from exc


def print_table(mode: str, results: dict[int, dict[str, float]]) -> bool:
    """Print one mode's table; return whether every step met its target."""
    sizes = list(results)
    width = max(len(label) for label in STEPS.values())
    header = "".join(f"  {f'n={n:,} ms':>14}" for n in sizes)
    growth = len(sizes) > 1
    print(f"\nmode: {mode}")
    print(f"{'step':<{width}}{header}" + (f"  {'growth':>7}" if growth else "") + "  target")
    met = True
    for step, label in STEPS.items():
        row = "".join(f"  {results[n][step] * 1000:14.1f}" for n in sizes)
        if growth:
            row += f"  {results[sizes[-1]][step] / results[sizes[0]][step]:6.1f}×"
        limit = TARGETS.get(step)
        if limit is not None:
            ok = results[max(sizes)][step] < limit
            met &= ok
            row += f"  < {limit} s {'ok' if ok else 'MISSED'}"
        print(f"{label:<{width}}{row}")
    return met


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    modes = ("fresh", "stale") if args.mode == "both" else (args.mode,)
    try:
        pg_version = server_version(f"postgresql://{args.pg}/postgres")
        tables = {mode: measure(args, mode) for mode in modes}
    except (HarnessError, psycopg.Error) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"Python {platform.python_version()} | PostgreSQL {pg_version} | "
        f"workers={args.workers} | stale mode: {args.stale_imports} imports of 10,000 and a "
        "10,000-star, then ANALYZE"
    )
    met = all([print_table(mode, results) for mode, results in tables.items()])
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
