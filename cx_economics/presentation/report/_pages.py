"""The report's analysis sections: summary, NPS, churn, value, economics, targets, drivers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cx_economics.presentation.formatting import (
    Language,
    format_count,
    format_money,
    format_months,
    format_nps,
    format_percent,
    format_range,
    label,
    translate_value,
)
from cx_economics.presentation.report._book import _Book
from cx_economics.presentation.report._context import (
    NPS_WINDOW_MONTHS,
    _Context,
    _Unavailable,
    budget_to_split,
    nps_cutoff,
    rows_of,
)
from cx_economics.presentation.report._sentences import (
    SENTENCES,
    _key_numbers,
    _level_text,
    _money,
    _money_interval,
    _nps_range,
    _range,
)
from cx_economics.presentation.style import draw_key_number, draw_paragraphs, draw_table


@dataclass(frozen=True)
class Section:
    """One part of the report.

    Parameters
    ----------
    key : str
        Label key of its title (see :func:`cx_economics.presentation.formatting.label`).
    build : callable
        ``build(context, book)`` draws the pages; raising the internal
        "unavailable" signal skips the section.
    last : bool, default False
        Built after every other section (page 1 and the data-quality page list their
        outcome), though placed where ``SECTIONS`` puts it.

    Examples
    --------
    >>> from cx_economics.presentation.report import SECTIONS
    >>> [s.key for s in SECTIONS][:2], [s.key for s in SECTIONS if s.last]
    (['executive_summary', 'nps_by_channel'], ['executive_summary', 'data_quality'])
    """

    key: str
    build: Callable[[_Context, _Book], None]
    last: bool = False


def _section_summary(ctx: _Context, book: _Book) -> None:
    from cx_economics.presentation.plots import plot_nps

    sentences = []
    for say in SENTENCES:
        try:
            sentences.append(say(ctx))
        except _Unavailable:
            continue
    ctx.sentences = tuple(sentences)
    left_out = [title for title, reason in ctx.outcomes if reason is not None]
    if left_out:
        sentences.append(label("say_left_out", ctx.language).format(sections=", ".join(left_out)))
    figure = book.page(label("executive_summary", ctx.language))
    parts = figure.subfigures(2, 1, height_ratios=[1.0, 3.6], squeeze=False)
    top, bottom = parts[0, 0], parts[1, 0]
    tiles = _key_numbers(ctx)
    for ax, (number, caption) in zip(top.subplots(1, 4), [*tiles, *[("", "")] * 4], strict=False):
        draw_key_number(ax, number, caption)
    by_channel = ctx.optional(ctx.nps_channel)
    if by_channel is None:
        draw_paragraphs(bottom.add_subplot(), sentences, fontsize=12, width=105)
        return
    text_ax, chart_ax = bottom.subplots(1, 2, width_ratios=[1.0, 1.0])
    draw_paragraphs(text_ax, sentences, fontsize=12, width=58, smallest=8.5)
    plot_nps(by_channel, ax=chart_ax, language=ctx.language)


def _nps_title(ctx: _Context, key: str) -> str:
    """A page title that states which answers the NPS counts (the shared window)."""
    window = label("nps_window", ctx.language).format(
        months=NPS_WINDOW_MONTHS, date=nps_cutoff(ctx).date()
    )
    return f"{label(key, ctx.language)} — {window}"


def _section_nps(ctx: _Context, book: _Book) -> None:
    from cx_economics.presentation.plots import plot_nps

    table = ctx.nps_channel()
    lang = ctx.language
    figure = book.page(_nps_title(ctx, "nps_by_channel"))
    grid = figure.add_gridspec(3, 1, height_ratios=[3.0, 0.25 + 0.2 * len(table), 0.5])
    plot_nps(table, ax=figure.add_subplot(grid[0]), language=lang)
    book.chart("nps_by_channel", plot_nps, table)
    rows = [
        [
            str(r.channel),
            format_count(r.n, lang),
            format_nps(r.nps, lang),
            format_range(format_nps(r.lower, lang), format_nps(r.upper, lang), lang),
            format_percent(r.promoter_share, lang, decimals=0),
            format_percent(r.detractor_share, lang, decimals=0),
            label("yes" if r.reliable else "small_sample", lang),
        ]
        for r in rows_of(table.to_frame().sort_values("nps", ascending=False))
    ]
    header = [
        label(k, lang)
        for k in (
            "channel",
            "responses",
            "nps",
            "interval_short",
            "promoter",
            "detractor",
            "reliable",
        )
    ]
    draw_table(
        figure.add_subplot(grid[1]),
        header,
        rows,
        align="lrrrrrl",
        col_widths=[0.16, 0.12, 0.08, 0.14, 0.12, 0.12, 0.26],
    )
    note = label("nps_note", lang).format(
        interval=_level_text(ctx), margin=table.reliability_margin, method=table.method
    )
    draw_paragraphs(figure.add_subplot(grid[2]), [note], fontsize=9.5, width=135, bullet="")
    teams = ctx.optional(ctx.nps_team)
    if teams is not None:
        team_page = book.page(_nps_title(ctx, "nps_by_team"))
        plot_nps(teams, ax=team_page.add_subplot(), language=lang)
        book.chart("nps_by_team", plot_nps, teams)


def _section_churn(ctx: _Context, book: _Book) -> None:
    from cx_economics.presentation.plots import plot_churn_at, plot_churn_curves

    curves, table = ctx.km(), ctx.life_table()
    hazards = ctx.optional(ctx.hazard_ratios)
    figure = book.page()
    grid = figure.add_gridspec(2, 2, width_ratios=[1.7, 1.0])
    plot_churn_curves(
        curves, ax=figure.add_subplot(grid[:, 0]), language=ctx.language, life_table=table
    )
    book.chart("churn_curves", plot_churn_curves, curves, life_table=table)
    plot_churn_at(curves, 12, ax=figure.add_subplot(grid[0, 1]), language=ctx.language)
    book.chart("churn_12_months", plot_churn_at, curves, month=12)
    if hazards is not None:
        from cx_economics.presentation.plots import plot_hazard_ratios

        plot_hazard_ratios(hazards, ax=figure.add_subplot(grid[1, 1]), language=ctx.language)
        book.chart("hazard_ratios", plot_hazard_ratios, hazards)


def _section_value(ctx: _Context, book: _Book) -> None:
    from cx_economics.presentation.plots import plot_lifetime_values

    values = ctx.lifetime_values()
    lang, cur = ctx.language, values.currency
    figure = book.page()
    grid = figure.add_gridspec(3, 1, height_ratios=[2.6, 0.35 + 0.22 * len(values.groups), 0.45])
    plot_lifetime_values(values, ax=figure.add_subplot(grid[0]), language=lang)
    book.chart("lifetime_value", plot_lifetime_values, values)
    frame = values.to_frame()
    rows = [
        [
            label(str(r.band), lang) if str(r.band) in _BANDS else str(r.band),
            format_count(r.n_customers, lang),
            format_money(r.monthly_margin, cur, lang, decimals=2),
            format_money(r.value, cur, lang),
            format_range(format_money(r.lower, cur, lang), format_money(r.upper, cur, lang), lang),
            format_percent(r.extrapolated_share, lang, decimals=0),
        ]
        for r in rows_of(frame)
    ]
    header = [
        label(k, lang)
        for k in (
            "band",
            "customers",
            "monthly_margin",
            "lifetime_value_short",
            "interval_short",
            "extrapolated_share",
        )
    ]
    draw_table(
        figure.add_subplot(grid[1]),
        header,
        rows,
        align="lrrrrr",
        col_widths=[0.16, 0.14, 0.14, 0.16, 0.24, 0.14],
    )
    note = label("value_note", lang).format(
        months=values.horizon_months or "∞",
        rate=format_percent(values.annual_discount_rate, lang, decimals=1),
        model=values.model,
        interval=_level_text(ctx),
        method=values.interval_method,
    )
    draw_paragraphs(figure.add_subplot(grid[2]), [note], fontsize=9.5, width=135, bullet="")


_BANDS = ("detractor", "passive", "promoter", "unrated")


def _payback(months: float, lang: Language) -> str:
    if not np.isfinite(months):
        return label("never", lang)
    return format_months(round(float(months)), lang)


def _ratio(value: float, lang: Language) -> str:
    return "—" if not np.isfinite(value) else format_percent(value, lang, decimals=0)


def _economics_rows(frame: pd.DataFrame, ctx: _Context) -> list[list[str]]:
    lang = ctx.language
    rows = []
    for r in frame.to_dict("records"):
        is_total = r["channel"] == "total"
        interval = (
            ""
            if is_total or "money_lost_lower" not in r
            else _range(r["money_lost_lower"], r["money_lost_upper"], ctx)
        )
        nps_text = "" if is_total else _nps_range(r["nps"], r["nps_lower"], r["nps_upper"], lang)
        rows.append(
            [
                label("total", lang) if is_total else str(r["channel"]),
                format_count(r["customers"], lang),
                nps_text,
                "" if is_total else format_nps(r["excellent_nps"], lang),
                _money(r["value_per_point"], ctx),
                _money(r["money_lost"], ctx),
                interval,
                _money(r["money_lost_yearly_equivalent"], ctx),
                "—" if pd.isna(r["cost_of_excellence"]) else _money(r["cost_of_excellence"], ctx),
                "—" if pd.isna(r["net_value"]) else _money(r["net_value"], ctx),
                ""
                if is_total or not r["cost_of_excellence"] > 0
                else _payback(r["payback_months"], lang),
                _ratio(r["roi"], lang),
            ]
        )
    return rows


def _section_economics(ctx: _Context, book: _Book) -> None:
    from cx_economics.presentation.plots import plot_money_lost

    economics = ctx.economics()
    lang = ctx.language
    frame = economics.to_frame()
    figure = book.page()
    grid = figure.add_gridspec(3, 1, height_ratios=[2.6, 0.35 + 0.22 * len(frame), 0.45])
    plot_money_lost(economics, ax=figure.add_subplot(grid[0]), language=lang)
    book.chart("money_lost", plot_money_lost, economics)
    keys = (
        "channel",
        "customers",
        "nps_active",
        "excellent_short",
        "value_of_point_short",
        "money_lost_short",
        "interval_short",
        "per_year_short",
        "cost_of_excellence_short",
        "net_value_short",
        "payback",
        "roi",
    )
    draw_table(
        figure.add_subplot(grid[1, :]),
        [label(k, lang) for k in keys],
        _economics_rows(frame, ctx),
        align="lrrrrrrrrrrr",
        fontsize=8.0,
        col_widths=[0.07, 0.07, 0.12, 0.08, 0.07, 0.08, 0.10, 0.08, 0.10, 0.08, 0.10, 0.05],
    )
    note = label("economics_note", lang).format(
        months=economics.horizon_months,
        rule=economics.mix_shift.rule,
        interval=_level_text(ctx),
    )
    draw_paragraphs(figure.add_subplot(grid[2]), [note], fontsize=9.0, width=140, bullet="")
    if economics.cost_models:
        from cx_economics.presentation.plots import plot_value_vs_cost

        page = book.page(label("channel_economics", lang) + " — " + label("value_vs_cost", lang))
        plot_value_vs_cost(economics, figure=page, language=lang)
        book.chart("value_vs_cost", plot_value_vs_cost, economics)


def _target_rows(comparison: Any, ctx: _Context) -> list[list[str]]:
    """Two rows per channel (naive rule, value-based), then a total per rule."""
    lang = ctx.language
    names = (label("naive_target", lang), label("value_target", lang))
    rows = []
    for i, channel in enumerate(comparison.channels):
        for r in (0, 1):
            moves = comparison.extra_cost[r, i] > 0
            target = (
                format_nps(comparison.target[0, i], lang)
                if r == 0
                else _nps_range(
                    comparison.target[1, i],
                    comparison.target_lower[1, i],
                    comparison.target_upper[1, i],
                    lang,
                )
            )
            rows.append(
                [
                    channel if r == 0 else "",
                    names[r],
                    target,
                    _money(comparison.extra_cost[r, i], ctx),
                    _money(comparison.net_value[r, i], ctx),
                    _range(comparison.net_value_lower[r, i], comparison.net_value_upper[r, i], ctx)
                    if r == 1
                    else "",
                    _ratio(comparison.roi[r, i], lang) if moves else "—",
                    _payback(comparison.payback_months[r, i], lang) if moves else "—",
                ]
            )
    for r in (0, 1):
        rows.append(
            [
                label("total", lang) if r == 0 else "",
                names[r],
                "",
                _money(comparison.extra_cost[r].sum(), ctx),
                _money(comparison.net_value[r].sum(), ctx),
                "",
                "",
                "",
            ]
        )
    return rows


def _section_targets(ctx: _Context, book: _Book) -> None:
    from cx_economics.presentation.plots import plot_net_value_by_nps, plot_targets

    comparison = ctx.targets()
    value_targets = ctx.value_targets()
    lang = ctx.language
    figure = book.page()
    rows = _target_rows(comparison, ctx)
    grid = figure.add_gridspec(3, 2, height_ratios=[2.2, 0.35 + 0.2 * len(rows), 0.4])
    plot_targets(comparison, ax=figure.add_subplot(grid[0, 0]), language=lang)
    book.chart("targets", plot_targets, comparison)
    plot_net_value_by_nps(
        value_targets, comparison=comparison, ax=figure.add_subplot(grid[0, 1]), language=lang
    )
    book.chart("net_value_by_nps", plot_net_value_by_nps, value_targets, comparison=comparison)
    keys = (
        "channel",
        "rule",
        "target",
        "extra_cost_short",
        "net_value_short",
        "interval_short",
        "roi",
        "payback",
    )
    draw_table(
        figure.add_subplot(grid[1, :]),
        [label(k, lang) for k in keys],
        rows,
        align="llrrrrrr",
        fontsize=8.5,
        col_widths=[0.1, 0.14, 0.14, 0.12, 0.11, 0.17, 0.08, 0.12],
    )
    note = label("targets_note", lang).format(
        gap=_money(float(comparison.net_value_given_up.sum()), ctx)
    )
    draw_paragraphs(figure.add_subplot(grid[2, :]), [note], fontsize=9.0, width=140, bullet="")
    allocation = ctx.optional(ctx.budget)
    if allocation is not None:
        _budget_page(ctx, book, allocation, comparison)


def _budget_page(ctx: _Context, book: _Book, allocation: Any, comparison: Any) -> None:
    """The yearly budget split across channels by value, beside the naive rule's net value."""
    from cx_economics.presentation.plots import plot_budget_allocation

    lang = ctx.language
    figure = book.page(label("budget_page", lang))
    c = len(allocation.channels)
    grid = figure.add_gridspec(3, 1, height_ratios=[2.4, 0.35 + 0.2 * (c + 1), 0.45])
    plot_budget_allocation(allocation, ax=figure.add_subplot(grid[0]), language=lang)
    book.chart("budget_allocation", plot_budget_allocation, allocation)
    rows = [
        [
            channel,
            _money_interval(
                allocation.spend[i], allocation.spend_lower[i], allocation.spend_upper[i], ctx
            ),
            f"{format_nps(allocation.nps_today[i], lang)} → "
            + _nps_range(
                allocation.nps_target[i],
                allocation.nps_target_lower[i],
                allocation.nps_target_upper[i],
                lang,
            ),
            _money_interval(
                allocation.value_gain[i],
                allocation.value_gain_lower[i],
                allocation.value_gain_upper[i],
                ctx,
            ),
            _money(allocation.net_value[i], ctx),
        ]
        for i, channel in enumerate(allocation.channels)
    ]
    rows.append(
        [
            label("total", lang),
            _money(float(allocation.spend.sum()), ctx),
            "",
            _money(float(allocation.value_gain.sum()), ctx),
            _money(float(allocation.net_value.sum()), ctx),
        ]
    )
    keys = ("channel", "extra_spend_short", "target", "value_gain_short", "net_value_short")
    draw_table(
        figure.add_subplot(grid[1]),
        [label(k, lang) for k in keys],
        rows,
        align="lrrrr",
        fontsize=8.5,
        col_widths=[0.12, 0.26, 0.24, 0.24, 0.14],
    )
    budget, source = budget_to_split(ctx)
    unspent = (
        label("budget_unspent", lang).format(unspent=_money(allocation.unspent, ctx))
        if allocation.unspent > 1e-6 * max(budget, 1.0)
        else ""
    )
    note = label("budget_note", lang).format(
        budget=_money(budget, ctx),
        source=label(f"budget_source_{source}", lang),
        net=_money(float(allocation.net_value.sum()), ctx),
        naive=_money(float(comparison.net_value[0].sum()), ctx),
        value_based=_money(float(comparison.net_value[1].sum()), ctx),
        unspent=unspent,
    )
    draw_paragraphs(figure.add_subplot(grid[2]), [note], fontsize=9.0, width=140, bullet="")


