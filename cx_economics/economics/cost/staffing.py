"""Erlang C staffing and the bottom-up cost curve of phone and chat channels.

Contact volume × cost per contact, grossed up for the idle agent time an Erlang C
(M/M/N) queue needs to answer a share of contacts within T seconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from cx_economics.core.exceptions import CxDataError
from cx_economics.economics.cost._shapes import FloatArray, IntArray
from cx_economics.economics.cost.curve import CostCurve

__all__ = [
    "agents_needed",
    "bottom_up_cost_curve",
    "erlang_c",
    "erlang_c_service_level",
]


# --------------------------------------------------------------------------- Erlang C


def erlang_c(offered_load: npt.ArrayLike, agents: npt.ArrayLike) -> FloatArray:
    """Return the Erlang C probability that a contact has to wait (M/M/N queue).

    ``C = N·B / (N − A·(1 − B))`` with the Erlang B loss ``B = pmf(N; A) / cdf(N; A)``
    of a Poisson(A) law (stable for large loads); 1 when ``N ≤ A`` (the queue grows
    without bound).

    Parameters
    ----------
    offered_load : array_like
        Traffic intensity ``A`` in Erlangs (arrival rate × average handle time).
    agents : array_like
        Number of agents ``N`` (integers ≥ 1); broadcast against ``offered_load``.

    Returns
    -------
    ndarray
        Probability (fraction 0–1) that an arriving contact waits.

    Examples
    --------
    >>> round(float(erlang_c(48.0, 55)), 4)  # 360 calls per half hour, 4-minute calls
    0.2387
    """
    load, n = np.broadcast_arrays(
        np.asarray(offered_load, np.float64), np.asarray(agents, np.float64)
    )
    with np.errstate(all="ignore"):
        loss = np.exp(stats.poisson.logpmf(n, load) - stats.poisson.logcdf(n, load))
        wait = n * loss / (n - load * (1.0 - loss))
    out: FloatArray = np.where(n > load, wait, 1.0)
    return out


def erlang_c_service_level(
    offered_load: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    answer_within_seconds: float,
    average_handle_seconds: float,
) -> FloatArray:
    """Return the share of contacts answered within ``answer_within_seconds`` (Erlang C).

    ``SL = 1 − C · exp(−(N − A) · T / AHT)``; 0 when ``N ≤ A``.

    Parameters
    ----------
    offered_load : array_like
        Traffic intensity ``A`` in Erlangs.
    agents : array_like
        Number of agents ``N``.
    answer_within_seconds : float
        Target answer time ``T`` (seconds).
    average_handle_seconds : float
        Average handle time ``AHT`` (seconds per contact).

    Returns
    -------
    ndarray
        Service level, fraction 0–1.

    Examples
    --------
    >>> sl = erlang_c_service_level(10.0, 14, answer_within_seconds=20, average_handle_seconds=180)
    >>> round(float(sl), 3)
    0.888
    """
    load = np.asarray(offered_load, np.float64)
    n = np.asarray(agents, np.float64)
    decay = np.exp(-(n - load) * answer_within_seconds / average_handle_seconds)
    out: FloatArray = np.where(n > load, 1.0 - erlang_c(load, n) * decay, 0.0)
    return out


def agents_needed(
    offered_load: float,
    target_service_level: npt.ArrayLike,
    *,
    answer_within_seconds: float,
    average_handle_seconds: float,
) -> IntArray:
    """Return the fewest agents that answer a target share within T seconds (Erlang C).

    Parameters
    ----------
    offered_load : float
        Traffic intensity ``A`` in Erlangs (> 0).
    target_service_level : array_like
        Target share(s) answered within ``answer_within_seconds``, fractions in [0, 1).
    answer_within_seconds : float
        Target answer time (seconds).
    average_handle_seconds : float
        Average handle time (seconds per contact).

    Returns
    -------
    ndarray of int
        Agents (on duty at every open hour) per target.

    Examples
    --------
    >>> agents_needed(10.0, [0.8, 0.9], answer_within_seconds=20, average_handle_seconds=180)
    array([14, 15])
    """
    targets = np.atleast_1d(np.asarray(target_service_level, np.float64))
    if not (np.all(np.isfinite(targets)) and np.all((targets >= 0) & (targets < 1))):
        raise CxDataError(f"`target_service_level` must be fractions in [0, 1), got {targets}")
    first = math.floor(offered_load) + 1
    span = int(10 * math.sqrt(offered_load) + 30)
    while True:
        n = np.arange(first, first + span, dtype=np.int64)
        sl = erlang_c_service_level(
            offered_load,
            n,
            answer_within_seconds=answer_within_seconds,
            average_handle_seconds=average_handle_seconds,
        )
        if sl[-1] >= targets.max():
            out: IntArray = n[np.argmax(sl[None, :] >= targets[:, None], axis=1)]
            return out
        span *= 2


# --------------------------------------------------------------------------- bottom-up


def _checked_service_levels(points: Mapping[float, float]) -> tuple[FloatArray, FloatArray]:
    levels = np.array([float(k) for k in points], dtype=np.float64)
    nps = np.array([float(v) for v in points.values()], dtype=np.float64)
    if levels.size < 2:
        raise CxDataError(f"`service_level_points` needs at least 2 points, got {levels.size}")
    bad = ~np.isfinite(levels) | (levels <= 0) | (levels >= 1)
    if bad.any():
        raise CxDataError(f"`service_level_points` keys must be fractions in (0, 1): {levels[bad]}")
    if (~np.isfinite(nps) | (np.abs(nps) > 100)).any():
        raise CxDataError(f"`service_level_points` values must be NPS points −100..100: {nps}")
    order = np.argsort(levels)
    levels, nps = levels[order], nps[order]
    if (np.diff(nps) <= 0).any():
        raise CxDataError(
            "`service_level_points`: NPS must rise with the service level; got "
            + ", ".join(f"{s:g} → {v:g}" for s, v in zip(levels, nps, strict=True))
        )
    return levels, nps


def bottom_up_cost_curve(
    contacts_per_year: float,
    cost_per_contact: float,
    *,
    service_level_points: Mapping[float, float],
    answer_within_seconds: float = 20.0,
    average_handle_seconds: float = 300.0,
    open_hours_per_year: float = 3120.0,
    fixed_annual_cost: float = 0.0,
    channel: str = "phone",
) -> CostCurve:
    """Build a phone/chat cost curve from contact volume and Erlang C staffing.

    Model, stated plainly:

    1. Contacts arrive at random (Poisson) evenly over the open hours, so the load is
       ``A = contacts_per_year · average_handle_seconds / (open_hours_per_year · 3600)``
       Erlangs (agents busy on average).
    2. For each service level ``s`` in ``service_level_points`` (share of contacts
       answered within ``answer_within_seconds``), Erlang C gives the fewest agents
       ``N(s)`` on duty every open hour (:func:`agents_needed`).
    3. ``cost_per_contact`` is the cost of the agent time spent handling one contact
       (e.g. hourly agent cost × handle hours). Staffing ``N`` agents for a load of
       ``A`` pays for ``N/A`` times that time, so the yearly cost at level ``s`` is
       ``fixed_annual_cost + contacts_per_year · cost_per_contact · N(s)/A``.
    4. The user's mapping ``service level → NPS`` (e.g. ``{0.6: 10, 0.8: 25, 0.9: 35}``)
       places these costs on the NPS axis; between and beyond them the curve is the
       points curve of :func:`cost_curve_from_points`.

    Peaks, abandonment and shrinkage are not modelled (an even "average hour"
    understates staffing for peaky traffic). For chat with ``c`` concurrent sessions
    per agent, pass ``average_handle_seconds / c``.

    Parameters
    ----------
    contacts_per_year : float
        Contacts offered per year (> 0).
    cost_per_contact : float
        Currency per contact of handling time (> 0).
    service_level_points : mapping float → float
        Service level (fraction in (0, 1)) → NPS points it delivers; ≥ 2 points, NPS
        rising with service level.
    answer_within_seconds : float, default 20
        Target answer time of the service level (seconds).
    average_handle_seconds : float, default 300
        Average handle time (seconds per contact).
    open_hours_per_year : float, default 3120
        Staffed hours per year (default 52 weeks × 60 hours).
    fixed_annual_cost : float, default 0
        Yearly cost that does not vary with the service level (currency per year).
    channel : str, default "phone"
        Channel name.

    Returns
    -------
    CostCurve
        ``kind="bottom_up"``; ``details["staffing"]`` holds service level, NPS, agents,
        occupancy and yearly cost per point.

    Examples
    --------
    >>> curve = bottom_up_cost_curve(
    ...     200_000, 4.0, service_level_points={0.6: 10, 0.8: 25, 0.9: 35},
    ...     open_hours_per_year=2_600)
    >>> curve.details["staffing"]["agents"].tolist()
    [9, 10, 11]
    """
    inputs = {
        "contacts_per_year": contacts_per_year,
        "cost_per_contact": cost_per_contact,
        "answer_within_seconds": answer_within_seconds,
        "average_handle_seconds": average_handle_seconds,
        "open_hours_per_year": open_hours_per_year,
    }
    for name, value in inputs.items():
        if not math.isfinite(value) or value <= 0:
            raise CxDataError(f"`{name}` must be a positive number, got {value}")
    if not math.isfinite(fixed_annual_cost) or fixed_annual_cost < 0:
        raise CxDataError(
            f"`fixed_annual_cost` must be ≥ 0 (currency per year), got {fixed_annual_cost}"
        )
    levels, nps = _checked_service_levels(service_level_points)
    load = contacts_per_year * average_handle_seconds / (open_hours_per_year * 3600.0)
    agents = agents_needed(
        load,
        levels,
        answer_within_seconds=answer_within_seconds,
        average_handle_seconds=average_handle_seconds,
    )
    if (np.diff(agents) <= 0).any():
        raise CxDataError(
            f"`service_level_points`: service levels {levels.tolist()} need agents "
            f"{agents.tolist()}; levels needing the same staffing cost the same, so cost "
            "would not rise with NPS. Space the service levels further apart"
        )
    cost = (fixed_annual_cost + contacts_per_year * cost_per_contact * agents / load).astype(
        np.float64
    )
    staffing = pd.DataFrame(
        {
            "service_level": levels,
            "nps": nps,
            "agents": agents,
            "occupancy": load / agents,
            "annual_cost": cost,
        }
    )
    details = {"staffing": staffing, "offered_load_erlangs": load, **inputs}
    return CostCurve(
        channel,
        "bottom_up",
        "pchip_log",
        (float(nps[0]), float(nps[-1])),
        nps,
        cost,
        details=details,
    )
