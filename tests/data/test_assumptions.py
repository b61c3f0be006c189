from __future__ import annotations

from pathlib import Path

import pytest

from cx_economics.core.exceptions import CxDataError
from cx_economics.data.assumptions import Assumptions, load_assumptions


def test_monthly_rate_compounds_to_annual() -> None:
    a = Assumptions(annual_discount_rate=0.10)
    assert (1 + a.monthly_discount_rate) ** 12 == pytest.approx(1.10, rel=1e-12)


def test_toml_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text(
        'currency = "EUR"\nannual_discount_rate = 0.09\nhorizon_months = 36\n'
        "[cost_per_contact]\nphone = 6.5\nchat = 3.0\n"
        "[monthly_margin_by_band]\ndetractor = 10.0\npromoter = 14.0\n",
        encoding="utf-8",
    )
    a = load_assumptions(path)
    assert a.horizon_months == 36
    assert dict(a.cost_per_contact) == {"phone": 6.5, "chat": 3.0}
    frame = a.to_frame()
    assert "cost_per_contact.phone" in set(frame["assumption"])
    assert frame.loc[frame["assumption"] == "horizon_months", "unit"].item() == "months"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"discount_rate": 0.08}, "unknown key"),
        ({"annual_discount_rate": 8}, "did you mean 0.08"),
        ({"margin_rate": 30}, "did you mean 0.3"),
        ({"horizon_months": 0}, "`horizon_months`"),
        ({"horizon_months": 12.5}, "`horizon_months`"),
        ({"cost_per_contact": {"phone": -3}}, "`cost_per_contact.phone`"),
        ({"monthly_margin_by_band": {"fans": 3}}, "unknown band"),
        ({"excellent_nps": {"web": 140}}, "`excellent_nps.web`"),
    ],
)
def test_bad_assumptions_say_what_is_wrong(data: dict[str, object], needle: str) -> None:
    with pytest.raises(CxDataError, match=needle.replace(".", r"\.")):
        load_assumptions(data)


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(CxDataError, match="does not exist"):
        load_assumptions(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("annual_discount_rate = = 3", encoding="utf-8")
    with pytest.raises(CxDataError, match="not valid TOML"):
        load_assumptions(bad)


def test_assumptions_are_frozen() -> None:
    a = Assumptions(cost_per_contact={"phone": 5.0})
    with pytest.raises(AttributeError):
        a.horizon_months = 12  # type: ignore[misc]
    with pytest.raises(TypeError):
        a.cost_per_contact["phone"] = 1.0  # type: ignore[index]
