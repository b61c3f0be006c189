r"""How strong an unmeasured confounder would have to be to explain a band effect away.

The **E-value** (VanderWeele & Ding 2017) of a risk ratio ``RR ≥ 1`` is

.. math:: E = RR + \sqrt{RR\,(RR - 1)},

the smallest strength of association, on the risk-ratio scale, that an unmeasured
confounder would need with *both* the band and churn (beyond the measured covariates)
to move the observed ratio to 1. It solves ``E² / (2E − 1) = RR``: the bounding factor
of Ding & VanderWeele (2016) with both associations equal to ``E``. A ratio below 1 is
inverted first. The E-value of the interval is that of the limit closer to 1 (1 when
the interval contains 1: no confounding at all is needed to reach the null).

Hazard ratios are turned into risk ratios first. Churn over a horizon is rarely a
rare outcome (more than 15 % of customers leave), so by default the conversion for a
common outcome of VanderWeele (2020) is used,
``RR ≈ (1 − 0.5^√HR) / (1 − 0.5^√(1/HR))``; with ``rare=True`` the hazard ratio is taken
as the risk ratio.

References
----------
VanderWeele, T. J. & Ding, P. (2017). Sensitivity analysis in observational research:
introducing the E-value. *Annals of Internal Medicine* 167(4), 268–274.
Ding, P. & VanderWeele, T. J. (2016). Sensitivity analysis without assumptions.
*Epidemiology* 27(3), 368–377.
VanderWeele, T. J. (2020). Optimal approximate conversions of odds ratios and hazard
ratios to risk ratios. *Biometrics* 76(3), 746–752.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.results import Result
from cx_economics.survival.hazards import HazardRatios

__all__ = ["EValues", "e_value", "e_values", "risk_ratio_from_hazard_ratio"]

FloatArray = npt.NDArray[np.float64]


def _positive(name: str, values: npt.ArrayLike) -> FloatArray:
    out = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(out) & (out > 0)):
        raise CxDataError(f"`{name}` must be ratios > 0 (finite); got {out.tolist()}")
    return out


def risk_ratio_from_hazard_ratio(hazard_ratio: npt.ArrayLike, *, rare: bool = False) -> FloatArray:
    """The risk ratio a hazard ratio stands for (VanderWeele 2020 for a common outcome).

    Parameters
    ----------
    hazard_ratio : array_like
        Hazard ratios (> 0, unitless).
    rare : bool, default False
        True when the outcome is rare over the horizon (under 15 % churned): the hazard
        ratio is then the risk ratio.

    Returns
    -------
    ndarray
        Risk ratios (unitless), on the same side of 1 as the hazard ratios.

    Examples
    --------
    >>> risk_ratio_from_hazard_ratio([2.0, 1.0, 0.5]).round(4).tolist()
    [1.6125, 1.0, 0.6201]
    """
    hr = _positive("hazard_ratio", hazard_ratio)
    if rare:
        return hr
    out: FloatArray = (1.0 - 0.5 ** np.sqrt(hr)) / (1.0 - 0.5 ** np.sqrt(1.0 / hr))
    return out


def e_value(risk_ratio: npt.ArrayLike) -> FloatArray:
    """E-value of risk ratios: ``RR + √(RR (RR − 1))``, after inverting ratios below 1.

    Parameters
    ----------
    risk_ratio : array_like
        Risk ratios (> 0, unitless).

    Returns
    -------
    ndarray
        E-values (≥ 1, on the risk-ratio scale).

    Examples
    --------
    VanderWeele & Ding's (2017) example, a risk ratio of 3.9 with interval 1.8 to 8.7:

    >>> e_value([3.9, 1.8]).round(2).tolist()
    [7.26, 3.0]
    """
    rr = _positive("risk_ratio", risk_ratio)
    rr = np.where(rr < 1.0, 1.0 / rr, rr)
    out: FloatArray = rr + np.sqrt(rr * (rr - 1.0))
    return out


@dataclass(frozen=True, eq=False)
class EValues(Result):
    """E-values of hazard ratios: the confounding it would take to explain them away.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per term: ``covariate``, ``category``, ``hazard_ratio`` with ``lower``
        and ``upper`` (its interval), ``risk_ratio`` (the conversion used),
        ``e_value`` (point) and ``e_value_limit`` (the interval limit closer to 1;
        1 when the interval contains 1), all unitless on the risk-ratio scale.
    rare : bool
        Whether the hazard ratios were taken as risk ratios.
    level : float
        Coverage of the hazard ratios' intervals.

    Examples
    --------
    >>> cells = pd.DataFrame({"band": ["detractor", "detractor", "promoter", "promoter"],
    ...                       "duration": [1, 2, 1, 2], "churned": [True, False] * 2,
    ...                       "customers": [40, 160, 20, 180]})
    >>> from cx_economics.survival.hazards import hazard_ratios
    >>> from cx_economics.tables.life import LifeTable
    >>> result = e_values(hazard_ratios(LifeTable(cells, ("band",), "latest", None, False)))
    >>> row = result.table.iloc[0]
    >>> row["category"], bool(row["e_value"] > row["e_value_limit"] > 1.0)
    ('detractor', True)
    """

    table: pd.DataFrame
    rare: bool
    level: float

    _title = "E-values of the hazard ratios"

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the table."""
        return self.table.copy()

    def _notes(self) -> list[str]:
        scale = (
            "taken as risk ratios (rare outcome)"
            if self.rare
            else ("converted to risk ratios for a common outcome (VanderWeele 2020)")
        )
        return [
            f"hazard ratios {scale}; an unmeasured confounder associated with both band "
            "and churn by the E-value (risk-ratio scale) could explain the ratio away"
        ]


