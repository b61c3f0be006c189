"""Life-table inputs as lazy narwhals frames with canonical columns, checked at the door.

pandas frames (and validated wrappers) go through :mod:`cx_economics.data.schemas`'s validators.
Frames of other engines (polars, DuckDB, pyarrow, Spark…) are checked lazily, inside
their own engine: each table's checks count their bad rows in one pass, and a failing
check raises :class:`~cx_economics.core.exceptions.CxDataError` naming the column, the problem,
how many rows and example ``customer_id`` values. Used by
:func:`cx_economics.tables.life.life_table`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw
import pandas as pd

from cx_economics.core.bands import DEFAULT_SCHEME, BandScheme
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, describe_rows
from cx_economics.data.consistency import REPEATED_SHARE, case_clashes, lookalike_message
from cx_economics.data.engines import (
    as_lazy,
    count_true,
    naive_utc,
    require_same_key_type,
    seconds_between,
)
from cx_economics.data.plausibility import TENURE_MONTHS_MAX, tenure_too_long
from cx_economics.data.schemas import (
    CUSTOMERS_SCHEMA,
    RESPONSES_SCHEMA,
    Customers,
    Responses,
    TableSchema,
    parse_as_of,
    validate_customers,
    validate_responses,
)

Lazy = nw.LazyFrame[Any]


def _customer_frame(
    customers: Any,
    columns: Mapping[str, str] | None,
    as_of: str | pd.Timestamp | None,
    group_columns: Sequence[str],
) -> tuple[Lazy, pd.Timestamp | None, bool]:
    """Customers as a lazy narwhals frame with canonical columns; cut-off; revenue flag."""
    needed = ["customer_id", "tenure_months", "churned", *(c for c in group_columns if c != "band")]
    if isinstance(customers, pd.DataFrame | Customers):
        wanted = [*needed, "start_date", "end_date", "monthly_revenue"]
        extra = [c for c in needed if c not in CUSTOMERS_SCHEMA.names]
        original = customers if isinstance(customers, pd.DataFrame) else customers.frame
        if isinstance(customers, pd.DataFrame):
            customers = _used_columns(customers, CUSTOMERS_SCHEMA, columns, wanted)
        valid = validate_customers(customers, columns=columns, as_of=as_of)
        if extra:
            valid = _with_covariates(valid, original, extra, columns)
        _require(valid.frame.columns, needed, "customers")
        has_revenue = valid.has_revenue
        keep = needed + (["monthly_revenue"] if has_revenue else [])
        # dates place answers on the tenure clock and flag answers after leaving
        keep += [c for c in ("start_date", "end_date") if c in valid.frame.columns]
        lazy = nw.from_native(valid.frame[keep].reset_index(drop=True)).lazy()
        cutoff = parse_as_of(as_of) if as_of is not None else valid.as_of
        return lazy, cutoff, has_revenue
    lazy = _native(customers, "customers", columns, CUSTOMERS_SCHEMA.names)
    lazy, cutoff = _tenure_from_dates(lazy, parse_as_of(as_of))
    names = lazy.collect_schema().names()
    _require(names, needed, "customers")
    has_revenue = "monthly_revenue" in names
    keep = needed + (["monthly_revenue"] if has_revenue else [])
    keep += [c for c in ("start_date", "end_date") if c in names]
    lazy = _check_native_customers(lazy.select(keep), group_columns, has_revenue)
    return lazy, cutoff, has_revenue


def _tenure_from_dates(lazy: Lazy, cutoff: pd.Timestamp | None) -> tuple[Lazy, pd.Timestamp | None]:
    """``tenure_months`` and ``churned`` from ``start_date``/``end_date``, inside the engine.

    As the pandas path does: a customer churned when their ``end_date`` is on or before
    the cut-off (a later one is still active then), and their tenure runs from
    ``start_date`` to the earlier of ``end_date`` and the cut-off, in months of
    :data:`~cx_economics.data.consistency.DAYS_PER_MONTH` days. The cut-off is
    ``as_of``, else the latest date of the two columns (the pandas path also sets
    aside outlying dates; give ``as_of`` to be sure both agree). Columns the frame
    carries already are kept.
    """
    from cx_economics.data.consistency import DAYS_PER_MONTH

    schema = lazy.collect_schema()
    names = schema.names()
    derive = [c for c in ("tenure_months", "churned") if c not in names]
    source = {"tenure_months": "start_date", "churned": "end_date"}
    if not derive or not all(source[c] in names for c in derive):
        return lazy, cutoff
    for column in ("start_date", "end_date"):
        if column in names:
            kind = schema[column]
            _require_dtype(lazy, "customers", column, kind in (nw.Date, nw.Datetime), "dates")
            if kind == nw.Date:
                lazy = lazy.with_columns(nw.col(column).cast(nw.Datetime()))
            lazy = naive_utc(lazy, column)
    if cutoff is None:
        dates = [c for c in ("start_date", "end_date") if c in names]
        latest = lazy.select(nw.max_horizontal(*(nw.col(c).max() for c in dates)).alias("x"))
        value = latest.collect()["x"].item()
        if value is None:
            raise CxDataError("`customers`: `start_date` and `end_date` hold no dates")
        cutoff = pd.Timestamp(value)
    edge = nw.lit(cutoff.to_pydatetime())
    ended = (
        ~nw.col("end_date").is_null() & (nw.col("end_date") <= edge)
        if "end_date" in names
        else nw.lit(False)
    )
    added = []
    if "churned" in derive:
        added.append(ended.alias("churned"))
    if "tenure_months" in derive:
        end = (
            nw.when(ended).then(nw.col("end_date")).otherwise(edge) if "end_date" in names else edge
        )
        days = seconds_between(lazy, end, nw.col("start_date")) / 86_400.0
        added.append((days / DAYS_PER_MONTH).alias("tenure_months"))
    return lazy.with_columns(*added), cutoff


def _with_covariates(
    valid: Customers,
    original: pd.DataFrame,
    extra: Sequence[str],
    columns: Mapping[str, str] | None,
) -> Customers:
    """The validated customers with the user's own group columns, as stripped text."""
    mapping = dict(columns or {})
    theirs = {c: mapping.get(c, c) for c in extra}
    missing = [c for c, name in theirs.items() if name not in original.columns]
    if missing:
        raise CxDataError(
            f"`customers` lack the group column(s) {missing} named in `by`; their columns "
            f"are {list(map(str, original.columns))}"
        )
    frame = valid.frame.copy()
    for ours, name in theirs.items():
        values = original.loc[frame.index, name]
        empty = values.isna() | (values.astype(str).str.strip() == "")
        if empty.any():
            rows = describe_rows(list(values.index[empty.to_numpy()]))
            raise CxDataError(
                f"`customers`: group column `{name}` is missing or empty in {rows}; fill "
                "them (e.g. with 'unknown') or drop those customers"
            )
        frame[ours] = values.astype(str).str.strip().to_numpy(dtype=object)
    return dataclasses.replace(valid, frame=frame)


