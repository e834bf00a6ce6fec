"""Transfer entropy: the information a source's past adds about a target's next value.

``TE_{X->Y} = I(Y_t; X_{t-lag-l+1..t-lag} | Y_{t-k..t-1}, Z_{t-k..t-1})``, a
conditional MI on delay embeddings (Schreiber 2000), estimated by any method of
`keras_mine.estimate_cmi` and tested against surrogates that keep each series'
autocorrelation (`keras_mine.timeseries.surrogates`).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import chi2
from tqdm.auto import tqdm

from keras_mine.classical import gaussian_copula_cmi
from keras_mine.core.validation import check_int, check_option, check_seed, check_units
from keras_mine.estimators.conditional import CMI_METHODS, estimate_cmi
from keras_mine.estimators.result import MIResult
from keras_mine.timeseries.series import (
    check_history,
    check_lag,
    check_paired_series,
    embed,
)
from keras_mine.timeseries.surrogates import SURROGATES, check_min_shift, surrogate_series
from keras_mine.workflows.independence import p_value

__all__ = ["TEResult", "transfer_entropy", "target_history", "HISTORY_LEVEL"]

#: Level of the likelihood-ratio tests that choose ``history="auto"``.
HISTORY_LEVEL = 0.01


@dataclass(frozen=True)
class TEResult:
    """What `transfer_entropy` returns.

    Attributes
    ----------
    te : float
        The transfer entropy estimate in nats (``float(result)`` in `units`).
    method : str
        The conditional MI method.
    lag, history, source_history : int
        The embedding: the source's values at ``t - lag - source_history + 1
        .. t - lag`` and the target's (and conditions') at ``t - history ..
        t - 1``, for the target at t.
    n_samples : int
        Rows of the embedding the estimate is made from (pooled over trials).
    seconds : float
        Wall time, surrogates included.
    p_value : float
        Share of the surrogate null at or above `te`, counting the data
        itself; NaN without surrogates.
    null : numpy.ndarray
        The estimates on the surrogates (empty without).
    surrogate : str or None
        The surrogate kind, and `min_shift` its shift or block length.
    units : {"nats", "bits"}
    """

    te: float
    method: str
    lag: int
    history: int
    source_history: int
    n_samples: int
    seconds: float
    p_value: float = float("nan")
    null: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))
    surrogate: str | None = None
    min_shift: int | None = None
    units: str = "nats"

    def __float__(self) -> float:
        return float(self.te if self.units == "nats" else self.te / np.log(2.0))


def target_history(
    target: Any, max_history: int = 10, level: float = HISTORY_LEVEL
) -> int:
    """The target's history length for ``history="auto"``: its own autoregressive order.

    For k = 1, 2, ..., the Gaussian-copula estimate of
    ``I(Y_t; Y_{t-k-1} | Y_{t-k..t-1})`` (normal scores, no bias correction)
    is a likelihood-ratio statistic: under "one more lag adds nothing",
    ``2 n I`` is chi-square with ``d^2`` degrees of freedom (d the target's
    features). The history is the first k whose next lag is not significant
    at `level`, at most `max_history`. Enough history matters: information
    the target's own past holds and a short history misses is credited to a
    source that shares it.

    Parameters
    ----------
    target : series or list of trials
    max_history : int
    level : float

    Returns
    -------
    int

    Examples
    --------
    >>> from keras_mine.tasks.timeseries import VARProcess
    >>> ar2 = VARProcess([[0.5, -0.3], [1.0, 0.0]], np.diag([1.0, 1e-12]))  # an AR(2)
    >>> target_history(ar2.sample(5000, seed=0)[:, 0])
    2
    """
    (trials,) = check_paired_series(("target", target))
    max_history = check_int(max_history, "max_history")
    width = trials[0].shape[1]
    threshold = chi2.ppf(1.0 - level, df=width * width)
    for k in range(1, max_history):
        future, past, extra = embed([
            (trials, [0]), (trials, [-1 - j for j in range(k)]), (trials, [-1 - k])
        ])  # fmt: skip
        statistic = 2 * len(future) * gaussian_copula_cmi(future, extra, past, biascorrect=False)
        if statistic < threshold:
            return k
    return max_history


def transfer_entropy(
    source: Any,
    target: Any,
    lag: int = 1,
    history: int | str = "auto",
    source_history: int = 1,
    conditions: Any = None,
    method: str = "ksg",
    *,
    n_surrogates: int = 0,
    surrogate: str = "shift",
    min_shift: int | None = None,
    max_history: int = 10,
    seed: int | None = 0,
    verbose: bool = False,
    units: str = "nats",
    **settings: Any,
) -> TEResult:
    """Transfer entropy from `source` to `target`, in nats, with an optional surrogate test.

    ``TE = I(Y_t; X_{t-lag-source_history+1..t-lag} | Y_{t-history..t-1},
    Z_{t-history..t-1})`` for target Y, source X and conditions Z: what the
    source's past tells about the target's next value beyond what the
    target's own past (and the conditions') already tells. It is not
    symmetric: ``TE(X->Y) > 0`` and ``TE(Y->X) = 0`` says X drives Y.

    Parameters
    ----------
    source, target : array-like, pandas object, or list of trials
        Series with rows in time order, (n_times,) or (n_times, n_features);
        a list of arrays is trials of one process, each embedded on its own
        and pooled (no row spans two trials). A pandas time index must be
        regular (see `keras_mine.timeseries.series.check_series`).
    lag : int
        Delay from the source to the target, >= 1 (the source's value at
        t - lag is paired with the target's at t).
    history : int or "auto"
        Past values of the target (and of each condition) conditioned on.
        "auto": the target's own autoregressive order (`target_history`).
    source_history : int
        Past values of the source, ending at t - lag.
    conditions : series or None
        Further series to condition on (a common driver, say): TE then
        reads what the source adds beyond them.
    method : str
        A method of `keras_mine.estimators.conditional.CMI_METHODS`: "ksg"
        (Frenzel-Pompe, default), "gaussian_copula" (closed form: exact for
        linear Gaussian processes, where TE is half Granger causality's
        log-ratio), "ccmi" or "difference" (neural).
    n_surrogates : int
        Surrogates of the source for the test (0: no test). The smallest
        attainable p-value is ``1 / (1 + n_surrogates)``.
    surrogate : {"shift", "block"}
        How a surrogate moves the source (`keras_mine.timeseries.surrogates`);
        both keep its autocorrelation and the target untouched.
    min_shift : int or None
        Smallest distance between the shifts, the data's included (the
        block length); default `keras_mine.timeseries.series.decorrelation_lag`
        of both series (three e-folding times of their rank autocorrelation).
    max_history : int
        Longest history "auto" chooses.
    seed : int or None
        Seeds the surrogates and the neural methods.
    verbose : bool
        Progress bar over surrogates.
    units : {"nats", "bits"}
        Units of ``float(result)``.
    **settings
        Passed to the method, as to `keras_mine.estimate_cmi` (``k`` for "ksg").

    Returns
    -------
    TEResult
        ``.te``, and with surrogates ``.p_value`` and ``.null``.

    Examples
    --------
    >>> from keras_mine.tasks.timeseries import coupled_var
    >>> process = coupled_var(0.5)             # X drives Y, Y does not drive X
    >>> x, y = process.sample(5000, seed=0).T
    >>> round(process.transfer_entropy(0, 1), 3)
    0.135
    >>> result = transfer_entropy(x, y, history=1, n_surrogates=99)
    >>> round(result.te, 2), result.p_value
    (0.13, 0.01)
    >>> transfer_entropy(y, x, history=1, n_surrogates=99).p_value > 0.05
    True
    """
    start = time.perf_counter()
    lag = check_lag(lag, minimum=1)
    source_history = check_int(source_history, "source_history")
    history = check_history(history)
    n_surrogates = check_int(n_surrogates, "n_surrogates", minimum=0)
    seed = check_seed(seed)
    check_units(units)
    check_option(surrogate, "surrogate", SURROGATES)
    CMI_METHODS.check(method, settings)
    named = [("source", source), ("target", target)]
    if conditions is not None:
        named.append(("conditions", conditions))
    series = check_paired_series(*named)
    source_trials, target_trials = series[0], series[1]
    if history == "auto":
        history = target_history(target_trials, max_history)
    past = [-1 - j for j in range(history)]
    fixed = [(target_trials, [0]), (target_trials, past)]
    fixed += [(series[2], past)] if conditions is not None else []
    source_offsets = [-lag - j for j in range(source_history)]

    def statistic(source_trials: list[np.ndarray]) -> MIResult:
        future, target_past, *rest, source_past = embed([*fixed, (source_trials, source_offsets)])
        given = np.concatenate([target_past, *rest], axis=1)
        return estimate_cmi(future, source_past, given, method, seed=seed, **settings)

    observed = statistic(source_trials)
    te = observed.mi
    result = dict(te=te, method=method, lag=lag, history=history, source_history=source_history,
                  n_samples=observed.n_samples, units=units)  # fmt: skip
    if n_surrogates:
        shift = check_min_shift(min_shift, source_trials, target_trials)
        rng = np.random.default_rng(seed)
        moved = surrogate_series(source_trials, surrogate, n_surrogates, shift, rng)
        null = []
        with warnings.catch_warnings():  # the surrogates are not the user's data
            warnings.simplefilter("ignore")
            for trials in tqdm(moved, desc="transfer_entropy surrogates",
                               disable=not verbose, leave=False):  # fmt: skip
                null.append(statistic(trials).mi)
        null = np.asarray(null)
        result.update(p_value=p_value(te, null), null=null, surrogate=surrogate,
                      min_shift=shift)  # fmt: skip
    return TEResult(seconds=time.perf_counter() - start, **result)
