"""KSG for many pairs of one-column variables: one sort per column, shared by its pairs.

The values are those of `keras_mine.classical.ksg_mi` (estimator 1 of
Kraskov et al.) on each pair; only the marginal counts change method. KSG
counts, for every sample, the other samples closer than its k-th joint
neighbour in each coordinate. For one column that is an interval count, and
a column sorted once answers it for every pair by binary search
(`np.searchsorted`), where `ksg_mi` builds and queries a k-d tree per
marginal per pair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from scipy.spatial import cKDTree
from scipy.special import digamma

from keras_mine.classical.knn import ksg_stderr, unit_variance
from keras_mine.core.validation import check_int, check_samples

__all__ = ["ksg_mi_pairs", "interval_counts", "CHUNK"]

#: Pairs per chunk of work (a joblib task, a progress step) at most.
CHUNK = 512


def interval_counts(sorted_values: np.ndarray, centers: np.ndarray, radius: np.ndarray):
    """How many of `sorted_values` lie strictly within `radius` of each center.

    ``#{j : |sorted_values[j] - centers[i]| < radius[i]}``, the center itself
    included when it is one of the values. Binary search finds the interval
    ends; the elements next to each end are then tested with the same
    ``|a - b| < r`` a k-d tree computes, so that rounding in ``center +
    radius`` cannot count or drop a value at the boundary (the k-th
    neighbour sits exactly there).

    Parameters
    ----------
    sorted_values : np.ndarray
        Values (n,) in ascending order, distinct.
    centers, radius : np.ndarray
        Shapes (m,).

    Returns
    -------
    np.ndarray
        Counts (m,), int.

    Examples
    --------
    >>> interval_counts(np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0]), np.array([1.0]))
    array([1])
    """
    # -inf and +inf at the ends: every index below stays in range, and a
    # sentinel never passes a distance test.
    padded = np.concatenate(([-np.inf], sorted_values, [np.inf]))
    high = np.searchsorted(sorted_values, centers + radius, side="left") + 1
    low = np.searchsorted(sorted_values, centers - radius, side="right") + 1
    # padded[high] is the first value not counted above the center, padded[low]
    # the first counted. Rounding in center +- radius misplaces at most a value
    # or two per end: each pass moves an end by one where the value next to it
    # fails (or passes) the distance test a k-d tree makes, until none moves
    # (signed: a value right of the center has |v - c| = v - c exactly, so a
    # value left of the center never moves the upper end, nor one right of it
    # the lower end).
    for _ in range(3):
        moves = [padded[high] - centers < radius, centers - padded[low - 1] < radius]
        high += moves[0]
        low -= moves[1]
        moves += [padded[high - 1] - centers >= radius, centers - padded[low] >= radius]
        high -= moves[2]
        low += moves[3]
        if not any(move.any() for move in moves):
            break
    return np.maximum(high - low, 0)


def ksg_mi_pairs(
    values: np.ndarray,
    pairs: Sequence[tuple[int, int]],
    k: int = 3,
    standardize: bool = True,
    n_jobs: int | None = None,
    return_stderr: bool = False,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """KSG estimate of I(column_i; column_j) for each pair (i, j) of `values`' columns.

    Equal to ``ksg_mi(values[:, [i]], values[:, [j]], k, standardize)`` for
    every pair (tested to 1e-12), in a fraction of the time: each column is
    scaled and sorted once, each pair needs one two-dimensional k-d tree
    query (the joint neighbour distances), and the marginal counts are
    binary searches in the sorted columns. Memory: a few arrays of n
    values per pair at a time.

    Parameters
    ----------
    values : array-like, shape (n_samples, n_columns)
        Continuous columns without repeated values (see
        `keras_mine.classical.knn.jitter` for rounded data).
    pairs : sequence of (int, int)
        Column indices.
    k : int
        Neighbour order.
    standardize : bool
        Scale each column to unit variance first (as `ksg_mi`).
    n_jobs : int or None
        Pairs estimated in parallel by joblib, in threads (the k-d tree
        query runs in compiled code); -1: every core; None (default): one,
        or the setting of an active joblib backend context (scikit-learn's
        convention). The result does not depend on it. Two
        threads on this project's 2-core machine: 1.8x (20 columns x 2,000
        rows).
    return_stderr : bool
        Also return each estimate's approximate standard error
        (`keras_mine.classical.knn.ksg_stderr`).
    progress : callable, optional
        Called with the number of pairs done after each chunk of at most
        `CHUNK` pairs (e.g. a progress bar's ``update``).

    Returns
    -------
    np.ndarray, or (np.ndarray, np.ndarray)
        The estimates (len(pairs),), in nats (and their standard errors).

    Raises
    ------
    ValueError
        If `k` >= n_samples, or a sample repeats in a pair (zero distance).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=2000)
    >>> values = np.c_[a, a + rng.normal(size=2000), rng.normal(size=2000)]
    >>> ksg_mi_pairs(values, [(0, 1), (0, 2)]).round(2)   # 0.5 ln 2 = 0.35, and 0
    array([ 0.34, -0.03])
    """
    values = check_samples(values, "values", min_samples=2, dtype="float64")
    n = len(values)
    k = check_int(k, "k")
    if k >= n:
        raise ValueError(f"k={k} needs more than k samples; received {n}.")
    if standardize:
        values = unit_variance(values)
    used = sorted({column for pair in pairs for column in pair})
    orders = {column: np.argsort(values[:, column], kind="stable") for column in used}
    ranks = {column: np.argsort(order) for column, order in orders.items()}
    workers = effective_n_jobs(n_jobs)
    # A few chunks per worker even out their times; at most CHUNK pairs each, so
    # that `progress` moves. Interleaved: neighbouring pairs cost alike.
    count = min(max(4 * workers, -(-len(pairs) // CHUNK)), len(pairs))
    chunks = [list(pairs[start::count]) for start in range(count)]
    if workers == 1:
        parts = (_pair_estimates(values, orders, ranks, chunk, k) for chunk in chunks)
    else:
        parts = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
            delayed(_pair_estimates)(values, orders, ranks, chunk, k) for chunk in chunks
        )
    estimates = np.empty((2, len(pairs)))
    for start, part in enumerate(parts):
        estimates[:, start::count] = part
        if progress is not None:
            progress(part.shape[1])
    return (estimates[0], estimates[1]) if return_stderr else estimates[0]


def _pair_estimates(values, orders, ranks, pairs, k: int) -> np.ndarray:
    """KSG of each pair and its standard error, (2, len(pairs)).

    `orders`: each column's sorting permutation, `ranks` its inverse.
    """
    n = len(values)
    digamma_of = digamma(np.arange(1, n + 1))  # digamma_of[m] = digamma(m + 1)
    estimates = np.empty((2, len(pairs)))
    for index, (i, j) in enumerate(pairs):
        # Rows in the order of column i: the tree is built and queried along it
        # (10% faster queries; leafsize 8 and loose nodes: 3% more). The k-th
        # neighbour distance does not depend on the order.
        sorted_i = values[orders[i], i]
        joint = np.column_stack([sorted_i, values[orders[i], j]])
        distances, _ = cKDTree(joint, leafsize=8, compact_nodes=False).query(
            joint, k=[k + 1], p=np.inf
        )
        radius = distances[:, 0]
        if np.any(radius == 0):
            raise ValueError(
                f"Columns {i} and {j}: {int(np.sum(radius == 0))} sample(s) have {k} or "
                "more exact duplicates: KSG needs continuous data. Add noise far below "
                "the data's resolution (keras_mine.classical.knn.jitter), or use "
                "method='mixed'."
            )
        # Each marginal count with its centers in sorted order (binary search of
        # sorted queries is faster); the mean does not depend on the order.
        sorted_j = values[orders[j], j]
        n_i = interval_counts(sorted_i, sorted_i, radius) - 1
        n_j = interval_counts(sorted_j, sorted_j, radius[ranks[i][orders[j]]]) - 1
        # Both counts' terms in the order of column i, the order ksg_mi sums them in.
        terms = digamma_of[n_i] + digamma_of[n_j][ranks[j][orders[i]]]
        estimates[:, index] = digamma(k) + digamma(n) - np.mean(terms), ksg_stderr(terms)
    return estimates
