"""The folder layout is the data flow: imports run one way, with no private names across.

Walks every module of the package with :mod:`ast` (imports inside functions and
``TYPE_CHECKING`` blocks included) and fails on

* an import against the flow: a stage importing from a stage after it;
* any import cycle between modules;
* a private name (a ``_name`` or anything in a ``_module``) imported from another stage;
* a ``_name`` imported from a public module (shared internals live in a ``_module``).

The stages, in order, are the packages below ``cx_economics``; the top-level
``cx_economics/__init__.py`` is the façade that may load from any of them.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cx_economics"

#: The stages in the order data flows through them (docs/architecture.md).
STAGES = (
    "core",
    "data",
    "tables",
    "scores",
    "survival",
    "value",
    "economics",
    "targets",
    "drivers",
    "presentation",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> Iterator[tuple[str, str, str, int]]:
    """(importing module, imported module, imported name, line) for every import."""
    for path in sorted(PACKAGE.rglob("*.py")):
        here = module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.level:
                    raise AssertionError(f"{here}:{node.lineno}: relative import")
                if node.module.startswith("cx_economics"):
                    for alias in node.names:
                        yield here, node.module, alias.name, node.lineno
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("cx_economics"):
                        yield here, alias.name, "", node.lineno


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def target_module(module: str, name: str, known: set[str]) -> str:
    """The module an import binds: ``from a.b import c`` binds module ``a.b.c`` if it is one."""
    return f"{module}.{name}" if f"{module}.{name}" in known else module


def test_every_module_belongs_to_a_stage() -> None:
    strays = sorted(
        module_name(p)
        for p in PACKAGE.rglob("*.py")
        if module_name(p) != "cx_economics" and stage(module_name(p)) not in STAGES
    )
    assert not strays, f"modules outside the stages {STAGES}: {strays}"


def test_imports_follow_the_data_flow() -> None:
    against = [
        f"{here}:{line} imports {module} ({stage(here)} → {stage(module)})"
        for here, module, _, line in imports()
        if stage(here) in STAGES
        and stage(module) in STAGES
        and STAGES.index(str(stage(module))) > STAGES.index(str(stage(here)))
    ]
    assert not against, "imports against the flow:\n" + "\n".join(against)


def test_no_private_name_crosses_a_stage() -> None:
    crossing = [
        f"{here}:{line} imports {name or module} from {module}"
        for here, module, name, line in imports()
        if stage(here) != stage(module)
        and stage(here) is not None
        and (
            any(part.startswith("_") for part in module.split(".")[1:])
            or (name.startswith("_") and not name.startswith("__"))
        )
    ]
    assert not crossing, "private names used across stages:\n" + "\n".join(crossing)


def test_private_names_come_only_from_private_modules() -> None:
    """A public module's ``_names`` are its own: shared internals live in a ``_module``."""
    relayed = [
        f"{here}:{line} imports {name} from the public module {module}"
        for here, module, name, line in imports()
        if name.startswith("_")
        and not name.startswith("__")
        and not module.rsplit(".", 1)[-1].startswith("_")
    ]
    assert not relayed, "private names of public modules used elsewhere:\n" + "\n".join(relayed)


def test_no_import_cycles() -> None:
    known = {module_name(p) for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = defaultdict(set)
    for here, module, name, _ in imports():
        there = target_module(module, name, known)
        if here != "cx_economics" and there != here and there in known:
            graph[here].add(there)
    # a package's __init__ importing its own modules is how it exports them
    for here in list(graph):
        graph[here] = {m for m in graph[here] if not here.startswith(m + ".")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


@pytest.mark.parametrize("name", STAGES)
def test_each_stage_is_a_documented_package(name: str) -> None:
    init = PACKAGE / name / "__init__.py"
    assert init.is_file(), f"{name} is not a package"
    assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{name}: no docstring"
