"""Aggregation of raw rows into sufficient statistics: the life table.

Building a :class:`LifeTable` is the only pass over raw customer rows; every churn
model, lifetime value and bootstrap downstream works on the (small) life table.

:func:`life_table` joins each customer's NPS band onto the customers and counts them
by (group…, duration, churned). The join and the group-by are written once against
`narwhals <https://narwhals-dev.github.io/narwhals/>`_, so a pandas frame, a polars
(lazy) frame or any other engine narwhals wraps runs the heavy work in its own
engine; only the small table comes back as pandas.

Conventions (shared with :mod:`cx_economics.survival`)
-----------------------------------------------------
* A churner's ``duration`` is the month they left in, ``ceil(tenure_months)``, at
  least 1 (a churner with tenure 0 left during month 1). An active customer's
  ``duration`` is the number of months completed, ``floor(tenure_months)``. Tenures
  are rounded to 6 decimals first, so ``2.9999999`` months from date arithmetic
  counts as 3.
* The risk set of month ``t ≥ 1`` is every customer with ``duration ≥ t``; the
  churners of month ``t`` are those with ``duration == t``. So
  ``S(t) = prod_{s ≤ t} (1 - churned_s / at_risk_s)`` and ``S(0) = 1``.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import narwhals as nw
import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.bands import BAND_ORDER, DEFAULT_SCHEME, BandScheme, NpsBand
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.core.results import Result
from cx_economics.data.consistency import DAYS_PER_MONTH
from cx_economics.data.engines import count_true, seconds_between
from cx_economics.tables._engine_checks import (
    Lazy,
    _check_key_types,
    _customer_frame,
    _drop_answers_after_churn,
    _response_frame,
    _warn_orphans,
)

__all__ = [
    "BAND_RULES",
    "GROUP_COLUMNS",
    "MAX_GROUPS",
    "RESERVED_COLUMNS",
    "LifeTable",
    "RiskSets",
    "life_table",
]

IntArray = npt.NDArray[np.int64]
GroupKey = tuple[str, ...]
BandRule = Literal["state", "latest", "mean", "first"]

#: How a customer's band is chosen from their responses.
BAND_RULES: tuple[str, ...] = ("state", "latest", "mean", "first")
#: Columns a life table may be grouped by (``band`` plus customers' columns).
GROUP_COLUMNS: tuple[str, ...] = ("band", "channel", "segment", "team")
#: Columns the life table itself uses, which ``by`` cannot name as a covariate.
RESERVED_COLUMNS: tuple[str, ...] = (
    "customer_id", "tenure_months", "churned", "start_date", "end_date", "monthly_revenue",
    "duration", "entry", "moved", "customers", "revenue_sum", "revenue_sq_sum",
)  # fmt: skip
#: Most distinct groups (combinations of the ``by`` columns) a life table may have: more
#: leaves too few customers per group for stable curves and ratios.
MAX_GROUPS = 2_000

_CELL_COLUMNS = ("duration", "churned", "customers")
#: Cell columns with a default for tables built by hand: entry month 0, not moved on.
_OPTIONAL_CELL_COLUMNS = {"entry": 0, "moved": False}
_BAND_RANK = {**{b.value: i for i, b in enumerate(BAND_ORDER)}, NpsBand.UNRATED.value: 3}
# band code -1 (no usable response), 0, 1, 2 -> name; index with code + 1
_BAND_NAMES = np.array([NpsBand.UNRATED.value, *(b.value for b in BAND_ORDER)], dtype=object)
_TENURE_DECIMALS = 6
_SECONDS_PER_MONTH = DAYS_PER_MONTH * 86_400.0


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class RiskSets(Result):
    """Customers at risk, churned and censored per group and month, as arrays.

    Attributes
    ----------
    group_columns : tuple of str
        What a group is made of.
    groups : tuple of tuple of str
        One key per group, in the library's order (bands worst to best, then
        ``unrated``, then other values sorted).
    at_risk, churned, censored, entered : ndarray of int64, shape (G, T + 1)
        Column ``t`` is month ``t`` (0…T, T the longest duration in the table):
        customers at risk in month ``t`` (entered before ``t``, last month ``≥ t``;
        at ``t = 0`` those present from the start), churners of month ``t`` (0 at
        ``t = 0``), customers whose state ended at month ``t`` without churn (active at
        the cut-off, or moved to another band) and customers who entered the group at
        month ``t`` (at risk from month ``t + 1``).

    Examples
    --------
    >>> cells = pd.DataFrame({"band": ["promoter"] * 2, "duration": [1, 2],
    ...                       "churned": [True, False], "customers": [3, 7]})
    >>> sets = LifeTable(cells, ("band",), "latest", None, False).risk_sets()
    >>> sets.at_risk.tolist(), sets.churned.tolist()
    ([[10, 10, 7]], [[0, 3, 0]])
    """

    group_columns: tuple[str, ...]
    groups: tuple[GroupKey, ...]
    at_risk: IntArray
    churned: IntArray
    censored: IntArray
    entered: IntArray

    _title = "Risk sets"

    @property
    def months(self) -> IntArray:
        """The month grid ``0, 1, …, T``."""
        return np.arange(self.at_risk.shape[1], dtype=np.int64)

    @property
    def observed_months(self) -> IntArray:
        """Longest duration observed per group (months)."""
        has = self.at_risk > 0
        last = has.shape[1] - 1 - np.argmax(has[:, ::-1], axis=1)
        return np.where(has.any(axis=1), last, 0).astype(np.int64)

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: per group and month (while anyone is at risk) the three counts."""
        g, t = np.nonzero(self.at_risk > 0)
        frame = _key_frame(self.groups, self.group_columns, g)
        frame["month"] = t
        frame["at_risk"] = self.at_risk[g, t]
        frame["churned"] = self.churned[g, t]
        frame["censored"] = self.censored[g, t]
        frame["entered"] = self.entered[g, t]
        return frame


