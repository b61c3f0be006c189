"""Parametric churn curves on whole months, to extrapolate past the observed tenure.

The data are what a :class:`~cx_economics.tables.LifeTable` says they are: discrete
months. A churner with ``duration`` k left during month k, i.e. in ``(k-1, k]``; a
customer still active with ``duration`` k has survived k whole months. The likelihood
is therefore interval-censored::

    log L = sum_churners  w * log(S(k-1) - S(k))  +  sum_active  w * log S(k)

with ``w`` the cell's ``customers`` count. Because it only depends on the cells, the
fit on the life table is identical to the fit on the replicated customer rows.

Families (``S(t)``, t in months):

* ``weibull`` — ``exp(-(t/scale)**shape)`` (lifelines' ``lambda_``, ``rho_``);
* ``lognormal`` — ``1 - Phi((log t - mu) / sigma)`` (lifelines' ``mu_``, ``sigma_``);
* ``loglogistic`` — ``1 / (1 + (t/scale)**shape)`` (lifelines' ``alpha_``, ``beta_``);
* ``exponential`` — ``exp(-hazard * t)``;
* ``piecewise_exponential`` — constant hazard per month within pieces cut at
  ``breakpoints`` (default 6, 12 and 24 months); the last piece extends forever.

Parameters are estimated on an unconstrained scale (logs of positive parameters) by
maximum likelihood with :func:`scipy.optimize.minimize` and analytic gradients; the
covariance is the inverse observed information, and pointwise intervals on S(t) use
the delta method on the complementary log-log scale, so they stay inside (0, 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError, CxModelError, describe_rows
from cx_economics.core.results import Result
from cx_economics.core.stats import normal_quantile
from cx_economics.survival._families import (
    DEFAULT_BREAKPOINTS,
    PARAMETRIC_MODELS,
    FloatArray,
    ModelName,
    _check_breakpoints,
    _check_model,
    _log_curve,
    _param_names,
    _piece_starts,
    _to_natural,
    survival_function,
)
from cx_economics.survival._mle import (
    _check_horizon_and_level,
    _curves_from_fits,
    _DeltaMethodSurvival,
    _GroupCells,
    _Intervals,
    _life_table_groups,
    _maximise,
    _warn_fragile,
)
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable

__all__ = [
    "DEFAULT_BREAKPOINTS",
    "PARAMETRIC_MODELS",
    "ParametricFit",
    "akaike_tails",
    "fit_parametric",
    "fit_parametric_intervals",
    "survival_function",
]


# ----------------------------------------------------------------------- result object
@dataclass(frozen=True, eq=False)
class ParametricFit(_DeltaMethodSurvival, Result):
    """One fitted parametric survival curve (one group, one family).

    Attributes
    ----------
    model : str
        The family (``"weibull"``, ``"lognormal"``, …).
    param_names : tuple of str
        Names of the natural parameters (see :func:`survival_function`).
    theta : ndarray, shape (p,)
        Estimates on the working scale: logs of positive parameters (``mu_log_months``
        is left as is).
    covariance : ndarray, shape (p, p)
        Covariance of ``theta`` (inverse observed information).
    log_likelihood : float
        Maximised log-likelihood (interval-censored on whole months for life tables).
    n_customers, n_churned : float
        Total weight of customers and of churn events behind the fit.
    breakpoints : tuple of float
        Piecewise model: months where the hazard changes (pieces without any
        exposure in the data are dropped); empty otherwise.
    level : float
        Coverage of the parameter intervals in :meth:`to_frame`.

    Examples
    --------
    >>> import numpy as np
    >>> fit = fit_parametric_intervals([0, 1, 2, 5], [1, 2, 3, np.inf], [30, 20, 10, 40],
    ...                                model="exponential")
    >>> fit.model, fit.param_names, fit.n_customers
    ('exponential', ('hazard',), 100.0)
    """

    model: str
    param_names: tuple[str, ...]
    theta: FloatArray
    covariance: FloatArray
    log_likelihood: float
    n_customers: float
    n_churned: float
    breakpoints: tuple[float, ...] = field(default=())
    level: float = 0.95

    _title = "Parametric survival fit"

    @property
    def n_params(self) -> int:
        """Number of free parameters."""
        return int(self.theta.size)

    @property
    def aic(self) -> float:
        """Akaike information criterion, ``2 p - 2 log L``."""
        return 2.0 * self.n_params - 2.0 * self.log_likelihood

    @property
    def params(self) -> dict[str, float]:
        """Natural parameters by name (months, per-month hazards, or unitless shapes)."""
        natural = _to_natural(self.model, self.theta)
        return {n: float(v) for n, v in zip(self.param_names, natural, strict=True)}

    def _log_survival_at(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        return _log_curve(self.model, self.theta, t, self.breakpoints, density=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: natural value and Wald interval, plus fit statistics."""
        z = normal_quantile(self.level)
        se = np.sqrt(np.diag(self.covariance))
        lo = _to_natural(self.model, self.theta - z * se)
        hi = _to_natural(self.model, self.theta + z * se)
        return pd.DataFrame(
            {
                "model": self.model,
                "parameter": list(self.param_names),
                "value": _to_natural(self.model, self.theta),
                "lower": lo,
                "upper": hi,
                "level": self.level,
                "log_likelihood": self.log_likelihood,
                "aic": self.aic,
            }
        )


