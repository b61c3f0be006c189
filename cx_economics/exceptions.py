"""Errors and warnings raised by cx_economics.

The hierarchy is small on purpose::

    CxError
    ├── CxDataError(ValueError)   bad input: names the table, column, problem, count, rows
    └── CxModelError              a model cannot be fitted; says what to try next
    CxAssumptionWarning(UserWarning)  allowed but fragile (tiny groups, far extrapolation)
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CxAssumptionWarning",
    "CxDataError",
    "CxError",
    "CxModelError",
    "describe_rows",
]


class CxError(Exception):
    """Base class of every error raised on purpose by cx_economics."""


class CxDataError(CxError, ValueError):
    """Input data are unusable: wrong type, out of range, missing or inconsistent."""


class CxModelError(CxError):
    """A model could not be fitted or evaluated; the message says what to try."""


class CxAssumptionWarning(UserWarning):
    """A result is allowed but fragile: tiny groups, far extrapolation, a failed check."""


def describe_rows(labels: Sequence[object], *, verb: str = "", limit: int = 3) -> str:
    """Describe offending rows as ``"37 rows are not (e.g. rows 4, 19, 88)"``-style text.

    Parameters
    ----------
    labels : sequence
        Row labels (index values) of the offending rows.
    verb : str, optional
        Words placed after the count, conjugated: ``"are not"`` becomes ``"is not"``
        for one row.
    limit : int, default 3
        How many example labels to show.

    Returns
    -------
    str
        ``"1 row is not (row 4)"`` or ``"37 rows are not (e.g. rows 4, 19, 88)"``.

    Examples
    --------
    >>> describe_rows([4, 19, 88, 90], verb="are not")
    '4 rows are not (e.g. rows 4, 19, 88)'
    """
    n = len(labels)
    shown = ", ".join(repr(x) if isinstance(x, str) else str(x) for x in list(labels)[:limit])
    if n == 1:
        verb1 = verb.replace("are ", "is ", 1) if verb.startswith("are") else verb
        return f"1 row {verb1} (row {shown})".replace("  ", " ")
    prefix = "e.g. rows" if n > limit else "rows"
    return f"{n} rows {verb} ({prefix} {shown})".replace("  ", " ")
