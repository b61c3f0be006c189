"""The report's closing sections: data quality and the methods-and-assumptions appendix."""

from __future__ import annotations

import re
import textwrap

from cx_economics.presentation.formatting import (
    Language,
    format_count,
    format_nps,
    format_number,
    format_percent,
    label,
    translate_value,
)
from cx_economics.presentation.report._book import _Book
from cx_economics.presentation.report._context import _Context, book_date, rows_of
from cx_economics.presentation.report._sentences import _level_text
from cx_economics.presentation.style import draw_paragraphs, draw_table


def _input_rows(ctx: _Context) -> list[list[str]]:
    """Rows read, used and ignored per input table, with what was ignored and why."""
    lang = ctx.language
    customers, responses = ctx.customers.frame, ctx.responses.frame
    known = responses["customer_id"].isin(customers["customer_id"])
    as_of = ctx.customers.as_of
    late = responses["response_date"] > as_of if as_of is not None else known & False
    used = known & ~late
    rated = customers["customer_id"].isin(responses.loc[used, "customer_id"])
    rows = [
        [
            label("customers", lang),
            format_count(len(customers), lang),
            format_count(len(customers), lang),
            "0",
            label("dq_unrated", lang).format(n=format_count(int((~rated).sum()), lang)),
        ],
        [
            label("responses", lang),
            format_count(len(responses), lang),
            format_count(int(used.sum()), lang),
            format_count(int((~used).sum()), lang),
            label("dq_responses", lang).format(
                orphans=format_count(int((~known).sum()), lang),
                late=format_count(int((known & late).sum()), lang),
            ),
        ],
    ]
    if ctx.contacts is None:
        rows.append([label("contacts", lang), "—", "—", "—", label("dq_not_given", lang)])
    else:
        linked = ctx.contacts.frame["customer_id"].isin(customers["customer_id"])
        orphans = format_count(int((~linked).sum()), lang)
        rows.append(
            [
                label("contacts", lang),
                format_count(len(linked), lang),
                format_count(int(linked.sum()), lang),
                orphans,
                label("dq_contacts", lang).format(orphans=orphans),
            ]
        )
    costs = ctx.channel_costs
    n = "—" if costs is None else format_count(len(costs), lang)
    note = label("dq_not_given", lang) if costs is None else ""
    rows.append([label("channel_costs", lang), n, n, "—" if costs is None else "0", note])
    return rows


def _small_sample_lines(ctx: _Context) -> list[str]:
    lines = []
    for analysis, what in ((ctx.nps_channel, "channel"), (ctx.nps_team, "team")):
        table = ctx.optional(analysis)
        if table is None:
            continue
        frame = table.ranked()
        flagged = frame[~frame["reliable"].astype(bool)]
        key = "dq_small" if len(flagged) else "dq_all_reliable"
        lines.append(
            label(key, ctx.language).format(
                what=label(what, ctx.language).lower(),
                k=len(flagged),
                n=len(frame),
                margin=format_number(table.reliability_margin, ctx.language),
                examples=", ".join(map(str, flagged[what].head(5))),
            )
        )
    return lines


def _section_data_quality(ctx: _Context, book: _Book) -> None:
    lang = ctx.language
    figure = book.page()
    grid = figure.add_gridspec(3, 1, height_ratios=[1.1, 1.2, 1.7])
    header = [label(k, lang) for k in ("table", "rows_read", "rows_used", "rows_ignored", "note")]
    draw_table(
        figure.add_subplot(grid[0]),
        header,
        _input_rows(ctx),
        align="lrrrl",
        col_widths=[0.13, 0.11, 0.11, 0.12, 0.53],
    )
    caveats = [textwrap.shorten(c, 190, placeholder=" …") for c in ctx.caveats[:5]]
    if len(ctx.caveats) > 5:
        caveats.append(label("more_caveats", lang).format(n=len(ctx.caveats) - 5))
    draw_paragraphs(
        figure.add_subplot(grid[1]), _small_sample_lines(ctx) + caveats, fontsize=9.5, width=130
    )
    rows = [
        [
            title,
            label("included" if reason is None else "not_available", lang),
            textwrap.shorten(reason or "", 110, placeholder=" …"),
        ]
        for title, reason in ctx.outcomes
    ]
    header = [label(k, lang) for k in ("section", "status", "reason")]
    draw_table(figure.add_subplot(grid[2]), header, rows, col_widths=[0.25, 0.13, 0.62])


