"""From channel targets to team and person targets, scorecards and a daily view.

Cascading
---------
A channel's NPS is the response-weighted mean of its teams' NPS, so if every team
adds the same number of points the channel adds exactly that too.
:func:`cascade_targets` therefore gives each team its baseline plus the channel's
lift, ``lift = max(channel target − channel baseline, 0)`` (``team_rule="equal_lift"``,
the default: equal effort, whatever the starting point), or the channel target itself
(``"same_level"``). A team whose baseline interval is wider than ± the reliability
margin gets the channel target: its baseline is too noisy to build on. People get
their team's target by default — a person's baseline rests on a few dozen answers,
and holding someone to a lucky or unlucky year is not fair (``person_rule=
"equal_lift"`` uses reliable personal baselines instead).

Scorecards
----------
:func:`scorecards` gives, per team (or person, or channel) and month of the period,
the NPS so far with its interval, the target, the responses still expected (at the
unit's baseline pace, or the pace so far when it has no baseline), the promoters
needed among them (:func:`cx_economics.targets.needed.responses_needed`) and a
reliability flag: a unit whose interval is wider than ± ``reliability_margin`` points
is not judged. :func:`standing` is the same for one day — "where do I stand today,
how many good responses do I still need" — in one call on the responses table.

:func:`~cx_economics.targets.frontier.achievability_frontier` (re-exported here) reads the
team history for what a channel's best teams have demonstrably reached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.results import Result
from cx_economics.data.schemas import Responses
from cx_economics.tables.nps_counts import NpsCounts
from cx_economics.targets._nps_inputs import (
    _KEYS,
    Period,
    Unit,
    _as_of,
    _between,
    _counts,
    _nps_table,
    _responses,
)
from cx_economics.targets.frontier import AchievabilityFrontier, achievability_frontier

__all__ = [
    "AchievabilityFrontier",
    "CascadedTargets",
    "Scorecards",
    "achievability_frontier",
    "cascade_targets",
    "scorecards",
    "standing",
]


@dataclass(frozen=True, eq=False)
class CascadedTargets(Result):
    """Channel targets split into team and person targets.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per channel, team and employee: ``unit``, ``channel``, ``team``,
        ``employee``, ``baseline_n`` (responses), ``baseline_nps`` with
        ``baseline_lower``/``baseline_upper`` (points), ``reliable``, ``target``
        (points) and ``basis`` (how the target was set).
    baseline_start, as_of : pandas.Timestamp
        The baseline window (start excluded, ``as_of`` included).
    team_rule, person_rule : str
    reliability_margin : float
        Largest interval half-width (points) of a baseline that is built on.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(3_000, seed=4, survey="transactional")  # surveys after contacts
    >>> cascade = cascade_targets(sim.responses, {"phone": 20.0, "web": 25.0})
    >>> cascade.baseline_days, cascade.table.groupby("unit").size().to_dict()
    (365, {'channel': 2, 'employee': 92, 'team': 12})

    Each channel's lift is its target less its baseline NPS (points):

    >>> channels = cascade.unit("channel")[["channel", "baseline_nps", "lift", "target"]]
    >>> channels.round(1).to_numpy().tolist()
    [['phone', 9.2, 10.8, 20.0], ['web', 18.7, 6.3, 25.0]]
    >>> print(cascade.summary().splitlines()[-1])  # doctest: +NORMALIZE_WHITESPACE
    note: 104 teams/people have baselines wider than ±10 points and take the target of
    the unit above
    """

    table: pd.DataFrame
    baseline_start: pd.Timestamp
    as_of: pd.Timestamp
    team_rule: str
    person_rule: str
    reliability_margin: float

    _title = "Cascaded NPS targets"

    @property
    def baseline_days(self) -> int:
        """Length of the baseline window, days."""
        return int((self.as_of - self.baseline_start).days)

    def unit(self, unit: Unit) -> pd.DataFrame:
        """Rows of one kind of unit (``"channel"``, ``"team"`` or ``"employee"``)."""
        return self.table[self.table["unit"] == unit].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the table."""
        return self.table.copy()

    def _notes(self) -> list[str]:
        weak = self.table[~self.table["reliable"] & (self.table["unit"] != "channel")]
        return [
            f"baseline {self.baseline_start.date()} to {self.as_of.date()}; teams: "
            f"{self.team_rule}, people: {self.person_rule}",
            f"{len(weak)} teams/people have baselines wider than ±{self.reliability_margin:g} "
            "points and take the target of the unit above",
        ]


