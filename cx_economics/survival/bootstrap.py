"""Bootstrap of churn curves on the life table, vectorised over replicates.

Resampling customers with replacement within a group is the same as drawing, for
that group, a multinomial of its ``n`` customers over its life-table cells (with the
cells' shares as probabilities). :func:`resample_life_table` does exactly that, for
all replicates at once; :func:`replicate_survival` turns the resampled counts into
Kaplan–Meier curves with array operations only (risk sets by a reversed cumulative
sum over the month axis, then ``cumprod(1 - d / n)``), and
:func:`replicate_mean_revenue` gives the matching mean monthly revenue per group, so
survival and money can be resampled *jointly* (the same customers in replicate
``b``). :func:`bootstrap_survival` chains the two steps.

Conventions (the same as :class:`~cx_economics.tables.life.LifeTable`): a churner
with ``duration = t`` left during month ``t``; an active customer with
``duration = a`` has completed ``a`` months. The risk set of month ``t`` is every
customer with ``duration >= t``; a churner with ``duration = 0`` is counted as
leaving in month 1. So ``S(t) = prod_{s <= t} (1 - d_s / n_s)`` with ``S(0) = 1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.bands import BAND_ORDER
from cx_economics.core.exceptions import CxDataError
from cx_economics.core.parameters import rng_from_seed
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable

__all__ = [
    "bootstrap_survival",
    "life_table_groups",
    "replicate_mean_revenue",
    "replicate_retention",
    "replicate_survival",
    "resample_life_table",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
GroupKey = tuple[str, ...]

_REQUIRED = ("duration", "churned", "customers")
_MANY_CURVES = 1024  # from here on, a month-by-month product beats np.cumprod
_BAND_RANK = {b.value: i for i, b in enumerate(BAND_ORDER)}


def _check_table(table: LifeTable) -> pd.DataFrame:
    if not isinstance(table, LifeTable):
        raise CxDataError(f"`table` must be a LifeTable, got {type(table).__name__}")
    frame = table.frame
    missing = [c for c in (*table.group_columns, *_REQUIRED) if c not in frame.columns]
    if missing:
        raise CxDataError(
            f"`table` lacks column(s) {missing}; its columns are {list(map(str, frame.columns))}"
        )
    if len(frame) == 0:
        raise CxDataError("`table` has no cells (0 rows)")
    counts = frame["customers"].to_numpy()
    duration = frame["duration"].to_numpy()
    bad = np.flatnonzero((counts < 0) | (duration < 0) | (duration != np.floor(duration)))
    if bad.size:
        raise CxDataError(
            "`table`: `customers` must be counts ≥ 0 and `duration` whole months ≥ 0; "
            f"{bad.size} cells are not (e.g. rows {list(frame.index[bad[:3]])})"
        )
    return frame


def _key_column(frame: pd.DataFrame, group_columns: Sequence[str]) -> list[GroupKey]:
    columns = [frame[c].astype(str).to_numpy() for c in group_columns]
    return list(zip(*columns, strict=True)) if columns else [()] * len(frame)


def _sort_key(key: GroupKey, group_columns: Sequence[str]) -> tuple[tuple[int, str], ...]:
    return tuple(
        (_BAND_RANK.get(v, len(_BAND_RANK)) if c == "band" else 0, v)
        for c, v in zip(group_columns, key, strict=True)
    )


def life_table_groups(table: LifeTable) -> tuple[GroupKey, ...]:
    """Group keys of a life table in the library's order (bands worst to best, then names).

    Parameters
    ----------
    table : LifeTable
        The life table.

    Returns
    -------
    tuple of tuple of str
        One key per group, aligned with ``table.group_columns``; the default order of
        the group axis of :func:`bootstrap_survival`.

    Examples
    --------
    >>> import pandas as pd
    >>> from cx_economics.tables.life import LifeTable
    >>> cells = pd.DataFrame({"band": ["promoter", "detractor"], "duration": [3, 2],
    ...                       "churned": [True, False], "customers": [4, 5],
    ...                       "revenue_sum": 0.0, "revenue_sq_sum": 0.0})
    >>> life_table_groups(LifeTable(cells, ("band",), "latest", None, False))
    (('detractor',), ('promoter',))
    """
    frame = _check_table(table)
    keys = set(_key_column(frame, table.group_columns))
    return tuple(sorted(keys, key=lambda k: _sort_key(k, table.group_columns)))


def _group_rows(
    table: LifeTable, groups: Sequence[GroupKey] | None
) -> tuple[tuple[GroupKey, ...], list[IntArray]]:
    """Requested group order and, per group, the positions of its cells in the frame."""
    frame = _check_table(table)
    keys = _key_column(frame, table.group_columns)
    order = tuple(tuple(str(v) for v in g) for g in groups) if groups else life_table_groups(table)
    repeated = sorted({k for k in order if order.count(k) > 1})
    if repeated:
        raise CxDataError(
            f"`groups` names {len(repeated)} group(s) more than once (e.g. {repeated[:3]}); "
            "name each group once"
        )
    position: dict[GroupKey, list[int]] = {k: [] for k in order}
    for row, key in enumerate(keys):
        if key in position:
            position[key].append(row)
    empty = [k for k, rows in position.items() if not rows]
    if empty:
        raise CxDataError(
            f"`groups` names {len(empty)} group(s) absent from the life table "
            f"(e.g. {empty[:3]}); its groups are {list(life_table_groups(table))}"
        )
    return order, [np.asarray(rows, dtype=np.int64) for rows in position.values()]


def _cell_index(cells: IntArray) -> slice | IntArray:
    """Increasing rows of a group (as from ``_group_rows``), as a slice when they are one run.

    A slice gives a view of a group's columns instead of a copy.
    """
    first, last = int(cells[0]), int(cells[-1])
    return slice(first, last + 1) if last - first + 1 == cells.size else cells


def resample_life_table(
    table: LifeTable,
    *,
    n_replicates: int = 1000,
    seed: int | np.random.Generator,
    groups: Sequence[GroupKey] | None = None,
) -> IntArray:
    """Resample customers with replacement within each group, as counts per cell.

    Parameters
    ----------
    table : LifeTable
        Cells of (group…, duration, churned) with ``customers`` counts.
    n_replicates : int, default 1000
        Bootstrap replicates ``B``.
    seed : int or numpy.random.Generator
        Randomness; the same seed gives identical counts.
    groups : sequence of tuple of str, optional
        Resample only these groups (drawn in :func:`life_table_groups` order); the
        cells of the other groups stay 0. Default: every group.

    Returns
    -------
    ndarray of int64, shape (B, K)
        Customers per cell (columns aligned with the rows of ``table.frame``) in each
        replicate; every resampled group keeps its number of customers.

    Examples
    --------
    >>> import pandas as pd
    >>> from cx_economics.tables.life import LifeTable
    >>> cells = pd.DataFrame({"band": ["promoter"] * 2, "duration": [3, 5],
    ...                       "churned": [True, False], "customers": [4, 6],
    ...                       "revenue_sum": 0.0, "revenue_sq_sum": 0.0})
    >>> counts = resample_life_table(LifeTable(cells, ("band",), "latest", None, False),
    ...                              n_replicates=3, seed=1)
    >>> counts.shape, counts.sum(axis=1).tolist()
    ((3, 2), [10, 10, 10])
    """
    if isinstance(n_replicates, bool) or not isinstance(n_replicates, int) or n_replicates < 1:
        raise CxDataError(f"`n_replicates` must be a positive integer, got {n_replicates!r}")
    rng = rng_from_seed(seed)
    frame = _check_table(table)
    order, rows = _group_rows(table, groups)
    if groups is not None:  # draw in the library's order, whatever the requested one
        by_key = dict(zip(dict.fromkeys(order), rows, strict=True))
        rows = [by_key[k] for k in sorted(by_key, key=lambda k: _sort_key(k, table.group_columns))]
    cell_counts = frame["customers"].to_numpy(np.int64)
    out = np.zeros((n_replicates, len(frame)), dtype=np.int64)
    for cells in rows:  # a handful of groups; replicates are drawn all at once
        n_group = int(cell_counts[cells].sum())
        if n_group == 0:
            continue
        shares = cell_counts[cells] / n_group
        out[:, _cell_index(cells)] = rng.multinomial(n_group, shares, size=n_replicates)
    return out


def _check_counts(frame: pd.DataFrame, counts: IntArray) -> IntArray:
    arr = np.asarray(counts)
    if arr.ndim != 2 or arr.shape[1] != len(frame):
        raise CxDataError(
            f"`counts` must have shape (replicates, {len(frame)} cells), got {arr.shape}"
        )
    return arr.astype(np.int64, copy=False)


def _km_factors(
    counts: IntArray,
    duration: IntArray,
    churned: npt.NDArray[np.bool_],
    horizon_months: int,
    entry: IntArray | None = None,
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """KM factors ``1 - d_t / n_t`` on months 0..H for one group's cells, and ``n_t > 0``.

    A cell's month is its churn month ``max(duration, 1)`` for churners (a duration-0
    churner leaves in month 1) and its ``duration`` for active customers: ``n_t``
    counts the customers whose month is ``>= t`` and ``d_t`` the churners whose month
    is ``t``. With the cells sorted by ``2 × month + churned`` both are exact integer
    differences of one cumulative sum over the cells (no float sums, no matrix
    products): ``n_t`` = all − cells before key ``2t``, ``d_t`` = cells with key
    ``2t + 1``. With delayed ``entry`` (months), the cells entering at ``t`` or later
    are taken off ``n_t``, from a second cumulative sum over the cells sorted by entry.
    """
    key = 2 * np.where(churned, np.maximum(duration, 1), duration) + churned
    months = np.arange(2 * horizon_months + 3)
    at_risk, events = _leaving_from(counts, key, months)
    if entry is not None and np.any(entry > 0):
        entering = _count_below(counts, entry, np.arange(1, horizon_months + 1))
        at_risk[:, 1:] -= entering[:, -1:] - entering[:, :-1]
    has_risk = at_risk > 0
    factors = np.ones(at_risk.shape)
    np.divide(at_risk - events, at_risk, out=factors, where=has_risk)
    factors[:, 0] = 1.0
    has_risk[:, 0] = True
    return factors, has_risk


def _count_below(counts: IntArray, key: IntArray, thresholds: IntArray) -> IntArray:
    """Customers in the cells whose ``key`` is below each threshold, per replicate."""
    order = np.argsort(key, kind="stable")
    if np.any(order != np.arange(order.size)):  # tables come in this order: no copy
        counts, key = counts[:, order], key[order]
    cumulative = np.zeros((counts.shape[0], key.size + 1), dtype=np.int64)
    np.cumsum(counts, axis=1, out=cumulative[:, 1:])
    below: IntArray = cumulative[:, np.searchsorted(key, thresholds)]
    return np.concatenate([below, cumulative[:, -1:]], axis=1)


def _leaving_from(counts: IntArray, key: IntArray, keys: IntArray) -> tuple[IntArray, IntArray]:
    """At risk (last month ``>= t``) and churners of month ``t``, t = 0..H, per replicate."""
    below = _count_below(counts, key, keys)
    at_risk = below[:, -1:] - below[:, 0:-3:2]
    events = below[:, 2:-1:2] - below[:, 1:-2:2]
    return at_risk, events


def _tail_factors(tail_curve: FloatArray) -> FloatArray:
    """Monthly retention ``S(t) / S(t-1)`` of a point curve (0 once it reaches 0)."""
    factors = np.zeros_like(tail_curve)
    np.divide(tail_curve[1:], tail_curve[:-1], out=factors[1:], where=tail_curve[:-1] > 0)
    factors[0] = 1.0
    out: FloatArray = np.clip(factors, 0.0, 1.0)
    return out


def _tail_rows(
    tail: ChurnCurves, table: LifeTable, order: Sequence[GroupKey], horizon_months: int
) -> FloatArray:
    if tuple(tail.group_columns) != tuple(table.group_columns):
        raise CxDataError(
            f"`tail` groups by {tuple(tail.group_columns)}, the life table by "
            f"{tuple(table.group_columns)}; fit both on the same groups"
        )
    grid = np.asarray(tail.months)
    if grid.size <= horizon_months or grid[horizon_months] != horizon_months:
        raise CxDataError(
            f"`tail` curves reach month {int(grid[-1])}, fewer than `horizon_months`="
            f"{horizon_months}; fit them with a horizon of at least {horizon_months} months"
        )
    try:
        rows = [tail.index_of(*key) for key in order]
    except KeyError as exc:
        raise CxDataError(f"`tail` has no curve for a life-table group: {exc.args[0]}") from None
    tail_rows: FloatArray = np.asarray(tail.survival, dtype=np.float64)[rows, : horizon_months + 1]
    return tail_rows


def _hazard_scale(
    counts: IntArray,
    own: IntArray,
    duration: IntArray,
    churned: npt.NDArray[np.bool_],
    entry: IntArray,
) -> FloatArray:
    """Each replicate's churn per month of exposure relative to the data's, shape (B,).

    Events and exposure (months from entry to exit) are summed in integers (exact),
    then divided.
    """
    exposure_months = np.maximum(duration, churned.astype(np.int64)) - entry
    events = churned.astype(np.int64)
    own_rate = float(own @ events) / max(float(own @ exposure_months), 1.0)
    if own_rate <= 0:
        return np.ones(counts.shape[0])
    rate = (counts @ events) / np.maximum(counts @ exposure_months, 1)
    scale: FloatArray = rate / own_rate
    return scale


def _last_data_month(observed_months: float, horizon_months: int) -> int:
    """Last month of the grid (−1..H) up to which the data, not the tail, set the factors."""
    if math.isnan(observed_months):
        return -1
    return math.floor(min(max(observed_months, -1.0), float(horizon_months)))


def _with_tail(
    factors: FloatArray,
    has_risk: npt.NDArray[np.bool_],
    last_data_month: int,
    tail_factors: FloatArray,
    scale: FloatArray | None,
) -> FloatArray:
    """Splice the tail's factors into ``factors`` (B, H+1), in place.

    Up to ``last_data_month`` a replicate keeps its own factor where it has customers
    at risk; elsewhere the factor is the tail's, to the power ``scale`` (B,) when given.
    """
    cut = last_data_month + 1
    beyond = tail_factors[None, cut:]
    factors[:, cut:] = beyond if scale is None else beyond ** scale[:, None]
    if not has_risk[:, :cut].all():  # a replicate has nobody left at risk before that
        within = tail_factors[None, :cut]
        within = within if scale is None else within ** scale[:, None]
        factors[:, :cut] = np.where(has_risk[:, :cut], factors[:, :cut], within)
    return factors


def replicate_retention(
    table: LifeTable,
    counts: IntArray,
    *,
    horizon_months: int,
    tail: ChurnCurves | None = None,
    groups: Sequence[GroupKey] | None = None,
    rescale_tail: bool = True,
) -> FloatArray:
    """Monthly retention ``S(t) / S(t-1)`` of resampled life tables (Kaplan–Meier factors).

    Month ``t``'s factor is ``1 - d_t / n_t`` from the replicate's counts. Where the
    replicate has nobody at risk, or beyond ``tail.observed_months``, it comes from
    the ``tail`` curves' factor ``S_tail(t) / S_tail(t-1)``: each replicate follows its
    own data, then the point estimate's tail. With ``rescale_tail`` (default) the tail's
    hazard *level* is re-estimated cheaply in every replicate — its factor is raised to
    the power ``theta_b``, the replicate's churn events per month of exposure over the
    data's (a proportional change of the tail's cumulative hazard, exact refitting for
    a constant-hazard tail) — while the tail's *shape* stays the point estimate's, so
    the uncertainty of the shape itself is not included. Without ``tail`` the factor is
    1 there (the curve stays flat). Working with factors keeps conditional survival
    ``S(a + t) / S(a)`` defined even where a replicate's curve has dropped to 0.

    Parameters
    ----------
    table : LifeTable
        The life table the counts were resampled from.
    counts : ndarray of int, shape (B, K)
        Customers per cell per replicate, from :func:`resample_life_table` (or the
        table's own counts, ``table.frame["customers"].to_numpy()[None, :]``).
    horizon_months : int
        Last month of the grid; factors cover months ``0..horizon_months``.
    tail : ChurnCurves, optional
        Point-estimate curves (e.g. Kaplan–Meier extended by a parametric tail), same
        group columns as ``table``, on a grid reaching ``horizon_months``.
    groups : sequence of tuple of str, optional
        Order of the group axis; ``tail.groups`` when ``tail`` is given, else
        :func:`life_table_groups`.
    rescale_tail : bool, default True
        Re-estimate the tail's hazard level per replicate (see above); ``False`` keeps
        the point estimate's tail factors as they are.

    Returns
    -------
    ndarray of float64, shape (B, G, horizon_months + 1)
        Retention factors (fractions 0–1); month 0's factor is 1.

    Raises
    ------
    CxDataError
        Without ``tail``, when ``horizon_months`` lies beyond a group's longest tenure
        (Kaplan–Meier alone cannot reach there); with ``tail``, when its grid is shorter
        than ``horizon_months``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cx_economics.tables.life import LifeTable
    >>> cells = pd.DataFrame({"band": ["promoter"] * 2, "duration": [1, 2],
    ...                       "churned": [True, False], "customers": [1, 3],
    ...                       "revenue_sum": 0.0, "revenue_sq_sum": 0.0})
    >>> table = LifeTable(cells, ("band",), "latest", None, False)
    >>> own = table.frame["customers"].to_numpy()[None, :]
    >>> replicate_retention(table, own, horizon_months=2)[0, 0].tolist()
    [1.0, 0.75, 1.0]
    """
    frame = _check_table(table)
    counts = _check_counts(frame, counts)
    if isinstance(horizon_months, bool) or not isinstance(horizon_months, int | np.integer):
        raise CxDataError(f"`horizon_months` must be an integer, got {horizon_months!r}")
    if horizon_months < 1:
        raise CxDataError(f"`horizon_months` must be at least 1, got {horizon_months}")
    horizon_months = int(horizon_months)
    order, rows = _group_rows(table, groups or (tail.groups if tail is not None else None))
    duration = frame["duration"].to_numpy(np.int64)
    churned = frame["churned"].to_numpy(bool)
    entry = table.entry_months
    tail_rows = _tail_rows(tail, table, order, horizon_months) if tail is not None else None
    own_counts = frame["customers"].to_numpy(np.int64)
    out = np.empty((counts.shape[0], len(order), horizon_months + 1))
    for g, cells in enumerate(rows):
        group_counts = counts[:, _cell_index(cells)]
        factors, has_risk = _km_factors(
            group_counts, duration[cells], churned[cells], horizon_months, entry[cells]
        )
        if tail is not None and tail_rows is not None:
            observed = float(tail.observed_months[tail.index_of(*order[g])])
            scale = (
                _hazard_scale(
                    group_counts, own_counts[cells], duration[cells], churned[cells], entry[cells]
                )
                if rescale_tail
                else None
            )
            factors = _with_tail(
                factors,
                has_risk,
                _last_data_month(observed, horizon_months),
                _tail_factors(tail_rows[g]),
                scale,
            )
        else:
            _require_data_reach(order[g], int(duration[cells].max()), horizon_months)
        out[:, g, :] = factors
    return out


def replicate_survival(
    table: LifeTable,
    counts: IntArray,
    *,
    horizon_months: int,
    tail: ChurnCurves | None = None,
    groups: Sequence[GroupKey] | None = None,
    rescale_tail: bool = True,
) -> FloatArray:
    """Kaplan–Meier curves of resampled life tables, vectorised over replicates.

    ``S(t) = prod_{s <= t} 1 - d_s / n_s`` from each replicate's counts: the
    cumulative product of :func:`replicate_retention`. With ``tail``, each replicate
    follows its own Kaplan–Meier curve up to its anchor month ``a = min(last month
    with customers at risk, tail.observed_months)`` and beyond it
    ``S_b(a) * (S_tail(t) / S_tail(a)) ** theta_b`` (``theta_b = 1`` without
    ``rescale_tail``); the tail shape's own uncertainty is not included. Without
    ``tail``, a replicate whose data stop early stays flat.

    Parameters
    ----------
    table : LifeTable
        The life table the counts were resampled from.
    counts : ndarray of int, shape (B, K)
        Customers per cell per replicate (see :func:`replicate_retention`).
    horizon_months : int
        Last month of the grid; curves cover months ``0..horizon_months``.
    tail : ChurnCurves, optional
        Point-estimate curves whose conditional shape extends each replicate.
    groups : sequence of tuple of str, optional
        Order of the group axis; ``tail.groups`` when ``tail`` is given, else
        :func:`life_table_groups`.
    rescale_tail : bool, default True
        Re-estimate the tail's hazard level per replicate.

    Returns
    -------
    ndarray of float64, shape (B, G, horizon_months + 1)
        Survival probabilities (fractions 0–1) on months ``0..horizon_months``.

    Raises
    ------
    CxDataError
        As :func:`replicate_retention`.

    Examples
    --------
    >>> import pandas as pd
    >>> from cx_economics.tables.life import LifeTable
    >>> cells = pd.DataFrame({"band": ["promoter"] * 2, "duration": [1, 2],
    ...                       "churned": [True, False], "customers": [1, 3],
    ...                       "revenue_sum": 0.0, "revenue_sq_sum": 0.0})
    >>> table = LifeTable(cells, ("band",), "latest", None, False)
    >>> own = table.frame["customers"].to_numpy()[None, :]
    >>> replicate_survival(table, own, horizon_months=2)[0, 0].tolist()
    [1.0, 0.75, 0.75]
    """
    factors = replicate_retention(
        table,
        counts,
        horizon_months=horizon_months,
        tail=tail,
        groups=groups,
        rescale_tail=rescale_tail,
    )
    return _cumulative_product(factors)


def _cumulative_product(factors: FloatArray) -> FloatArray:
    """``np.cumprod(factors, axis=-1)``, in place: the same products in the same order.

    numpy's accumulate pays a fixed cost per curve along the short month axis; with many
    curves, multiplying month by month over all of them at once is several times faster.
    """
    curves = factors.size // max(factors.shape[-1], 1)
    if curves < _MANY_CURVES:
        survival: FloatArray = np.cumprod(factors, axis=-1, out=factors)
        return survival
    for month in range(1, factors.shape[-1]):
        factors[..., month] *= factors[..., month - 1]
    return factors


def _require_data_reach(key: GroupKey, longest: int, horizon_months: int) -> None:
    if horizon_months > longest:
        raise CxDataError(
            f"`horizon_months`={horizon_months} lies beyond the longest tenure of group "
            f"{'/'.join(key)} ({longest} months): Kaplan–Meier cannot reach there. Pass "
            "`tail=` curves that extrapolate (e.g. from fit_churn) or shorten the horizon"
        )


def replicate_mean_revenue(
    table: LifeTable,
    counts: IntArray,
    *,
    seed: int | np.random.Generator,
    groups: Sequence[GroupKey] | None = None,
) -> FloatArray:
    """Mean monthly revenue per customer of resampled life tables, per group.

    The ``n*`` customers a replicate draws from a cell bring a revenue total of mean
    ``n* * mean_cell`` and variance ``n* * var_cell`` (cell mean and variance from
    ``revenue_sum`` / ``revenue_sq_sum``), normally distributed; so the group's total,
    the sum of its cells' independent totals, is drawn from the normal with the summed
    moments (one draw per group and replicate). The replicate's revenue thus matches
    its survival counts (same customers).

    Parameters
    ----------
    table : LifeTable
        Life table with ``revenue_sum`` and ``revenue_sq_sum`` (``has_revenue``).
    counts : ndarray of int, shape (B, K)
        Resampled customers per cell, from :func:`resample_life_table`.
    seed : int or numpy.random.Generator
        Randomness of the within-cell draws.
    groups : sequence of tuple of str, optional
        Order of the group axis (default :func:`life_table_groups`).

    Returns
    -------
    ndarray of float64, shape (B, G)
        Mean revenue per customer per month (currency per month).

    Raises
    ------
    CxDataError
        When the table carries no revenue.

    Examples
    --------
    >>> import pandas as pd
    >>> from cx_economics.tables.life import LifeTable
    >>> cells = pd.DataFrame({"band": ["promoter"] * 2, "duration": [1, 2],
    ...                       "churned": [True, False], "customers": [1, 3],
    ...                       "revenue_sum": [40.0, 120.0], "revenue_sq_sum": [1600.0, 4800.0]})
    >>> table = LifeTable(cells, ("band",), "latest", None, True)
    >>> replicate_mean_revenue(table, resample_life_table(table, n_replicates=2, seed=0),
    ...                        seed=0).tolist()
    [[40.0], [40.0]]
    """
    frame = _check_table(table)
    counts = _check_counts(frame, counts)
    if not table.has_revenue:
        raise CxDataError("`table` carries no revenue (`has_revenue` is False)")
    rng = rng_from_seed(seed)
    order, rows = _group_rows(table, groups)
    n_cell = frame["customers"].to_numpy(np.float64)
    safe_n = np.where(n_cell > 0, n_cell, 1.0)
    mean = frame["revenue_sum"].to_numpy(np.float64) / safe_n
    var = np.maximum(frame["revenue_sq_sum"].to_numpy(np.float64) / safe_n - mean**2, 0.0)
    var *= np.where(n_cell > 1, n_cell / np.maximum(n_cell - 1, 1.0), 0.0)
    noise = rng.standard_normal((counts.shape[0], len(order)))
    out = np.empty((counts.shape[0], len(order)))
    for g, cells in enumerate(rows):
        drawn = counts[:, _cell_index(cells)].astype(np.float64)
        expected = np.einsum("bk,k->b", drawn, mean[cells])  # no BLAS threads for a small sum
        spread = np.einsum("bk,k->b", drawn, var[cells])
        n_group = drawn.sum(axis=1)
        totals = expected + np.sqrt(spread) * noise[:, g]
        out[:, g] = totals / np.where(n_group > 0, n_group, np.nan)
    return out


def bootstrap_survival(
    table: LifeTable,
    *,
    n_replicates: int = 1000,
    horizon_months: int,
    seed: int | np.random.Generator,
    tail: ChurnCurves | None = None,
    groups: Sequence[GroupKey] | None = None,
    rescale_tail: bool = True,
) -> FloatArray:
    """Bootstrap Kaplan–Meier survival per group by resampling life-table cells.

    Each replicate resamples every group's customers with replacement (a multinomial
    over the group's cells) and recomputes Kaplan–Meier from the counts, for all
    replicates at once. Percentiles over the replicate axis give intervals on any
    function of the curves (lifetime value, customer equity).

    Parameters
    ----------
    table : LifeTable
        Cells of (group…, duration, churned) with ``customers`` counts.
    n_replicates : int, default 1000
        Bootstrap replicates ``B``.
    horizon_months : int
        Last month of the grid (months).
    seed : int or numpy.random.Generator
        Randomness; the same seed gives bit-identical replicates.
    tail : ChurnCurves, optional
        Point-estimate curves whose conditional survival extends every replicate past
        its data (see :func:`replicate_retention`: the tail's hazard level is
        re-estimated per replicate, its shape's own uncertainty is not included).
    groups : sequence of tuple of str, optional
        Order of the group axis; ``tail.groups`` when ``tail`` is given, else
        :func:`life_table_groups`.
    rescale_tail : bool, default True
        Re-estimate the tail's hazard level per replicate.

    Returns
    -------
    ndarray of float64, shape (B, G, horizon_months + 1)
        Survival probabilities (fractions) on months ``0..horizon_months``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cx_economics.tables.life import LifeTable
    >>> cells = pd.DataFrame({"band": ["detractor"] * 3, "duration": [1, 2, 3],
    ...                       "churned": [True, True, False], "customers": [20, 10, 70],
    ...                       "revenue_sum": 0.0, "revenue_sq_sum": 0.0})
    >>> table = LifeTable(cells, ("band",), "latest", None, False)
    >>> draws = bootstrap_survival(table, n_replicates=200, horizon_months=3, seed=5)
    >>> draws.shape
    (200, 1, 4)
    >>> bool(abs(draws[:, 0, 3].mean() - 0.7) < 0.02)
    True
    """
    counts = resample_life_table(table, n_replicates=n_replicates, seed=seed)
    return replicate_survival(
        table,
        counts,
        horizon_months=horizon_months,
        tail=tail,
        groups=groups,
        rescale_tail=rescale_tail,
    )
