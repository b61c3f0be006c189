"""From band mix to money: value of an NPS point and money lost below excellence.

NPS alone does not fix the shares of detractors, passives and promoters. A
:class:`MixShift` states how a channel's mix moves when its NPS moves; the value of
a mix is the channel's customers times the lifetime value of each band, weighted by
the mix (the "return on quality" logic of Rust, Zahorik & Keiningham, 1995):

``value(mix) = customers × Σ_b mix_b × lifetime_value_b``  (currency, customer equity)

Money lost below excellence is ``value(excellent mix) − value(today's mix)``, computed
as the gain of the move (:func:`mix_gain`), so the band values may be residual values
of today's customers as well as lifetime values of new ones.
Everything here works on small arrays: shares ``(…, 3)`` in band order detractor,
passive, promoter, and values per band ``(…, 3)``; leading axes are channels and
bootstrap replicates, so intervals are vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError, CxModelError
from cx_economics.core.results import Result

__all__ = [
    "MixShift",
    "mix_at_nps",
    "mix_gain",
    "mix_value",
    "money_lost",
    "value_per_point",
]

FloatArray = npt.NDArray[np.float64]
MixRule = Literal["detractors_first", "proportional", "estimated"]


def _as_shares(shares: npt.ArrayLike) -> FloatArray:
    arr = np.asarray(shares, dtype=np.float64)
    if arr.shape[-1:] != (3,):
        raise CxDataError(
            f"`shares` must end in an axis of 3 (detractor, passive, promoter), got {arr.shape}"
        )
    if np.any(arr < -1e-12) or np.any(np.abs(arr.sum(axis=-1) - 1.0) > 1e-9):
        raise CxDataError("`shares` must be non-negative and sum to 1 along the last axis")
    return arr


def _nps_of(shares: FloatArray) -> FloatArray:
    return np.asarray(100.0 * (shares[..., 2] - shares[..., 0]), dtype=np.float64)


def _detractors_first(shares: FloatArray, delta: FloatArray) -> FloatArray:
    """Move ``delta`` NPS points: up lifts detractors→passives then passives→promoters.

    Down is the mirror image: promoters→passives first, then passives→detractors.
    """
    d, p, r = shares[..., 0], shares[..., 1], shares[..., 2]
    step = delta / 100.0
    up = np.maximum(step, 0.0)
    down = np.maximum(-step, 0.0)
    # upwards
    from_d = np.minimum(up, d)
    from_p = np.minimum(up - from_d, p + from_d)
    d1, p1, r1 = d - from_d, p + from_d - from_p, r + from_p
    # downwards
    from_r = np.minimum(down, r1)
    from_p2 = np.minimum(down - from_r, p1 + from_r)
    d2, p2, r2 = d1 + from_p2, p1 + from_r - from_p2, r1 - from_r
    return np.stack([d2, p2, r2], axis=-1)


def _proportional(shares: FloatArray, target: FloatArray) -> FloatArray:
    """Move to ``target`` keeping the proportions of the bands that give way.

    Upwards, detractors and passives shrink by one factor ``k = (1 − x′)/(1 − x)`` and
    promoters take the rest; downwards, promoters and passives shrink by
    ``k = (1 + x′)/(1 + x)`` and detractors take the rest (``x`` = NPS/100).
    """
    x = _nps_of(shares) / 100.0
    xt = target / 100.0
    d, p, r = shares[..., 0], shares[..., 1], shares[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        k_up = np.where(x < 1.0, (1.0 - xt) / (1.0 - x), 1.0)
        k_down = np.where(x > -1.0, (1.0 + xt) / (1.0 + x), 1.0)
    up = xt >= x
    d_up, p_up = d * k_up, p * k_up
    r_dn, p_dn = r * k_down, p * k_down
    d_new = np.where(up, d_up, 1.0 - r_dn - p_dn)
    p_new = np.where(up, p_up, p_dn)
    r_new = np.where(up, 1.0 - d_up - p_up, r_dn)
    return np.stack([d_new, p_new, r_new], axis=-1)


def _from_passive_share(target: FloatArray, passive: FloatArray) -> FloatArray:
    """Shares with the given NPS and passive share: ``d = (1 − p − x)/2``, ``r = (1 − p + x)/2``."""
    x = target / 100.0
    p = np.clip(passive, 0.0, 1.0 - np.abs(x))
    return np.stack([(1.0 - p - x) / 2.0, p, (1.0 - p + x) / 2.0], axis=-1)


@dataclass(frozen=True, eq=False)
class MixShift(Result):
    """How a channel's band mix moves when its NPS moves.

    Attributes
    ----------
    rule : {"detractors_first", "proportional", "estimated"}
        ``detractors_first`` lifts detractors to passives, then passives to promoters
        (and the mirror image downwards); ``proportional`` shrinks the bands that give
        way by one factor, keeping their proportions; ``estimated``
        takes the passive share at a given NPS from a binomial model fitted on team ×
        month history (``logit(passive share) = a + b·NPS/100 + c·(NPS/100)²``), the
        other two shares then follow from NPS and the sum to one.
    coefficients : ndarray, shape (3,), optional
        ``a, b, c`` of the estimated rule.
    covariance : ndarray, shape (3, 3), optional
        Their covariance, for uncertainty draws.
    n_groups : int
        Team-months behind the estimate (0 for fixed rules).

    Examples
    --------
    >>> MixShift("proportional").rule
    'proportional'
    >>> mix_at_nps([0.3, 0.4, 0.3], 10, MixShift("detractors_first")).round(3).tolist()
    [0.2, 0.5, 0.3]
    """

    rule: MixRule = "detractors_first"
    coefficients: FloatArray | None = None
    covariance: FloatArray | None = None
    n_groups: int = 0

    _title = "Mix shift"

    def __post_init__(self) -> None:
        if self.rule not in ("detractors_first", "proportional", "estimated"):
            raise CxDataError(
                f"`rule` must be detractors_first, proportional or estimated, got {self.rule!r}"
            )
        if self.rule == "estimated" and self.coefficients is None:
            raise CxDataError("an estimated MixShift needs coefficients; use MixShift.estimate()")
        super().__post_init__()

    @classmethod
    def estimate(cls, history: pd.DataFrame, *, min_responses: int = 20) -> MixShift:
        """Fit the ``estimated`` rule from band counts of teams × months.

        Parameters
        ----------
        history : pandas.DataFrame
            One row per team-month (or any group) with integer columns
            ``detractors``, ``passives``, ``promoters``.
        min_responses : int, default 20
            Groups with fewer responses are left out (their NPS is noise).

        Returns
        -------
        MixShift

        Raises
        ------
        CxModelError
            Fewer than 5 usable groups, or the binomial model does not converge.

        Examples
        --------
        >>> import pandas as pd
        >>> hist = pd.DataFrame({"detractors": [30, 20, 10, 25, 15, 5],
        ...                      "passives": [40, 40, 35, 38, 40, 30],
        ...                      "promoters": [30, 40, 55, 37, 45, 65]})
        >>> MixShift.estimate(hist).rule
        'estimated'
        """
        import statsmodels.api as sm

        missing = {"detractors", "passives", "promoters"} - set(history.columns)
        if missing:
            raise CxDataError(f"`history` needs columns {sorted(missing)}")
        counts = history[["detractors", "passives", "promoters"]].to_numpy(np.float64)
        n = counts.sum(axis=1)
        keep = n >= min_responses
        if keep.sum() < 5:
            raise CxModelError(
                f"only {int(keep.sum())} groups have ≥ {min_responses} responses; an estimated "
                "mix shift needs at least 5 — use rule='detractors_first' or 'proportional'"
            )
        counts, n = counts[keep], n[keep]
        x = (counts[:, 2] - counts[:, 0]) / n
        design = np.column_stack([np.ones_like(x), x, x**2])
        endog = np.column_stack([counts[:, 1], n - counts[:, 1]])
        try:
            fit = sm.GLM(endog, design, family=sm.families.Binomial()).fit()
        except (ValueError, np.linalg.LinAlgError) as exc:  # pragma: no cover - defensive
            raise CxModelError(f"mix-shift model did not fit: {exc}") from exc
        return cls(
            "estimated",
            np.asarray(fit.params, dtype=np.float64),
            np.asarray(fit.cov_params(), dtype=np.float64),
            int(keep.sum()),
        )

    def shares_at(
        self,
        shares: npt.ArrayLike,
        target_nps: npt.ArrayLike,
        *,
        coefficients: FloatArray | None = None,
    ) -> FloatArray:
        """Band shares after moving from ``shares`` to ``target_nps`` (NPS points).

        Parameters
        ----------
        shares : array_like, shape (…, 3)
            Today's detractor, passive, promoter shares.
        target_nps : array_like, broadcastable to shares' leading shape
            The NPS to move to, −100..100.
        coefficients : ndarray, optional
            Replicate coefficients of the estimated rule, shape (…, 3).

        Returns
        -------
        ndarray, shape (…, 3)
        """
        base = _as_shares(shares)
        target = np.clip(np.asarray(target_nps, dtype=np.float64), -100.0, 100.0)
        if self.rule == "detractors_first":
            return _detractors_first(base, target - _nps_of(base))
        if self.rule == "proportional":
            return _proportional(base, target)
        coef = self.coefficients if coefficients is None else coefficients
        assert coef is not None
        x = target / 100.0
        eta = coef[..., 0] + coef[..., 1] * x + coef[..., 2] * x**2
        return _from_passive_share(target, 1.0 / (1.0 + np.exp(-eta)))

    def draw_coefficients(self, n: int, rng: np.random.Generator) -> FloatArray | None:
        """Draws of the estimated rule's coefficients, shape (n, 3); None for fixed rules."""
        if self.rule != "estimated":
            return None
        assert self.coefficients is not None and self.covariance is not None
        return rng.multivariate_normal(self.coefficients, self.covariance, size=n)

    def to_frame(self) -> pd.DataFrame:
        """One row: the rule and, when estimated, its coefficients."""
        coef = [np.nan] * 3 if self.coefficients is None else list(self.coefficients)
        return pd.DataFrame(
            [{"rule": self.rule, "a": coef[0], "b": coef[1], "c": coef[2], "groups": self.n_groups}]
        )