# ------------------------------------------------------------------------- likelihood
def _log_likelihood(
    theta: FloatArray, model: str, obs: _Intervals, cuts: Sequence[float]
) -> tuple[float, FloatArray]:
    total, grad = 0.0, np.zeros_like(theta)
    if obs.exact_t.size:
        value, g = _log_curve(model, theta, obs.exact_t, cuts, density=True)
        total += float(obs.exact_w @ value)
        grad += obs.exact_w @ g
    if obs.censored_t.size:
        value, g = _log_curve(model, theta, obs.censored_t, cuts, density=False)
        total += float(obs.censored_w @ value)
        grad += obs.censored_w @ g
    if obs.left.size:
        va, ga = _log_curve(model, theta, obs.left, cuts, density=False)
        vb, gb = _log_curve(model, theta, obs.right, cuts, density=False)
        ratio = np.exp(vb - va)
        share = np.maximum(-np.expm1(vb - va), 1e-300)
        total += float(obs.interval_w @ (va + np.log(share)))
        grad += obs.interval_w @ ((ga - ratio[:, None] * gb) / share[:, None])
    if obs.entry_t.size:  # delayed entry: condition on survival to the entry month
        value, g = _log_curve(model, theta, obs.entry_t, cuts, density=False)
        total -= float(obs.entry_w @ value)
        grad -= obs.entry_w @ g
    return total, grad


def _start(model: str, obs: _Intervals, cuts: Sequence[float]) -> FloatArray:
    """Starting values from occurrence/exposure rates (one rate per piece)."""
    t, w, event = obs.event_time_proxy()
    starts = _piece_starts(model, cuts)
    widths = np.diff(np.append(starts, np.inf))
    exposure = w @ np.clip(t[:, None] - starts[None, :], 0.0, widths[None, :])
    exposure -= obs.entry_w @ np.clip(obs.entry_t[:, None] - starts[None, :], 0.0, widths[None, :])
    piece = np.searchsorted(starts, t, side="left") - 1
    events = np.bincount(np.maximum(piece, 0), weights=w * event, minlength=starts.size)
    rates = np.maximum(events, 0.5) / np.maximum(exposure, 1e-9)
    if model in ("exponential", "piecewise_exponential"):
        out: FloatArray = np.log(rates)
        return out
    overall = max(float(w @ event), 0.5) / max(float(w @ t - obs.entry_w @ obs.entry_t), 1e-9)
    location = {"weibull": 1.0, "lognormal": math.log(2.0), "loglogistic": 1.0}[model]
    return np.array([math.log(location / overall), 0.0])


def _fit_intervals(
    obs: _Intervals, model: str, cuts: Sequence[float], level: float, what: str
) -> ParametricFit:
    if obs.n_events <= 0:
        raise CxModelError(
            f"{what}: no churn events, so a parametric curve cannot be fitted; "
            "use Kaplan–Meier or merge this group with another"
        )
    if model == "piecewise_exponential":
        cuts = _pieces_with_events(obs, tuple(c for c in cuts if c < obs.longest))
    else:
        cuts = ()

    def loglik(theta: FloatArray) -> tuple[float, FloatArray]:
        return _log_likelihood(theta, model, obs, cuts)

    theta, covariance = _maximise(loglik, _start(model, obs, cuts), obs.total, f"{what} ({model})")
    return ParametricFit(
        model=model,
        param_names=_param_names(model, cuts),
        theta=theta,
        covariance=covariance,
        log_likelihood=loglik(theta)[0],
        n_customers=obs.total,
        n_churned=obs.n_events,
        breakpoints=tuple(cuts),
        level=level,
    )


