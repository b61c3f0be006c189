"""The shifted-beta-geometric (sBG) retention model for contractual renewals.

Fader & Hardie (2007, "How to project customer retention", *Journal of Interactive
Marketing* 21(1), 76–90): each customer has a churn probability ``p`` per period,
constant for them, and ``p`` varies across customers as Beta(alpha, beta). The
population's retention then *rises* with tenure, because the likely churners leave
first::

    P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)     t = 1, 2, …
    S(t)     = B(alpha, beta + t) / B(alpha, beta)             t = 0, 1, …
    r_t      = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)

Here a period is a month of the life table (or whatever period a survivor series is
counted in). A churner with ``duration`` k contributes ``log P(T = k)``; a customer
still active after k periods contributes ``log S(k)``. The fit is maximum likelihood
in ``(log alpha, log beta)`` with :func:`scipy.special.betaln` and analytic
gradients; intervals are Wald intervals on the log scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from cx_economics.core.exceptions import CxDataError, CxModelError, describe_rows
from cx_economics.core.results import Estimate, Result
from cx_economics.core.stats import check_level, normal_quantile
from cx_economics.survival._mle import (
    _check_horizon_and_level,
    _curves_from_fits,
    _DeltaMethodSurvival,
    _GroupCells,
    _life_table_groups,
    _maximise,
    _warn_fragile,
)
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable

__all__ = ["SbgFit", "discounted_expected_residual_lifetime", "fit_sbg", "fit_sbg_counts"]

FloatArray = npt.NDArray[np.float64]
#: Above this ``alpha + beta`` the data show no spread in churn probabilities.
_NO_HETEROGENEITY = 1e4
#: Above this standard error of log alpha or log beta the parameters are not identified.
_MAX_LOG_SE = 3.0


def _log_survival(theta: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Log S(t) and its gradient in ``(log alpha, log beta)``, shapes (n,), (n, 2)."""
    a, b = np.exp(theta)
    value = special.betaln(a, b + t) - special.betaln(a, b)
    d_a = special.digamma(a + b) - special.digamma(a + b + t)
    d_b = special.digamma(b + t) - special.digamma(a + b + t) - special.digamma(b)
    d_b = d_b + special.digamma(a + b)
    return value, np.column_stack([a * d_a, b * d_b])


