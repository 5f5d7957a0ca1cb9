"""The domain packages build on one another in one direction: a package that imports another is
never imported back by it, directly or round a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import tocsin

SOURCE = Path(tocsin.__file__).parent
LAYERED = ("accounts", "teams", "notify", "people")
"""The packages whose order issue 16 set: accounts, then teams, then notify, then people."""


def package_imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE).parts
        package = parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith("tocsin."):
                    target = name.split(".")[1]
                    if target != package:
                        graph.setdefault(package, set()).add(target)
    return graph


def circle_through(graph: dict[str, set[str]], start: str, among: set[str]) -> list[str] | None:
    stack = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in graph.get(node, set()) & among:
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_accounts_teams_notify_and_people_import_in_one_direction():
    graph = package_imports()
    circles = [circle_through(graph, name, set(LAYERED)) for name in LAYERED]
    assert [circle for circle in circles if circle] == []


def test_the_finder_sees_a_circle():
    assert circle_through({"a": {"b"}, "b": {"a"}}, "a", {"a", "b"}) == ["a", "b", "a"]
    assert circle_through({"a": {"b"}, "b": set()}, "a", {"a", "b"}) is None
