"""Every example script and notebook runs on the demo data and prints its key result.

Scripts run as subprocesses (``python examples/x.py --out TMP``) from a temporary working
directory, so nothing can be written into the repository. Notebooks are executed with
nbclient when it is installed (the ``dev`` extra); without it, a plain executor runs the
code cells in order in one subprocess, printing each cell's last expression as Jupyter
would display it. Either way a failing cell fails the test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NOTEBOOKS = sorted((EXAMPLES / "notebooks").glob("*.ipynb"))
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))
TIMEOUT_SECONDS = 240

# a line each script must print (regular expression), proof that it reached its result
KEY_OUTPUT = {
    "channel_economics.py": r"Total money lost below excellent CX: €[\d,]+ a year",
    "churn_by_band.py": r"detractor\s+2\.\d\d\s+2\.\d\d\s+\d\.\d\d",
    "contact_drivers.py": r"billing error .* (fund|uncertain|do not fund)",
    "is_it_the_experience.py": r"adjusted for the plan\s+[\d,]+  \(",
    "leadership_report.py": r"\d+ pages written to .*cx_report\.pdf",
    "nps_by_channel.py": r"NPS by channel, all responses",
    "value_based_targets.py": r"value-based",
}
# files a script given --out must write there
KEY_FILES = {
    "channel_economics.py": ["money_lost.png", "nps_by_channel.png"],
    "churn_by_band.py": ["churn_curves.png", "hazard_ratios.png"],
    "leadership_report.py": ["cx_report.pdf", "churn_curves.png"],
}
# pages that quote a script's output (abridged): every line of a ``text`` block is printed
DOCUMENTED_OUTPUT = {
    "is_it_the_experience.py": [ROOT / "docs" / "worked-example-confounding.md"],
    "value_based_targets.py": [ROOT / "docs" / "worked-example-plus-25.md"],
}
KEY_NOTEBOOK_OUTPUT = {
    "finance_walkthrough.ipynb": [
        r"A promoter is worth €[\d,]+ more than a detractor",
        r"Tables written: \['channel_economics\.csv', 'targets\.csv'\]",
    ],
    "data_science_deep_dive.ipynb": [
        r"sBG refused: .*",
        r"replicates, bands, months \+ 1: \(200, 4, 25\)",
        r"Answers needed for ±5 points: \d+",
    ],
}

# Runs a notebook's code cells in one namespace; a cell's last expression is printed.
PLAIN_EXECUTOR = """
import ast, json, sys
cells = [c for c in json.load(open(sys.argv[1], encoding="utf-8"))["cells"]
         if c["cell_type"] == "code"]
namespace = {"__name__": "__main__"}
for number, cell in enumerate(cells, 1):
    tree = ast.parse("".join(cell["source"]), filename=f"<cell {number}>")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, f"<cell {number}>", "exec"), namespace)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), f"<cell {number}>", "eval"), namespace)
        if value is not None:
            html = value._repr_html_() if hasattr(value, "_repr_html_") else None
            assert html is None or "<" in html, f"cell {number}: HTML without markup"
            print(repr(value))
"""


#: They run the docs, examples and notebooks end to end: in CI (see pyproject).
pytestmark = pytest.mark.docs


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-2000:]}\n{result.stderr}"
    return result


def test_every_script_and_notebook_has_a_key_output() -> None:
    assert {p.name for p in SCRIPTS} == set(KEY_OUTPUT)
    assert {p.name for p in NOTEBOOKS} == set(KEY_NOTEBOOK_OUTPUT)
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_runs_on_the_demo(script: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    takes_out = "--out" in script.read_text(encoding="utf-8")
    args = [str(script), *(["--out", str(out)] if takes_out else [])]
    result = _run(args, cwd=tmp_path)
    assert re.search(KEY_OUTPUT[script.name], result.stdout), result.stdout[-3000:]
    for name in KEY_FILES.get(script.name, []):
        assert (out / name).stat().st_size > 1000, name
    printed = set(result.stdout.splitlines())
    for page in DOCUMENTED_OUTPUT.get(script.name, []):
        for shown in re.findall(r"```text\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            stale = [line for line in shown.splitlines() if line and line not in printed]
            assert stale == [], f"{page.name} quotes lines the script no longer prints: {stale}"


def _notebook_text_nbclient(path: Path, cwd: Path) -> str:
    import nbclient
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    texts: list[str] = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", ""))
            texts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(texts)


def _notebook_text(path: Path, cwd: Path) -> str:
    try:
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError:
        return _run(["-c", PLAIN_EXECUTOR, str(path)], cwd=cwd).stdout
    return _notebook_text_nbclient(path, cwd)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_on_the_demo(
    notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")  # inherited by the nbclient kernel
    text = _notebook_text(notebook, tmp_path)
    for pattern in KEY_NOTEBOOK_OUTPUT[notebook.name]:
        assert re.search(pattern, text), f"{pattern!r} not in the output of {notebook.name}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(notebook: Path) -> None:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)


def test_example_scripts_are_documented() -> None:
    page = (ROOT / "docs" / "examples.md").read_text(encoding="utf-8")
    for path in [*SCRIPTS, *NOTEBOOKS]:
        assert path.name in page, f"{path.name} is not listed in docs/examples.md"
