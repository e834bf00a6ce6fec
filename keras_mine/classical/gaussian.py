"""Gaussian-copula MI and conditional MI: normal scores, then closed forms of a covariance.

Each column is replaced by its normal scores ``Phi^-1(rank / (n + 1))``
(the Gaussian copula), and the MI is that of a Gaussian with the scores'
sample covariance, ``I = H(X) + H(Z) - H(X, Z)`` with each Gaussian
entropy taken from a log-determinant. The ranks make it invariant under
any increasing map of a column; it is exact (up to the ranks' noise) when
the data are an increasing map of a Gaussian. With one column each it is a
lower bound on the MI otherwise (among the joint laws of two normal scores
with this correlation the Gaussian one has the least MI). With several
columns it is no bound: the Gaussian entropy of x over-reads the entropy
of columns that depend on each other non-linearly, and x on a
low-dimensional set of many columns reads far too high (a 2-D Gaussian
pair of 1 nat embedded in 256 dimensions by an injective network read 9.1;
docs/benchmarks.md, "Images and embeddings"). Milliseconds, no tuning: a
baseline and a sanity check for the neural estimates.

The entropies carry the finite-sample bias correction of Ince et al.
(2017, after Oyman et al.): under Gaussian data the log-determinant of a
sample covariance of n rows is biased by ``sum_i psi((n - i) / 2) + d ln(2
/ (n - 1))``, which is subtracted, so independent data read about 0 rather
than about ``d_x d_z / 2n``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import digamma, ndtri

from keras_mine.core.validation import check_conditional_samples, check_paired_samples

__all__ = ["normal_scores", "gaussian_copula_mi", "gaussian_copula_cmi"]


def normal_scores(values: Any) -> np.ndarray:
    """Per-column normal scores ``Phi^-1(rank / (n + 1))``, ties at their average rank.

    Parameters
    ----------
    values : array-like
        (n_samples,) or (n_samples, n_features).

    Returns
    -------
    numpy.ndarray
        Float64 scores of the same shape: each column's ranks (scipy's
        ``rankdata(method="average")``) mapped through the standard normal
        quantile function.

    Examples
    --------
    >>> normal_scores([10.0, -3.0, 10.0, 7.0]).round(3)
    array([ 0.524, -0.842,  0.524, -0.253])
    """
    values = np.asarray(values)
    columns = values.reshape(len(values), -1)
    scores = np.empty(columns.shape)
    for j in range(columns.shape[1]):
        _, inverse, counts = np.unique(columns[:, j], return_inverse=True, return_counts=True)
        average_rank = np.cumsum(counts) - (counts - 1) / 2.0  # of each distinct value, from 1
        scores[:, j] = ndtri(average_rank[inverse.ravel()] / (len(columns) + 1))
    return scores.reshape(values.shape)


def _half_log_det(scores: np.ndarray, columns: list[int], names: str, biascorrect: bool) -> float:
    """(1/2) ln det of the sample covariance of `columns`, less its Gaussian bias."""
    n, d = len(scores), len(columns)
    covariance = np.atleast_2d(np.cov(scores[:, columns], rowvar=False))
    sign, log_det = np.linalg.slogdet(covariance)
    if sign <= 0 or not np.isfinite(log_det) or log_det < np.log(1e-12) * d:
        raise ValueError(
            f"The normal scores of {names} are (nearly) linearly dependent: a column is "
            "constant, or one column is an increasing or decreasing function of another, "
            "so the Gaussian-copula MI is infinite or undefined. Drop constant or repeated "
            "columns; for discrete data use method='discrete'."
        )
    half = 0.5 * log_det
    if biascorrect:
        half -= 0.5 * (digamma((n - np.arange(1, d + 1)) / 2.0).sum() + d * np.log(2.0 / (n - 1)))
    return float(half)


def _copula_mi(x: np.ndarray, z: np.ndarray, biascorrect: bool) -> float:
    """I(X;Z) of checked 2-D arrays (trusts its inputs)."""
    scores = normal_scores(np.concatenate([x, z], axis=1))
    dx = x.shape[1]
    xs, zs = list(range(dx)), list(range(dx, scores.shape[1]))
    return (_half_log_det(scores, xs, "x", biascorrect)
            + _half_log_det(scores, zs, "z", biascorrect)
            - _half_log_det(scores, xs + zs, "(x, z)", biascorrect))  # fmt: skip


def gaussian_copula_mi(x: Any, z: Any, biascorrect: bool = True) -> float:
    """Gaussian-copula estimate of I(X;Z) in nats (Ince et al. 2017).

    Parameters
    ----------
    x, z : array-like
        Paired samples, (n_samples,) or (n_samples, n_features); any scale,
        any increasing transform of a column gives the same estimate.
    biascorrect : bool
        Subtract the finite-sample bias of the Gaussian entropies (the name
        and meaning of Ince et al.'s ``gcmi`` and of ``frites``).

    Returns
    -------
    float
        The MI of the Gaussian copula, in nats: exact for increasing maps
        of a Gaussian; a lower bound when x and z have one column each, no
        bound with several (see the module docstring). With the bias correction it
        can be slightly negative on independent data.

    Raises
    ------
    ValueError
        If a column is constant or one is a monotone function of another
        (the copula MI is then infinite or undefined), or n_samples < d + 2.

    References
    ----------
    R. A. A. Ince, B. L. Giordano, C. Kayser, G. A. Rousselet, J. Gross,
    P. G. Schyns, "A statistical framework for neuroimaging data analysis
    based on mutual information estimated via a Gaussian copula", Human
    Brain Mapping 38 (2017).

    Examples
    --------
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> x, z = bivariate_gaussian(0.9).sample(5000, seed=0)
    >>> round(gaussian_copula_mi(np.exp(x), z**3), 3)   # truth -ln(1 - 0.81) / 2 = 0.830
    0.831
    """
    x, z = check_paired_samples(x, z, dtype="float64")
    _check_rows(len(x), x.shape[1] + z.shape[1])
    return _copula_mi(x, z, bool(biascorrect))


def gaussian_copula_cmi(x: Any, y: Any, z: Any, biascorrect: bool = True) -> float:
    """Gaussian-copula estimate of I(X;Y|Z) in nats.

    ``I(X;Y|Z) = H(X,Z) + H(Y,Z) - H(X,Y,Z) - H(Z)``, each a Gaussian
    entropy of the normal scores (with the bias correction of
    `gaussian_copula_mi`). For Gaussian processes, such as linear
    autoregressive ones, this is the closed-form transfer entropy.

    Parameters
    ----------
    x, y, z : array-like
        Paired samples, (n_samples,) or (n_samples, n_features) each.
    biascorrect : bool
        Subtract the entropies' finite-sample bias (see `gaussian_copula_mi`).

    Returns
    -------
    float
        The conditional MI in nats.

    Examples
    --------
    A chain x -> z -> y: given z, y tells nothing more about x.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(5000)
    >>> z = np.exp(x + rng.standard_normal(5000))   # any increasing map: the same estimate
    >>> y = np.log(z) + rng.standard_normal(5000)
    >>> abs(gaussian_copula_cmi(x, y, z)) < 0.01
    True
    """
    x, y, z = check_conditional_samples(x, y, z)
    _check_rows(len(x), x.shape[1] + y.shape[1] + z.shape[1])
    scores = normal_scores(np.concatenate([x, y, z], axis=1))
    dx, dy = x.shape[1], y.shape[1]
    xs, ys = list(range(dx)), list(range(dx, dx + dy))
    zs = list(range(dx + dy, scores.shape[1]))

    def half(columns: list[int], names: str) -> float:
        return _half_log_det(scores, columns, names, bool(biascorrect))

    return half(xs + zs, "(x, z)") + half(ys + zs, "(y, z)") - half(xs + ys + zs, "(x, y, z)") \
        - half(zs, "z")


def _check_rows(n: int, width: int) -> None:
    """The joint covariance of `width` columns needs n >= width + 2 rows (psi((n - d) / 2))."""
    if n < width + 2:
        raise ValueError(
            f"{n} rows are too few for a Gaussian-copula estimate over {width} columns: "
            f"it needs at least {width + 2} (more rows, or fewer columns)."
        )
