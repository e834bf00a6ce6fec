"""Time series in, delay embeddings out: the checks and the row building of every time-series call.

A series is a numpy array or pandas object, (n_times,) or (n_times, n_features),
or a list of such arrays: trials (epochs, subjects, runs) of one process, each
embedded on its own and then pooled, so that no row spans two trials.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from keras_mine.core.validation import check_int, check_samples

__all__ = [
    "check_series", "check_paired_series", "check_lag", "check_lags", "check_history", "embed",
    "decorrelation_lag",
]


def _is_trials(values: Any) -> bool:
    """A list or tuple whose items are arrays (not numbers): trials of one process."""
    return isinstance(values, (list, tuple)) and len(values) > 0 and all(
        np.ndim(item) >= 1 for item in values
    )


def _check_time_index(values: Any, name: str) -> pd.Index | None:
    """The time index of a pandas object, checked to be increasing and regular (else None)."""
    index = getattr(values, "index", None)
    if not isinstance(index, pd.Index) or isinstance(index, pd.RangeIndex):
        return None
    if not (isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex, pd.PeriodIndex))
            or pd.api.types.is_numeric_dtype(index)):  # fmt: skip
        return None
    if not index.is_monotonic_increasing or index.has_duplicates:
        raise ValueError(
            f"The time index of `{name}` is not strictly increasing. Sort it "
            f"({name}.sort_index()) and drop repeated timestamps first."
        )
    if len(index) > 2:
        steps = np.diff(index.asi8 if hasattr(index, "asi8") else index.to_numpy())
        if steps.min() != steps.max():
            low, high = (index[1:][steps == f] - index[:-1][steps == f] for f in
                         (steps.min(), steps.max()))  # fmt: skip
            raise ValueError(
                f"The time index of `{name}` is irregular (steps from {low[0]} to {high[0]}): "
                "lags count rows, so every step must be the same. Resample it to a regular "
                f"grid first, e.g. {name}.resample('1D').mean().interpolate(), or split it "
                "into regular trials at the gaps and pass them as a list."
            )
    return index


def check_series(values: Any, name: str = "x", min_length: int = 3) -> list[np.ndarray]:
    """Validate a series, or a list of trials, and return its trials as 2-D float64 arrays.

    Parameters
    ----------
    values : array-like, pandas object, or list of them
        One series, (n_times,) or (n_times, n_features), rows in time order;
        or a list of such series, the trials of one process (equal widths,
        any lengths). A pandas time index (dates, timedeltas, periods or
        numbers) must be strictly increasing with one step: lags count rows.
    name : str
        Argument name for error messages.
    min_length : int
        Fewest time points a trial may have.

    Returns
    -------
    list of numpy.ndarray
        The trials, each (n_times, n_features).

    Raises
    ------
    ValueError
        On an irregular or unsorted time index, missing values (which would
        shift every later lag), trials of different widths, or too short a trial.

    Examples
    --------
    >>> [trial.shape for trial in check_series([np.zeros(5), np.ones(4)])]
    [(5, 1), (4, 1)]
    """
    parts = list(values) if _is_trials(values) else [values]
    trials = []
    for number, part in enumerate(parts):
        label = name if len(parts) == 1 else f"{name}[{number}]"
        _check_time_index(part, label)
        array = _to_array(part, label)
        if len(array) < min_length:
            raise ValueError(
                f"`{label}` has {len(array)} time point(s); at least {min_length} are needed "
                "for the lags and histories asked for."
            )
        trials.append(array)
    widths = {trial.shape[1] for trial in trials}
    if len(widths) > 1:
        raise ValueError(
            f"The trials of `{name}` have different numbers of features {sorted(widths)}; "
            "every trial must record the same variables."
        )
    return trials


def _to_array(part: Any, name: str) -> np.ndarray:
    array = np.asarray(part.to_numpy() if hasattr(part, "to_numpy") else part)
    if array.dtype.kind == "f" and np.isnan(array).any():
        first = int(np.flatnonzero(np.isnan(array.reshape(len(array), -1)).any(axis=1))[0])
        raise ValueError(
            f"`{name}` has missing values (first at time point {first}). Dropping them would "
            "shift every later lag: fill them (pandas: .interpolate()), or cut the series "
            "into trials at the gaps and pass the trials as a list."
        )
    return check_samples(array, name, min_samples=1, dtype="float64")


def check_paired_series(*series: tuple[str, Any]) -> list[list[np.ndarray]]:
    """`check_series` of each ``(name, values)``, with the same trials and lengths for all.

    pandas objects with time indexes must carry the same index, since time
    points are paired by position.
    """
    checked = [check_series(values, name) for name, values in series]
    first_name, first = series[0][0], checked[0]
    for (name, _), trials in zip(series[1:], checked[1:], strict=True):
        lengths = [len(t) for t in trials]
        if lengths != [len(t) for t in first]:
            raise ValueError(
                f"`{first_name}` and `{name}` must have the same trials and time points; "
                f"their lengths are {[len(t) for t in first]} and {lengths}."
            )
    indexes = [(n, _check_time_index(v, n)) for n, v in series if not _is_trials(v)]
    indexes = [(n, i) for n, i in indexes if i is not None]
    for name, index in indexes[1:]:
        if not index.equals(indexes[0][1]):
            raise ValueError(
                f"`{indexes[0][0]}` and `{name}` have different time indexes, and time "
                "points are paired by position. Align them first, e.g. "
                "pandas.concat([x, y], axis=1, join='inner')."
            )
    return checked


def check_lag(lag: Any, name: str = "lag", minimum: int = 0) -> int:
    """An int lag of at least `minimum` (bool and floats refused)."""
    if isinstance(lag, (bool, np.bool_)) or not isinstance(lag, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int; received {lag!r}.")
    if lag < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}; received {lag}.")
    return int(lag)


def embed(
    parts: Sequence[tuple[list[np.ndarray], Sequence[int]]], span: Sequence[int] = (0, 0)
) -> list[np.ndarray]:
    """Rows ``(s_1[t + o] for o in offsets_1, s_2[t + o] for o in offsets_2, ...)`` of all trials.

    Parameters
    ----------
    parts : sequence of (trials, offsets)
        Each series (as returned by `check_series`, all with the same trial
        lengths) and the time offsets of its columns. Every t for which all
        offsets fall inside the trial gives one row.
    span : (int, int)
        Offsets the rows must also leave room for: with the same span,
        embeddings of different offsets share their time points.

    Returns
    -------
    list of numpy.ndarray
        One (n_rows, len(offsets) * n_features) block per part, rows in time
        order within each trial, trials one after another.

    Examples
    --------
    >>> series = [np.arange(6.0)[:, None]]
    >>> future, past = embed([(series, [0]), (series, [-1, -2])])
    >>> future.ravel().tolist(), past.tolist()[0]
    ([2.0, 3.0, 4.0, 5.0], [1.0, 0.0])
    """
    offsets = [o for _, part_offsets in parts for o in part_offsets] + list(span)
    low, high = max(0, -min(offsets)), max(0, max(offsets))
    blocks: list[list[np.ndarray]] = [[] for _ in parts]
    for number in range(len(parts[0][0])):
        length = len(parts[0][0][number])
        times = np.arange(low, length - high)
        if times.size == 0:
            raise ValueError(
                f"Trial {number} has {length} time points, too few for offsets from "
                f"{-low} to {high}: use shorter lags or histories, or longer trials."
            )
        for block, (trials, part_offsets) in zip(blocks, parts, strict=True):
            block.append(np.concatenate([trials[number][times + o] for o in part_offsets], axis=1))
    return [np.concatenate(block, axis=0) for block in blocks]


def decorrelation_lag(trials: list[np.ndarray]) -> int:
    """Three times the longest e-folding time of the columns' rank autocorrelations.

    The e-folding time is the first lag at which a column's autocorrelation
    (of its ranks: unchanged by increasing maps of the column, robust to heavy
    tails) falls below 1/e in absolute value (a chaotic map's alternates in
    sign: the Henon map's is -0.45, 0.33, -0.40 at lags 1-3); at three of
    them an AR(1)'s autocorrelation is e^-3 = 0.05. The 1/e crossing is estimated steadily where the
    autocorrelation is still large, unlike a crossing of the noise level.
    Surrogates that shift a series by at least this lag, or permute blocks
    this long, keep little of its alignment with the other series.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> noise = rng.standard_normal(2000)
    >>> decorrelation_lag([noise[:, None]])
    3
    >>> ar = np.zeros(2000)
    >>> for t in range(1, 2000):
    ...     ar[t] = 0.9 * ar[t - 1] + noise[t]
    >>> decorrelation_lag([ar[:, None]])        # 0.9 ** 10 < 1 / e
    30
    """
    longest = max(len(trial) for trial in trials)
    worst = np.zeros(longest)
    for column in range(trials[0].shape[1]):
        numerator = np.zeros(longest)
        denominator = 0.0
        for trial in trials:
            ranks = rankdata(trial[:, column])
            centered = ranks - ranks.mean()
            size = 2 ** int(np.ceil(np.log2(2 * len(centered))))
            spectrum = np.fft.rfft(centered, size)
            acov = np.fft.irfft(spectrum * np.conj(spectrum), size)[: len(centered)]
            numerator[: len(centered)] += acov
            denominator += acov[0]
        if denominator > 0:
            worst = np.maximum(worst, np.abs(numerator / denominator))
    below = np.flatnonzero(worst[1:] < np.exp(-1.0))
    return 3 * int(below[0] + 1) if below.size else longest


def check_lags(lags: Any) -> list[int]:
    """A non-empty list of int lags (any sign) from an int, range or sequence."""
    lags = [lags] if isinstance(lags, (int, np.integer)) else list(lags)
    if not lags:
        raise ValueError("`lags` is empty; pass e.g. range(0, 11).")
    return [check_lag(lag, "lags", minimum=-(10**9)) for lag in lags]


def check_history(history: Any, name: str = "history") -> int | str:
    """"auto" or an int >= 1."""
    if isinstance(history, str):
        if history != "auto":
            raise ValueError(f"`{name}` must be 'auto' or an int >= 1; received {history!r}.")
        return history
    return check_int(history, name, minimum=1)
