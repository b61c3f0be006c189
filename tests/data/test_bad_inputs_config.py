"""Bad settings as a new user writes them: the assumptions file, replicates, seeds, folders.

The companion of ``tests/data/test_bad_inputs.py`` for everything that is not a data
table: a TOML key written under the wrong ``[table]`` header, a table key that is no
channel of the data, a file saved in the wrong encoding, ``n_bootstrap`` and ``seed``
values that used to be taken as something else, and report folders that cannot be
written. Each case expects a :class:`CxDataError` whose message names the key or
argument and the cause; each used to give a silent wrong number or a traceback.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import _tables as tables
import numpy as np
import pandas as pd
import pytest

import cx_economics as cx
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.core.parameters import MAX_BOOTSTRAP, MIN_BOOTSTRAP, check_n_bootstrap
from cx_economics.presentation.report import build_report
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable
from cx_economics.value.equity import customer_equity

FAST = cx.Assumptions(n_bootstrap=50)


#: Three channels, branch among them (the assumption keys below name branch).
THREE = ["web", "phone", "branch", "web", "phone", "branch"]


def customers() -> pd.DataFrame:
    """Six valid customers on three channels (longest tenure 30 months)."""
    return tables.customers(channel=THREE)


def responses() -> pd.DataFrame:
    """One valid answer per customer."""
    return tables.responses(channel=THREE)


def _toml(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "a.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _equity_inputs() -> tuple[LifeTable, ChurnCurves]:
    """The life table and curves of :func:`customer_equity`'s docstring example."""
    cells = pd.DataFrame(
        {
            "band": ["detractor"] * 4 + ["promoter"] * 4,
            "duration": [1, 2, 3, 3] * 2,
            "churned": [True, True, True, False] * 2,
            "customers": [30, 20, 10, 140, 10, 8, 6, 176],
            "revenue_sum": 0.0,
            "revenue_sq_sum": 0.0,
        }
    )
    months = np.arange(16.0)
    s = np.vstack([0.9**months, 0.97**months])
    curves = ChurnCurves(
        "geometric",
        ("band",),
        (("detractor",), ("promoter",)),
        months,
        s,
        s,
        s,
        np.array([3.0, 3.0]),
        np.array([200, 200]),
        np.array([60, 24]),
    )
    return LifeTable(cells, ("band",), "latest", None, False), curves


@dataclass(frozen=True)
class Case:
    """One bad setting: the call that must fail, and what its message must name."""

    name: str
    call: Callable[[Path], object]
    needles: tuple[str, ...]


MISPLACED = 'currency = "EUR"\n[cost_per_contact]\nphone = 6.5\nhorizon_months = 24\n'
MISPLACED_RATE = "[excellent_nps]\nphone = 30\nannual_discount_rate = 0.20\n"
# "# hinta €/kontakti" as Windows-1252 writes it: € is byte 0x80, invalid in UTF-8.
CP1252 = 'currency = "EUR"\n# hinta €/kontakti, työaika\nhorizon_months = 36\n'

