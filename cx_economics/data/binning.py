"""Numeric customer columns binned into classes, so they can group a life table.

A covariate such as monthly revenue or age enters the life table and the hazard model
as groups (``life_table(..., by=("band", "channel", "revenue_class"))``); the rule that
makes the groups is stated, not guessed: left-closed intervals between given edges.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import narwhals.stable.v2 as nw

from cx_economics.core.exceptions import CxDataError

__all__ = ["bin_column"]


def bin_column(
    frame: Any,
    column: str,
    edges: Sequence[float],
    *,
    name: str | None = None,
    table: str = "customers",
) -> Any:
    """Return ``frame`` with ``column`` binned into text classes between ``edges``.

    Parameters
    ----------
    frame : pandas, polars or DuckDB frame (anything narwhals reads)
        Not modified; a frame of the same kind is returned.
    column : str
        A numeric column, in its own unit (e.g. currency per month).
    edges : sequence of float
        Strictly increasing class edges; class ``i`` holds ``edges[i] ≤ x < edges[i+1]``
        (the last one also ``x == edges[-1]``). Use ``-inf``/``inf`` for open ends.
    name : str, optional
        The new column (default ``f"{column}_class"``); its values read ``"20–40"``.
    table : str, default "customers"
        The table's name in error messages.

    Returns
    -------
    frame of the input's kind
        With the class column added.

    Raises
    ------
    CxDataError
        ``column`` missing, not numeric, missing or outside the edges in some rows
        (counted, first rows named), or edges not strictly increasing.

    Examples
    --------
    >>> import pandas as pd
    >>> customers = pd.DataFrame({"customer_id": [1, 2, 3], "monthly_revenue": [12.0, 40.0, 75.5]})
    >>> bin_column(customers, "monthly_revenue", [0, 40, 80])["monthly_revenue_class"].tolist()
    ['0–40', '40–80', '40–80']
    """
    cuts = _edges(edges, column, table)
    data = nw.from_native(frame)
    names = data.collect_schema().names()
    if column not in names:
        raise CxDataError(f"`{table}` has no column {column!r} to bin; its columns are {names}")
    if not data.collect_schema()[column].is_numeric():
        raise CxDataError(
            f"`{table}.{column}` must be numeric to bin, got {data.collect_schema()[column]}"
        )
    target = name or f"{column}_class"
    if target in names:
        raise CxDataError(
            f"`{table}` has a column {target!r} already; give the classes another `name`"
        )
    x = nw.col(column)
    outside = x.is_null() | x.is_nan() | (x < cuts[0]) | (x > cuts[-1])
    bad = data.filter(outside)
    counted = bad.select(nw.len()).lazy().collect().item()
    if counted:
        shown = bad.select(column).head(3).lazy().collect()[column].to_list()
        raise CxDataError(
            f"`{table}.{column}`: {counted:,} rows are missing or outside the edges "
            f"{cuts[0]:g}…{cuts[-1]:g} (e.g. values {shown}); widen the edges (inf for an "
            "open end) or fill the missing values"
        )
    label = [f"{_edge(a)}–{_edge(b)}" for a, b in itertools.pairwise(cuts)]
    texts = [_edge(e) for e in cuts]
    if any(a == b for a, b in itertools.pairwise(texts)):
        raise CxDataError(
            f"`edges` for `{table}.{column}` {cuts} are too close to tell the classes apart "
            f"in their names ({label}); use edges that differ in their first 10 digits"
        )
    expression = nw.when(x < cuts[1]).then(nw.lit(label[0]))
    for upper, text in zip(cuts[2:-1], label[1:-1], strict=True):
        expression = expression.when(x < upper).then(nw.lit(text))
    binned = expression.otherwise(nw.lit(label[-1])) if len(label) > 1 else nw.lit(label[0])
    return data.with_columns(binned.alias(target)).to_native()


def _edges(edges: Sequence[float], column: str, table: str) -> list[float]:
    """The class edges as floats, refused unless strictly increasing numbers."""
    if isinstance(edges, str | bytes) or not isinstance(edges, Sequence):
        raise CxDataError(
            f"`edges` for `{table}.{column}` must be a list of numbers, e.g. [0, 20, 40, inf]; "
            f"got {edges!r}"
        )
    try:
        cuts = [float(e) for e in edges]
    except (TypeError, ValueError):
        raise CxDataError(
            f"`edges` for `{table}.{column}` must be numbers, e.g. [0, 20, 40, inf]; got "
            f"{list(edges)!r}"
        ) from None
    if len(cuts) < 2 or any(not b > a for a, b in itertools.pairwise(cuts)):
        raise CxDataError(
            f"`edges` for `{table}.{column}` must be at least two strictly increasing "
            f"numbers, e.g. [0, 20, 40, inf]; got {list(edges)}"
        )
    if any(math.isnan(e) for e in cuts):
        raise CxDataError(f"`edges` for `{table}.{column}` must not hold NaN; got {list(edges)}")
    return cuts


def _edge(value: float) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.10g}"