def _channel_targets(
    targets: Mapping[str, float] | object, channels: tuple[str, ...]
) -> dict[str, float]:
    if isinstance(targets, Mapping):
        mapping = targets
    else:
        as_mapping = getattr(targets, "as_mapping", None)
        if as_mapping is None:
            raise CxDataError(
                "`channel_targets` must be a mapping channel → NPS or a targets result "
                f"(ValueTargets, NaiveTargets); got {type(targets).__name__}"
            )
        mapping = as_mapping()
    out = {str(k): float(v) for k, v in mapping.items()}
    bad = {k: v for k, v in out.items() if not -100.0 <= v <= 100.0}
    if bad:
        raise CxDataError(f"`channel_targets` must be NPS points −100..100; got {bad}")
    if not set(out) & set(channels):
        raise CxDataError(
            f"`channel_targets` names none of the channels in `responses` {list(channels)}"
        )
    return out


def _split(
    rows: pd.DataFrame, parent: pd.DataFrame, keys: list[str], rule: str, lift_rule: str
) -> pd.DataFrame:
    """Targets of one unit from the unit above (``parent`` holds its target and lift)."""
    up = parent[[*keys, "target", "lift"]].rename(columns={"target": "up", "lift": "up_lift"})
    rows = rows.merge(up, on=keys, how="inner")
    lifted = (rows["baseline_nps"] + rows["up_lift"]).clip(-100.0, 100.0)
    own = (rule == lift_rule) & rows["reliable"]
    rows["target"] = np.where(own, lifted, rows["up"])
    basis_up = (
        "target of the unit above" if rule != lift_rule else "unreliable baseline: unit above"
    )
    rows["basis"] = np.where(own, "baseline + lift", basis_up)
    rows["lift"] = np.where(own, rows["up_lift"], rows["target"] - rows["baseline_nps"])
    return rows.drop(columns=["up", "up_lift"])


def cascade_targets(
    responses: pd.DataFrame | Responses,
    channel_targets: Mapping[str, float] | object,
    *,
    as_of: str | pd.Timestamp | None = None,
    baseline_months: int = 12,
    team_rule: Literal["equal_lift", "same_level"] = "equal_lift",
    person_rule: Literal["team_target", "equal_lift"] = "team_target",
    reliability_margin: float = 10.0,
    level: float = 0.95,
) -> CascadedTargets:
    """Split channel NPS targets into team and person targets.

    Parameters
    ----------
    responses : pandas.DataFrame or Responses
        Survey answers with ``channel``, ``team``, ``employee`` and ``response_date``.
    channel_targets : mapping channel → float, ValueTargets or NaiveTargets
        Target per channel, NPS points.
    as_of : date-like, optional
        End of the baseline window; the last response date by default.
    baseline_months : int, default 12
        Months of responses behind each baseline.
    team_rule : {"equal_lift", "same_level"}, default "equal_lift"
        Teams add the channel's lift to their baseline, or all take the channel target.
    person_rule : {"team_target", "equal_lift"}, default "team_target"
        People take their team's target, or add the team's lift to a reliable baseline.
    reliability_margin : float, default 10
        Largest baseline interval half-width (points) that is built on.
    level : float, default 0.95
        Coverage of the baseline intervals.

    Returns
    -------
    CascadedTargets
        Targets in NPS points for every channel, team and employee.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(3_000, seed=4, survey="transactional")  # surveys after contacts
    >>> cascade = cascade_targets(sim.responses, {"phone": 20.0, "web": 25.0},
    ...                           reliability_margin=25)
    >>> sorted(cascade.unit("channel")["channel"])
    ['phone', 'web']
    >>> teams = cascade.unit("team")
    >>> teams["basis"].unique().tolist()
    ['unreliable baseline: unit above', 'baseline + lift']
    """
    if team_rule not in ("equal_lift", "same_level"):
        raise CxDataError(f"`team_rule` must be 'equal_lift' or 'same_level', got {team_rule!r}")
    if person_rule not in ("team_target", "equal_lift"):
        raise CxDataError(
            f"`person_rule` must be 'team_target' or 'equal_lift', got {person_rule!r}"
        )
    if baseline_months < 1:
        raise CxDataError(f"`baseline_months` must be at least 1, got {baseline_months}")
    valid = _responses(responses, "employee")
    end = _as_of(valid, as_of)
    start = end - pd.DateOffset(months=baseline_months)
    window = _between(valid, start, end)
    if len(window) == 0:
        raise CxDataError(f"no responses between {start.date()} and {end.date()} (the baseline)")
    targets = _channel_targets(channel_targets, valid.channels)
    frames = {
        lvl: _nps_table(_counts(window, _KEYS[lvl]), level, reliability_margin)
        .rename(columns={"n": "baseline_n", "nps": "baseline_nps"})
        .rename(columns={"lower": "baseline_lower", "upper": "baseline_upper"})
        .drop(columns=["detractors", "passives", "promoters"])
        for lvl in ("channel", "team", "employee")
    }
    chan = frames["channel"]
    chan = chan[chan["channel"].isin(list(targets))].copy()
    chan["target"] = chan["channel"].map(targets)
    chan["lift"] = np.maximum(chan["target"] - chan["baseline_nps"], 0.0)
    chan["basis"] = "channel target"
    teams = _split(frames["team"], chan, ["channel"], team_rule, "equal_lift")
    people = _split(frames["employee"], teams, ["channel", "team"], person_rule, "equal_lift")
    table = pd.concat(
        [chan.assign(unit="channel"), teams.assign(unit="team"), people.assign(unit="employee")],
        ignore_index=True,
    )
    columns = ["unit", "channel", "team", "employee", "baseline_n", "baseline_nps"]
    columns += ["baseline_lower", "baseline_upper", "reliable", "lift", "target", "basis"]
    return CascadedTargets(
        table=table.reindex(columns=columns),
        baseline_start=pd.Timestamp(start),
        as_of=end,
        team_rule=team_rule,
        person_rule=person_rule,
        reliability_margin=float(reliability_margin),
    )


