"""Churn hazard ratios of contact reasons, free of immortal-time bias.

A customer who contacted about a reason at some point had to be alive until then.
Comparing "ever contacted" with "never contacted" customers therefore credits the
contacted group with the months before their contact — *immortal time* — and makes
contacts look protective (Suissa, 2008). The fix is to let the flag switch on only
after the contact: a time-varying covariate "has contacted about X before this
month", fitted as a discrete-time proportional-hazards model (binomial GLM with a
complementary log-log link on person-months; Allison, 1982). Its coefficients are
log hazard ratios.

The person-months come aggregated from
:func:`~cx_economics.drivers.person_months.contact_person_months`; within a baseline
bin they are summed further, which leaves the grouped binomial likelihood unchanged.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from cx_economics.core.bands import NpsBand
from cx_economics.core.exceptions import CxDataError, CxModelError
from cx_economics.core.results import Result
from cx_economics.core.stats import check_level, normal_quantile
from cx_economics.data.schemas import Customers, Responses
from cx_economics.drivers.person_months import (
    ExposureRule,
    PersonMonths,
    contact_person_months,
)
from cx_economics.tables.contact_counts import LabelRule

__all__ = ["ChurnLink", "contact_churn_link"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_ADJUSTABLE = ("channel", "band")


# --------------------------------------------------------------------------- model


def _baseline_bins(frame: pd.DataFrame, n_bins: int) -> IntArray:
    """Piecewise-constant baseline: months grouped into ≤ n_bins runs of equal events."""
    events = frame.groupby("month")["churned"].sum().sort_index()
    share = (events.cumsum() - events) / max(float(events.sum()), 1.0)
    bin_of = np.minimum(np.floor(share.to_numpy() * n_bins), n_bins - 1).astype(np.int64)
    mapping = pd.Series(pd.factorize(bin_of)[0], index=events.index)
    return mapping.reindex(frame["month"]).to_numpy(np.int64)


def _dummies(values: pd.Series, name: str, reference: str | None) -> pd.DataFrame:
    levels = sorted(values.unique())
    if reference is None or reference not in levels:
        reference = str(values.value_counts().idxmax())
    keep = [v for v in levels if v != reference]
    return pd.DataFrame({f"{name}={v}": (values == v).to_numpy(np.float64) for v in keep})


def _model_cells(pm: PersonMonths, adjust_for: Sequence[str], baseline_bins: int) -> pd.DataFrame:
    """Person-months summed within baseline bins (exact: cells share one hazard there)."""
    frame = pm.frame.assign(baseline=_baseline_bins(pm.frame, baseline_bins))
    keys = ["baseline", *adjust_for, *pm.flag_columns]
    return frame.groupby(keys, as_index=False, sort=False)[["at_risk", "churned"]].sum()


def _design(cells: pd.DataFrame, pm: PersonMonths, adjust_for: Sequence[str]) -> pd.DataFrame:
    bins = cells["baseline"].to_numpy()
    parts = [
        pd.DataFrame({f"baseline[{b}]": (bins == b).astype(np.float64) for b in np.unique(bins)})
    ]
    for column in adjust_for:
        reference = NpsBand.PROMOTER.value if column == "band" else None
        parts.append(_dummies(cells[column], column, reference))
    parts.append(pd.DataFrame({c: cells[c].to_numpy(np.float64) for c in pm.flag_columns}))
    return pd.concat(parts, axis=1)


@dataclass(frozen=True, eq=False)
class ChurnLink(Result):
    """Hazard ratio of churn after a contact about each reason, with intervals.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per reason: ``customers_contacted`` (customers whose flag switched on
        while observed), ``flagged_person_months``, ``flagged_churners``,
        ``hazard_ratio`` (monthly churn hazard with the flag on ÷ off, adjusted for
        the other flags, month of tenure and ``adjusted_for``) with ``lower``/
        ``upper``, ``p_value``, ``p_adjusted`` (Benjamini–Hochberg across reasons),
        ``significant`` and ``enough_events`` (≥ ``min_events`` flagged churners).
    flagged_by_band : pandas.DataFrame
        ``reason``, ``band``, ``flagged_person_months``, ``flagged_churners``: where
        the churn attributable to a reason falls (used to value it).
    coefficients : pandas.DataFrame
        Every model term: ``term``, ``estimate`` (log hazard ratio, or log baseline
        hazard per month for ``baseline[...]`` terms), ``std_error``.
    log_hr_cov : numpy.ndarray, shape (K, K)
        Covariance of the reasons' log hazard ratios (for joint simulation).
    reasons : tuple of str
        The K reasons, in the order of ``log_hr_cov``.
    exposure, labels : str
        How flags were built (see :class:`PersonMonths`).
    adjusted_for : tuple of str
        Covariates in the model besides the flags and the baseline.
    level : float
        Nominal coverage.
    total_person_months : float
        Customer-months at risk in the model.
    total_churners : int
        Churn events in the model.
    n_customers : int
        Customers in the model.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(2_000, seed=4)
    >>> link = contact_churn_link(sim.customers, sim.contacts, reasons=["billing error"])
    >>> link.table.columns[:4].tolist()
    ['reason', 'customers_contacted', 'flagged_person_months', 'flagged_churners']
    """

    table: pd.DataFrame
    flagged_by_band: pd.DataFrame
    coefficients: pd.DataFrame
    log_hr_cov: FloatArray
    reasons: tuple[str, ...]
    exposure: str
    labels: str
    adjusted_for: tuple[str, ...]
    level: float
    total_person_months: float
    total_churners: int
    n_customers: int

    _title = "Churn hazard ratio after a contact, by reason"

    def to_frame(self) -> pd.DataFrame:
        """One row per reason (a copy of ``table``)."""
        return self.table.copy()

    def _notes(self) -> list[str]:
        notes = [
            f"discrete-time proportional hazards (cloglog), flags {self.exposure}; "
            f"adjusted for month of tenure and {list(self.adjusted_for)}"
        ]
        if self.exposure == "ever-contacted":
            notes.append(
                "'ever contacted' flags credit pre-contact months to the contacted group "
                "(immortal-time bias): hazard ratios are biased towards protection"
            )
        few = self.table.loc[~self.table["enough_events"], "reason"].tolist()
        if few:
            notes.append(f"too few churners after contact to judge: {few}")
        return notes


def _fit(cells: pd.DataFrame, design: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    import statsmodels.api as sm

    churned = cells["churned"].to_numpy(np.float64)
    survived = cells["at_risk"].to_numpy(np.float64) - churned
    family = sm.families.Binomial(link=sm.families.links.CLogLog())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.GLM(
            np.column_stack([churned, survived]), design.to_numpy(), family=family
        ).fit()
    params, cov = np.asarray(result.params), np.asarray(result.cov_params())
    if not result.converged or not np.all(np.isfinite(np.diag(cov))):
        raise CxModelError(
            "the churn model did not converge; try fewer reasons (`max_reasons`), fewer "
            "`baseline_bins`, or drop a covariate from `adjust_for`"
        )
    return params, cov


def _flagged(pm: PersonMonths) -> pd.DataFrame:
    rows = []
    for reason, col in zip(pm.reasons, pm.flag_columns, strict=True):
        on = pm.frame[pm.frame[col]]
        by_band = on.groupby("band")[["at_risk", "churned"]].sum().reset_index()
        rows.append(by_band.assign(reason=reason))
    out = pd.concat(rows, ignore_index=True).rename(
        columns={"at_risk": "flagged_person_months", "churned": "flagged_churners"}
    )
    return out[["reason", "band", "flagged_person_months", "flagged_churners"]]


def contact_churn_link(
    customers: pd.DataFrame | Customers,
    contacts: object,
    responses: pd.DataFrame | Responses | None = None,
    *,
    reasons: Sequence[str] | None = None,
    max_reasons: int = 12,
    synonyms: Mapping[str, str] | None = None,
    labels: LabelRule = "all",
    exposure: ExposureRule = "time-varying",
    adjust_for: Sequence[str] = ("channel", "band"),
    baseline_bins: int = 12,
    level: float = 0.95,
    alpha: float = 0.05,
    min_events: int = 10,
) -> ChurnLink:
    """Hazard ratio of churn after a contact about each reason.

    Parameters
    ----------
    customers, contacts, responses
        As in :func:`contact_person_months` (``responses`` give the band covariate).
    reasons, max_reasons, synonyms, labels
        Which reasons get a flag, and how labels are read.
    exposure : {"time-varying", "ever-contacted"}
        ``"time-varying"`` (default) switches a flag on the month after the first
        contact, so later contacts cannot leak into earlier survival.
        ``"ever-contacted"`` is the naive, immortal-time-biased flag, for comparison.
    adjust_for : sequence of {"channel", "band"}
        Covariates besides month of tenure. The band is the latest survey answer,
        which may itself follow a contact (a mediator): drop it to get the total
        effect of a contact.
    baseline_bins : int, default 12
        Months of tenure are grouped into at most this many runs with similar
        numbers of churners, each with its own baseline hazard.
    level : float, default 0.95
        Nominal coverage of the intervals.
    alpha : float, default 0.05
        False discovery rate for ``significant`` (Benjamini–Hochberg).
    min_events : int, default 10
        Fewest churners with a flag on for ``enough_events``.

    Returns
    -------
    ChurnLink

    Raises
    ------
    CxModelError
        The model does not converge.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> sim = simulate(4_000, seed=5)
    >>> link = contact_churn_link(sim.customers, sim.contacts, sim.responses)
    >>> row = link.table.set_index("reason").loc["billing error"]
    >>> bool(row["lower"] > 1.0)
    True
    """
    unknown = sorted(set(adjust_for) - set(_ADJUSTABLE))
    check_level(level)
    if unknown or baseline_bins < 1:
        raise CxDataError(
            f"`adjust_for` must be a subset of {list(_ADJUSTABLE)} (got unknown {unknown}) "
            f"and `baseline_bins` ≥ 1 (got {baseline_bins})"
        )
    pm = contact_person_months(
        customers, contacts, responses, reasons=reasons, max_reasons=max_reasons,
        synonyms=synonyms, labels=labels, exposure=exposure,
    )  # fmt: skip
    cells = _model_cells(pm, tuple(adjust_for), baseline_bins)
    design = _design(cells, pm, adjust_for)
    params, cov = _fit(cells, design)
    return _link_result(pm, design, params, cov, tuple(adjust_for), level, alpha, min_events)


def _link_result(
    pm: PersonMonths, design: pd.DataFrame, params: FloatArray, cov: FloatArray,
    adjusted_for: tuple[str, ...], level: float, alpha: float, min_events: int,
) -> ChurnLink:  # fmt: skip
    from statsmodels.stats.multitest import multipletests

    k = len(pm.reasons)
    se = np.sqrt(np.diag(cov))
    beta, beta_se = params[-k:], se[-k:]
    z = normal_quantile(level)
    p = 2.0 * stats.norm.sf(np.abs(beta / beta_se))
    flagged = _flagged(pm)
    totals = flagged.groupby("reason")[["flagged_person_months", "flagged_churners"]].sum()
    totals = totals.reindex(list(pm.reasons), fill_value=0)
    table = pd.DataFrame(
        {
            "reason": list(pm.reasons),
            "customers_contacted": list(pm.flagged_customers),
            "flagged_person_months": totals["flagged_person_months"].to_numpy(),
            "flagged_churners": totals["flagged_churners"].to_numpy(),
            "hazard_ratio": np.exp(beta),
            "lower": np.exp(beta - z * beta_se),
            "upper": np.exp(beta + z * beta_se),
            "p_value": p,
            "p_adjusted": multipletests(p, alpha=alpha, method="fdr_bh")[1],
        }
    )
    table["significant"] = table["p_adjusted"] < alpha
    table["enough_events"] = table["flagged_churners"] >= min_events
    table["exposure"] = pm.exposure
    coefficients = pd.DataFrame({"term": list(design.columns), "estimate": params, "std_error": se})
    return ChurnLink(
        table=table,
        flagged_by_band=flagged,
        coefficients=coefficients,
        log_hr_cov=np.asarray(cov[-k:, -k:], dtype=np.float64),
        reasons=pm.reasons,
        exposure=pm.exposure,
        labels=pm.labels,
        adjusted_for=adjusted_for,
        level=level,
        total_person_months=float(pm.frame["at_risk"].sum()),
        total_churners=int(pm.frame["churned"].sum()),
        n_customers=pm.n_customers,
    )
