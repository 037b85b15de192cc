"""The load scenario's statistics: counts, throughput and latency percentiles per operation."""

import numpy
import pytest

from benchmarks.load.stats import OVERALL, Failure, Recorder, render_table, summarize


def test_summarize_counts_errors_as_requests_and_takes_percentiles_of_successes():
    latencies = [0.010, 0.020, 0.030, 0.040, 0.500]
    summary = summarize("GET citizen", latencies, errors=3, window_s=2.0)
    assert summary.requests == 8
    assert summary.errors == 3
    assert summary.throughput == pytest.approx(4.0)
    ms = [seconds * 1000 for seconds in latencies]
    for q in (50, 95, 99):
        assert summary.latency_ms[f"p{q}"] == pytest.approx(numpy.percentile(ms, q))
    assert summary.latency_ms["max"] == pytest.approx(500.0)


def test_summarize_without_a_success_has_no_latency():
    summary = summarize("POST import", [], errors=2, window_s=1.0)
    assert summary.requests == 2
    assert set(summary.latency_ms.values()) == {None}
    assert "       -" in render_table([summary])


def test_summaries_follow_the_given_order_and_end_with_all_operations():
    recorder = Recorder()
    recorder.success("b", 0.1)
    recorder.success("a", 0.3)
    recorder.failure(Failure("c", "GET", "/x", "load-1", 200, 500, "unexpected status", None, None))
    summaries = recorder.summaries(window_s=1.0, order=["c", "a"])
    assert [s.operation for s in summaries] == ["c", "a", "b", OVERALL]
    overall = summaries[-1]
    assert (overall.requests, overall.errors) == (3, 1)
    assert overall.latency_ms["p50"] == pytest.approx(200.0)
