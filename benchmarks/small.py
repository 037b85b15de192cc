"""Small requests at fixed concurrency: what one PATCH or one read costs, in time and in CPU.

Each operation runs alone for `--duration` seconds at each of `--clients` (1, 8 and 32 virtual
clients, each sending its next request when the last is answered) against gunicorn and a
Celery worker in production configuration, on one import of `--citizens` citizens:

- `patch name`: PATCH of a citizen's name (a change no aggregate depends on);
- `patch relatives`: PATCH of a citizen's relatives, the step of benchmarks.run's round;
- `get citizen`: GET of one citizen;
- `first aggregate`: GET of birthdays or percentiles right after the same client changed a
  birth date (the PATCH is not counted): what a reader waits for after a write;
- `stored aggregate`: GET of birthdays with no write in between, served from the store.

Beside latency (client-side) and throughput it reports the CPU each request cost, read from
/proc before and after each run: gunicorn (master and workers), the Celery worker (main and
pool processes) and PostgreSQL (every `postgres` process of the server, whose backends serve
only this run while it lasts). A run takes about 2 minutes with the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import psycopg

from benchmarks.dataset import DEFAULT_SEED, generate_citizens, import_document
from benchmarks.load.client import LoadClient
from benchmarks.load.stats import Recorder, summarize
from benchmarks.run import add_service_options, new_session, post_import
from harness.database import ThrowawayDatabase, create_token, server_version
from harness.processes import HarnessError
from harness.service import Service, exit_on_sigterm, running_service

TICKS = os.sysconf("SC_CLK_TCK")
OPERATIONS = (
    "patch name",
    "patch relatives",
    "get citizen",
    "first aggregate",
    "stored aggregate",
)
CITIZENS_PER_CLIENT = 200  # each client writes its own citizens


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.small",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--duration", type=float, default=8, help="seconds per operation and level")
    parser.add_argument("--operations", nargs="+", choices=OPERATIONS, default=list(OPERATIONS))
    parser.add_argument("--citizens", type=int, default=10_000, help="citizens of the import")
    add_service_options(parser, port=8767, database="citizens_small", redis_db=6)
    args = parser.parse_args(argv)
    if args.citizens < max(args.clients) * CITIZENS_PER_CLIENT:
        parser.error(f"--citizens must be at least {CITIZENS_PER_CLIENT} per client")
    return args


# --- CPU from /proc ------------------------------------------------------------------------------


def _stat_fields(pid: str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None  # exited while we looked
    # The command may hold spaces or parentheses: the fields start after the last ')'.
    name = text[text.index("(") + 1 : text.rindex(")")]
    return [name, *text.rsplit(")", 1)[1].split()]


def cpu_seconds(belongs: Callable[[list[str]], bool]) -> float:
    """User and system CPU of every process `belongs` picks, with its reaped children's."""
    total = 0
    for entry in os.listdir("/proc"):
        fields = _stat_fields(entry) if entry.isdigit() else None
        if fields and belongs(fields):
            # After the name: state ppid pgrp ... utime(12) stime(13) cutime(14) cstime(15).
            total += sum(int(value) for value in fields[12:16])
    return total / TICKS


def in_process_group(group: int) -> Callable[[list[str]], bool]:
    return lambda fields: int(fields[3]) == group


def is_postgres(fields: list[str]) -> bool:
    return fields[0] == "postgres" or fields[0].startswith("postgres:")


class CpuMeter:
    """CPU seconds of the app, the worker and PostgreSQL, read together."""

    def __init__(self, service: Service) -> None:
        # Each harness process leads a session of its own: its group is its pid.
        self.groups = {
            "app": in_process_group(service.server.pid),
            "worker": in_process_group(service.worker.pid),
            "postgres": is_postgres,
        }

    def read(self) -> dict[str, float]:
        return {name: cpu_seconds(belongs) for name, belongs in self.groups.items()}


# --- the operations ------------------------------------------------------------------------------


def citizen_document(import_id: str, citizen_id: int, attributes=None, relatives=None) -> dict:
    data = {"type": "citizens", "id": f"{import_id}.{citizen_id}"}
    if attributes:
        data["attributes"] = attributes
    if relatives is not None:
        linkage = [{"type": "citizens", "id": f"{import_id}.{r}"} for r in relatives]
        data["relationships"] = {"relatives": {"data": linkage}}
    return {"data": data}