def e_values(ratios: HazardRatios, *, rare: bool = False) -> EValues:
    """E-values of every hazard ratio and of its interval's limit closer to 1.

    Parameters
    ----------
    ratios : HazardRatios
        From :func:`~cx_economics.survival.hazards.hazard_ratios`.
    rare : bool, default False
        True when under 15 % of the customers churn over the horizon, so hazard ratios
        can be read as risk ratios; churn usually is not rare.

    Returns
    -------
    EValues

    Examples
    --------
    >>> from cx_economics.data.datasets import simulate
    >>> from cx_economics.survival.hazards import hazard_ratios
    >>> from cx_economics.tables.life import life_table
    >>> sim = simulate(3000, seed=1)
    >>> table = e_values(hazard_ratios(life_table(sim.customers, sim.responses))).table
    >>> table["category"].tolist(), bool((table["e_value"] >= table["e_value_limit"]).all())
    (['detractor', 'passive', 'unrated'], True)
    """
    terms = ratios.terms
    hr = terms["hazard_ratio"].to_numpy(np.float64)
    lower = terms["lower"].to_numpy(np.float64)
    upper = terms["upper"].to_numpy(np.float64)
    rr = risk_ratio_from_hazard_ratio(hr, rare=rare)
    rr_lower = risk_ratio_from_hazard_ratio(lower, rare=rare)
    rr_upper = risk_ratio_from_hazard_ratio(upper, rare=rare)
    crosses = (rr_lower <= 1.0) & (rr_upper >= 1.0)
    nearer = np.where(rr >= 1.0, rr_lower, rr_upper)
    limit = np.where(crosses, 1.0, e_value(nearer))
    table = pd.DataFrame(
        {
            "covariate": terms["covariate"].to_numpy(),
            "category": terms["category"].to_numpy(),
            "hazard_ratio": hr,
            "lower": lower,
            "upper": upper,
            "risk_ratio": rr,
            "e_value": e_value(rr),
            "e_value_limit": limit,
        }
    )
    return EValues(table, bool(rare), float(ratios.level))
