"""Tests of cx_economics.tables.nps_counts: band counts per group, in any engine."""

from __future__ import annotations

import dataclasses
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest

from cx_economics.core.bands import BandScheme
from cx_economics.core.exceptions import CxDataError
from cx_economics.data.datasets import simulate
from cx_economics.data.schemas import validate_responses
from cx_economics.tables import NpsCounts, nps_counts
from cx_economics.tables.nps_counts import MISSING_GROUP


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return simulate(3_000, seed=11).responses


def oracle(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Plain pandas: band by explicit 0–6 / 7–8 / 9–10 rule, then crosstab."""
    band = pd.cut(frame["score"], [-1, 6, 8, 10], labels=["detractors", "passives", "promoters"])
    table = (
        pd.crosstab([frame[k] for k in keys], band)
        .reindex(columns=["detractors", "passives", "promoters"], fill_value=0)
        .reset_index()
    )
    table.columns.name = None
    table["n"] = table[["detractors", "passives", "promoters"]].sum(axis=1)
    return table.sort_values(keys, ignore_index=True)


def as_plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in ("detractors", "passives", "promoters", "n"):
        out[c] = out[c].astype(np.int64)
    for c in out.columns.difference(["detractors", "passives", "promoters", "n"]):
        out[c] = out[c].astype(str)
    return out


# --------------------------------------------------------------------------- counting


def test_counts_by_channel_and_team_match_a_crosstab(responses: pd.DataFrame) -> None:
    counts = nps_counts(responses, by=["channel", "team"])
    expected = as_plain(oracle(responses, ["channel", "team"]))
    pd.testing.assert_frame_equal(as_plain(counts.to_frame()), expected)
    assert counts.n_total == len(responses)


def test_single_group_when_by_is_none(responses: pd.DataFrame) -> None:
    counts = nps_counts(responses, by=None)
    assert counts.group_columns == () and counts.groups == ((),)
    scores = responses["score"].to_numpy()
    assert counts.detractors.tolist() == [int((scores <= 6).sum())]
    assert counts.promoters.tolist() == [int((scores >= 9).sum())]


def test_polars_frame_gives_identical_counts(responses: pd.DataFrame) -> None:
    by = ["channel", "team", "employee"]
    from_pandas = nps_counts(responses, by=by, period="Q").to_frame()
    eager = nps_counts(pl.from_pandas(responses), by=by, period="Q").to_frame()
    lazy = nps_counts(pl.from_pandas(responses).lazy(), by=by, period="Q").to_frame()
    pd.testing.assert_frame_equal(as_plain(eager), as_plain(from_pandas))
    pd.testing.assert_frame_equal(as_plain(lazy), as_plain(from_pandas))


def test_duckdb_relation_gives_identical_counts(responses: pd.DataFrame) -> None:
    relation = duckdb.sql("select * from responses")
    got = nps_counts(relation, by=["touchpoint"], period="M").to_frame()
    want = nps_counts(responses, by=["touchpoint"], period="M").to_frame()
    pd.testing.assert_frame_equal(as_plain(got), as_plain(want))


@pytest.mark.parametrize(("period", "freq"), [("M", "M"), ("Q", "Q"), ("Y", "Y")])
def test_period_labels_match_pandas_periods(
    responses: pd.DataFrame, period: Literal["M", "Q", "Y"], freq: str
) -> None:
    counts = nps_counts(responses, by="channel", period=period)
    assert counts.group_columns == ("channel", "period")
    frame = responses.assign(period=responses["response_date"].dt.to_period(freq).astype(str))
    expected = as_plain(oracle(frame, ["channel", "period"]))
    pd.testing.assert_frame_equal(as_plain(counts.to_frame()), expected)


def test_column_mapping_in_pandas_and_polars(responses: pd.DataFrame) -> None:
    renamed = responses.rename(columns={"score": "ltr", "channel": "ch"})
    mapping = {"score": "ltr", "channel": "ch"}
    want = as_plain(nps_counts(responses).to_frame())
    got_pd = nps_counts(renamed, columns=mapping).to_frame()
    got_pl = nps_counts(pl.from_pandas(renamed), columns=mapping).to_frame()
    pd.testing.assert_frame_equal(as_plain(got_pd), want)
    pd.testing.assert_frame_equal(as_plain(got_pl), want)


def test_missing_group_key_is_kept_not_dropped() -> None:
    raw = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "response_date": ["2025-01-01"] * 4,
            "channel": ["web"] * 4,
            "score": [10, 3, 8, 9],
            "team": ["a", None, "a", None],
        }
    )
    counts = nps_counts(raw, by="team")
    assert counts.groups == ((MISSING_GROUP,), ("a",))
    assert counts.promoters.tolist() == [1, 1] and counts.detractors.tolist() == [1, 0]
    assert counts.n_total == 4
    polars_counts = nps_counts(pl.from_pandas(raw), by="team")
    assert polars_counts.groups == counts.groups


def test_custom_scheme_on_a_five_point_scale() -> None:
    scheme = BandScheme(min_score=1, max_score=5, passive_from=4, promoter_from=5)
    raw = pd.DataFrame(
        {
            "customer_id": range(6),
            "response_date": ["2025-01-01"] * 6,
            "channel": ["web"] * 6,
            "score": [1, 2, 3, 4, 5, 5],
        }
    )
    counts = nps_counts(raw, by=None, scheme=scheme)
    assert (counts.detractors[0], counts.passives[0], counts.promoters[0]) == (3, 1, 2)
    polars_counts = nps_counts(pl.from_pandas(raw), by=None, scheme=scheme)
    assert polars_counts.promoters.tolist() == [2]


def test_validated_responses_carry_their_scheme(responses: pd.DataFrame) -> None:
    validated = validate_responses(responses)
    counts = nps_counts(validated, by="channel")
    assert counts.n_total == len(responses)
    other = BandScheme(passive_from=6)
    with pytest.raises(CxDataError, match="`scheme`"):
        nps_counts(validated, scheme=other)


def test_input_frame_is_not_mutated(responses: pd.DataFrame) -> None:
    before = responses.copy()
    nps_counts(responses, by=["channel", "team"], period="M")
    pd.testing.assert_frame_equal(responses, before)


# --------------------------------------------------------------------------- errors


def test_unknown_group_column_is_named() -> None:
    with pytest.raises(CxDataError, match=r"`by`.*'segment'"):
        nps_counts(simulate(200, seed=1).responses, by="segment")


def test_period_in_by_needs_period_argument() -> None:
    with pytest.raises(CxDataError, match="period="):
        nps_counts(simulate(200, seed=1).responses, by=["channel", "period"])


def test_bad_scores_in_polars_are_reported_with_count_and_examples() -> None:
    frame = pl.DataFrame({"channel": ["a", "a", "b", "b"], "score": [9, 11, None, -1]})
    with pytest.raises(CxDataError, match=r"`score`.*3 rows.*11"):
        nps_counts(frame)


def test_fractional_and_text_scores_in_polars_are_rejected() -> None:
    with pytest.raises(CxDataError, match="whole number"):
        nps_counts(pl.DataFrame({"channel": ["a"], "score": [8.5]}))
    with pytest.raises(CxDataError, match="numeric"):
        nps_counts(pl.DataFrame({"channel": ["a"], "score": ["9"]}))


def test_missing_column_in_polars_names_it() -> None:
    with pytest.raises(CxDataError, match="`channel`"):
        nps_counts(pl.DataFrame({"score": [9]}))


def test_period_needs_a_date_column_in_polars() -> None:
    frame = pl.DataFrame({"channel": ["a"], "score": [9], "response_date": ["2025-01-01"]})
    with pytest.raises(CxDataError, match="`response_date`"):
        nps_counts(frame, period="M")


def test_empty_polars_frame_is_an_error() -> None:
    frame = pl.DataFrame(
        {"channel": [], "score": []}, schema={"channel": pl.String, "score": pl.Int64}
    )
    with pytest.raises(CxDataError, match="empty"):
        nps_counts(frame)


def test_unsupported_input_type() -> None:
    with pytest.raises(CxDataError, match="list"):
        nps_counts([1, 2, 3])


# --------------------------------------------------------------------------- NpsCounts


def test_from_counts_scalars_and_arrays() -> None:
    one = NpsCounts.from_counts(detractors=20, passives=30, promoters=50)
    assert one.n.tolist() == [100] and one.group_columns == () and len(one) == 1
    many = NpsCounts.from_counts(detractors=[1, 2], passives=[3, 4], promoters=[5, 6])
    assert many.groups == (("0",), ("1",)) and many.group_columns == ("group",)
    assert many.n.tolist() == [9, 12]


@pytest.mark.parametrize("bad", [-1, 2.5, float("nan"), True])
def test_from_counts_rejects_non_counts(bad: float) -> None:
    with pytest.raises(CxDataError, match="`detractors`"):
        NpsCounts.from_counts(detractors=bad, passives=1, promoters=1)


def test_from_counts_rejects_mismatched_lengths() -> None:
    with pytest.raises(CxDataError, match="one count per group"):
        NpsCounts.from_counts(detractors=[1, 2], passives=[1], promoters=[1, 2])


def test_collapse_total_and_group_agree_with_direct_counts(responses: pd.DataFrame) -> None:
    fine = nps_counts(responses, by=["channel", "team"])
    coarse = nps_counts(responses, by="channel")
    pd.testing.assert_frame_equal(fine.collapse("channel").to_frame(), coarse.to_frame())
    assert fine.total().n.tolist() == [len(responses)]
    web = coarse.group("web")
    assert web.n.tolist() == [int((responses["channel"] == "web").sum())]
    with pytest.raises(CxDataError, match="not a group"):
        coarse.group("fax")
    with pytest.raises(CxDataError, match="not group columns"):
        coarse.collapse("team")


def test_counts_are_frozen_and_read_only() -> None:
    counts = NpsCounts.from_counts(detractors=[1, 2], passives=[3, 4], promoters=[5, 6])
    with pytest.raises(dataclasses.FrozenInstanceError):
        counts.detractors = np.array([0, 0])  # type: ignore[misc]  # frozen on purpose
    with pytest.raises(ValueError, match="read-only"):
        counts.detractors[0] = 7


def test_result_contract() -> None:
    counts = NpsCounts.from_counts(
        detractors=[1, 2],
        passives=[3, 4],
        promoters=[5, 6],
        groups=["x", "y"],
        group_columns=["team"],
    )
    frame = counts.to_frame()
    assert list(frame.columns) == ["team", "detractors", "passives", "promoters", "n"]
    assert "NPS counts" in counts.summary() and "<table" in counts._repr_html_()
