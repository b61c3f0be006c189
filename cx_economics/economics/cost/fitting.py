"""Cost curves from finance's cost points and fitted to a channel's spend history.

Points curves pass exactly through the given (NPS, yearly cost) points; fitted curves
estimate ``NPS = a + b·ln(spend)`` or a saturating form with parameter covariance.
See :mod:`cx_economics.economics.cost` for the models.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import (
    CxAssumptionWarning,
    CxDataError,
    CxModelError,
    describe_rows,
)
from cx_economics.data.schemas import (
    ColumnSpec,
    TableSchema,
    validate_channel_costs,
    validate_table,
)
from cx_economics.economics.cost._shapes import (
    FitForm,
    FloatArray,
    _LogShape,
    _SaturatingShape,
    _Shape,
)
from cx_economics.economics.cost.curve import CostCurve, CostCurves

__all__ = [
    "HISTORY_SCHEMA",
    "cost_curve_from_points",
    "cost_curves_from_table",
    "fit_cost_curve",
    "fit_cost_curves",
]

#: Schema of a channel spend history: one row per channel and period.
HISTORY_SCHEMA = TableSchema(
    "channel_history",
    (
        ColumnSpec("channel", "str", description="channel name"),
        ColumnSpec("annual_spend", "float", minimum=0.0, description="spend, currency per year"),
        ColumnSpec("nps", "float", minimum=-100.0, maximum=100.0, description="measured NPS"),
    ),
)


# --------------------------------------------------------------------------- points


def _checked_points(
    nps: npt.ArrayLike,
    costs: npt.ArrayLike,
    *,
    names: tuple[str, str] = ("nps_levels", "annual_costs"),
    labels: Sequence[object] | None = None,
    where: str = "",
) -> tuple[FloatArray, FloatArray]:
    """Validate cost points; return them sorted by NPS."""
    x = np.asarray(nps, dtype=np.float64).ravel()
    y = np.asarray(costs, dtype=np.float64).ravel()
    if x.size != y.size:
        raise CxDataError(
            f"{where}`{names[0]}` and `{names[1]}` differ in length: {x.size}, {y.size}"
        )
    rows = np.array(list(labels) if labels is not None else range(x.size), dtype=object)
    checks = (
        (names[0], ~np.isfinite(x), "must be finite (no NaN/inf)"),
        (names[1], ~np.isfinite(y), "must be finite (no NaN/inf)"),
        (names[0], np.abs(x) > 100, "must lie in −100..100 (NPS points)"),
        (names[1], y <= 0, "must be > 0 (currency per year; interpolated on the log scale)"),
    )
    for name, bad, problem in checks:
        if bad.any():
            raise CxDataError(
                f"{where}`{name}` {problem}; {describe_rows(list(rows[bad]), verb='are not')}"
            )
    if x.size < 2:
        raise CxDataError(
            f"{where}a cost curve needs at least 2 points in `{names[0]}`, got {x.size}"
        )
    order = np.argsort(x, kind="stable")
    xs, ys, rs = x[order], y[order], rows[order]
    repeated = np.flatnonzero(np.diff(xs) == 0) + 1
    if repeated.size:
        rows_text = describe_rows(list(rs[repeated]), verb="are")
        raise CxDataError(f"{where}`{names[0]}` must not repeat; {rows_text} repeats")
    falling = np.flatnonzero(np.diff(ys) <= 0) + 1
    if falling.size:
        i = falling[0]
        raise CxDataError(
            f"{where}cost must rise with NPS: `{names[1]}` must increase strictly with "
            f"`{names[0]}`; {describe_rows(list(rs[falling]), verb='are not above the cost below')}"
            f" (e.g. NPS {xs[i]:g} costs {ys[i]:,.0f}, NPS {xs[i - 1]:g} costs {ys[i - 1]:,.0f})"
        )
    return xs, ys


def cost_curve_from_points(
    channel: str, nps_levels: npt.ArrayLike, annual_costs: npt.ArrayLike
) -> CostCurve:
    """Build a cost curve through finance's cost points.

    The curve passes exactly through every point: PCHIP (monotone, no overshoot)
    interpolation of ``ln(cost)`` against NPS. Beyond the lowest and highest point it
    is log-linear, growing at the rate of the nearest segment, and warns.

    Parameters
    ----------
    channel : str
        Channel name.
    nps_levels : array_like
        NPS levels (points, −100..100), at least 2, distinct, any order.
    annual_costs : array_like
        Yearly cost at each level (currency per year, > 0), rising with NPS.

    Returns
    -------
    CostCurve
        ``kind="points"``, ``form="pchip_log"``; no interval (costs are given).

    Raises
    ------
    CxDataError
        Fewer than 2 points, NaN, non-positive costs, repeated levels, or costs
        that do not rise with NPS.

    Examples
    --------
    >>> curve = cost_curve_from_points("phone", [20, 35, 50], [145e3, 265e3, 484e3])
    >>> round(curve.cost_at(50.0))
    484000
    >>> bool(curve.cost_at(42.0) < curve.cost_at(43.0))
    True
    """
    x, y = _checked_points(nps_levels, annual_costs)
    return CostCurve(str(channel), "points", "pchip_log", (float(x[0]), float(x[-1])), x, y)


def cost_curves_from_table(
    channel_costs: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    known_channels: Sequence[str] | None = None,
) -> CostCurves:
    """Build one points curve per channel from a channel-costs table.

    Parameters
    ----------
    channel_costs : pandas.DataFrame or ChannelCosts
        Columns ``channel``, ``nps`` (points) and ``annual_cost`` (currency per
        year); see :func:`cx_economics.data.schemas.validate_channel_costs`.
    columns : mapping, optional
        Canonical name → your column name.
    known_channels : sequence of str, optional
        Channels of the customer base; other channels are an error.

    Returns
    -------
    CostCurves
        One :class:`CostCurve` of kind ``"points"`` per channel.

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> curves = cost_curves_from_table(load_demo().channel_costs)
    >>> curves.channels
    ('branch', 'chat', 'phone', 'web')
    """
    frame = validate_channel_costs(
        channel_costs, columns=columns, known_channels=known_channels
    ).frame
    curves = {}
    for channel, rows in frame.groupby("channel", sort=True):
        x, y = _checked_points(
            rows["nps"],
            rows["annual_cost"],
            names=("nps", "annual_cost"),
            labels=list(rows.index),
            where=f"`channel_costs` (channel {channel!r}): ",
        )
        curves[str(channel)] = CostCurve(
            str(channel), "points", "pchip_log", (float(x[0]), float(x[-1])), x, y
        )
    return CostCurves(curves)


# --------------------------------------------------------------------------- fitted


def _fit_log(
    spend: FloatArray, nps: FloatArray
) -> tuple[FloatArray, FloatArray, float, dict[str, object]]:
    import statsmodels.api as sm

    design = np.column_stack([np.ones_like(spend), np.log(spend)])
    fit = sm.OLS(nps, design).fit()
    theta = np.asarray(fit.params, dtype=np.float64)
    if theta[1] <= 0:
        raise CxModelError(
            f"more spend goes with lower NPS in this history (slope b = {theta[1]:.2f} NPS "
            "points per unit of log-spend ≤ 0): the data do not support a cost curve. Check "
            "the channel and periods, or give finance's cost points (cost_curve_from_points)"
        )
    if fit.pvalues[1] > 0.05:
        warnings.warn(
            f"the NPS-per-log-spend slope b = {theta[1]:.2f} is not distinguishable from 0 "
            f"(p = {fit.pvalues[1]:.2f}): the fitted cost curve is very uncertain",
            CxAssumptionWarning,
            stacklevel=4,
        )
    details = {
        "method": "OLS NPS = a + b·ln(annual_spend) (statsmodels)",
        "n_obs": int(fit.nobs),
        "r_squared": float(fit.rsquared),
        "residual_sd": float(np.sqrt(fit.scale)),
    }
    return theta, np.asarray(fit.cov_params(), dtype=np.float64), float(fit.df_resid), details


def _saturating_start(scaled_spend: FloatArray, nps: FloatArray) -> tuple[float, float, float]:
    """Profile least squares over a grid of k (the model is linear in L, n0 given k)."""
    ks = np.geomspace(1e-3, 1e3, 301)
    e = np.exp(-ks[:, None] * scaled_spend[None, :])  # (K, n)
    ec = e - e.mean(axis=1, keepdims=True)
    sxx = (ec**2).sum(axis=1)
    ok = sxx > 1e-12
    beta = np.where(ok, (ec * (nps - nps.mean())[None, :]).sum(axis=1) / np.where(ok, sxx, 1), 0)
    alpha = nps.mean() - beta * e.mean(axis=1)
    rss = np.where(
        ok, ((nps[None, :] - alpha[:, None] - beta[:, None] * e) ** 2).sum(axis=1), np.inf
    )
    best = int(np.argmin(rss))
    if best in (0, ks.size - 1):
        warnings.warn(
            "the spend history shows no clear saturation (the best rate lies at the edge of "
            "the search grid); the saturating fit may be unstable: consider form='log'",
            CxAssumptionWarning,
            stacklevel=5,
        )
    return float(alpha[best]), float(alpha[best] + beta[best]), float(ks[best])


def _fit_saturating(
    spend: FloatArray, nps: FloatArray
) -> tuple[FloatArray, FloatArray, float, dict[str, object]]:
    from scipy.optimize import curve_fit

    scale = float(np.median(spend))
    s = spend / scale

    def model(x: FloatArray, top: float, base: float, k: float) -> FloatArray:
        out: FloatArray = top - (top - base) * np.exp(-k * x)
        return out

    try:
        popt, pcov = curve_fit(model, s, nps, p0=_saturating_start(s, nps), maxfev=20_000)
    except (RuntimeError, ValueError) as err:
        raise CxModelError(
            f"the saturating cost curve did not converge ({err}); try form='log' or more "
            "periods with varied spend"
        ) from err
    top, base, k = (float(v) for v in popt)
    if not np.all(np.isfinite(pcov)) or k <= 0 or top <= base:
        raise CxModelError(
            "the history does not identify a rising, saturating NPS-spend curve "
            f"(L = {top:.1f}, n0 = {base:.1f}, k = {k:.3g}); more spend does not clearly raise "
            "NPS towards a ceiling. Try form='log' or give finance's cost points"
        )
    jac = np.diag([1.0, 1.0, 1.0 / scale])
    resid = nps - model(s, top, base, k)
    details = {
        "method": "least squares NPS = L − (L − n0)·exp(−k·annual_spend) (scipy curve_fit)",
        "n_obs": int(nps.size),
        "r_squared": float(1 - resid @ resid / ((nps - nps.mean()) @ (nps - nps.mean()))),
        "residual_sd": float(np.sqrt(resid @ resid / (nps.size - 3))),
    }
    theta = np.array([top, base, k / scale])
    return theta, jac @ pcov @ jac, float(nps.size - 3), details


_FITTERS = {"log": _fit_log, "saturating": _fit_saturating}
_SHAPES: dict[str, _Shape] = {"log": _LogShape(), "saturating": _SaturatingShape()}


def _fit_rows(channel: str, rows: pd.DataFrame, form: FitForm) -> CostCurve:
    spend = rows["annual_spend"].to_numpy(np.float64)
    nps = rows["nps"].to_numpy(np.float64)
    where = f"`channel_history` (channel {channel!r})"
    needed = 3 if form == "log" else 4
    if spend.size < needed:
        raise CxDataError(f"{where}: form={form!r} needs at least {needed} rows, got {spend.size}")
    if form == "log" and (spend <= 0).any():
        rows_text = describe_rows(list(rows.index[spend <= 0]), verb="are not")
        raise CxDataError(f"{where}: `annual_spend` must be > 0 for form='log'; {rows_text}")
    if np.ptp(spend) <= 1e-9 * np.abs(spend).max():
        raise CxDataError(
            f"{where}: `annual_spend` must vary to fit a cost curve; all {spend.size} rows "
            f"are {spend[0]:,.0f}"
        )
    theta, cov, df, details = _FITTERS[form](spend, nps)
    bounds = _SHAPES[form].nps(theta[None, :], np.array([spend.min(), spend.max()]))[0]
    return CostCurve(
        channel,
        "fitted",
        form,
        (float(bounds[0]), float(bounds[1])),
        nps,
        spend,
        dict(zip(_SHAPES[form].names, theta.tolist(), strict=True)),
        cov,
        df,
        details,
    )


def _history(history: pd.DataFrame, columns: Mapping[str, str] | None, form: str) -> pd.DataFrame:
    if form not in _FITTERS:
        raise CxDataError(f"`form` must be 'log' or 'saturating', got {form!r}")
    return validate_table(history, HISTORY_SCHEMA, columns=columns)


def fit_cost_curve(
    history: pd.DataFrame,
    *,
    channel: str | None = None,
    form: FitForm = "log",
    columns: Mapping[str, str] | None = None,
) -> CostCurve:
    """Fit one channel's cost curve from its history of spend and measured NPS.

    ``form="log"``: ``NPS = a + b·ln(spend)`` by OLS (statsmodels), so
    ``cost(nps) = exp((nps − a)/b)`` and ``b·ln 2`` is the NPS gained by doubling
    spend. ``form="saturating"``: ``NPS = L − (L − n0)·exp(−k·spend)`` by least
    squares (scipy ``curve_fit``, started from a profile search over ``k``), so
    ``cost(nps) = ln((L − n0)/(L − nps))/k``; no spend reaches ``L``.

    Parameters
    ----------
    history : pandas.DataFrame
        One row per channel and period with ``channel``, ``annual_spend`` (currency
        per year, the spend rate in that period) and ``nps`` (points), e.g.
        ``simulate(...).channel_history``. Not modified.
    channel : str, optional
        Which channel to fit; may be omitted when the history holds one channel.
    form : {"log", "saturating"}, default "log"
        Functional form.
    columns : mapping, optional
        Canonical name → your column name.

    Returns
    -------
    CostCurve
        ``kind="fitted"``, with parameters, covariance and residual df.

    Raises
    ------
    CxDataError
        Missing/NaN/negative values (naming the column and rows), too few rows,
        zero spend (log form), spend that never varies, an unknown channel.
    CxModelError
        The data do not show NPS rising with spend, or the fit does not converge.

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> demo = load_demo()
    >>> curve = fit_cost_curve(demo.channel_history, channel="phone")
    >>> 20 < curve.parameters["b"] < 30  # truth: 25 NPS points per unit of log-spend
    True
    """
    frame = _history(history, columns, form)
    present = sorted(frame["channel"].unique())
    if channel is None:
        if len(present) != 1:
            raise CxDataError(f"`channel` is needed: the history holds channels {present}")
        channel = present[0]
    if channel not in present:
        raise CxDataError(f"`channel` {channel!r} is not in the history; it holds {present}")
    return _fit_rows(channel, frame[frame["channel"] == channel], form)


def fit_cost_curves(
    history: pd.DataFrame, *, form: FitForm = "log", columns: Mapping[str, str] | None = None
) -> CostCurves:
    """Fit a cost curve for every channel in a spend history (see :func:`fit_cost_curve`).

    Parameters
    ----------
    history : pandas.DataFrame
        Columns ``channel``, ``annual_spend`` (currency per year), ``nps`` (points).
    form : {"log", "saturating"}, default "log"
        Functional form, the same for every channel.
    columns : mapping, optional
        Canonical name → your column name.

    Returns
    -------
    CostCurves

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> fit_cost_curves(load_demo().channel_history).channels
    ('branch', 'chat', 'phone', 'web')
    """
    frame = _history(history, columns, form)
    return CostCurves(
        {
            str(ch): _fit_rows(str(ch), rows, form)
            for ch, rows in frame.groupby("channel", sort=True)
        }
    )
