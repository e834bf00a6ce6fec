"""Lagged MI, I(X_t; Y_{t+lag}) over a range of lags, and its surrogate test."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from keras_mine.core.validation import check_int, check_option, check_seed
from keras_mine.estimators.diagnostics import warn_if_implausible
from keras_mine.estimators.many import estimate_mi_many
from keras_mine.estimators.methods import NeuralMethod, check_method
from keras_mine.estimators.result import plausibility_messages
from keras_mine.timeseries.series import (
    check_lag,
    check_lags,
    check_paired_series,
    decorrelation_lag,
    embed,
)
from keras_mine.timeseries.surrogates import SURROGATES, check_min_shift, surrogate_series
from keras_mine.workflows.independence import MITestResult, p_value

__all__ = ["lagged_mi", "surrogate_test"]


def lagged_mi(
    x: Any,
    y: Any,
    lags: Any = range(0, 11),
    method: str = "ksg",
    *,
    n_replicates: int = 20,
    seed: int | None = 0,
    verbose: bool = False,
    **settings: Any,
) -> pd.DataFrame:
    """I(X_t; Y_{t+lag}) in nats for each lag, with standard errors that respect autocorrelation.

    A positive lag pairs x with y's later values (x leads), a negative one
    with its earlier values. Every lag is estimated on the same time points t
    (those for which all lags fall inside the series), so the values differ
    by the lag alone, and all of them in one `keras_mine.estimate_mi_many`
    call: "ksg" as the columns of one table, neural methods as stacked critics.

    Parameters
    ----------
    x, y : array-like, pandas object, or list of trials
        Series with rows in time order (see
        `keras_mine.timeseries.series.check_series`).
    lags : int or sequence of int
        The lags (default 0 to 10).
    method : str
        A method of `keras_mine.METHODS`.
    n_replicates : int
        Block half-samples for the standard errors (0: none, "stderr" is the
        method's own, which takes rows as independent). Each keeps half of
        the blocks of consecutive rows, blocks as long as the series take to
        decorrelate (`keras_mine.timeseries.series.decorrelation_lag`); the
        spread of its estimates is the delete-half jackknife's standard
        error, as in `keras_mine.bootstrap_ci`, with blocks for rows.
    seed : int or None
        Seeds the half-samples and the neural methods.
    verbose : bool
        Progress bars.
    **settings
        Passed to the method, as to `keras_mine.estimate_mi`.

    Returns
    -------
    pandas.DataFrame
        Indexed by "lag", columns "mi", "stderr" and "n_samples".

    Examples
    --------
    >>> from keras_mine.tasks.timeseries import coupled_var
    >>> process = coupled_var(0.8)
    >>> x, y = process.sample(5000, seed=0).T
    >>> table = lagged_mi(x, y, lags=range(-1, 3))
    >>> int(table["mi"].idxmax())                   # x leads y by one step
    1
    >>> round(process.lagged_mi(0, 1, 1), 2), round(float(table.loc[1, "mi"]), 2)
    (0.32, 0.32)
    """
    check_method(method)
    lags = check_lags(lags)
    n_replicates = check_int(n_replicates, "n_replicates", minimum=0)
    seed = check_seed(seed)
    x_trials, y_trials = check_paired_series(("x", x), ("y", y))
    low, high = max(0, -min(lags)), max(0, max(lags))
    pairs = []
    for lag in lags:  # all lags on the same time points
        pairs.append(tuple(embed([(x_trials, [0]), (y_trials, [lag])], span=(-low, high))))
    results = estimate_mi_many(pairs, method, seed=seed, verbose=verbose, **settings)
    stderr = np.array([result.stderr for result in results])
    if n_replicates:
        block = decorrelation_lag(x_trials + y_trials)
        rng = np.random.default_rng(seed)
        halves = [_half_blocks(len(pairs[0][0]), block, rng) for _ in range(n_replicates)]
        with warnings.catch_warnings():  # the half-samples are not the user's data
            warnings.simplefilter("ignore")
            replicates = estimate_mi_many(
                [(px[rows], pz[rows]) for px, pz in pairs for rows in halves], method,
                seed=seed, verbose=verbose, **settings,
            )  # fmt: skip
        values = np.array([r.mi for r in replicates]).reshape(len(lags), n_replicates)
        stderr = values.std(axis=1, ddof=1) if n_replicates > 1 else np.full(len(lags), np.nan)
    table = pd.DataFrame(
        {"mi": [r.mi for r in results], "stderr": stderr,
         "n_samples": [len(p[0]) for p in pairs]},
        index=pd.Index(lags, name="lag"),
    )  # fmt: skip
    return table


def _half_blocks(n: int, block: int, rng: np.random.Generator) -> np.ndarray:
    """The rows of a random half of the blocks of `block` consecutive rows, in order."""
    starts = np.arange(0, n, block)
    chosen = np.sort(rng.choice(len(starts), size=max(1, len(starts) // 2), replace=False))
    return np.concatenate([np.arange(starts[b], min(n, starts[b] + block)) for b in chosen])


def surrogate_test(
    x: Any,
    y: Any,
    lag: int = 0,
    method: str = "ksg",
    n_surrogates: int = 199,
    *,
    surrogate: str = "shift",
    min_shift: int | None = None,
    seed: int | None = 0,
    verbose: bool = False,
    **settings: Any,
) -> MITestResult:
    """Test two series for independence at a lag, against surrogates keeping their autocorrelation.

    The statistic is I(X_t; Y_{t+lag}). Its null distribution comes from
    surrogates of y (circular shifts at least `min_shift` steps apart, or
    block permutations): each keeps y's autocorrelation and breaks its alignment
    with x. The i.i.d. permutation test (`keras_mine.mi_test`) destroys the
    autocorrelation instead, and finds independent autocorrelated series
    dependent far more often than its level (docs/benchmarks.md, "Time series").

    Parameters
    ----------
    x, y : array-like, pandas object, or list of trials
        Series with rows in time order.
    lag : int
        The lag of y against x (any sign).
    method : str
        A method of `keras_mine.METHODS` ("ksg" default). Data and
        surrogates are estimated in one `keras_mine.estimate_mi_many` call;
        neural methods without the sample-size extrapolation, as in `mi_test`.
    n_surrogates : int
        Size of the null sample; the smallest p-value is ``1 / (1 + n_surrogates)``.
    surrogate : {"shift", "block"}
        See `keras_mine.timeseries.surrogates.surrogate_series`.
    min_shift : int or None
        Smallest distance between the shifts, the data's included (the
        block length); default `keras_mine.timeseries.series.decorrelation_lag`
        of both series (three e-folding times of their rank autocorrelation).
    seed : int or None
        Seeds the surrogates (and the neural methods).
    verbose : bool
        Progress bar.
    **settings
        Passed to the method.

    Returns
    -------
    MITestResult
        The estimate on the series as given (``.statistic``), its
        ``.p_value``, and the surrogates' estimates (``.null``).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x, y = np.zeros(1000), np.zeros(1000)
    >>> for t in range(1, 1000):                 # two independent AR(1) series
    ...     x[t] = 0.9 * x[t - 1] + rng.standard_normal()
    ...     y[t] = 0.9 * y[t - 1] + rng.standard_normal()
    >>> surrogate_test(x, y, n_surrogates=99).p_value > 0.05
    True
    """
    spec = check_method(method)
    lag = check_lag(lag, minimum=-(10**9))
    n_surrogates = check_int(n_surrogates, "n_surrogates")
    check_option(surrogate, "surrogate", SURROGATES)
    seed = check_seed(seed)
    x_trials, y_trials = check_paired_series(("x", x), ("y", y))
    shift = check_min_shift(min_shift, x_trials, y_trials)
    rng = np.random.default_rng(seed)
    moved = [y_trials, *surrogate_series(y_trials, surrogate, n_surrogates, shift, rng)]
    pairs = [tuple(embed([(x_trials, [0]), (trials, [lag])])) for trials in moved]
    if isinstance(spec, NeuralMethod):
        settings = {"extrapolate": False, **settings}
    with warnings.catch_warnings():  # the surrogates are not the user's data
        warnings.simplefilter("ignore")
        results = estimate_mi_many(pairs, method, seed=seed, verbose=verbose, **settings)
    warn_if_implausible(plausibility_messages(results[0]))
    values = np.array([result.mi for result in results])
    return MITestResult(float(values[0]), p_value(values[0], values[1:]), values[1:], method)
