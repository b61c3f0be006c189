"""The executive summary's sentences and key numbers, written only from analyses that ran."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from cx_economics.presentation.formatting import (
    Language,
    format_count,
    format_money,
    format_money_compact,
    format_money_range,
    format_nps,
    format_number,
    format_percent,
    format_with_interval,
    label,
)
from cx_economics.presentation.report._context import (
    CONFOUNDED_SHARE,
    NPS_WINDOW_MONTHS,
    _Context,
    _Unavailable,
    rows_of,
)


def _level_text(ctx: _Context) -> str:
    return label("interval", ctx.language).format(round(100 * ctx.assumptions.confidence_level))


def _say_nps(ctx: _Context) -> str:
    overall = ctx.nps()
    frame = ctx.nps_channel().to_frame().sort_values("nps")
    lang = ctx.language
    return label("say_nps", lang).format(
        months=NPS_WINDOW_MONTHS,
        nps=format_nps(overall.nps, lang),
        interval=_level_text(ctx),
        lower=format_nps(overall.lower, lang),
        upper=format_nps(overall.upper, lang),
        n=format_count(overall.n, lang),
        low=format_nps(frame["nps"].iloc[0], lang),
        low_channel=frame["channel"].iloc[0],
        high=format_nps(frame["nps"].iloc[-1], lang),
        high_channel=frame["channel"].iloc[-1],
    )


def _band_row(frame: pd.DataFrame, band: str) -> pd.Series:
    rows = frame[frame["band"].astype(str) == band]
    if rows.empty:
        raise _Unavailable(f"no `{band}` group in the results")
    return rows.iloc[0]


def _say_hazard(ctx: _Context) -> str:
    ratio = ctx.hazard_ratios().ratio("detractor")
    lang = ctx.language
    columns = ", ".join(ctx.adjust_for)
    also = "" if not columns else (f" and {columns}" if lang == "en" else f" ja ryhmän ({columns})")
    return label("say_hazard", lang).format(
        also=also,
        ratio=format_number(ratio.value, lang, decimals=1),
        interval=_level_text(ctx),
        lower=format_number(ratio.lower, lang, decimals=1),
        upper=format_number(ratio.upper, lang, decimals=1),
    )


def _say_churn_12(ctx: _Context) -> str:
    churn = ctx.km().churn_at(12)
    lang = ctx.language
    detractor, promoter = _band_row(churn, "detractor"), _band_row(churn, "promoter")
    return label("say_churn_12", lang).format(
        detractors=format_percent(detractor["churn"], lang, decimals=0),
        promoters=format_percent(promoter["churn"], lang, decimals=0),
    )


def _say_value(ctx: _Context) -> str:
    values = ctx.lifetime_values()
    frame = values.to_frame()
    promoter, detractor = _band_row(frame, "promoter"), _band_row(frame, "detractor")
    lang, cur = ctx.language, values.currency
    return label("say_value", lang).format(
        months=values.horizon_months or "∞",
        promoter=format_money(promoter["value"], cur, lang),
        detractor=format_money(detractor["value"], cur, lang),
        difference=format_money(promoter["value"] - detractor["value"], cur, lang),
    )


def _money(value: float, ctx: _Context) -> str:
    return format_money_compact(value, ctx.assumptions.currency, ctx.language)


def _range(lower: float, upper: float, ctx: _Context) -> str:
    return format_money_range(lower, upper, ctx.assumptions.currency, ctx.language)


def _nps_range(value: float, lower: float, upper: float, lang: Language) -> str:
    """NPS with its interval, ``+36 (+34 to +38)``, or alone when the interval is a point."""
    value_text, low, high = (format_nps(v, lang) for v in (value, lower, upper))
    return format_with_interval(value_text, low, high, lang)


def _money_interval(value: float, lower: float, upper: float, ctx: _Context) -> str:
    """Money with its interval, ``€36 k (€30 k to €41 k)``, or alone when it is a point."""
    value_text, low, high = (_money(v, ctx) for v in (value, lower, upper))
    return format_with_interval(value_text, low, high, ctx.language)


def _say_money_lost(ctx: _Context) -> str:
    economics = ctx.economics()
    frame = economics.to_frame()
    total = frame[frame["channel"] == "total"].iloc[0]
    channels = frame[frame["channel"] != "total"].sort_values("money_lost")
    worst = channels.iloc[-1]
    lang = ctx.language
    interval = ""
    if pd.notna(total.get("money_lost_lower", np.nan)):
        interval = f" ({_range(total['money_lost_lower'], total['money_lost_upper'], ctx)})"
    worst_range = ""
    if "money_lost_lower" in channels:
        worst_range = f", {_range(worst['money_lost_lower'], worst['money_lost_upper'], ctx)}"
    return label("say_money_lost", lang).format(
        total=_money(total["money_lost"], ctx),
        interval=interval,
        months=economics.horizon_months,
        per_year=_money(total["money_lost_yearly_equivalent"], ctx),
        channel=worst["channel"],
        amount=_money(worst["money_lost"], ctx),
        range=worst_range,
    )


def _say_robustness(ctx: _Context) -> str:
    """Page 1: adjusted or crude, and how strong a hidden confounder would have to be."""
    economics = ctx.economics()
    lang = ctx.language
    columns = ", ".join(economics.adjusted_for)
    if economics.adjusted_for:
        crude = float(ctx.crude_economics().money_lost().sum())
        first = label("say_robustness_adjusted", lang).format(
            columns=columns, crude=_money(crude, ctx)
        )
    else:
        first = label("say_robustness_crude", lang)
    table = ctx.e_values().table
    detractor = table[table["category"] == "detractor"]
    sensitivity = ctx.money_if_confounded()
    row = sensitivity[sensitivity["confounded_share"] == CONFOUNDED_SHARE]
    if detractor.empty or row.empty:
        return first
    quarter = row.iloc[0]
    second = label("say_robustness", lang).format(
        e=format_number(float(detractor["e_value"].iloc[0]), lang, decimals=1),
        quarter=_money(float(quarter["money_lost"]), ctx),
        range=_range(float(quarter["money_lost_lower"]), float(quarter["money_lost_upper"]), ctx),
    )
    return f"{first} {second}"


def _say_targets(ctx: _Context) -> str:
    comparison = ctx.targets()
    lang = ctx.language
    naive_net, value_net = comparison.net_value.sum(axis=1)

    def listing(row: int) -> str:
        return ", ".join(
            f"{ch} {format_nps(x, lang)}"
            for ch, x in zip(comparison.channels, comparison.target[row], strict=True)
        )

    return label("say_targets", lang).format(
        targets=listing(1),
        value_net=_money(value_net, ctx),
        naive=listing(0),
        naive_net=_money(naive_net, ctx),
        gap=_money(value_net - naive_net, ctx),
    )


def _say_levers(ctx: _Context) -> str:
    report = ctx.drivers()
    top = report.top_levers(3)
    if top.empty:
        raise _Unavailable("no contact reason is reliable enough to rank")
    lang = ctx.language
    per_year = label("per_year", lang)
    items = [f"{r.reason} ({_money(r.annual_benefit, ctx)} {per_year})" for r in rows_of(top)]
    key = "say_levers_fixes" if report.levers.mode == "fixes" else "say_levers_scenario"
    return label(key, lang).format(
        levers="; ".join(items),
        reduction=format_percent(float(top["reduction"].iloc[0]), lang, decimals=0),
    )


#: The executive summary's sentences, in order; each is left out when it cannot be said.
SENTENCES: tuple[Callable[[_Context], str], ...] = (
    _say_money_lost,
    _say_robustness,
    _say_targets,
    _say_levers,
    _say_nps,
    _say_hazard,
    _say_churn_12,
    _say_value,
)


def _key_numbers(ctx: _Context) -> list[tuple[str, str]]:
    """(number, caption) tiles for page 1 from the analyses available."""
    lang = ctx.language
    tiles: list[tuple[str, str]] = []
    economics = ctx.optional(ctx.economics)
    if economics is not None:
        frame = economics.to_frame()
        total = frame.loc[frame["channel"] == "total", "money_lost_yearly_equivalent"].sum()
        tiles.append((_money(total, ctx), label("tile_money_lost", lang)))
    overall = ctx.optional(ctx.nps)
    if overall is not None:
        tiles.append(
            (
                format_nps(overall.nps, lang),
                label("tile_nps", lang).format(
                    months=NPS_WINDOW_MONTHS, n=format_count(overall.n, lang)
                ),
            )
        )
    hazards = ctx.optional(ctx.hazard_ratios)
    if hazards is not None:
        ratio = hazards.ratio("detractor").value
        tiles.append((f"{format_number(ratio, lang, decimals=1)}×", label("tile_hazard", lang)))
    values = ctx.optional(ctx.lifetime_values)
    if values is not None:
        frame = values.to_frame()
        gap = _band_row(frame, "promoter")["value"] - _band_row(frame, "detractor")["value"]
        tiles.append(
            (
                format_money(gap, values.currency, lang),
                label("tile_value", lang).format(months=values.horizon_months or "∞"),
            )
        )
    tiles.append((format_count(len(ctx.customers), lang), label("tile_customers", lang)))
    return tiles[:4]
