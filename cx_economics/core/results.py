"""The base every result object shares.

Results are frozen dataclasses holding numbers only: no fitting, no plotting.
Each subclass implements :meth:`Result.to_frame`; :meth:`Result.summary` and the
notebook representations are derived from it.
"""

from __future__ import annotations

import abc
import dataclasses
import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Estimate", "Result"]


class Result(abc.ABC):
    """Mixin for frozen result dataclasses: ``to_frame()``, ``summary()``, ``_repr_html_``.

    Examples
    --------
    >>> from cx_economics.tables import NpsCounts
    >>> from cx_economics.scores import nps
    >>> estimate = nps(NpsCounts.from_counts(detractors=20, passives=30, promoters=50))
    >>> isinstance(estimate, Result), estimate.summary().splitlines()[0]
    (True, 'Net Promoter Score')
    """

    #: Short human title used by :meth:`summary` and the HTML representation.
    _title: str = "Result"

    @abc.abstractmethod
    def to_frame(self) -> pd.DataFrame:
        """Return the result as a tidy :class:`pandas.DataFrame` (one row per estimate)."""

    def __post_init__(self) -> None:
        """Make the result's arrays read-only views: a result is a record, not a workspace.

        The views share memory with the arrays given, whose own flags are left as they
        are (inputs are never changed).
        """
        if not dataclasses.is_dataclass(self):
            return
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, np.ndarray) and value.flags.writeable:
                frozen = value.view()
                frozen.flags.writeable = False
                object.__setattr__(self, spec.name, frozen)

    def _notes(self) -> list[str]:
        """Return caveats printed under the table (flags, warnings); none by default."""
        return []

    def summary(self) -> str:
        """Return a plain-text summary: the title, the table and any caveats."""
        frame = self.to_frame()
        lines = [self._title, "=" * len(self._title), frame.to_string(index=False)]
        notes = self._notes()
        if notes:
            lines.append("")
            lines.extend(f"note: {n}" for n in notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        notes = "".join(f"<p><em>{html.escape(n)}</em></p>" for n in self._notes())
        table = frame.to_html(index=False, float_format=lambda x: f"{x:,.4g}")
        return f"<div><strong>{html.escape(self._title)}</strong>{table}{notes}</div>"

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True)
class Estimate(Result):
    """A number with its interval.

    Parameters
    ----------
    value : float
        The point estimate, in the unit the producing function documents.
    lower, upper : float
        Bounds of the interval, same unit.
    level : float, default 0.95
        Nominal coverage of the interval.

    Examples
    --------
    Results with an interval hand it out as an :class:`Estimate`, e.g. an NPS:

    >>> from cx_economics.scores import nps
    >>> from cx_economics.tables import NpsCounts
    >>> counts = NpsCounts.from_counts(detractors=20, passives=30, promoters=50)
    >>> est = nps(counts).as_estimate()  # NPS points
    >>> round(est.value, 1), round(est.lower, 1), round(est.upper, 1), est.level
    (30.0, 14.1, 44.2, 0.95)
    >>> round(est.half_width, 1), est.contains(0.0), est.contains(25.0)
    (15.1, False, True)
    >>> est.to_frame().columns.tolist()
    ['value', 'lower', 'upper', 'level']
    >>> Estimate(1.0, lower=2.0, upper=0.5)
    Traceback (most recent call last):
    ValueError: interval lower bound 2.0 exceeds upper 0.5
    """

    value: float
    lower: float
    upper: float
    level: float = 0.95

    _title = "Estimate"

    def __post_init__(self) -> None:
        if not (math.isnan(self.lower) or math.isnan(self.upper)) and self.lower > self.upper:
            raise ValueError(f"interval lower bound {self.lower} exceeds upper {self.upper}")
        super().__post_init__()

    def to_frame(self) -> pd.DataFrame:
        """Return one row: value, lower, upper, level."""
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(self)])

    @property
    def half_width(self) -> float:
        """Half the interval's width, same unit as ``value``."""
        return (self.upper - self.lower) / 2.0

    def contains(self, x: float) -> bool:
        """Return whether ``x`` lies inside the closed interval."""
        return self.lower <= x <= self.upper
