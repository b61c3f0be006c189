"""``fit_churn``: churn curves by NPS band in one call, from raw tables or a life table.

``model="auto"`` (the default) uses the data where they reach and a model only
beyond them: Kaplan–Meier up to each group's longest observed tenure ``τ``, then
the AIC-best parametric curve of :func:`~cx_economics.survival.parametric.fit_parametric`
*conditioned* on surviving to ``τ``, so the two join without a jump::

    S(t) = S_KM(t)                          for t ≤ τ
    S(t) = S_KM(τ) · S_par(t) / S_par(τ)    for t > τ

The other model names return that model alone.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.survival.curves import ChurnCurves
from cx_economics.survival.km import kaplan_meier
from cx_economics.tables.life import BandRule, LifeTable, life_table

__all__ = ["CHURN_MODELS", "fit_churn", "splice_tail"]

FloatArray = npt.NDArray[np.float64]
ChurnModel = Literal[
    "auto", "km", "weibull", "lognormal", "loglogistic", "piecewise_exponential", "sbg"
]

#: Model names :func:`fit_churn` accepts.
CHURN_MODELS: tuple[str, ...] = (
    "auto",
    "km",
    "weibull",
    "lognormal",
    "loglogistic",
    "piecewise_exponential",
    "sbg",
)
_TailModel = Literal["weibull", "lognormal", "loglogistic", "piecewise_exponential", "auto"]
_PARAMETRIC = ("weibull", "lognormal", "loglogistic", "piecewise_exponential")


def _as_table(
    customers: Any,
    responses: Any,
    by: Sequence[str],
    band_rule: BandRule,
    as_of: str | pd.Timestamp | None,
) -> LifeTable:
    by = (by,) if isinstance(by, str) else tuple(by)
    if not isinstance(customers, LifeTable):
        return life_table(customers, responses, by=by, band_rule=band_rule, as_of=as_of)
    if responses is not None:
        raise CxDataError(
            "`responses` must be None when `customers` is already a LifeTable "
            "(its bands are fixed); pass the raw customers to re-derive bands"
        )
    return customers if by == tuple(customers.group_columns) else customers.collapse(by)


def _check_horizon(horizon_months: int) -> None:
    if isinstance(horizon_months, bool) or not isinstance(horizon_months, int | np.integer):
        raise CxDataError(f"`horizon_months` must be an integer, got {horizon_months!r}")
    if horizon_months < 1:
        raise CxDataError(f"`horizon_months` must be at least 1 month, got {horizon_months}")


def _warn_flat(curves: ChurnCurves, horizon_months: int) -> None:
    short = [
        f"{'/'.join(key) or 'all'} ({int(tau)} months)"
        for key, tau in zip(curves.groups, curves.observed_months, strict=True)
        if tau < horizon_months
    ]
    if short:
        warnings.warn(
            f"Kaplan–Meier curves stop where the data stop, e.g. {short[:3]}; up to month "
            f"{horizon_months} they are held flat (no churn assumed). Use model='auto' to "
            "extend them with a parametric tail",
            CxAssumptionWarning,
            stacklevel=3,
        )


def _tail_row(tail: ChurnCurves, key: tuple[str, ...], single: bool) -> int:
    try:
        return tail.index_of(*key)
    except KeyError:
        if single and len(tail.groups) == 1:
            return 0
        raise CxDataError(
            f"the tail has no group {key}; its groups are {list(tail.groups)}. Fit the tail "
            "on the same life table"
        ) from None


def _tail_names(tail: ChurnCurves, keys: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    details: Mapping[str, object] = tail.details or {}
    selected = details.get("selected")
    if isinstance(selected, Mapping):
        return {k: str(selected.get(k, tail.model)) for k in keys}
    return {k: tail.model for k in keys}


def splice_tail(km: ChurnCurves, tail: ChurnCurves) -> ChurnCurves:
    """Join Kaplan–Meier curves and a model's curves at each group's last observed month.

    Parameters
    ----------
    km : ChurnCurves
        Kaplan–Meier curves (``observed_months`` = each group's longest tenure τ).
    tail : ChurnCurves
        A model's curves for the same groups on the same month grid.

    Returns
    -------
    ChurnCurves
        ``S(t) = S_KM(t)`` up to τ and ``S_KM(τ) · S_tail(t) / S_tail(τ)`` beyond
        (fractions 0–1). Beyond τ the interval combines, on the log scale, the KM
        interval's half-width at τ and the tail's own half-width at t as a root sum
        of squares (conservative: the tail's width also carries the early months the
        KM part already covers). ``model`` is ``"km+<tail family>"``;
        ``observed_months`` is τ; ``details`` records ``tail_model`` per group,
        ``observed_months``, the splice rule and the tail's details.

    Examples
    --------
    >>> months = np.arange(7.0)
    >>> km = ChurnCurves("km", ("band",), (("promoter",),), months,
    ...                  np.array([[1, .9, .8, .7, .7, .7, .7]]),
    ...                  np.array([[1, .85, .75, .65, .65, .65, .65]]),
    ...                  np.array([[1, .95, .85, .75, .75, .75, .75]]),
    ...                  np.array([3.0]), np.array([100]), np.array([30]))
    >>> s = 0.9 ** months[None, :]
    >>> tail = ChurnCurves("geometric", ("band",), (("promoter",),), months, s, s, s,
    ...                    np.array([3.0]), np.array([100]), np.array([30]))
    >>> splice_tail(km, tail).survival.round(3).tolist()
    [[1.0, 0.9, 0.8, 0.7, 0.63, 0.567, 0.51]]
    """
    months = np.asarray(km.months)
    if not np.array_equal(months, np.asarray(tail.months)):
        raise CxDataError(
            f"`km` and `tail` need the same month grid; they reach months {int(months[-1])} "
            f"and {int(np.asarray(tail.months)[-1])}"
        )
    single = len(km.groups) == 1
    rows = [_tail_row(tail, key, single) for key in km.groups]
    tail_s = np.asarray(tail.survival, dtype=np.float64)[rows]
    tail_lo = np.asarray(tail.lower, dtype=np.float64)[rows]
    tail_hi = np.asarray(tail.upper, dtype=np.float64)[rows]
    tau = np.clip(np.floor(km.observed_months).astype(np.int64), 0, months.size - 1)
    at = (np.arange(len(rows)), tau)
    beyond = months[None, :] > tau[:, None]
    # S = 0 at or beyond tau gives log ratios of ±inf: their limits (bands of 0 or at most
    # the KM bound) are taken below by nan_to_num and the clipping, so no warning is due
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(tail_s[at][:, None] > 0, tail_s / tail_s[at][:, None], 0.0)
        survival = np.where(beyond, km.survival[at][:, None] * np.minimum(ratio, 1.0), km.survival)
        km_lo = np.log(km.survival[at] / km.lower[at])[:, None]
        km_hi = np.log(km.upper[at] / km.survival[at])[:, None]
        down = np.sqrt(km_lo**2 + np.log(tail_s / tail_lo) ** 2)
        up = np.sqrt(km_hi**2 + np.log(tail_hi / tail_s) ** 2)
        lower = np.where(beyond, np.nan_to_num(survival * np.exp(-down)), km.lower)
        upper_far = np.minimum(np.nan_to_num(survival * np.exp(up), nan=1.0), km.upper[at][:, None])
    upper = np.where(beyond, np.maximum(upper_far, survival), km.upper)
    names = _tail_names(tail, km.groups)
    families = sorted(set(names.values()))
    details: dict[str, object] = {
        "tail_model": names,
        "observed_months": dict(zip(km.groups, tau.tolist(), strict=True)),
        "splice": "S(t) = S_KM(t) for t <= tau; S_KM(tau) * S_tail(t) / S_tail(tau) beyond",
        "interval": "beyond tau: log-scale root sum of squares of KM (at tau) and tail widths",
        "tail_details": tail.details,
    }
    return ChurnCurves(
        model="km+" + "/".join(families),
        group_columns=tuple(km.group_columns),
        groups=tuple(km.groups),
        months=months.astype(np.float64),
        survival=survival.astype(np.float64),
        lower=np.clip(lower, 0.0, survival).astype(np.float64),
        upper=upper.astype(np.float64),
        observed_months=tau.astype(np.float64),
        n_customers=np.asarray(km.n_customers, dtype=np.int64),
        n_churned=np.asarray(km.n_churned, dtype=np.int64),
        level=km.level,
        details=details,
    )


def _model_curves(table: LifeTable, model: str, horizon_months: int, level: float) -> ChurnCurves:
    """Curves of a parametric or sBG model."""
    from cx_economics.survival.parametric import fit_parametric
    from cx_economics.survival.sbg import fit_sbg

    if model == "sbg":
        return fit_sbg(table, horizon_months=horizon_months, level=level)
    return fit_parametric(
        table,
        model=cast(_TailModel, model),
        horizon_months=horizon_months,
        level=level,
    )


def fit_churn(
    customers: Any,
    responses: Any = None,
    *,
    model: ChurnModel = "auto",
    by: Sequence[str] = ("band",),
    horizon_months: int = 60,
    band_rule: BandRule = "state",
    level: float = 0.95,
    as_of: str | pd.Timestamp | None = None,
) -> ChurnCurves:
    """Churn curves S(t) per NPS band (or finer groups), up to a horizon.

    Parameters
    ----------
    customers : LifeTable, pandas.DataFrame, Customers or another narwhals-supported frame
        A life table, or raw customers (then ``responses`` set the bands; see
        :func:`~cx_economics.tables.life.life_table`).
    responses : frame or Responses, optional
        Survey answers; must be None when ``customers`` is a LifeTable.
    model : {"auto", "km", "weibull", "lognormal", "loglogistic", \
"piecewise_exponential", "sbg"}, default "auto"
        ``"km"``: Kaplan–Meier, held flat beyond the data (with a warning when the
        horizon is longer). ``"auto"``: Kaplan–Meier where the data reach, extended by
        the AIC-best parametric tail conditioned to join continuously (module notes).
        The others: that model alone.
    by : sequence of str, default ("band",)
        Group columns. A LifeTable with more group columns is summed over the others.
    horizon_months : int, default 60
        The curves cover months ``0, 1, …, horizon_months``.
    band_rule : {"state", "latest", "mean", "first"}, default "state"
        How raw responses set the band: ``"state"`` from each answer on (delayed
        entry), the others one band over the whole tenure (see
        :func:`~cx_economics.tables.life.life_table`).
    level : float, default 0.95
        Nominal coverage of the pointwise intervals.
    as_of : date-like, optional
        Cut-off for raw responses.

    Returns
    -------
    ChurnCurves
        Survival (fractions 0–1) per group on the month grid, with intervals;
        ``observed_months`` marks where the data stop and the model takes over.

    Raises
    ------
    CxDataError
        Bad input or arguments.
    CxModelError
        A model cannot be fitted, or its module is unavailable.

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> demo = load_demo()
    >>> curves = fit_churn(demo.customers, demo.responses, model="km", horizon_months=24,
    ...                    as_of=demo.as_of)
    >>> curves.churn_at(12)[["band", "churn"]].round(3).values.tolist()
    [['detractor', 0.324], ['passive', 0.214], ['promoter', 0.128], ['unrated', 0.211]]
    """
    if model not in CHURN_MODELS:
        raise CxDataError(f"`model` must be one of {list(CHURN_MODELS)}, got {model!r}")
    _check_horizon(horizon_months)
    table = _as_table(customers, responses, by, band_rule, as_of)
    if model in ("sbg", *_PARAMETRIC):
        return _model_curves(table, model, horizon_months, level)
    km = kaplan_meier(table, horizon_months=horizon_months, level=level)
    if model == "km":
        _warn_flat(km, horizon_months)
        return km
    if (km.observed_months >= horizon_months).all():
        return km
    tail = _model_curves(table, "auto", horizon_months, level)
    return splice_tail(km, tail)
