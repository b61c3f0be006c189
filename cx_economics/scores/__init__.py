r"""Net Promoter Score with honest intervals, reliability flags, comparisons and sample sizes.

NPS is ``100 × (share of promoters − share of detractors)``, on −100..100 (NPS
points). With ``n`` responses split ``(p₋, p₀, p₊)`` over detractors, passives and
promoters, the band of one response is a trinomial draw and

.. math:: \operatorname{Var}(\widehat{NPS}) = 100^2\,[p_+ + p_- - (p_+ - p_-)^2]\,/\,n .

Three intervals are offered (``method=``):

``"wald"``
    ``NPS ± z·se`` with the trinomial variance above at the observed shares. Too
    narrow at small ``n`` and collapses to a point when every answer is in one band.
``"adjusted_wald"`` (what ``"auto"`` uses)
    Rocks (2016): add 3 pseudo-observations — ¾ detractor, 1½ passive, ¾ promoter —
    then build the Wald interval on the adjusted counts (``n + 3``). This is the
    default of the ``adjusted.wald`` test in Rocks's R package ``NPS`` (argument
    ``pseudo_observations = c(0.75, 1.50, 0.75)``) and the recipe Lewis & Sauro
    (MeasuringU, 2021) recommend. Exact trinomial enumeration (see
    ``tests/scores/test_nps.py``) shows its coverage closest to nominal for n = 10–100.
``"bootstrap"``
    Percentile interval of the NPS over multinomial resamples of the counts,
    vectorised over groups and replicates.

Intervals are clipped to [−100, 100]. A group is *reliable* when its interval's
half-width is at most ``reliability_margin`` NPS points; unreliable groups are
never ranked (:meth:`NpsTable.ranked`).

References
----------
Rocks, B. (2016). Interval estimation for the "net promoter score". *The American
Statistician* 70(4), 365–372. doi:10.1080/00031305.2016.1158124 (arXiv:1601.07235).
"""

from cx_economics.scores.compare import NpsComparison, compare_nps, sample_size_for_margin
from cx_economics.scores.estimate import ADJUSTED_PSEUDO_COUNTS, Method, NpsEstimate, NpsTable, nps

# `X as X` re-exports names importable from the module before it became a package
from cx_economics.scores.estimate import AUTO_METHOD as AUTO_METHOD
from cx_economics.scores.estimate import BoolArray as BoolArray
from cx_economics.scores.estimate import FloatArray as FloatArray

__all__ = [
    "ADJUSTED_PSEUDO_COUNTS",
    "Method",
    "NpsComparison",
    "NpsEstimate",
    "NpsTable",
    "compare_nps",
    "nps",
    "sample_size_for_margin",
]
