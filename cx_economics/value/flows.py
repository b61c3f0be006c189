"""Value flows: what an active customer brings month by month from today on, per band."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.bands import BAND_ORDER
from cx_economics.core.exceptions import CxAssumptionWarning, CxDataError
from cx_economics.core.parameters import check_n_bootstrap
from cx_economics.data.assumptions import Assumptions
from cx_economics.survival.curves import ChurnCurves
from cx_economics.survival.fit import ChurnModel
from cx_economics.tables.life import LifeTable
from cx_economics.value.active import ActiveBase, active_base

__all__ = ["band_flows"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def band_flows(
    table: LifeTable,
    assumptions: Assumptions,
    *,
    model: ChurnModel = "auto",
    n_bootstrap: int | None = None,
    seed: int | np.random.Generator = 0,
    base: ActiveBase | None = None,
    confounded_share: float = 0.0,
) -> tuple[tuple[str, ...], FloatArray, FloatArray]:
    """Residual margin per active customer per month by channel and band, with replicates.

    What a channel's active customers are expected to bring from today on, month by
    month, if they were in each band: for channel ``c`` and band ``b``,
    ``flows[c, b, t-1] = m_bc (1+i)^-t Σ_a w_c(a) S_bc(a + t) / S_bc(a)``, where
    ``w_c(a)`` is the share of the channel's active customers (unrated included) with
    ``a`` months completed and ``S_bc`` the band × channel churn curve. Its sum over
    ``t`` is the band's residual value averaged over the channel's tenure mix, so a
    band move is priced on the customers who are there, not on new ones.

    Adjusted for who the customers are when the table is grouped by more columns, e.g.
    ``("band", "channel", "segment")``: each channel × segment is priced with its own
    band curves and margins, and the channel's flow of band ``b`` is their average over
    the channel's active customers, ``Σ_s (n_cs / n_c) flows[c, s, b]``: every customer
    keeps their own segment and tenure and moves band (the g-formula over strata of
    the channel). The crude flows instead price band ``b`` with the customers who are
    in it, so a segment that is both more critical and quicker to leave is charged to
    the band.

    Parameters
    ----------
    table : LifeTable
        Grouped by ``("band", "channel")``, or by ``("band", "channel", *covariates)``
        to adjust for the covariates (every channel × stratum then needs rated
        customers in every band).
    assumptions : Assumptions
        Horizon, discount rate, margins.
    model : str
        Churn model for :func:`cx_economics.survival.fit_churn`; its curves reach the
        longest tenure plus the horizon. With ``"auto"`` the tail beyond the data is
        averaged over the parametric families by their Akaike weights
        (:func:`cx_economics.survival.parametric.akaike_tails`), and each replicate
        draws its family with those weights, so the intervals carry the uncertainty of
        the tail's shape as well as of its level.
    n_bootstrap : int, optional
        Replicates (default ``assumptions.n_bootstrap``).
    seed : int or numpy.random.Generator
    base : ActiveBase, optional
        :func:`active_base` of ``table``, when already at hand (of the table grouped
        by band and channel alone; not used when adjusting).
    confounded_share : float, default 0.0
        Share (fraction 0–1) of each band's churn difference from promoters that an
        unmeasured confounder would explain: the band's cumulative hazard becomes
        ``Λ_p (Λ_b / Λ_p)^(1 − share)`` of the promoters' ``Λ_p`` in its channel, month
        by month (under proportional hazards, its log hazard ratio shrinks by that
        share; the Akaike weights of the tail families move the same way). 0 prices
        the curves as estimated; 1 gives every band the promoters' churn, leaving only
        the margin differences.

    Returns
    -------
    channels : tuple of str
    flows : ndarray (C, 3, H)
        Discounted residual margin per active customer (currency) for months 1..H.
    replicates : ndarray (B, C, 3, H)
        The same from life-table bootstrap replicates: curves and margins are
        resampled jointly (the same customers); margins set by assumption stay fixed;
        the tenure mix of the active base is held fixed (it is known, not estimated).

    Examples
    --------
    >>> from cx_economics.data.assumptions import Assumptions
    >>> from cx_economics.data.datasets import load_demo
    >>> from cx_economics.tables.life import life_table
    >>> demo = load_demo()
    >>> table = life_table(demo.customers, demo.responses, by=("band", "channel"))
    >>> import warnings; warnings.simplefilter("ignore")
    >>> channels, flows, reps = band_flows(table, Assumptions(horizon_months=12), n_bootstrap=50)
    >>> flows.shape, reps.shape
    ((4, 3, 12), (50, 4, 3, 12))
    >>> bool((flows[:, 2].sum(axis=-1) > flows[:, 0].sum(axis=-1)).all())  # promoters bring more
    True
    """
    from cx_economics.survival.bootstrap import (
        replicate_mean_revenue,
        replicate_retention,
        resample_life_table,
    )
    from cx_economics.value._discounting import _retention, _tenure_weighted_flows
    from cx_economics.value.margins import margin_by_band

    if tuple(table.group_columns[:2]) == ("band", "channel") and len(table.group_columns) > 2:
        return _adjusted_flows(
            table,
            assumptions,
            model=model,
            n_bootstrap=n_bootstrap,
            seed=seed,
            confounded_share=confounded_share,
        )
    base = base or active_base(table)
    channels = base.channels
    horizon = assumptions.horizon_months
    b = assumptions.n_bootstrap if n_bootstrap is None else check_n_bootstrap(n_bootstrap)
    months = int(base.tenure_months.max()) + horizon
    # only the rated bands are priced: the unrated ones are neither fitted nor resampled
    rated = table.rated()
    tails, tail_weight = _priced_curves(rated, model, months)
    margins = margin_by_band(table, assumptions=assumptions)
    keys = [(band.value, ch) for ch in channels for band in BAND_ORDER]
    missing = [k for k in keys if k not in tails[0].groups or k not in margins.groups]
    if missing:
        raise CxDataError(
            f"no rated customers for band × channel {missing[:3]}: every channel needs "
            "customers in every band to price its mix"
        )
    margin_rows = [margins.groups.index(k) for k in keys]
    margin = margins.monthly_margin[margin_rows]
    # tenure cells of each channel, once per band: weight = share of its active customers
    cell = (
        pd.DataFrame({"c": base.channel_index, "a": base.tenure_months, "n": base.customers})
        .groupby(["c", "a"], sort=True)["n"]
        .sum()
        .reset_index()
    )
    weight = cell["n"].to_numpy(np.float64) / base.n_customers[cell["c"].to_numpy()]
    row = (3 * cell["c"].to_numpy(np.int64))[:, None] + np.arange(3)[None, :]
    tenure = np.repeat(cell["a"].to_numpy(np.int64), 3)
    weight, row = np.repeat(weight, 3), row.ravel()
    i = assumptions.monthly_discount_rate
    curve_rows = [tails[0].groups.index(k) for k in keys]
    family_weight = tail_weight[:, curve_rows]  # (F, K)
    survival = np.stack([t.survival[curve_rows, : months + 1] for t in tails])
    observed = np.asarray(tails[0].observed_months, dtype=np.float64)[curve_rows]
    _warn_curves_ended(
        keys,
        np.einsum("fk,fkm->km", family_weight, survival),
        row,
        tenure,
        weight * base.n_customers[row // 3],
    )
    share_explained = _check_share(confounded_share)
    if share_explained > 0:  # the tail's family weights move toward the promoters' too
        by_channel = family_weight.reshape(family_weight.shape[0], -1, len(BAND_ORDER))
        moved = by_channel[..., -1:] ** share_explained * by_channel ** (1.0 - share_explained)
        moved /= moved.sum(axis=0, keepdims=True)
        family_weight = moved.reshape(family_weight.shape)
    point = np.zeros((len(keys), horizon))
    beyond = np.zeros(len(keys))
    for f in range(len(tails)):
        factors_f = _confounded(_retention(survival[f]), share_explained, len(BAND_ORDER))
        flows_f, beyond_f = _tenure_weighted_flows(
            factors_f, row, tenure, weight, horizon, i, observed
        )
        point += family_weight[f][:, None] * flows_f
        beyond += family_weight[f] * beyond_f
    total = point.sum(axis=-1)
    share = np.divide(beyond, total, out=np.zeros_like(total), where=total > 0)
    _warn_extrapolated_residual(keys, share, observed, averaged=len(tails) > 1)
    point *= margin[:, None]
    counts = resample_life_table(rated, n_replicates=b, seed=seed, groups=keys)
    family = _draw_families(family_weight, b, seed, len(BAND_ORDER))  # (B, K)
    reps = np.zeros((b, len(keys), horizon))
    for f, tail in enumerate(tails):
        if not (family == f).any():
            continue
        factors = replicate_retention(rated, counts, horizon_months=months, tail=tail, groups=keys)
        factors = _confounded(factors, share_explained, len(BAND_ORDER))
        flows_f = _tenure_weighted_flows(factors, row, tenure, weight, horizon, i)[0]
        reps = np.where((family == f)[:, :, None], flows_f, reps)
    margin_reps = np.broadcast_to(margin, (b, margin.size)).copy()
    from_data = np.array([margins.source[j] == "data" for j in margin_rows])
    if table.has_revenue and from_data.any():
        revenue = replicate_mean_revenue(rated, counts, seed=seed, groups=keys)
        margin_reps[:, from_data] = revenue[:, from_data] * margins.margin_rate
    reps *= margin_reps[:, :, None]
    shape = (len(channels), len(BAND_ORDER), horizon)
    return channels, point.reshape(shape), reps.reshape((b, *shape))


def _adjusted_flows(
    table: LifeTable,
    assumptions: Assumptions,
    *,
    model: ChurnModel,
    n_bootstrap: int | None,
    seed: int | np.random.Generator,
    confounded_share: float,
) -> tuple[tuple[str, ...], FloatArray, FloatArray]:
    """:func:`band_flows` per channel × stratum, averaged over each channel's active mix."""
    covariates = list(table.group_columns[2:])
    frame = table.frame
    strata = frame[covariates].astype(str).agg(" · ".join, axis=1)
    label = frame["channel"].astype(str) + " · " + strata
    channel_of = dict(zip(label, frame["channel"].astype(str), strict=True))
    cells = LifeTable(
        frame.assign(channel=label), table.group_columns, table.band_rule, table.as_of,
        table.has_revenue,
    ).collapse(("band", "channel"))  # fmt: skip
    priced = set(cells.rated().groups)
    missing = [
        (band.value, *name.split(" · ", 1))
        for name in sorted({key[1] for key in cells.groups})
        for band in BAND_ORDER
        if (band.value, name) not in priced
    ]
    if missing:
        raise CxDataError(
            f"adjusting for {covariates} prices every channel × {' × '.join(covariates)} "
            f"with its own band curves, but band × channel × stratum {missing[:3]} has no "
            f"rated customers; merge small values of {covariates} into others, or adjust "
            "for fewer columns"
        )
    base = active_base(cells)
    within, flows, reps = band_flows(
        cells,
        assumptions,
        base=base,
        model=model,
        n_bootstrap=n_bootstrap,
        seed=seed,
        confounded_share=confounded_share,
    )
    channels = tuple(sorted(set(channel_of[w] for w in within)))
    # weight of each channel × stratum: its share of the channel's active customers
    mix = np.zeros((len(channels), len(within)))
    for k, name in enumerate(within):
        mix[channels.index(channel_of[name]), k] = base.n_customers[base.channels.index(name)]
    mix /= mix.sum(axis=1, keepdims=True)
    point: FloatArray = np.einsum("ck,kbt->cbt", mix, flows)
    replicates: FloatArray = np.einsum("ck,rkbt->rcbt", mix, reps)
    return channels, point, replicates