def _response_frame(
    responses: Any, columns: Mapping[str, str] | None, scheme: BandScheme
) -> tuple[Lazy, BandScheme]:
    keep = ["customer_id", "response_date", "score"]
    if isinstance(responses, Responses):
        if scheme != DEFAULT_SCHEME and scheme != responses.scheme:
            raise CxDataError(
                f"`scheme` {scheme} differs from the scheme the `responses` were validated "
                f"with ({responses.scheme}); validate them with the scheme you mean"
            )
        scheme = responses.scheme
    if isinstance(responses, pd.DataFrame | Responses):
        if isinstance(responses, pd.DataFrame):
            responses = _used_columns(responses, RESPONSES_SCHEMA, columns, keep)
        frame = validate_responses(responses, columns=columns, scheme=scheme).frame
        return nw.from_native(frame[keep].reset_index(drop=True)).lazy(), scheme
    lazy = _native(responses, "responses", columns, RESPONSES_SCHEMA.names)
    _require(lazy.collect_schema().names(), keep, "responses")
    return _drop_repeated_native(_check_native_responses(lazy.select(keep), scheme)), scheme


def _drop_repeated_native(lazy: Lazy) -> Lazy:
    """Answers repeated in every column, dropped inside the engine as on pandas.

    The rule of :func:`~cx_economics.data.consistency.drop_repeated_answers`: when at least
    :data:`~cx_economics.data.consistency.REPEATED_SHARE` of the rows repeat an earlier one
    they are copies (a file loaded twice) and each answer is kept once, with a warning.
    """
    total = int(lazy.select(nw.len()).collect().item())
    distinct = int(lazy.unique().select(nw.len()).collect().item())
    repeated = total - distinct
    if repeated == 0 or repeated < REPEATED_SHARE * total:
        return lazy
    warnings.warn(
        f"`responses`: {repeated} of {total} rows repeat an earlier row in every column: "
        "the same answers loaded twice? They are dropped, so each answer counts once",
        CxAssumptionWarning,
        stacklevel=4,
    )
    unique: Lazy = lazy.unique()
    return unique