def mix_at_nps(
    shares: npt.ArrayLike, target_nps: npt.ArrayLike, rule: MixRule | MixShift = "detractors_first"
) -> FloatArray:
    """Band shares at ``target_nps`` (NPS points) starting from ``shares`` under ``rule``.

    Examples
    --------
    >>> mix_at_nps([0.3, 0.4, 0.3], 10).round(3).tolist()
    [0.2, 0.5, 0.3]
    >>> mix_at_nps([0.3, 0.4, 0.3], 10, "proportional").round(4).tolist()
    [0.27, 0.36, 0.37]
    """
    shift = rule if isinstance(rule, MixShift) else MixShift(rule)
    return shift.shares_at(shares, target_nps)


def mix_value(
    shares: npt.ArrayLike, band_values: npt.ArrayLike, customers: npt.ArrayLike
) -> FloatArray:
    """Customer equity of a mix: ``customers × Σ_b shares_b × band_values_b`` (currency).

    Parameters
    ----------
    shares : array_like, shape (…, 3)
    band_values : array_like, shape (…, 3)
        Lifetime value per customer of each band (currency).
    customers : array_like, shape (…)
        Customers whose experience the channel shapes.

    Examples
    --------
    >>> float(mix_value([0.2, 0.3, 0.5], [100.0, 200.0, 300.0], 1000))
    230000.0
    """
    s = np.asarray(shares, dtype=np.float64)
    v = np.asarray(band_values, dtype=np.float64)
    out: FloatArray = np.asarray(customers, dtype=np.float64) * np.sum(s * v, axis=-1)
    return out


