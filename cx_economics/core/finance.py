"""Finance helpers every stage shares: discount factors, the annuity and payback.

Money is discounted monthly at ``monthly_discount_rate`` (fraction per month) and paid
at each month's end; every function takes the rate first and the horizon second.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["annuity_factor", "discount_factors", "first_month_repaid", "payback_months"]

FloatArray = npt.NDArray[np.float64]


def discount_factors(monthly_discount_rate: float, horizon_months: int) -> FloatArray:
    """Discount factors ``(1+i)^-t`` for months ``t = 1..H``.

    Parameters
    ----------
    monthly_discount_rate : float
        Discount rate per month (fraction).
    horizon_months : int
        Months H.

    Returns
    -------
    ndarray (H,)
        Today's value of one currency unit paid at the end of each month.

    Examples
    --------
    >>> discount_factors(0.0, 3).tolist()
    [1.0, 1.0, 1.0]
    """
    t = np.arange(1, horizon_months + 1, dtype=np.float64)
    out: FloatArray = (1.0 + monthly_discount_rate) ** -t
    return out


def annuity_factor(monthly_discount_rate: float, horizon_months: int) -> float:
    """Present value of 1 (currency) paid at the end of each of months 1..H.

    Parameters
    ----------
    monthly_discount_rate : float
        Discount rate per month (fraction).
    horizon_months : int
        Months H the payments last.

    Returns
    -------
    float
        ``Σ_{t=1..H} (1 + i)^-t`` (months of payment in today's money); divide by 12
        for the present value of one currency unit a year paid monthly.

    Examples
    --------
    >>> annuity_factor(0.0, 12)
    12.0
    >>> round(annuity_factor(0.01, 1), 6)
    0.990099
    """
    i = monthly_discount_rate
    if i == 0:
        return float(horizon_months)
    return float((1.0 - (1.0 + i) ** -horizon_months) / i)


def first_month_repaid(
    monthly_value: npt.ArrayLike, monthly_cost: npt.ArrayLike, *, rtol: float = 1e-9
) -> FloatArray:
    """First month the cumulative value reaches the cumulative cost, along the last axis.

    Parameters
    ----------
    monthly_value, monthly_cost : array_like (…, T)
        Discounted value gained and cost paid in months 1..T (currency).
    rtol : float, default 1e-9
        Tolerance relative to the month's cost, so a value that equals the cost up to
        rounding counts as repaid.

    Returns
    -------
    ndarray (…)
        Months 1..T; ``inf`` when not repaid within T (an infinite cost never is);
        0 where there is no cost.

    Examples
    --------
    >>> first_month_repaid([[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]],
    ...                    [[10.0, 0.0, 0.0], [np.inf] * 3]).tolist()
    [2.0, inf]
    """
    value = np.asarray(monthly_value, dtype=np.float64)
    cost = np.asarray(monthly_cost, dtype=np.float64)
    balance = np.cumsum(value - cost, axis=-1)
    # the tolerance scales with the finite costs: an infinite cost is never repaid
    scale = np.where(np.isfinite(cost), np.abs(cost), 0.0).max(axis=-1, keepdims=True)
    reached = (balance >= -rtol * scale) & np.isfinite(balance)
    first = np.where(reached.any(axis=-1), reached.argmax(axis=-1) + 1.0, np.inf)
    out: FloatArray = np.where((cost <= 0).all(axis=-1), 0.0, first)
    return out


def payback_months(
    cost: npt.ArrayLike, monthly_net: npt.ArrayLike, monthly_discount_rate: float
) -> FloatArray:
    """Months until a constant discounted net benefit repays a one-off cost (closed form).

    The special case of :func:`first_month_repaid` with the whole cost paid today and
    the same net benefit every month, without a horizon.

    Parameters
    ----------
    cost : array_like
        One-off cost (currency).
    monthly_net : array_like
        Net benefit per month (currency per month), received at each month's end.
    monthly_discount_rate : float
        Discount rate per month (fraction).

    Returns
    -------
    ndarray
        Smallest whole number of months ``m`` with ``Σ_{t≤m} net / (1 + i)^t ≥ cost``;
        0 when the cost is 0, ``inf`` when the benefits never repay it.

    Examples
    --------
    >>> payback_months(100.0, 10.0, 0.0).tolist()
    10.0
    """
    c = np.asarray(cost, dtype=np.float64)
    net = np.asarray(monthly_net, dtype=np.float64)
    i = monthly_discount_rate
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if i == 0:
            exact = c / net
        else:
            inside = 1.0 - c * i / net
            safe = np.where(inside > 0, inside, 1.0)
            exact = np.where(inside > 0, -np.log(safe) / math.log1p(i), np.inf)
        months = np.where(net > 0, np.ceil(exact - 1e-9), np.inf)
    out: FloatArray = np.where(c <= 0, 0.0, months)
    return out
