"""k-nearest-neighbour MI estimators: KSG, its conditional form, and its mixed-data form.

KSG (Kraskov, Stoegbauer and Grassberger) for continuous data; Frenzel and
Pompe's conditional MI; Gao, Kannan, Oh and Viswanath's estimator for data
with ties and point masses. Every neighbour search is a k-d tree query
(scipy's cKDTree) under the max norm; there is no Python loop over samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma

from keras_mine.core.validation import check_conditional_samples, check_int, check_paired_samples

__all__ = ["ksg_mi", "ksg_cmi", "mixed_mi", "ksg_stderr", "unit_variance", "KSG_STDERR_FACTOR"]


#: Below this many rows the KD-tree queries run in one thread: starting the
#: threads costs more than they save (measured: docs/benchmarks.md,
#: "Constants chosen by measurement"). Permutation tests run many small queries.
PARALLEL_ROWS = 3_000


def tree_workers(n: int) -> int:
    """`workers` for scipy's KD-tree queries over n rows: all cores from `PARALLEL_ROWS`."""
    return -1 if n >= PARALLEL_ROWS else 1


def _count_within(values: np.ndarray, radius: np.ndarray, strict: bool = True) -> np.ndarray:
    """Points closer than `radius[i]` to point i (max-norm), itself included.

    `strict`: distances < radius (KSG's counts); else <= radius.
    """
    tree = cKDTree(values)
    if strict:
        radius = np.nextafter(radius, 0.0)
    return tree.query_ball_point(values, radius, p=np.inf, return_length=True,
                                 workers=tree_workers(len(values)))


def unit_variance(values: np.ndarray) -> np.ndarray:
    """Each column scaled to unit variance, safely at any scale (constant columns left alone).

    Dividing by the largest magnitude first keeps the variance finite: at
    1e300 the squares overflow to inf, and at 1e-310 (denormals) they
    underflow to 0, and the column would pass for constant. MI is invariant
    to the scale of a column; so, to rounding, is what is computed on this.

    Examples
    --------
    >>> column = np.array([[1.0], [2.0], [3.0]])
    >>> np.allclose(unit_variance(column * 1e300), unit_variance(column))
    True
    >>> np.allclose(unit_variance(column * 1e-310), unit_variance(column))
    True
    """
    peak = np.max(np.abs(values), axis=0)
    values = values / np.where(peak > 0, peak, 1.0)
    std = values.std(axis=0)
    return values / np.where(std > 0, std, 1.0)


