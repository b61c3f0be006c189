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

__all__ = ["standardised_curves", "weighted_curves"]

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
    covariates = _adjusted_for(table)
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
    bands: list[str] = [b.value for b in BAND_ORDER if b.value in levels["band"]]
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
    return _band_curves(
        rated,
        "g-formula",
        bands,
        point,
        (lower, upper),
        level,
        {
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


def weighted_curves(
    table: LifeTable,
    *,
    level: float = 0.95,
    n_bootstrap: int = 1000,
    seed: int | np.random.Generator = 0,
) -> ChurnCurves:
    r"""Band churn curves adjusted by inverse-probability weighting of band membership.

    The weighting route to the same target as :func:`standardised_curves`: the survival
    the whole base would have if every customer were in band ``b``, keeping their own
    covariates. Each rated customer-month of band ``b`` in covariate stratum ``s`` at
    month ``t`` weighs

    .. math::

        W_{bs}(t) = \frac{1}{\hat P(b \mid s)\;\hat A_s(t)},

    with :math:`\hat P(b \mid s)` the band's share among the stratum's customers when
    they joined and :math:`\hat A_s(t)` the rated share of the stratum's customers at
    risk in month ``t``. Bands are seen only when customers answer, i.e. among those who
    stayed until then, so the joining share is recovered by counting each rated
    customer at risk in month ``t`` as :math:`1 / \hat S_{bs}(t-1)` joiners (the
    stratum's own Kaplan–Meier curve with delayed entry; summed over the months every
    band of the stratum is at risk). The curve is the weighted Kaplan–Meier estimate
    :math:`\prod_{u \le t} (1 - \sum_s W d / \sum_s W n)` of each band. No outcome
    model is assumed, unlike the g-formula's proportional hazards; it assumes instead
    that who answers, and when, does not depend on the band within a stratum.

    Parameters
    ----------
    table : LifeTable
        Grouped by ``"band"`` and the covariates to adjust for, e.g.
        ``life_table(customers, responses, by=("band", "channel", "segment"))``; its
        ``unrated`` cells give :math:`\hat A_s(t)` (without them every month counts as
        fully rated).
    level : float, default 0.95
        Coverage of the pointwise intervals.
    n_bootstrap : int, default 1000
        Replicates behind the intervals: each stratum's monthly churn counts drawn
        binomially from its at-risk counts and estimated hazards (the product-binomial
        model behind Greenwood's variance), the weights estimated again in each.
    seed : int or numpy.random.Generator
        Randomness of those replicates.

    Returns
    -------
    ChurnCurves
        Survival (fractions 0–1) of each rated band from joining, months 0…T (T the
        longest duration in the table); ``model`` is ``"weighted"``, ``details`` holds
        the strata, the joining shares :math:`\hat P(b \mid s)` (bands × strata) and
        the months in which a stratum had no customer of a band at risk (no weight can
        stand in for it there).

    Raises
    ------
    CxDataError
        The table has no ``band`` column or no other column to adjust for, or a
        stratum has no month with every band at risk.

    Examples
    --------
    >>> from cx_economics.data.datasets import PlantedConfounder, SimulationTruth, simulate
    >>> from cx_economics.tables.life import life_table
    >>> truth = SimulationTruth(reasons={}, confounder=PlantedConfounder())
    >>> sim = simulate(6_000, truth=truth, seed=1)
    >>> table = life_table(sim.customers, sim.responses, by=("band", "segment"))
    >>> curves = weighted_curves(table, n_bootstrap=200)
    >>> curves.groups, curves.model
    ((('detractor',), ('passive',), ('promoter',)), 'weighted')
    >>> g = standardised_curves(table, n_draws=200)
    >>> bool(abs(curves.survival[:, 24] - g.survival[:, 24]).max() < 0.03)  # two routes agree
    True
    """
    level = check_level(level)
    n_bootstrap = check_n_bootstrap(n_bootstrap)
    covariates = _adjusted_for(table)
    risk = table.risk_sets()
    position = [table.group_columns.index(c) for c in covariates]
    band_at = table.group_columns.index("band")
    strata = sorted({tuple(key[i] for i in position) for key in risk.groups})
    bands = [b.value for b in BAND_ORDER if any(k[band_at] == b.value for k in risk.groups)]
    width = risk.at_risk.shape[1]
    at_risk = np.zeros((len(bands), len(strata), width))
    churned = np.zeros_like(at_risk)
    unrated = np.zeros((len(strata), width))
    for g, key in enumerate(risk.groups):
        s = strata.index(tuple(key[i] for i in position))
        if key[band_at] == "unrated":
            unrated[s] += risk.at_risk[g]
        elif key[band_at] in bands:
            at_risk[bands.index(key[band_at]), s] = risk.at_risk[g]
            churned[bands.index(key[band_at]), s] = risk.churned[g]
    rated = at_risk.sum(axis=0)
    observed = np.divide(rated, rated + unrated, out=np.zeros_like(rated), where=rated > 0)
    # (S, T+1): the months every band of a stratum is at risk
    usable: npt.NDArray[np.bool_] = np.all(at_risk > 0, axis=0)
    usable[:, 0] = False
    lacking = [strata[s] for s in np.flatnonzero(~usable.any(axis=1))]
    if lacking:
        raise CxDataError(
            f"strata {lacking[:3]} of {tuple(covariates)} never have every band at risk "
            "in the same month: their band shares at joining cannot be estimated; merge "
            "them into others, or drop those customers"
        )
    hazard = np.divide(churned, at_risk, out=np.zeros_like(at_risk), where=at_risk > 0)
    point, shares = _weighted_survival(hazard[None], at_risk, observed, usable)
    rng = rng_from_seed(seed)
    reps = np.empty((n_bootstrap, len(bands), width))
    for start in range(0, n_bootstrap, 100):  # chunks keep memory at G × T × 100 draws
        size = min(100, n_bootstrap - start)
        counts = rng.binomial(at_risk.astype(np.int64), hazard, size=(size, *hazard.shape))
        drawn = np.divide(counts, at_risk, out=np.zeros(counts.shape), where=at_risk > 0)
        reps[start : start + size] = _weighted_survival(drawn, at_risk, observed, usable)[0]
    lower, upper = percentile_interval(reps, level)
    gaps = ~(at_risk[:, :, 1:] > 0).all(axis=1) & (at_risk[:, :, 1:].sum(axis=1) > 0)
    return _band_curves(
        table.rated(),
        "weighted",
        bands,
        point[0],
        (lower, upper),
        level,
        {
            "adjusted_for": tuple(covariates),
            "strata": strata,
            "joining_shares": shares[0],
            "months_without_a_stratum": {
                b: (np.flatnonzero(gaps[j]) + 1).tolist() for j, b in enumerate(bands)
            },
            "interval": f"percentiles of {n_bootstrap} product-binomial replicates",
        },
    )


def _weighted_survival(
    hazard: FloatArray, at_risk: FloatArray, observed: FloatArray, usable: npt.NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    """Weighted band survival (D, B, T+1) and joining shares (D, B, S) from hazards (D, B, S, T+1).

    ``at_risk`` (B, S, T+1) are the rated customers at risk, ``observed`` (S, T+1) the
    rated share of each stratum's risk set, ``usable`` (S, T+1) the months every band
    of the stratum is at risk.
    """
    survival = np.cumprod(1.0 - hazard, axis=-1)
    before = np.concatenate([np.ones((*survival.shape[:-1], 1)), survival[..., :-1]], axis=-1)
    joiners = np.divide(
        at_risk, before, out=np.zeros(before.shape), where=(before > 0) & usable[None, None]
    ).sum(axis=-1)  # (D, B, S): rated at risk counted back to joiners, up to a factor per s
    shares = joiners / joiners.sum(axis=1, keepdims=True)
    weight = np.divide(
        1.0,
        shares[..., None] * observed[None, None],
        out=np.zeros(before.shape),
        where=(shares[..., None] > 0) & (observed[None, None] > 0),
    )
    weighted = weight * at_risk
    mass = weighted.sum(axis=2)
    band_hazard = np.divide(
        (weighted * hazard).sum(axis=2), mass, out=np.zeros(mass.shape), where=mass > 0
    )
    band_hazard[..., 0] = 0.0
    out: FloatArray = np.cumprod(1.0 - band_hazard, axis=-1)
    return out, shares


def _adjusted_for(table: LifeTable) -> list[str]:
    """The table's covariates (group columns besides the band); refuses a table without."""
    covariates = [c for c in table.group_columns if c != "band"]
    if "band" not in table.group_columns or not covariates:
        raise CxDataError(
            "`table` must be grouped by 'band' and at least one covariate to adjust for, "
            f"e.g. by=('band', 'channel', 'segment'); it is grouped by {table.group_columns}"
        )
    return covariates


def _band_curves(
    rated: LifeTable,
    model: str,
    bands: list[str],
    survival: FloatArray,
    interval: tuple[FloatArray, FloatArray],
    level: float,
    details: dict[str, object],
) -> ChurnCurves:
    """Adjusted band curves with the rated table's customer and churn counts per band."""
    frame = rated.frame
    band = frame["band"].astype(str).to_numpy()
    customers = frame["customers"].to_numpy(np.int64)
    churned = frame["churned"].to_numpy(bool)
    months = survival.shape[-1] - 1
    return ChurnCurves(
        model=model,
        group_columns=("band",),
        groups=tuple((b,) for b in bands),
        months=np.arange(months + 1, dtype=np.float64),
        survival=survival,
        lower=np.minimum(interval[0], survival),
        upper=np.maximum(interval[1], survival),
        observed_months=np.full(len(bands), float(months)),
        n_customers=np.array([int(customers[band == b].sum()) for b in bands]),
        n_churned=np.array([int(customers[(band == b) & churned].sum()) for b in bands]),
        level=level,
        details=details,
    )
