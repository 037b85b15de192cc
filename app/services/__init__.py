"""Use cases: load rows, call the domain, write, commit. Shared by resources, tasks and the CLI."""
