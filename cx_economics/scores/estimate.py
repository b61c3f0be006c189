"""NPS per group with its interval (Wald, adjusted Wald, bootstrap) and reliability flag.

The intervals and the reasons for the default are explained in :mod:`cx_economics.scores`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.bands import BandScheme
from cx_economics.core.exceptions import CxDataError
from cx_economics.core.intervals import percentile_interval
from cx_economics.core.parameters import check_n_bootstrap, rng_from_seed
from cx_economics.core.results import Estimate, Result
from cx_economics.data.schemas import Responses
from cx_economics.scores._shared import (
    AUTO_METHOD,
    _check_positive,
    _Interval,
    _resolve_method,
    _responses_for_margin,
    _trinomial,
    _z,
)
from cx_economics.tables.nps_counts import NpsCounts, Period, nps_counts

__all__ = [
    "ADJUSTED_PSEUDO_COUNTS",
    "AUTO_METHOD",
    "Method",
    "NpsEstimate",
    "NpsTable",
    "nps",
]

Method = Literal["auto", "wald", "adjusted_wald", "bootstrap"]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Pseudo-counts (detractor, passive, promoter) of the adjusted Wald interval (Rocks, 2016).
ADJUSTED_PSEUDO_COUNTS: tuple[float, float, float] = (0.75, 1.5, 0.75)

_BOOTSTRAP_CELLS_PER_CHUNK = 2_000_000

#: Per-group fields shared by NpsEstimate and NpsTable, in frame column order.
_PER_GROUP = (
    "n",
    "nps",
    "se",
    "lower",
    "upper",
    "reliable",
    "detractor_share",
    "passive_share",
    "promoter_share",
)


# --------------------------------------------------------------------------- checks


def _check_nonempty(counts: NpsCounts) -> None:
    empty = np.flatnonzero(counts.n == 0)
    if empty.size:
        shown = ", ".join(str(counts.groups[i]) for i in empty[:3])
        raise CxDataError(
            f"`data`: NPS needs at least one response per group; {empty.size} group(s) have "
            f"n = 0 (e.g. {shown}). Drop them or merge them into a larger group"
        )


def _worst_case_responses(margin: float, level: float = 0.95) -> int:
    """``sample_size_for_margin(margin, level=level)``: ± ``margin`` points whatever the mix."""
    return _responses_for_margin(_check_positive("margin", margin), _z(level))


# --------------------------------------------------------------------------- intervals


def _bootstrap(
    counts: npt.NDArray[np.float64], level: float, n_bootstrap: int, rng: np.random.Generator
) -> _Interval:
    """Percentile bootstrap of the NPS, vectorised over groups and replicates."""
    n = counts.sum(axis=-1).astype(np.int64)
    promoter = counts[:, 2] / n
    detractor_given_not_promoter = np.divide(
        counts[:, 0], n - counts[:, 2], out=np.zeros(n.size), where=(n - counts[:, 2]) > 0
    )
    chunk = max(1, _BOOTSTRAP_CELLS_PER_CHUNK // n_bootstrap)
    se, lower, upper = (np.empty(n.size) for _ in range(3))
    for start in range(0, n.size, chunk):
        rows = slice(start, start + chunk)
        size = (n[rows].size, n_bootstrap)
        promoters = rng.binomial(n[rows, None], promoter[rows, None], size=size)
        detractors = rng.binomial(
            n[rows, None] - promoters, np.clip(detractor_given_not_promoter[rows, None], 0, 1)
        )
        replicates = 100.0 * (promoters - detractors) / n[rows, None]
        se[rows] = replicates.std(axis=1, ddof=1)
        lower[rows], upper[rows] = percentile_interval(replicates, level, axis=1)
    return _Interval(se, lower, upper)


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return rng_from_seed(0 if seed is None else seed)


def _intervals(
    counts: NpsCounts,
    method: str,
    level: float,
    n_bootstrap: int,
    seed: int | np.random.Generator | None,
) -> _Interval:
    z = _z(level)
    stacked = np.column_stack([counts.detractors, counts.passives, counts.promoters]).astype(
        np.float64
    )
    if method == "wald":
        out = _trinomial(stacked, z)
    elif method == "adjusted_wald":
        out = _trinomial(stacked, z, ADJUSTED_PSEUDO_COUNTS)
    else:
        out = _bootstrap(stacked, float(level), check_n_bootstrap(n_bootstrap), _rng(seed))
    return _Interval(out.se, np.clip(out.lower, -100.0, 100.0), np.clip(out.upper, -100.0, 100.0))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class NpsEstimate(Result):
    """The NPS of one group with its interval and reliability flag.

    Attributes
    ----------
    nps : float
        Net Promoter Score, NPS points on −100..100 (from the raw counts, whatever
        the interval method).
    n : int
        Responses.
    detractor_share, passive_share, promoter_share : float
        Fractions of responses in each band (0..1, summing to 1).
    se : float
        Standard error, NPS points, of the estimator the interval is built on
        (trinomial; on adjusted counts for ``"adjusted_wald"``; spread of the
        replicates for ``"bootstrap"``).
    lower, upper : float
        Interval bounds, NPS points, clipped to [−100, 100].
    level : float
        Nominal coverage of the interval.
    method : str
        ``"wald"``, ``"adjusted_wald"`` or ``"bootstrap"`` (``"auto"`` resolved).
    reliable : bool
        Whether the interval's half-width is at most ``reliability_margin``. A
        zero-width interval (``"wald"`` or ``"bootstrap"`` when every answer is in one
        band) says nothing, so it is reliable only with at least
        ``sample_size_for_margin(reliability_margin)`` responses.
    reliability_margin : float
        Largest half-width (NPS points) a reliable figure may have.

    Examples
    --------
    >>> from cx_economics.tables import NpsCounts
    >>> estimate = nps(NpsCounts.from_counts(detractors=20, passives=30, promoters=50))
    >>> estimate.nps, estimate.n
    (30.0, 100)
    >>> bool(estimate.lower < 30.0 < estimate.upper)
    True
    """

    nps: float
    n: int
    detractor_share: float
    passive_share: float
    promoter_share: float
    se: float
    lower: float
    upper: float
    level: float
    method: str
    reliable: bool
    reliability_margin: float

    _title = "Net Promoter Score"

    @property
    def half_width(self) -> float:
        """Half the interval's width, NPS points."""
        return (self.upper - self.lower) / 2.0

    def as_estimate(self) -> Estimate:
        """Return the NPS and its interval as a plain :class:`Estimate` (NPS points)."""
        return Estimate(self.nps, self.lower, self.upper, self.level)

    def to_frame(self) -> pd.DataFrame:
        """Return one row: n, nps, se, lower, upper, reliable, shares, level, method."""
        return pd.DataFrame([{c: getattr(self, c) for c in (*_PER_GROUP, "level", "method")}])

    def _notes(self) -> list[str]:
        notes = [f"{self.level:.0%} interval, method {self.method}; NPS points on −100..100"]
        if not self.reliable:
            margin = self.reliability_margin
            notes.append(
                f"unreliable: half-width ±{self.half_width:.1f} exceeds ±{margin:g} points "
                f"(n = {self.n}); about {_worst_case_responses(margin)} responses give ±{margin:g}"
                " whatever the band mix"
            )
        return notes