def _pieces_with_events(obs: _Intervals, cuts: Sequence[float]) -> tuple[float, ...]:
    """Breakpoints left once every piece without churn is merged into a neighbour.

    The rule: a piece with no churn event is merged into the piece before it (its
    starting breakpoint is dropped); the first piece, having none before it, is merged
    into the one after it. So every piece's hazard has a positive maximum-likelihood
    estimate, and a quiet stretch of months shares the hazard of the months next to it.
    """
    kept = list(cuts)
    times = np.concatenate([obs.exact_t, obs.right])
    weights = np.concatenate([obs.exact_w, obs.interval_w])
    while kept:
        edges = np.array([0.0, *kept, np.inf])
        piece = np.searchsorted(edges, times, side="left") - 1
        events = np.bincount(np.maximum(piece, 0), weights=weights, minlength=edges.size - 1)
        empty = np.flatnonzero(events <= 0)
        if empty.size == 0:
            break
        j = int(empty[0])
        del kept[j - 1 if j > 0 else 0]
    return tuple(kept)


def _as_float_array(name: str, values: npt.ArrayLike) -> FloatArray:
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if arr.ndim != 1:
        raise CxDataError(f"`{name}` must be one-dimensional, got shape {arr.shape}")
    return arr


def fit_parametric_intervals(
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    *,
    model: ModelName = "weibull",
    breakpoints: Sequence[float] | None = None,
    level: float = 0.95,
) -> ParametricFit:
    """Fit one parametric survival curve to exact, right- or interval-censored times.

    Parameters
    ----------
    lower, upper : array_like
        Per observation, in months: ``lower == upper`` is an exact churn time;
        ``upper = inf`` is a customer still active after ``lower`` months; otherwise
        churn happened in ``(lower, upper]``.
    weights : array_like, optional
        Customers per observation (default 1 each).
    model : {"weibull", "lognormal", "loglogistic", "exponential", "piecewise_exponential"}
        The family.
    breakpoints : sequence of float, optional
        Piecewise model: months where the hazard changes (default 6, 12, 24).
    level : float, default 0.95
        Coverage of the parameter intervals in the result's ``to_frame()``.

    Returns
    -------
    ParametricFit
        Estimates, covariance, log-likelihood and AIC.

    Examples
    --------
    >>> fit = fit_parametric_intervals([0, 1, 2, 5], [1, 2, 3, np.inf], [30, 20, 10, 40],
    ...                                model="exponential")
    >>> round(fit.params["hazard"], 4)  # -log(1 - 60 churned / 300 customer-months at risk)
    0.2231
    """
    _check_model(model, PARAMETRIC_MODELS)
    cuts = _check_breakpoints(breakpoints)
    lo, hi = _as_float_array("lower", lower), _as_float_array("upper", upper)
    w = np.ones_like(lo) if weights is None else _as_float_array("weights", weights)
    if not lo.size == hi.size == w.size:
        raise CxDataError(
            f"`lower`, `upper`, `weights` differ in length ({lo.size}, {hi.size}, {w.size})"
        )
    bad = np.flatnonzero(~np.isfinite(lo) | (lo < 0) | np.isnan(hi) | (hi < lo) | ~(w >= 0))
    if bad.size:
        raise CxDataError(
            "`lower`/`upper`/`weights` need 0 ≤ lower ≤ upper and weights ≥ 0; "
            + describe_rows(bad.tolist(), verb="are not")
        )
    exact = (lo == hi) & (w > 0)
    if np.any(exact & (lo <= 0)):
        raise CxDataError("`lower`: exact churn times must be > 0 months")
    censored = np.isinf(hi) & (lo > 0) & (w > 0)
    interval = (lo < hi) & np.isfinite(hi) & (w > 0)
    none = np.zeros(0)
    obs = _Intervals(
        lo[exact], w[exact], lo[censored], w[censored], lo[interval], hi[interval], w[interval],
        none, none,
    )  # fmt: skip
    return _fit_intervals(obs, model, cuts, level, "the data")


