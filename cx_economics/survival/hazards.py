"""Hazard ratios of NPS bands (and channels, segments…), and a check of proportional hazards.

Two estimators, both fitted on the small life table rather than on raw rows:

``method="discrete"`` (default)
    The grouped-time proportional-hazards model (Prentice & Gloeckler, 1978): a
    binomial GLM with a complementary log-log link on the person-month rows of
    :meth:`~cx_economics.tables.life.LifeTable.to_person_period`, one baseline
    parameter per month with churn, and treatment-coded group columns, weighted by
    the number of customers in each row (statsmodels ``freq_weights``). Its
    coefficients are log hazard ratios of the continuous-time proportional-hazards
    model behind monthly data, and the fit is *exactly* the fit on raw person-months.
``method="cox"``
    lifelines' ``CoxPHFitter`` on the life-table cells with the customer counts as
    weights. lifelines handles ties only by Efron's method, and its weighted Efron
    treats a cell of tied churners as one tied unit, so it lands between Breslow and
    Efron on the raw rows: on monthly data with 1–3 % churn a month the hazard ratios
    differ from a raw-row Efron fit in the third or fourth decimal (the tests pin it).

Months in which nobody churns carry no information on the ratios (their baseline
estimate is minus infinity in either model) and are left out.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError, CxModelError
from cx_economics.core.results import Estimate, Result
from cx_economics.core.stats import check_level, normal_quantile
from cx_economics.survival._discrete import (
    Levels,
    _check_events,
    _covariates,
    _fit_cloglog,
    _person_months,
    _references,
)
from cx_economics.tables.life import LifeTable

__all__ = [
    "HazardRatios",
    "ProportionalHazardsCheck",
    "check_proportional_hazards",
    "hazard_ratios",
]

FloatArray = npt.NDArray[np.float64]
Method = Literal["discrete", "cox"]

_TERM_COLUMNS = [
    "term",
    "covariate",
    "category",
    "hazard_ratio",
    "lower",
    "upper",
    "p_value",
    "log_hazard_ratio",
    "std_error",
]


@dataclass(frozen=True, eq=False)
class HazardRatios(Result):
    """Hazard ratios of each category of a group column against its reference category.

    Attributes
    ----------
    method : str
        ``"discrete"`` (grouped-time cloglog GLM) or ``"cox"`` (lifelines, Efron ties).
    terms : pandas.DataFrame
        One row per non-reference category: ``term`` (``"band=detractor"``),
        ``covariate``, ``category``, ``hazard_ratio`` (ratio of monthly churn hazards,
        unitless) with ``lower``/``upper`` (Wald interval on the log scale),
        ``p_value`` (Wald test of ratio 1), ``log_hazard_ratio`` and ``std_error``.
    references : mapping
        Covariate → its reference category (hazard ratio 1 by definition).
    level : float
        Nominal coverage of the intervals.
    n_customers, n_churned : int
        Customers and churn events behind the fit.
    details : dict
        Fit diagnostics: log-likelihood, iterations or convergence, months used.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables import life_table
    >>> sim = simulate(3000, seed=1)
    >>> table = life_table(sim.customers, sim.responses)
    >>> ratios = hazard_ratios(table)
    >>> ratios.to_frame()["category"].tolist()
    ['detractor', 'passive', 'unrated']
    >>> bool(ratios.to_frame()["hazard_ratio"].iloc[0] > 1.5)  # detractors against promoters
    True
    """

    method: str
    terms: pd.DataFrame
    references: Mapping[str, str]
    level: float
    n_customers: int
    n_churned: int
    details: dict[str, object] = field(default_factory=dict)

    _title = "Hazard ratios"

    def to_frame(self) -> pd.DataFrame:
        """The terms with the reference category and the method on every row."""
        frame = self.terms.copy()
        frame["reference"] = frame["covariate"].map(dict(self.references))
        frame["method"] = self.method
        return frame

    def ratio(self, category: str, covariate: str = "band") -> Estimate:
        """The hazard ratio of one category (1 for the reference category), with its interval.

        Examples
        --------
        >>> cells = pd.DataFrame({"band": ["detractor", "detractor", "promoter", "promoter"],
        ...                       "duration": [1, 2, 1, 2], "churned": [True, False] * 2,
        ...                       "customers": [20, 80, 10, 90]})
        >>> hr = hazard_ratios(LifeTable(cells, ("band",), "latest", None, False))
        >>> round(hr.ratio("detractor").value, 3), hr.ratio("promoter").value
        (2.118, 1.0)
        """
        if self.references.get(covariate) == category:
            return Estimate(1.0, 1.0, 1.0, self.level)
        terms = self.terms
        row = terms[(terms["covariate"] == covariate) & (terms["category"] == category)]
        if row.empty:
            raise KeyError(f"no term {covariate}={category}; terms are {terms['term'].tolist()}")
        hr, lower, upper = row[["hazard_ratio", "lower", "upper"]].to_numpy(np.float64)[0]
        return Estimate(float(hr), float(lower), float(upper), self.level)

    def _notes(self) -> list[str]:
        refs = ", ".join(f"{c} = {v}" for c, v in self.references.items())
        return [f"reference categories (hazard ratio 1): {refs}"]


# --------------------------------------------------------------------------- design


def _terms_frame(
    terms: Sequence[tuple[str, str]], beta: FloatArray, se: FloatArray, level: float
) -> pd.DataFrame:
    z = normal_quantile(level)
    frame = pd.DataFrame(
        {
            "term": [f"{c}={v}" for c, v in terms],
            "covariate": [c for c, _ in terms],
            "category": [v for _, v in terms],
            "hazard_ratio": np.exp(beta),
            "lower": np.exp(beta - z * se),
            "upper": np.exp(beta + z * se),
            "p_value": 2.0 * stats.norm.sf(np.abs(beta / se)),
            "log_hazard_ratio": beta,
            "std_error": se,
        }
    )
    return frame[_TERM_COLUMNS]


# --------------------------------------------------------------------------- fits


def _discrete(
    table: LifeTable, references: Mapping[str, str], levels: Levels, level: float
) -> HazardRatios:
    rows, baseline, churn_months = _person_months(table)
    covariates, terms = _covariates(rows, levels, references)
    _check_events(table, levels, terms)
    fit = _fit_cloglog(rows, np.column_stack([baseline, covariates]), baseline.shape[1])
    return HazardRatios(
        method="discrete",
        terms=_terms_frame(terms, fit.beta, fit.se, level),
        references=dict(references),
        level=level,
        n_customers=table.n_customers,
        n_churned=table.n_churned,
        details={
            "model": "binomial GLM, complementary log-log link, freq_weights (statsmodels)",
            "baseline": f"one parameter per month with churn ({len(churn_months)} months)",
            "log_likelihood": fit.loglik,
            "iterations": fit.iterations,
            "person_month_rows": len(rows),
        },
    )


def _cox(
    table: LifeTable, references: Mapping[str, str], levels: Levels, level: float
) -> HazardRatios:
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError

    present = table.frame["customers"].to_numpy() > 0
    cells = table.frame[present].reset_index(drop=True)
    covariates, terms = _covariates(cells, levels, references)
    _check_events(table, levels, terms)
    names = [f"{c}={v}" for c, v in terms]
    data = pd.DataFrame(covariates, columns=names)
    churned = cells["churned"].to_numpy(bool)
    duration = cells["duration"].to_numpy(np.int64)
    data["duration"] = np.where(churned, np.maximum(duration, 1), duration)
    data["churned"] = churned
    data["weight"] = cells["customers"].to_numpy(np.float64)
    # delayed entry: at risk after the entry month
    data["entry"] = table.entry_months[present].astype(np.float64)
    fitter = CoxPHFitter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lifelines nudges towards robust errors for weights
            fitter.fit(data, "duration", "churned", weights_col="weight", entry_col="entry")
    except ConvergenceError as error:
        raise CxModelError(
            f"the Cox model did not converge ({error}); try method='discrete'"
        ) from None
    beta = fitter.params_.loc[names].to_numpy(np.float64)
    se = fitter.standard_errors_.loc[names].to_numpy(np.float64)
    return HazardRatios(
        method="cox",
        terms=_terms_frame(terms, beta, se, level),
        references=dict(references),
        level=level,
        n_customers=table.n_customers,
        n_churned=table.n_churned,
        details={
            "model": "Cox proportional hazards (lifelines), Efron ties, cell counts as "
            "weights, delayed entry at each band state's start",
            "log_likelihood": float(fitter.log_likelihood_),
        },
    )


def hazard_ratios(
    table: LifeTable,
    *,
    method: Method = "discrete",
    reference: str = "promoter",
    level: float = 0.95,
    include_unrated: bool = True,
) -> HazardRatios:
    """Hazard ratios of every group level against a reference, adjusted for the others.

    Parameters
    ----------
    table : LifeTable
        Customers by group, duration (months) and churn. Every group column is a
        covariate: with ``by=("band", "channel")`` the band ratios are adjusted for
        channel, and channel ratios are reported too.
    method : {"discrete", "cox"}, default "discrete"
        Grouped-time cloglog GLM (exact on the life table, fast at any scale) or
        lifelines' Cox model with Efron ties (see the module notes).
    reference : str, default "promoter"
        Reference band. Other group columns use their first level in sorted order
        (stated in ``references``).
    level : float, default 0.95
        Nominal coverage of the Wald intervals.
    include_unrated : bool, default True
        Keep the months customers spent unrated as a band of their own. Set False when
        adjusting for covariates associated with the band (segment, plan): the unrated
        mix every latent band, so their covariate effect is not the rated customers',
        and one shared covariate term pulls the band ratios off (by −5 % on a simulated
        base with a planted confounder; see ``tests/survival/test_e_values.py``).

    Returns
    -------
    HazardRatios
        Ratios of monthly churn hazards (unitless), with intervals and p-values.

    Raises
    ------
    CxModelError
        A level has no churn events, or the fit does not converge.

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> from cx_economics.tables.life import life_table
    >>> demo = load_demo()
    >>> table = life_table(demo.customers, demo.responses, by=("band", "channel"),
    ...                    as_of=demo.as_of)
    >>> hr = hazard_ratios(table)
    >>> round(hr.ratio("detractor").value, 2), round(demo.truth.hazard_ratio("detractor"), 2)
    (2.6, 2.73)
    """
    if method not in ("discrete", "cox"):
        raise CxDataError(f"`method` must be 'discrete' or 'cox', got {method!r}")
    check_level(level)
    if not include_unrated:
        table = table.rated()
    references, levels = _references(table, reference)
    fit = _discrete if method == "discrete" else _cox
    return fit(table, references, levels, level)


# --------------------------------------------------------------------------- PH check


@dataclass(frozen=True, eq=False)
class ProportionalHazardsCheck(Result):
    """Likelihood-ratio test of hazard ratios that change with log(tenure).

    Attributes
    ----------
    columns : tuple of str
        Group columns whose ratios were allowed to drift.
    chi_square : float
        Likelihood-ratio statistic, model with ``level × log(month)`` terms vs without.
    df : int
        Number of drift terms.
    p_value : float
        Upper chi-square tail.
    alpha : float
        Threshold below which the check fails.
    slopes : pandas.DataFrame
        Per term: ``slope`` (change of log hazard ratio per unit of log month),
        ``std_error`` and Wald ``p_value``.

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.tables import life_table
    >>> sim = simulate(3000, seed=1)
    >>> table = life_table(sim.customers, sim.responses)
    >>> check = check_proportional_hazards(table)
    >>> check.df
    2
    """

    columns: tuple[str, ...]
    chi_square: float
    df: int
    p_value: float
    alpha: float
    slopes: pd.DataFrame

    _title = "Proportional-hazards check"

    @property
    def passed(self) -> bool:
        """Whether proportional hazards are not rejected at ``alpha``."""
        return self.p_value >= self.alpha

    def to_frame(self) -> pd.DataFrame:
        """The global test, then one row per drift term."""
        overall = pd.DataFrame(
            {
                "test": ["likelihood ratio (all terms)"],
                "statistic": [self.chi_square],
                "df": [self.df],
                "p_value": [self.p_value],
                "slope": [np.nan],
                "std_error": [np.nan],
            }
        )
        terms = self.slopes.assign(
            test=self.slopes["term"] + " × log(month)",
            statistic=(self.slopes["slope"] / self.slopes["std_error"]) ** 2,
            df=1,
        )[overall.columns]
        return pd.concat([overall, terms], ignore_index=True)

    def _notes(self) -> list[str]:
        verdict = "holds" if self.passed else "fails"
        return [f"proportional hazards {verdict} at alpha = {self.alpha:g}"]


def check_proportional_hazards(
    table: LifeTable, *, alpha: float = 0.01, columns: Sequence[str] | None = None
) -> ProportionalHazardsCheck:
    """Test whether hazard ratios drift with tenure; warn when they do.

    The discrete-time model of :func:`hazard_ratios` is refitted with an extra
    ``level × log(month)`` term for every non-reference level of ``columns``; twice
    the gain in log-likelihood is chi-square under proportional hazards.

    Parameters
    ----------
    table : LifeTable
        Customers by group, duration (months) and churn.
    alpha : float, default 0.01
        Significance level of the check.
    columns : sequence of str, optional
        Group columns to test; default ``("band",)`` when present, else all. The
        ``"unrated"`` band is a mixture of the others, so its ratio drifts by
        construction; it stays in the model but is not tested.

    Returns
    -------
    ProportionalHazardsCheck
        The statistic, p-value and per-term slopes.

    Warns
    -----
    CxAssumptionWarning
        When the p-value is below ``alpha``: hazard ratios are then averages over
        tenure, and the Kaplan–Meier curves tell the fuller story.

    Examples
    --------
    >>> from cx_economics.data.datasets import SimulationTruth, simulate
    >>> from cx_economics.tables.life import life_table
    >>> sim = simulate(5_000, seed=1, truth=SimulationTruth(reasons={}))
    >>> table = life_table(sim.customers, sim.responses, by=("band", "channel"),
    ...                    as_of=sim.as_of)
    >>> check = check_proportional_hazards(table)
    >>> check.df, check.passed
    (2, True)
    """
    if not 0.0 < alpha < 1.0:
        raise CxDataError(f"`alpha` must be in (0, 1), got {alpha!r}")
    tested = (
        tuple(columns)
        if columns is not None
        else (("band",) if "band" in table.group_columns else tuple(table.group_columns))
    )
    unknown = [c for c in tested if c not in table.group_columns]
    if unknown:
        raise CxDataError(
            f"`columns` {unknown} are not group columns of the table {list(table.group_columns)}"
        )
    references, levels = _references(table, "promoter")
    rows, baseline, _ = _person_months(table)
    covariates, terms = _covariates(rows, levels, references)
    _check_events(table, levels, terms)
    drift_terms = [i for i, (c, v) in enumerate(terms) if c in tested and v != "unrated"]
    if not drift_terms:
        raise CxDataError(f"`columns` {list(tested)} have no rated levels besides the reference")
    log_month = np.log(rows["month"].to_numpy(np.float64))[:, None]
    drift = covariates[:, drift_terms] * log_month
    base = np.column_stack([baseline, covariates])
    null = _fit_cloglog(rows, base, baseline.shape[1])
    full = _fit_cloglog(rows, np.column_stack([base, drift]), baseline.shape[1])
    chi_square = max(2.0 * (full.loglik - null.loglik), 0.0)
    df = len(drift_terms)
    p_value = float(stats.chi2.sf(chi_square, df))
    slope = full.beta[len(terms) :]
    slope_se = full.se[len(terms) :]
    slopes = pd.DataFrame(
        {
            "term": [f"{terms[i][0]}={terms[i][1]}" for i in drift_terms],
            "slope": slope,
            "std_error": slope_se,
            "p_value": 2.0 * stats.norm.sf(np.abs(slope / slope_se)),
        }
    )
    result = ProportionalHazardsCheck(tested, chi_square, df, p_value, alpha, slopes)
    if not result.passed:
        warnings.warn(
            f"hazard ratios of {list(tested)} change with tenure (likelihood-ratio "
            f"chi-square {chi_square:.1f} on {df} df, p = {p_value:.2g}): proportional hazards "
            "fail, so read each hazard ratio as an average over tenure and compare the "
            "Kaplan–Meier curves",
            CxAssumptionWarning,
            stacklevel=2,
        )
    return result