@dataclass(frozen=True, eq=False)
class NpsTable(Result):
    """NPS per group (channel, team, employee, period…) with intervals and reliability.

    Attributes
    ----------
    group_columns : tuple of str
        Names of the key columns.
    groups : tuple of tuple of str
        One key per group, aligned with every array.
    n : numpy.ndarray of int64
        Responses per group.
    nps, se, lower, upper : numpy.ndarray of float64
        NPS, standard error and interval bounds per group, NPS points (see
        :class:`NpsEstimate`).
    detractor_share, passive_share, promoter_share : numpy.ndarray of float64
        Band fractions per group.
    reliable : numpy.ndarray of bool
        Half-width at most ``reliability_margin`` (see :class:`NpsEstimate`).
    level, method, reliability_margin
        As in :class:`NpsEstimate`.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5, 6],
    ...                         "response_date": ["2025-01-01"] * 6,
    ...                         "channel": ["web", "web", "web", "phone", "phone", "phone"],
    ...                         "score": [10, 9, 3, 8, 9, 2]})
    >>> table = nps(answers, by="channel")
    >>> [group[0] for group in table.groups], table.nps.round(1).tolist()
    (['phone', 'web'], [0.0, 33.3])
    >>> table.reliable.tolist()  # three answers each: far too few to rank
    [False, False]
    """

    group_columns: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]
    n: npt.NDArray[np.int64]
    nps: FloatArray
    se: FloatArray
    lower: FloatArray
    upper: FloatArray
    detractor_share: FloatArray
    passive_share: FloatArray
    promoter_share: FloatArray
    reliable: BoolArray
    level: float
    method: str
    reliability_margin: float

    _title = "Net Promoter Score by group"

    def __len__(self) -> int:
        return len(self.groups)

    @property
    def half_width(self) -> FloatArray:
        """Half-width of each group's interval, NPS points."""
        out: FloatArray = (self.upper - self.lower) / 2.0
        return out

    def to_frame(self) -> pd.DataFrame:
        """Return one row per group: keys, n, nps, se, lower, upper, reliable, shares."""
        keys = pd.DataFrame(list(self.groups), columns=list(self.group_columns), dtype=object)
        values = pd.DataFrame({c: getattr(self, c) for c in _PER_GROUP})
        return pd.concat([keys, values], axis=1)

    def ranked(self) -> pd.DataFrame:
        """Rank reliable groups by NPS (best first); list unreliable ones last, unranked.

        Returns
        -------
        pandas.DataFrame
            The :meth:`to_frame` columns plus ``rank`` (1 = highest NPS among reliable
            groups; missing for unreliable ones) and ``status`` saying why a group is
            not ranked. Unreliable groups follow the ranked ones, largest ``n`` first.

        Examples
        --------
        >>> counts = NpsCounts.from_counts(detractors=[100, 1, 300], passives=[200, 1, 300],
        ...     promoters=[700, 3, 400], groups=["a", "b", "c"], group_columns=["team"])
        >>> ranking = nps(counts, by="team").ranked()
        >>> ranking["team"].tolist(), ranking["rank"].tolist()
        (['a', 'c', 'b'], [1, 2, <NA>])
        >>> ranking["status"].iloc[-1]
        'not ranked: ±54.8 > ±10 points (n = 5)'
        """
        frame = self.to_frame()
        frame["_order_nps"] = np.where(self.reliable, -self.nps, 0.0)
        frame["_order_n"] = np.where(self.reliable, 0, -self.n)
        frame = frame.sort_values(
            ["reliable", "_order_nps", "_order_n"], ascending=[False, True, True], kind="stable"
        ).drop(columns=["_order_nps", "_order_n"])
        k = int(self.reliable.sum())
        frame["rank"] = pd.array(list(range(1, k + 1)) + [None] * (len(frame) - k), dtype="Int64")
        half = (frame["upper"] - frame["lower"]) / 2.0
        frame["status"] = [
            "ranked"
            if ok
            else f"not ranked: ±{h:.1f} > ±{self.reliability_margin:g} points (n = {size})"
            for ok, h, size in zip(frame["reliable"], half, frame["n"], strict=True)
        ]
        return frame.reset_index(drop=True)

    def estimate(self, key: str | Sequence[str]) -> NpsEstimate:
        """Return one group's :class:`NpsEstimate` (``key`` as in ``groups``)."""
        wanted = (key,) if isinstance(key, str) else tuple(str(k) for k in key)
        if wanted not in self.groups:
            raise CxDataError(f"`key` {wanted} is not a group of this table")
        i = self.groups.index(wanted)
        values = {c: getattr(self, c)[i].item() for c in _PER_GROUP}
        return NpsEstimate(
            **values,
            level=self.level,
            method=self.method,
            reliability_margin=self.reliability_margin,
        )

    def _notes(self) -> list[str]:
        notes = [f"{self.level:.0%} intervals, method {self.method}; NPS points on −100..100"]
        unreliable = int((~self.reliable).sum())
        if unreliable:
            notes.append(
                f"{unreliable} of {len(self)} groups have intervals wider than "
                f"±{self.reliability_margin:g} points: flagged unreliable, not to be ranked"
            )
        return notes