@dataclass(frozen=True, eq=False)
class LifeTable(Result):
    """Counts of customers by (group…, duration, churned): the survival sufficient statistic.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per cell with columns ``*group_columns``, ``duration`` (int, whole
        months: the month of churn for churners, i.e. ``ceil(tenure_months)``; months
        completed for active customers, i.e. ``floor(tenure_months)``), ``churned``
        (bool), ``customers`` (int count), ``revenue_sum`` and ``revenue_sq_sum``
        (sum and sum of squares of ``monthly_revenue`` over the cell's customers,
        currency per month; 0 when the data carry no revenue).
    group_columns : tuple of str
        ``("band",)`` by default; ``("band", "channel")`` etc. when asked. Band values
        are ``"detractor"``, ``"passive"``, ``"promoter"`` and ``"unrated"`` (customers
        with no usable response: kept, never dropped).
    band_rule : str
        How a customer's band was chosen from their responses (``"latest"``,
        ``"mean"``, ``"first"``).
    as_of : pandas.Timestamp or None
        Observation cut-off; responses after it are ignored.
    has_revenue : bool
        Whether ``revenue_sum`` holds real data.

    Examples
    --------
    Made by :func:`life_table`. Customer 5 never answered and stays ``"unrated"``;
    customers 2 and 4 share a cell (promoters, 7 months completed, active):

    >>> customers = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5], "channel": ["web"] * 5,
    ...                           "tenure_months": [2.5, 7.0, 4.2, 7.9, 1.0],
    ...                           "churned": [True, False, False, False, True],
    ...                           "monthly_revenue": [30.0, 45.0, 50.0, 40.0, 20.0]})
    >>> responses = pd.DataFrame({"customer_id": [1, 2, 3, 4], "channel": ["web"] * 4,
    ...                           "response_date": ["2025-01-05", "2025-02-01",
    ...                                             "2025-03-01", "2025-03-02"],
    ...                           "score": [3, 9, 10, 9]})
    >>> table = life_table(customers, responses)
    >>> table.groups
    (('detractor',), ('promoter',), ('unrated',))
    >>> table.n_customers, table.n_churned, table.has_revenue, str(table.as_of.date())
    (5, 2, True, '2025-03-02')
    >>> cells = table.frame[["band", "duration", "churned", "customers", "revenue_sum"]]
    >>> print(cells.to_string(index=False))
         band  duration  churned  customers  revenue_sum
    detractor         3     True          1         30.0
     promoter         4    False          1         50.0
     promoter         7    False          2         85.0
      unrated         1     True          1         20.0
    """

    frame: pd.DataFrame
    group_columns: tuple[str, ...]
    band_rule: str
    as_of: pd.Timestamp | None
    has_revenue: bool

    _title = "Life table"

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the cells."""
        return self.frame.copy()

    @property
    def n_customers(self) -> int:
        """Customers counted in the table (each once: the states that did not move on)."""
        return int(self.frame["customers"].to_numpy(np.int64)[~self.moved_on].sum())

    @property
    def n_churned(self) -> int:
        """Churn events counted in the table."""
        cells = self._cells()
        return int(cells.loc[cells["churned"].to_numpy(bool), "customers"].sum())

    @property
    def groups(self) -> tuple[GroupKey, ...]:
        """Group keys in the library's order (bands worst to best, ``unrated`` last)."""
        return self._group_codes()[0]

    def _cells(self) -> pd.DataFrame:
        """The frame, checked: needed columns present, counts and durations whole ≥ 0."""
        frame = self.frame
        needed = [*self.group_columns, *_CELL_COLUMNS]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise CxDataError(
                f"`table.frame` lacks column(s) {missing}; its columns are "
                f"{list(map(str, frame.columns))}"
            )
        counts = frame["customers"].to_numpy(np.float64)
        duration = frame["duration"].to_numpy(np.float64)
        bad = ~(np.isfinite(counts) & np.isfinite(duration))
        bad |= (counts < 0) | (duration < 0) | (duration != np.floor(duration))
        bad |= counts != np.floor(counts)
        if bad.any():
            rows = list(frame.index[np.flatnonzero(bad)[:3]])
            raise CxDataError(
                "`table.frame`: `customers` must be whole counts ≥ 0 and `duration` whole "
                f"months ≥ 0; {int(bad.sum())} cells are not (e.g. rows {rows})"
            )
        return frame

    def _group_codes(self) -> tuple[tuple[GroupKey, ...], IntArray]:
        """Group keys in library order and, per cell, the index of its group."""
        frame = self._cells()
        if not self.group_columns:
            return ((),), np.zeros(len(frame), dtype=np.int64)
        keys = frame[list(self.group_columns)].astype(str)
        unique = {tuple(row) for row in keys.drop_duplicates().itertuples(index=False)}
        order = tuple(sorted(unique, key=lambda k: _sort_key(k, self.group_columns)))
        index = pd.MultiIndex.from_tuples(order, names=list(self.group_columns))
        codes = index.get_indexer(pd.MultiIndex.from_frame(keys))
        return order, codes.astype(np.int64)

    @property
    def entry_months(self) -> IntArray:
        """Per cell (in ``frame`` order) the month its customers entered the group.

        They are at risk from the month after it (delayed entry); 0 for every cell of a
        table built by hand without an ``entry`` column.
        """
        return self._entry_moved()[0]

    @property
    def moved_on(self) -> npt.NDArray[np.bool_]:
        """Per cell (in ``frame`` order) whether its state ended by a move to another band.

        The other cells are each customer's last state, so summing over them counts
        every customer once.
        """
        return self._entry_moved()[1]

    def _entry_moved(self) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        """Per cell the entry month and whether the state ended by a move to another band.

        Tables built by hand may omit both columns: every cell then enters at month 0
        and ends by churn or the cut-off.
        """
        frame = self.frame
        n = len(frame)
        entry = frame["entry"].to_numpy(np.int64) if "entry" in frame else np.zeros(n, np.int64)
        moved = frame["moved"].to_numpy(bool) if "moved" in frame else np.zeros(n, bool)
        return entry, moved

    def risk_sets(self) -> RiskSets:
        """At risk, churned, censored and entering per group and month, vectorised.

        A cell with entry month ``e`` and last month ``x`` (its ``duration``; a churner
        recorded at duration 0 leaves in month 1) is at risk in months ``e + 1 … x``:
        ``at_risk[t]`` counts the cells with ``e < t ≤ x`` (left truncation, delayed
        entry), and ``at_risk[0]`` those present from month 0.

        Returns
        -------
        RiskSets
            Arrays of shape (groups, longest duration + 1); column ``t`` is month ``t``.

        Raises
        ------
        CxDataError
            When a cell enters at or after its last month (churners) or after it
            (active customers).

        Examples
        --------
        >>> cells = pd.DataFrame({"band": ["promoter"] * 3, "duration": [1, 2, 2],
        ...                       "churned": [True, True, False], "customers": [2, 3, 5]})
        >>> risk = LifeTable(cells, ("band",), "latest", None, False).risk_sets()
        >>> risk.at_risk.tolist(), risk.churned.tolist(), risk.censored.tolist()
        ([[10, 10, 8]], [[0, 2, 3]], [[0, 0, 5]])

        Five customers who entered the band in month 1 are at risk from month 2 on:

        >>> late = cells.assign(entry=[0, 1, 1])
        >>> LifeTable(late, ("band",), "state", None, False).risk_sets().at_risk.tolist()
        [[2, 2, 8]]
        """
        groups, codes = self._group_codes()
        frame = self.frame
        churned = frame["churned"].to_numpy(bool)
        duration = frame["duration"].to_numpy(np.int64)
        duration = np.where(churned, np.maximum(duration, 1), duration)
        entry, _ = self._entry_moved()
        bad = (entry < 0) | (entry > duration) | (churned & (entry >= duration))
        if bad.any():
            rows = list(frame.index[np.flatnonzero(bad)[:3]])
            raise CxDataError(
                "`table.frame`: `entry` must be a month ≥ 0 before a churner's `duration` "
                f"and not after an active customer's; {int(bad.sum())} cells are not "
                f"(e.g. rows {rows})"
            )
        counts = frame["customers"].to_numpy(np.float64)
        width = int(duration.max(initial=0)) + 1
        size = len(groups) * width

        def per_month(month: IntArray, mask: npt.NDArray[np.bool_]) -> IntArray:
            flat = codes[mask] * width + month[mask]
            summed = np.bincount(flat, counts[mask], minlength=size)
            return summed.reshape(len(groups), width).round().astype(np.int64)

        events = per_month(duration, churned)
        censored = per_month(duration, ~churned)
        entered = per_month(entry, np.ones(len(frame), bool))
        leaving_from = np.cumsum((events + censored)[:, ::-1], axis=1)[:, ::-1]
        entered_from = np.cumsum(entered[:, ::-1], axis=1)[:, ::-1]
        at_risk = leaving_from.copy()
        at_risk[:, 1:] -= entered_from[:, 1:]  # entered at t or later: not at risk in t
        at_risk[:, 0] = entered[:, 0]
        return RiskSets(self.group_columns, groups, at_risk, events, censored, entered)

    def risk_table(self) -> pd.DataFrame:
        """Tidy risk table: per group and month ``at_risk``, ``churned``, ``censored``.

        Examples
        --------
        >>> cells = pd.DataFrame({"band": ["passive"] * 2, "duration": [1, 3],
        ...                       "churned": [True, False], "customers": [1, 4]})
        >>> LifeTable(cells, ("band",), "latest", None, False).risk_table()["at_risk"].tolist()
        [5, 5, 4, 4]
        """
        return self.risk_sets().to_frame()

    def to_person_period(self) -> pd.DataFrame:
        """Person-month rows with frequency weights, for discrete-time hazard models.

        Each customer contributes one row per month at risk (``1…duration``), with
        ``churned`` true only in the month they left. Identical rows are merged and
        counted in ``weight``, so a model fitted with ``weight`` as frequency weights
        equals the same model fitted on the unmerged rows.

        Returns
        -------
        pandas.DataFrame
            Columns ``*group_columns``, ``month`` (1, 2, … months), ``churned`` (bool)
            and ``weight`` (customers, int > 0).

        Examples
        --------
        >>> cells = pd.DataFrame({"band": ["promoter"] * 2, "duration": [2, 2],
        ...                       "churned": [True, False], "customers": [1, 3]})
        >>> pp = LifeTable(cells, ("band",), "latest", None, False).to_person_period()
        >>> pp[["month", "churned", "weight"]].values.tolist()
        [[1, False, 4], [2, False, 3], [2, True, 1]]
        """
        risk = self.risk_sets()
        survivors = (risk.at_risk - risk.churned)[:, 1:]
        weight = np.stack([survivors, risk.churned[:, 1:]], axis=2)  # (G, T, 2)
        g, t, e = np.nonzero(weight > 0)
        frame = _key_frame(risk.groups, risk.group_columns, g)
        frame["month"] = t + 1
        frame["churned"] = e.astype(bool)
        frame["weight"] = weight[g, t, e]
        return frame

    def expand(self) -> pd.DataFrame:
        """One row per band state (group columns, ``entry``, ``duration``, ``churned``).

        Each row is a customer's stay in one group, at risk in months ``entry + 1 …
        duration``: the (start, stop] rows of a counting-process (time-varying) survival
        model such as lifelines' ``CoxTimeVaryingFitter`` or statsmodels' ``PHReg``
        with ``entry=``.

        Examples
        --------
        >>> cells = pd.DataFrame({"band": ["promoter"], "duration": [4],
        ...                       "churned": [True], "customers": [2]})
        >>> LifeTable(cells, ("band",), "latest", None, False).expand()["duration"].tolist()
        [4, 4]
        """
        frame = self._cells()
        rows = np.repeat(np.arange(len(frame)), frame["customers"].to_numpy(np.int64))
        out = frame[list(self.group_columns)].iloc[rows].reset_index(drop=True)
        entry, _ = self._entry_moved()
        out["entry"] = entry[rows]
        out["duration"] = frame["duration"].to_numpy(np.int64)[rows]
        out["churned"] = frame["churned"].to_numpy(bool)[rows]
        return out

    def rated(self) -> LifeTable:
        """The same table without its ``unrated`` cells (months before a first answer).

        What band effects are priced and adjusted on: the unrated mix every latent
        band, so they are neither a band to price nor one to share a covariate term
        with.

        Examples
        --------
        >>> cells = pd.DataFrame({"band": ["promoter", "unrated"], "duration": [2, 3],
        ...                       "churned": [True, False], "customers": [4, 6]})
        >>> LifeTable(cells, ("band",), "latest", None, False).rated().n_customers
        4
        """
        if "band" not in self.group_columns:
            return self
        keep = (self.frame["band"].astype(str) != "unrated").to_numpy()
        return dataclasses.replace(self, frame=self.frame.loc[keep].reset_index(drop=True))

    def collapse(self, by: Sequence[str]) -> LifeTable:
        """Sum the cells over the group columns not in ``by``.

        Parameters
        ----------
        by : sequence of str
            A subset of ``group_columns`` (may be empty: one group of everyone).

        Returns
        -------
        LifeTable
            Same customers, grouped by ``by`` only.

        Examples
        --------
        >>> cells = pd.DataFrame({"band": ["promoter"] * 2, "channel": ["web", "chat"],
        ...                       "duration": [3, 3], "churned": [False] * 2,
        ...                       "customers": [2, 5], "revenue_sum": 0.0,
        ...                       "revenue_sq_sum": 0.0})
        >>> LifeTable(cells, ("band", "channel"), "latest", None, False).collapse(
        ...     ["band"]).frame["customers"].tolist()
        [7]
        """
        by = tuple(by)
        extra = [c for c in by if c not in self.group_columns]
        if extra or len(set(by)) != len(by):
            raise CxDataError(
                f"`by` must name distinct columns among the table's group columns "
                f"{list(self.group_columns)}; got {list(by)}"
            )
        frame = self._cells().copy()
        for column, default in {"revenue_sum": 0.0, "revenue_sq_sum": 0.0,
                                **_OPTIONAL_CELL_COLUMNS}.items():  # fmt: skip
            if column not in frame.columns:
                frame[column] = default
        keys = [*by, "entry", "duration", "churned", "moved"]
        sums = ["customers", "revenue_sum", "revenue_sq_sum"]
        summed = frame.groupby(keys, sort=False, as_index=False)[sums].sum()
        return LifeTable(
            _sorted_cells(summed, by), by, self.band_rule, self.as_of, self.has_revenue
        )