@dataclass(frozen=True, eq=False)
class Scorecards(Result):
    """Where each unit stands against its NPS target, by date.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per unit and date: key columns, ``date``, ``responses`` so far this
        period, ``detractors``/``passives``/``promoters``, ``nps`` with
        ``nps_lower``/``nps_upper`` (points), ``reliable``, ``target`` (points),
        ``gap`` (target − NPS, points), ``expected_remaining`` (responses),
        ``promoters_needed`` (None when out of reach), ``reachable`` and ``message``.
    unit : str
        ``"channel"``, ``"team"`` or ``"employee"``.
    period_start, period_end : pandas.Timestamp
        The period being scored (inclusive).
    assume : str
        What remaining non-promoters are assumed to be (see ``responses_needed``).
    reliability_margin : float

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(3_000, seed=4, survey="transactional")  # surveys after contacts
    >>> cascade = cascade_targets(sim.responses, {"phone": 20.0, "web": 25.0})
    >>> cards = scorecards(sim.responses, cascade, unit="channel", period="Q")
    >>> cards.unit, str(cards.period_start.date()), str(cards.period_end.date())
    ('channel', '2025-10-01', '2025-12-31')

    Phone, month by month through the quarter (no count once out of reach):

    >>> phone = cards.to_frame().query("channel == 'phone'")
    >>> columns = ["date", "responses", "target", "promoters_needed", "reachable"]
    >>> print(phone[columns].to_string(index=False))
          date  responses  target  promoters_needed  reachable
    2025-10-31         11    20.0                 9       True
    2025-11-30         18    20.0                 9       True
    2025-12-30         32    20.0              <NA>      False
    """

    table: pd.DataFrame
    unit: str
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    assume: str
    reliability_margin: float

    _title = "NPS scorecards"

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The columns that name a unit at this unit, e.g. ``("channel", "team")``."""
        return _KEYS[self.unit]

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the table."""
        return self.table.copy()

    def _notes(self) -> list[str]:
        latest = self.table[self.table["date"] == self.table["date"].max()]
        unreliable = int((~latest["reliable"]).sum())
        out_of_reach = int((~latest["reachable"]).sum())
        return [
            f"period {self.period_start.date()} to {self.period_end.date()}; remaining "
            f"non-promoters assumed {self.assume}",
            f"{unreliable} of {len(latest)} units have intervals wider than "
            f"±{self.reliability_margin:g} points: too few responses to judge fairly",
            f"{out_of_reach} units cannot reach their target this period",
        ]


def _unit_targets(targets: CascadedTargets, unit: Unit) -> tuple[pd.DataFrame, dict[str, float]]:
    """Targets and baseline pace (responses per day) of a unit, plus channel fallbacks."""
    keys = list(_KEYS[unit])
    rows = targets.unit(unit)[[*keys, "target", "baseline_n"]].copy()
    rows["pace"] = rows["baseline_n"] / max(targets.baseline_days, 1)
    chan = targets.unit("channel")
    fallback = {str(c): float(t) for c, t in zip(chan["channel"], chan["target"], strict=True)}
    return rows, fallback


