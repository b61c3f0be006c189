"""The report's tables as one Excel workbook, a sheet per table, units in the headers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

#: Units of the columns the analyses' tables share; ``{currency}`` and ``{months}`` are
#: filled from the report. Columns not listed keep their bare name.
COLUMN_UNITS: Mapping[str, str] = {
    "nps": "NPS points",
    "excellent_nps": "NPS points",
    "target": "NPS points",
    "se": "NPS points",
    "n": "answers",
    "customers": "customers",
    "n_customers": "customers",
    "value_per_point": "{currency} per NPS point, present value over {months} months",
    "money_lost": "{currency}, present value over {months} months",
    "money_lost_yearly_equivalent": "{currency} a year, level equivalent",
    "cost_today": "{currency} a year",
    "cost_excellent": "{currency} a year",
    "cost_of_excellence": "{currency} a year",
    "extra_cost": "{currency} a year",
    "net_value": "{currency}, present value over {months} months",
    "value": "{currency} per customer, present value over {months} months",
    "monthly_margin": "{currency} per customer per month",
    "annual_benefit": "{currency} a year",
    "payback_months": "months",
    "month": "months",
    "duration": "months",
    "entry": "months",
    "horizon_months": "months",
    "roi": "fraction",
    "survival": "fraction",
    "churn": "fraction",
    "hazard_ratio": "ratio",
    "annual_discount_rate": "fraction a year",
    "extrapolated_share": "fraction",
    "revenue_sum": "{currency} per month, summed",
}

#: The unit of bare ``lower``/``upper`` columns, by the analysis they belong to.
MAIN_UNITS: Mapping[str, str] = {
    "nps": "NPS points",
    "nps_channel": "NPS points",
    "nps_team": "NPS points",
    "hazard_ratios": "ratio",
    "km": "fraction",
    "lifetime_values": "{currency} per customer, present value over {months} months",
}


def header(column: str, analysis: str, currency: str, months: int) -> str:
    """``column`` with its unit in brackets, when the unit is known.

    Examples
    --------
    >>> header("money_lost_lower", "economics", "EUR", 60)
    'money_lost_lower (EUR, present value over 60 months)'
    >>> header("lower", "nps_channel", "EUR", 60), header("channel", "economics", "EUR", 60)
    ('lower (NPS points)', 'channel')
    """
    base = re.sub(r"_(lower|upper)$", "", column)
    unit = COLUMN_UNITS.get(base)
    if unit is None and column in ("lower", "upper"):
        unit = MAIN_UNITS.get(analysis)
    if unit is None and column.endswith("_share"):
        unit = "fraction"
    return column if unit is None else f"{column} ({unit.format(currency=currency, months=months)})"


def write_workbook(
    path: str | Path,
    sections: pd.DataFrame,
    sentences: tuple[str, ...],
    analyses: Mapping[str, Any],
    *,
    currency: str,
    months: int,
) -> Path:
    """Write the sections, the key sentences and each analysis's table, one sheet each."""
    import importlib.util

    if importlib.util.find_spec("openpyxl") is None:
        raise ImportError("writing Excel needs openpyxl: pip install 'cx-economics-toolkit[excel]'")
    path = Path(path)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        sections.to_excel(writer, sheet_name="sections", index=False)
        pd.DataFrame({"key sentence": list(sentences)}).to_excel(
            writer, sheet_name="summary", index=False
        )
        for name, result in analyses.items():
            to_frame = getattr(result, "to_frame", None)
            if to_frame is None:
                continue
            frame = to_frame()
            frame.columns = [header(str(c), name, currency, months) for c in frame.columns]
            frame.to_excel(writer, sheet_name=name[:31], index=False)
    return path
