"""docs/screenshots.py waits for the page a click leads to before it takes a screenshot: a
Playwright click only waits for the navigation to start, so a screenshot taken straight after
it may show the page before (the public form's "Continue" did)."""

import ast
from itertools import pairwise
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "docs" / "screenshots.py"


def _calls(node: ast.stmt) -> list[str]:
    return [
        call.func.attr
        for call in ast.walk(node)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
    ]


def _bodies(tree: ast.AST) -> list[list[ast.stmt]]:
    return [node.body for node in ast.walk(tree) if isinstance(getattr(node, "body", None), list)]


def test_no_screenshot_straight_after_a_click():
    tree = ast.parse(SCRIPT.read_text())
    races = [
        after.lineno
        for body in _bodies(tree)
        for before, after in pairwise(body)
        if isinstance(before, ast.Expr)
        and isinstance(after, ast.Expr)
        and "click" in _calls(before)
        and "screenshot" in _calls(after)
    ]
    assert races == [], f"wait for the next page before these screenshots: lines {races}"