def mix_gain(
    shares: npt.ArrayLike,
    target_nps: npt.ArrayLike,
    band_values: npt.ArrayLike,
    customers: npt.ArrayLike,
    rule: MixRule | MixShift = "detractors_first",
    *,
    coefficients: FloatArray | None = None,
) -> FloatArray:
    """Customer equity gained moving a mix from its own NPS to ``target_nps`` (currency).

    ``customers × Σ_b (mix_at_nps(shares, target)_b − mix_at_nps(shares, nps)_b) ×
    band_values_b`` with ``nps`` the mix's own NPS (for the fixed rules the second mix
    is ``shares`` itself; an estimated rule compares its fitted mixes): the
    one "value of a mix" behind money lost, the value of a point, the channel
    economics table and the value-based targets. Only the change of mix is priced,
    so ``band_values`` may be residual values of today's customers (what they bring
    from today on) as well as lifetime values of new ones.

    Parameters
    ----------
    shares : array_like, shape (…, 3)
        Today's detractor, passive, promoter shares.
    target_nps : array_like, shape (…)
        NPS to move to (points).
    band_values : array_like, shape (…, 3)
        Value per customer of each band (currency).
    customers : array_like, shape (…)
        Customers the mix applies to.
    rule : str or MixShift
        How the mix moves with NPS.
    coefficients : ndarray, optional
        Replicate coefficients of an estimated rule, shape (…, 3).

    Returns
    -------
    ndarray
        Gain in currency (negative for a move down), shape of the broadcast leading axes.

    Examples
    --------
    >>> round(float(mix_gain([0.3, 0.4, 0.3], 10, [100.0, 200.0, 300.0], 1000)), 6)
    10000.0
    """
    shift = rule if isinstance(rule, MixShift) else MixShift(rule)
    base = _as_shares(shares)
    target = np.asarray(target_nps, dtype=np.float64)
    start = np.broadcast_to(base, (*np.broadcast_shapes(target.shape, base.shape[:-1]), 3))
    here = shift.shares_at(start, _nps_of(start), coefficients=coefficients)
    moved = shift.shares_at(start, target, coefficients=coefficients) - here
    values = np.asarray(band_values, dtype=np.float64)
    out: FloatArray = np.asarray(customers, dtype=np.float64) * np.sum(moved * values, axis=-1)
    return out