def _used_columns(
    frame: pd.DataFrame,
    schema: TableSchema,
    columns: Mapping[str, str] | None,
    wanted: Sequence[str],
) -> pd.DataFrame:
    """The user's columns this function reads (and the schema requires), to validate less."""
    names = {c.name for c in schema.columns if c.required} | set(wanted)
    mapping = dict(columns or {})
    theirs = [mapping.get(name, name) for name in schema.names if name in names]
    return frame[[c for c in theirs if c in frame.columns]]


def _require(present: Sequence[str] | pd.Index, needed: Sequence[str], table: str) -> None:
    missing = [c for c in needed if c not in present]
    if missing:
        hint = (
            "; frames other than pandas must carry `tenure_months` and `churned` already "
            "(derive them in your engine, or pass pandas to derive them from dates)"
            if table == "customers" and {"tenure_months", "churned"} & set(missing)
            else ""
        )
        raise CxDataError(
            f"`{table}` lacks column(s) {missing} needed here; its columns are "
            f"{list(map(str, present))}{hint}"
        )


def _native(
    frame: Any, table: str, columns: Mapping[str, str] | None, known: Sequence[str]
) -> Lazy:
    """Wrap a non-pandas frame with narwhals, lazily, renamed to canonical names."""
    lazy = as_lazy(frame, table)
    mapping = dict(columns or {})
    unknown = sorted(set(mapping) - set(known))
    if unknown:
        raise CxDataError(f"`{table}`: column mapping names unknown canonical column(s) {unknown}")
    names = lazy.collect_schema().names()
    absent = [theirs for theirs in mapping.values() if theirs not in names]
    if absent:
        raise CxDataError(f"`{table}`: mapped column(s) {absent} are not in the table {names}")
    return lazy.rename({theirs: ours for ours, theirs in mapping.items()})


Check = tuple[str, str, nw.Expr]  # column, problem, expression true on bad rows


def _run_checks(lazy: Lazy, table: str, checks: Sequence[Check]) -> None:
    """Count every check's bad rows in one pass; raise on the first failing one."""
    bad_rows = [bad.fill_null(True) for _, _, bad in checks]
    counts = lazy.select(*(count_true(b).alias(f"_{i}") for i, b in enumerate(bad_rows))).collect()
    for i, (column, problem, _) in enumerate(checks):
        count = int(counts[f"_{i}"].item())
        if count:
            ids = lazy.filter(bad_rows[i]).select("customer_id").head(3).collect()
            examples = ", ".join(map(repr, ids["customer_id"].to_list()))
            rows = "1 row is" if count == 1 else f"{count} rows are"
            raise CxDataError(
                f"`{table}`: `{column}` {problem}; {rows} not (e.g. customer_id {examples})"
            )


