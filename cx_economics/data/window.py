"""The answer window behind "NPS today": the last months of survey answers before the cut-off."""

from __future__ import annotations

import pandas as pd

__all__ = ["answers_in_window"]


def answers_in_window(
    responses: pd.DataFrame, cutoff: pd.Timestamp, window_months: int
) -> pd.DataFrame:
    """The survey answers that make "NPS today": the last ``window_months`` months.

    Answers dated in ``(cutoff − window_months, cutoff]``; answers after the cut-off
    are left out, as :func:`~cx_economics.tables.life.life_table` leaves them out of
    the bands. The report's NPS pages use the same window.

    Parameters
    ----------
    responses : pandas.DataFrame
        Validated answers (``Responses.frame``) with ``response_date``.
    cutoff : pandas.Timestamp
        Data cut-off (the customers' ``as_of``, else the latest answer).
    window_months : int
        Length of the window (months).

    Returns
    -------
    pandas.DataFrame
        The rows of ``responses`` inside the window (a filtered view, index kept).

    Examples
    --------
    >>> frame = pd.DataFrame({"response_date": pd.to_datetime(
    ...     ["2024-12-31", "2025-01-01", "2025-12-31", "2026-01-02"])})
    >>> answers_in_window(frame, pd.Timestamp("2025-12-31"), 12).index.tolist()
    [1, 2]
    """
    dates = responses["response_date"]
    start = cutoff - pd.DateOffset(months=window_months)
    return responses[(dates > start) & (dates <= cutoff)]
