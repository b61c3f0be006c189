"""Comparing two NPS (difference, interval, p-value) and sample sizes for a margin."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from cx_economics.core.exceptions import CxDataError
from cx_economics.core.results import Result
from cx_economics.core.stats import nps_variance
from cx_economics.scores._shared import (
    _check_positive,
    _resolve_method,
    _responses_for_margin,
    _trinomial,
    _z,
)
from cx_economics.scores.estimate import (
    ADJUSTED_PSEUDO_COUNTS,
    NpsEstimate,
)
from cx_economics.tables.nps_counts import NpsCounts

__all__ = ["NpsComparison", "compare_nps", "sample_size_for_margin"]


@dataclass(frozen=True)
class NpsComparison(Result):
    """Difference of two independent NPS (a − b), its interval and two-sided p-value.

    Attributes
    ----------
    nps_a, nps_b : float
        The two scores, NPS points.
    n_a, n_b : int
        Responses behind each.
    difference : float
        ``nps_a - nps_b``, NPS points (−200..200), from the raw counts.
    se : float
        Standard error of the difference the interval is built on, NPS points.
    lower, upper : float
        Interval for the difference, NPS points.
    level : float
        Nominal coverage.
    p_value : float
        Two-sided p-value of "both NPS are equal", consistent with the interval
        (``p < 1 − level`` exactly when the interval excludes 0).
    method : str
        ``"wald"`` or ``"adjusted_wald"``.

    Examples
    --------
    >>> from cx_economics.tables import NpsCounts
    >>> from cx_economics.scores import compare_nps
    >>> a = NpsCounts.from_counts(detractors=20, passives=30, promoters=50)
    >>> b = NpsCounts.from_counts(detractors=40, passives=30, promoters=30)
    >>> difference = compare_nps(a, b)
    >>> difference.difference, bool(difference.p_value < 0.05)
    (40.0, True)
    """

    nps_a: float
    nps_b: float
    n_a: int
    n_b: int
    difference: float
    se: float
    lower: float
    upper: float
    level: float
    p_value: float
    method: str

    _title = "NPS difference (a − b)"

    @property
    def significant(self) -> bool:
        """Whether the difference is significant at ``1 − level``."""
        return self.p_value < 1.0 - self.level

    def to_frame(self) -> pd.DataFrame:
        """Return one row with every field."""
        return pd.DataFrame([{k: getattr(self, k) for k in self.__dataclass_fields__}])

    def _notes(self) -> list[str]:
        verdict = "significant" if self.significant else "not significant"
        return [f"{verdict} at {1 - self.level:.0%} (two-sided); NPS points"]


def _triple(name: str, x: NpsCounts | NpsEstimate | Sequence[int]) -> npt.NDArray[np.float64]:
    if isinstance(x, NpsCounts):
        if len(x) != 1:
            raise CxDataError(f"`{name}` must be one group; pick one with counts.group(key)")
        values = [x.detractors[0], x.passives[0], x.promoters[0]]
    elif isinstance(x, NpsEstimate):
        shares = (x.detractor_share, x.passive_share, x.promoter_share)
        values = [round(s * x.n) for s in shares]
    else:
        values = list(x)
    if len(values) != 3:
        raise CxDataError(f"`{name}` must be (detractors, passives, promoters); got {x!r}")
    single = NpsCounts.from_counts(detractors=values[0], passives=values[1], promoters=values[2])
    if single.n_total == 0:
        raise CxDataError(f"`{name}` has no responses (n = 0)")
    return np.array(values, dtype=np.float64)


def compare_nps(
    a: NpsCounts | NpsEstimate | Sequence[int],
    b: NpsCounts | NpsEstimate | Sequence[int],
    *,
    level: float = 0.95,
    method: Literal["auto", "wald", "adjusted_wald"] = "auto",
) -> NpsComparison:
    """Compare the NPS of two independent samples (e.g. two channels, or two quarters).

    The variance of the difference is the sum of the two trinomial variances; with
    ``"adjusted_wald"`` (the ``"auto"`` choice) each sample first receives Rocks's
    pseudo-counts (¾, 1½, ¾), as in the two-sample ``adjusted.wald`` test of the R
    package ``NPS``. The p-value is two-sided, from the same standard error as the
    interval.

    Parameters
    ----------
    a, b : NpsCounts (one group), NpsEstimate, or (detractors, passives, promoters)
        The two samples; they must be independent (different respondents).
    level : float, default 0.95
        Coverage of the interval for the difference.
    method : {"auto", "wald", "adjusted_wald"}, default "auto"
        Interval and test.

    Returns
    -------
    NpsComparison
        Difference ``a − b`` in NPS points, its interval and p-value.

    Examples
    --------
    >>> c = compare_nps((20, 30, 50), (30, 30, 40))
    >>> round(c.difference, 1), round(c.p_value, 3), c.significant
    (20.0, 0.083, False)
    """
    resolved = _resolve_method(method, ("wald", "adjusted_wald"))
    z = _z(level)
    pair = np.vstack([_triple("a", a), _triple("b", b)])
    pseudo = ADJUSTED_PSEUDO_COUNTS if resolved == "adjusted_wald" else (0.0, 0.0, 0.0)
    each = _trinomial(pair, z, pseudo)
    centres = (each.lower + each.upper) / 2.0
    centre = float(centres[0] - centres[1])
    se = float(np.hypot(each.se[0], each.se[1]))
    raw = 100.0 * (pair[:, 2] - pair[:, 0]) / pair.sum(axis=1)
    if se > 0:
        p_value = float(2.0 * stats.norm.sf(abs(centre) / se))
    else:
        p_value = 1.0 if centre == 0 else 0.0
    return NpsComparison(
        nps_a=float(raw[0]),
        nps_b=float(raw[1]),
        n_a=int(pair[0].sum()),
        n_b=int(pair[1].sum()),
        difference=float(raw[0] - raw[1]),
        se=se,
        lower=max(centre - z * se, -200.0),
        upper=min(centre + z * se, 200.0),
        level=float(level),
        p_value=p_value,
        method=resolved,
    )


# --------------------------------------------------------------------------- sample size


def sample_size_for_margin(
    margin: float, shares: Sequence[float] | None = None, level: float = 0.95
) -> int:
    """Responses needed for an NPS interval of ± ``margin`` NPS points.

    Uses the trinomial variance: ``n = ⌈(z · 100 · σ / margin)²⌉`` with
    ``σ² = p₊ + p₋ − (p₊ − p₋)²`` per response. Without ``shares`` the worst case
    ``σ² = 1`` is used (half promoters, half detractors), which covers any mix.

    Parameters
    ----------
    margin : float
        Wanted interval half-width, NPS points (> 0), e.g. 10 for ±10.
    shares : (detractor, passive, promoter), optional
        Expected band fractions, summing to 1.
    level : float, default 0.95
        Coverage of the interval.

    Returns
    -------
    int
        Number of responses.

    Examples
    --------
    >>> sample_size_for_margin(10)
    385
    >>> sample_size_for_margin(5, shares=(0.2, 0.3, 0.5))
    938
    """
    half = _check_positive("margin", margin)
    z = _z(level)
    variance = 1.0 if shares is None else _share_variance(shares)
    return _responses_for_margin(half, z, variance)


def _share_variance(shares: Sequence[float]) -> float:
    values = np.asarray(list(shares), dtype=np.float64)
    if values.shape != (3,) or not np.all(np.isfinite(values)) or (values < 0).any():
        raise CxDataError(
            f"`shares` must be three fractions ≥ 0 (detractor, passive, promoter); got {shares!r}"
        )
    if abs(values.sum() - 1.0) > 1e-6:
        raise CxDataError(f"`shares` must sum to 1; they sum to {values.sum():.6g}")
    detractor, promoter = values[0], values[2]
    variance = float(nps_variance(promoter, detractor))
    if variance <= 0:
        raise CxDataError(
            "`shares` put every response in one band, so the NPS variance is 0 and no sample "
            "size follows; give plausible shares, or none for the worst case"
        )
    return variance