def _sort_key(key: GroupKey, group_columns: Sequence[str]) -> tuple[tuple[int, str], ...]:
    return tuple(
        (_BAND_RANK.get(v, len(_BAND_RANK)) if c == "band" else 0, v)
        for c, v in zip(group_columns, key, strict=True)
    )


def _key_frame(
    groups: Sequence[GroupKey], group_columns: Sequence[str], rows: IntArray
) -> pd.DataFrame:
    """Group-key columns for ``rows`` (indices into ``groups``)."""
    keys = np.array(groups, dtype=object).reshape(len(groups), len(group_columns))
    return pd.DataFrame(keys[rows], columns=list(group_columns))


def _sorted_cells(frame: pd.DataFrame, group_columns: Sequence[str]) -> pd.DataFrame:
    def rank(column: pd.Series) -> pd.Series:
        if column.name == "band":
            return column.map(_BAND_RANK).fillna(len(_BAND_RANK))
        return column

    order = [*group_columns, "duration", "churned"]
    order[len(group_columns) : len(group_columns)] = [c for c in ("entry",) if c in frame]
    order += [c for c in ("moved",) if c in frame]
    return frame.sort_values(order, key=rank, kind="stable", ignore_index=True)


# --------------------------------------------------------------------------- builder


def life_table(
    customers: Any,
    responses: Any = None,
    *,
    by: Sequence[str] | str = ("band",),
    band_rule: BandRule = "state",
    scheme: BandScheme = DEFAULT_SCHEME,
    as_of: str | pd.Timestamp | None = None,
    customer_columns: Mapping[str, str] | None = None,
    response_columns: Mapping[str, str] | None = None,
) -> LifeTable:
    """Count customers by NPS band (and channel, segment…), duration and churn.

    Parameters
    ----------
    customers : pandas.DataFrame, Customers, or a polars / other narwhals-supported frame
        One row per customer (see :mod:`cx_economics.data.schemas`). pandas frames are
        validated by :func:`~cx_economics.data.schemas.validate_customers`; other engines must
        already carry ``tenure_months`` (months ≥ 0) and ``churned`` (bool or 0/1),
        and are checked, aggregated and filtered inside their own engine.
    responses : pandas.DataFrame, Responses, or another narwhals-supported frame, optional
        Survey answers (``customer_id``, ``response_date``, ``score``). Without them
        every customer is ``"unrated"`` (a :class:`CxAssumptionWarning` says so).
    by : sequence of str, default ("band",)
        Group columns: ``"band"`` and categorical columns of the customers —
        ``"channel"``, ``"segment"``, ``"team"`` or any column of their own (a plan,
        a region; read as text, never missing), e.g. to adjust churn for them. At most
        :data:`MAX_GROUPS` groups. ``()`` gives one group.
    band_rule : {"state", "latest", "mean", "first"}, default "state"
        ``"state"``: the band is a state over time — ``"unrated"`` until the first
        usable answer, then that answer's band (from the answer's own
        tenure month) until an answer in another band, churn or the cut-off; each state
        is a cell with its ``entry`` month (delayed entry), so no band is credited with
        months its customers were bound to survive. Needs ``start_date`` (or
        ``end_date``) on the customers; without them ``"latest"`` is used with a
        warning. ``"latest"``, ``"mean"``, ``"first"``: one band for the whole tenure
        from the latest date's answers, all of them, or the first date's (the
        join-date analysis, kept as a sensitivity check: biased upward when answers
        come only from the living; see the concepts page). Several answers on the
        chosen date are averaged. The band is that of the mean score compared with the
        scheme's integer cut-offs, i.e. the mean rounded *down*: scores 8 and 9 (mean
        8.5) make a passive, 6 and 7 (6.5) a detractor.
    scheme : BandScheme
        Score scale and band cut-offs (0–6 / 7–8 / 9–10 by default).
    as_of : date-like, optional
        Cut-off: responses dated after it are ignored. Defaults to the customers'
        cut-off (``Customers.as_of``, the latest start/end date), else the latest
        response date. Responses dropped by a default cut-off are counted in a warning.
    customer_columns, response_columns : mapping, optional
        Canonical name → your column name, for columns named differently.

    Returns
    -------
    LifeTable
        One row per (group…, duration, churned) cell with ``customers`` (count) and
        ``revenue_sum`` / ``revenue_sq_sum`` (currency per month), sorted with bands
        worst to best and ``unrated`` last. Customers without a usable response are
        kept as ``"unrated"``.

    Raises
    ------
    CxDataError
        Bad input (named column, problem, row count, examples), an unknown ``by`` or
        ``band_rule``, or ``customer_id`` types that differ between the two tables.

    Warns
    -----
    CxAssumptionWarning
        Responses whose ``customer_id`` is not among the customers (with the count);
        responses after a default cut-off; no responses at all.

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"customer_id": [1, 2, 3], "channel": ["web"] * 3,
    ...                           "tenure_months": [2.5, 7.0, 4.2],
    ...                           "churned": [True, False, False]})
    >>> responses = pd.DataFrame({"customer_id": [1, 2, 2], "channel": ["web"] * 3,
    ...                           "response_date": ["2025-01-05", "2025-02-01", "2025-03-01"],
    ...                           "score": [3, 6, 10]})
    >>> table = life_table(customers, responses)
    >>> table.frame[["band", "duration", "churned", "customers"]].values.tolist()
    [['detractor', 3, True, 1], ['promoter', 7, False, 1], ['unrated', 4, False, 1]]
    """
    group_columns = _check_by(by)
    if band_rule not in BAND_RULES:
        raise CxDataError(f"`band_rule` must be one of {list(BAND_RULES)}, got {band_rule!r}")
    explicit_cutoff = as_of is not None
    cust, cutoff, has_revenue = _customer_frame(customers, customer_columns, as_of, group_columns)
    bands: Lazy | None = None
    states: Lazy | None = None
    if "band" in group_columns and responses is None:
        warnings.warn(
            "no `responses` given: every customer is 'unrated'",
            CxAssumptionWarning,
            stacklevel=2,
        )
    elif "band" in group_columns:
        resp, scheme = _response_frame(responses, response_columns, scheme)
        _check_key_types(cust, resp)
        cutoff = _resolve_cutoff(resp, cutoff, explicit=explicit_cutoff)
        _warn_orphans(cust, resp)
        anchor = _state_anchor(cust) if band_rule == "state" else None
        if band_rule == "state" and anchor is None:
            band_rule = "latest"
            warnings.warn(
                "`customers` carry neither `start_date` nor `end_date`, so answers cannot be "
                "placed on the customers' tenure: each customer's band is their latest "
                "answer's over their whole tenure (band_rule='latest'), which credits "
                "churners' bands with months before they answered; give the customers "
                "`start_date` for the band as a state over time",
                CxAssumptionWarning,
                stacklevel=2,
            )
        clock = cust
        cust, resp = _drop_answers_after_churn(cust, resp)
        if anchor is not None:
            states = _band_segments(clock, resp, cutoff, scheme, anchor)
        else:
            bands = _customer_bands(resp, cutoff, band_rule, scheme)
    drop = [c for c in ("start_date", "end_date") if c in cust.collect_schema().names()]
    cells = _finish(_aggregate(cust.drop(*drop), states, bands, group_columns, has_revenue),
                    group_columns)  # fmt: skip
    _check_group_count(cells, group_columns)
    return LifeTable(cells, group_columns, band_rule, cutoff, has_revenue)