# ------------------------------------------------------------------------ life tables
def _fit_candidates(
    cells: _GroupCells, candidates: Sequence[str], cuts: Sequence[float], level: float
) -> tuple[dict[str, ParametricFit], dict[str, str]]:
    fits: dict[str, ParametricFit] = {}
    errors: dict[str, str] = {}
    what = f"group {cells.label!r}"
    for name in candidates:
        try:
            fits[name] = _fit_intervals(cells.intervals(), name, cuts, level, what)
        except CxModelError as err:
            if len(candidates) == 1:
                raise
            errors[name] = str(err)
    if not fits:
        raise CxModelError(f"{what}: no parametric model could be fitted: {errors}")
    return fits, errors


def _aic_rows(
    group_columns: tuple[str, ...],
    cells: _GroupCells,
    fits: Mapping[str, ParametricFit],
    errors: Mapping[str, str],
    selected: str,
) -> list[dict[str, object]]:
    best = fits[selected].aic
    rows: list[dict[str, object]] = []
    for name in [*fits, *errors]:
        fit = fits.get(name)
        row: dict[str, object] = dict(zip(group_columns, cells.key, strict=True))
        row |= {
            "model": name,
            "n_params": fit.n_params if fit else np.nan,
            "log_likelihood": fit.log_likelihood if fit else np.nan,
            "aic": fit.aic if fit else np.nan,
            "delta_aic": fit.aic - best if fit else np.nan,
            "selected": name == selected,
            "note": errors.get(name, ""),
        }
        rows.append(row)
    return rows


def fit_parametric(
    table: LifeTable,
    *,
    model: Literal[
        "weibull", "lognormal", "loglogistic", "exponential", "piecewise_exponential", "auto"
    ] = "auto",
    horizon_months: int = 60,
    level: float = 0.95,
    breakpoints: Sequence[float] | None = None,
) -> ChurnCurves:
    """Fit a parametric churn curve per group of a life table, to extrapolate it.

    Each group is fitted separately by maximum likelihood on its cells, weighted by
    ``customers``, with the interval-censored likelihood of whole months (a churner
    at ``duration`` k left in ``(k-1, k]``; an active customer survived k months).

    Parameters
    ----------
    table : LifeTable
        Cells with ``duration`` (whole months), ``churned`` and ``customers``.
    model : {"auto", "weibull", "lognormal", "loglogistic", "exponential", \
"piecewise_exponential"}, default "auto"
        The family; ``"auto"`` fits all and keeps, per group, the lowest AIC.
    horizon_months : int, default 60
        The curves are evaluated on months ``0, 1, …, horizon_months``.
    level : float, default 0.95
        Coverage of the pointwise intervals on S(t) (delta method on log(-log S)).
    breakpoints : sequence of float, optional
        Piecewise-exponential model: months where the hazard changes (default 6, 12,
        24). Pieces starting beyond a group's longest tenure are dropped, so the last
        observed piece extends, and a piece without a churn is merged into the piece
        before it (the first into the one after), so every hazard is identified.

    Returns
    -------
    ChurnCurves
        S(t) per group with its interval (fractions 0–1) on the month grid;
        ``observed_months`` marks where extrapolation starts. ``details`` holds
        ``"fits"`` (group key → :class:`ParametricFit`), ``"selected"`` (group key →
        family) and ``"aic"`` (a frame with every candidate's log-likelihood and AIC).

    Raises
    ------
    CxModelError
        A group has no churn, or the fit does not converge.

    Examples
    --------
    Two bands followed for 12 months, losing 2 % and 5 % of the starters a month:

    >>> k = np.arange(1, 13)
    >>> def cohort(band, lost_per_month):
    ...     return pd.DataFrame({"band": band, "duration": [*k, 12],
    ...                          "churned": [True] * 12 + [False],
    ...                          "customers": [*[lost_per_month] * 12, 1000 - 12 * lost_per_month]})
    >>> cells = pd.concat([cohort("promoter", 20), cohort("detractor", 50)], ignore_index=True)
    >>> table = LifeTable(cells, ("band",), "latest", None, False)
    >>> curves = fit_parametric(table, model="weibull", horizon_months=24)
    >>> curves.groups
    (('detractor',), ('promoter',))
    >>> curves.survival[:, [12, 24]].round(3)
    array([[0.407, 0.119],
           [0.76 , 0.562]])
    """
    _check_model(model, (*PARAMETRIC_MODELS, "auto"))
    candidates = PARAMETRIC_MODELS if model == "auto" else (model,)
    group_columns, groups, fitted = _fit_groups(
        table, candidates, horizon_months, level, breakpoints
    )
    chosen = [fits[_best(fits)] for fits, _ in fitted]
    aic_rows = [
        row
        for cells, (fits, errors) in zip(groups, fitted, strict=True)
        for row in _aic_rows(group_columns, cells, fits, errors, _best(fits))
    ]
    details: dict[str, object] = {
        "fits": {g.key: f for g, f in zip(groups, chosen, strict=True)},
        "selected": {g.key: f.model for g, f in zip(groups, chosen, strict=True)},
        "aic": pd.DataFrame(aic_rows),
        "likelihood": _LIKELIHOOD,
    }
    return _curves_from_fits(
        model,
        group_columns,
        groups,
        chosen,
        horizon_months=horizon_months,
        level=level,
        details=details,
    )