def _check_share(share: float) -> float:
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0.0 <= share <= 1.0:
        raise CxDataError(
            f"`confounded_share` must be a fraction from 0 to 1 (0.25 is 25 %), got {share!r}"
        )
    return float(share)


def _confounded(factors: FloatArray, share: float, bands: int) -> FloatArray:
    """Retention factors (…, K, M+1) with ``share`` of each band's gap to promoters removed.

    Groups come ``bands`` at a time per channel, promoters last; on the cumulative
    hazard ``Λ = −log S``, a band's ``Λ_b`` becomes ``Λ_p (Λ_b / Λ_p)^(1 − share)``.

    Examples
    --------
    Constant hazards of 3 % and 1 % a month: a third of the gap explained leaves
    ``0.01 × 3^(2/3)``:

    >>> factors = np.array([[1.0, *[np.exp(-h)] * 3] for h in (0.03, 0.02, 0.01)])
    >>> out = _confounded(factors, 1 / 3, 3)
    >>> bool(np.allclose(-np.log(out[0, 1:]), 0.01 * 3 ** (2 / 3)))
    True
    """
    if share == 0.0:
        return factors
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cumulative = -np.log(np.cumprod(factors, axis=-1))
        shape = (*cumulative.shape[:-2], cumulative.shape[-2] // bands, bands, -1)
        by_channel = cumulative.reshape(shape)
        promoter = by_channel[..., -1:, :]
        # Λ_p (Λ_b / Λ_p)^(1 − share) = Λ_p^share Λ_b^(1 − share), also where Λ_p is 0
        moved = promoter**share * by_channel ** (1.0 - share)
        moved = np.where(np.isnan(moved), by_channel, moved)
        survival = np.exp(-moved.reshape(cumulative.shape))
    out = np.zeros_like(survival)
    np.divide(survival[..., 1:], survival[..., :-1], out=out[..., 1:], where=survival[..., :-1] > 0)
    out[..., 0] = 1.0
    result: FloatArray = out
    return result


def _priced_curves(
    rated: LifeTable, model: ChurnModel, months: int
) -> tuple[tuple[ChurnCurves, ...], FloatArray]:
    """The curves a band move is priced with, one per tail family, with their weights.

    With ``model="auto"``: Kaplan–Meier where the data reach, extended by each
    parametric family and weighted by its Akaike weight per group (weights (F, G) in
    the curves' group order), so the shape of the tail is averaged and its uncertainty
    enters the replicates. Any other model: its curves alone, weight 1.
    """
    from cx_economics.survival.fit import fit_churn, splice_tail
    from cx_economics.survival.km import kaplan_meier
    from cx_economics.survival.parametric import akaike_tails

    with warnings.catch_warnings():
        # the curves reach the longest tenure plus the horizon, while each customer
        # needs only the horizon from their own tenure: the share of the value that
        # rests on months beyond the data is measured and warned about instead
        warnings.filterwarnings(
            "ignore", "`horizon_months`=.*longest observed", CxAssumptionWarning
        )
        if model != "auto":
            curves = fit_churn(rated, model=model, by=("band", "channel"), horizon_months=months)
            return (curves,), np.ones((1, len(curves.groups)))
        km = kaplan_meier(rated, horizon_months=months)
        if (km.observed_months >= months).all():
            return (km,), np.ones((1, len(km.groups)))
        tails, weights = akaike_tails(rated, horizon_months=months)
    order = [tails[0].groups.index(key) for key in km.groups]
    return tuple(splice_tail(km, tail) for tail in tails), weights[:, order]


def _draw_families(
    weights: FloatArray, n_replicates: int, seed: int | np.random.Generator, bands: int
) -> IntArray:
    """A tail family per replicate and group (B, G), drawn with the weights (F, G).

    Groups come ``bands`` at a time per channel; one uniform per replicate and channel
    serves all its bands (each through its own weights), so a replicate's bands tend to
    take the same shape and the differences between them, which the money is made of,
    do not pick up noise that would cancel. With one family nothing is drawn.
    """
    if weights.shape[0] == 1:
        return np.zeros((n_replicates, weights.shape[1]), dtype=np.int64)
    rng = (
        seed
        if isinstance(seed, np.random.Generator)
        else np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    )
    cumulative = np.cumsum(weights, axis=0)
    u = rng.random((n_replicates, weights.shape[1] // bands))
    u = np.repeat(u, bands, axis=1)
    drawn: IntArray = np.minimum(
        (u[None, :, :] >= cumulative[:, None, :]).sum(axis=0), weights.shape[0] - 1
    ).astype(np.int64)
    return drawn


def _warn_curves_ended(
    keys: Sequence[tuple[str, str]],
    survival: FloatArray,
    row: IntArray,
    tenure: IntArray,
    customers: FloatArray,
) -> None:
    """Warn where a band's curve is 0 at tenures the channel's active customers have.

    Nobody of that band stayed so long, so the curve cannot say what such a customer
    would bring in that band: their residual value in it counts as 0.
    """
    ended = survival[row, tenure] <= 0
    if ended.any():
        hit = sorted({keys[r] for r in row[ended]})
        n = round(float(customers[ended].sum()))
        names = ", ".join(f"{band}/{channel}" for band, channel in hit[:4])
        warnings.warn(
            f"the churn curve of {names} reaches 0 before the longest tenure of its "
            f"channel's active customers: for {n:,} of them that band's residual value "
            "counts as 0, which overstates what moving them out of it is worth. A model "
            "with a parametric tail (model='auto') does not end at 0",
            CxAssumptionWarning,
            stacklevel=3,
        )


def _warn_extrapolated_residual(
    keys: Sequence[tuple[str, str]], share: FloatArray, observed: FloatArray, averaged: bool
) -> None:
    """Warn where much of a band's residual value lies beyond the longest tenure observed.

    There the value rests on the churn model's tail; ``averaged``: over several
    families, whose spread is in the interval (a shape none of them has is not).
    """
    from cx_economics.value.lifetime import DEFAULT_MAX_EXTRAPOLATED_SHARE

    far = np.flatnonzero(share > DEFAULT_MAX_EXTRAPOLATED_SHARE)
    low, high = int(observed.min()), int(observed.max())
    reach = f"{low}" if low == high else f"{low}–{high}"
    if far.size:
        detail = ", ".join(
            f"{keys[k][0]}/{keys[k][1]} {share[k]:.0%}" for k in far[np.argsort(-share[far])][:4]
        )
        warnings.warn(
            f"{far.size} of {len(keys)} band × channel residual values take more than "
            f"{DEFAULT_MAX_EXTRAPOLATED_SHARE:.0%} of their present value from months beyond "
            f"the longest tenure in the data ({reach} months), i.e. "
            f"from the churn model's tail: {detail}. "
            + (
                "Their intervals carry the spread between the tail families the data "
                "support, not a shape none of them has"
                if averaged
                else "Their intervals do not carry the tail's shape"
            )
            + "; a shorter horizon_months rests less on it",
            CxAssumptionWarning,
            stacklevel=3,
        )