async def client_loop(
    client: LoadClient, operation: str, import_id: str, number: int, deadline: float
) -> None:
    """One virtual client: `operation` again and again on its own citizens until `deadline`."""
    first = number * CITIZENS_PER_CLIENT + 1
    own = itertools.cycle(range(first, first + CITIZENS_PER_CLIENT - 10))
    counter = itertools.count()
    citizen_path = f"/imports/{import_id}/citizens/{{}}"
    while time.monotonic() < deadline:
        citizen_id, n = next(own), next(counter)
        path = citizen_path.format(citizen_id)
        if operation == "patch name":
            body = citizen_document(import_id, citizen_id, {"name": f"Имя {number}-{n}"})
            await client.call(operation, "PATCH", path, 200, "editor", body)
        elif operation == "patch relatives":
            # Two sets in turn, so every PATCH changes something (as the round's step does).
            relatives = range(citizen_id + 1, citizen_id + 8)
            if n % 2:
                relatives = range(citizen_id + 2, citizen_id + 9)
            body = citizen_document(import_id, citizen_id, relatives=relatives)
            await client.call(operation, "PATCH", path, 200, "editor", body)
        elif operation == "get citizen":
            await client.call(operation, "GET", path, 200, "reader")
        elif operation == "first aggregate":
            born = f"19{50 + n % 40}-0{1 + n % 9}-1{n % 10}"
            body = citizen_document(import_id, citizen_id, {"birth_date": born})
            await client.call("write before it", "PATCH", path, 200, "editor", body)
            kind = ("citizens/birthdays", "towns/stat/percentile/age")[n % 2]
            await client.call(operation, "GET", f"/imports/{import_id}/{kind}", 200, "reader")
        else:
            await client.call(
                operation, "GET", f"/imports/{import_id}/citizens/birthdays", 200, "reader"
            )


async def run_level(
    base_url: str, tokens: dict, operation: str, import_id: str, clients: int, duration: float
) -> tuple[Recorder, float]:
    recorder = Recorder()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        client = LoadClient(session, base_url, tokens, recorder, "small")
        start = time.monotonic()
        deadline = start + duration
        await asyncio.gather(
            *(client_loop(client, operation, import_id, n, deadline) for n in range(clients))
        )
        return recorder, time.monotonic() - start


def wait_until_idle(service: Service, meter: CpuMeter, quiet_s: float = 0.5) -> None:
    """Let the worker finish what the last run queued before the next run's meter starts."""
    previous = meter.read()["worker"]
    for _ in range(120):
        time.sleep(quiet_s)
        now = meter.read()["worker"]
        if now - previous < 0.01:
            return
        previous = now


# --- the run -------------------------------------------------------------------------------------


def measure(args: argparse.Namespace) -> list[dict]:
    admin_url = f"postgresql://{args.pg}/postgres"
    database = ThrowawayDatabase(admin_url, name=args.database)
    with running_service(
        database, args.workers, args.redis, "production", args.port, 120,
        RATE_LIMIT="off", RATE_LIMIT_ANONYMOUS="off",
    ) as service:  # fmt: skip
        tokens = {
            role: create_token(service.database_url, f"small-{role}", role)
            for role in ("reader", "editor")
        }
        body = import_document(generate_citizens(args.citizens, args.citizens // 10, DEFAULT_SEED))
        _, _, import_id = post_import(new_session(tokens["editor"]), service.server.url, body)
        meter = CpuMeter(service)
        rows = []
        for operation in args.operations:
            for clients in args.clients:
                wait_until_idle(service, meter)
                before = meter.read()
                recorder, window = asyncio.run(
                    run_level(
                        service.server.url, tokens, operation, import_id, clients, args.duration
                    )
                )
                wait_until_idle(service, meter)  # the worker's share of this run, all of it
                after = meter.read()
                if recorder.failures:
                    raise HarnessError(
                        "\n".join(failure.describe() for failure in recorder.failures[:5])
                    )
                summary = summarize(operation, recorder.latencies[operation], 0, window)
                served = len(recorder.latencies[operation])
                cpu = {name: (after[name] - before[name]) * 1000 / served for name in after}
                rows.append({"clients": clients, "summary": summary, "cpu_ms": cpu})
                print(f"{operation} x{clients} done", file=sys.stderr, flush=True)
        return rows


def print_table(args: argparse.Namespace, pg_version: str, rows: list[dict]) -> None:
    print(
        f"Python {platform.python_version()} | PostgreSQL {pg_version} | "
        f"citizens={args.citizens} workers={args.workers} duration={args.duration:g}s"
    )
    print(
        f"{'operation':<17} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f"  CPU ms/request: {'app':>6} {'worker':>6} {'pg':>6} {'total':>6}"
    )
    for row in rows:
        summary, cpu = row["summary"], row["cpu_ms"]
        print(
            f"{summary.operation:<17} {row['clients']:>7} {summary.throughput:8.1f}"
            f" {summary.latency_ms['p50']:8.2f} {summary.latency_ms['p99']:8.2f}"
            f"                  {cpu['app']:6.2f} {cpu['worker']:6.2f} {cpu['postgres']:6.2f}"
            f" {sum(cpu.values()):6.2f}"
        )
    print("CPU of 'first aggregate' is per PATCH-and-read pair: the PATCH is part of its cost.")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    try:
        pg_version = server_version(f"postgresql://{args.pg}/postgres")
        rows = measure(args)
    except (HarnessError, psycopg.Error) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print_table(args, pg_version, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
