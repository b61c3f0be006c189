"""Parameter checks declared once: bootstrap replicate counts and random seeds.

Every public function that takes ``n_bootstrap`` or ``seed`` checks it here, so the
rule and its message are the same at every door (:class:`~cx_economics.Assumptions`,
:func:`~cx_economics.value_by_band`, :func:`~cx_economics.scores`, the report, the
command line):

- ``n_bootstrap`` is a whole number (not ``True``, not ``2.9``) from
  :data:`MIN_BOOTSTRAP` to :data:`MAX_BOOTSTRAP`; fewer replicates give percentile
  intervals that can exclude the estimate, more only cost time and memory.
- ``seed`` is a whole number ≥ 0 or a :class:`numpy.random.Generator`.
"""

from __future__ import annotations

import numbers

import numpy as np

from cx_economics.core.exceptions import CxDataError

__all__ = ["MAX_BOOTSTRAP", "MIN_BOOTSTRAP", "check_n_bootstrap", "check_seed", "rng_from_seed"]

#: Fewest bootstrap replicates behind an interval: below this the 2.5 % and 97.5 %
#: percentiles rest on one or two replicates and can exclude the point estimate.
MIN_BOOTSTRAP = 50
#: Most bootstrap replicates: beyond this the percentiles no longer move, while the
#: replicate tables grow with the count (memory ∝ replicates × life-table cells).
MAX_BOOTSTRAP = 100_000


def _whole(value: object) -> int | None:
    """``value`` as an int when it is a whole number (not a bool), else None."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def check_n_bootstrap(value: object, *, name: str = "n_bootstrap", allow_zero: bool = False) -> int:
    """Return ``value`` as an int after checking it is a usable replicate count.

    Parameters
    ----------
    value : object
        The count given by the user.
    name : str, default "n_bootstrap"
        The argument's name, repeated in the message.
    allow_zero : bool, default False
        Accept 0, meaning "no interval", where a function documents it.

    Returns
    -------
    int
        The count, from :data:`MIN_BOOTSTRAP` to :data:`MAX_BOOTSTRAP` (or 0 when
        allowed).

    Raises
    ------
    CxDataError
        When ``value`` is not a whole number (``True``, ``2.9``, ``"100"``) or out of range.

    Examples
    --------
    >>> check_n_bootstrap(200)
    200
    >>> check_n_bootstrap(2)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    cx_economics.core.exceptions.CxDataError: `n_bootstrap` must be a whole number from 50 to
    100,000 replicates, got 2 (fewer than 50 give intervals that can exclude the estimate)
    """
    span = f"from {MIN_BOOTSTRAP} to {MAX_BOOTSTRAP:,} replicates"
    if allow_zero:
        span += " (or 0 for no interval)"
    count = _whole(value)
    if count is None:
        raise CxDataError(f"`{name}` must be a whole number {span}, got {value!r}")
    if allow_zero and count == 0:
        return 0
    if count < MIN_BOOTSTRAP:
        raise CxDataError(
            f"`{name}` must be a whole number {span}, got {count} (fewer than "
            f"{MIN_BOOTSTRAP} give intervals that can exclude the estimate)"
        )
    if count > MAX_BOOTSTRAP:
        raise CxDataError(
            f"`{name}` must be a whole number {span}, got {count:,} (more do not change "
            "the intervals but need memory in proportion)"
        )
    return count


def check_seed(seed: object, *, name: str = "seed") -> int | np.random.Generator:
    """Return ``seed`` after checking it is a whole number ≥ 0 or a numpy Generator.

    Parameters
    ----------
    seed : object
        The seed given by the user.
    name : str, default "seed"
        The argument's name, repeated in the message.

    Returns
    -------
    int or numpy.random.Generator
        The seed as an int, or the Generator itself.

    Raises
    ------
    CxDataError
        When ``seed`` is negative, not whole (``1.5``, ``True``) or of another type.

    Examples
    --------
    >>> check_seed(7)
    7
    >>> check_seed(-1)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    cx_economics.core.exceptions.CxDataError: `seed` must be a whole number ≥ 0
    (or a numpy Generator), got -1
    """
    if isinstance(seed, np.random.Generator):
        return seed
    whole = _whole(seed)
    if whole is None or whole < 0:
        # a command-line option (``--seed``) cannot be a Generator: do not offer one
        other = "" if name.startswith("--") else " (or a numpy Generator)"
        raise CxDataError(f"`{name}` must be a whole number ≥ 0{other}, got {seed!r}")
    return whole


def rng_from_seed(seed: object, *, name: str = "seed") -> np.random.Generator:
    """Return a numpy Generator from a checked ``seed`` (a Generator is returned as is).

    Parameters
    ----------
    seed : int or numpy.random.Generator
        Whole number ≥ 0, or a Generator to draw from.
    name : str, default "seed"
        The argument's name, repeated in the message.

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> float(rng_from_seed(1).random()) == float(rng_from_seed(1).random())
    True
    """
    checked = check_seed(seed, name=name)
    return checked if isinstance(checked, np.random.Generator) else np.random.default_rng(checked)
