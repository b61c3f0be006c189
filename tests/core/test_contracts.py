"""One contract over every result type: frozen, tidy ``to_frame()``, text and HTML views.

The result classes are found by walking the package for concrete subclasses of
:class:`cx_economics.core.results.Result`, so a new result type is checked without being
listed here. Instances come from the documented examples (each module's doctests are
run once and every result object they leave behind is collected) plus a few built
here for types no example leaves in a variable. A result type with neither fails
:func:`test_every_result_type_has_an_instance`: give it an example.
"""

from __future__ import annotations

import dataclasses
import doctest
import html.parser
import importlib
import inspect
import pkgutil
import warnings
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import cx_economics
from cx_economics.core.results import Estimate, Result
from cx_economics.economics.cost import cost_curve_from_points, cost_of_excellence
from cx_economics.economics.impact import MixShift

#: modules whose examples print to the terminal rather than build results
SKIPPED_MODULES = ("cx_economics.presentation.cli",)


def _modules() -> list[ModuleType]:
    names = [m.name for m in pkgutil.walk_packages(cx_economics.__path__, "cx_economics.")]
    return [importlib.import_module(n) for n in sorted(names)]


def result_types() -> dict[str, type[Result]]:
    """Every concrete Result subclass defined in the package, by qualified name."""
    found: dict[str, type[Result]] = {}
    for module in _modules():
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, Result)
                and not inspect.isabstract(obj)
                and obj.__module__.startswith("cx_economics")
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def _from_examples() -> dict[type[Result], Result]:
    """Run every example once; keep the first instance of each result type."""
    collected: dict[type[Result], Result] = {}
    finder = doctest.DocTestFinder()
    for module in _modules():
        if module.__name__ in SKIPPED_MODULES:
            continue
        for test in finder.find(module):
            if not test.examples:
                continue
            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
            runner.run(test, out=lambda _text: None, clear_globs=False)
            for value in test.globs.values():
                if isinstance(value, Result):
                    collected.setdefault(type(value), value)
            test.globs.clear()
    return collected


def _built_here() -> list[Result]:
    curve = cost_curve_from_points("web", [0.0, 30.0, 60.0], [1e5, 1.6e5, 3e5])
    history = pd.DataFrame(
        {
            "detractors": [30, 20, 10, 25, 15, 5],
            "passives": [40, 40, 35, 38, 40, 30],
            "promoters": [30, 40, 55, 37, 45, 65],
        }
    )
    return [
        Estimate(12.0, 8.0, 16.0),
        cost_of_excellence(curve, today_nps=20.0, excellent_nps=50.0),
        MixShift(),
        MixShift.estimate(history),
    ]


@pytest.fixture(scope="module")
def instances() -> dict[type[Result], Result]:
    """One instance per result type that can be built from examples or here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        collected = _from_examples()
        for result in _built_here():
            collected.setdefault(type(result), result)
    return collected


TYPES = result_types()


def test_the_walk_finds_the_known_result_types() -> None:
    names = {cls.__name__ for cls in TYPES.values()}
    assert {"ChurnCurves", "LifeTable", "NpsEstimate", "ChannelEconomics", "ValueTargets"} <= names
    assert len(TYPES) >= 40


def test_every_result_type_has_an_instance(instances: dict[type[Result], Result]) -> None:
    missing = sorted(name for name, cls in TYPES.items() if cls not in instances)
    assert not missing, f"no example builds {missing}; add one to its docstring"


class _StrictHtml(html.parser.HTMLParser):
    """Collects start/end tags and checks that they nest."""

    VOID = frozenset({"br", "hr", "img", "meta", "input", "col"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


@pytest.mark.parametrize("name", sorted(TYPES))
def test_result_contract(name: str, instances: dict[type[Result], Result]) -> None:
    cls = TYPES[name]
    if cls not in instances:
        pytest.fail(f"no instance of {name} (see test_every_result_type_has_an_instance)")
    result = instances[cls]

    # frozen
    assert dataclasses.is_dataclass(result)
    first_field = dataclasses.fields(result)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, first_field, None)
    # ... and so are its arrays
    for spec in dataclasses.fields(result):
        value = getattr(result, spec.name)
        if isinstance(value, np.ndarray) and value.size:
            with pytest.raises(ValueError, match="read-only"):
                value.flat[0] = value.flat[0]

    # tidy frame
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) > 0 and frame.shape[1] > 0
    assert all(isinstance(c, str) for c in frame.columns), list(frame.columns)
    assert not frame.columns.duplicated().any(), list(frame.columns)
    assert not isinstance(frame.columns, pd.MultiIndex)

    # text
    text = result.summary()
    assert isinstance(text, str) and text.strip()
    assert str(result) == text

    # HTML that parses and nests
    page = result._repr_html_()
    assert page.lstrip().startswith("<")
    parser = _StrictHtml()
    parser.feed(page)
    parser.close()
    assert parser.tags > 0
    assert not parser.errors, parser.errors[:3]
    assert not parser.stack, f"unclosed tags {parser.stack}"


def test_a_result_freezes_its_own_view_not_the_callers_array() -> None:
    from cx_economics.survival.curves import ChurnCurves

    survival = np.array([[1.0, 0.9, 0.8]])
    curves = ChurnCurves(
        "km", ("band",), (("promoter",),), np.arange(3.0), survival, survival, survival,
        np.array([2.0]), np.array([10]), np.array([2]),
    )  # fmt: skip
    assert not curves.survival.flags.writeable
    survival[0, 1] = 0.95  # the caller's array is still theirs to change
    assert survival.flags.writeable