CASES = [
    # the TOML file ------------------------------------------------------------
    Case(
        "top-level key written after [cost_per_contact]",
        lambda tmp: cx.load_assumptions(_toml(tmp, MISPLACED)),
        ("`horizon_months`", "[cost_per_contact]", "before the first [table] header"),
    ),
    Case(
        "discount rate written after [excellent_nps]",
        lambda tmp: cx.load_assumptions(_toml(tmp, MISPLACED_RATE)),
        ("`annual_discount_rate`", "[excellent_nps]", "before the first [table] header"),
    ),
    Case(
        "top-level key inside a table of a parsed mapping",
        lambda tmp: cx.load_assumptions({"cost_per_contact": {"phone": 6.5, "margin_rate": 0.3}}),
        ("`margin_rate`", "[cost_per_contact]", "top level"),
    ),
    Case(
        "file saved as Windows-1252",
        lambda tmp: cx.load_assumptions(_toml(tmp, CP1252, encoding="cp1252")),
        (
            "a.toml",
            "not UTF-8",
            "0x80",
            "byte position 25",
            "line 2, column 9",
            "save the file again",
        ),
    ),
    Case(
        "a folder instead of the file",
        lambda tmp: cx.load_assumptions(tmp),
        ("assumptions file", "is a folder", ".toml"),
    ),
    Case(
        "None instead of the file",
        lambda tmp: cx.load_assumptions(None),  # type: ignore[arg-type]
        ("`source`", "path of a TOML file", "None"),
    ),
    # table keys that are not channels of the data -------------------------------
    Case(
        "channel key differing in case",
        lambda tmp: build_report(
            customers(),
            responses(),
            out_dir=tmp / "out",
            assumptions=cx.Assumptions(n_bootstrap=50, cost_per_contact={"Branch": 9.0}),
        ),
        ("`cost_per_contact`", "'Branch'", "did you mean 'branch'", "case-sensitive"),
    ),
    Case(
        "channel key that is no channel",
        lambda tmp: build_report(
            customers(),
            responses(),
            out_dir=tmp / "out",
            assumptions=cx.Assumptions(n_bootstrap=50, excellent_nps={"fax": 30.0}),
        ),
        ("`excellent_nps`", "'fax'", "no such channel", "'branch', 'phone', 'web'"),
    ),
    Case(
        "channel key checked directly",
        lambda tmp: cx.Assumptions(cost_per_contact={"web ": 1.0}).check_channels(["web"]),
        ("`cost_per_contact`", "'web '", "did you mean 'web'"),
    ),
    # replicate counts -----------------------------------------------------------
    Case(
        "one bootstrap replicate",
        lambda tmp: cx.value_by_band(customers(), responses(), FAST, n_bootstrap=1),
        ("`n_bootstrap`", "from 50", "got 1", "exclude the estimate"),
    ),
    Case(
        "two bootstrap replicates",
        lambda tmp: cx.value_by_band(customers(), responses(), FAST, n_bootstrap=2),
        ("`n_bootstrap`", "from 50", "got 2"),
    ),
    Case(
        "True as the replicate count",
        lambda tmp: cx.value_by_band(customers(), responses(), FAST, n_bootstrap=True),
        ("`n_bootstrap`", "whole number", "got True"),
    ),
    Case(
        "a fraction as the replicate count",
        lambda tmp: cx.value_by_band(
            customers(),
            responses(),
            FAST,
            n_bootstrap=2.9,  # type: ignore[arg-type]
        ),
        ("`n_bootstrap`", "whole number", "got 2.9"),
    ),
    Case(
        "a float with no fraction as the replicate count",
        lambda tmp: cx.value_by_band(
            customers(),
            responses(),
            FAST,
            n_bootstrap=1e12,  # type: ignore[arg-type]
        ),
        ("`n_bootstrap`", "whole number", "1000000000000.0"),
    ),
    Case(
        "too many replicates",
        lambda tmp: cx.Assumptions(n_bootstrap=10**12),
        ("`n_bootstrap`", "100,000", "1,000,000,000,000"),
    ),
    Case(
        "one replicate for customer equity",
        lambda tmp: customer_equity(*_equity_inputs(), 10.0, horizon_months=12, n_bootstrap=1),
        ("`n_bootstrap`", "or 0 for no interval", "got 1"),
    ),
    Case(
        "NPS bootstrap of True replicates",
        lambda tmp: cx.nps(responses(), method="bootstrap", n_bootstrap=True),
        ("`n_bootstrap`", "whole number", "from 50 to 100,000", "got True"),
    ),
    # seeds ----------------------------------------------------------------------
    Case(
        "negative seed for lifetime values",
        lambda tmp: cx.value_by_band(customers(), responses(), FAST, seed=-1),
        ("`seed`", "≥ 0", "got -1"),
    ),
    Case(
        "negative seed for the report",
        lambda tmp: build_report(
            customers(), responses(), out_dir=tmp / "out", assumptions=FAST, seed=-1
        ),
        ("`seed`", "≥ 0", "got -1"),
    ),
    # the report's folder ----------------------------------------------------------
    Case(
        "report folder that is a file",
        lambda tmp: build_report(
            customers(), responses(), out_dir=_toml(tmp, "x", name="taken.pdf"), assumptions=FAST
        ),
        ("`out_dir`", "taken.pdf", "existing file, not a folder"),
    ),
    Case(
        "report folder under a file",
        lambda tmp: build_report(
            customers(),
            responses(),
            out_dir=_toml(tmp, "x", name="taken.pdf") / "report",
            assumptions=FAST,
        ),
        ("`out_dir`", "taken.pdf/report", "lies under", "which is a file"),
    ),
    # Kaplan–Meier alone stops with the data ---------------------------------------
    Case(
        "km beyond the data suggests a shorter horizon",
        lambda tmp: cx.value_by_band(customers(), responses(), FAST, model="km"),
        ("model='km'", "month 30", "`horizon_months`=60", "shorter horizon", "model='auto'"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_setting_raises_a_message_naming_the_key_and_cause(case: Case, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        with pytest.raises(CxDataError) as info:
            case.call(tmp_path)
    message = str(info.value)
    missing = [n for n in case.needles if n not in message]
    assert not missing, f"message lacks {missing}: {message}"
    assert "\n" not in message


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_report_folder_in_a_place_that_is_not_writable_says_so() -> None:
    with pytest.raises(CxDataError) as info:
        build_report(customers(), responses(), out_dir="/proc/cx-report", assumptions=FAST)
    message = str(info.value)
    assert "`out_dir`" in message and "/proc" in message and "not writable" in message
    assert "No such file" not in message


def test_byte_order_mark_is_accepted_silently(tmp_path: Path) -> None:
    text = 'currency = "USD"\nhorizon_months = 24\n[cost_per_contact]\nphone = 6.5\n'
    with_bom = _toml(tmp_path, text, encoding="utf-8-sig")
    assert with_bom.read_bytes().startswith(b"\xef\xbb\xbf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = cx.load_assumptions(with_bom)
    assert loaded == cx.load_assumptions(_toml(tmp_path, text, name="plain.toml"))
    assert (loaded.currency, loaded.horizon_months) == ("USD", 24)


def test_keys_before_the_first_table_are_read_as_written(tmp_path: Path) -> None:
    text = "horizon_months = 24\n[cost_per_contact]\nphone = 6.5\n[excellent_nps]\nphone = 30\n"
    loaded = cx.load_assumptions(_toml(tmp_path, text))
    assert loaded.horizon_months == 24
    assert dict(loaded.cost_per_contact) == {"phone": 6.5}
    assert dict(loaded.excellent_nps) == {"phone": 30.0}


def test_channel_keys_that_are_channels_pass_and_inputs_are_not_mutated() -> None:
    a = cx.Assumptions(cost_per_contact={"branch": 9.0, "web": 1.0}, excellent_nps={"web": 30.0})
    before = a.to_frame()
    a.check_channels(["branch", "phone", "web"])
    pd.testing.assert_frame_equal(a.to_frame(), before)


@pytest.mark.parametrize("value", [MIN_BOOTSTRAP, 1000, MAX_BOOTSTRAP, np.int64(200)])
def test_replicate_counts_in_range_are_accepted_as_int(value: int) -> None:
    checked = check_n_bootstrap(value)
    assert checked == int(value) and type(checked) is int
    assert cx.Assumptions(n_bootstrap=value).n_bootstrap == int(value)


def test_customer_equity_still_takes_zero_for_no_interval() -> None:
    equity = customer_equity(*_equity_inputs(), 10.0, horizon_months=12, n_bootstrap=0)
    assert np.isnan(equity.total_lower) and equity.interval_method == "none"


def test_every_public_n_bootstrap_parameter_goes_through_the_one_check() -> None:
    """Each public function with an ``n_bootstrap`` argument refuses 2 the same way."""
    calls: dict[str, Callable[[], object]] = {
        "Assumptions": lambda: cx.Assumptions(n_bootstrap=2),
        "value_by_band": lambda: cx.value_by_band(customers(), responses(), FAST, n_bootstrap=2),
        "customer_equity": lambda: customer_equity(
            *_equity_inputs(), 10.0, horizon_months=12, n_bootstrap=2
        ),
        "nps": lambda: cx.nps(responses(), method="bootstrap", n_bootstrap=2),
    }
    rule = "`n_bootstrap` must be a whole number from 50 to 100,000 replicates"
    for name, call in calls.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CxAssumptionWarning)
            with pytest.raises(CxDataError) as info:
                call()
        assert str(info.value).startswith(rule), (name, str(info.value))


@pytest.mark.parametrize("call", ["simulate", "resample"])
def test_negative_seed_of_the_simulator_and_resampler_names_seed(call: str) -> None:
    from cx_economics.data.datasets import simulate
    from cx_economics.survival.bootstrap import resample_life_table
    from cx_economics.tables.life import life_table

    with pytest.raises(CxDataError, match=r"`seed` must be a whole number ≥ 0"):
        if call == "simulate":
            simulate(100, seed=-1)
        else:
            sim = simulate(300, seed=1)
            resample_life_table(life_table(sim.customers, sim.responses), seed=-1)


def test_channel_economics_refuses_an_excellent_level_for_no_channel() -> None:
    from cx_economics.data.assumptions import Assumptions
    from cx_economics.data.datasets import simulate
    from cx_economics.economics.channels import channel_economics

    sim = simulate(1_500, seed=2)
    assumptions = Assumptions(n_bootstrap=50, excellent_nps={"Branch": 50.0, "web": 40.0})
    with pytest.raises(CxDataError, match=r"`excellent_nps`.*'Branch' \(did you mean 'branch'"):
        channel_economics(sim.customers, sim.responses, assumptions=assumptions)