def _standardized(*parts: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each part's coordinates scaled to unit variance (`unit_variance`)."""
    return tuple(unit_variance(v) for v in parts)


def _kth_neighbour_distance(values: np.ndarray, k: int) -> np.ndarray:
    distances, _ = cKDTree(values).query(values, k=k + 1, p=np.inf,
                                         workers=tree_workers(len(values)))
    return distances[:, -1]


def _check_k(k: Any, n: int) -> int:
    k = check_int(k, "k")
    if k >= n:
        raise ValueError(f"k={k} needs more than k samples; received {n}.")
    return k


def _refuse_duplicates(radius: np.ndarray, k: int, mixed_hint: bool = True) -> None:
    if np.any(radius == 0):
        hint = " Use method='mixed' for data with ties or discrete columns," if mixed_hint else ""
        raise ValueError(
            f"{int(np.sum(radius == 0))} sample(s) have {k} or more exact duplicates, so "
            "their neighbour distance is 0: the KSG estimator needs continuous data."
            f"{hint} method='discrete' for discrete data, or add noise far below the "
            "data's resolution (e.g. 1e-10 times its scale)."
        )


#: KSG's per-sample terms are correlated through shared neighbours, so their
#: i.i.d. standard error is too small; `ksg_stderr` scales it by this factor,
#: the ratio of the estimates' spread to it over repeated samples
#: (docs/benchmarks.md, "Constants chosen by measurement").
KSG_STDERR_FACTOR = 1.3


def ksg_stderr(terms: np.ndarray) -> float:
    """Approximate standard error of a KSG estimate from its per-sample terms.

    The terms are ``psi(n_x(i) + 1) + psi(n_z(i) + 1)``; the estimate is a
    constant minus their mean. Their i.i.d. standard error times
    `KSG_STDERR_FACTOR` (measured, see there).

    Examples
    --------
    >>> round(ksg_stderr(np.array([1.0, 2.0, 3.0, 4.0])), 4)   # 1.3 * std / sqrt(4)
    0.8391
    """
    terms = np.asarray(terms, dtype="float64")
    return float(KSG_STDERR_FACTOR * terms.std(ddof=1) / np.sqrt(len(terms)))


def ksg_mi(
    x: Any, z: Any, k: int = 3, standardize: bool = True, return_stderr: bool = False
) -> float | tuple[float, float]:
    """KSG estimator 1 of I(X;Z) in nats, for multivariate x and z.

    For each sample i, ``eps_i`` is the max-norm distance to its k-th
    nearest neighbour in the joint space (x, z); ``n_x(i)`` and ``n_z(i)``
    count the other samples strictly within ``eps_i`` of it in the x space
    and the z space, each under the max norm. Then::

        I = psi(k) + psi(n) - mean_i[psi(n_x(i) + 1) + psi(n_z(i) + 1)]

    All neighbour searches are k-d tree queries (scipy's cKDTree); there is
    no Python loop over samples.

    Parameters
    ----------
    x, z : array-like
        Continuous samples, (n_samples,) or (n_samples, n_features).
    k : int
        Neighbours in the joint space (3 is the usual choice; larger k
        lowers the variance and raises the bias).
    standardize : bool
        Scale each coordinate to unit variance first (MI is unchanged, the
        max-norm neighbourhoods become comparable across coordinates).
    return_stderr : bool
        Also return the approximate standard error (`ksg_stderr`).

    Returns
    -------
    float, or (float, float)
        The MI in nats. It can be slightly negative when the true MI is ~0
        (on independent pairs its spread is about 0.8 / sqrt(n_samples)).

    Raises
    ------
    ValueError
        If `k` >= n_samples, or if samples repeat exactly (zero distances:
        the estimator is defined for continuous data).

    References
    ----------
    A. Kraskov, H. Stoegbauer, P. Grassberger, "Estimating mutual
    information", Phys. Rev. E 69, 066138 (2004), estimator (8).

    Examples
    --------
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> x, z = bivariate_gaussian(0.9).sample(5000, seed=0)
    >>> round(ksg_mi(x, z), 2)   # true value 0.830
    0.84
    """
    x, z = check_paired_samples(x, z, dtype="float64")
    n = len(x)
    k = _check_k(k, n)
    if standardize:
        x, z = _standardized(x, z)
    radius = _kth_neighbour_distance(np.concatenate([x, z], axis=1), k)
    _refuse_duplicates(radius, k)
    n_x = _count_within(x, radius) - 1
    n_z = _count_within(z, radius) - 1
    terms = digamma(n_x + 1) + digamma(n_z + 1)
    mi = float(digamma(k) + digamma(n) - np.mean(terms))
    return (mi, ksg_stderr(terms)) if return_stderr else mi


def ksg_cmi(x: Any, y: Any, z: Any, k: int = 3, standardize: bool = True) -> float:
    """Frenzel-Pompe kNN estimate of the conditional MI I(X;Y|Z) in nats.

    For each sample i, ``eps_i`` is the max-norm distance to its k-th
    nearest neighbour in the joint space (x, y, z); ``n_xz``, ``n_yz`` and
    ``n_z`` count the other samples strictly within ``eps_i`` in the
    subspaces (x, z), (y, z) and z. Then::

        I = psi(k) - mean_i[psi(n_xz + 1) + psi(n_yz + 1) - psi(n_z + 1)]

    Parameters
    ----------
    x, y, z : array-like
        Continuous samples paired by row, (n_samples,) or (n_samples, d).
    k : int
        Neighbours in the joint space.
    standardize : bool
        Scale each coordinate to unit variance first (the MI is unchanged).

    Returns
    -------
    float
        The conditional MI in nats; slightly negative values mean about 0.

    Raises
    ------
    ValueError
        If `k` >= n_samples or samples repeat exactly.

    References
    ----------
    S. Frenzel, B. Pompe, "Partial mutual information for coupling analysis
    of multivariate time series", Phys. Rev. Lett. 99, 204101 (2007).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal(5000)
    >>> x, y = z + rng.standard_normal(5000), z + rng.standard_normal(5000)
    >>> abs(ksg_cmi(x, y, z)) < 0.02   # x and y are independent given z
    True
    """
    x, y, z = check_conditional_samples(x, y, z)
    k = _check_k(k, len(x))
    if standardize:
        x, y, z = _standardized(x, y, z)
    radius = _kth_neighbour_distance(np.concatenate([x, y, z], axis=1), k)
    _refuse_duplicates(radius, k, mixed_hint=False)
    n_xz = _count_within(np.concatenate([x, z], axis=1), radius) - 1
    n_yz = _count_within(np.concatenate([y, z], axis=1), radius) - 1
    n_z = _count_within(z, radius) - 1
    return float(digamma(k) - np.mean(digamma(n_xz + 1) + digamma(n_yz + 1) - digamma(n_z + 1)))


def mixed_mi(x: Any, z: Any, k: int = 3, standardize: bool = True) -> float:
    """kNN estimate of I(X;Z) (nats) for mixed discrete-continuous data.

    The estimator of Gao, Kannan, Oh and Viswanath (2017). As KSG, with
    ``rho_i`` the max-norm distance to the k-th neighbour in the joint
    space, except where samples repeat: when ``rho_i = 0`` (sample i sits
    on a point mass), ``k_i`` is the number of samples equal to it and the
    marginal counts are of the samples equal to it in x and in z. Else
    ``k_i = k`` and the counts are of the samples strictly within
    ``rho_i``. With the counts including sample i::

        I = mean_i[psi(k_i) + ln n - psi(n_x(i)) - psi(n_z(i))]

    Correct for continuous, discrete and mixed columns (a binary x and a
    continuous z; a variable with an atom at 0), where KSG refuses ties.

    Parameters
    ----------
    x, z : array-like
        Samples paired by row, (n_samples,) or (n_samples, d); columns may
        repeat values.
    k : int
        Neighbours in the joint space.
    standardize : bool
        Scale each coordinate to unit variance first.

    Returns
    -------
    float
        The MI in nats.

    References
    ----------
    W. Gao, S. Kannan, S. Oh, P. Viswanath, "Estimating mutual information
    for discrete-continuous mixtures", NeurIPS 2017.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, 5000)
    >>> z = 2.0 * x + rng.standard_normal(5000)
    >>> round(mixed_mi(x, z), 2)   # true value 0.337 (numerical integration)
    0.34
    """
    x, z = check_paired_samples(x, z, dtype="float64")
    n = len(x)
    k = _check_k(k, n)
    if standardize:
        x, z = _standardized(x, z)
    joint = np.concatenate([x, z], axis=1)
    radius = _kth_neighbour_distance(joint, k)
    # On a point mass (rho_i = 0) count the exact copies; elsewhere those strictly within rho_i.
    ties = radius == 0
    k_i = np.where(ties, _count_within(joint, radius, strict=False), k)
    reach = np.where(ties, 0.0, np.nextafter(radius, 0.0))
    n_x = _count_within(x, reach, strict=False)
    n_z = _count_within(z, reach, strict=False)
    return float(np.mean(digamma(k_i) + np.log(n) - digamma(n_x) - digamma(n_z)))


#: Noise, times each column's std, that `jitter` adds.
KSG_JITTER = 1e-10


def jitter(values: np.ndarray, seed: int | None = 0, scale: float = KSG_JITTER) -> np.ndarray:
    """`values` plus seeded Gaussian noise of `scale` times each column's std.

    Measurements rounded to a few digits repeat values, and KSG needs
    distinct ones (repeats are zero-distance neighbours): noise far below
    the resolution separates them without moving the estimate, as
    scikit-learn's `mutual_info_regression` does.
    """
    values = np.asarray(values, dtype="float64")
    rng = np.random.default_rng(seed)
    return values + scale * values.std(axis=0) * rng.standard_normal(values.shape)