def _check_by(by: Sequence[str] | str) -> tuple[str, ...]:
    columns = (by,) if isinstance(by, str) else tuple(by)
    reserved = [c for c in columns if c in RESERVED_COLUMNS or not isinstance(c, str) or not c]
    if reserved or len(set(columns)) != len(columns):
        raise CxDataError(
            f"`by` must name distinct group columns: 'band' and categorical columns of the "
            f"customers such as {list(GROUP_COLUMNS[1:])} or a plan or region of your own, "
            f"not the table's own {sorted(set(reserved) & set(RESERVED_COLUMNS))}; got "
            f"{list(columns)}"
        )
    return columns


def _check_group_count(frame: pd.DataFrame, group_columns: Sequence[str]) -> None:
    """Refuse a grouping with more than :data:`MAX_GROUPS` groups, naming the columns."""
    if not group_columns or frame.empty:
        return
    groups = len(frame[list(group_columns)].drop_duplicates())
    if groups > MAX_GROUPS:
        sizes = " × ".join(f"{c} {frame[c].nunique()}" for c in group_columns)
        raise CxDataError(
            f"`by`={list(group_columns)} makes {groups:,} groups ({sizes} values), more than "
            f"{MAX_GROUPS:,}: too few customers per group for stable curves; merge rare "
            "values of the columns with most of them, or group by fewer columns"
        )