def money_lost(
    shares: npt.ArrayLike,
    excellent_nps: npt.ArrayLike,
    band_values: npt.ArrayLike,
    customers: npt.ArrayLike,
    rule: MixRule | MixShift = "detractors_first",
) -> FloatArray:
    """Money lost below excellence: value at the excellent mix minus value today (currency).

    Zero when today's NPS is at or above ``excellent_nps`` (performing above the bar
    is not counted as a gain here).

    Examples
    --------
    >>> round(float(money_lost([0.3, 0.4, 0.3], 10, [100.0, 200.0, 300.0], 1000)), 6)
    10000.0
    """
    base = _as_shares(shares)
    target = np.maximum(np.asarray(excellent_nps, dtype=np.float64), _nps_of(base))
    return mix_gain(base, target, band_values, customers, rule)


def value_per_point(
    shares: npt.ArrayLike,
    band_values: npt.ArrayLike,
    customers: npt.ArrayLike,
    rule: MixRule | MixShift = "detractors_first",
    *,
    points: float = 1.0,
) -> FloatArray:
    """Customer equity gained by ``points`` more NPS points, per point (currency per point).

    Examples
    --------
    >>> round(float(value_per_point([0.3, 0.4, 0.3], [100.0, 200.0, 300.0], 1000)), 6)
    1000.0
    """
    base = _as_shares(shares)
    out: FloatArray = mix_gain(base, _nps_of(base) + points, band_values, customers, rule) / points
    return out
