"""NPS of survey answers that follow a contact about a reason, against all other answers.

An answer "follows" a contact about reason X when the same customer contacted about
X on the answer's day or up to ``window_days`` before it. Both groups' NPS carries
the trinomial variance ``(p + d − (p − d)²) / n`` (fractions; × 100² in points), and
their difference the sum of the two variances (independent groups; answers, not
customers, are the unit — a customer answering twice counts twice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.results import Result
from cx_economics.core.stats import check_level, normal_quantile, nps_variance
from cx_economics.data.schemas import Responses, validate_responses
from cx_economics.tables.contact_counts import LabelRule, contact_events

__all__ = ["NpsAfterContact", "nps_after_contacts", "nps_with_variance"]

FloatArray = npt.NDArray[np.float64]


def nps_with_variance(
    detractors: npt.ArrayLike, passives: npt.ArrayLike, promoters: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """NPS and its sampling variance from band counts, vectorised.

    Parameters
    ----------
    detractors, passives, promoters : array_like
        Counts of answers per band (whole numbers ≥ 0).

    Returns
    -------
    nps : ndarray
        ``100 × (promoters − detractors) / n`` in NPS points (−100..100); NaN when
        ``n = 0``.
    variance : ndarray
        Variance of that estimate in squared NPS points,
        ``100² × (p + d − (p − d)²) / n`` with ``p, d`` the promoter/detractor shares.

    Examples
    --------
    >>> nps, var = nps_with_variance(20, 30, 50)
    >>> float(nps[()]), round(float(var[()]), 2)
    (30.0, 61.0)
    """
    d = np.asarray(detractors, dtype=np.float64)
    n = d + np.asarray(passives, dtype=np.float64) + np.asarray(promoters, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_d = d / n
        share_p = np.asarray(promoters, dtype=np.float64) / n
        variance = 1e4 * nps_variance(share_p, share_d) / n
    return 100.0 * (share_p - share_d), variance


@dataclass(frozen=True, eq=False)
class NpsAfterContact(Result):
    """NPS of answers shortly after a contact about each reason, against other answers.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per reason: ``n_after`` answers within the window after a contact
        about it, ``nps_after`` (NPS points) with ``after_lower``/``after_upper``;
        ``n_other``, ``nps_other`` with ``other_lower``/``other_upper``;
        ``difference`` (after − other, NPS points) with ``difference_lower``/
        ``difference_upper``, ``p_value``, ``p_adjusted`` (Benjamini–Hochberg),
        ``reliable`` (``n_after ≥ min_responses``).
    window_days : int
        Days before an answer in which a contact counts (the answer's day included).
    level : float
        Nominal coverage.
    n_responses : int
        Answers analysed.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(1_000, seed=2)
    >>> nps_after_contacts(sim.responses, sim.contacts, window_days=14).window_days
    14
    """

    table: pd.DataFrame
    window_days: int
    level: float
    n_responses: int

    _title = "NPS after a contact, by reason"

    def to_frame(self) -> pd.DataFrame:
        """One row per reason (a copy of ``table``)."""
        return self.table.copy()

    def _notes(self) -> list[str]:
        few = self.table.loc[~self.table["reliable"], "reason"].tolist()
        notes = [f"an answer follows a contact when it is 0–{self.window_days} days after it"]
        if few:
            notes.append(f"too few answers after contact to judge: {few}")
        return notes


def _followed(
    responses: pd.DataFrame, events: pd.DataFrame, reason: str, window_days: int
) -> npt.NDArray[np.bool_]:
    """Whether each answer (sorted by date) has a contact about ``reason`` in the window."""
    mine = events.loc[events["reason"] == reason, ["customer_id", "contact_date"]]
    matched = pd.merge_asof(
        responses[["customer_id", "response_date"]],
        mine.sort_values("contact_date", kind="stable"),
        left_on="response_date",
        right_on="contact_date",
        by="customer_id",
        direction="backward",
        tolerance=pd.Timedelta(days=window_days),
    )
    out: npt.NDArray[np.bool_] = matched["contact_date"].notna().to_numpy()
    return out


def _band_counts(codes: npt.NDArray[np.int8], mask: npt.NDArray[np.bool_]) -> FloatArray:
    return np.bincount(codes[mask], minlength=3).astype(np.float64)


def _difference_table(
    after: FloatArray, other: FloatArray, reasons: Sequence[str], level: float, alpha: float
) -> pd.DataFrame:
    from statsmodels.stats.multitest import multipletests

    z = normal_quantile(level)
    nps_a, var_a = nps_with_variance(after[:, 0], after[:, 1], after[:, 2])
    nps_o, var_o = nps_with_variance(other[:, 0], other[:, 1], other[:, 2])
    diff, se = nps_a - nps_o, np.sqrt(var_a + var_o)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2.0 * stats.norm.sf(np.abs(diff / se))
    ok = np.isfinite(p)
    adjusted = np.full(p.shape, np.nan)
    if ok.any():
        adjusted[ok] = multipletests(p[ok], alpha=alpha, method="fdr_bh")[1]
    return pd.DataFrame(
        {
            "reason": list(reasons),
            "n_after": after.sum(axis=1).astype(np.int64),
            "nps_after": nps_a,
            "after_lower": nps_a - z * np.sqrt(var_a),
            "after_upper": nps_a + z * np.sqrt(var_a),
            "n_other": other.sum(axis=1).astype(np.int64),
            "nps_other": nps_o,
            "other_lower": nps_o - z * np.sqrt(var_o),
            "other_upper": nps_o + z * np.sqrt(var_o),
            "difference": diff,
            "difference_lower": diff - z * se,
            "difference_upper": diff + z * se,
            "p_value": p,
            "p_adjusted": adjusted,
        }
    )


def nps_after_contacts(
    responses: pd.DataFrame | Responses,
    contacts: object,
    *,
    window_days: int = 30,
    reasons: Sequence[str] | None = None,
    synonyms: Mapping[str, str] | None = None,
    labels: LabelRule = "all",
    level: float = 0.95,
    alpha: float = 0.05,
    min_responses: int = 30,
) -> NpsAfterContact:
    """Compare the NPS of answers that follow a contact about each reason with the rest.

    Parameters
    ----------
    responses : pandas.DataFrame or Responses
        Survey answers (``customer_id``, ``response_date``, ``score``).
    contacts : frame
        As in :func:`cx_economics.tables.contact_counts.contact_counts` (any engine).
    window_days : int, default 30
        An answer follows a contact made on its day or up to this many days before.
    reasons : sequence of str, optional
        Reasons to compare; all reasons in the contacts by default.
    synonyms, labels
        How reasons are read (see :func:`~cx_economics.tables.contact_counts.contact_events`).
    level : float, default 0.95
        Nominal coverage of the intervals.
    alpha : float, default 0.05
        False discovery rate of the Benjamini–Hochberg adjustment.
    min_responses : int, default 30
        Fewest answers after contact for ``reliable``.

    Returns
    -------
    NpsAfterContact

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(3_000, seed=2)
    >>> res = nps_after_contacts(sim.responses, sim.contacts, window_days=60)
    >>> bool((res.table["n_after"] + res.table["n_other"] == len(sim.responses)).all())
    True
    """
    check_level(level)
    if window_days < 0:
        raise CxDataError(f"`window_days` must be ≥ 0, got {window_days}")
    valid = validate_responses(responses)
    answers = valid.frame.sort_values("response_date", kind="stable", ignore_index=True)
    codes = valid.scheme.band_codes(answers["score"].to_numpy())
    events = contact_events(contacts, synonyms=synonyms, labels=labels)
    chosen = list(reasons) if reasons is not None else sorted(events["reason"].unique())
    unknown = sorted(set(chosen) - set(events["reason"]))
    if unknown:
        raise CxDataError(f"`reasons` names reason(s) not in the contacts: {unknown}")
    after = np.empty((len(chosen), 3))
    other = np.empty((len(chosen), 3))
    for i, reason in enumerate(chosen):
        followed = _followed(answers, events, reason, window_days)
        after[i], other[i] = _band_counts(codes, followed), _band_counts(codes, ~followed)
    table = _difference_table(after, other, chosen, level, alpha)
    table["reliable"] = table["n_after"] >= min_responses
    return NpsAfterContact(table, window_days, level, len(answers))
