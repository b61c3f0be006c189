"""Restricted mean survival: expected months alive within a horizon, per group.

Convention (whole months, as everywhere in cx_economics)::

    RMST(H) = sum_{t=1..H} S(t) = E[min(M, H)]

where M is the number of whole months a customer completes (a churner at
``duration`` k completed k - 1). It is the number of monthly margins a new customer
is expected to pay within H months, which is what lifetime value multiplies. The
continuous integral of the step curve that Kaplan–Meier software reports (lifelines'
``restricted_mean_survival_time``) counts the month of churn in full and equals
``RMST(H) + 1 - S(H)``; assuming churn spread evenly within the month gives
``RMST(H) + (1 - S(H)) / 2``.

Intervals. The pointwise bounds of a curve are *not* a valid basis for an interval on
its sum (they ignore the strong correlation between months). Instead:

* curves from :func:`~cx_economics.survival.parametric.fit_parametric` or
  :func:`~cx_economics.survival.sbg.fit_sbg` — the delta method with the fitted
  parameters' covariance: ``Var = g' V g`` with ``g = sum_t dS(t)/d theta``;
* Kaplan–Meier curves — the Greenwood-type variance (Klein & Moeschberger, 2003,
  §4.5) from the risk sets: those of the life table the curve came from (``table``),
  or those implied by ``details["at_risk"]`` and the curve's drops::

      Var = sum_{j=1..H} A_j**2 * d_j / (n_j * (n_j - d_j)),   A_j = sum_{t=j..H} S(t)

  with ``n_j`` customers at risk in month j and ``d_j`` churning in it.

The interval is normal on the month scale, clipped to ``[0, H]``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.core.results import Estimate, Result
from cx_economics.core.stats import check_level, normal_quantile
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable

__all__ = ["RmstResult", "restricted_mean_survival"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_MATCH_TOLERANCE = 1e-8


@dataclass(frozen=True, eq=False)
class RmstResult(Result):
    """Expected months alive within ``horizon_months``, per group, with intervals.

    Attributes
    ----------
    model : str
        Model of the curves the means come from.
    group_columns : tuple of str
        What a group is made of, e.g. ``("band",)``.
    groups : tuple of tuple of str
        One key per group.
    horizon_months : int
        The horizon H (months).
    rmst_months : ndarray, shape (G,)
        ``sum_{t=1..H} S(t)``: expected whole months survived within H months.
    std_error, lower, upper : ndarray, shape (G,)
        Standard error and interval (months); NaN where no valid variance was available.
    variance_method : tuple of str
        Per group: ``"delta"`` (parametric / sBG covariance), ``"greenwood"``
        (Kaplan–Meier from the life table) or ``"none"``.
    extrapolated : ndarray of bool, shape (G,)
        Whether H lies beyond the group's longest observed tenure.
    level : float
        Nominal coverage of the intervals.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables import life_table
    >>> sim = simulate(3000, seed=1)
    >>> table = life_table(sim.customers, sim.responses)
    >>> from cx_economics.survival import kaplan_meier, restricted_mean_survival
    >>> rmst = restricted_mean_survival(kaplan_meier(table), 24, table=table)
    >>> bool(rmst.rmst_months[2] > rmst.rmst_months[0])  # promoters stay longer than detractors
    True
    >>> rmst.to_frame()["horizon_months"].unique().tolist()
    [24]
    """

    model: str
    group_columns: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]
    horizon_months: int
    rmst_months: FloatArray
    std_error: FloatArray
    lower: FloatArray
    upper: FloatArray
    variance_method: tuple[str, ...]
    extrapolated: BoolArray
    level: float = 0.95

    _title = "Restricted mean survival (months alive within the horizon)"

    def estimate(self, *key: str) -> Estimate:
        """Return one group's RMST (months) with its interval."""
        try:
            i = self.groups.index(tuple(key))
        except ValueError:
            raise KeyError(f"no group {key}; groups are {list(self.groups)}") from None
        return Estimate(
            float(self.rmst_months[i]), float(self.lower[i]), float(self.upper[i]), self.level
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per group: RMST in months, standard error, interval and method."""
        frame = pd.DataFrame(list(self.groups), columns=list(self.group_columns))
        frame["horizon_months"] = self.horizon_months
        frame["rmst_months"] = self.rmst_months
        frame["std_error"] = self.std_error
        frame["lower"] = self.lower
        frame["upper"] = self.upper
        frame["level"] = self.level
        frame["variance_method"] = list(self.variance_method)
        frame["extrapolated"] = self.extrapolated
        frame["model"] = self.model
        return frame

    def _notes(self) -> list[str]:
        notes = [
            "RMST = sum of S(t) for t = 1..H: expected whole months survived within the horizon"
        ]
        missing = [
            "/".join(k)
            for k, m in zip(self.groups, self.variance_method, strict=True)
            if m == "none"
        ]
        if missing:
            notes.append(f"no interval for {missing}: pass the LifeTable of a Kaplan–Meier curve")
        far = ["/".join(k) for k, e in zip(self.groups, self.extrapolated, strict=True) if e]
        if far:
            notes.append(f"the horizon lies beyond the observed tenure of {far} (extrapolated)")
        return notes


def _check_inputs(curves: ChurnCurves, horizon_months: int, level: float) -> None:
    if not isinstance(curves, ChurnCurves):
        raise CxDataError(f"`curves` must be ChurnCurves, got {type(curves).__name__}")
    if isinstance(horizon_months, bool) or not isinstance(horizon_months, int | np.integer):
        raise CxDataError(f"`horizon_months` must be an integer, got {horizon_months!r}")
    last = int(curves.months[-1])
    if not 1 <= horizon_months <= last:
        raise CxDataError(
            f"`horizon_months` must lie in 1..{last} (the curves' grid), got {horizon_months}"
        )
    if not np.array_equal(curves.months[: last + 1], np.arange(last + 1)):
        raise CxDataError("`curves.months` must be the whole-month grid 0, 1, 2, …")
    window = curves.survival[:, 1 : horizon_months + 1]
    bad = [
        "/".join(k)
        for k, row in zip(curves.groups, window, strict=True)
        if not np.all(np.isfinite(row))
    ]
    if bad:
        raise CxDataError(
            f"`curves.survival` is missing (NaN) within {horizon_months} months for groups "
            f"{bad}; shorten `horizon_months` or extrapolate the curves first"
        )
    check_level(level)


def _delta_variance(fit: object, row: FloatArray, horizon_months: int) -> float | None:
    """Delta-method variance if ``fit`` produced exactly this curve, else None."""
    gradient = getattr(fit, "survival_gradient", None)
    covariance = getattr(fit, "covariance", None)
    if gradient is None or not isinstance(covariance, np.ndarray):
        return None
    months = np.arange(horizon_months + 1, dtype=np.float64)
    survival, d_survival = gradient(months)
    if not np.allclose(survival, row[: horizon_months + 1], rtol=0.0, atol=_MATCH_TOLERANCE):
        return None
    g = d_survival[1:].sum(axis=0)
    return float(g @ covariance @ g)


def _risk_counts(table: LifeTable, horizon_months: int) -> dict[tuple[str, ...], FloatArray]:
    """Per group, customers at risk and churned in months 1..H, shape (2, H)."""
    risk = table.risk_sets()
    pad = max(0, horizon_months + 1 - risk.at_risk.shape[1])
    at_risk = np.pad(risk.at_risk, ((0, 0), (0, pad)))[:, 1 : horizon_months + 1]
    churned = np.pad(risk.churned, ((0, 0), (0, pad)))[:, 1 : horizon_months + 1]
    return {
        key: np.vstack([at_risk[g], churned[g]]).astype(np.float64)
        for g, key in enumerate(risk.groups)
    }


def _counts_from_at_risk(
    curves: ChurnCurves, horizon_months: int
) -> dict[tuple[str, ...], FloatArray]:
    """Counts implied by Kaplan–Meier curves carrying ``details["at_risk"]`` (G, T).

    Churned ``d_t = n_t (1 - S(t) / S(t-1))``. A group is left out when its curve falls
    in a month with nobody at risk (an extrapolated tail, which Greenwood cannot cover).
    """
    at_risk = (curves.details or {}).get("at_risk")
    if not isinstance(at_risk, np.ndarray) or at_risk.shape != curves.survival.shape:
        return {}
    window = slice(1, horizon_months + 1)
    n = at_risk[:, window].astype(np.float64)
    before, after = curves.survival[:, :horizon_months], curves.survival[:, window]
    ratio = np.divide(after, before, out=np.ones_like(after), where=before > 0)
    falls_unobserved: BoolArray = np.any((n <= 0) & (after < before - 1e-12), axis=1)
    return {
        key: np.vstack([n[g], n[g] * (1.0 - ratio[g])])
        for g, key in enumerate(curves.groups)
        if not falls_unobserved[g]
    }


def _greenwood_variance(
    counts: FloatArray, row: FloatArray, horizon_months: int, label: str
) -> float:
    """Greenwood-type variance of sum_{t=1..H} S(t); checks ``row`` is this KM curve."""
    at_risk, churned = counts
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, churned / at_risk, 0.0)
        km = np.cumprod(1.0 - hazard)
        survival = row[1 : horizon_months + 1]
        if not np.allclose(km, survival, rtol=0.0, atol=1e-6):
            raise CxDataError(
                f"`table` does not reproduce the curve of group {label!r} (largest gap "
                f"{np.max(np.abs(km - survival)):.3g}); pass the life table the "
                "Kaplan–Meier curves were fitted on"
            )
        area_after = survival[::-1].cumsum()[::-1]  # A_j = sum_{t=j..H} S(t)
        terms = area_after**2 * churned / (at_risk * (at_risk - churned))
    return float(np.sum(np.where((churned > 0) & (area_after > 0), terms, 0.0)))


def _group_variances(
    curves: ChurnCurves, horizon_months: int, table: LifeTable | None
) -> tuple[FloatArray, tuple[str, ...]]:
    details = curves.details or {}
    fits = details.get("fits")
    fits = fits if isinstance(fits, Mapping) else {}
    implied = _counts_from_at_risk(curves, horizon_months)
    counts = _risk_counts(table, horizon_months) if table is not None else implied
    variances, methods = [], []
    for i, key in enumerate(curves.groups):
        row = curves.survival[i]
        delta = _delta_variance(fits.get(key), row, horizon_months) if key in fits else None
        if delta is not None:
            variances.append(delta)
            methods.append("delta")
        elif key in counts:
            label = "/".join(key) or "all"
            variances.append(_greenwood_variance(counts[key], row, horizon_months, label))
            methods.append("greenwood")
        else:
            variances.append(np.nan)
            methods.append("none")
    return np.array(variances, dtype=np.float64), tuple(methods)


def restricted_mean_survival(
    curves: ChurnCurves,
    horizon_months: int,
    *,
    table: LifeTable | None = None,
    level: float | None = None,
) -> RmstResult:
    """Expected months alive within ``horizon_months`` per group: ``sum_{t=1..H} S(t)``.

    Parameters
    ----------
    curves : ChurnCurves
        Survival curves on the whole-month grid (any model).
    horizon_months : int
        The horizon H in months (1 ≤ H ≤ the last month of the grid).
    table : LifeTable, optional
        The life table Kaplan–Meier curves were estimated from, for their
        Greenwood-type interval. Not needed when the curves carry
        ``details["at_risk"]`` (as :func:`~cx_economics.survival.km.kaplan_meier`'s
        do); parametric and sBG curves carry their own covariance.
    level : float, optional
        Coverage of the intervals; the curves' level by default.

    Returns
    -------
    RmstResult
        Per group: RMST in months (expected whole months survived within H), its
        standard error and interval (months), and how the variance was obtained.

    Examples
    --------
    A cohort of 10,000 losing 5 % of its customers a month, followed for 12 months:

    >>> from cx_economics.survival.parametric import fit_parametric
    >>> alive = np.round(10_000 * 0.95 ** np.arange(13))
    >>> cells = pd.DataFrame({"duration": [*range(1, 13), 12],
    ...                       "churned": [True] * 12 + [False],
    ...                       "customers": [*-np.diff(alive), alive[-1]]})
    >>> curves = fit_parametric(LifeTable(cells, (), "latest", None, False),
    ...                         model="exponential", horizon_months=24)
    >>> result = restricted_mean_survival(curves, 12)
    >>> round(result.estimate().value, 2)  # 0.95 * (1 - 0.95**12) / 0.05 = 8.73
    8.73
    >>> result.variance_method
    ('delta',)
    """
    level = curves.level if level is None else level
    _check_inputs(curves, horizon_months, level)
    if table is not None and not isinstance(table, LifeTable):
        raise CxDataError(f"`table` must be a LifeTable, got {type(table).__name__}")
    rmst = curves.survival[:, 1 : horizon_months + 1].sum(axis=1)
    variance, methods = _group_variances(curves, horizon_months, table)
    if "none" in methods:
        warnings.warn(
            "no valid variance for some groups' RMST (pointwise curve bounds cannot give "
            "one): pass `table=` for Kaplan–Meier curves; their intervals are NaN",
            CxAssumptionWarning,
            stacklevel=2,
        )
    se = np.sqrt(variance)
    z = normal_quantile(level)
    return RmstResult(
        model=curves.model,
        group_columns=curves.group_columns,
        groups=curves.groups,
        horizon_months=int(horizon_months),
        rmst_months=rmst,
        std_error=se,
        lower=np.clip(rmst - z * se, 0.0, horizon_months),
        upper=np.clip(rmst + z * se, 0.0, horizon_months),
        variance_method=methods,
        extrapolated=horizon_months > curves.observed_months,
        level=level,
    )
