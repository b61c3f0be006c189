"""Maximum-likelihood machinery shared by the parametric and sBG churn fits.

Both fits read a :class:`~cx_economics.tables.LifeTable` group by group
(:class:`_GroupCells`: churners and active customers per whole month, from
:meth:`LifeTable.risk_sets`), maximise a log-likelihood with analytic gradients
(:func:`_maximise`: BFGS, then Newton polishing; the covariance is the inverse observed
information), give pointwise intervals on S(t) by the delta method on log(-log S)
(:func:`_cloglog_band`) and assemble :class:`ChurnCurves` from one fit per group
(:func:`_curves_from_fits`). :class:`_Intervals` holds the exact, right-censored and
interval-censored observations of the parametric likelihood: a churner with
``duration`` k left during month k, i.e. in ``(k-1, k]``; a customer still active
with ``duration`` k has survived k whole months.
"""

from __future__ import annotations

import abc
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy import optimize

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.core.stats import check_level, normal_quantile
from cx_economics.core.threads import one_blas_thread
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable

FloatArray = npt.NDArray[np.float64]
_MIN_EVENTS_WARNING = 10
LogLik = Callable[[FloatArray], tuple[float, FloatArray]]


# ----------------------------------------------------------------------- observations
@dataclass(frozen=True)
class _Intervals:
    """Observations split by kind: exact times, right-censored, interval (a, b]."""

    exact_t: FloatArray
    exact_w: FloatArray
    censored_t: FloatArray
    censored_w: FloatArray
    left: FloatArray
    right: FloatArray
    interval_w: FloatArray
    entry_t: FloatArray
    entry_w: FloatArray

    @property
    def n_events(self) -> float:
        return float(self.exact_w.sum() + self.interval_w.sum())

    @property
    def total(self) -> float:
        return float(self.n_events + self.censored_w.sum())

    @property
    def longest(self) -> float:
        times = np.concatenate([self.exact_t, self.censored_t, self.right])
        return float(times.max()) if times.size else 0.0

    def event_time_proxy(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Times, weights and event flags with interval events at their midpoint."""
        t = np.concatenate([self.exact_t, 0.5 * (self.left + self.right), self.censored_t])
        w = np.concatenate([self.exact_w, self.interval_w, self.censored_w])
        event = np.concatenate(
            [np.ones(self.exact_t.size + self.left.size), np.zeros(self.censored_t.size)]
        )
        return t, w, event


@dataclass(frozen=True)
class _GroupCells:
    """One group of a life table: churners, censored and entering customers per month 0..T.

    ``entered[t]`` customers joined the group at month ``t`` (delayed entry: at risk from
    month ``t + 1``), so each likelihood divides by ``S(t)`` for them.
    """

    key: tuple[str, ...]
    churned: FloatArray
    censored: FloatArray
    entered: FloatArray

    @property
    def label(self) -> str:
        return "/".join(self.key) or "all"

    @property
    def n_customers(self) -> float:
        return float(self.churned.sum() + self.censored.sum())

    @property
    def n_churned(self) -> float:
        return float(self.churned.sum())

    @property
    def observed_months(self) -> float:
        seen = np.flatnonzero((self.churned + self.censored) > 0)
        return float(seen.max()) if seen.size else 0.0

    def cells(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], FloatArray]:
        """Non-empty cells as (duration in months, churned, customers)."""
        months = np.arange(self.churned.size, dtype=np.int64)
        gone, active = self.churned > 0, self.censored > 0
        duration = np.concatenate([months[gone], months[active]])
        flag = np.concatenate([np.ones(gone.sum(), bool), np.zeros(active.sum(), bool)])
        return duration, flag, np.concatenate([self.churned[gone], self.censored[active]])

    def entries(self) -> tuple[FloatArray, FloatArray]:
        """Delayed entries after month 0: (entry month, customers)."""
        k = np.arange(self.entered.size, dtype=np.float64)
        late = (self.entered > 0) & (k > 0)
        return k[late], self.entered[late]

    def intervals(self) -> _Intervals:
        """Churners in ``(k-1, k]``, others right-censored at k months, entries at e."""
        k = np.arange(self.churned.size, dtype=np.float64)
        gone, active = self.churned > 0, (self.censored > 0) & (k > 0)
        empty = np.zeros(0)
        return _Intervals(
            empty, empty, k[active], self.censored[active], k[gone] - 1.0, k[gone],
            self.churned[gone], *self.entries(),
        )  # fmt: skip


def _life_table_groups(table: LifeTable) -> tuple[tuple[str, ...], list[_GroupCells]]:
    """Each group's monthly churn and censoring counts, from :meth:`LifeTable.risk_sets`.

    Groups come in the library's order (bands worst to best, then ``unrated``); a
    churner recorded at duration 0 counts as churning in month 1, as in Kaplan–Meier.
    """
    if not isinstance(table, LifeTable):
        raise CxDataError(f"`table` must be a LifeTable, got {type(table).__name__}")
    risk = table.risk_sets()
    groups = [
        _GroupCells(
            key,
            risk.churned[g].astype(np.float64),
            risk.censored[g].astype(np.float64),
            risk.entered[g].astype(np.float64),
        )
        for g, key in enumerate(risk.groups)
    ]
    return tuple(risk.group_columns), groups


def _check_horizon_and_level(horizon_months: int, level: float) -> None:
    if isinstance(horizon_months, bool) or not isinstance(horizon_months, int | np.integer):
        raise CxDataError(f"`horizon_months` must be an integer, got {horizon_months!r}")
    if horizon_months < 1:
        raise CxDataError(f"`horizon_months` must be at least 1, got {horizon_months}")
    check_level(level)


def _warn_fragile(groups: Sequence[_GroupCells], horizon_months: int) -> None:
    few = [g.label for g in groups if g.n_churned < _MIN_EVENTS_WARNING]
    if few:
        warnings.warn(
            f"groups {few} have fewer than {_MIN_EVENTS_WARNING} churn events; their curves "
            "are fragile",
            CxAssumptionWarning,
            stacklevel=3,
        )
    far = [g.label for g in groups if horizon_months > 2 * g.observed_months]
    if far:
        warnings.warn(
            f"`horizon_months`={horizon_months} is more than twice the longest observed "
            f"tenure of groups {far}: their curves are mostly extrapolation",
            CxAssumptionWarning,
            stacklevel=3,
        )


# ------------------------------------------------------------------------- likelihood
def _numeric_hessian(loglik: LogLik, theta: FloatArray) -> FloatArray:
    """Central differences of the analytic gradient, symmetrised."""
    p = theta.size
    hess = np.empty((p, p))
    for j in range(p):
        step = 1e-5 * max(1.0, abs(float(theta[j])))
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        hess[:, j] = (loglik(up)[1] - loglik(down)[1]) / (2.0 * step)
    out: FloatArray = 0.5 * (hess + hess.T)
    return out


def _maximise(
    loglik: LogLik,
    start: FloatArray,
    scale: float,
    what: str,
    diverged: Callable[[FloatArray], str] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Maximise ``loglik`` (BFGS, then Newton polishing); return estimate and covariance.

    ``diverged(theta)`` may name a known boundary solution (raised as CxModelError).
    """

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        value, grad = loglik(theta)
        if not np.isfinite(value):
            return 1e300, np.zeros_like(theta)
        return -value / scale, -grad / scale

    with one_blas_thread():
        result = optimize.minimize(
            objective, start, jac=True, method="BFGS", options={"gtol": 1e-10, "maxiter": 1000}
        )
    theta = np.asarray(result.x, dtype=np.float64)
    for _ in range(8):
        hess = _numeric_hessian(loglik, theta)
        grad = loglik(theta)[1]
        if np.max(np.abs(grad)) / scale < 1e-11 or not np.all(np.isfinite(hess)):
            break
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        if not loglik(theta - step)[0] >= loglik(theta)[0] - 1e-12 * scale:
            break
        theta = theta - step
    if diverged is not None and diverged(theta):
        raise CxModelError(f"{what}: {diverged(theta)}")
    hess = _numeric_hessian(loglik, theta)
    if np.max(np.abs(loglik(theta)[1])) / scale > 1e-5:
        raise CxModelError(
            f"{what}: the maximum-likelihood fit did not converge; try a simpler model "
            "(e.g. `model='exponential'`), fewer `breakpoints`, or merge small groups"
        )
    try:
        covariance: FloatArray = np.asarray(np.linalg.inv(-hess), dtype=np.float64)
        np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError:
        raise CxModelError(
            f"{what}: the information matrix is singular at the estimate (parameters not "
            "identified); try a simpler model or merge small groups"
        ) from None
    return theta, covariance


# ------------------------------------------------------------------------------ curves
def _cloglog_band(
    log_s: FloatArray, grad_log_s: FloatArray, covariance: FloatArray, level: float
) -> tuple[FloatArray, FloatArray]:
    """Delta-method band for S = exp(log_s) on g = log(-log S); exact 1 where S == 1."""
    z = normal_quantile(level)
    inside = log_s < 0
    safe = np.where(inside, log_s, -1.0)
    g = np.log(-safe)
    dg = grad_log_s / safe[:, None]
    se = np.sqrt(np.maximum(np.einsum("ti,ij,tj->t", dg, covariance, dg), 0.0))
    with np.errstate(over="ignore"):  # exp(-exp(huge)) is the exact limit 0, not an error
        lower: FloatArray = np.where(inside, np.exp(-np.exp(g + z * se)), 1.0)
        upper: FloatArray = np.where(inside, np.exp(-np.exp(g - z * se)), 1.0)
    return lower, upper


class _DeltaMethodSurvival(abc.ABC):
    """S(t), its gradient and its delta-method band for a fit that gives log S and its gradient.

    A fit (ParametricFit, SbgFit) implements ``_log_survival_at(t)`` -> ``(log S(t), d log S /
    d theta)`` with shapes (T,), (T, p) and has ``covariance`` (of ``theta``) and ``level``.
    """

    covariance: FloatArray
    level: float

    @abc.abstractmethod
    def _log_survival_at(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``log S(t)`` and its gradient in ``theta``, shapes (T,), (T, p)."""

    def survival_gradient(self, months: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Return S(t) on ``months`` and its gradient in ``theta``, shapes (T,), (T, p)."""
        log_s, grad = self._log_survival_at(np.atleast_1d(np.asarray(months, dtype=np.float64)))
        s = np.exp(log_s)
        return s, s[:, None] * grad

    def survival(self, months: npt.ArrayLike) -> FloatArray:
        """Return S(t), the fraction still a customer after each of ``months``."""
        return self.survival_gradient(months)[0]

    def survival_interval(
        self, months: npt.ArrayLike, level: float | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Pointwise (lower, upper) of S(t): delta method on log(-log S)."""
        log_s, grad = self._log_survival_at(np.atleast_1d(np.asarray(months, dtype=np.float64)))
        return _cloglog_band(log_s, grad, self.covariance, level or self.level)


class _CurveFit(Protocol):
    """What :func:`_curves_from_fits` needs of a fit (ParametricFit, SbgFit)."""

    def survival(self, months: npt.ArrayLike) -> FloatArray: ...

    def survival_interval(
        self, months: npt.ArrayLike, level: float | None = None
    ) -> tuple[FloatArray, FloatArray]: ...


def _curves_from_fits(
    model: str,
    group_columns: tuple[str, ...],
    groups: Sequence[_GroupCells],
    fits: Sequence[_CurveFit],
    *,
    horizon_months: int,
    level: float,
    details: dict[str, object],
) -> ChurnCurves:
    months = np.arange(horizon_months + 1, dtype=np.float64)
    survival = np.vstack([f.survival(months) for f in fits])
    bands = [f.survival_interval(months, level) for f in fits]
    return ChurnCurves(
        model=model,
        group_columns=group_columns,
        groups=tuple(g.key for g in groups),
        months=months,
        survival=survival,
        lower=np.vstack([b[0] for b in bands]),
        upper=np.vstack([b[1] for b in bands]),
        observed_months=np.array([g.observed_months for g in groups], dtype=np.float64),
        n_customers=np.array([round(g.n_customers) for g in groups], dtype=np.int64),
        n_churned=np.array([round(g.n_churned) for g in groups], dtype=np.int64),
        level=level,
        details=details,
    )
