"""The curated public API: every exported name resolves and import stays light."""

from __future__ import annotations

import subprocess
import sys

import cx_economics


def test_every_exported_name_resolves() -> None:
    for name in cx_economics.__all__:
        assert getattr(cx_economics, name) is not None, name


def test_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, cx_economics; "
        "heavy = [m for m in ('pandas', 'matplotlib', 'statsmodels', 'lifelines', 'scipy') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_nps_is_a_function_whatever_was_imported_first() -> None:
    """`cx.nps` is the function, not a module, even after the NPS package is imported."""
    code = (
        "import cx_economics.scores.estimate, cx_economics as cx, types; "
        "from cx_economics.tables import NpsCounts; "
        "c = NpsCounts.from_counts(detractors=20, passives=30, promoters=50); "
        "print(round(cx.nps(c).nps, 6), isinstance(cx.nps, types.FunctionType))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["30.0", "True"]


def test_exported_functions_are_not_shadowed_by_submodules() -> None:
    """A submodule named like a function (e.g. `scorecards`) must not replace it."""
    import types

    for name in cx_economics.__all__:
        obj = getattr(cx_economics, name)
        assert not isinstance(obj, types.ModuleType) or callable(obj), name
