"""A permutation test of independence with an MI estimate as its statistic."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from keras_mine.core.validation import check_int, check_paired_samples, check_seed
from keras_mine.estimators.diagnostics import serial_dependence, warn_if_implausible
from keras_mine.estimators.estimate import estimate_mi
from keras_mine.estimators.many import estimate_mi_many
from keras_mine.estimators.methods import (
    ENGINE_METHODS,
    ClassicalMethod,
    NeuralMethod,
    check_method,
)
from keras_mine.estimators.result import plausibility_messages

__all__ = ["MITestResult", "mi_test", "p_value"]


@dataclass(frozen=True)
class MITestResult:
    """What `mi_test` returns.

    Attributes
    ----------
    statistic : float
        The MI estimate on the data as given, in nats.
    p_value : float
        ``(1 + #{null >= statistic}) / (1 + n_permutations)``: the share of
        the permutation null at or above the statistic, counting the data
        itself (so it is never 0, and the test has its nominal size).
    null : numpy.ndarray
        The estimates on the `n_permutations` permuted data sets.
    method : str
        The MI method.
    """

    statistic: float
    p_value: float
    null: np.ndarray = field(repr=False)
    method: str


def mi_test(
    x: Any,
    z: Any,
    method: str = "ksg",
    n_permutations: int = 199,
    *,
    seed: int | None = 0,
    verbose: bool = False,
    **settings: Any,
) -> MITestResult:
    """Test whether x and z are independent, with MI as the statistic.

    The rows of z are permuted `n_permutations` times; each permutation
    breaks any dependence while keeping both marginals, so the MI estimates
    on the permuted data sets are draws from the statistic's distribution
    under independence. Any dependence, not only correlation, raises MI.

    Parameters
    ----------
    x, z : array-like
        Paired samples, (n_samples,) or (n_samples, n_features) each.
    method : str
        A method of `keras_mine.METHODS`. "ksg" (default) is fast. Neural
        methods train the data's critic and every permutation's critic
        together, stacked (see `estimate_mi_many`), without the sample-size
        extrapolation (the same statistic for data and null; the
        extrapolation would only add noise); pass ``extrapolate=True`` to
        change that.
    n_permutations : int
        Size of the null sample; the smallest attainable p-value is
        ``1 / (1 + n_permutations)``. For a test at level alpha with size
        exactly alpha, make ``alpha * (1 + n_permutations)`` an integer
        (19, 99, 199, ... for 0.05).
    seed : int or None
        Seeds the permutations (and the neural methods).
    verbose : bool
        Progress bar over permutations.
    **settings
        Passed to the method (e.g. ``k`` for "ksg").

    Returns
    -------
    MITestResult
        ``.statistic``, ``.p_value`` and ``.null``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=500)
    >>> z = x**2 + 0.5 * rng.normal(size=500)   # uncorrelated with x, yet dependent
    >>> result = mi_test(x, z, n_permutations=99)
    >>> result.p_value                            # the smallest possible: 1 / 100
    0.01
    """
    spec = check_method(method)
    n_permutations = check_int(n_permutations, "n_permutations")
    seed = check_seed(seed)
    x, z = check_paired_samples(x, z, dtype=spec.dtype)
    warn_if_implausible([serial_dependence(x, z)])
    rng = np.random.default_rng(seed)
    permuted = [z[rng.permutation(len(z))] for _ in range(n_permutations)]
    if isinstance(spec, NeuralMethod):
        settings = {"extrapolate": False, **settings}
    if method in ENGINE_METHODS:
        with warnings.catch_warnings():  # the permuted sets are not the user's data
            warnings.simplefilter("ignore")
            results = estimate_mi_many([(x, z_i) for z_i in (z, *permuted)], method, seed=seed,
                                       verbose=verbose, **settings)  # fmt: skip
        warn_if_implausible(plausibility_messages(results[0]))
        values = np.array([result.mi for result in results])
    else:
        observed = estimate_mi(x, z, method, seed=seed, **settings).mi  # checks and warns
        progress = tqdm(permuted, desc=f"mi_test {method}", disable=not verbose, leave=False)
        if isinstance(spec, ClassicalMethod):  # the pure function: no per-call checks
            null = [spec.function(x, z_i, **settings) for z_i in progress]
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                null = [estimate_mi(x, z_i, method, seed=seed, **settings).mi for z_i in progress]
        values = np.array([observed, *null])
    statistic, null = float(values[0]), values[1:]
    return MITestResult(statistic, p_value(statistic, null), null, method)


def p_value(statistic: float, null: np.ndarray) -> float:
    """``(1 + #{null >= statistic}) / (1 + len(null))``: never 0, the test has its size.

    Examples
    --------
    >>> p_value(0.5, np.array([0.1, 0.7, 0.2]))
    0.5
    """
    return float((1 + np.sum(np.asarray(null) >= statistic)) / (1 + len(null)))
