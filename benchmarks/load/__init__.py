"""The load scenario: mixed reads and writes at a fixed concurrency, then a check that nothing
was lost (run with ``python -m benchmarks.load``; see benchmarks/load/__main__.py)."""