_LIKELIHOOD = "interval-censored whole months: churn at duration k in (k-1, k]"

_Fitted = tuple[dict[str, ParametricFit], dict[str, str]]


def _best(fits: Mapping[str, ParametricFit]) -> str:
    return min(fits, key=lambda name: fits[name].aic)


def _fit_groups(
    table: LifeTable,
    candidates: Sequence[str],
    horizon_months: int,
    level: float,
    breakpoints: Sequence[float] | None,
) -> tuple[tuple[str, ...], list[_GroupCells], list[_Fitted]]:
    """Every candidate family fitted to every group, with each group's failures."""
    _check_horizon_and_level(horizon_months, level)
    cuts = _check_breakpoints(breakpoints)
    group_columns, groups = _life_table_groups(table)
    _warn_fragile(groups, horizon_months)
    fitted = [_fit_candidates(cells, candidates, cuts, level) for cells in groups]
    return group_columns, list(groups), fitted


def akaike_tails(
    table: LifeTable,
    *,
    horizon_months: int = 60,
    level: float = 0.95,
    breakpoints: Sequence[float] | None = None,
) -> tuple[tuple[ChurnCurves, ...], FloatArray]:
    """Every parametric family's curves per group, with its Akaike weight.

    The weight of family ``f`` in a group is ``exp(-Δ_f / 2) / Σ_g exp(-Δ_g / 2)``
    with ``Δ`` the AIC difference to the group's best family (Burnham & Anderson
    2002, §2.9): how much the data support each tail shape. Averaging a prediction
    over the families with these weights carries the uncertainty of the shape, which
    choosing the best family alone hides.

    Parameters
    ----------
    table : LifeTable
        Cells with ``duration`` (whole months), ``churned`` and ``customers``.
    horizon_months : int, default 60
        The curves cover months ``0, 1, …, horizon_months``.
    level : float, default 0.95
        Coverage of the pointwise intervals on S(t).
    breakpoints : sequence of float, optional
        As in :func:`fit_parametric`.

    Returns
    -------
    curves : tuple of ChurnCurves
        One per family of ``PARAMETRIC_MODELS``, same groups and grid (fractions 0–1).
        Where a family cannot be fitted in a group, its row there is the best family's.
    weights : ndarray (F, G)
        Akaike weights (fractions summing to 1 per group); 0 where the family failed.

    Examples
    --------
    >>> k = np.arange(1, 13)
    >>> cells = pd.DataFrame({"band": "promoter", "duration": [*k, 12],
    ...                       "churned": [True] * 12 + [False],
    ...                       "customers": [*[20] * 12, 760]})
    >>> table = LifeTable(cells, ("band",), "latest", None, False)
    >>> curves, weights = akaike_tails(table, horizon_months=24)
    >>> [c.model for c in curves][:2], bool(np.isclose(weights.sum(), 1.0))
    (['weibull', 'lognormal'], True)
    """
    group_columns, groups, fitted = _fit_groups(
        table, PARAMETRIC_MODELS, horizon_months, level, breakpoints
    )
    weights = np.zeros((len(PARAMETRIC_MODELS), len(groups)))
    for g, (fits, _) in enumerate(fitted):
        best = fits[_best(fits)].aic
        for f, name in enumerate(PARAMETRIC_MODELS):
            if name in fits:
                weights[f, g] = math.exp(-(fits[name].aic - best) / 2.0)
    weights /= weights.sum(axis=0, keepdims=True)
    curves = tuple(
        _curves_from_fits(
            name,
            group_columns,
            groups,
            [fits.get(name, fits[_best(fits)]) for fits, _ in fitted],
            horizon_months=horizon_months,
            level=level,
            details={"likelihood": _LIKELIHOOD, "akaike_weight": weights[f]},
        )
        for f, name in enumerate(PARAMETRIC_MODELS)
    )
    return curves, weights
