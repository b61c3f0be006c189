"""The parametric churn families: survival, log-likelihood terms and parameter names.

Families (``S(t)``, t in months):

* ``weibull`` — ``exp(-(t/scale)**shape)`` (lifelines' ``lambda_``, ``rho_``);
* ``lognormal`` — ``1 - Phi((log t - mu) / sigma)`` (lifelines' ``mu_``, ``sigma_``);
* ``loglogistic`` — ``1 / (1 + (t/scale)**shape)`` (lifelines' ``alpha_``, ``beta_``);
* ``exponential`` — ``exp(-hazard * t)``;
* ``piecewise_exponential`` — constant hazard per month within pieces cut at
  ``breakpoints`` (default 6, 12 and 24 months); the last piece extends forever.

Each family works on an unconstrained parameter vector ``theta`` (logs of positive
parameters); :func:`survival_function` evaluates ``S(t)`` on the natural scale.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from cx_economics.core.exceptions import CxDataError

FloatArray = npt.NDArray[np.float64]
ModelName = Literal["weibull", "lognormal", "loglogistic", "exponential", "piecewise_exponential"]
#: Candidate families, in the order ``model="auto"`` tries them.
PARAMETRIC_MODELS: tuple[str, ...] = (
    "weibull",
    "lognormal",
    "loglogistic",
    "exponential",
    "piecewise_exponential",
)
#: Months where the piecewise-exponential hazard changes by default (pieces 0–6, 6–12,
#: 12–24, 24+).
DEFAULT_BREAKPOINTS: tuple[float, ...] = (6.0, 12.0, 24.0)


def _weibull(theta: FloatArray, t: FloatArray, density: bool) -> tuple[FloatArray, FloatArray]:
    log_scale, log_shape = theta
    shape = math.exp(log_shape)
    x = np.log(t) - log_scale
    z = np.exp(shape * x)
    if not density:
        return -z, np.column_stack([shape * z, -shape * x * z])
    value = log_shape - log_scale + (shape - 1.0) * x - z
    return value, np.column_stack([shape * (z - 1.0), 1.0 + shape * x * (1.0 - z)])


def _lognormal(theta: FloatArray, t: FloatArray, density: bool) -> tuple[FloatArray, FloatArray]:
    mu, log_sigma = theta
    sigma = math.exp(log_sigma)
    u = (np.log(t) - mu) / sigma
    log_pdf = -0.5 * u * u - 0.5 * math.log(2.0 * math.pi)
    if not density:
        value = special.log_ndtr(-u)
        mills = np.exp(log_pdf - value)
        return value, np.column_stack([mills / sigma, mills * u])
    value = log_pdf - log_sigma - np.log(t)
    return value, np.column_stack([u / sigma, u * u - 1.0])


def _loglogistic(theta: FloatArray, t: FloatArray, density: bool) -> tuple[FloatArray, FloatArray]:
    log_scale, log_shape = theta
    shape = math.exp(log_shape)
    y = shape * (np.log(t) - log_scale)
    softplus = np.logaddexp(0.0, y)
    sig = special.expit(y)
    if not density:
        return -softplus, np.column_stack([shape * sig, -y * sig])
    value = log_shape - log_scale + y * (shape - 1.0) / shape - 2.0 * softplus
    return value, np.column_stack([shape * (2.0 * sig - 1.0), 1.0 + y - 2.0 * y * sig])


def _piecewise(
    theta: FloatArray, t: FloatArray, density: bool, starts: FloatArray
) -> tuple[FloatArray, FloatArray]:
    hazard = np.exp(theta)
    widths = np.diff(np.append(starts, np.inf))
    exposure = np.clip(t[:, None] - starts[None, :], 0.0, widths[None, :])
    value = -(exposure @ hazard)
    grad = -exposure * hazard[None, :]
    if density:
        piece = np.searchsorted(starts, t, side="right") - 1
        value = value + theta[piece]
        grad[np.arange(t.size), piece] += 1.0
    return value, grad


def _piece_starts(model: str, breakpoints: Sequence[float]) -> FloatArray:
    cuts = list(breakpoints) if model == "piecewise_exponential" else []
    return np.array([0.0, *cuts], dtype=np.float64)


def _log_curve(
    model: str, theta: FloatArray, t: FloatArray, breakpoints: Sequence[float], density: bool
) -> tuple[FloatArray, FloatArray]:
    """Log S(t) (or log f(t)) and its gradient in the working parameters, shape (n,), (n, p)."""
    t = np.asarray(t, dtype=np.float64)
    if model in ("exponential", "piecewise_exponential"):
        return _piecewise(theta, t, density, _piece_starts(model, breakpoints))
    family = {"weibull": _weibull, "lognormal": _lognormal, "loglogistic": _loglogistic}[model]
    positive = t > 0
    safe_t = np.where(positive, t, 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        value, grad = family(theta, safe_t, density)
    if density:
        return value, grad
    value = np.where(positive, value, 0.0)
    grad = np.where(positive[:, None], grad, 0.0)
    return value, grad


def _param_names(model: str, breakpoints: Sequence[float]) -> tuple[str, ...]:
    names = {
        "weibull": ("scale_months", "shape"),
        "lognormal": ("mu_log_months", "sigma_log_months"),
        "loglogistic": ("scale_months", "shape"),
        "exponential": ("hazard",),
    }
    if model in names:
        return names[model]
    edges = [*_piece_starts(model, breakpoints).tolist(), math.inf]
    return tuple(f"hazard_{lo:g}_{hi:g}" for lo, hi in itertools.pairwise(edges))


def _to_natural(model: str, theta: FloatArray) -> FloatArray:
    natural = np.exp(theta)
    if model == "lognormal":
        natural[0] = theta[0]
    return natural


def _check_model(model: str, allowed: Sequence[str]) -> None:
    if model not in allowed:
        raise CxDataError(f"`model` must be one of {list(allowed)}, got {model!r}")


def _check_breakpoints(breakpoints: Sequence[float] | None) -> tuple[float, ...]:
    if breakpoints is None:
        return DEFAULT_BREAKPOINTS
    cuts = np.asarray(list(breakpoints), dtype=np.float64)
    if cuts.ndim != 1 or not np.all(np.isfinite(cuts)) or np.any(cuts <= 0):
        raise CxDataError(f"`breakpoints` must be finite months > 0, got {list(breakpoints)}")
    if np.any(np.diff(cuts) <= 0):
        raise CxDataError(f"`breakpoints` must increase strictly, got {list(breakpoints)}")
    return tuple(float(c) for c in cuts)


def survival_function(
    model: str,
    params: Mapping[str, float],
    months: npt.ArrayLike,
    *,
    breakpoints: Sequence[float] | None = None,
) -> FloatArray:
    """Evaluate a parametric survival curve S(t) from its natural parameters.

    Parameters
    ----------
    model : {"weibull", "lognormal", "loglogistic", "exponential", "piecewise_exponential"}
        The family (see the module docstring for each formula).
    params : mapping of str to float
        Parameters by name, as in :attr:`ParametricFit.params`: ``scale_months`` and
        ``shape`` (Weibull, log-logistic; months and unitless), ``mu_log_months`` and
        ``sigma_log_months`` (log-normal; mean and sd of log months), ``hazard``
        (exponential; per month) or ``hazard_<from>_<to>`` per piece
        (piecewise exponential; per month, e.g. ``hazard_0_6`` … ``hazard_24_inf``).
    months : array_like
        Times in months (≥ 0) at which to evaluate S.
    breakpoints : sequence of float, optional
        Piecewise model only: the months where the hazard changes (default 6, 12, 24).

    Returns
    -------
    numpy.ndarray
        S(t), the fraction still a customer at each time in ``months``.

    Examples
    --------
    >>> survival_function("weibull", {"scale_months": 50.0, "shape": 1.0}, [0, 12]).round(4)
    array([1.    , 0.7866])
    >>> pieces = {"hazard_0_12": 0.03, "hazard_12_inf": 0.01}
    >>> survival_function("piecewise_exponential", pieces, [24], breakpoints=[12]).round(4)
    array([0.6188])
    """
    _check_model(model, PARAMETRIC_MODELS)
    cuts = _check_breakpoints(breakpoints) if model == "piecewise_exponential" else ()
    names = _param_names(model, cuts)
    if set(params) != set(names):
        raise CxDataError(f"`params` of a {model} curve must be {list(names)}, got {list(params)}")
    values = np.array([float(params[n]) for n in names], dtype=np.float64)
    if np.any(values[1:] <= 0) or (model != "lognormal" and values[0] <= 0):
        raise CxDataError(f"`params` must be positive (except `mu_log_months`), got {dict(params)}")
    theta = np.log(values)
    if model == "lognormal":
        theta[0] = values[0]
    t = np.atleast_1d(np.asarray(months, dtype=np.float64))
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise CxDataError("`months` must be finite and ≥ 0")
    log_s, _ = _log_curve(model, theta, t, cuts, density=False)
    out: FloatArray = np.exp(log_s)
    return out
