"""Life table builder and helpers, checked against pandas oracles and simulation truth."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

from cx_economics.core.bands import DEFAULT_SCHEME, BandScheme
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.data.datasets import SimulationTruth, simulate
from cx_economics.data.schemas import validate_customers, validate_responses
from cx_economics.tables.life import BandRule, LifeTable, life_table

AS_OF = pd.Timestamp("2025-06-30")


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5, 6],
            "channel": ["web", "web", "chat", "chat", "web", "chat"],
            "tenure_months": [2.5, 7.0, 4.2, 0.0, 2.9999999, 3.0000001],
            "churned": [True, False, False, True, False, True],
            "monthly_revenue": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
        }
    )


def _responses() -> pd.DataFrame:
    rows = [
        (1, "2025-01-05", 3),
        (1, "2025-03-01", 9),  # latest of customer 1 -> promoter
        (2, "2025-02-01", 10),
        (2, "2025-02-01", 6),  # same date as the 10: mean 8 -> passive
        (2, "2025-01-01", 9),
        (3, "2025-08-01", 10),  # after the cut-off: ignored -> unrated
        (5, "2025-01-01", 8),
        (5, "2025-04-01", 9),  # mean of 8 and 9 = 8.5 -> passive (rounded down)
        (6, "2025-05-01", 7),
        (99, "2025-05-01", 0),  # no such customer
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "response_date", "score"])
    frame["channel"] = "web"
    return frame


def _oracle_bands(responses: pd.DataFrame, rule: str, cutoff: pd.Timestamp) -> pd.Series:
    """Deliberately plain pandas: band of each customer with a usable response."""
    r = responses.assign(response_date=pd.to_datetime(responses["response_date"]))
    r = r[r["response_date"] <= cutoff]
    if rule == "latest":
        r = r[r["response_date"] == r.groupby("customer_id")["response_date"].transform("max")]
    elif rule == "first":
        r = r[r["response_date"] == r.groupby("customer_id")["response_date"].transform("min")]
    mean = r.groupby("customer_id")["score"].mean()
    return mean.map(lambda m: "promoter" if m >= 9 else "passive" if m >= 7 else "detractor")


def _oracle_table(customers: pd.DataFrame, bands: pd.Series, by: list[str]) -> pd.DataFrame:
    c = customers.copy()
    c["band"] = c["customer_id"].map(bands).fillna("unrated")
    t = c["tenure_months"].to_numpy()
    c["duration"] = [
        max(math.ceil(round(x, 6)), 1) if churned else math.floor(round(x, 6))
        for x, churned in zip(t, c["churned"], strict=True)
    ]
    c["sq"] = c["monthly_revenue"] ** 2
    out = c.groupby([*by, "duration", "churned"], as_index=False).agg(
        customers=("customer_id", "size"),
        revenue_sum=("monthly_revenue", "sum"),
        revenue_sq_sum=("sq", "sum"),
    )
    return out


def _same_cells(ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str]) -> None:
    a = ours.sort_values(keys, ignore_index=True)
    # a join-date rule puts every customer in one group from month 0, never moved on
    theirs = theirs.assign(**{c: theirs.get(c, d) for c, d in (("entry", 0), ("moved", False))})
    b = theirs.sort_values(keys, ignore_index=True)[list(a.columns)]
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("rule", ["latest", "mean", "first"])
def test_band_rules_match_a_plain_pandas_oracle(rule: BandRule) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        table = life_table(_customers(), _responses(), band_rule=rule, as_of=AS_OF)
    expected = _oracle_table(_customers(), _oracle_bands(_responses(), rule, AS_OF), ["band"])
    _same_cells(table.frame, expected, ["band", "duration", "churned"])
    assert table.band_rule == rule and table.as_of == AS_OF


def _cells_of(table: LifeTable) -> list[tuple[object, ...]]:
    return sorted(table.expand().drop(columns="entry").itertuples(index=False, name=None))


def test_documented_tie_and_rounding_rules_on_named_customers() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        latest = life_table(_customers(), _responses(), as_of=AS_OF)
        mean = life_table(_customers(), _responses(), band_rule="mean", as_of=AS_OF)
    # 1: latest answer 9, churned at 2.5 months -> month 3; 2: the latest date's 10 and 6
    # average 8 -> passive; 3: only answer after the cut-off -> unrated; 4: churned at
    # tenure 0 -> month 1; 5: active 2.9999999 months -> 3 completed; 6: churned at
    # 3.0000001 months -> month 3.
    assert _cells_of(latest) == [
        ("passive", 3, True),
        ("passive", 7, False),
        ("promoter", 3, False),
        ("promoter", 3, True),
        ("unrated", 1, True),
        ("unrated", 4, False),
    ]
    # mean rule: 1 -> (3 + 9) / 2 = 6 detractor; 5 -> (8 + 9) / 2 = 8.5 rounds down to passive
    assert _cells_of(mean) == [
        ("detractor", 3, True),
        ("passive", 3, False),
        ("passive", 3, True),
        ("passive", 7, False),
        ("unrated", 1, True),
        ("unrated", 4, False),
    ]


def test_rated_bands_recover_the_simulated_latent_band() -> None:
    sim = simulate(3_000, seed=5)
    table = life_table(sim.customers, sim.responses, as_of=sim.as_of, band_rule="latest")
    rated = set(sim.responses["customer_id"])
    truth = sim.latent_band[sim.latent_band.index.isin(rated)].value_counts()
    counts = table.frame.groupby("band")["customers"].sum()
    for band in ("detractor", "passive", "promoter"):
        assert counts[band] == truth[band]
    assert counts["unrated"] == len(sim.customers) - len(rated)
    assert table.n_churned == int(sim.customers["churned"].sum())


def test_revenue_sums_and_durations_match_the_oracle_by_channel() -> None:
    sim = simulate(2_000, seed=8)
    table = life_table(
        sim.customers, sim.responses, by=["band", "channel"], as_of=sim.as_of, band_rule="latest"
    )
    oracle = _oracle_table(
        sim.customers, _oracle_bands(sim.responses, "latest", sim.as_of), ["band", "channel"]
    )
    _same_cells(table.frame, oracle, ["band", "channel", "duration", "churned"])
    assert table.has_revenue and table.group_columns == ("band", "channel")


def test_polars_input_gives_the_identical_table() -> None:
    sim = simulate(4_000, seed=2)
    by = ("band", "channel", "segment")
    ours = life_table(sim.customers, sim.responses, by=by, as_of=sim.as_of)
    columns = ["customer_id", "channel", "segment", "start_date", "end_date"]
    columns += ["tenure_months", "churned", "monthly_revenue"]
    customers = pl.from_pandas(sim.customers[columns])
    responses = pl.from_pandas(sim.responses).with_columns(pl.col("response_date").cast(pl.Date))
    for cust, resp in ((customers, responses), (customers.lazy(), responses.lazy())):
        theirs = life_table(cust, resp, by=by, as_of=sim.as_of)
        pd.testing.assert_frame_equal(
            ours.frame, theirs.frame, check_exact=False, rtol=1e-12, atol=0.0
        )
        assert (ours.frame["customers"] == theirs.frame["customers"]).all()


def test_column_mapping_validated_wrappers_and_no_mutation() -> None:
    customers = _customers().rename(columns={"customer_id": "id", "tenure_months": "months"})
    responses = _responses().rename(columns={"score": "ltr"})
    before = (customers.copy(), responses.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        mapped = life_table(
            customers,
            responses,
            as_of=AS_OF,
            customer_columns={"customer_id": "id", "tenure_months": "months"},
            response_columns={"score": "ltr"},
        )
        plain = life_table(_customers(), _responses(), as_of=AS_OF)
        wrapped = life_table(
            validate_customers(_customers()), validate_responses(_responses()), as_of=AS_OF
        )
    pd.testing.assert_frame_equal(mapped.frame, plain.frame)
    pd.testing.assert_frame_equal(wrapped.frame, plain.frame)
    pd.testing.assert_frame_equal(customers, before[0])
    pd.testing.assert_frame_equal(responses, before[1])


def test_warnings_count_orphans_late_answers_and_missing_responses() -> None:
    with pytest.warns(CxAssumptionWarning, match="^1 responses name a `customer_id`"):
        life_table(_customers(), _responses(), as_of=AS_OF, band_rule="latest")
    with pytest.warns(CxAssumptionWarning, match="neither `start_date` nor `end_date`"):
        assert life_table(_customers(), _responses(), as_of=AS_OF).band_rule == "latest"
    with pytest.warns(CxAssumptionWarning, match="every customer is 'unrated'"):
        table = life_table(_customers())
    assert set(table.frame["band"]) == {"unrated"} and table.n_customers == 6
    dated = _customers().assign(start_date="2025-01-01").drop(columns="tenure_months")
    with pytest.warns(CxAssumptionWarning, match="dated after the cut-off"):
        life_table(dated, _responses().query("customer_id != 99"))


def test_scheme_changes_the_cut_offs() -> None:
    customers = pd.DataFrame(
        {"customer_id": [1, 2], "channel": "web", "tenure_months": 3.0, "churned": False}
    )
    responses = pd.DataFrame(
        {"customer_id": [1, 2], "response_date": "2025-01-01", "channel": "web", "score": [4, 5]}
    )
    csat = BandScheme(min_score=1, max_score=5, passive_from=4, promoter_from=5)
    # answers on the cut-off itself start no band state, so take the join-date rule here
    table = life_table(customers, responses, scheme=csat, band_rule="latest")
    assert table.frame["band"].tolist() == ["passive", "promoter"]
    assert life_table(customers, responses, scheme=DEFAULT_SCHEME, band_rule="latest").frame[
        "band"
    ].tolist() == ["detractor"]


def test_bad_input_names_the_column_the_problem_and_examples() -> None:
    with pytest.raises(CxDataError, match=r"lack the group column\(s\) \['region'\]"):
        life_table(_customers(), _responses(), by=("band", "region"))
    with pytest.raises(CxDataError, match="`by` must name distinct group columns"):
        life_table(_customers(), _responses(), by=("band", "band"))
    with pytest.raises(CxDataError, match="`band_rule` must be one of"):
        life_table(_customers(), _responses(), band_rule="median")  # type: ignore[arg-type]  # the wrong value is the point
    bad = pl.from_pandas(_customers()).with_columns(
        pl.when(pl.col("customer_id").is_in([2, 5]))
        .then(-1.0)
        .otherwise(pl.col("tenure_months"))
        .alias("tenure_months")
    )
    with pytest.raises(
        CxDataError,
        match=r"`tenure_months` must be a finite number ≥ 0; 2 rows"
        r" are not \(e.g. customer_id 2, 5\)",
    ):
        life_table(bad, None, by=())
    no_tenure = pl.from_pandas(_customers()).drop("tenure_months")
    with pytest.raises(CxDataError, match="must carry `tenure_months` and `churned`"):
        life_table(no_tenure, None, by=())
    text_ids = _responses().assign(customer_id=lambda f: f["customer_id"].astype(str))
    with pytest.raises(CxDataError, match="`customer_id` is"):
        life_table(_customers(), text_ids, as_of=AS_OF)
    dup = pl.from_pandas(_customers()).with_columns(pl.lit(1).alias("customer_id"))
    with pytest.raises(CxDataError, match="`customer_id` must be unique; 5 rows repeat"):
        life_table(dup, None, by=())


# --------------------------------------------------------------------------- helpers


def _random_table(seed: int) -> LifeTable:
    rng = np.random.default_rng(seed)
    n = 40
    cells = pd.DataFrame(
        {
            "band": rng.choice(["detractor", "passive", "promoter", "unrated"], n),
            "channel": rng.choice(["web", "chat"], n),
            "duration": rng.integers(0, 9, n),
            "churned": rng.random(n) < 0.4,
            "customers": rng.integers(0, 6, n),
            "revenue_sum": rng.random(n) * 100,
            "revenue_sq_sum": rng.random(n) * 1000,
        }
    )
    cells.loc[cells["churned"] & (cells["duration"] == 0), "duration"] = 1
    return LifeTable(cells, ("band", "channel"), "latest", None, True)


def test_risk_sets_match_a_loop_over_customers() -> None:
    table = _random_table(1)
    risk = table.risk_sets()
    raw = table.expand()
    for g, (band, channel) in enumerate(risk.groups):
        part = raw[(raw.band == band) & (raw.channel == channel)]
        for t in range(risk.at_risk.shape[1]):
            assert risk.at_risk[g, t] == (part.duration >= t).sum()
            assert risk.churned[g, t] == ((part.duration == t) & part.churned).sum()
            assert risk.censored[g, t] == ((part.duration == t) & ~part.churned).sum()
    assert [k[0] for k in risk.groups] == sorted(
        [k[0] for k in risk.groups], key=["detractor", "passive", "promoter", "unrated"].index
    )


def test_person_period_rows_equal_the_expanded_customer_months() -> None:
    table = _random_table(2)
    raw = table.expand()
    rows = [
        (b, c, month, churned and month == d)
        for b, c, e, d, churned in raw.itertuples(index=False)
        for month in range(e + 1, d + 1)
    ]
    oracle = (
        pd.DataFrame(rows, columns=["band", "channel", "month", "churned"])
        .value_counts()
        .rename("weight")
        .reset_index()
    )
    keys = ["band", "channel", "month", "churned"]
    _same_cells(table.to_person_period(), oracle, keys)


def test_churn_at_duration_zero_counts_in_month_one() -> None:
    cells = pd.DataFrame(
        {
            "band": ["promoter"] * 2,
            "duration": [0, 2],
            "churned": [True, False],
            "customers": [3, 7],
        }
    )
    risk = LifeTable(cells, ("band",), "latest", None, False).risk_sets()
    assert risk.churned.tolist() == [[0, 3, 0]] and risk.at_risk.tolist() == [[10, 10, 7]]


def test_expand_and_collapse_round_trip() -> None:
    table = _random_table(3)
    raw = table.expand()
    assert len(raw) == table.n_customers
    rebuilt = raw.value_counts(["band", "channel", "duration", "churned"]).rename("customers")
    original = table.frame.groupby(["band", "channel", "duration", "churned"])["customers"].sum()
    pd.testing.assert_series_equal(
        rebuilt[rebuilt > 0].sort_index(), original[original > 0].sort_index(), check_names=False
    )
    by_band = table.collapse(["band"])
    assert by_band.group_columns == ("band",)
    assert by_band.n_customers == table.n_customers
    assert by_band.frame["revenue_sum"].sum() == pytest.approx(table.frame["revenue_sum"].sum())
    np.testing.assert_array_equal(
        by_band.risk_sets().at_risk,
        np.array(
            [
                table.risk_sets()
                .at_risk[[i for i, k in enumerate(table.groups) if k[0] == b]]
                .sum(axis=0)
                for (b,) in by_band.groups
            ]
        ),
    )
    with pytest.raises(CxDataError, match="`by` must name distinct columns"):
        table.collapse(["segment"])


def test_malformed_hand_built_tables_are_refused() -> None:
    cells = pd.DataFrame(
        {"band": ["promoter"], "duration": [2.5], "churned": [True], "customers": [3]}
    )
    with pytest.raises(CxDataError, match="whole months"):
        LifeTable(cells, ("band",), "latest", None, False).risk_sets()
    with pytest.raises(CxDataError, match="lacks column"):
        LifeTable(cells.drop(columns="customers"), ("band",), "latest", None, False).risk_sets()


def test_no_band_grouping_and_truth_without_responses() -> None:
    sim = simulate(1_000, seed=4, truth=SimulationTruth(reasons={}))
    table = life_table(sim.customers, by=("channel",))
    assert table.group_columns == ("channel",)
    assert table.groups == tuple((c,) for c in sorted(sim.customers["channel"].unique()))
    assert table.n_customers == 1_000


def test_a_column_of_the_users_own_groups_the_table_on_pandas_and_duckdb() -> None:
    duckdb = pytest.importorskip("duckdb")
    sim = simulate(3_000, seed=1)
    plan = np.where(np.arange(3_000) % 3 == 0, "budget", "standard")
    customers = sim.customers.assign(plan=plan)
    table = life_table(customers, sim.responses, by=("band", "plan"))
    assert table.group_columns == ("band", "plan")
    # every customer's first state is counted once, in their own plan
    first = table.frame[table.frame["entry"] == 0].groupby("plan")["customers"].sum()
    assert first.to_dict() == pd.Series(plan).value_counts().to_dict()
    by_hand = table.collapse(["band"]).frame.set_index(["band", "duration", "churned"])
    plain = life_table(sim.customers, sim.responses).frame.set_index(
        ["band", "duration", "churned"]
    )
    pd.testing.assert_series_equal(
        by_hand["customers"].groupby(level=[0, 1, 2]).sum().sort_index(),
        plain["customers"].groupby(level=[0, 1, 2]).sum().sort_index(),
    )
    con = duckdb.connect()
    con.register("c", customers)
    con.register("r", sim.responses)
    native = life_table(con.table("c"), con.table("r"), by=("band", "plan"))
    pd.testing.assert_frame_equal(
        native.frame.reset_index(drop=True), table.frame.reset_index(drop=True), check_dtype=False
    )


def test_own_group_columns_are_refused_when_missing_empty_reserved_or_too_many() -> None:
    sim = simulate(1_500, seed=2)
    customers = sim.customers.assign(plan="standard")
    with pytest.raises(CxDataError, match=r"lack the group column\(s\) \['region'\]"):
        life_table(customers, sim.responses, by=("band", "region"))
    holes = customers.assign(plan=customers["plan"].where(customers.index % 5 != 0))
    with pytest.raises(CxDataError, match="group column `plan` is missing or empty in 300 rows"):
        life_table(holes, sim.responses, by=("band", "plan"))
    with pytest.raises(CxDataError, match=r"not the table's own \['duration'\]"):
        life_table(customers, sim.responses, by=("band", "duration"))
    per_customer = customers.assign(plan=customers["customer_id"].astype(str))
    with pytest.raises(
        CxDataError, match=r"groups \(band \d × plan 1500 values\), more than 2,000"
    ):
        life_table(per_customer, sim.responses, by=("band", "plan"))
