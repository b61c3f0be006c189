"""Discounted survival from today, per cell of a life table.

The loop behind residual value and the value flows, shared by
:mod:`~cx_economics.value.equity` and :mod:`~cx_economics.value.flows`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _retention(survival: FloatArray) -> FloatArray:
    """Monthly retention ``S(t) / S(t-1)`` along the last axis (0 once S reaches 0)."""
    factors = np.zeros_like(survival)
    prev = survival[..., :-1]
    np.divide(survival[..., 1:], prev, out=factors[..., 1:], where=prev > 0)
    factors[..., 0] = 1.0
    return factors


def _conditional_terms(
    factors: FloatArray, row: IntArray, tenure: IntArray, horizon: int, i: float
) -> Iterator[tuple[int, FloatArray]]:
    """Month ``t`` and ``S(a+t)/S(a) (1+i)^-t`` per cell, for ``t = 1..horizon``.

    ``factors`` are retention factors (…, G, M+1); cell ``k`` reads group ``row[k]``
    from tenure ``tenure[k]`` on. A loop over the horizon's months only; cells and any
    leading axes (replicates) are array axes.
    """
    running = np.ones(factors[..., row, 0].shape)
    for t in range(1, horizon + 1):
        running = running * factors[..., row, tenure + t]
        yield t, running * (1.0 + i) ** -t


def _tenure_weighted_flows(
    factors: FloatArray,
    row: IntArray,
    tenure: IntArray,
    weight: FloatArray,
    horizon: int,
    i: float,
    observed: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Per group, month by month, ``(1+i)^-t Σ_k weight_k S(a_k+t)/S(a_k)`` over its cells.

    The discounted survival from today of a group's active customers averaged over
    their tenures: shape (…, G, horizon) for factors (…, G, M+1). Also returns, per
    group (…, G), the part of its sum from months beyond ``observed[g]`` (the longest
    tenure in the data), zeros without ``observed``.
    """
    to_group = np.zeros((row.size, factors.shape[-2]))
    to_group[np.arange(row.size), row] = weight
    out = np.empty((*factors.shape[:-1], horizon))
    beyond = np.zeros(factors.shape[:-1])
    for t, term in _conditional_terms(factors, row, tenure, horizon, i):
        out[..., t - 1] = term @ to_group
        if observed is not None:
            beyond += (term * (tenure + t > observed[row])) @ to_group
    return out, beyond
