"""Load scenario: mixed reads and writes at a fixed concurrency for a fixed time, then proof that
nothing was lost.

    python -m benchmarks.load --concurrency 16 --duration 30 --citizens 2000 --imports 4

It starts the service as in production (gunicorn, a Celery worker, Redis) on a throwaway
PostgreSQL database and posts `--imports` demo imports. Then `--concurrency` virtual clients
(asyncio + aiohttp) loop for `--duration` seconds, each sending its next request only when the
last one is answered and picking it from a weighted mix (mix.py): a page of citizens, one
citizen, birthdays, percentiles, PATCH of attributes, PATCH of relatives, POST of a citizen,
DELETE (trash) then restore as admin, POST of a small import.

What it measures, per operation and overall: requests, throughput (requests per second of the
load window), p50/p95/p99 and max latency in ms of the requests that succeeded, and errors.
Latency is client-side, sending to having read the whole answer: it includes waiting for a free
gunicorn worker and for the import's write lock (writes to one import run one at a time). An
error is an unexpected status, no answer (connection error, timeout) or an answer that
contradicts the accepted writes; none is retried, each is printed with its request, X-Request-ID,
answer and the server's log lines for that id, and one fails the run.

Then it verifies (verify.py) that, once the worker has caught up, the tables hold every write
that got its 2xx (the client tracks them: harness/expected.py), kinship is mutual, and both
aggregates of every live import, read through the API and stored, equal a recomputation from the
rows by the tests' own oracle (harness/oracle.py).

Reading it: progress goes to stderr, the report to stdout. Compare only runs with the same first
line (the numbers depend on the machine and on what else runs on it). "client CPU" is the load
generator's share of the cores; lock waits count how often a client waited for a citizen another
was writing (a handful is normal). Verification prints "ok" lines and PROBLEM lines; each
PROBLEM fails the run. `--json PATH` writes all of it. Exit status 0 only without error or problem.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

import aiohttp
import psycopg

from benchmarks.dataset import DEFAULT_SEED, generate_citizens
from benchmarks.load.client import LoadClient
from benchmarks.load.mix import OPERATIONS, Workload, next_operation
from benchmarks.load.report import Outcome, print_report, server_log_lines, write_json
from benchmarks.load.stats import Failure, Recorder
from benchmarks.load.verify import Verification, verify
from harness.database import ThrowawayDatabase, create_token, server_version
from harness.expected import ExpectedImport
from harness.processes import HarnessError
from harness.service import Service, exit_on_sigterm, running_service

ROLES = ("reader", "editor", "admin")
ATTRIBUTE_POOL_SIZE = 500
STARTED = time.monotonic()  # the wall clock of the whole run, set-up included


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--concurrency", type=int, default=16, help="virtual clients")
    parser.add_argument("--duration", type=float, default=30, help="seconds of load")
    parser.add_argument("--citizens", type=int, default=2000, help="citizens per set-up import")
    parser.add_argument(
        "--pairs",
        type=int,
        default=argparse.SUPPRESS,
        help="kinship pairs per import (default: a tenth of --citizens)",
    )
    parser.add_argument("--imports", type=int, default=4, help="imports set up before the load")
    # Sync workers wait on PostgreSQL much of the time: two per core keep both cores busy.
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="seed of the data and of the clients' picks"
    )
    parser.add_argument("--timeout", type=float, default=30, help="seconds one request may take")
    parser.add_argument(
        "--settle-timeout",
        type=float,
        default=60,
        help="seconds the worker may take after the load",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument("--pg", default="postgres@127.0.0.1:5432", help="PostgreSQL user@host:port")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/8",
        help="the worker's broker, flushed at start (benchmarks.run uses 9, the tests 11-14)",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--logs", metavar="DIR", help="keep the whole server and worker logs in this directory"
    )
    args = parser.parse_args(argv)
    if "pairs" not in args:
        args.pairs = args.citizens // 10
    if args.concurrency < 1 or args.duration <= 0 or args.imports < 1 or args.workers < 1:
        parser.error("--concurrency, --imports and --workers must be at least 1, --duration > 0")
    if args.citizens < 10:
        parser.error("--citizens must be at least 10")
    max_pairs = args.citizens * (args.citizens - 1) // 2 - 1
    if not 0 <= args.pairs <= max_pairs:
        parser.error(f"--pairs must be between 0 and {max_pairs} for {args.citizens} citizens")
    return args


def create_tokens(service: Service) -> dict[str, str]:
    """One token per role."""
    return {role: create_token(service.database_url, f"load-{role}", role) for role in ROLES}


async def set_up_imports(client: LoadClient, args: argparse.Namespace) -> list[ExpectedImport]:
    targets = []
    for number in range(args.imports):
        citizens = generate_citizens(args.citizens, args.pairs, args.seed + number)
        body = {"data": {"type": "imports", "attributes": {"citizens": citizens}}}
        reply = await client.call("set-up import", "POST", "/imports", 201, "editor", body)
        if not reply.ok:
            failure = client.recorder.failures[-1]
            raise HarnessError(f"setting up the imports failed:\n{failure.describe()}")
        import_id = int(reply.document["data"]["id"])
        targets.append(ExpectedImport.from_import(import_id, citizens))
    return targets


async def drive(workload: Workload, args: argparse.Namespace) -> float:
    """Run the virtual clients until the duration is up; return the load window in seconds.

    A client that is mid-operation when time is up finishes it (a trash is always followed by
    its restore), so the window ends when the last answer arrives.
    """
    deadline = time.monotonic() + args.duration

    async def virtual_client(number: int) -> None:
        rng = random.Random(f"{args.seed}-{number}")
        while time.monotonic() < deadline:
            await next_operation(rng)(workload, rng)

    started, cpu_started = time.monotonic(), time.process_time()
    await asyncio.gather(*(virtual_client(number) for number in range(args.concurrency)))
    # The client shares the 2 cores with the service: say how much of them it took.
    workload.client_cpu_seconds = time.process_time() - cpu_started
    return time.monotonic() - started


async def scenario(
    args: argparse.Namespace, service: Service, tokens: dict[str, str]
) -> tuple[Workload, Recorder, float, Verification, list[Failure]]:
    connector = aiohttp.TCPConnector(limit=args.concurrency + 2)
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        base_url = service.server.url
        setup = LoadClient(session, base_url, tokens, Recorder(), "setup")
        targets = await set_up_imports(setup, args)
        progress(f"set up {len(targets)} imports of {args.citizens} citizens")

        recorder = Recorder()
        workload = Workload(
            client=LoadClient(session, base_url, tokens, recorder, "load"),
            targets=targets,
            imports={target.import_id: target for target in targets},
            attribute_pool=generate_citizens(ATTRIBUTE_POOL_SIZE, 0, args.seed - 1),
        )
        progress(f"load: {args.concurrency} clients for {args.duration:g} s")
        window = await drive(workload, args)
        progress(f"load done in {window:.1f} s; verifying")

        checker = LoadClient(session, base_url, tokens, Recorder(), "verify")
        verification = await verify(
            checker,
            workload.imports,
            workload.uncertain_imports,
            service.database_url,
            args.redis,
            args.settle_timeout,
        )
    return workload, recorder, window, verification, checker.recorder.failures


def progress(message: str) -> None:
    """A line on stderr, stamped with the seconds since the start (the report goes to stdout)."""
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> bool:
    """Set up, load, verify and report; return whether the run passed."""
    admin_url = f"postgresql://{args.pg}/postgres"
    pg_version = server_version(admin_url)
    database = ThrowawayDatabase(admin_url, "citizens_load", keep=args.keep_db)
    # 16 clients at full speed are far over the production rate limits, which are not what is
    # measured here (tests/integration/test_rate_limits.py proves them).
    unlimited = {"RATE_LIMIT": "off", "RATE_LIMIT_ANONYMOUS": "off"}
    with running_service(database, args.workers, args.redis, "production", **unlimited) as service:
        progress(f"service up at {service.server.url}, database {database.name}")
        try:
            tokens = create_tokens(service)
            progress("tokens created")
            workload, recorder, window, verification, failed_checks = asyncio.run(
                scenario(args, service, tokens)
            )
        except HarnessError as exc:
            log = service.server.log_tail()
            raise HarnessError(f"{exc}\n--- server log (tail) ---\n{log}") from exc
        server_log = service.server.log()
        worker_log = service.worker.log()
        progress("verified; stopping the service")
    for failure in failed_checks:  # a request of the verification itself failed
        lines = server_log_lines(server_log, failure.request_id)
        verification.problems.append(f"a verification request failed: {failure.describe(lines)}")
    if args.logs:
        keep_logs(Path(args.logs), server_log, worker_log)
    summaries = recorder.summaries(window, OPERATIONS)
    outcome = Outcome(
        args, pg_version, summaries, workload, window, verification, server_log, worker_log
    )
    print_report(outcome)
    wall = time.monotonic() - STARTED
    if args.json:
        write_json(args.json, outcome, wall)
    passed = not recorder.failures and verification.passed
    print(f"\n{'PASSED' if passed else 'FAILED'} in {wall:.0f} s (wall time, set-up included)")
    if args.keep_db:
        print(f"kept database {database.name}")
    return passed


def keep_logs(directory: Path, server_log: str, worker_log: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "gunicorn.log").write_text(server_log, encoding="utf-8")
    (directory / "worker.log").write_text(worker_log, encoding="utf-8")
    progress(f"logs kept in {directory}/gunicorn.log and worker.log")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    try:
        passed = run(args)
    except (HarnessError, psycopg.Error) as exc:
        print(f"load scenario failed: {exc}", file=sys.stderr)
        return 1
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