def _assumption_value(value: object, lang: Language) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return format_number(float(value), lang)
    return format_number(float(value), lang, decimals=4).rstrip("0")


def _method_lines(ctx: _Context) -> list[str]:
    lang = ctx.language
    lines = [
        label("method_data", lang).format(
            as_of=book_date(ctx), customers=format_count(len(ctx.customers), lang), seed=ctx.seed
        )
    ]
    table = ctx.optional(ctx.nps_channel)
    if table is not None:
        lines.append(
            label("method_nps", lang).format(
                method=table.method,
                margin=format_number(table.reliability_margin, lang),
                interval=_level_text(ctx),
            )
        )
    curves = ctx.optional(ctx.km)
    if curves is not None:
        lines.append(
            label("method_churn", lang).format(model=curves.model, interval=_level_text(ctx))
        )
    values = ctx.optional(ctx.lifetime_values)
    if values is not None:
        lines.append(
            label("method_value", lang).format(
                months=values.horizon_months or "∞",
                model=values.model,
                rate=format_percent(values.annual_discount_rate, lang, decimals=1),
                method=values.interval_method,
                n=format_count(ctx.assumptions.n_bootstrap, lang),
            )
        )
    return lines + _model_method_lines(ctx)


def _model_method_lines(ctx: _Context) -> list[str]:
    """Methods of the money sections, for those that ran."""
    lang = ctx.language
    lines = []
    economics = ctx.optional(ctx.economics)
    if economics is not None:
        levels = ", ".join(
            f"{ch} {format_nps(x, lang)} ({_excellence_source(src, lang)})"
            for ch, x, src in zip(
                economics.channels,
                economics.excellent_nps,
                economics.excellent_source,
                strict=True,
            )
        )
        lines.append(
            label("method_economics", lang).format(levels=levels, rule=economics.mix_shift.rule)
        )
        if economics.adjusted_for:
            lines.append(
                label("method_adjusted", lang).format(columns=", ".join(economics.adjusted_for))
            )
    if ctx.optional(ctx.targets) is not None:
        lines.append(label("method_targets", lang))
    drivers = ctx.optional(ctx.drivers)
    if drivers is not None:
        lines.append(label(f"method_drivers_{drivers.levers.mode}", lang))
    return lines


def _excellence_source(source: str, language: Language) -> str:
    """Where a channel's excellent level came from, in ``language``.

    Examples
    --------
    >>> _excellence_source("best quartile of 6 teams (+8.6 over the channel)", "fi")
    'paras neljännes 6 tiimistä (+8,6 yli kanavan)'
    """
    if language == "en":
        return source
    found = re.fullmatch(
        r"best quartile of (\d+) teams \(([+-−]?[\d.]+) over the channel\)", source
    )
    if found:
        lead = found.group(2).replace(".", ",").replace("-", "−")
        return f"paras neljännes {found.group(1)} tiimistä ({lead} yli kanavan)"
    return {"given": "annettu"}.get(source, source)


def _section_appendix(ctx: _Context, book: _Book) -> None:
    lang = ctx.language
    figure = book.page()
    grid = figure.add_gridspec(1, 2, width_ratios=[1.1, 1.0])
    frame = ctx.assumptions.to_frame()
    rows = [
        [
            str(r.assumption),
            _assumption_value(r.value, lang),
            translate_value(str(r.unit), lang, currency=ctx.assumptions.currency),
        ]
        for r in rows_of(frame)
    ]
    header = [label(k, lang) for k in ("assumption", "value", "unit")]
    draw_table(
        figure.add_subplot(grid[0]),
        header,
        rows,
        align="lrl",
        fontsize=8.5,
        col_widths=[0.46, 0.14, 0.4],
    )
    draw_paragraphs(
        figure.add_subplot(grid[1]), _method_lines(ctx), fontsize=9.5, width=72, smallest=7.0
    )