def _score_rows(
    counts: pd.DataFrame, assume: str
) -> tuple[list[int | None], list[bool], list[str]]:
    """Promoters needed, reachability and the scorecard sentence of every row."""
    from cx_economics.targets.needed import responses_needed

    bands = counts[["detractors", "passives", "promoters"]].to_numpy(np.int64)
    remaining = counts["expected_remaining"].to_numpy(np.int64)
    targets = counts["target"].to_numpy(np.float64)
    needed: list[int | None] = []
    reachable: list[bool] = []
    messages: list[str] = []
    for band, m, target in zip(bands, remaining, targets, strict=True):
        n = int(band.sum())
        if n + m == 0 or np.isnan(target):
            needed.append(None)
            reachable.append(False)
            messages.append("no responses and no target" if n + m == 0 else "no target")
            continue
        answer = responses_needed(
            tuple(int(v) for v in band),
            float(target),
            int(m),
            assume=assume,  # type: ignore[arg-type]  # validated by responses_needed
        )
        needed.append(answer.promoters_needed)
        reachable.append(answer.reachable)
        messages.append(answer.message)
    return needed, reachable, messages


def _cumulative(
    valid: Responses, keys: list[str], start: pd.Timestamp, dates: Sequence[pd.Timestamp]
) -> pd.DataFrame:
    """Counts per unit from ``start`` (excluded) up to each date (included)."""
    parts = []
    for date in dates:
        window = _between(valid, start, date)
        if len(window) == 0:
            continue
        frame = _counts(window, tuple(keys)).to_frame()
        parts.append(frame.assign(date=pd.Timestamp(date).as_unit("ns")))
    if not parts:
        raise CxDataError(f"no responses between {start.date()} and {dates[-1].date()}")
    return pd.concat(parts, ignore_index=True)


def _score(
    responses: pd.DataFrame | Responses,
    targets: CascadedTargets,
    *,
    unit: Unit,
    period: Period,
    as_of: str | pd.Timestamp | None,
    monthly: bool,
    assume: str,
    reliability_margin: float,
    confidence: float,
) -> Scorecards:
    if unit not in _KEYS:
        raise CxDataError(f"`unit` must be 'channel', 'team' or 'employee', got {unit!r}")
    if period not in ("M", "Q", "Y"):
        raise CxDataError(f"`period` must be 'M', 'Q' or 'Y', got {period!r}")
    valid = _responses(responses, unit)
    today = _as_of(valid, as_of)
    span = today.to_period(period)
    first, last = span.start_time.normalize(), span.end_time.normalize()
    months = pd.period_range(first, today, freq="M") if monthly else pd.PeriodIndex([], freq="M")
    dates = [min(pd.Timestamp(m.end_time).normalize(), today) for m in months] or [today]
    keys = list(_KEYS[unit])
    counts = _cumulative(valid, keys, first - pd.Timedelta(days=1), dates)
    table = _nps_table(
        NpsCounts.from_counts(
            detractors=counts["detractors"],
            passives=counts["passives"],
            promoters=counts["promoters"],
            groups=[
                (*(str(v) for v in k), str(pd.Timestamp(d).date()))
                for k, d in zip(counts[keys].to_numpy(), counts["date"].to_numpy(), strict=True)
            ],
            group_columns=[*keys, "date_key"],
        ),
        confidence,
        reliability_margin,
    )
    counts[["nps", "nps_lower", "nps_upper", "reliable"]] = table[
        ["nps", "lower", "upper", "reliable"]
    ].to_numpy()
    unit_targets, fallback = _unit_targets(targets, unit)
    counts = counts.rename(columns={"n": "responses"}).merge(unit_targets, on=keys, how="left")
    counts["target"] = counts["target"].fillna(counts["channel"].map(fallback))
    elapsed = np.maximum((counts["date"] - first).dt.days + 1, 1)
    remaining_days = (last - counts["date"]).dt.days
    pace = counts["pace"].where(counts["pace"] > 0, counts["responses"] / elapsed)
    counts["expected_remaining"] = np.round(pace * remaining_days).astype(np.int64)
    counts["gap"] = counts["target"] - counts["nps"]
    needed, reachable, messages = _score_rows(counts, assume)
    counts["promoters_needed"] = pd.Series(needed, index=counts.index, dtype="Int64")
    counts["reachable"] = reachable
    counts["message"] = [
        msg if ok else f"too few responses to judge fairly; {msg}"
        for msg, ok in zip(messages, counts["reliable"].astype(bool), strict=True)
    ]
    columns = [*keys, "date", "responses", "detractors", "passives", "promoters", "nps"]
    columns += ["nps_lower", "nps_upper", "reliable", "target", "gap", "expected_remaining"]
    columns += ["promoters_needed", "reachable", "message"]
    out = counts[columns].sort_values([*keys, "date"], kind="stable").reset_index(drop=True)
    out["reliable"] = out["reliable"].astype(bool)
    return Scorecards(out, unit, first, last, assume, float(reliability_margin))


