"""What a recompute costs after a change to one citizen, at 10,000 and 100,000 citizens.

For each size: one import (the demo data set, a tenth as many kinship pairs), both aggregates
computed whole and stored, then `--rounds` times: PATCH one citizen's birth date and town
through the API, then time bringing each aggregate up to date as the worker does
(`app.services.aggregates.current_aggregate`, in this process, on a real PostgreSQL). Tasks go
to a Redis database no worker reads, so only the timed calls compute anything. The whole
computation is timed too, for comparison: a recompute must cost in proportion to what changed,
not to the size of the import.

    python -m benchmarks.recompute [--sizes 10000 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import psycopg
import redis

from app import create_app
from app.extensions import db
from app.services import aggregates
from benchmarks.dataset import DEFAULT_SEED, generate_citizens, import_document
from harness.database import ThrowawayDatabase, create_token
from harness.processes import HarnessError

MEDIA_TYPE = "application/vnd.api+json"
TOWNS = ("Москва", "Керчь")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recompute", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg", default="postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5", help="flushed; no worker")
    return parser.parse_args(argv)


def milliseconds(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def measure(args: argparse.Namespace, size: int) -> dict[str, list[float]]:
    redis.Redis.from_url(args.redis).flushdb()
    with ThrowawayDatabase(f"postgresql://{args.pg}/postgres", "citizens_recompute") as url:
        token = create_token(url, "recompute", "editor")
        app = create_app(
            "production",
            {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": args.redis, "SECRET_KEY": "bench",
             "RATE_LIMIT": None, "RATE_LIMIT_ANONYMOUS": None},
        )  # fmt: skip
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": MEDIA_TYPE}
        body = import_document(generate_citizens(size, size // 10, DEFAULT_SEED))
        reply = client.post("/imports", data=body, headers=headers)
        if reply.status_code != 201:
            raise HarnessError(f"POST /imports answered {reply.status_code}")
        import_id = int(reply.get_json()["data"]["id"])
        times = {kind: [] for kind in aggregates.KINDS} | {"whole birthdays": []}
        with app.app_context():
            for kind in aggregates.KINDS:
                aggregates.current_aggregate(import_id, kind)
        for number in range(args.rounds):
            citizen = 1 + number
            document = {
                "data": {
                    "type": "citizens",
                    "id": f"{import_id}.{citizen}",
                    "attributes": {
                        "birth_date": f"19{60 + number}-0{1 + number}-11",
                        "town": TOWNS[number % 2],
                    },
                }
            }
            path = f"/imports/{import_id}/citizens/{citizen}"
            if client.patch(path, json=document, headers=headers).status_code != 200:
                raise HarnessError(f"PATCH {path} failed")
            with app.app_context():
                for kind in aggregates.KINDS:
                    elapsed, aggregate = milliseconds(
                        lambda kind=kind: aggregates.current_aggregate(import_id, kind)
                    )
                    if aggregate.recomputed is None:
                        raise HarnessError(f"{kind} was computed whole after a one-citizen PATCH")
                    times[kind].append(elapsed)
                elapsed, _ = milliseconds(lambda: aggregates.compute_birthdays(import_id))
                times["whole birthdays"].append(elapsed)
        with app.app_context():
            db.engine.dispose()
        return times


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = {size: measure(args, size) for size in args.sizes}
    except (HarnessError, psycopg.Error, redis.RedisError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(f"rounds={args.rounds}; median ms to bring an aggregate up to date after one PATCH")
    print(f"{'citizens':>9}  {'birthdays':>10}  {'percentiles':>11}  {'whole birthdays':>15}")
    for size, times in results.items():
        print(
            f"{size:>9,}  {statistics.median(times['birthdays']):10.1f}"
            f"  {statistics.median(times['town-age-stats']):11.1f}"
            f"  {statistics.median(times['whole birthdays']):15.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
