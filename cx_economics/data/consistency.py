"""Checks across the values and columns of a validated table.

Used by :mod:`cx_economics.data.schemas`.

The rules are stated in ``docs/how-to/own-data.md``:

- **Look-alike names.** Text is stripped and put in Unicode NFC (so ``"Café"`` is one
  name whether its accent was typed composed or combining). Names that then differ
  only in case (``web`` / ``Web`` / ``WEB``) are kept apart, with a warning naming
  them: which spelling is right is the user's call.
- **Repeated answers.** Survey answers repeated in every column are dropped, with a
  warning, when they are at least :data:`REPEATED_SHARE` of the rows (a file appended
  twice, overlapping exports). Fewer are kept: one customer answering twice on one day
  with the same score happens by chance when dates carry no time of day.
- **Contradicting columns** of a customer: ``churned`` against ``end_date`` (the flag
  is used), ``tenure_months`` against ``start_date`` to ``end_date`` or, for active
  customers, to the cut-off (without ``as_of``: to the date most active tenures run
  to); ``tenure_months`` is used, churners without an end date are not compared; each
  with a warning naming the rows.
"""

from __future__ import annotations

import unicodedata
import warnings

import numpy as np
import pandas as pd

from cx_economics.core.exceptions import CxAssumptionWarning, describe_rows

#: Share of exactly repeated answer rows from which they are taken as copies and dropped.
REPEATED_SHARE = 0.01

#: Months by which ``tenure_months`` may differ from the tenure its dates give.
TENURE_TOLERANCE_MONTHS = 1.0

#: Average days per month used to turn dates into tenure in months.
DAYS_PER_MONTH = 365.25 / 12.0


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C (composed accents); ASCII passes unchanged.

    Examples
    --------
    >>> nfc("Cafe\u0301") == "Caf\u00e9"
    True
    """
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def warn_lookalikes(table: str, column: str, values: pd.Series) -> None:
    """Warn when names in ``values`` differ only in case (``web`` / ``Web``).

    Parameters
    ----------
    table, column : str
        Names for the message.
    values : pandas.Series
        Stripped NFC text (``None`` for missing); the index names the rows.
    """
    counts = values.dropna().value_counts(sort=False)
    clashes = case_clashes([n for n in counts.index if isinstance(n, str)])
    if not clashes:
        return
    rarer = {n for g in clashes for n in g if n != max(g, key=lambda x: (counts[x], x))}
    flagged = values.isin(list(rarer)).to_numpy(bool)
    rows = pd.unique(values.index[flagged])
    warnings.warn(
        f"{lookalike_message(table, column, clashes)}; the less common spellings are in "
        f"{describe_rows(list(rows))}",
        CxAssumptionWarning,
        stacklevel=6,
    )


def case_clashes(names: list[str]) -> list[list[str]]:
    """Groups of distinct names that differ only in case, each sorted.

    Examples
    --------
    >>> case_clashes(["web", "Web", "chat", "WEB"])
    [['WEB', 'Web', 'web']]
    """
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.casefold(), []).append(name)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def lookalike_message(table: str, column: str, clashes: list[list[str]]) -> str:
    """The warning's sentence naming (up to three) groups of look-alike names."""
    shown = "; ".join(" / ".join(map(repr, g)) for g in clashes[:3])
    more = f" and {len(clashes) - 3} more" if len(clashes) > 3 else ""
    return (
        f"`{table}`: `{column}` has names that differ only in case: {shown}{more}; they are "
        "kept apart as different names (if they are one, write them alike)"
    )


