"""Aggregation of raw rows into sufficient statistics (the only pass over raw rows).

* :mod:`cx_economics.tables.life` — :class:`LifeTable`, churn counts by band and duration.
* :mod:`cx_economics.tables.nps_counts` — :class:`NpsCounts`, band counts per group.
* :mod:`cx_economics.tables.contact_counts` — contact-reason counts and exposure.
"""

from __future__ import annotations

from cx_economics.tables.contact_counts import ContactCounts, contact_counts
from cx_economics.tables.life import LifeTable, RiskSets, life_table
from cx_economics.tables.nps_counts import NpsCounts, nps_counts

__all__ = [
    "ContactCounts",
    "LifeTable",
    "NpsCounts",
    "RiskSets",
    "contact_counts",
    "life_table",
    "nps_counts",
]
