"""Layer rules import-linter cannot express: below the resources, nothing reads the request."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
# The layers that must work the same from a request, a task or the command line.
NO_REQUEST_LAYERS = ("domain", "services", "commands", "tasks.py")


def modules() -> list[Path]:
    found = []
    for layer in NO_REQUEST_LAYERS:
        path = APP / layer
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def request_uses(tree: ast.AST) -> list[int]:
    """Lines that import flask's request (or g, the request's globals) or use `flask.request`."""
    names = {"request", "g"}
    lines = []
    for node in ast.walk(tree):
        imports_it = (
            isinstance(node, ast.ImportFrom)
            and node.module == "flask"
            and bool({alias.name for alias in node.names} & names)
        )
        uses_it = (
            isinstance(node, ast.Attribute)
            and node.attr in names
            and isinstance(node.value, ast.Name)
            and node.value.id == "flask"
        )
        if imports_it or uses_it:
            lines.append(node.lineno)
    return lines


def test_the_rule_sees_every_layer():
    assert len(modules()) >= 15


@pytest.mark.parametrize("module", modules(), ids=lambda p: str(p.relative_to(APP)))
def test_no_request_below_the_resources(module: Path):
    assert request_uses(ast.parse(module.read_text())) == [], f"{module} reads the request"


def test_the_rule_finds_a_request_import():
    tree = ast.parse("from flask import current_app, request\nimport flask\nflask.g.x = 1\n")
    assert request_uses(tree) == [1, 3]