# --------------------------------------------------------------------------- nps()


def _resolve_counts(
    data: NpsCounts | pd.DataFrame | Responses | Any,
    by: str | Sequence[str] | None,
    period: Period | None,
    scheme: BandScheme | None,
    columns: Mapping[str, str] | None,
) -> NpsCounts:
    if period is not None and by is None:
        raise CxDataError("`period` groups the result: pass by='period' (or by=['channel', ...])")
    if not isinstance(data, NpsCounts):
        counted = _scores_as_counts(data, by, scheme, columns)
        if isinstance(counted, NpsCounts):
            return counted
    if not isinstance(data, NpsCounts):
        return nps_counts(data, by=by or (), scheme=scheme, period=period, columns=columns)
    if period is not None or scheme is not None or columns is not None:
        raise CxDataError(
            "`period`, `scheme` and `columns` apply to raw responses; these NpsCounts are "
            "already counted (rebuild them with nps_counts(...))"
        )
    if by is not None:
        return data.collapse(by)
    if len(data) != 1:
        raise CxDataError(
            f"`data` holds {len(data)} groups ({', '.join(data.group_columns)}); pass "
            f"by={data.group_columns!r} for NPS per group, or data.total() for the overall NPS"
        )
    return data


def _scores_as_counts(
    data: Any,
    by: str | Sequence[str] | None,
    scheme: BandScheme | None,
    columns: Mapping[str, str] | None,
) -> Any:
    """Scores alone (a list, array or Series, or a frame of only ``score``) as counts.

    Anything else is returned unchanged. Scores must be whole numbers on the scheme's
    scale; the error names the positions of those that are not.
    """
    score = (columns or {}).get("score", "score")
    if isinstance(data, pd.DataFrame):
        if list(data.columns) != [score]:
            return data
        values = data[score].to_numpy()
    elif isinstance(data, pd.Series | np.ndarray | list | tuple):
        values = np.asarray(data, dtype=object)
    else:
        return data
    if by is not None:
        raise CxDataError(
            f"scores alone have no groups to split by {by!r}; pass the responses with "
            "their group columns"
        )
    if values.ndim != 1 or values.size == 0:
        raise CxDataError(f"`data`: scores must be a non-empty list, got shape {values.shape}")
    used = scheme or BandScheme()
    odd = [v for v in values[:1000] if isinstance(v, bool | np.bool_ | complex)]
    if odd:
        raise CxDataError(
            f"`data`: scores must be whole numbers {used.min_score}–{used.max_score}, not "
            f"{type(odd[0]).__name__} values such as {odd[0]!r}"
        )
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
    bad |= (numbers < used.min_score) | (numbers > used.max_score)
    if bad.any():
        where = np.flatnonzero(bad)
        raise CxDataError(
            f"`data`: scores must be whole numbers {used.min_score}–{used.max_score}; "
            f"{int(bad.sum())} are not (positions {where[:5].tolist()}, e.g. "
            f"{values[where[0]]!r})"
        )
    return NpsCounts.from_counts(
        detractors=int((numbers < used.passive_from).sum()),
        passives=int(((numbers >= used.passive_from) & (numbers < used.promoter_from)).sum()),
        promoters=int((numbers >= used.promoter_from).sum()),
    )