def _section_drivers(ctx: _Context, book: _Book) -> None:
    from cx_economics.presentation.plots import plot_drivers

    report = ctx.drivers()
    lang = ctx.language
    figure = book.page()
    top = report.top_levers(5)
    grid = figure.add_gridspec(3, 1, height_ratios=[2.6, 0.35 + 0.22 * len(top), 0.45])
    plot_drivers(report, ax=figure.add_subplot(grid[0]), language=lang)
    book.chart("contact_drivers", plot_drivers, report)
    fixes = report.levers.mode == "fixes"
    rows = [
        [
            str(int(r.rank)),
            translate_value(str(r.reason), lang),
            format_percent(r.reduction, lang, decimals=0),
            _money_interval(r.annual_benefit, r.annual_benefit_lower, r.annual_benefit_upper, ctx),
            _money(r.break_even_cost, ctx),
            *([_money(r.npv, ctx)] if fixes else []),
            translate_value(str(r.decision), lang),
        ]
        for r in rows_of(top)
    ]
    keys = ["rank", "contact_reason", "reduction", "benefit_per_year", "break_even"]
    keys += ["npv", "decision"] if fixes else ["decision"]
    widths = [0.04, 0.17, 0.07, 0.25, 0.15] + ([0.1, 0.22] if fixes else [0.32])
    draw_table(
        figure.add_subplot(grid[1]),
        [label(k, lang) for k in keys],
        rows,
        align="rlrrrrl" if fixes else "rlrrrl",
        fontsize=8.5,
        col_widths=widths,
    )
    note = label("drivers_note", lang).format(months=report.levers.horizon_months)
    draw_paragraphs(figure.add_subplot(grid[2]), [note], fontsize=9.0, width=140, bullet="")
