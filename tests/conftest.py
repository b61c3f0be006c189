"""Hypothesis profiles: the suite is deterministic unless randomness is asked for.

- ``ci`` (the default, so the README's ``python -m pytest`` gives the same result on
  every clone and every run): ``derandomize=True`` draws each property test's examples
  from a seed fixed by the test itself, and no example database is read or written.
- ``dev``: random seeds, for hunting new failures before a release; select it with
  ``HYPOTHESIS_PROFILE=dev python -m pytest tests/package/test_properties.py``. A failure
  prints the ``@reproduce_failure`` blob and the falsifying example; add that example
  with ``@example(...)`` so the ``ci`` profile checks it from then on.

Per-test ``@settings(max_examples=..., deadline=...)`` still apply on top of either
profile. Also the one local PySpark session the ``spark``-marked tests share.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from cx_economics.data.datasets import SimulatedData, simulate

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "ci")


@pytest.fixture(scope="module")
def small() -> SimulatedData:
    """1,500 simulated customers with known truth (seed 11), for the bad-input files."""
    return simulate(1_500, seed=11)


def _java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or (home is not None and Path(home).exists())


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local PySpark session for every ``spark``-marked test (needs Java 17)."""
    pytest.importorskip("pyspark")
    if not _java_available():
        pytest.skip("PySpark needs Java 17 (not found on PATH or JAVA_HOME)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("cx_economics-engine-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
