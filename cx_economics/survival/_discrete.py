"""The grouped-time (discrete) proportional-hazards model on a life table's cells.

Shared by :mod:`~cx_economics.survival.hazards` (hazard ratios, the proportional-hazards
check) and :mod:`~cx_economics.survival.adjusted` (standardised band curves).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cx_economics.core.exceptions import CxDataError, CxModelError
from cx_economics.core.threads import one_blas_thread
from cx_economics.tables.life import LifeTable

FloatArray = npt.NDArray[np.float64]

Levels = dict[str, list[str]]  # group column -> its levels, in the table's group order


def _references(table: LifeTable, reference: str) -> tuple[dict[str, str], Levels]:
    """Reference level per group column, and every column's levels.

    Bands use ``reference``; other columns their first level in sorted order.
    """
    groups = table.groups
    levels: Levels = {
        column: list(dict.fromkeys(key[i] for key in groups))
        for i, column in enumerate(table.group_columns)
    }
    references: dict[str, str] = {}
    for column, values in levels.items():
        if column == "band" and reference not in values:
            raise CxDataError(
                f"`reference` band {reference!r} is not in the table; its bands are {values}"
            )
        references[column] = reference if column == "band" else sorted(values)[0]
    return references, levels


def _covariates(
    frame: pd.DataFrame, levels: Levels, references: Mapping[str, str]
) -> tuple[FloatArray, list[tuple[str, str]]]:
    """Treatment-coded dummies of every group column, levels in the table's group order."""
    blocks: list[FloatArray] = []
    terms: list[tuple[str, str]] = []
    for column, values in levels.items():
        observed = frame[column].astype(str).to_numpy()
        for level in values:
            if level != references[column]:
                blocks.append((observed == level).astype(np.float64))
                terms.append((column, level))
    matrix = np.column_stack(blocks) if blocks else np.zeros((len(frame), 0))
    return matrix, terms


def _check_events(table: LifeTable, levels: Levels, terms: Sequence[tuple[str, str]]) -> None:
    """Every level (references included) needs churn events for a finite ratio."""
    cells = table.frame[table.frame["churned"].to_numpy(bool)]
    for column, values in levels.items():
        events = cells.groupby(cells[column].astype(str))["customers"].sum()
        empty = sorted(level for level in values if events.get(level, 0) == 0)
        if empty:
            raise CxModelError(
                f"no churn among {column} level(s) {empty}: their hazard ratio is not "
                "estimable (it is 0). Merge or drop those customers, or group by fewer columns"
            )
    if not terms:
        raise CxDataError("`table` has no group columns with two or more levels to compare")


@dataclass(frozen=True)
class _Glm:
    """Covariate coefficients and standard errors; all parameters with their covariance."""

    beta: FloatArray
    se: FloatArray
    loglik: float
    iterations: int
    params: FloatArray
    covariance: FloatArray


def _person_months(table: LifeTable) -> tuple[pd.DataFrame, FloatArray, list[int]]:
    """Person-month rows in months with churn, and their one-hot month block."""
    rows = table.to_person_period()
    churn_months = sorted(rows.loc[rows["churned"], "month"].unique().tolist())
    rows = rows[rows["month"].isin(churn_months)].reset_index(drop=True)
    months = rows["month"].to_numpy(np.int64)
    baseline = (months[:, None] == np.asarray(churn_months)[None, :]).astype(np.float64)
    return rows, baseline, churn_months


def _fit_cloglog(rows: pd.DataFrame, design: FloatArray, n_baseline: int) -> _Glm:
    import statsmodels.api as sm

    model = sm.GLM(
        rows["churned"].to_numpy(np.float64),
        design,
        family=sm.families.Binomial(link=sm.families.links.CLogLog()),
        freq_weights=rows["weight"].to_numpy(np.float64),
    )
    with warnings.catch_warnings(), one_blas_thread():
        warnings.simplefilter("ignore")  # statsmodels' own convergence notes; checked below
        result = model.fit(maxiter=100, tol=1e-10)
    if not result.converged:
        raise CxModelError(
            "the discrete-time hazard model did not converge in 100 iterations; "
            "try grouping by fewer columns or method='cox'"
        )
    params = np.asarray(result.params, dtype=np.float64)
    bse = np.asarray(result.bse, dtype=np.float64)
    return _Glm(
        params[n_baseline:],
        bse[n_baseline:],
        float(result.llf),
        int(result.fit_history["iteration"]),
        params,
        np.asarray(result.cov_params(), dtype=np.float64),
    )
