"""Contact drivers: which reasons for contact cost money, and which fixes pay.

* :mod:`~cx_economics.drivers.rates` — contact rates per reason with intervals,
  overdispersion and trend tests, reliability verdicts;
* :mod:`~cx_economics.drivers.person_months` — person-months at risk by contact flags;
* :mod:`~cx_economics.drivers.churn` — churn hazard ratio after a contact
  (time-varying flags; no immortal-time bias);
* :mod:`~cx_economics.drivers.nps_link` — NPS of answers following a contact;
* :mod:`~cx_economics.drivers.money` — failure-demand cost and churn value per year;
* :mod:`~cx_economics.drivers.fixes` — NPV, payback, ROI of fixes; ranked levers;
* :mod:`~cx_economics.drivers.analysis` — all of it in :func:`contact_driver_analysis`.

statsmodels is imported only when a model is fitted.
"""

from __future__ import annotations

from cx_economics.drivers.analysis import DriverReport, contact_driver_analysis
from cx_economics.drivers.churn import ChurnLink, contact_churn_link
from cx_economics.drivers.fixes import (
    Fix,
    FixScenarios,
    Levers,
    fix_returns,
    fix_scenarios,
)
from cx_economics.drivers.money import ReasonMoney, money_per_reason
from cx_economics.drivers.nps_link import NpsAfterContact, nps_after_contacts
from cx_economics.drivers.person_months import PersonMonths, contact_person_months
from cx_economics.drivers.rates import (
    ReasonRates,
    ReliabilityRules,
    contact_rates,
    poisson_rate_interval,
)

__all__ = [
    "ChurnLink",
    "DriverReport",
    "Fix",
    "FixScenarios",
    "Levers",
    "NpsAfterContact",
    "PersonMonths",
    "ReasonMoney",
    "ReasonRates",
    "ReliabilityRules",
    "contact_churn_link",
    "contact_driver_analysis",
    "contact_person_months",
    "contact_rates",
    "fix_returns",
    "fix_scenarios",
    "money_per_reason",
    "nps_after_contacts",
    "poisson_rate_interval",
]
