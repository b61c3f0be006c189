"""Band counts per group: the sufficient statistic for NPS and its interval.

:func:`nps_counts` is the only pass over survey rows for NPS. The group-by is written
once against `narwhals <https://narwhals-dev.github.io/narwhals/>`_, so the same code
runs inside pandas, polars, DuckDB or PySpark and only the small table of counts
(one row per group) comes back to Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import narwhals as nw
import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.bands import BAND_ORDER, DEFAULT_SCHEME, BandScheme
from cx_economics.core.exceptions import CxDataError
from cx_economics.core.results import Result
from cx_economics.data.engines import naive_utc
from cx_economics.data.schemas import RESPONSES_SCHEMA, Responses, validate_responses

__all__ = ["GROUPABLE_COLUMNS", "MISSING_GROUP", "NpsCounts", "nps_counts"]

#: Response columns :func:`nps_counts` can group by (plus ``"period"`` with ``period=``).
GROUPABLE_COLUMNS: tuple[str, ...] = ("channel", "team", "employee", "touchpoint")

#: Label of a group whose key is missing (e.g. a response with no ``team``); kept, not dropped.
MISSING_GROUP = "(missing)"

Period = Literal["M", "Q", "Y"]
_COUNT_COLUMNS = ("detractors", "passives", "promoters")

IntArray = npt.NDArray[np.int64]


def _as_counts(name: str, values: npt.ArrayLike) -> IntArray:
    """Return ``values`` as a read-only 1-D int64 array of non-negative whole counts."""
    raw = np.atleast_1d(np.asarray(values))
    if raw.ndim != 1:
        raise CxDataError(f"`{name}` must be a number or a 1-D sequence of counts")
    if raw.dtype == np.bool_ or not np.issubdtype(raw.dtype, np.number):
        raise CxDataError(f"`{name}` must hold numbers (counts), got dtype {raw.dtype}")
    as_float = raw.astype(np.float64)
    bad = ~np.isfinite(as_float) | (as_float < 0) | (as_float != np.round(as_float))
    if bad.any():
        where = np.flatnonzero(bad)
        shown = ", ".join(f"position {i} ({raw[i]!r})" for i in where[:3])
        raise CxDataError(
            f"`{name}` must be whole counts ≥ 0; {where.size} value(s) are not (e.g. {shown})"
        )
    out = as_float.astype(np.int64)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)
class NpsCounts(Result):
    """Detractors, passives and promoters per group: the sufficient statistic for NPS.

    Build it with :func:`nps_counts` from survey rows, or with
    :meth:`NpsCounts.from_counts` when only totals are known.

    Attributes
    ----------
    detractors, passives, promoters : numpy.ndarray of int64
        Number of responses in each band, one entry per group (responses, not
        customers: a customer answering twice counts twice).
    group_columns : tuple of str
        Names of the grouping columns, e.g. ``("channel",)``; ``()`` for one overall group.
    groups : tuple of tuple of str
        One key per group, aligned with the count arrays; each key has one value per
        grouping column. ``((),)`` when there is a single overall group.

    Examples
    --------
    >>> counts = NpsCounts.from_counts(detractors=20, passives=30, promoters=50)
    >>> counts.n.tolist(), counts.promoters.tolist()
    ([100], [50])
    """

    detractors: IntArray
    passives: IntArray
    promoters: IntArray
    group_columns: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]

    _title = "NPS counts"

    def __post_init__(self) -> None:
        arrays = {c: _as_counts(c, getattr(self, c)) for c in _COUNT_COLUMNS}
        sizes = {a.size for a in arrays.values()}
        if len(sizes) != 1:
            raise CxDataError(
                "`detractors`, `passives` and `promoters` must have one count per group; "
                f"got lengths {[a.size for a in arrays.values()]}"
            )
        for name, array in arrays.items():
            object.__setattr__(self, name, array)
        groups = tuple(tuple(str(v) for v in key) for key in self.groups)
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "group_columns", tuple(self.group_columns))
        if len(groups) != sizes.pop():
            raise CxDataError(
                f"`groups` has {len(groups)} keys but there are {self.detractors.size} counts"
            )
        if any(len(key) != len(self.group_columns) for key in groups):
            raise CxDataError(
                f"every key in `groups` needs one value per group column {self.group_columns}"
            )
        if len(set(groups)) != len(groups):
            raise CxDataError("`groups` must not repeat a key")
        super().__post_init__()

    @classmethod
    def from_counts(
        cls,
        *,
        detractors: npt.ArrayLike,
        passives: npt.ArrayLike,
        promoters: npt.ArrayLike,
        groups: Sequence[str | Sequence[str]] | None = None,
        group_columns: Sequence[str] | None = None,
    ) -> NpsCounts:
        """Build counts from totals you already have.

        Parameters
        ----------
        detractors, passives, promoters : int or sequence of int
            Responses in each band (counts ≥ 0); scalars give one overall group,
            sequences one group per position.
        groups : sequence of str or of tuples of str, optional
            A label per position; defaults to ``"0"``, ``"1"``, … for sequences.
        group_columns : sequence of str, optional
            Names of the key columns; ``("group",)`` by default when there are groups.

        Returns
        -------
        NpsCounts

        Examples
        --------
        >>> c = NpsCounts.from_counts(detractors=20, passives=30, promoters=50)
        >>> c.n.tolist()
        [100]
        >>> t = NpsCounts.from_counts(detractors=[5, 9], passives=[5, 1], promoters=[10, 0],
        ...                           groups=["north", "south"], group_columns=["region"])
        >>> t.to_frame()["region"].tolist()
        ['north', 'south']
        """
        scalar = all(np.ndim(x) == 0 for x in (detractors, passives, promoters))
        d = _as_counts("detractors", detractors)
        keys: tuple[tuple[str, ...], ...]
        if groups is None and scalar:
            keys = ((),)
        elif groups is None:
            keys = tuple((str(i),) for i in range(d.size))
        else:
            keys = tuple((g,) if isinstance(g, str) else tuple(g) for g in groups)
        width = len(keys[0]) if keys else 1
        if group_columns is not None:
            columns = tuple(group_columns)
        else:
            columns = ("group",) if width == 1 else tuple(f"group_{i}" for i in range(width))
        return cls(
            detractors=d,
            passives=_as_counts("passives", passives),
            promoters=_as_counts("promoters", promoters),
            group_columns=columns,
            groups=keys,
        )

    @property
    def n(self) -> IntArray:
        """Responses per group (detractors + passives + promoters)."""
        out = self.detractors + self.passives + self.promoters
        out.flags.writeable = False
        return out

    @property
    def n_total(self) -> int:
        """Responses over all groups."""
        return int(self.n.sum())

    def __len__(self) -> int:
        return len(self.groups)

    def to_frame(self) -> pd.DataFrame:
        """Return one row per group: key columns, then the three band counts and ``n``."""
        keys = pd.DataFrame(list(self.groups), columns=list(self.group_columns), dtype=object)
        if not self.group_columns:
            keys = pd.DataFrame(index=range(len(self.groups)))
        counts = pd.DataFrame(
            {
                "detractors": self.detractors,
                "passives": self.passives,
                "promoters": self.promoters,
                "n": self.n,
            }
        )
        return pd.concat([keys, counts], axis=1)

    def _notes(self) -> list[str]:
        return [f"bands: {', '.join(b.value for b in BAND_ORDER)}; counts are responses"]

    def total(self) -> NpsCounts:
        """Return the counts summed over all groups, as one overall group."""
        return NpsCounts(
            detractors=np.array([self.detractors.sum()]),
            passives=np.array([self.passives.sum()]),
            promoters=np.array([self.promoters.sum()]),
            group_columns=(),
            groups=((),),
        )

    def group(self, key: str | Sequence[str]) -> NpsCounts:
        """Return the counts of one group as a single-group :class:`NpsCounts`.

        Parameters
        ----------
        key : str or sequence of str
            The group's key (a plain string when there is one group column).

        Returns
        -------
        NpsCounts
        """
        wanted = (key,) if isinstance(key, str) else tuple(str(k) for k in key)
        try:
            i = self.groups.index(wanted)
        except ValueError:
            shown = ", ".join(map(str, self.groups[:5]))
            raise CxDataError(
                f"`key` {wanted} is not a group of these counts (groups include {shown})"
            ) from None
        return NpsCounts(
            detractors=self.detractors[i : i + 1],
            passives=self.passives[i : i + 1],
            promoters=self.promoters[i : i + 1],
            group_columns=self.group_columns,
            groups=(wanted,),
        )

    def collapse(self, by: str | Sequence[str]) -> NpsCounts:
        """Sum the counts over every group column not in ``by``.

        Parameters
        ----------
        by : str or sequence of str
            Group columns to keep (a subset of ``group_columns``); ``()`` keeps none.

        Returns
        -------
        NpsCounts
            Groups sorted by key; ``self`` unchanged (order kept) when ``by`` names all
            group columns in their order.

        Examples
        --------
        >>> c = NpsCounts.from_counts(detractors=[1, 2, 3], passives=[0, 0, 0],
        ...     promoters=[4, 5, 6], groups=[("web", "t1"), ("web", "t2"), ("chat", "t1")],
        ...     group_columns=("channel", "team"))
        >>> c.collapse("channel").promoters.tolist()
        [6, 9]
        """
        keep = (by,) if isinstance(by, str) else tuple(by)
        unknown = [c for c in keep if c not in self.group_columns]
        if unknown:
            raise CxDataError(
                f"`by` names {unknown}, which are not group columns of these counts "
                f"{list(self.group_columns)}; build the counts with nps_counts(by=...)"
            )
        if not keep:
            return self.total()
        if keep == self.group_columns:
            return self
        frame = self.to_frame()
        summed = frame.groupby(list(keep), sort=True)[list(_COUNT_COLUMNS)].sum().reset_index()
        return NpsCounts(
            detractors=summed["detractors"].to_numpy(np.int64),
            passives=summed["passives"].to_numpy(np.int64),
            promoters=summed["promoters"].to_numpy(np.int64),
            group_columns=keep,
            groups=tuple(summed[list(keep)].itertuples(index=False, name=None)),
        )


# --------------------------------------------------------------------------- building


def _group_keys(by: str | Sequence[str] | None, period: Period | None) -> tuple[str, ...]:
    keys = () if by is None else ((by,) if isinstance(by, str) else tuple(by))
    allowed = (*GROUPABLE_COLUMNS, "period")
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        raise CxDataError(f"`by` must name columns among {list(allowed)}; got {unknown}")
    if len(set(keys)) != len(keys):
        raise CxDataError(f"`by` repeats a column: {list(keys)}")
    if period is not None and period not in ("M", "Q", "Y"):
        raise CxDataError(
            f"`period` must be None, 'M', 'Q' or 'Y' (month/quarter/year); got {period!r}"
        )
    if "period" in keys and period is None:
        raise CxDataError(
            "`by` includes 'period' but no `period` was given; pass period='M', 'Q' or 'Y'"
        )
    if period is not None and "period" not in keys:
        keys = (*keys, "period")
    return keys


def _from_pandas(
    responses: pd.DataFrame | Responses,
    scheme: BandScheme | None,
    columns: Mapping[str, str] | None,
) -> tuple[Any, BandScheme]:
    if isinstance(responses, Responses):
        if scheme is not None and scheme != responses.scheme:
            raise CxDataError(
                f"`scheme` {scheme} differs from the scheme the `responses` were validated "
                f"with ({responses.scheme}); validate them again with the scheme you want"
            )
        return nw.from_native(responses.frame, eager_only=True), responses.scheme
    used = scheme or DEFAULT_SCHEME
    valid = validate_responses(responses, columns=columns, scheme=used)
    return nw.from_native(valid.frame, eager_only=True), used


def _from_other_engine(
    native: Any, needed: Sequence[str], columns: Mapping[str, str] | None
) -> Any:
    try:
        frame = nw.from_native(native)
    except TypeError:
        raise CxDataError(
            "`responses` must be a pandas, polars, pyarrow, DuckDB or PySpark frame or a "
            f"Responses; got {type(native).__name__}"
        ) from None
    mapping = dict(columns or {})
    unknown = sorted(set(mapping) - set(RESPONSES_SCHEMA.names))
    if unknown:
        raise CxDataError(
            f"`responses`: column mapping names unknown canonical column(s) {unknown}; "
            f"known: {list(RESPONSES_SCHEMA.names)}"
        )
    present = frame.collect_schema().names()
    theirs = {ours: mapping.get(ours, ours) for ours in needed}
    missing = [f"`{ours}`" for ours, name in theirs.items() if name not in present]
    if missing:
        raise CxDataError(
            f"`responses`: required column(s) {', '.join(missing)} missing; its columns are "
            f"{present}. Map yours with columns={{'score': 'your_name'}}"
        )
    return frame.select([nw.col(name).alias(ours) for ours, name in theirs.items()])


def _check_scores(frame: Any, scheme: BandScheme) -> None:
    """Check ``score`` inside the engine: numeric, whole, not missing, on the scale."""
    dtype = frame.collect_schema()["score"]
    if not dtype.is_numeric():
        raise CxDataError(f"`responses`: `score` must be numeric; its type is {dtype}")
    score = nw.col("score")
    lo, hi = scheme.min_score, scheme.max_score
    bad = score.is_null() | (score < lo) | (score > hi)
    if not dtype.is_integer():
        bad = bad | (score != score.round(0)) | score.is_nan()
    n_bad = int(_collect(frame.filter(bad).select(nw.len())).item())
    if n_bad:
        examples = _collect(frame.filter(bad).select(score).head(3))
        shown = ", ".join(repr(v) for v in examples.get_column("score").to_list())
        raise CxDataError(
            f"`responses`: `score` must be a whole number {lo}–{hi} and not missing; "
            f"{n_bad} rows are not (e.g. values {shown})"
        )


def _check_dates(frame: Any) -> None:
    dtype = frame.collect_schema()["response_date"]
    if not (dtype == nw.Date or dtype == nw.Datetime):
        raise CxDataError(
            f"`responses`: `response_date` must be a date or datetime column to derive "
            f"`period`; its type is {dtype}. Parse it first (e.g. polars "
            "pl.col('response_date').str.to_date())"
        )


def _collect(frame: Any) -> Any:
    return frame.collect() if isinstance(frame, nw.LazyFrame) else frame


def _period_expr(period: Period) -> Any:
    date = nw.col("response_date")
    year = date.dt.year().cast(nw.String)
    if period == "Y":
        return year
    if period == "M":
        return date.dt.to_string("%Y-%m")
    quarter = ((date.dt.month() - 1) // 3 + 1).cast(nw.String)
    return nw.concat_str([year, nw.lit("Q"), quarter])


def _aggregate(
    frame: Any, keys: tuple[str, ...], scheme: BandScheme, period: Period | None
) -> NpsCounts:
    score = nw.col("score")
    indicators = {
        "detractors": score < scheme.passive_from,
        "passives": (score >= scheme.passive_from) & (score < scheme.promoter_from),
        "promoters": score >= scheme.promoter_from,
    }
    derived = [e.cast(nw.Int64).alias(name) for name, e in indicators.items()]
    if period is not None:
        derived.append(_period_expr(period).alias("period"))
    frame = frame.with_columns(*derived).with_columns(
        [nw.col(k).cast(nw.String).fill_null(MISSING_GROUP) for k in keys]
    )
    sums = [nw.col(c).sum() for c in _COUNT_COLUMNS]
    table = frame.group_by(*keys).agg(*sums).sort(*keys) if keys else frame.select(*sums)
    table = _collect(table.with_columns([nw.col(c).cast(nw.Int64) for c in _COUNT_COLUMNS]))
    total = int(sum(int(table.get_column(c).sum() or 0) for c in _COUNT_COLUMNS))
    if total == 0:
        raise CxDataError("`responses` is empty (0 rows): there is nothing to count")
    key_values = [table.get_column(k).to_list() for k in keys]
    groups = tuple(zip(*key_values, strict=True)) if keys else ((),)
    return NpsCounts(
        detractors=np.asarray(table.get_column("detractors").to_numpy(), dtype=np.int64),
        passives=np.asarray(table.get_column("passives").to_numpy(), dtype=np.int64),
        promoters=np.asarray(table.get_column("promoters").to_numpy(), dtype=np.int64),
        group_columns=keys,
        groups=groups,
    )


def nps_counts(
    responses: pd.DataFrame | Responses | Any,
    *,
    by: str | Sequence[str] | None = ("channel",),
    scheme: BandScheme | None = None,
    period: Period | None = None,
    columns: Mapping[str, str] | None = None,
) -> NpsCounts:
    """Count detractors, passives and promoters per group, inside the data engine.

    Parameters
    ----------
    responses : pandas.DataFrame, Responses, or a polars / pyarrow / DuckDB / PySpark frame
        Survey answers, one row each (see :mod:`cx_economics.data.schemas`). A pandas frame is
        checked by :func:`cx_economics.data.schemas.validate_responses`; other engines are
        checked where they live (``score`` numeric, whole, on the scale, not missing)
        and never copied into Python.
    by : str or sequence of str or None, default ("channel",)
        Grouping columns among ``channel``, ``team``, ``employee``, ``touchpoint``, and
        ``period`` when ``period`` is given. ``None`` or ``()`` gives one overall group.
        A missing key (a response with no team) forms its own group ``"(missing)"``.
    scheme : BandScheme, optional
        Score scale and cut-offs; 0–6 / 7–8 / 9–10 on 0–10 by default (for a
        :class:`Responses`, the scheme it was validated with).
    period : {"M", "Q", "Y"}, optional
        Also group by the month (``"2025-03"``), quarter (``"2025Q1"``) or year
        (``"2025"``) of ``response_date``; a ``"period"`` column is appended to ``by``
        when not already named.
    columns : mapping, optional
        Canonical name → your column name, e.g. ``{"score": "ltr"}``.

    Returns
    -------
    NpsCounts
        One group per key present in the data, sorted by key; counts are responses.

    Raises
    ------
    CxDataError
        Unknown grouping columns, bad scores, missing columns or no rows.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> counts = nps_counts(simulate(1_000, seed=1).responses, by="channel")
    >>> counts.group_columns
    ('channel',)
    >>> [g[0] for g in counts.groups]
    ['branch', 'chat', 'phone', 'web']
    >>> int(counts.n.sum()) == len(simulate(1_000, seed=1).responses)
    True
    """
    keys = _group_keys(by, period)
    if isinstance(responses, pd.DataFrame | Responses):
        frame, used = _from_pandas(responses, scheme, columns)
    else:
        used = scheme or DEFAULT_SCHEME
        needed = ["score", *(k for k in keys if k != "period")]
        needed += ["response_date"] if period is not None else []
        frame = _from_other_engine(responses, needed, columns)
        _check_scores(frame, used)
    if period is not None:
        _check_dates(frame)
        frame = naive_utc(frame, "response_date")
    return _aggregate(frame, keys, used, period)
