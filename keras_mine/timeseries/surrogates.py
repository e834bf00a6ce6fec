"""Surrogate series that keep a series' own autocorrelation and break its alignment with others.

Permuting the time points of autocorrelated series destroys their
autocorrelation, and the null distribution of an MI or TE statistic built that
way is far too narrow: two independent AR(1) series with coefficient 0.9 pass
for dependent in most draws (docs/benchmarks.md, "Time series"). A surrogate
here moves the series as a whole against the other: circular shifts at least
`min_shift` steps apart (`shift_plan`), or a permutation of blocks `min_shift` long, so each
surrogate has (nearly) the series' autocorrelation and none of its coupling.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from keras_mine.core.validation import check_int, check_option
from keras_mine.timeseries.series import decorrelation_lag

__all__ = ["SURROGATES", "check_min_shift", "shift_plan", "surrogate_series"]

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


def shift_plan(length: int, n_surrogates: int, min_shift: int, rng: np.random.Generator):
    """`n_surrogates` circular shifts of a series of `length`, exchangeable with no shift.

    Shifts drawn independently between `min_shift` and ``length -
    min_shift`` keep every surrogate away from the data but not from each
    other: the data is then less alike the surrogates than they are alike
    among themselves, and the test rejects too often (two independent AR(1)
    series, coefficient 0.9: 7% at the 5% level over 300 seeds, with the
    Gaussian-copula statistic as with KSG). Here the data and its surrogates
    are ``n_surrogates + 1`` points on the circle of shifts with random
    spacings of at least `min_shift` (or ``length // (n_surrogates + 1)``
    where that is smaller: many surrogates of a short series), and a random
    one of them is the data: which one is the data cannot be told from the
    set, so the p-value has its nominal size.

    Returns
    -------
    numpy.ndarray
        ``(n_surrogates,)`` shifts in ``1 .. length - 1``, in random order.

    Examples
    --------
    >>> shifts = shift_plan(1000, 19, 30, np.random.default_rng(0))
    >>> gaps = np.diff(np.sort(np.r_[0, shifts, 1000]))
    >>> len(shifts), int(gaps.min()) >= 30
    (19, True)
    """
    points = n_surrogates + 1
    spacing = min(min_shift, length // points)
    if spacing < 1:
        raise ValueError(
            f"{n_surrogates} surrogates need a series of more than {n_surrogates} time points "
            f"per trial; a trial has {length}. Use fewer surrogates."
        )
    free = length - points * spacing
    cuts = np.sort(rng.integers(0, free + 1, size=points - 1))
    positions = np.cumsum(np.diff(np.r_[0, cuts, free]) + spacing) % length
    shifts = (positions - positions[rng.integers(points)]) % length
    return rng.permutation(shifts[shifts != 0])


def surrogate_series(
    trials: list[np.ndarray], kind: str, n_surrogates: int, min_shift: int,
    rng: np.random.Generator,
) -> list[list[np.ndarray]]:  # fmt: skip
    """`n_surrogates` surrogates of a series, trial by trial.

    Parameters
    ----------
    trials : list of numpy.ndarray
        The series (from `keras_mine.timeseries.series.check_series`).
    kind : {"shift", "block"}
        ``"shift"``: each trial rotated (time-shift surrogates, Quian Quiroga
        et al. 2002) by the shifts of `shift_plan`, at least `min_shift`
        apart from each other and from the data. ``"block"``: each trial cut
        into blocks of `min_shift` steps whose order is permuted uniformly at
        random (a block permutation).
    n_surrogates : int
    min_shift : int
        Smallest shift, or block length.
    rng : numpy.random.Generator

    Returns
    -------
    list of list of numpy.ndarray
        Each surrogate's trials.

    Examples
    --------
    >>> series = [np.arange(8.0)[:, None]]
    >>> moved = surrogate_series(series, "shift", 1, 2, np.random.default_rng(0))
    >>> moved[0][0].ravel().tolist()
    [6.0, 7.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    """
    kind = check_option(kind, "surrogate", SURROGATES)
    per_trial = []
    for trial in trials:
        n = len(trial)
        if kind == "shift":
            shifts = shift_plan(n, n_surrogates, min_shift, rng)
            per_trial.append([np.roll(trial, -int(k), axis=0) for k in shifts])
        else:
            starts = np.arange(0, n, min_shift)
            per_trial.append([
                np.concatenate([trial[starts[b]: starts[b] + min_shift]
                                for b in rng.permutation(len(starts))])
                for _ in range(n_surrogates)
            ])  # fmt: skip
    return [[moved[j] for moved in per_trial] for j in range(n_surrogates)]
