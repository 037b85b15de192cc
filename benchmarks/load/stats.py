"""Per-operation request counts, throughput, latency percentiles and errors of a load run."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

from app.domain.percentiles import percentile

LATENCY_PERCENTILES = (50, 95, 99)
OVERALL = "all operations"


@dataclass
class Failure:
    """One request that did not get its expected status (or answer) or whose answer was wrong."""

    operation: str
    method: str
    url: str
    request_id: str
    expected: int
    status: int | None  # None: no answer at all (connection error, timeout)
    problem: str
    request_body: str | None
    response_body: str | None

    def describe(self, server_log_lines: list[str] | None = None) -> str:
        """The failure, and the server's log lines for its request id when given."""
        got = f"status {self.status}" if self.status is not None else "no answer"
        parts = [
            f"{self.operation}: {self.method} {self.url} (X-Request-ID {self.request_id}):"
            f" expected {self.expected}, got {got}: {self.problem}",
        ]
        if self.request_body:
            parts.append(f"  request body: {self.request_body}")
        if self.response_body:
            parts.append(f"  response body: {self.response_body}")
        if server_log_lines is not None:
            parts.append("  server log lines of this request:")
            parts.extend(f"    {line}" for line in server_log_lines or ["(none)"])
        return "\n".join(parts)


@dataclass
class Summary:
    operation: str
    requests: int  # answered as expected plus errors
    errors: int
    throughput: float  # requests per second of the load window
    latency_ms: dict[str, float | None]  # "p50", "p95", "p99", "max"; None without a success

    def as_dict(self) -> dict:
        return asdict(self)


class Recorder:
    """Latencies of the requests that succeeded and every failure, by operation."""

    def __init__(self) -> None:
        self.latencies: defaultdict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.failures: list[Failure] = []

    def success(self, operation: str, seconds: float) -> None:
        self.latencies[operation].append(seconds)

    def failure(self, failure: Failure) -> None:
        self.errors[failure.operation] += 1
        self.failures.append(failure)

    def operations(self) -> list[str]:
        return sorted(set(self.latencies) | set(self.errors))

    def summaries(self, window_s: float, order: list[str] | None = None) -> list[Summary]:
        """One summary per operation (in `order`, then any other), and the overall one last."""
        names = [name for name in order or [] if name in self.operations()]
        names += [name for name in self.operations() if name not in names]
        result = [
            summarize(name, self.latencies[name], self.errors[name], window_s) for name in names
        ]
        every = [seconds for name in names for seconds in self.latencies[name]]
        result.append(summarize(OVERALL, every, sum(self.errors.values()), window_s))
        return result


def summarize(operation: str, latencies_s: list[float], errors: int, window_s: float) -> Summary:
    """Count, throughput and latency percentiles (linear interpolation, like NumPy's default)."""
    requests = len(latencies_s) + errors
    ms = sorted(seconds * 1000 for seconds in latencies_s)
    latency: dict[str, float | None] = {f"p{q}": None for q in LATENCY_PERCENTILES}
    latency["max"] = None
    if ms:
        for q in LATENCY_PERCENTILES:
            latency[f"p{q}"] = float(percentile(ms, q))
        latency["max"] = ms[-1]
    throughput = requests / window_s if window_s > 0 else 0.0
    return Summary(operation, requests, errors, throughput, latency)


def render_table(summaries: list[Summary]) -> str:
    """A fixed-width table: one line per operation, the overall line last."""
    width = max(len("operation"), *(len(summary.operation) for summary in summaries))
    columns = [f"p{q} ms" for q in LATENCY_PERCENTILES] + ["max ms"]
    header = f"{'operation':<{width}}  {'requests':>8}  {'req/s':>7}  " + "  ".join(
        f"{column:>8}" for column in columns
    )
    lines = [header + f"  {'errors':>6}"]
    for summary in summaries:
        if summary.operation == OVERALL:
            lines.append("-" * len(lines[0]))
        cells = "  ".join(
            f"{value:8.1f}" if value is not None else f"{'-':>8}"
            for value in summary.latency_ms.values()
        )
        lines.append(
            f"{summary.operation:<{width}}  {summary.requests:8d}  {summary.throughput:7.1f}  "
            f"{cells}  {summary.errors:6d}"
        )
    return "\n".join(lines)