def _require_dtype(lazy: Lazy, table: str, column: str, ok: bool, kind: str) -> None:
    if not ok:
        dtype = lazy.collect_schema()[column]
        hint = ""
        if dtype == nw.Unknown and lazy.implementation.is_duckdb():
            relation = lazy.to_native()
            native = dict(zip(relation.columns, map(str, relation.types), strict=True))[column]
            hint = (
                f" (DuckDB type {native}, which narwhals cannot read; cast it first, e.g. "
                f"`CAST({column} AS TIMESTAMP WITH TIME ZONE)` or a UTC `TIMESTAMP`)"
            )
        raise CxDataError(f"`{table}`: `{column}` must be {kind}, got {dtype}{hint}")


def _check_native_customers(lazy: Lazy, group_columns: Sequence[str], has_revenue: bool) -> Lazy:
    schema = lazy.collect_schema()
    numbers = ["tenure_months", *(["monthly_revenue"] if has_revenue else [])]
    checks: list[Check] = [("customer_id", "must not be missing", nw.col("customer_id").is_null())]
    for column in numbers:
        _require_dtype(lazy, "customers", column, schema[column].is_numeric(), "numeric")
        value = nw.col(column).cast(nw.Float64)
        checks.append((column, "must be a finite number ≥ 0", ~value.is_finite() | (value < 0)))
    too_long = nw.col("tenure_months").cast(nw.Float64) > TENURE_MONTHS_MAX
    checks.append(("tenure_months", tenure_too_long(), too_long))
    flag = schema["churned"]
    _require_dtype(
        lazy, "customers", "churned", flag == nw.Boolean or flag.is_integer(), "boolean or 0/1"
    )
    churned = nw.col("churned")
    bad_flag = churned.is_null() if flag == nw.Boolean else ~churned.is_in([0, 1])
    checks.append(("churned", "must be boolean or 0/1, not missing", bad_flag))
    checks += [
        (c, "must not be missing", nw.col(c).is_null()) for c in group_columns if c != "band"
    ]
    _run_checks(lazy, "customers", checks)
    lazy = _strip_group_names(lazy, [c for c in group_columns if c != "band"])
    for column in ("start_date", "end_date"):
        if column in schema.names():
            kind = schema[column]
            _require_dtype(lazy, "customers", column, kind in (nw.Date, nw.Datetime), "dates")
            if kind == nw.Date:
                lazy = lazy.with_columns(nw.col(column).cast(nw.Datetime()))
            lazy = naive_utc(lazy, column)
    counts = lazy.select(nw.len().alias("n"), nw.col("customer_id").n_unique().alias("u")).collect()
    repeats = int(counts["n"].item()) - int(counts["u"].item())
    if repeats:
        dup = lazy.group_by("customer_id").agg(nw.len().alias("n")).filter(nw.col("n") > 1)
        examples = dup.select("customer_id").head(3).collect()["customer_id"].to_list()
        raise CxDataError(
            f"`customers`: `customer_id` must be unique; {repeats} rows repeat an id "
            f"(e.g. customer_id {', '.join(map(repr, examples))})"
        )
    return lazy.with_columns(nw.col("churned").cast(nw.Boolean))


def _strip_group_names(lazy: Lazy, columns: Sequence[str]) -> Lazy:
    """Group names stripped of outer spaces, and a warning for case-only look-alikes.

    As on pandas (``web`` and ``WEB `` would otherwise be two channels); the distinct
    names are counted inside the engine, so only they come back.
    """
    schema = lazy.collect_schema()
    text = [c for c in columns if schema[c] == nw.String]
    if not text:
        return lazy
    lazy = lazy.with_columns(nw.col(c).str.strip_chars() for c in text)
    for column in text:
        names = lazy.group_by(column).agg(nw.len()).collect()[column].to_list()
        clashes = case_clashes([n for n in names if isinstance(n, str)])
        if clashes:
            warnings.warn(
                lookalike_message("customers", column, clashes),
                CxAssumptionWarning,
                stacklevel=5,
            )
    return lazy