def _log_churn(theta: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Log P(T = t), t ≥ 1, and its gradient in ``(log alpha, log beta)``."""
    a, b = np.exp(theta)
    value = special.betaln(a + 1.0, b + t - 1.0) - special.betaln(a, b)
    common = special.digamma(a + b) - special.digamma(a + b + t)
    d_a = special.digamma(a + 1.0) - special.digamma(a) + common
    d_b = special.digamma(b + t - 1.0) - special.digamma(b) + common
    return value, np.column_stack([a * d_a, b * d_b])


@dataclass(frozen=True, eq=False)
class SbgFit(_DeltaMethodSurvival, Result):
    """A fitted shifted-beta-geometric model.

    Attributes
    ----------
    alpha, beta : Estimate
        Beta-distribution parameters of the per-period churn probability, with
        Wald intervals on the log scale. Mean churn probability in the first period
        is ``alpha / (alpha + beta)``.
    theta : ndarray, shape (2,)
        ``(log alpha, log beta)``.
    covariance : ndarray, shape (2, 2)
        Covariance of ``theta`` (inverse observed information).
    log_likelihood : float
        Maximised log-likelihood.
    n_customers, n_churned : float
        Customers and churn events behind the fit.
    n_periods : int
        Longest tenure in the data (periods).
    retention : ndarray, shape (n_periods,)
        Model retention rate ``r_t`` for periods ``1 … n_periods`` (fractions).
    level : float
        Coverage of the intervals.

    Examples
    --------
    >>> fit = fit_sbg_counts([1000, 869, 743, 653, 593, 551, 517, 491])  # Fader & Hardie (2007)
    >>> round(fit.alpha.value, 3), round(fit.beta.value, 3)
    (0.668, 3.806)
    """

    alpha: Estimate
    beta: Estimate
    theta: FloatArray
    covariance: FloatArray
    log_likelihood: float
    n_customers: float
    n_churned: float
    n_periods: int
    retention: FloatArray
    level: float = 0.95

    _title = "Shifted-beta-geometric fit"

    def _log_survival_at(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Log S(t) = log B(alpha, beta + t) / B(alpha, beta), periods ≥ 0, and its gradient."""
        return _log_survival(self.theta, t)

    def retention_rate(self, periods: npt.ArrayLike) -> FloatArray:
        """Return r_t = (beta + t - 1) / (alpha + beta + t - 1) for periods t ≥ 1."""
        t = np.asarray(periods, dtype=np.float64)
        out: FloatArray = (self.beta.value + t - 1.0) / (
            self.alpha.value + self.beta.value + t - 1.0
        )
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter (alpha, beta) with interval and fit statistics."""
        return pd.DataFrame(
            {
                "parameter": ["alpha", "beta"],
                "value": [self.alpha.value, self.beta.value],
                "lower": [self.alpha.lower, self.beta.lower],
                "upper": [self.alpha.upper, self.beta.upper],
                "level": self.level,
                "log_likelihood": self.log_likelihood,
                "n_customers": self.n_customers,
            }
        )

    def _notes(self) -> list[str]:
        if self.retention.size == 0:
            return []
        first, last = self.retention[0], self.retention[-1]
        return [
            f"retention rises from {first:.3f} (period 1) to {last:.3f} (period {self.n_periods})"
        ]


def _fit_cells(
    duration: npt.NDArray[np.int64],
    churned: npt.NDArray[np.bool_],
    weights: FloatArray,
    level: float,
    what: str,
    entries: tuple[FloatArray, FloatArray] | None = None,
) -> SbgFit:
    """Maximum likelihood on (duration, churned, weight) cells.

    ``entries`` (entry month, customers) are delayed entries: each one divides the
    likelihood by ``S(entry)``, so a customer who joined the group at month e counts
    only the months after e.
    """
    entry_t, entry_w = entries if entries is not None else (np.zeros(0), np.zeros(0))
    use = weights > 0
    t, gone, w = duration[use].astype(np.float64), churned[use], weights[use]
    n_churned = float(w[gone].sum())
    if n_churned <= 0:
        raise CxModelError(
            f"{what}: no churn among {w.sum():g} customers, so the sBG model cannot be "
            "fitted; use Kaplan–Meier or merge groups"
        )
    keep = gone | (t > 0)

    def loglik(theta: FloatArray) -> tuple[float, FloatArray]:
        v_c, g_c = _log_churn(theta, t[gone])
        v_s, g_s = _log_survival(theta, t[keep & ~gone])
        v_e, g_e = _log_survival(theta, entry_t)
        value = float(w[gone] @ v_c + w[keep & ~gone] @ v_s - entry_w @ v_e)
        return value, w[gone] @ g_c + w[keep & ~gone] @ g_s - entry_w @ g_e

    theta, covariance = _maximise(
        loglik, _start(t, gone, w), float(w.sum()), f"{what} (sBG)", _no_heterogeneity
    )
    if np.sqrt(np.diag(covariance)).max() > _MAX_LOG_SE:
        raise CxModelError(
            f"{what} (sBG): alpha and beta are not identified by these data (standard "
            "error of their logs above 3); the churn shows too little spread across "
            "customers or too few periods; use `fit_parametric(..., model='exponential')`"
        )
    return _sbg_fit(theta, covariance, loglik(theta)[0], w, gone, int(t.max()), level)


def _no_heterogeneity(theta: FloatArray) -> str:
    if np.exp(theta).sum() <= _NO_HETEROGENEITY:
        return ""
    return (
        "alpha + beta diverges, i.e. churn shows no spread across customers (retention "
        "does not rise with tenure), which the sBG model assumes; use "
        "`fit_parametric(..., model='exponential')` or 'weibull' instead"
    )


def _start(t: FloatArray, gone: npt.NDArray[np.bool_], w: FloatArray) -> FloatArray:
    """Alpha = 1 and beta matching the first period's churn share."""
    at_risk = float(w.sum())
    first = float(w[gone & (t == 1)].sum())
    p1 = min(max(first / at_risk, 1e-3), 0.9) if first > 0 else 0.05
    return np.array([0.0, math.log((1.0 - p1) / p1)])


def _sbg_fit(
    theta: FloatArray,
    covariance: FloatArray,
    log_likelihood: float,
    w: FloatArray,
    gone: npt.NDArray[np.bool_],
    n_periods: int,
    level: float,
) -> SbgFit:
    z = normal_quantile(level)
    se = np.sqrt(np.diag(covariance))
    alpha, beta = (
        Estimate(
            float(np.exp(theta[i])),
            float(np.exp(theta[i] - z * se[i])),
            float(np.exp(theta[i] + z * se[i])),
            level,
        )
        for i in range(2)
    )
    periods = np.arange(1, n_periods + 1, dtype=np.float64)
    return SbgFit(
        alpha=alpha,
        beta=beta,
        theta=theta,
        covariance=covariance,
        log_likelihood=log_likelihood,
        n_customers=float(w.sum()),
        n_churned=float(w[gone].sum()),
        n_periods=n_periods,
        retention=(beta.value + periods - 1.0) / (alpha.value + beta.value + periods - 1.0),
        level=level,
    )


def fit_sbg_counts(survivors: npt.ArrayLike, *, level: float = 0.95) -> SbgFit:
    """Fit the sBG model to a survivor series of one cohort.

    Parameters
    ----------
    survivors : array_like
        Customers still active at the start of periods 0, 1, 2, … (counts or shares,
        non-increasing, first value > 0). Those lost between two entries churned in
        that period; the last value is right-censored (still active, no later data).
    level : float, default 0.95
        Coverage of the intervals on alpha and beta.

    Returns
    -------
    SbgFit
        alpha, beta with intervals, log-likelihood and retention rates per period.

    Examples
    --------
    The "regular" segment of Fader & Hardie (2007), years 0–7:

    >>> fit = fit_sbg_counts([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> round(fit.alpha.value, 3), round(fit.beta.value, 3)
    (0.704, 1.182)
    >>> fit.retention_rate([1, 7]).round(3)
    array([0.627, 0.911])
    """
    check_level(level)
    counts = np.asarray(survivors, dtype=np.float64)
    if counts.ndim != 1 or counts.size < 2:
        raise CxDataError(
            f"`survivors` must be a 1-D series of ≥ 2 counts, got shape {counts.shape}"
        )
    bad = np.flatnonzero(~np.isfinite(counts) | (counts < 0))
    if bad.size:
        raise CxDataError(
            "`survivors` must be finite counts ≥ 0; " + describe_rows(bad.tolist(), verb="are not")
        )
    rising = np.flatnonzero(np.diff(counts) > 0) + 1
    if rising.size:
        raise CxDataError(
            "`survivors` must not increase (a cohort only loses customers); "
            + describe_rows(rising.tolist(), verb="are above the previous period")
        )
    if counts[0] <= 0:
        raise CxDataError(f"`survivors` must start with a positive count, got {counts[0]}")
    periods = counts.size - 1
    duration = np.append(np.arange(1, periods + 1), periods).astype(np.int64)
    churned = np.append(np.ones(periods, dtype=bool), False)
    weights = np.append(-np.diff(counts), counts[-1])
    return _fit_cells(duration, churned, weights, level, "`survivors`")


def fit_sbg(table: LifeTable, *, horizon_months: int = 60, level: float = 0.95) -> ChurnCurves:
    """Fit the sBG model per group of a life table (months as periods), with censoring.

    Parameters
    ----------
    table : LifeTable
        Cells with ``duration`` (whole months), ``churned`` and ``customers``. A churner
        with duration k churned in month k; an active customer with duration k is
        right-censored after k months (contributes S(k)).
    horizon_months : int, default 60
        The curves are evaluated on months ``0, 1, …, horizon_months``.
    level : float, default 0.95
        Coverage of the pointwise intervals on S(t) (delta method on log(-log S)).

    Returns
    -------
    ChurnCurves
        ``model == "sbg"``; ``details["fits"]`` maps each group key to its
        :class:`SbgFit` (alpha, beta with intervals).

    Raises
    ------
    CxModelError
        A group has no churn, or shows no heterogeneity (alpha + beta diverges).

    Examples
    --------
    >>> cells = pd.DataFrame({"duration": [1, 2, 3, 4, 5, 6, 7, 7],
    ...                       "churned": [True] * 7 + [False],
    ...                       "customers": [369, 163, 86, 56, 37, 27, 21, 241]})
    >>> curves = fit_sbg(LifeTable(cells, (), "latest", None, False), horizon_months=12)
    >>> fit = curves.details["fits"][()]
    >>> round(fit.alpha.value, 3), round(fit.beta.value, 3)
    (0.704, 1.182)
    >>> curves.survival[0, [7, 12]].round(3)
    array([0.239, 0.17 ])
    """
    _check_horizon_and_level(horizon_months, level)
    group_columns, groups = _life_table_groups(table)
    _warn_fragile(groups, horizon_months)
    fits = [_fit_group(cells, level) for cells in groups]
    details: dict[str, object] = {
        "fits": {g.key: f for g, f in zip(groups, fits, strict=True)},
        "alpha": {g.key: f.alpha.value for g, f in zip(groups, fits, strict=True)},
        "beta": {g.key: f.beta.value for g, f in zip(groups, fits, strict=True)},
        "likelihood": "sBG on whole months: churn at duration k has P(T = k); active, S(k)",
    }
    return _curves_from_fits(
        "sbg",
        group_columns,
        groups,
        fits,
        horizon_months=horizon_months,
        level=level,
        details=details,
    )


def _fit_group(cells: _GroupCells, level: float) -> SbgFit:
    return _fit_cells(*cells.cells(), level, f"group {cells.label!r}", cells.entries())


def discounted_expected_residual_lifetime(
    alpha: float, beta: float, renewals: int, discount_rate: float
) -> float:
    r"""Fader & Hardie's DERL: discounted periods still to come for a renewing customer.

    Under the shifted-beta-geometric model a customer who has made ``renewals`` = n − 1
    renewals is at the start of period n; DERL counts the periods they will still be a
    customer, the next one undiscounted and each later one discounted by
    ``1 + discount_rate`` more (Fader & Hardie 2010):

    .. math:: \text{DERL} = \frac{\beta + n - 1}{\alpha + \beta + n - 1}\,
       {}_2F_1\left(1, \beta + n; \alpha + \beta + n; \frac{1}{1 + d}\right)

    Multiplied by the margin per period, it is that customer's residual value.

    Parameters
    ----------
    alpha, beta : float
        sBG parameters (> 0; the churn probability is beta-distributed).
    renewals : int
        Renewals made so far (n − 1 ≥ 0; 0 for a customer in their first period).
    discount_rate : float
        Discount rate per period (> 0): a yearly rate for yearly contracts (a fraction,
        e.g. 0.1 for 10 %).

    Returns
    -------
    float
        Discounted expected residual lifetime (periods).

    Raises
    ------
    CxDataError
        A parameter out of range.

    Examples
    --------
    A customer who has made 4 renewals, with α = 0.668, β = 3.806 and 10 % a period:

    >>> round(discounted_expected_residual_lifetime(0.668, 3.806, 4, 0.10), 3)
    6.897
    """
    for name, value in (("alpha", alpha), ("beta", beta), ("discount_rate", discount_rate)):
        if not (math.isfinite(value) and value > 0):
            raise CxDataError(f"`{name}` must be a positive number, got {value!r}")
    if isinstance(renewals, bool) or not isinstance(renewals, int | np.integer) or renewals < 0:
        raise CxDataError(f"`renewals` must be a whole number ≥ 0, got {renewals!r}")
    n = int(renewals) + 1
    ratio = (beta + n - 1) / (alpha + beta + n - 1)
    series = special.hyp2f1(1.0, beta + n, alpha + beta + n, 1.0 / (1.0 + discount_rate))
    return float(ratio * series)
