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
    """Base class of every error raised on purpose by cx_economics.

    Catch it to handle any deliberate failure of the library (bad data, a model
    that cannot be fitted) in one place, leaving genuine bugs to surface.

    Examples
    --------
    >>> from cx_economics.data.assumptions import Assumptions
    >>> try:
    ...     Assumptions(annual_discount_rate=8)  # 8 % meant, 8.00 written
    ... except CxError as err:
    ...     print(type(err).__name__, "|", err)
    CxDataError | `annual_discount_rate` must be a fraction in [0, 1), got 8 (did you mean 0.08?)
    """


class CxDataError(CxError, ValueError):
    """Input data are unusable: wrong type, out of range, missing or inconsistent.

    The message names the table, the column, the problem, how many rows and a few
    of their labels. It is also a :class:`ValueError`, so code that already catches
    those keeps working.

    Examples
    --------
    >>> import pandas as pd
    >>> from cx_economics.data.schemas import validate_customers
    >>> customers = pd.DataFrame({"customer_id": [1, 2, 3], "channel": ["web"] * 3,
    ...                           "tenure_months": [3.0, -1.0, 5.0], "churned": [0, 1, 0]})
    >>> try:
    ...     validate_customers(customers)
    ... except CxDataError as err:
    ...     print(err)
    ...     print(isinstance(err, ValueError), isinstance(err, CxError))
    `customers`: `tenure_months` must lie in ≥ 0; 1 row is not (row 1)
    True True
    """


class CxModelError(CxError):
    """A model could not be fitted or evaluated; the message says what to try.

    The data are valid but cannot support the model, so this is not a
    :class:`ValueError`.

    Examples
    --------
    >>> from cx_economics.survival.sbg import fit_sbg_counts
    >>> try:  # doctest: +NORMALIZE_WHITESPACE
    ...     fit_sbg_counts([100, 100, 100])  # nobody left: no churn to model
    ... except CxModelError as err:
    ...     print(err)
    ...     print(isinstance(err, CxError), isinstance(err, ValueError))
    `survivors`: no churn among 100 customers, so the sBG model cannot be fitted;
    use Kaplan–Meier or merge groups
    True False
    """


class CxAssumptionWarning(UserWarning):
    """A result is allowed but fragile: tiny groups, far extrapolation, a failed check.

    The result is still returned; the warning says what it rests on. Record the
    warnings to list them in a report, or turn them into errors with
    ``warnings.simplefilter("error", CxAssumptionWarning)``.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from cx_economics.tables.life import life_table
    >>> customers = pd.DataFrame({"customer_id": [1, 2], "channel": ["web"] * 2,
    ...                           "tenure_months": [2.5, 7.0], "churned": [True, False]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     table = life_table(customers)  # no responses: every customer is unrated
    >>> [(w.category.__name__, str(w.message)) for w in caught]
    [('CxAssumptionWarning', "no `responses` given: every customer is 'unrated'")]
    >>> table.groups, issubclass(CxAssumptionWarning, UserWarning)
    ((('unrated',),), True)
    """


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
