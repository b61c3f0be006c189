"""Small valid input tables shared by the bad-input catalogues; each test breaks one.

Keyword arguments replace whole columns, so a test states exactly what it broke.
"""

from __future__ import annotations

import pandas as pd

CHANNELS = ["web", "phone", "chat", "web", "phone", "chat"]


def customers(**override: object) -> pd.DataFrame:
    """Six valid customers; keyword arguments replace whole columns."""
    base: dict[str, object] = {
        "customer_id": [1, 2, 3, 4, 5, 6],
        "channel": CHANNELS,
        "tenure_months": [3.0, 12.0, 7.5, 24.0, 1.0, 30.0],
        "churned": [0, 1, 0, 1, 0, 1],
        "monthly_revenue": [20.0, 35.0, 50.0, 10.0, 15.0, 40.0],
    }
    base.update(override)
    return pd.DataFrame(base)


def dated_customers(**override: object) -> pd.DataFrame:
    """Six valid customers described by start and end dates."""
    base: dict[str, object] = {
        "customer_id": [1, 2, 3, 4, 5, 6],
        "channel": CHANNELS,
        "start_date": [
            "2023-01-15",
            "2023-03-01",
            "2024-02-10",
            "2022-11-30",
            "2025-01-01",
            "2024-06-01",
        ],
        "end_date": [None, "2024-05-31", None, "2025-02-28", None, None],
    }
    base.update(override)
    return pd.DataFrame(base)


def responses(**override: object) -> pd.DataFrame:
    """Six valid survey answers, one per customer."""
    base: dict[str, object] = {
        "customer_id": [1, 2, 3, 4, 5, 6],
        "response_date": [
            "2025-01-31",
            "2024-02-15",
            "2025-03-01",
            "2024-12-24",
            "2025-05-05",
            "2025-06-30",
        ],
        "channel": CHANNELS,
        "score": [9, 3, 7, 10, 0, 8],
    }
    base.update(override)
    return pd.DataFrame(base)


def contacts(**override: object) -> pd.DataFrame:
    """Six valid contacts."""
    base: dict[str, object] = {
        "customer_id": [1, 2, 3, 4, 5, 6],
        "contact_date": [
            "2025-01-02",
            "2024-02-03",
            "2025-03-04",
            "2024-12-05",
            "2025-05-06",
            "2025-06-07",
        ],
        "channel": CHANNELS,
        "reason": ["billing", "delivery", None, "billing; delivery", "password", "billing"],
    }
    base.update(override)
    return pd.DataFrame(base)


def costs(**override: object) -> pd.DataFrame:
    """Cost points of three channels at two NPS levels (currency per year)."""
    base: dict[str, object] = {
        "channel": ["web", "web", "phone", "phone", "chat", "chat"],
        "nps": [10.0, 40.0, 0.0, 30.0, 5.0, 35.0],
        "annual_cost": [1e5, 2e5, 3e5, 5e5, 1e5, 1.6e5],
    }
    base.update(override)
    return pd.DataFrame(base)