def scorecards(
    responses: pd.DataFrame | Responses,
    targets: CascadedTargets,
    *,
    unit: Unit = "team",
    period: Period = "Y",
    as_of: str | pd.Timestamp | None = None,
    assume: Literal["passive", "current_mix", "detractor"] = "passive",
    reliability_margin: float = 10.0,
    confidence: float = 0.95,
) -> Scorecards:
    """Monthly scorecards of a period: NPS so far, target, and what it still takes.

    Parameters
    ----------
    responses : pandas.DataFrame or Responses
        Survey answers with the key columns of ``unit`` and ``response_date``.
    targets : CascadedTargets
        Targets per channel, team and employee (:func:`cascade_targets`); units
        without one take their channel's target.
    unit : {"channel", "team", "employee"}, default "team"
        Who is scored.
    period : {"M", "Q", "Y"}, default "Y"
        The calendar period containing ``as_of``; one scorecard per month of it so far.
    as_of : date-like, optional
        Today; the last response date by default.
    assume : {"passive", "current_mix", "detractor"}, default "passive"
        What the remaining non-promoters are assumed to be.
    reliability_margin : float, default 10
        Largest interval half-width (points) of a unit that is judged.
    confidence : float, default 0.95
        Coverage of the NPS intervals.

    Returns
    -------
    Scorecards
        One row per unit and month end (NPS points, response counts).

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(3_000, seed=4, survey="transactional")  # surveys after contacts
    >>> cascade = cascade_targets(sim.responses, {"phone": 20.0, "web": 25.0})
    >>> cards = scorecards(sim.responses, cascade, unit="team", period="Q")
    >>> cards.to_frame()["date"].dt.strftime("%Y-%m-%d").unique().tolist()
    ['2025-10-31', '2025-11-30', '2025-12-30']
    """
    return _score(
        responses,
        targets,
        unit=unit,
        period=period,
        as_of=as_of,
        monthly=True,
        assume=assume,
        reliability_margin=reliability_margin,
        confidence=confidence,
    )


def standing(
    responses: pd.DataFrame | Responses,
    targets: CascadedTargets,
    *,
    unit: Unit = "employee",
    period: Period = "Q",
    as_of: str | pd.Timestamp | None = None,
    assume: Literal["passive", "current_mix", "detractor"] = "passive",
    reliability_margin: float = 10.0,
    confidence: float = 0.95,
) -> Scorecards:
    """Where each unit stands today and how many good responses it still needs.

    Parameters
    ----------
    responses : pandas.DataFrame or Responses
        Survey answers with the key columns of ``unit`` and ``response_date``.
    targets : CascadedTargets
        Targets per channel, team and employee (:func:`cascade_targets`).
    unit : {"channel", "team", "employee"}, default "employee"
        Who is scored.
    period : {"M", "Q", "Y"}, default "Q"
        The calendar period containing ``as_of``.
    as_of : date-like, optional
        Today; the last response date by default.
    assume : {"passive", "current_mix", "detractor"}, default "passive"
        What the remaining non-promoters are assumed to be.
    reliability_margin : float, default 10
        Largest interval half-width (points) of a unit that is judged.
    confidence : float, default 0.95
        Coverage of the NPS intervals.

    Returns
    -------
    Scorecards
        One row per unit, dated ``as_of``: NPS so far (points) with interval, target,
        responses still expected, promoters needed.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(3_000, seed=4, survey="transactional")  # surveys after contacts
    >>> cascade = cascade_targets(sim.responses, {"phone": 20.0})
    >>> today = standing(sim.responses, cascade, unit="team", as_of="2025-11-15")
    >>> today.to_frame()["date"].nunique(), sorted(today.to_frame()["channel"].unique())[:2]
    (1, ['branch', 'chat'])
    """
    return _score(
        responses,
        targets,
        unit=unit,
        period=period,
        as_of=as_of,
        monthly=False,
        assume=assume,
        reliability_margin=reliability_margin,
        confidence=confidence,
    )
