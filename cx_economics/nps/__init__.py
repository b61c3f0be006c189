"""Net Promoter Score with honest intervals (see :mod:`.estimate`)."""

from cx_economics.nps.estimate import (
    ADJUSTED_PSEUDO_COUNTS,
    Method,
    NpsComparison,
    NpsEstimate,
    NpsTable,
    compare_nps,
    nps,
    sample_size_for_margin,
)
from cx_economics.nps.estimate import AUTO_METHOD as AUTO_METHOD
from cx_economics.nps.estimate import BoolArray as BoolArray
from cx_economics.nps.estimate import FloatArray as FloatArray

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
