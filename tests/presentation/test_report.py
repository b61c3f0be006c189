"""The leadership report on the demo data: pages, key numbers, charts, missing sections.

Independent checks: the NPS on page 1 is recomputed here from the raw scores; the
hazard ratio printed on page 1 must cover the simulator's true ratio (known truth);
page counts are read back from the PDF with pypdf; charts are checked as pixels.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.data.assumptions import Assumptions
from cx_economics.data.datasets import load_demo, simulate
from cx_economics.data.schemas import validate_channel_costs, validate_customers, validate_responses
from cx_economics.presentation.formatting import (
    format_count,
    format_money,
    format_money_compact,
    format_nps,
    label,
)
from cx_economics.presentation.report import SECTIONS, ReportResult, build_report
from cx_economics.presentation.report._context import _Context

pypdf = pytest.importorskip("pypdf")

FAST = Assumptions(n_bootstrap=50)
DEMO_COSTS = {"phone": 6.5, "branch": 9.0, "chat": 3.0, "web": 1.5}


def _pages(result: ReportResult) -> list[str]:
    reader = pypdf.PdfReader(str(result.pdf_path))
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportResult, list[str]]:
    demo = load_demo()
    out = tmp_path_factory.mktemp("demo_report")
    result = build_report(
        demo.customers,
        demo.responses,
        demo.contacts,
        demo.channel_costs,
        channel_history=demo.channel_history,
        out_dir=out,
        assumptions=Assumptions(n_bootstrap=50, cost_per_contact=DEMO_COSTS),
        seed=7,
    )
    return result, _pages(result)


def test_pdf_pages_match_the_sections(demo_report: tuple[ReportResult, list[str]]) -> None:
    result, pages = demo_report
    assert len(pages) == result.n_pages == sum(s.pages for s in result.sections)
    assert [s.key for s in result.sections] == [s.key for s in SECTIONS]
    assert result.sections[0].key == "executive_summary" and result.sections[0].included
    assert result.sections[-1].key == "appendix" and result.sections[-1].included
    assert label("executive_summary", "en") in pages[0]
    assert label("appendix", "en") in pages[-1]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} / {len(pages)}" in text


def test_page_one_states_the_nps_recomputed_from_raw_scores(
    demo_report: tuple[ReportResult, list[str]],
) -> None:
    _, pages = demo_report
    demo = load_demo()
    cutoff = validate_customers(demo.customers).as_of
    dates = pd.to_datetime(demo.responses["response_date"])
    recent = (dates > cutoff - pd.DateOffset(months=12)) & (dates <= cutoff)
    scores = demo.responses.loc[recent, "score"].to_numpy()
    assert 0 < len(scores) < len(demo.responses)  # the window leaves older answers out
    overall = 100.0 * (np.mean(scores >= 9) - np.mean(scores <= 6))
    text = " ".join(pages[0].split())
    assert f"Over the last 12 months, NPS across all channels is {format_nps(overall)}" in text
    assert format_count(len(scores)) in text
    assert f"answers of the last 12 months to {cutoff.date()}" in " ".join(pages[1].split())


def test_economics_prices_the_active_customers_latest_bands() -> None:
    """The economics' NPS is the active base's, worked out by hand with pandas.

    Each active customer is in the band of their latest answer up to the cut-off;
    the unrated take the mix of the rated active customers of their channel and
    tenure class (classes with fewer than 30 rated joined to the one below). The NPS
    page keeps the survey's own NPS (answers of the last 12 months), a different number.
    """
    from cx_economics.value.active import TENURE_CLASS_MONTHS

    ctx = _demo_context(FAST)
    economics = ctx.economics().to_frame().set_index("channel")
    customers, answers = ctx.customers.frame, ctx.responses.frame
    answers = answers.loc[answers["response_date"] <= ctx.customers.as_of]
    latest = answers.sort_values("response_date").groupby("customer_id")["score"].last()
    active = customers.loc[~customers["churned"]].set_index("customer_id")
    band = pd.cut(latest, [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])
    active = active.assign(
        band=band.reindex(active.index).astype(object).fillna("unrated"),
        tenure_class=np.searchsorted(
            TENURE_CLASS_MONTHS, np.floor(active["tenure_months"]), side="right"
        ),
    )
    for channel, mine in active.groupby("channel"):
        rated = mine["band"] != "unrated"
        classes = [[k] for k in sorted(set(mine["tenure_class"]))]
        while True:  # from the top down, a class of < 30 rated joins the one below
            size = [int((rated & mine["tenure_class"].isin(c)).sum()) for c in classes]
            thin = [j for j, n in enumerate(size) if n < 30]
            if not thin or len(classes) == 1:
                break
            j = thin[-1]
            joined = classes.pop(j)
            classes[j - 1 if j > 0 else 0] += joined
        weights = np.zeros(3)
        for members in classes:
            cls = mine.loc[mine["tenure_class"].isin(members)]
            bands = cls.loc[cls["band"] != "unrated", "band"]
            mix = bands.value_counts().reindex(["detractor", "passive", "promoter"], fill_value=0)
            weights += mix.to_numpy() * len(cls) / len(bands)
        nps = 100.0 * (weights[2] - weights[0]) / len(mine)
        assert economics.loc[channel, "customers"] == len(mine)
        assert economics.loc[channel, "nps"] == pytest.approx(nps, abs=1e-9)
    survey = ctx.nps_channel().to_frame().set_index("channel")["nps"]
    assert (survey - economics["nps"].reindex(survey.index)).abs().max() > 0.5


def test_page_one_hazard_ratio_covers_the_true_ratio(
    demo_report: tuple[ReportResult, list[str]],
) -> None:
    result, pages = demo_report
    text = " ".join(pages[0].split())
    match = re.search(
        r"Detractors leave ([\d.]+) times as fast as promoters of the same channel and "
        r"segment \(95% interval: ([\d.]+) to ([\d.]+)\)",
        text,
    )
    assert match is not None, text
    value, lower, upper = (float(g) for g in match.groups())
    truth = load_demo().truth.hazard_ratio("detractor")  # 0.030 / 0.011
    assert lower - 0.05 <= truth <= upper + 0.05
    assert abs(value - truth) < 0.3
    assert any("Detractors leave" in s for s in result.key_sentences)


def test_every_chart_is_a_non_blank_png(demo_report: tuple[ReportResult, list[str]]) -> None:
    result, _ = demo_report
    listed = [name for s in result.sections for name in s.charts]
    assert [p.name for p in result.chart_paths] == listed
    assert {"nps_by_channel.png", "churn_curves.png", "hazard_ratios.png"} <= set(listed)
    for path in result.chart_paths:
        pixels = imread(path)
        assert pixels.ndim == 3 and pixels.shape[0] > 200 and pixels.shape[1] > 300
        assert pixels[..., :3].std() > 0.02, path.name


def test_data_quality_page_counts_rows_and_lists_every_section(
    demo_report: tuple[ReportResult, list[str]],
) -> None:
    result, pages = demo_report
    page = next(p for p in pages if label("data_quality", "en") in p and "Rows read" in p)
    demo = load_demo()
    unrated = (~demo.customers["customer_id"].isin(demo.responses["customer_id"])).sum()
    assert f"{unrated:,} customers gave no survey answer" in page
    for outcome in result.sections:
        if outcome.key != "data_quality":
            assert outcome.title in page
    for outcome in result.sections:
        if not outcome.included:
            assert outcome.reason, outcome.key


@pytest.fixture(scope="module")
def small_finnish_report(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ReportResult, list[str]]:
    sim = simulate(3_000, seed=3)
    out = tmp_path_factory.mktemp("small_fi")
    result = build_report(
        sim.customers, sim.responses, out_dir=out, assumptions=FAST, language="fi", seed=1
    )
    return result, _pages(result)


def test_missing_contacts_section_is_listed_as_not_available(
    small_finnish_report: tuple[ReportResult, list[str]],
) -> None:
    result, pages = small_finnish_report
    assert label("executive_summary", "fi") in pages[0]
    page = next(p for p in pages if "Rivejä luettu" in p)
    assert label("not_available", "fi") in page
    contacts_row = next(line for line in page.splitlines() if line.startswith("Yhteydenotot"))
    assert label("dq_not_given", "fi") in contacts_row
    drivers = [s for s in result.sections if s.key == "contact_drivers"]
    if drivers:
        assert not drivers[0].included
        assert drivers[0].title in page
    # page 1 names every section left out, before anyone reads the rest
    left_out = [s.title for s in result.sections if not s.included]
    first = " ".join(pages[0].split())
    assert left_out and "Raportista puuttuu: " + ", ".join(left_out) in first


def test_same_seed_same_report_text(
    small_finnish_report: tuple[ReportResult, list[str]], tmp_path: Path
) -> None:
    first, _ = small_finnish_report
    sim = simulate(3_000, seed=3)
    again = build_report(
        sim.customers, sim.responses, out_dir=tmp_path, assumptions=FAST, language="fi", seed=1
    )
    assert again.key_sentences == first.key_sentences
    assert again.n_pages == first.n_pages


def test_bad_data_raise_before_anything_is_written(tmp_path: Path) -> None:
    sim = simulate(500, seed=2)
    responses = sim.responses.copy()
    responses.loc[[3, 8, 13], "score"] = 11
    out = tmp_path / "never"
    with pytest.raises(CxDataError, match=r"`score`.*3 rows"):
        build_report(sim.customers, responses, out_dir=out, assumptions=FAST)
    assert not out.exists()

    with pytest.raises(CxDataError, match=r"`adjust_for` must be a sequence of column names"):
        build_report(sim.customers, sim.responses, out_dir=out, adjust_for="segment")
    with pytest.raises(CxDataError, match=r"`adjust_for`: \['plan'\] are not customer columns"):
        build_report(sim.customers, sim.responses, out_dir=out, adjust_for=("plan",))
    assert not out.exists()


def test_input_frames_are_not_modified(tmp_path: Path) -> None:
    sim = simulate(800, seed=4)
    before = sim.customers.copy(), sim.responses.copy()
    build_report(sim.customers, sim.responses, out_dir=tmp_path, assumptions=FAST)
    pd.testing.assert_frame_equal(sim.customers, before[0])
    pd.testing.assert_frame_equal(sim.responses, before[1])


def _included(result: ReportResult, key: str) -> None:
    outcome = next(s for s in result.sections if s.key == key)
    if not outcome.included:
        pytest.skip(f"{key} not available in this installation: {outcome.reason}")


def test_page_one_states_the_money_lost_of_the_economics(
    demo_report: tuple[ReportResult, list[str]],
) -> None:
    result, pages = demo_report
    _included(result, "channel_economics")
    frame = result.analyses["economics"].to_frame()
    total = frame.loc[frame["channel"] == "total"].iloc[0]
    text = " ".join(pages[0].split()).replace("\xa0", " ")
    assert format_money_compact(total["money_lost"]).replace("\xa0", " ") in text
    assert format_money_compact(total["money_lost_yearly_equivalent"]).replace("\xa0", " ") in text
    channels = frame[frame["channel"] != "total"]
    assert total["money_lost"] == pytest.approx(channels["money_lost"].sum())
    worst = channels.sort_values("money_lost")["channel"].iloc[-1]
    assert f"largest gap is in {worst}" in text


def test_page_one_puts_value_based_targets_beside_the_naive_rule(
    demo_report: tuple[ReportResult, list[str]],
) -> None:
    result, pages = demo_report
    _included(result, "targets")
    comparison = result.analyses["targets"]
    text = " ".join(pages[0].split())
    for channel, naive, value in zip(
        comparison.channels, comparison.target[0], comparison.target[1], strict=True
    ):
        assert f"{channel} {format_nps(value)}" in text
        assert f"{channel} {format_nps(naive)}" in text
    # "+25 %" on a positive NPS multiplies it (independent arithmetic)
    for today, naive in zip(comparison.nps_today, comparison.target[0], strict=True):
        if today > 0:
            assert naive == pytest.approx(min(today * 1.25, 100.0))


def test_page_one_names_the_three_biggest_levers(
    demo_report: tuple[ReportResult, list[str]],
) -> None:
    result, pages = demo_report
    _included(result, "contact_drivers")
    top = result.analyses["drivers"].top_levers(3)
    text = " ".join(pages[0].split())
    positions = [text.index(reason) for reason in top["reason"]]
    assert positions == sorted(positions)  # in rank order
    # the simulator's costliest reason (largest rate × hazard ratio) leads
    assert top["reason"].iloc[0] == "billing error"


def test_report_result_is_a_frozen_tidy_result(
    small_finnish_report: tuple[ReportResult, list[str]],
) -> None:
    import dataclasses

    result, _ = small_finnish_report
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.n_pages = 0  # type: ignore[misc]
    frame = result.to_frame()
    assert list(frame["section"]) == [s.key for s in SECTIONS]
    assert frame["pages"].sum() == result.n_pages
    assert "Leadership report" in result.summary()
    assert result._repr_html_().startswith("<div>")
    assert "nps_channel" in result.analyses


def _demo_context(assumptions: Assumptions) -> _Context:
    demo = load_demo()
    return _Context(
        customers=validate_customers(demo.customers),
        responses=validate_responses(demo.responses),
        contacts=None,
        channel_costs=validate_channel_costs(demo.channel_costs),
        channel_history=None,
        assumptions=assumptions,
        language="en",
        seed=5,
        progress=None,
    )


def test_budget_page_splits_the_naive_rules_money_and_beats_its_net_value() -> None:
    # the "+25 %" targets are one way to spend their own cost; the value-based split of
    # the same money can only do as well or better (up to solver tolerance)
    ctx = _demo_context(FAST)
    naive = ctx.targets()
    allocation = ctx.budget()
    budget = float(np.clip(naive.extra_cost[0], 0, None).sum())
    assert budget > 0
    assert allocation.budget == pytest.approx(budget)
    assert allocation.spend.sum() + allocation.unspent == pytest.approx(budget, rel=1e-6)
    assert (allocation.spend >= -1e-6).all()
    assert allocation.net_value.sum() >= naive.net_value[0].sum() - 1e-6 * budget


def test_budget_from_the_assumptions_is_the_one_split() -> None:
    ctx = _demo_context(Assumptions(n_bootstrap=50, cx_budget_per_year=40_000.0))
    allocation = ctx.budget()
    assert allocation.budget == 40_000.0
    assert allocation.spend.sum() + allocation.unspent == pytest.approx(40_000.0, rel=1e-6)


def test_demo_report_has_the_budget_page(demo_report: tuple[ReportResult, list[str]]) -> None:
    result, pages = demo_report
    budget_pages = [p for p in pages if label("budget_page", "en") in p]
    assert len(budget_pages) == 1
    text = " ".join(budget_pages[0].split())
    assert "the yearly extra cost of the “+25 %” targets" in text
    assert "budget_allocation.png" in [p.name for p in result.chart_paths]


def test_answers_after_the_cut_off_count_nowhere() -> None:
    # a survey export newer than the customer export: those answers are outside
    # "today" on the NPS page and in the economics alike
    demo = load_demo()
    customers = validate_customers(demo.customers)
    late = demo.responses.sample(3_000, random_state=1).assign(
        response_date=customers.as_of + pd.Timedelta(days=30), score=0
    )
    ctx = _demo_context(FAST)
    ctx.responses = validate_responses(pd.concat([demo.responses, late], ignore_index=True))
    economics = ctx.economics().to_frame().set_index("channel")
    assert any("after the cut-off" in c for c in ctx.caveats), ctx.caveats  # data-quality page
    by_channel = ctx.nps_channel().to_frame().set_index("channel")["nps"]
    clean = _demo_context(FAST).nps_channel().to_frame().set_index("channel")["nps"]
    pd.testing.assert_series_equal(by_channel, clean)  # the 3,000 zeros changed nothing
    clean_economics = _demo_context(FAST).economics().to_frame().set_index("channel")
    pd.testing.assert_series_equal(economics["nps"], clean_economics["nps"])


def test_a_zero_budget_from_the_assumptions_skips_the_page_and_says_why() -> None:
    ctx = _demo_context(Assumptions(n_bootstrap=50, cx_budget_per_year=0.0))
    assert ctx.optional(ctx.budget) is None
    assert "`cx_budget_per_year` is 0" in ctx.failures["budget"]


def test_page_one_sets_the_adjusted_money_beside_the_crude_one_with_its_e_value(
    demo_report: tuple[ReportResult, list[str]],
) -> None:
    """The crude money, the E-value and the quarter-confounded money, each recomputed."""
    import math

    from cx_economics.economics.channels import channel_economics
    from cx_economics.survival.hazards import hazard_ratios
    from cx_economics.tables.life import life_table

    result, pages = demo_report
    _included(result, "channel_economics")
    demo = load_demo()
    assert result.analyses["economics"].adjusted_for == ("segment",)
    text = " ".join(pages[0].split()).replace("\xa0", " ")
    a = Assumptions(n_bootstrap=50, cost_per_contact=DEMO_COSTS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CxAssumptionWarning)
        crude = channel_economics(demo.customers, demo.responses, assumptions=a).money_lost()
        table = life_table(demo.customers, demo.responses, by=("band", "channel", "segment"))
        ratio = hazard_ratios(table, include_unrated=False).ratio("detractor").value
    assert f"(crude: {format_money_compact(float(crude.sum()))})".replace("\xa0", " ") in text
    # VanderWeele & Ding's conversion of a common outcome's hazard ratio, then E = RR + √(RR(RR−1))
    rr = (1.0 - 0.5 ** math.sqrt(ratio)) / (1.0 - 0.5 ** math.sqrt(1.0 / ratio))
    e = rr + math.sqrt(rr * (rr - 1.0))
    assert f"Only a hidden factor {e:.1f} times as common among detractors" in text
    match = re.search(r"one explaining a quarter of it would leave €([\d.]+) k", text)
    assert match is not None, text
    adjusted = result.analyses["economics"].money_lost().sum()
    assert 0.6 * adjusted / 1e3 < float(match.group(1)) < adjusted / 1e3


def test_the_report_tables_go_to_one_workbook_with_units_in_the_headers(
    demo_report: tuple[ReportResult, list[str]], tmp_path: Path
) -> None:
    result, _ = demo_report
    path = result.to_excel(tmp_path / "tables.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert {"sections", "summary", "economics", "hazard_ratios", "nps_channel"} <= set(sheets)
    assert sheets["summary"]["key sentence"].tolist() == list(result.key_sentences)
    economics = result.analyses["economics"].to_frame()
    money = sheets["economics"]["money_lost (EUR, present value over 60 months)"]
    np.testing.assert_allclose(money.to_numpy(), economics["money_lost"].to_numpy())
    assert "lower (NPS points)" in sheets["nps_channel"].columns
    assert "hazard_ratio (ratio)" in sheets["hazard_ratios"].columns


def test_every_money_figure_on_page_one_comes_from_a_result_object(
    demo_report: tuple[ReportResult, list[str]],
) -> None:
    """Page 1 reconciles: each amount it prints is one of the results' own numbers.

    The candidates are recomputed here from the result objects behind the pages (the
    economics, its crude twin, the confounding sensitivity, the targets, the levers,
    the lifetime values), formatted as the page formats money; any other amount on
    page 1 would be a number no other page can back.
    """
    result, pages = demo_report
    a = result.analyses
    amounts: list[float] = []
    economics = a["economics"].to_frame().set_index("channel")
    for column in ("money_lost", "money_lost_lower", "money_lost_upper",
                   "money_lost_yearly_equivalent"):  # fmt: skip
        amounts += economics[column].dropna().tolist()
    amounts.append(float(a["crude_economics"].money_lost().sum()))
    sensitivity = a["money_if_confounded"]
    for column in ("money_lost", "money_lost_lower", "money_lost_upper"):
        amounts += sensitivity[column].tolist()
    targets = a["targets"]
    naive_net, value_net = targets.net_value.sum(axis=1)
    amounts += [naive_net, value_net, value_net - naive_net]
    amounts += a["drivers"].top_levers(3)["annual_benefit"].tolist()
    values = a["lifetime_values"].to_frame().set_index("band")["value"]
    amounts += [values["promoter"], values["detractor"], values["promoter"] - values["detractor"]]
    known = {format_money_compact(float(x)).replace("\xa0", " ") for x in amounts}
    known |= {format_money(float(x)).replace("\xa0", " ") for x in amounts}
    text = " ".join(pages[0].split()).replace("\xa0", " ")
    printed = re.findall(r"[−-]?€[\d.,]+(?: [kM]| bn)?", text)
    assert len(printed) >= 15, printed
    strays = [p for p in printed if p not in known]
    assert not strays, f"amounts on page 1 that no result holds: {strays}"