def drop_repeated_answers(frame: pd.DataFrame, table: str = "responses") -> pd.DataFrame:
    """``frame`` without rows repeated in every column, when they are a notable share.

    Parameters
    ----------
    frame : pandas.DataFrame
        Validated answers (canonical columns).
    table : str
        Name for the message.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when fewer than :data:`REPEATED_SHARE` of its rows repeat an
        earlier one, else a new frame keeping the first of each repeated row.
    """
    if len(frame) < 2:
        return frame
    repeated = frame.duplicated(keep="first").to_numpy(bool)
    count = int(repeated.sum())
    if count == 0 or count < REPEATED_SHARE * len(frame):
        return frame
    warnings.warn(
        f"`{table}`: {describe_rows(list(frame.index[repeated]))} repeat an earlier row in "
        f"every column ({count} of {len(frame)} rows): the same answers loaded twice? They "
        "are dropped, so each answer counts once",
        CxAssumptionWarning,
        stacklevel=3,
    )
    return frame.loc[~repeated]


def warn_contradictions(
    out: pd.DataFrame, cutoff: pd.Timestamp | None, *, explicit: bool = True
) -> None:
    """Warn when the columns of a customer disagree: churn flag, dates and tenure.

    Parameters
    ----------
    out : pandas.DataFrame
        Validated customers, censored at the cut-off (no ``end_date`` after it).
    cutoff : pandas.Timestamp or None
        The observation cut-off.
    explicit : bool
        Whether the user gave the cut-off. A default one is a guess from the dates, so
        active customers' tenures are then compared with the date most of them run
        to (the median of ``start_date`` + ``tenure_months``) instead.
    """
    if "churned" in out and "end_date" in out:
        _warn_flag_against_end(out)
    if "tenure_months" in out and "start_date" in out and cutoff is not None:
        _warn_tenure_against_dates(out, cutoff, explicit)


def _warn_flag_against_end(out: pd.DataFrame) -> None:
    churned = out["churned"].to_numpy(bool)
    ended = out["end_date"].notna().to_numpy(bool)
    for bad, what in (
        (~churned & ended, "is False but `end_date` is set"),
        (churned & ~ended, "is True but `end_date` is empty"),
    ):
        if bad.any():
            warnings.warn(
                f"`customers`: `churned` {what} for {describe_rows(list(out.index[bad]))}; "
                "the `churned` flag is used (correct one of the columns, or leave out "
                "`churned` to take churn from `end_date`)",
                CxAssumptionWarning,
                stacklevel=4,
            )


def _warn_tenure_against_dates(out: pd.DataFrame, cutoff: pd.Timestamp, explicit: bool) -> None:
    start = out["start_date"]
    given = out["tenure_months"].to_numpy(np.float64)
    ended = (
        out["end_date"].notna().to_numpy(bool) if "end_date" in out else np.zeros(len(out), bool)
    )
    churned = out["churned"].to_numpy(bool) if "churned" in out else ended
    active = ~churned
    counted_to, what = cutoff, f"the cut-off {cutoff.date()}"
    if not explicit and active.any():
        # without `as_of`, the data say when tenures were counted: active customers' ends
        ends = start[active] + pd.to_timedelta(given[active] * DAYS_PER_MONTH, unit="D")
        counted_to = pd.Timestamp(ends.median()).floor("D")
        what = f"{counted_to.date()}, the date most active tenures run to"
    end = out["end_date"].where(ended, counted_to) if "end_date" in out else counted_to
    implied = (end - start).dt.days.to_numpy(np.float64) / DAYS_PER_MONTH
    # a churner without an end date left at an unknown time: nothing to compare
    bad = (np.abs(implied - given) > TENURE_TOLERANCE_MONTHS) & (ended | active)
    if not bad.any():
        return
    first = int(np.flatnonzero(bad)[0])
    warnings.warn(
        f"`customers`: `tenure_months` disagrees with `start_date` by more than "
        f"{TENURE_TOLERANCE_MONTHS:g} month for {describe_rows(list(out.index[bad]))}: row "
        f"{out.index[first]!r} has {given[first]:.1f} months, its dates (`start_date` to "
        f"`end_date`, or for active customers to {what}) give {implied[first]:.1f}; "
        "`tenure_months` is used (drop one of the columns, or pass `as_of=` the date the "
        "tenures were counted to)",
        CxAssumptionWarning,
        stacklevel=4,
    )
