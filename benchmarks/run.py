"""Benchmark the Citizens Analyzer end to end over HTTP against gunicorn and PostgreSQL."""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections import defaultdict

import orjson
import psycopg
import requests

from benchmarks.dataset import DEFAULT_SEED, generate_citizens, import_document
from benchmarks.probes import freeze_statistics, peak_rss_mb
from harness.database import ThrowawayDatabase, create_token, server_version
from harness.processes import HarnessError
from harness.service import Service, exit_on_sigterm, running_service

MEDIA_TYPE = "application/vnd.api+json"
REQUEST_TIMEOUT_S = 900
# Slow plans are what the planner-trap mode is meant to show: give a request minutes rather
# than gunicorn's default 30 s, after which the worker would be killed and nothing measured.
WORKER_TIMEOUT_S = 600
BODY_PREVIEW_CHARS = 4000
PATCH_RELATIVES = range(3, 10)

# Step key -> label printed in the table; order is the order of a round.
STEPS = {
    "import": "POST /imports",
    "citizens": "GET /imports/{id}/citizens?page[size]=0",
    "patch": "PATCH /imports/{id}/citizens/1",
    "birthdays": "GET /imports/{id}/citizens/birthdays",
    "birthdays-again": "  the same GET again",
    "percentile": "GET /imports/{id}/towns/stat/percentile/age",
    "percentile-again": "  the same GET again",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--citizens", type=int, default=10_000, help="citizens per import")
    parser.add_argument("--pairs", type=int, default=1_000, help="random kinship pairs")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="data set seed")
    parser.add_argument(
        "--planner-trap",
        action="store_true",
        help="pre-load imports and ANALYZE so each new import is estimated at one row",
    )
    parser.add_argument(
        "--trap-imports", type=int, default=4, help="imports pre-loaded by --planner-trap"
    )
    parser.add_argument("--pg", default="postgres@127.0.0.1:5432", help="PostgreSQL user@host:port")
    parser.add_argument("--database", default="citizens_bench", help="bench database name")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--tasks",
        choices=("worker", "in-process"),
        default="worker",
        help="worker: Redis broker and one Celery worker (production); in-process: no broker",
    )
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/9", help="Redis for --tasks worker (flushed)"
    )
    args = parser.parse_args(argv)
    # The PATCH step points citizen 1 at citizens 3..9, so they must exist.
    if args.citizens < max(PATCH_RELATIVES):
        parser.error(f"--citizens must be at least {max(PATCH_RELATIVES)}")
    max_pairs = args.citizens * (args.citizens - 1) // 2 - 1  # 1<->2 is always added on top
    if not 0 <= args.pairs <= max_pairs:
        parser.error(f"--pairs must be between 0 and {max_pairs} for {args.citizens} citizens")
    if args.rounds < 1 or args.workers < 1 or args.trap_imports < 1:
        parser.error("--rounds, --workers and --trap-imports must be at least 1")
    return args


def add_service_options(
    parser: argparse.ArgumentParser, port: int, database: str, redis_db: int
) -> None:
    """The options every benchmark that starts the service (gunicorn and a worker) takes."""
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=port, help="port on 127.0.0.1")
    parser.add_argument("--pg", default="postgres@127.0.0.1:5432", help="PostgreSQL user@host:port")
    parser.add_argument("--database", default=database, help="bench database name")
    parser.add_argument(
        "--redis",
        default=f"redis://127.0.0.1:6379/{redis_db}",
        help="broker of the worker (flushed)",
    )


def new_session(token: str) -> requests.Session:
    """Return a keep-alive session sending the JSON:API Accept header and the bearer token."""
    session = requests.Session()
    session.headers.update({"Accept": MEDIA_TYPE, "Authorization": f"Bearer {token}"})
    return session


def timed(
    session: requests.Session, method: str, url: str, expected: int, body: bytes | None = None
) -> tuple[float, requests.Response]:
    """Send one request with a pre-encoded body; return (seconds, response) if status matches."""
    headers = {"Content-Type": MEDIA_TYPE} if body is not None else None
    start = time.perf_counter()
    response = session.request(method, url, data=body, headers=headers, timeout=REQUEST_TIMEOUT_S)
    elapsed = time.perf_counter() - start
    if response.status_code != expected:
        raise HarnessError(
            f"{method} {url} returned {response.status_code}, expected {expected}\n"
            f"{response.text[:BODY_PREVIEW_CHARS]}"
        )
    return elapsed, response


def post_import(session: requests.Session, base_url: str, body: bytes) -> tuple[float, int, str]:
    """POST one import; return (seconds, response size, import id)."""
    elapsed, response = timed(session, "POST", f"{base_url}/imports", 201, body)
    try:
        import_id = str(orjson.loads(response.content)["data"]["id"])
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise HarnessError(
            f"POST /imports answered 201 without data.id: {response.text[:BODY_PREVIEW_CHARS]}"
        ) from exc
    return elapsed, len(response.content), import_id


def patch_document(import_id: str) -> bytes:
    """Return the PATCH body that sets citizen 1's relatives to citizens 3..9."""
    relatives = [{"type": "citizens", "id": f"{import_id}.{cid}"} for cid in PATCH_RELATIVES]
    return orjson.dumps(
        {
            "data": {
                "type": "citizens",
                "id": f"{import_id}.1",
                "relationships": {"relatives": {"data": relatives}},
            }
        }
    )


