"""Today's active base: who is there at the cut-off, in which band, at which tenure."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.bands import BAND_ORDER
from cx_economics.core.exceptions import CxDataError
from cx_economics.tables.life import LifeTable

__all__ = [
    "MIN_RATED_PER_CLASS",
    "TENURE_CLASS_MONTHS",
    "ActiveBase",
    "active_base",
    "active_mix",
    "point_mix",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


#: Lower bounds (months of tenure completed) of the classes within which unrated active
#: customers take the band mix of the rated active customers of their channel: one
#: month each in the first year, a quarter in the second, then 24–29, 30–35, 36–47,
#: 48–59 and 60+. Fine where it matters: early on, survivors of every extra month are
#: more often promoters, and the customers asked first are the longer-tenured ones.
TENURE_CLASS_MONTHS: tuple[int, ...] = (*range(12), 12, 15, 18, 21, 24, 30, 36, 48, 60)
#: A tenure class with fewer rated active customers than this joins the class below it
#: (the first class joins the one above).
MIN_RATED_PER_CLASS = 30


@dataclass(frozen=True)
class ActiveBase:
    """Today's active customers of each channel by band and tenure, from a life table.

    The active customers are the life table's last states that are still open at the
    cut-off (neither churned nor moved on to another band); a customer's band is the
    band the delayed-entry table puts them in today, ``unrated`` for those who never
    gave a usable answer.

    Attributes
    ----------
    channels : tuple of str
    rated : ndarray (C, K, 3)
        Rated active customers per channel, tenure class and band (detractor, passive,
        promoter).
    unrated : ndarray (C, K)
        Unrated active customers per channel and tenure class.
    tenure_months, channel_index, customers : ndarray (N,)
        Active cells: months completed, the channel's position, active customers (all
        bands, unrated included): the tenure mix the band values are averaged over.

    Examples
    --------
    >>> from cx_economics.data.datasets import load_demo
    >>> from cx_economics.tables.life import life_table
    >>> demo = load_demo()
    >>> base = active_base(life_table(demo.customers, demo.responses, by=("band", "channel")))
    >>> base.channels, base.rated.shape[2]
    (('branch', 'chat', 'phone', 'web'), 3)
    """

    channels: tuple[str, ...]
    rated: npt.NDArray[np.int64]
    unrated: npt.NDArray[np.int64]
    tenure_months: npt.NDArray[np.int64]
    channel_index: npt.NDArray[np.int64]
    customers: npt.NDArray[np.int64]

    @property
    def n_customers(self) -> FloatArray:
        """Active customers per channel (C,)."""
        out: FloatArray = (self.rated.sum(axis=(1, 2)) + self.unrated.sum(axis=1)).astype(
            np.float64
        )
        return out


def _tenure_classes(rated: IntArray, months: IntArray) -> IntArray:
    """Class of each active cell: :data:`TENURE_CLASS_MONTHS`, thin classes merged.

    ``rated`` holds each cell's rated customers (0 for unrated cells). From the top
    down, a class with fewer than :data:`MIN_RATED_PER_CLASS` rated customers joins
    the class below it; the first class joins the one above.
    """
    bounds = np.asarray(TENURE_CLASS_MONTHS, dtype=np.int64)
    label = np.searchsorted(bounds, months, side="right") - 1
    sizes = np.bincount(label, weights=rated, minlength=bounds.size)
    groups = [[i] for i in range(bounds.size)]
    while len(groups) > 1:
        thin = [j for j, g in enumerate(groups) if sizes[g].sum() < MIN_RATED_PER_CLASS]
        if not thin:
            break
        j = thin[-1]
        into = j - 1 if j > 0 else 1
        groups[into] = sorted(groups[into] + groups[j])
        del groups[j]
    owner = np.empty(bounds.size, dtype=np.int64)
    for j, g in enumerate(groups):
        owner[g] = j
    out: IntArray = owner[label]
    return out


def active_base(table: LifeTable) -> ActiveBase:
    """Today's active customers by channel, band and tenure class (see :class:`ActiveBase`).

    Parameters
    ----------
    table : LifeTable
        Grouped by ``("band", "channel")``.

    Returns
    -------
    ActiveBase

    Examples
    --------
    >>> cells = pd.DataFrame({"band": ["detractor", "promoter", "unrated", "promoter"],
    ...     "channel": "web", "duration": [3, 5, 4, 2], "churned": [False, False, False, True],
    ...     "customers": [10, 30, 5, 7], "revenue_sum": 0.0, "revenue_sq_sum": 0.0})
    >>> base = active_base(LifeTable(cells, ("band", "channel"), "latest", None, False))
    >>> base.rated[0].sum(axis=0).tolist(), int(base.unrated.sum()), base.n_customers.tolist()
    ([10, 0, 30], 5, [45.0])
    """
    if tuple(table.group_columns) != ("band", "channel"):
        raise CxDataError(
            f"`table` must be grouped by ('band', 'channel'), got {table.group_columns}"
        )
    frame = table.frame
    open_ = ~frame["churned"].to_numpy(bool) & ~table.moved_on
    open_ &= frame["customers"].to_numpy(np.int64) > 0
    cells = frame.loc[open_]
    channels = tuple(sorted(cells["channel"].astype(str).unique()))
    if not channels:
        raise CxDataError("`table` has no active customers (no open cell at the cut-off)")
    channel_index = pd.Index(channels).get_indexer(cells["channel"].astype(str)).astype(np.int64)
    band = cells["band"].astype(str).to_numpy()
    band_index = np.full(band.size, 3, dtype=np.int64)
    for b, name in enumerate(BAND_ORDER):
        band_index[band == name.value] = b
    tenure = cells["duration"].to_numpy(np.int64)
    customers = cells["customers"].to_numpy(np.int64)
    k = len(TENURE_CLASS_MONTHS)
    rated = np.zeros((len(channels), k, 3), dtype=np.int64)
    unrated = np.zeros((len(channels), k), dtype=np.int64)
    for c in range(len(channels)):
        mine = channel_index == c
        months = tenure[mine]
        is_rated = band_index[mine] < 3
        klass = _tenure_classes(np.where(is_rated, customers[mine], 0), months)
        np.add.at(
            rated[c], (klass[is_rated], band_index[mine][is_rated]), customers[mine][is_rated]
        )
        np.add.at(unrated[c], klass[~is_rated], customers[mine][~is_rated])
    missing = [ch for c, ch in enumerate(channels) if rated[c].sum() == 0]
    if missing:
        raise CxDataError(
            f"no rated active customers in channel(s) {missing}: today's mix of a channel "
            "needs at least one active customer with a usable answer"
        )
    return ActiveBase(channels, rated, unrated, tenure, channel_index, customers)


def _class_mix(rated: IntArray) -> FloatArray:
    """Band shares (C, K, 3) of each class's rated customers (else its channel's mix)."""
    per_class = rated.sum(axis=-1, keepdims=True).astype(np.float64)
    channel = rated.sum(axis=1, keepdims=True).astype(np.float64)
    channel_mix = channel / channel.sum(axis=-1, keepdims=True)
    out: FloatArray = np.where(per_class > 0, rated / np.maximum(per_class, 1.0), channel_mix)
    return out


def point_mix(rated: IntArray, unrated: IntArray) -> FloatArray:
    """Today's band shares (C, 3): rated in their band, unrated by their class's rated mix.

    Examples
    --------
    Two tenure classes; the 10 unrated customers of the first take its 80/20 mix:

    >>> point_mix(np.array([[[8, 2, 0], [0, 2, 8]]]), np.array([[10, 0]])).round(3).tolist()
    [[0.533, 0.2, 0.267]]
    """
    n = rated.sum(axis=(1, 2)) + unrated.sum(axis=1)
    shared = np.einsum("ck,ckb->cb", unrated, _class_mix(rated))
    out: FloatArray = (rated.sum(axis=1) + shared) / n[:, None]
    return out


def active_mix(
    rated: IntArray, unrated: IntArray, n_replicates: int, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Today's band shares of the active base (C, 3) and their replicates (B, C, 3).

    Rated customers count in their band; the unrated of a tenure class are shared out
    by the band mix of that class's rated customers. Replicates carry that rule's
    uncertainty: the class mix is a multinomial bootstrap of its rated customers, and
    the unrated are drawn from it (multinomial), as the bands of customers nobody has
    asked are a draw, not a share.

    Examples
    --------
    >>> shares, reps = active_mix(np.array([[[8, 2, 0], [0, 2, 8]]]), np.array([[10, 0]]), 200,
    ...                           np.random.default_rng(0))
    >>> shares.round(3).tolist(), reps.shape, bool(abs(reps.mean(axis=0) - shares).max() < 0.02)
    ([[0.533, 0.2, 0.267]], (200, 1, 3), True)
    """
    point = point_mix(rated, unrated)
    n = rated.sum(axis=(1, 2)) + unrated.sum(axis=1)
    mix = _class_mix(rated)
    per_class = rated.sum(axis=-1)
    boot = rng.multinomial(
        np.broadcast_to(per_class, (n_replicates, *per_class.shape)),
        np.broadcast_to(mix, (n_replicates, *mix.shape)),
    )
    boot_mix = _class_mix(boot.reshape(-1, *mix.shape[1:])).reshape(boot.shape)
    drawn = rng.multinomial(np.broadcast_to(unrated, boot.shape[:-1]), boot_mix)
    reps = (rated.sum(axis=1)[None] + drawn.sum(axis=2)) / n[None, :, None]
    return point, reps
