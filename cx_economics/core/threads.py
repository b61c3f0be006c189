"""Small dense fits on one BLAS thread.

The library's models are small once the data are counted: a hazard model on a life
table has a few hundred rows and a few dozen parameters. A multi-threaded BLAS
(OpenBLAS, MKL) spends more time waking and spin-waiting its threads than computing
on matrices that size, and on a busy machine (a notebook server, a Spark driver) its
threads compete with everything else. :func:`one_blas_thread` holds the BLAS pools to
one thread around such a fit and restores them after (``threadpoolctl``), so a fit
takes the same time on a busy machine and an idle one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # no py.typed

__all__ = ["one_blas_thread"]


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit the BLAS thread pools to one thread inside the ``with`` block.

    Examples
    --------
    >>> import numpy as np
    >>> from threadpoolctl import threadpool_info
    >>> with one_blas_thread():
    ...     inside = {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}
    ...     product = np.ones((50, 50)) @ np.ones(50)
    >>> inside <= {1}, float(product[0])
    (True, 50.0)
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield
