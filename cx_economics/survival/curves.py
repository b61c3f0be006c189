"""The result every churn model returns: survival curves per group on a month grid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.results import Result

__all__ = ["ChurnCurves"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class ChurnCurves(Result):
    """Survival S(t) per group (usually per NPS band) on a grid of months.

    Attributes
    ----------
    model : str
        Which model produced the curves (``"km"``, ``"weibull"``, ``"sbg"``, …).
    group_columns : tuple of str
        What a group is made of, e.g. ``("band",)`` or ``("band", "channel")``.
    groups : tuple of tuple of str
        One key per group, aligned with ``group_columns``.
    months : ndarray, shape (T,)
        The grid ``0, 1, …, T-1`` in months; ``survival[:, 0] == 1``.
    survival, lower, upper : ndarray, shape (G, T)
        Probability of still being a customer at the end of month t, and its
        pointwise interval (fractions 0–1).
    observed_months : ndarray, shape (G,)
        Longest tenure observed in the data per group (months): values of the grid
        beyond it are extrapolated by the model.
    n_customers, n_churned : ndarray, shape (G,)
        Customers (band states: a customer who moved band counts in each) and churn
        events behind each curve.
    level : float
        Nominal coverage of ``lower``/``upper``.
    details : dict
        Model-specific fitted parameters (e.g. sBG ``alpha``/``beta`` per group,
        AIC of candidate models), for the methods appendix.

    Examples
    --------
    Returned by :func:`~cx_economics.survival.kaplan_meier`,
    :func:`~cx_economics.survival.fit_churn` and the parametric and sBG fits:

    >>> import pandas as pd
    >>> from cx_economics.survival import kaplan_meier
    >>> from cx_economics.tables import life_table
    >>> customers = pd.DataFrame({"customer_id": range(1, 7),
    ...                           "channel": ["web"] * 3 + ["phone"] * 3,
    ...                           "tenure_months": [2.5, 5.0, 4.0, 6.0, 3.2, 8.0],
    ...                           "churned": [True, False, True, False, True, False]})
    >>> curves = kaplan_meier(life_table(customers, by="channel"))
    >>> curves.groups, curves.survival.shape
    ((('phone',), ('web',)), (2, 9))

    On the web, 1 of 3 customers leaves in month 3 and 1 of the 2 left in month 4:

    >>> curves.curve("web").round(3).tolist()
    [1.0, 1.0, 1.0, 0.667, 0.333, 0.333, 0.333, 0.333, 0.333]
    >>> curves.churn_at(4)[["channel", "churn"]].round(3).to_numpy().tolist()
    [['phone', 0.333], ['web', 0.667]]
    >>> curves.observed_months.tolist(), int(curves.to_frame()["extrapolated"].sum())
    ([8.0, 5.0], 3)
    """

    model: str
    group_columns: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]
    months: FloatArray
    survival: FloatArray
    lower: FloatArray
    upper: FloatArray
    observed_months: FloatArray
    n_customers: IntArray
    n_churned: IntArray
    level: float = 0.95
    details: dict[str, object] | None = None

    _title = "Churn curves"

    def __post_init__(self) -> None:
        shape = (len(self.groups), len(self.months))
        for name in ("survival", "lower", "upper"):
            arr = getattr(self, name)
            if arr.shape != shape:
                raise ValueError(f"`{name}` has shape {arr.shape}, expected {shape}")
        super().__post_init__()

    def index_of(self, *key: str) -> int:
        """Row index of the group with key ``key`` (e.g. ``"promoter"``)."""
        try:
            return self.groups.index(tuple(key))
        except ValueError:
            raise KeyError(f"no group {key}; groups are {list(self.groups)}") from None

    def curve(self, *key: str) -> FloatArray:
        """Survival S(t) of one group on ``months``."""
        row: FloatArray = self.survival[self.index_of(*key)]
        return row

    def churn_at(self, month: int) -> pd.DataFrame:
        """Share churned by ``month`` (1 - S) per group, with its interval (fractions)."""
        t = int(np.searchsorted(self.months, month))
        if t >= len(self.months) or self.months[t] != month:
            raise KeyError(f"month {month} is not on the grid 0..{int(self.months[-1])}")
        frame = pd.DataFrame(list(self.groups), columns=list(self.group_columns))
        frame["month"] = month
        frame["churn"] = 1.0 - self.survival[:, t]
        frame["churn_lower"] = 1.0 - self.upper[:, t]
        frame["churn_upper"] = 1.0 - self.lower[:, t]
        return frame

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: one row per group and month with survival and interval."""
        g, t = len(self.groups), len(self.months)
        keys = pd.DataFrame(
            np.repeat(np.array(self.groups, dtype=object), t, axis=0),
            columns=list(self.group_columns),
        )
        keys["month"] = np.tile(self.months, g)
        keys["survival"] = self.survival.ravel()
        keys["lower"] = self.lower.ravel()
        keys["upper"] = self.upper.ravel()
        keys["extrapolated"] = keys["month"].to_numpy() > np.repeat(self.observed_months, t)
        keys["model"] = self.model
        return keys

    def _notes(self) -> list[str]:
        far = [
            "/".join(k)
            for k, obs in zip(self.groups, self.observed_months, strict=True)
            if self.months[-1] > obs
        ]
        return (
            [f"curves beyond the observed tenure are extrapolated ({self.model}): {far}"]
            if far
            else []
        )
