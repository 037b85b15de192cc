"""The load scenario's report: the printed one, and the JSON file of `--json`."""

from __future__ import annotations

import argparse
import json
import platform
import re
from dataclasses import dataclass
from importlib.metadata import version

from benchmarks.load.mix import Workload
from benchmarks.load.stats import Summary, render_table
from benchmarks.load.verify import Verification

# Warnings and errors of the app (JSON lines), of gunicorn ("[ERROR]") and of Celery (": ERROR/").
LOG_PROBLEM = re.compile(
    r'"level": "(WARNING|ERROR|CRITICAL)"|\[(ERROR|CRITICAL)\]|: (WARNING|ERROR|CRITICAL)/'
)
WORKER_TASK_STATE = re.compile(r"recompute_aggregates finished: (\w+)")


def server_log_lines(log: str, request_id: str) -> list[str]:
    needle = f'"{request_id}"'
    return [line for line in log.splitlines() if needle in line]


def worker_task_states(log: str) -> dict[str, int]:
    states: dict[str, int] = {}
    for state in WORKER_TASK_STATE.findall(log):
        states[state] = states.get(state, 0) + 1
    return states


@dataclass
class Outcome:
    """Everything one run produced, for the printed report and the JSON file."""

    args: argparse.Namespace
    pg_version: str
    summaries: list[Summary]
    workload: Workload
    window: float
    verification: Verification
    server_log: str
    worker_log: str


def print_report(outcome: Outcome) -> None:
    args, window, workload = outcome.args, outcome.window, outcome.workload
    verification, server_log, worker_log = (
        outcome.verification,
        outcome.server_log,
        outcome.worker_log,
    )
    recorder = workload.client.recorder
    print(
        f"\nPython {platform.python_version()} | PostgreSQL {outcome.pg_version} | aiohttp"
        f" {version('aiohttp')} | imports={args.imports}x{args.citizens} citizens"
        f" (pairs={args.pairs}) | concurrency={args.concurrency} duration={args.duration:g} s"
        f" (window {window:.1f} s) | gunicorn workers={args.workers} | tasks=worker"
    )
    print(render_table(outcome.summaries))
    states = worker_task_states(worker_log)
    print(
        f"client CPU: {workload.client_cpu_seconds:.1f} s in the {window:.1f} s window |"
        f" client-side lock waits: {workload.locks.waits} | imports posted during the load:"
        f" {len(workload.imports) - len(workload.targets)} | worker recomputes: "
        + (", ".join(f"{count} {state}" for state, count in sorted(states.items())) or "none")
    )
    for name, log in (("server", server_log), ("worker", worker_log)):
        problem_lines = [line for line in log.splitlines() if LOG_PROBLEM.search(line)]
        if problem_lines:
            print(f"\n{name} log: {len(problem_lines)} warning/error lines; the first ones:")
            for line in problem_lines[:20]:
                print(f"  {line}")
    if recorder.failures:
        print(f"\nERRORS: {len(recorder.failures)} requests failed")
        for failure in recorder.failures[:50]:
            print(failure.describe(server_log_lines(server_log, failure.request_id)))
        if len(recorder.failures) > 50:
            print(f"... and {len(recorder.failures) - 50} more (all in --json)")
    print(f"\nverification: {'PASSED' if verification.passed else 'FAILED'}")
    for fact in verification.facts:
        print(f"  ok: {fact}")
    for problem in verification.problems:
        print(f"  PROBLEM: {problem}")


def write_json(path: str, outcome: Outcome, wall_seconds: float) -> None:
    args, workload, server_log = outcome.args, outcome.workload, outcome.server_log
    document = {
        "environment": {
            "python": platform.python_version(),
            "postgresql": outcome.pg_version,
            "aiohttp": version("aiohttp"),
        },
        "config": {
            name: getattr(args, name)
            for name in (
                "concurrency",
                "duration",
                "citizens",
                "pairs",
                "imports",
                "workers",
                "seed",
                "timeout",
            )
        },  # fmt: skip
        "window_seconds": round(outcome.window, 3),
        "wall_seconds": round(wall_seconds, 1),
        "operations": [summary.as_dict() for summary in outcome.summaries],
        "client_lock_waits": workload.locks.waits,
        "client_cpu_seconds": round(workload.client_cpu_seconds, 2),
        "errors": [
            {**vars(failure), "server_log": server_log_lines(server_log, failure.request_id)}
            for failure in workload.client.recorder.failures
        ],
        "verification": outcome.verification.as_dict(),
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
