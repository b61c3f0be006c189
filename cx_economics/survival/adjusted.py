r"""Band churn curves standardised over the customers' covariates (the g-formula).

A crude band curve mixes the band with whatever goes with it: if detractors are more
often on a cheap plan that also makes customers leave, their curve falls faster than
the band alone would make it. The standardised curve of band ``b`` is the survival the
whole base would have *if every customer were in band b*, keeping their own channel,
segment or plan:

.. math::

    S^{\mathrm{std}}_b(t) = \sum_s w_s \prod_{m \le t}
        \exp\!\big(-e^{\alpha_m + \beta_b + \gamma_s}\big),

with the grouped-time proportional-hazards model of
:func:`~cx_economics.survival.hazards.hazard_ratios` (one baseline parameter
``α_m`` per month with churn, band effects ``β_b``, covariate effects ``γ_s``) fitted on
the life table's cells, and ``w_s`` the share of customers in covariate stratum ``s``
when they joined (their first state in the table, at month 0). It is the g-formula of
Robins (1986) on aggregated counts, as ``flexsurv::standsurv`` and
``adjustedCurves`` (method ``"direct"``) compute it on rows; months without any churn
keep the curve flat.

The fit uses the rated months only: the unrated mix every latent band, so a covariate
that goes with the band has another effect among them (see
:func:`~cx_economics.survival.hazards.hazard_ratios`, ``include_unrated``). Pointwise
intervals are percentiles of the curves under draws of the model's parameters from
their estimated normal distribution (asymptotic, Wald-type).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cx_economics.core.bands import BAND_ORDER
from cx_economics.core.exceptions import CxDataError
from cx_economics.core.intervals import percentile_interval
from cx_economics.core.parameters import check_n_bootstrap, rng_from_seed
from cx_economics.core.stats import check_level
from cx_economics.survival._discrete import (
    _check_events,
    _covariates,
    _fit_cloglog,
    _person_months,
    _references,
)
from cx_economics.survival.curves import ChurnCurves
from cx_economics.tables.life import LifeTable

__all__ = ["standardised_curves"]

FloatArray = npt.NDArray[np.float64]


def standardised_curves(
    table: LifeTable,
    *,
    level: float = 0.95,
    n_draws: int = 1000,
    seed: int | np.random.Generator = 0,
) -> ChurnCurves:
    """Band churn curves adjusted for the table's other group columns (g-formula).

    Parameters
    ----------
    table : LifeTable
        Grouped by ``"band"`` and the covariates to adjust for, e.g.
        ``life_table(customers, responses, by=("band", "channel", "segment"))``.
    level : float, default 0.95
        Coverage of the pointwise intervals.
    n_draws : int, default 1000
        Draws of the model's parameters behind the intervals.
    seed : int or numpy.random.Generator
        Randomness of those draws.

    Returns
    -------
    ChurnCurves
        Survival (fractions 0–1) of each rated band from joining, months 0…T (T the
        longest duration in the table), standardised to the covariate mix of the
        base; ``model`` is ``"g-formula"``, ``details`` holds the strata and weights.

    Raises
    ------
    CxDataError
        The table has no ``band`` column or no other column to adjust for.

    Examples
    --------
    >>> from cx_economics.data.datasets import PlantedConfounder, SimulationTruth, simulate
    >>> from cx_economics.tables.life import life_table
    >>> truth = SimulationTruth(reasons={}, confounder=PlantedConfounder())
    >>> sim = simulate(6_000, truth=truth, seed=1)
    >>> table = life_table(sim.customers, sim.responses, by=("band", "segment"))
    >>> curves = standardised_curves(table, n_draws=200)
    >>> curves.groups, curves.model
    ((('detractor',), ('passive',), ('promoter',)), 'g-formula')
    >>> bool((curves.churn_at(12)["churn"].diff().dropna() < 0).all())  # worse bands churn more
    True
    """
    level = check_level(level)
    n_draws = check_n_bootstrap(n_draws, name="n_draws")
    covariates = [c for c in table.group_columns if c != "band"]
    if "band" not in table.group_columns or not covariates:
        raise CxDataError(
            "`table` must be grouped by 'band' and at least one covariate to adjust for, "
            f"e.g. by=('band', 'channel', 'segment'); it is grouped by {table.group_columns}"
        )
    weights, strata = _joining_mix(table, covariates)
    rated = table.rated()
    references, levels = _references(rated, "promoter")
    rows, baseline, churn_months = _person_months(rated)
    design, terms = _covariates(rows, levels, references)
    _check_events(rated, levels, terms)
    unpriced = sorted(
        {f"{c}={s[i]}" for s in strata for i, c in enumerate(covariates) if s[i] not in levels[c]}
    )
    if unpriced:
        raise CxDataError(
            f"customers joined with {unpriced}, which no rated customer has: their churn "
            "under a band cannot be estimated; merge those values into others, or drop "
            "those customers"
        )
    fit = _fit_cloglog(rows, np.column_stack([baseline, design]), baseline.shape[1])
    bands = [b.value for b in BAND_ORDER if b.value in levels["band"]]
    # the design row of every band × stratum, in the fit's term order
    x = np.zeros((len(bands), len(strata), len(terms)))
    for j, (column, category) in enumerate(terms):
        if column == "band":
            x[:, :, j] = (np.array(bands) == category)[:, None]
        else:
            position = covariates.index(column)
            x[:, :, j] = (np.array([s[position] for s in strata]) == category)[None, :]
    months = int(rated.frame["duration"].max())
    grid = np.zeros((months, len(churn_months)))
    grid[np.asarray(churn_months) - 1, np.arange(len(churn_months))] = 1.0
    rng = rng_from_seed(seed)
    draws = rng.multivariate_normal(fit.params, fit.covariance, size=n_draws)
    point = _standardised(fit.params[None], grid, x, weights, baseline.shape[1])[0]
    reps = _standardised(draws, grid, x, weights, baseline.shape[1])
    lower, upper = percentile_interval(reps, level)
    frame = rated.frame
    return ChurnCurves(
        model="g-formula",
        group_columns=("band",),
        groups=tuple((b,) for b in bands),
        months=np.arange(months + 1, dtype=np.float64),
        survival=point,
        lower=np.minimum(lower, point),
        upper=np.maximum(upper, point),
        observed_months=np.full(len(bands), float(months)),
        n_customers=np.array(
            [int(frame.loc[frame["band"].astype(str) == b, "customers"].sum()) for b in bands]
        ),
        n_churned=np.array(
            [
                int(
                    frame.loc[
                        (frame["band"].astype(str) == b) & frame["churned"], "customers"
                    ].sum()
                )
                for b in bands
            ]
        ),
        level=level,
        details={
            "adjusted_for": tuple(covariates),
            "strata": strata,
            "weights": weights,
            "weights_from": "customers' first state in the table (month 0), all bands",
            "interval": f"percentiles of {n_draws} draws of the model's parameters",
        },
    )


def _joining_mix(
    table: LifeTable, covariates: list[str]
) -> tuple[FloatArray, list[tuple[str, ...]]]:
    """Shares of customers per covariate stratum when they joined (states entered at 0)."""
    entry = table.entry_months
    frame = table.frame.loc[entry == 0]
    if frame.empty:
        raise CxDataError(
            "`table` has no customers from month 0: no covariate mix to standardise to"
        )
    counts = frame.groupby([frame[c].astype(str) for c in covariates])["customers"].sum()
    counts = counts[counts > 0]
    strata = [tuple(str(v) for v in (k if isinstance(k, tuple) else (k,))) for k in counts.index]
    weights = counts.to_numpy(np.float64)
    return weights / weights.sum(), strata


def _standardised(
    params: FloatArray, grid: FloatArray, x: FloatArray, weights: FloatArray, n_baseline: int
) -> FloatArray:
    """Standardised survival (D, B, T+1) for parameter draws (D, P)."""
    alpha = params[:, :n_baseline] @ grid.T  # (D, T): log-log baseline of each month
    has_churn = grid.sum(axis=1) > 0  # months without churn keep the curve flat
    effect = np.einsum("bsj,dj->dbs", x, params[:, n_baseline:])  # (D, B, S)
    eta = alpha[:, None, None, :] + effect[..., None]  # (D, B, S, T)
    log_stay = -np.exp(eta) * has_churn
    survival = np.exp(np.cumsum(log_stay, axis=-1))
    standardised = np.einsum("dbst,s->dbt", survival, weights)
    ones = np.ones((*standardised.shape[:2], 1))
    out: FloatArray = np.concatenate([ones, standardised], axis=-1)
    return out
