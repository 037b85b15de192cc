"""End-to-end benchmark of the Citizens Analyzer service (run with ``python -m benchmarks.run``)."""
