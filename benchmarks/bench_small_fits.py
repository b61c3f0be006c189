"""Small dense fits with the BLAS pools held to one thread, against the default pools.

Usage::

    .venv/bin/python benchmarks/bench_small_fits.py --n 200000 --repeats 20

The hazard model behind ``hazard_ratios`` is small once the data are counted (a few
hundred person-month rows, a few dozen parameters). The library fits it with the BLAS
thread pools held to one thread (:func:`cx_economics.core.threads.one_blas_thread`).
This prints, in one run, the median time of ``hazard_ratios`` on a band × channel ×
segment life table, and of the same statsmodels GLM fitted by hand on the same rows
with the machine's default pools, on an idle machine and with a busy one (a second
process spinning on every core but one meanwhile), and their ratios. Set no
``OPENBLAS_NUM_THREADS`` before running it: the default pools are what is compared.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time
import warnings

import numpy as np
import statsmodels.api as sm
from threadpoolctl import threadpool_info

from cx_economics.data.datasets import simulate
from cx_economics.survival._discrete import _covariates, _person_months, _references
from cx_economics.survival.hazards import hazard_ratios
from cx_economics.tables.life import life_table


def _spin(stop: mp.synchronize.Event) -> None:  # type: ignore[name-defined]
    x = 0.0
    while not stop.is_set():
        x = (x + 1.0) * 0.5


def _median_seconds(call: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    sim = simulate(args.n, seed=3)
    table = life_table(sim.customers, sim.responses, by=("band", "channel", "segment")).rated()
    references, levels = _references(table, "promoter")
    rows, baseline, _ = _person_months(table)
    design, _ = _covariates(rows, levels, references)
    x = np.column_stack([baseline, design])
    y, w = rows["churned"].to_numpy(np.float64), rows["weight"].to_numpy(np.float64)
    family = sm.families.Binomial(link=sm.families.links.CLogLog())

    def by_hand() -> None:  # the same model, default BLAS pools
        sm.GLM(y, x, family=family, freq_weights=w).fit(maxiter=100, tol=1e-10)

    def library() -> None:
        hazard_ratios(table, include_unrated=False)

    pools = [(p["internal_api"], p["num_threads"]) for p in threadpool_info()]
    print(f"BLAS pools: {pools}; model rows {x.shape[0]:,}, parameters {x.shape[1]}")
    results = {}
    for load in ("idle", "busy"):
        stop = mp.Event()
        spinners = [
            mp.Process(target=_spin, args=(stop,)) for _ in range(max(mp.cpu_count() - 1, 1))
        ]
        if load == "busy":
            for p in spinners:
                p.start()
        try:
            results[load] = (
                _median_seconds(library, args.repeats),
                _median_seconds(by_hand, args.repeats),
            )
        finally:
            stop.set()
            for p in spinners:
                if p.is_alive():
                    p.join()
        ours, hand = results[load]
        print(
            f"{load:>4}: hazard_ratios {ours * 1e3:7.1f} ms (one BLAS thread); "
            f"GLM by hand {hand * 1e3:7.1f} ms (default pools); ratio {hand / ours:4.2f}×"
        )
    print(
        f"busy / idle: hazard_ratios {results['busy'][0] / results['idle'][0]:4.2f}×, "
        f"GLM by hand {results['busy'][1] / results['idle'][1]:4.2f}×"
    )


if __name__ == "__main__":
    main()
