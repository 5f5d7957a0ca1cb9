"""What ``make run`` installs (the runtime dependencies, not the test extras) is enough to import
every module of the server: an outside package imported by ``src/tocsin`` must be a runtime
dependency or one of theirs."""

from __future__ import annotations

import ast
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

SOURCE = Path(__file__).resolve().parent.parent / "src" / "tocsin"


def imported_top_level_modules() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - {"tocsin"} - set(sys.stdlib_module_names)


def runtime_closure() -> set[str]:
    """tocsin's runtime requirements (with the extras they ask for) and theirs, transitively:
    what ``pip install .`` installs."""
    seen: set[str] = set()
    pending = [(Requirement(text), "") for text in metadata.requires("tocsin") or []]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            wanted = [Requirement(text) for text in metadata.requires(name) or []]
        except metadata.PackageNotFoundError:
            continue
        for nested in wanted:
            pending.extend((nested, chosen) for chosen in ("", *requirement.extras))
    return {key.split("[")[0] for key in seen}


def test_every_outside_package_the_server_imports_is_a_runtime_dependency() -> None:
    providers = metadata.packages_distributions()
    installed_by_make_run = runtime_closure()

    missing = {
        module: providers.get(module, ["?"])
        for module in sorted(imported_top_level_modules())
        if not any(canonicalize_name(dist) in installed_by_make_run for dist in providers.get(module, []))
    }

    assert missing == {}, "add these to [project] dependencies in pyproject.toml"
