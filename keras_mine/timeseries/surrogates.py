"""Surrogate series that keep a series' own autocorrelation and break its alignment with others.

Permuting the time points of autocorrelated series destroys their
autocorrelation, and the null distribution of an MI or TE statistic built that
way is far too narrow: two independent AR(1) series with coefficient 0.9 pass
for dependent in most draws (docs/benchmarks.md, "Time series"). A surrogate
here moves the series as a whole against the other: a circular shift by at
least `min_shift` steps, or a permutation of blocks `min_shift` long, so each
surrogate has (nearly) the series' autocorrelation and none of its coupling.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from keras_mine.core.validation import check_int, check_option
from keras_mine.timeseries.series import decorrelation_lag

__all__ = ["SURROGATES", "check_min_shift", "surrogate_series", "p_value"]

#: Valid values of ``surrogate=``.
SURROGATES = ("shift", "block")


def check_min_shift(min_shift: Any, *series: list[np.ndarray]) -> int:
    """`min_shift`, or by default the largest `decorrelation_lag` of `series`.

    It may not exceed a quarter of the shortest trial (a shift must leave
    room for different surrogates); a default that would is capped there,
    with a warning that the series are autocorrelated over much of their
    length.
    """
    shortest = min(len(trial) for trials in series for trial in trials)
    cap = max(1, shortest // 4)
    if min_shift is not None:
        min_shift = check_int(min_shift, "min_shift")
        if min_shift > cap:
            raise ValueError(
                f"`min_shift`={min_shift} leaves no room for different surrogates in a trial "
                f"of {shortest} time points; use at most {cap} (a quarter of it)."
            )
        return min_shift
    lag = max(decorrelation_lag(trials) for trials in series)
    if lag > cap:
        warnings.warn(
            f"The series stay autocorrelated for {lag} steps, more than a quarter of the "
            f"shortest trial ({shortest} time points); surrogates are shifted by at least "
            f"{cap}, so they overlap and the test loses power. Use longer series, or remove "
            "a trend or seasonal cycle first.",
            UserWarning,
            stacklevel=3,
        )
        return cap
    return lag


def surrogate_series(
    trials: list[np.ndarray], kind: str, min_shift: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """One surrogate of a series, trial by trial.

    Parameters
    ----------
    trials : list of numpy.ndarray
        The series (from `keras_mine.timeseries.series.check_series`).
    kind : {"shift", "block"}
        ``"shift"``: each trial rotated by a random number of steps between
        `min_shift` and its length minus `min_shift` (time-shift surrogates,
        Quian Quiroga et al. 2002). ``"block"``: each trial cut into blocks of
        `min_shift` steps whose order is permuted (a block permutation).
    min_shift : int
        Smallest shift, or block length.
    rng : numpy.random.Generator

    Examples
    --------
    >>> series = [np.arange(8.0)[:, None]]
    >>> surrogate_series(series, "shift", 2, np.random.default_rng(0))[0].ravel().tolist()
    [6.0, 7.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    """
    kind = check_option(kind, "surrogate", SURROGATES)
    moved = []
    for trial in trials:
        n = len(trial)
        if kind == "shift":
            moved.append(np.roll(trial, -int(rng.integers(min_shift, n - min_shift + 1)), axis=0))
        else:
            starts = np.arange(0, n, min_shift)
            order = rng.permutation(len(starts))
            moved.append(np.concatenate([trial[starts[b]: starts[b] + min_shift] for b in order]))
    return moved


def p_value(statistic: float, null: np.ndarray) -> float:
    """``(1 + #{null >= statistic}) / (1 + len(null))``: never 0, the test has its size."""
    return float((1 + np.sum(np.asarray(null) >= statistic)) / (1 + len(null)))