# --------------------------------------------------------------------------- inputs


def _resolve_cutoff(
    responses: Lazy, cutoff: pd.Timestamp | None, *, explicit: bool
) -> pd.Timestamp:
    """The cut-off to apply; warns when a default one drops responses."""
    if cutoff is None:
        latest = responses.select(nw.col("response_date").max()).collect().item()
        return pd.Timestamp(latest)
    late = nw.col("response_date") > nw.lit(cutoff.to_pydatetime())
    count = int(responses.select(count_true(late)).collect().item())
    if count and not explicit:
        warnings.warn(
            f"{count} responses are dated after the cut-off {cutoff.date()} taken from the "
            "customers' dates and are ignored; pass `as_of=` to set the cut-off yourself",
            CxAssumptionWarning,
            stacklevel=3,
        )
    return cutoff


# --------------------------------------------------------------------------- band as a state


def _exit_month() -> nw.Expr:
    """A customer's last month in the table: the churn month, or the months completed."""
    tenure = nw.col("tenure_months").cast(nw.Float64).round(_TENURE_DECIMALS)
    return (
        nw.when(nw.col("churned"))
        .then(nw.max_horizontal(tenure.ceil(), nw.lit(1.0)))
        .otherwise(tenure.floor())
        .cast(nw.Int64)
    )