def run_round(
    session: requests.Session, base_url: str, body: bytes, citizens: int
) -> dict[str, tuple[float, int, bool | None]]:
    """Run one round on a new import; return step -> (seconds, response bytes)."""
    samples = {}
    elapsed, size, import_id = post_import(session, base_url, body)
    samples["import"] = (elapsed, size, None)
    prefix = f"{base_url}/imports/{import_id}"

    elapsed, response = timed(session, "GET", f"{prefix}/citizens?page[size]=0", 200)
    samples["citizens"] = (elapsed, len(response.content), None)
    check_citizen_count(response, citizens)

    patch = patch_document(import_id)  # encoded before the clock starts, like the import
    elapsed, response = timed(session, "PATCH", f"{prefix}/citizens/1", 200, patch)
    samples["patch"] = (elapsed, len(response.content), None)

    # Right after the PATCH the stored aggregate is behind: the first read computes it (unless
    # the worker was faster); the second is served from the store. meta.from_store says which.
    for step, path in (
        ("birthdays", "citizens/birthdays"),
        ("birthdays-again", "citizens/birthdays"),
        ("percentile", "towns/stat/percentile/age"),
        ("percentile-again", "towns/stat/percentile/age"),
    ):
        elapsed, response = timed(session, "GET", f"{prefix}/{path}", 200)
        from_store = orjson.loads(response.content)["meta"]["from_store"]
        samples[step] = (elapsed, len(response.content), from_store)
    return samples


def check_citizen_count(response: requests.Response, expected: int) -> None:
    """Fail unless the unpaginated listing holds every imported citizen."""
    data = orjson.loads(response.content).get("data")
    if not isinstance(data, list) or len(data) != expected:
        count = len(data) if isinstance(data, list) else type(data).__name__
        raise HarnessError(f"GET citizens returned {count} items, expected {expected}")


def arm_planner_trap(
    session: requests.Session, service: Service, args: argparse.Namespace, body: bytes
) -> list[str]:
    """Pre-load identical imports, then freeze statistics that know only their import ids."""
    for _ in range(args.trap_imports):
        post_import(session, service.server.url, body)
    return freeze_statistics(service.database_url)


def measure(
    args: argparse.Namespace, service: Service, body: bytes, token: str
) -> dict[str, list[tuple[float, int, bool | None]]]:
    """Optionally arm the trap, warm up, then run the measured rounds."""
    session, base_url = new_session(token), service.server.url
    if args.planner_trap:
        for line in arm_planner_trap(session, service, args, body):
            print(f"trap statistics: {line}", flush=True)
    run_round(session, base_url, body, args.citizens)  # warm-up, not recorded
    results = defaultdict(list)
    for number in range(1, args.rounds + 1):
        for step, sample in run_round(session, base_url, body, args.citizens).items():
            results[step].append(sample)
        print(f"round {number}/{args.rounds} done", file=sys.stderr, flush=True)
    return results


def mode_label(args: argparse.Namespace) -> str:
    """Return the mode shown in the output."""
    if args.planner_trap:
        return f"planner-trap ({args.trap_imports} identical imports pre-loaded, then ANALYZE)"
    return "normal (fresh database)"


def print_report(
    args: argparse.Namespace,
    pg_version: str,
    results: dict[str, list[tuple[float, int, bool | None]]],
    peaks: dict[str, float],
) -> None:
    """Print the environment line, the timing table and the servers' peak RSS."""
    print(
        f"\nPython {platform.python_version()} | PostgreSQL {pg_version} | "
        f"citizens={args.citizens} pairs={args.pairs} rounds={args.rounds} "
        f"workers={args.workers} tasks={args.tasks} | mode: {mode_label(args)}"
    )
    width = max(len(label) for label in STEPS.values())
    print(
        f"{'step':<{width}}  {'min ms':>9}  {'median ms':>9}  {'max ms':>9}  {'resp bytes':>10}"
        "  from store"
    )
    for step, label in STEPS.items():
        ms = [seconds * 1000 for seconds, _, _ in results[step]]
        size = results[step][-1][1]  # sizes differ between rounds only by the id's digits
        stored = [flag for _, _, flag in results[step] if flag is not None]
        store_column = f"  {sum(stored)}/{len(stored)}" if stored else ""
        print(
            f"{label:<{width}}  {min(ms):9.1f}  {statistics.median(ms):9.1f}  "
            f"{max(ms):9.1f}  {size:10,d}{store_column}"
        )
    print("server peak RSS (VmHWM): " + ", ".join(f"{k} {v:.1f} MB" for k, v in peaks.items()))


def run(args: argparse.Namespace) -> None:
    """Set up the database and server, measure, report, and always clean up."""
    body = import_document(generate_citizens(args.citizens, args.pairs, args.seed))
    admin_url = f"postgresql://{args.pg}/postgres"
    pg_version = server_version(admin_url)
    database = ThrowawayDatabase(admin_url, name=args.database, keep=args.keep_db)
    redis_url = args.redis if args.tasks == "worker" else None
    # The rate limits would refuse a benchmark's pace: it measures the service, not its limits.
    with running_service(
        database, args.workers, redis_url, "production", args.port, WORKER_TIMEOUT_S,
        RATE_LIMIT="off", RATE_LIMIT_ANONYMOUS="off",
    ) as service:  # fmt: skip
        try:
            token = create_token(service.database_url, "benchmark", "admin")
            results = measure(args, service, body, token)
            # Read before stopping: VmHWM dies with the process.
            peaks = peak_rss_mb(service.server.pid)
        except (HarnessError, requests.RequestException) as exc:
            log = service.server.log_tail()
            raise HarnessError(f"{exc}\n--- server log (tail) ---\n{log}") from exc
        print_report(args, pg_version, results, peaks)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the benchmark; return 0, or 1 after printing why it failed."""
    args = parse_args(argv)
    exit_on_sigterm()
    try:
        run(args)
    except (HarnessError, psycopg.Error) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