def _check_native_responses(lazy: Lazy, scheme: BandScheme) -> Lazy:
    schema = lazy.collect_schema()
    is_date = schema["response_date"] in (nw.Date, nw.Datetime)
    _require_dtype(lazy, "responses", "response_date", is_date, "a date or datetime column")
    _require_dtype(lazy, "responses", "score", schema["score"].is_numeric(), "numeric")
    score = nw.col("score").cast(nw.Float64)
    off_scale = (score < scheme.min_score) | (score > scheme.max_score) | (score != score.round(0))
    checks: list[Check] = [
        ("customer_id", "must not be missing", nw.col("customer_id").is_null()),
        ("response_date", "must not be missing", nw.col("response_date").is_null()),
        ("score", f"must be an integer {scheme.min_score}–{scheme.max_score}", off_scale),
    ]
    _run_checks(lazy, "responses", checks)
    if schema["response_date"] == nw.Date:
        lazy = lazy.with_columns(nw.col("response_date").cast(nw.Datetime()))
    naive: Lazy = naive_utc(lazy, "response_date")
    return naive


def _check_key_types(customers: Lazy, responses: Lazy) -> None:
    require_same_key_type(customers, responses, "responses")


def _warn_orphans(customers: Lazy, responses: Lazy) -> None:
    ids = customers.select("customer_id")
    if customers.implementation.is_pandas_like():
        # in memory already: a hash look-up is 3× faster than pandas' anti-join merge
        known = ids.collect()["customer_id"].to_numpy()
        unknown = ~nw.col("customer_id").is_in(known)
        count = int(responses.select(count_true(unknown)).collect().item())
    else:
        orphans = responses.select("customer_id").join(ids, on="customer_id", how="anti")
        count = int(orphans.select(nw.len()).collect().item())
    if count:
        warnings.warn(
            f"{count} responses name a `customer_id` that is not in `customers`; they are "
            "ignored (check for ids from another system or customers filtered out)",
            CxAssumptionWarning,
            stacklevel=3,
        )


def _drop_answers_after_churn(customers: Lazy, responses: Lazy) -> tuple[Lazy, Lazy]:
    """Leave out answers dated outside the customer's tenure, with a warning each.

    An answer given after leaving (an exit survey, after ``end_date``) would set the
    band of a customer who had already churned, so the band would be caused by the
    churn rather than the other way round. An answer dated before the customer's
    ``start_date`` belongs to no tenure of theirs (a reused id, or a wrong date): it
    would set the band of months it cannot describe. Returns the customers without
    ``end_date`` and the kept responses.
    """
    names = customers.collect_schema().names()
    if "start_date" in names:
        responses = _drop_answers_before_start(customers, responses)
    if "end_date" not in names:
        return customers, responses
    ends = customers.select("customer_id", "end_date")
    joined = responses.join(ends, on="customer_id", how="left")
    after = ~nw.col("end_date").is_null() & (nw.col("response_date") > nw.col("end_date"))
    count = int(joined.select(count_true(after)).collect().item())
    if count:
        warnings.warn(
            f"{count} responses are dated after the customer's churn (`end_date`); they are "
            "left out of the band assignment (an answer given after leaving cannot explain "
            "the leaving)",
            CxAssumptionWarning,
            stacklevel=3,
        )
        responses = joined.filter(~after).drop("end_date")
    return customers.drop("end_date"), responses


def _drop_answers_before_start(customers: Lazy, responses: Lazy) -> Lazy:
    """Responses without those dated before their customer's ``start_date`` (warned)."""
    starts = customers.select("customer_id", "start_date")
    joined = responses.join(starts, on="customer_id", how="left")
    before = ~nw.col("start_date").is_null() & (nw.col("response_date") < nw.col("start_date"))
    count = int(joined.select(count_true(before)).collect().item())
    if not count:
        return responses
    examples = joined.filter(before).select("customer_id").sort("customer_id").head(3).collect()
    ids = ", ".join(map(repr, examples["customer_id"].to_list()))
    warnings.warn(
        f"{count} responses are dated before the customer's `start_date` (e.g. customer_id "
        f"{ids}); they are left out of the band assignment (an answer from before the "
        "customer joined describes no month of their tenure: a reused id or a wrong "
        "`response_date`?)",
        CxAssumptionWarning,
        stacklevel=4,
    )
    return joined.filter(~before).drop("start_date")