def _answer_month(anchor: str, cutoff: pd.Timestamp, frame: Lazy) -> nw.Expr:
    """Each answer's entry month on its customer's tenure clock: ``floor`` of its tenure.

    The tenure at the answer (months of 30.4375 days) comes from ``start_date`` when
    the customers carry it, else from the end of their observed tenure (``end_date``
    for churners, the cut-off for active customers) counted back. A customer who
    answers during tenure month ``k`` (tenure in ``[k - 1, k)``) is in the answer's band
    for month ``k`` and on: a churn later in the answer's month is the band's, and the
    band is credited with at most the part of one month before the answer. (Starting
    the band a month later instead leaves a band's first months to the few who
    answered on their first day: unbiased, but so noisy that one early churn moved a
    channel's value of a point by half in a probe.)
    """
    date = nw.col("response_date")
    if anchor == "start_date":
        months = seconds_between(frame, date, nw.col("start_date")) / _SECONDS_PER_MONTH
    else:
        end = (
            nw.when(nw.col("churned"))
            .then(nw.col("end_date"))
            .otherwise(nw.lit(cutoff.to_pydatetime()))
        )
        before_end = seconds_between(frame, end, date) / _SECONDS_PER_MONTH
        months = nw.col("tenure_months").cast(nw.Float64) - before_end
    return nw.max_horizontal(months.round(_TENURE_DECIMALS).floor(), nw.lit(0.0)).cast(nw.Int64)


