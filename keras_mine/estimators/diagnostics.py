"""Checks that stop an implausible MI estimate from passing silently.

MI is >= 0, finite for continuous variables unless one is a function of the
other, and two cross-fitted folds estimate the same quantity. Each check is a
pure function of the data or of an estimate's parts that returns a message
(or None); `warn_if_implausible` turns the messages into a `UserWarning`
each, saying what to check.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import rankdata

__all__ = [
    "functional_dependence",
    "near_deterministic",
    "negative_estimate",
    "folds_disagree",
    "near_ceiling",
    "warn_if_implausible",
    "NEGATIVE_Z",
    "FOLD_Z",
    "CEILING_FRACTION",
]

#: An estimate is "far below zero" when it is below -NEGATIVE_Z standard
#: errors of its readout (and below -0.02 nats, so a zero-MI task with tiny
#: noise does not warn).
NEGATIVE_Z = 4.0
#: Folds "disagree far beyond their noise" when their difference exceeds
#: FOLD_Z standard errors of the difference plus a margin for training
#: variability: 0.05 nats + 15% of the estimate (on the v1 suite, N = 5,000,
#: seeds 0-2, none of the default method's 120 runs crossed it).
FOLD_Z = 4.0
#: An estimate within this fraction of ln(held-out rows) is at the limit of
#: what a DV readout on that many rows can show.
CEILING_FRACTION = 0.8


def _rank_keys(values: np.ndarray, min_distinct: int) -> list[bytes | None]:
    """Dense ranks of each column as bytes (None for columns with few distinct values)."""
    keys = []
    for column in np.asarray(values).T:
        ranks = rankdata(column, method="dense").astype(np.int64)
        keys.append(ranks.tobytes() if ranks.max() >= min_distinct else None)
    return keys


def functional_dependence(x: np.ndarray, z: np.ndarray) -> str | None:
    """Find a column of x that is a strictly monotone function of a column of z.

    Two columns with identical dense ranks (or ranks reversed) are an
    increasing (decreasing) function of each other: identical columns,
    rescaled copies, log or exp of each other. For continuous variables
    I(X;Z) is then infinite. Only columns with at least max(10, n/4)
    distinct values are compared: for discrete columns MI stays finite (it
    is the entropy). Cost: one sort per column, no comparison of all pairs
    of columns beyond a hash lookup.

    Returns
    -------
    str or None
        A description of the first such pair, or None.
    """
    n = len(x)
    min_distinct = max(10, n // 4)
    z_keys = {}
    for j, key in enumerate(_rank_keys(z, min_distinct)):
        if key is not None:
            z_keys.setdefault(key, j)
    for i, key in enumerate(_rank_keys(x, min_distinct)):
        if key is None:
            continue
        if key in z_keys:
            return f"x column {i} is an increasing function of z column {z_keys[key]}"
        flipped = (np.frombuffer(key, np.int64).max() + 1 - np.frombuffer(key, np.int64)).tobytes()
        if flipped in z_keys:
            return f"x column {i} is a decreasing function of z column {z_keys[flipped]}"
    return None


def near_deterministic(
    x: np.ndarray, z: np.ndarray, threshold: float = 0.05, max_dim: int = 10
) -> str | None:
    """Find whether x is (nearly) a function of z, or z of x, from nearest neighbours.

    If x = f(z), the x of z's nearest neighbour is almost x itself: the
    median distance ``||x_i - x_nn(i)||`` shrinks with the sample size,
    while the median distance to a random other row does not. Both
    variables are first mapped to normal scores, so units do not matter.
    A ratio below `threshold` is reported. Measured at N = 5,000: x = z,
    x = z^2, sin(3z), x1 * x2 and sin(3z) + 0.01 noise give 0.0006 to 0.018;
    the 40 v1 tasks give 0.21 (additive noise, epsilon 0.1) to 0.99.
    The neighbour search is made only in spaces of at most `max_dim`
    dimensions (a k-d tree gains nothing beyond, and in 25-D it took 3 s).
    A side with fewer than max(10, n/4) distinct rows is not tested as the
    function: a discrete x that is a function of z has finite MI (its
    entropy), and its neighbours' labels match most of the time even when
    it is far from a function (a binary x with z ~ N(2x, 1) gave 0).

    Returns
    -------
    str or None
        "x is nearly a function of z" (or the reverse), or None.
    """
    from scipy.spatial import cKDTree
    from scipy.special import ndtri

    def scores(values):
        n = len(values)
        return np.column_stack([ndtri(rankdata(c) / (n + 1)) for c in np.asarray(values).T])

    x, z = scores(x), scores(z)
    rng = np.random.default_rng(0)
    pairs = ((x, z, "x is nearly a function of z"), (z, x, "z is nearly a function of x"))
    min_distinct = max(10, len(x) // 4)
    for a, b, text in pairs:
        if b.shape[1] > max_dim or len(np.unique(a, axis=0)) < min_distinct:
            continue
        _, neighbours = cKDTree(b).query(b, k=2)
        near = np.linalg.norm(a - a[neighbours[:, 1]], axis=1)
        far = np.linalg.norm(a - a[rng.permutation(len(a))], axis=1)
        if np.median(near) < threshold * np.median(far):
            return text
    return None


def negative_estimate(mi: float, stderr: float) -> str | None:
    """A message if `mi` lies far below zero for its standard error, else None."""
    threshold = -max(0.02, NEGATIVE_Z * stderr) if np.isfinite(stderr) else -0.05
    if mi >= threshold:
        return None
    return (
        f"The MI estimate {mi:.3f} nats is below zero by more than its sampling noise "
        f"(standard error {stderr:.3f}); MI is never negative. The critic extrapolates on "
        "held-out rows: check for outliers or heavy tails (keep preprocessing='normal_scores'), "
        "too few samples, or training cut short (raise max_epochs / stop_patience)."
    )


def folds_disagree(estimates, stderrs) -> str | None:
    """A message if two fold readouts differ far beyond their noise, else None."""
    estimates, stderrs = np.asarray(estimates, float), np.asarray(stderrs, float)
    if len(estimates) < 2 or not np.all(np.isfinite(stderrs)):
        return None
    low, high = int(np.argmin(estimates)), int(np.argmax(estimates))
    gap = estimates[high] - estimates[low]
    noise = np.hypot(stderrs[high], stderrs[low])
    allowed = FOLD_Z * noise + 0.05 + 0.15 * abs(float(np.mean(estimates)))
    if gap <= allowed:
        return None
    return (
        f"The folds disagree: readouts from {estimates[low]:.3f} to {estimates[high]:.3f} nats, "
        f"far beyond their sampling noise (standard errors {stderrs[low]:.3f}, "
        f"{stderrs[high]:.3f}). A few rows may dominate one fold (outliers, duplicated rows), "
        "or training is unstable: check the data for extreme rows, pass more samples, or "
        "compare seeds."
    )


def near_ceiling(mi: float, n_readout: int) -> str | None:
    """A message if `mi` is close to ln(n_readout), the most a held-out DV readout can show."""
    ceiling = float(np.log(n_readout))
    if not mi > CEILING_FRACTION * ceiling:
        return None
    return (
        f"The MI estimate {mi:.2f} nats is close to ln({n_readout}) = {ceiling:.2f}, the most "
        f"a readout on {n_readout} held-out rows can show: the true MI may be larger, or "
        "infinite (x a deterministic function of z). Check that one variable is not "
        "computed from the other; if the dependence is real, more samples are needed."
    )


def warn_if_implausible(messages) -> None:
    """Issue a `UserWarning` for each message that is not None."""
    for message in messages:
        if message is not None:
            warnings.warn(message, UserWarning, stacklevel=3)
