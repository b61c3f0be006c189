"""How a band's margin enters a value: its row, its vector and its bootstrap draws.

Shared by :mod:`~cx_economics.value.lifetime` and :mod:`~cx_economics.value.equity`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from cx_economics.core.exceptions import CxDataError
from cx_economics.survival.bootstrap import replicate_mean_revenue
from cx_economics.tables.life import LifeTable
from cx_economics.value._inputs import GroupKey
from cx_economics.value.margins import MarginByBand

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _margin_replicates(
    margins: MarginByBand, table: LifeTable, counts: IntArray, rng: np.random.Generator
) -> FloatArray:
    """Margin draws (B, G_margins): resampled revenue where margins come from the data."""
    n_rep = counts.shape[0]
    out = np.tile(np.asarray(margins.monthly_margin, dtype=np.float64), (n_rep, 1))
    from_data = np.array([s == "data" for s in margins.source])
    if not from_data.any():
        return out
    if tuple(margins.group_columns) == tuple(table.group_columns) and table.has_revenue:
        revenue = replicate_mean_revenue(table, counts, seed=rng, groups=margins.groups)
        out[:, from_data] = revenue[:, from_data] * margins.margin_rate
    else:  # margins by other groups than the table: normal draws from their standard errors
        se = np.nan_to_num(np.asarray(margins.standard_error, dtype=np.float64))
        draws = out + rng.standard_normal(out.shape) * se
        out[:, from_data] = draws[:, from_data]
    return out


def _margin_index(
    margins: MarginByBand, groups: Sequence[GroupKey], group_columns: Sequence[str]
) -> IntArray:
    """Row of ``margins`` for each of ``groups`` (same columns, or by band alone)."""
    if tuple(margins.group_columns) == tuple(group_columns):
        lookup = {k: j for j, k in enumerate(margins.groups)}
        keys = list(groups)
    elif tuple(margins.group_columns) == ("band",) and "band" in group_columns:
        lookup = {k: j for j, k in enumerate(margins.groups)}
        b = list(group_columns).index("band")
        keys = [(k[b],) for k in groups]
    else:
        raise CxDataError(
            f"`monthly_margin` is by {margins.group_columns}, the curves by "
            f"{tuple(group_columns)}; estimate margins by the same columns or by band"
        )
    missing = sorted({"/".join(k) for k in keys if k not in lookup})
    if missing:
        raise CxDataError(f"`monthly_margin` has no figure for group(s) {missing}")
    return np.array([lookup[k] for k in keys], dtype=np.int64)


def _margin_vector(
    monthly_margin: float | Mapping[str, float] | MarginByBand,
    groups: Sequence[GroupKey],
    group_columns: Sequence[str],
) -> FloatArray:
    if isinstance(monthly_margin, MarginByBand):
        idx = _margin_index(monthly_margin, groups, group_columns)
        out: FloatArray = np.asarray(monthly_margin.monthly_margin, dtype=np.float64)[idx]
    elif isinstance(monthly_margin, Mapping):
        band = list(group_columns).index("band") if "band" in group_columns else None
        values = []
        for key in groups:
            full = "/".join(key)
            hit = monthly_margin.get(
                full, monthly_margin.get(key[band]) if band is not None else None
            )
            if hit is None:
                raise CxDataError(
                    f"`monthly_margin` has no figure for group {full!r}; its keys are "
                    f"{sorted(monthly_margin)}"
                )
            values.append(float(hit))
        out = np.array(values, dtype=np.float64)
    else:
        out = np.full(len(groups), float(monthly_margin))
    bad = ~np.isfinite(out) | (out < 0)
    if bad.any():
        raise CxDataError(
            f"`monthly_margin` must be finite amounts ≥ 0 (currency per month); "
            f"{int(bad.sum())} group(s) are not: {out[bad][:3].tolist()}"
        )
    return out
