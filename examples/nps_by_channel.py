"""NPS by channel with intervals, then by team and employee within one channel.

Shows the reliability flag in use: teams with a few hundred answers a quarter get
intervals of about ±8 points and are ranked; employees with a few dozen get about ±20 and
are listed last, unranked.

Run: .venv/bin/python examples/nps_by_channel.py
"""

from __future__ import annotations

import pandas as pd

from cx_economics.data.datasets import load_demo
from cx_economics.scores import compare_nps, nps, sample_size_for_margin
from cx_economics.tables import nps_counts
from cx_economics.targets import responses_needed

COLUMNS = ["n", "nps", "lower", "upper", "reliable"]


def show(frame: pd.DataFrame, keys: list[str], extra: tuple[str, ...] = ()) -> None:
    print(frame[[*keys, *COLUMNS, *extra]].round(1).to_string(index=False))
    print()


def main() -> None:
    responses = load_demo().responses

    by_channel = nps(responses, by="channel")
    print("NPS by channel, all responses (95 % adjusted-Wald intervals, NPS points):")
    show(by_channel.to_frame(), ["channel"])

    quarter = responses["response_date"].dt.to_period("Q").astype(str)
    latest = quarter.max()
    chat = responses[(responses["channel"] == "chat") & (quarter == latest)]

    teams = nps(chat, by="team")
    print(f"Chat teams in {latest}, ranked where reliable (half-width ≤ ±10 points):")
    show(teams.ranked(), ["team"], ("rank", "status"))

    weakest = teams.ranked()["team"].iloc[-1]
    employees = nps(chat[chat["team"] == weakest], by="employee")
    print(f"Employees of {weakest} in {latest}: too few answers each to rank anyone:")
    show(employees.ranked(), ["employee"], ("rank", "status"))

    counts = nps_counts(chat, by="team")
    best = teams.ranked()["team"].iloc[0]
    gap = compare_nps(counts.group(best), counts.group(weakest))
    print(
        f"{best} − {weakest}: {gap.difference:+.1f} points, {gap.level:.0%} interval "
        f"[{gap.lower:.1f}, {gap.upper:.1f}], p = {gap.p_value:.2g}"
    )
    print(f"Answers needed for ±10 points whatever the band mix: {sample_size_for_margin(10)}")
    target = responses_needed(counts.group(weakest), target_nps=0, expected_remaining=150)
    print(f"{weakest}, target NPS 0 with 150 more answers this quarter: {target.message}")


if __name__ == "__main__":
    main()