def _state_anchor(customers: Lazy) -> str | None:
    """Which customer column places answers on the tenure clock, if any."""
    names = customers.collect_schema().names()
    if "start_date" in names:
        return "start_date"
    if "end_date" in names:
        return "end_date"
    churners = customers.select(count_true(nw.col("churned"))).collect().item()
    return "end_date" if int(churners) == 0 else None


def _band_segments(
    customers: Lazy, responses: Lazy, cutoff: pd.Timestamp, scheme: BandScheme, anchor: str
) -> Lazy:
    """Per customer, the band states over tenure: ``customer_id, entry, band_code, next``.

    Every customer starts ``"unrated"`` (code −1) at month 0; each month with an answer
    (the latest answer date of that month; several answers on that date averaged)
    starts the answer's band, unless it repeats the band already held. ``next`` is the
    entry month of the following state (null for the last one). Answers whose entry
    month is not before the customer's last month set no state.
    """
    if anchor == "end_date" and "end_date" not in customers.collect_schema().names():
        customers = customers.with_columns(nw.lit(None, nw.Datetime()).alias("end_date"))
    clock = customers.select(
        "customer_id", "tenure_months", "churned", anchor, _exit_month().alias("_exit")
    )
    answers = (
        responses.filter(nw.col("response_date") <= nw.lit(cutoff.to_pydatetime()))
        .join(clock, on="customer_id", how="inner")
        .with_columns(_answer_month(anchor, cutoff, responses).alias("entry"))
        .filter(nw.col("entry") < nw.col("_exit"))
    )
    date = nw.col("response_date")
    latest = answers.filter(date == date.max().over("customer_id", "entry")).with_columns(
        nw.col("score").cast(nw.Float64)
    )
    monthly = latest.group_by("customer_id", "entry").agg(nw.col("score").mean())
    code = (nw.col("score") >= scheme.passive_from).cast(nw.Int64) + (
        nw.col("score") >= scheme.promoter_from
    ).cast(nw.Int64)
    rated = monthly.select("customer_id", "entry", code.alias("band_code"))
    unrated = customers.select(
        "customer_id", nw.lit(0).cast(nw.Int64).alias("entry"),
        nw.lit(-1).cast(nw.Int64).alias("band_code"),
    )  # fmt: skip
    states = (
        nw.concat([rated, unrated], how="vertical")
        .group_by("customer_id", "entry")
        .agg(nw.col("band_code").max())  # an answer in month 0 replaces "unrated"
    )
    previous = nw.col("band_code").shift(1).over("customer_id", order_by="entry")
    changes = states.filter(previous.is_null() | (previous != nw.col("band_code")))
    following = nw.col("entry").shift(-1).over("customer_id", order_by="entry")
    return changes.with_columns(following.alias("next"))