def _reliable(
    interval: _Interval, n: npt.NDArray[np.int64], margin: float, level: float
) -> BoolArray:
    """Half-width within ``margin``; a zero-width interval (one band only) needs n ≥ worst case."""
    narrow = (interval.upper - interval.lower) / 2.0 <= margin
    informative = (interval.se > 0) | (n >= _worst_case_responses(margin, level))
    out: BoolArray = narrow & informative
    return out


@overload
def nps(
    data: NpsCounts | pd.DataFrame | Responses | Any,
    *,
    by: None = None,
    method: Method = "auto",
    level: float = 0.95,
    reliability_margin: float = 10.0,
    n_bootstrap: int = 2000,
    seed: int | np.random.Generator | None = None,
    period: None = None,
    scheme: BandScheme | None = None,
    columns: Mapping[str, str] | None = None,
) -> NpsEstimate: ...


@overload
def nps(
    data: NpsCounts | pd.DataFrame | Responses | Any,
    *,
    by: str | Sequence[str],
    method: Method = "auto",
    level: float = 0.95,
    reliability_margin: float = 10.0,
    n_bootstrap: int = 2000,
    seed: int | np.random.Generator | None = None,
    period: Period | None = None,
    scheme: BandScheme | None = None,
    columns: Mapping[str, str] | None = None,
) -> NpsTable: ...


