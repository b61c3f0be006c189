"""The documentation cannot rot: its code runs, its printed output is real, the site builds.

* The README's first script prints exactly the output shown under it, and Getting started
  shows the same script and output.
* Every how-to page runs top to bottom (its ``python`` blocks in one namespace), and each
  ``text`` block on the page appears verbatim in what the code printed.
* ``mkdocs build --strict`` passes, and every name in ``cx_economics.__all__`` is in the
  built reference (its inventory) as a documented object, not only as a module.
* Every page under ``docs/`` is reachable from the navigation.
* Every public name has an Examples section in its docstring with runnable ``>>>`` code
  (run as a doctest by ``--doctest-modules``).
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import cx_economics

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
TIMEOUT_SECONDS = 240
# pages not written to be executed: the worked example quotes a script's output, and the
# DuckDB/Spark guide needs Spark and Java
NOT_EXECUTED = {"spark-and-duckdb.md"}

PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
TEXT_BLOCK = re.compile(r"```text\n(.*?)```", re.S)

# runs the python blocks of a Markdown file (argv[1]) in one namespace
BLOCK_RUNNER = """
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
namespace = {"__name__": "__main__"}
for number, block in enumerate(re.findall(r"```python\\n(.*?)```", text, re.S), 1):
    exec(compile(block, f"{sys.argv[1]}, block {number}", "exec"), namespace)
"""


#: They run the docs, examples and notebooks end to end: in CI (see pyproject).
pytestmark = pytest.mark.docs


def _run_markdown(page: Path, cwd: Path) -> str:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_RUNNER, str(page)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"{page.name}:\n{result.stdout[-2000:]}\n{result.stderr}"
    return result.stdout


def _first_script_and_output(page: Path) -> tuple[str, str]:
    text = page.read_text(encoding="utf-8")
    return PYTHON_BLOCK.findall(text)[0], TEXT_BLOCK.findall(text)[0]


def test_first_script_prints_the_output_shown(tmp_path: Path) -> None:
    script, shown = _first_script_and_output(ROOT / "README.md")
    single = tmp_path / "first.md"
    single.write_text(f"```python\n{script}```\n", encoding="utf-8")
    printed = _run_markdown(single, tmp_path)
    assert printed.strip().splitlines() == shown.strip().splitlines()


def test_readme_and_getting_started_show_the_same_first_script() -> None:
    assert _first_script_and_output(ROOT / "README.md") == _first_script_and_output(
        DOCS / "getting-started.md"
    )


HOW_TO = sorted(p for p in (DOCS / "how-to").glob("*.md") if p.name not in NOT_EXECUTED)


@pytest.mark.parametrize("page", HOW_TO, ids=lambda p: p.name)
def test_how_to_page_runs_and_shows_real_output(page: Path, tmp_path: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert PYTHON_BLOCK.search(text), f"{page.name} has no runnable code"
    printed = _run_markdown(page, tmp_path)
    for shown in TEXT_BLOCK.findall(text):
        assert shown.strip() in printed, f"{page.name}: shown output not printed:\n{shown}"


def test_every_docs_page_is_in_the_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    in_nav = set(re.findall(r":\s*([\w./-]+\.md)\s*$", config, re.M))
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert pages == in_nav


def _inventory(site: Path) -> dict[str, set[str]]:
    """Short name → roles (``py:function``, ``py:class``, …) in a Sphinx objects.inv."""
    raw = (site / "objects.inv").read_bytes()
    body = zlib.decompress(raw.split(b"\n", 4)[4]).decode("utf-8")
    roles: dict[str, set[str]] = {}
    for line in body.splitlines():
        path, role = line.split()[:2]
        roles.setdefault(path.rsplit(".", 1)[-1], set()).add(role)
    return roles


def test_site_builds_strict_with_every_public_name_in_the_reference(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    roles = _inventory(site)
    public = [n for n in cx_economics.__all__ if n != "__version__"]
    missing = [n for n in public if not roles.get(n, set()) - {"py:module"}]
    assert missing == [], f"public names absent from the API reference: {missing}"


def _examples_section(doc: str) -> str:
    """The text of a numpydoc ``Examples`` section, up to the next section or the end."""
    match = re.search(r"^Examples\n-{8,}\n(.*?)(?=^\w[\w ]*\n-{3,}\n|\Z)", doc, re.S | re.M)
    return match.group(1) if match else ""


def test_examples_section_is_found_and_ends_at_the_next_section() -> None:
    doc = "Summary.\n\nExamples\n--------\n>>> 1 + 1\n2\n\nNotes\n-----\n>>> not this\n"
    assert _examples_section(doc) == ">>> 1 + 1\n2\n\n"
    assert _examples_section("Summary.\n\nNotes\n-----\n>>> 1\n") == ""
    assert ">>>" not in _examples_section("Examples\n--------\nSee the guide.\n")


def _public_api() -> dict[str, object]:
    """Every function and class a public module lists in ``__all__`` and defines itself
    (a package: or one of its private modules)."""
    found: dict[str, object] = {}
    for path in sorted((ROOT / "cx_economics").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if any(part.startswith("_") for part in parts if part != "__init__"):
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        module = importlib.import_module(name)
        for export in getattr(module, "__all__", ()):
            obj = getattr(module, export)
            home = obj.__module__ if inspect.isfunction(obj) or inspect.isclass(obj) else ""
            # a package may export what its private modules define (report._build)
            if home == name or home.startswith(f"{name}._"):
                found[f"{name}.{export}"] = obj
    return found


def test_every_public_name_has_runnable_examples() -> None:
    api = _public_api()
    assert len(api) > 100  # the whole public API of the stages, not an empty or partial list
    assert {n for n in cx_economics.__all__} <= {k.rsplit(".", 1)[1] for k in api}
    without = sorted(
        n for n, obj in api.items() if ">>> " not in _examples_section(inspect.getdoc(obj) or "")
    )
    assert without == [], f"public names need an Examples section with >>> code: {without}"