# --------------------------------------------------------------------------- aggregation


def _customer_bands(
    responses: Lazy, cutoff: pd.Timestamp, band_rule: BandRule, scheme: BandScheme
) -> Lazy:
    """Per customer with a usable response: ``band_code`` 0 detractor, 1 passive, 2 promoter."""
    usable = responses.filter(
        nw.col("response_date") <= nw.lit(cutoff.to_pydatetime())
    ).with_columns(nw.col("score").cast(nw.Float64))
    if band_rule != "mean":
        date = nw.col("response_date")
        pick = date.max() if band_rule == "latest" else date.min()
        if usable.implementation.is_polars():
            # polars joins faster than it computes a window over millions of customers
            chosen = usable.group_by("customer_id").agg(pick)
            usable = usable.join(chosen, on=["customer_id", "response_date"], how="inner")
        else:
            # pandas, DuckDB, Spark: a window beats a two-key join (pandas 4× at 10 M)
            usable = usable.filter(date == pick.over("customer_id"))
    mean = usable.group_by("customer_id").agg(nw.col("score").mean())
    score = nw.col("score")
    code = (score >= scheme.passive_from).cast(nw.Int64) + (score >= scheme.promoter_from).cast(
        nw.Int64
    )
    return mean.select("customer_id", code.alias("band_code"))


def _aggregate(
    customers: Lazy,
    states: Lazy | None,
    bands: Lazy | None,
    group_columns: Sequence[str],
    has_revenue: bool,
) -> pd.DataFrame:
    """The join of band states onto customers and the group-by, in the frame's own engine.

    ``states`` (from :func:`_band_segments`) gives each customer one row per band state;
    ``bands`` (a join-date rule) one band for the whole tenure; with neither every
    customer is one ``"unrated"`` row from month 0 (or, without ``band`` in the
    groups, one row of their group).
    """
    frame = customers.with_columns(_exit_month().alias("_exit"))
    ends = nw.lit(True)
    entry: nw.Expr = nw.lit(0).cast(nw.Int64)
    duration = nw.col("_exit")
    if "band" in group_columns and states is not None:
        frame = frame.join(states, on="customer_id", how="left")
        ends = nw.col("next").is_null()
        entry = nw.col("entry").fill_null(0).cast(nw.Int64)
        duration = nw.col("next").fill_null(nw.col("_exit"))
    elif "band" in group_columns and bands is not None:
        frame = frame.join(bands, on="customer_id", how="left")
    if "band" in group_columns:
        frame = frame.with_columns(
            nw.col("band_code").fill_null(-1).cast(nw.Int64)
            if states is not None or bands is not None
            else nw.lit(-1).cast(nw.Int64).alias("band_code")
        )
    revenue = nw.col("monthly_revenue").cast(nw.Float64) if has_revenue else nw.lit(0.0)
    keys = ["band_code" if c == "band" else c for c in group_columns]
    cells = (
        frame.with_columns(
            entry.alias("entry"),
            duration.cast(nw.Int64).alias("duration"),
            (nw.col("churned") & ends).alias("churned"),
            (~ends).alias("moved"),
            revenue.alias("_rev"),
        )
        .with_columns((nw.col("_rev") * nw.col("_rev")).alias("_rev2"))
        .group_by(*keys, "entry", "duration", "churned", "moved")
        .agg(
            nw.len().alias("customers"),
            nw.col("_rev").sum().alias("revenue_sum"),
            nw.col("_rev2").sum().alias("revenue_sq_sum"),
        )
    )
    out: pd.DataFrame = cells.collect().to_pandas()
    return out


def _finish(cells: pd.DataFrame, group_columns: Sequence[str]) -> pd.DataFrame:
    """Name bands, fix dtypes and sort the collected cells."""
    out = pd.DataFrame(index=pd.RangeIndex(len(cells)))
    for column in group_columns:
        if column == "band":
            codes = cells["band_code"].to_numpy(np.int64)
            out["band"] = _BAND_NAMES[codes + 1]
        else:
            out[column] = cells[column].astype(str).to_numpy(dtype=object)
    out["entry"] = cells["entry"].to_numpy(np.int64)
    out["duration"] = cells["duration"].to_numpy(np.int64)
    out["churned"] = cells["churned"].to_numpy(bool)
    out["moved"] = cells["moved"].to_numpy(bool)
    out["customers"] = cells["customers"].to_numpy(np.int64)
    out["revenue_sum"] = cells["revenue_sum"].to_numpy(np.float64)
    out["revenue_sq_sum"] = cells["revenue_sq_sum"].to_numpy(np.float64)
    return _sorted_cells(out, group_columns)