def nps(
    data: NpsCounts | pd.DataFrame | Responses | Any,
    *,
    by: str | Sequence[str] | None = None,
    method: Method = "auto",
    level: float = 0.95,
    reliability_margin: float = 10.0,
    n_bootstrap: int = 2000,
    seed: int | np.random.Generator | None = None,
    period: Period | None = None,
    scheme: BandScheme | None = None,
    columns: Mapping[str, str] | None = None,
) -> NpsEstimate | NpsTable:
    """Net Promoter Score with an interval, overall or per group.

    Parameters
    ----------
    data : NpsCounts, pandas.DataFrame, Responses, a polars / DuckDB / … frame, or scores
        Counts, or survey responses (counted with
        :func:`cx_economics.tables.nps_counts.nps_counts`), or scores alone: a list,
        numpy array or pandas Series of 0–10 scores, or a frame with only a ``score``
        column (one overall NPS).
    by : str or sequence of str, optional
        Group columns (``channel``, ``team``, ``employee``, ``touchpoint``,
        ``period``). ``None`` gives one overall :class:`NpsEstimate`; otherwise an
        :class:`NpsTable` with one row per group. For :class:`NpsCounts`, ``by`` keeps
        a subset of its group columns and sums over the others.
    method : {"auto", "wald", "adjusted_wald", "bootstrap"}, default "auto"
        Interval (see :mod:`cx_economics.scores`); ``"auto"`` is ``"adjusted_wald"``, whose
        coverage is closest to nominal at small ``n``.
    level : float, default 0.95
        Nominal coverage (0..1).
    reliability_margin : float, default 10.0
        Largest interval half-width, NPS points, for a group to count as reliable.
    n_bootstrap : int, default 2000
        Resamples for ``method="bootstrap"``: a whole number from 50 to 100,000
        (:func:`~cx_economics.core.parameters.check_n_bootstrap`).
    seed : int or numpy.random.Generator, optional
        Randomness of the bootstrap; ``None`` means seed 0, so results repeat.
    period : {"M", "Q", "Y"}, optional
        With raw responses: also group by month, quarter or year of ``response_date``.
    scheme : BandScheme, optional
        Score cut-offs for raw responses (0–6 / 7–8 / 9–10 by default).
    columns : mapping, optional
        Canonical name → your column name, for raw responses.

    Returns
    -------
    NpsEstimate or NpsTable
        NPS, se, lower and upper in NPS points (−100..100); shares as fractions.

    Raises
    ------
    CxDataError
        A group with no responses, an unknown method, a level outside (0, 1), or
        multi-group counts without ``by``.

    Examples
    --------
    >>> est = nps(NpsCounts.from_counts(detractors=20, passives=30, promoters=50))
    >>> round(est.nps, 1), round(est.lower, 1), round(est.upper, 1), est.method
    (30.0, 14.1, 44.2, 'adjusted_wald')
    >>> from cx_economics.data.datasets import simulate
    >>> table = nps(simulate(2_000, seed=1).responses, by="channel")
    >>> table.to_frame()["channel"].tolist()
    ['branch', 'chat', 'phone', 'web']
    >>> nps([10, 9, 9, 7, 3]).nps  # scores alone: 3 promoters, 1 detractor of 5
    40.0
    """
    resolved = _resolve_method(method, ("wald", "adjusted_wald", "bootstrap"))
    margin = _check_positive("reliability_margin", reliability_margin)
    counts = _resolve_counts(data, by, period, scheme, columns)
    _check_nonempty(counts)
    interval = _intervals(counts, resolved, level, n_bootstrap, seed)
    n = counts.n.astype(np.float64)
    table = NpsTable(
        group_columns=counts.group_columns,
        groups=counts.groups,
        n=counts.n,
        nps=100.0 * (counts.promoters - counts.detractors) / n,
        se=interval.se,
        lower=interval.lower,
        upper=interval.upper,
        detractor_share=counts.detractors / n,
        passive_share=counts.passives / n,
        promoter_share=counts.promoters / n,
        reliable=_reliable(interval, counts.n, margin, level),
        level=float(level),
        method=resolved,
        reliability_margin=margin,
    )
    return table if by is not None else table.estimate(counts.groups[0])
