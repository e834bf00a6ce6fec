"""Classical entropy estimators: plug-in (Miller-Madow), histogram, kNN, Gaussian.

Pure numpy/scipy functions ``f(x, **options) -> float`` in nats. Discrete
entropies are Shannon entropies of symbols; the others are differential
entropies of continuous data (they can be negative and change under
rescaling: H(aX) = H(X) + d ln|a|).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma, gammaln

from keras_mine.classical.discrete import row_labels
from keras_mine.classical.histogram import digitize
from keras_mine.classical.knn import tree_workers
from keras_mine.core.validation import check_int, check_samples

__all__ = ["discrete_entropy", "histogram_entropy", "knn_entropy", "gaussian_entropy"]


def _unit_scale(x: np.ndarray) -> tuple[np.ndarray, float]:
    """x divided by its largest magnitude c, and d ln c: H(x) = H(x / c) + d ln c.

    Differential entropy moves by ln c per coordinate under x -> c x, and
    each estimator here moves exactly so; computing on x / c keeps the
    arithmetic in range (at 1e300 the squared distances and covariances
    overflow, at 1e-310 the denormals flush to zero and every row looks
    like a copy).
    """
    peak = float(np.max(np.abs(x)))
    if peak == 0.0 or not np.isfinite(peak):
        return x, 0.0
    return x / peak, x.shape[1] * float(np.log(peak))


def _plug_in(labels: np.ndarray, miller_madow: bool) -> float:
    counts = np.bincount(labels)
    counts = counts[counts > 0]
    p = counts / counts.sum()
    entropy = float(-np.sum(p * np.log(p)))
    # Miller (1955): the plug-in estimate is low by about (symbols seen - 1) / (2 n).
    return entropy + (len(counts) - 1) / (2 * counts.sum()) if miller_madow else entropy


def discrete_entropy(x: Any, miller_madow: bool = False) -> float:
    """Plug-in Shannon entropy (nats) of discrete symbols.

    ``-sum_a p(a) ln p(a)`` over the empirical frequencies of the distinct
    rows of `x`. Biased low by about ``(m - 1) / (2 n)`` for m symbols and
    n samples; `miller_madow` adds that term back.

    Parameters
    ----------
    x : array-like
        Integer codes, (n_samples,) or (n_samples, n_columns); each distinct
        row is one symbol.
    miller_madow : bool
        Add the Miller-Madow correction ``(m - 1) / (2 n)``, with m the
        number of symbols observed.

    Returns
    -------
    float
        The entropy in nats.

    Examples
    --------
    >>> discrete_entropy(np.arange(1000) % 4)   # ln 4
    1.3862...
    """
    x = check_samples(x, "x", dtype="float64")
    return _plug_in(row_labels(x, "x"), miller_madow)


def histogram_entropy(x: Any, bins: int | str | None = None) -> float:
    """Differential entropy (nats) from an equal-width histogram.

    The plug-in entropy of the occupied cells plus the log of the cell
    volume: ``H = -sum p_c ln p_c + ln(prod_j width_j)``. Biased low when
    bins are few per sample (the counts) or wide (the density's shape).

    Parameters
    ----------
    x : array-like
        Continuous samples, (n_samples,) or (n_samples, n_features).
    bins : int, str or None
        Bins per coordinate: an integer, a numpy rule name ("fd", "auto",
        ...), or None for about sqrt(n) cells per coordinate in 1-D and
        ``(n / 5) ** (1 / d)`` in d dimensions.

    Returns
    -------
    float
        The entropy in nats.

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(size=20000)
    >>> round(histogram_entropy(x), 2)   # ln(1) = 0
    -0.0
    """
    x = check_samples(x, "x", min_samples=2, dtype="float64")
    n, d = x.shape
    constant = np.flatnonzero(np.ptp(x, axis=0) == 0)
    if constant.size:
        raise ValueError(
            f"Column {int(constant[0])} of `x` is constant: a point mass has no finite "
            "differential entropy (it is -inf). Drop the column, or use "
            "estimate_entropy(..., method='discrete') for symbols."
        )
    x, log_scale = _unit_scale(x)
    if bins is None:
        bins = max(2, int(np.sqrt(n))) if d == 1 else max(2, int((n / 5.0) ** (1.0 / d)))
    elif not isinstance(bins, str):
        bins = check_int(bins, "bins", minimum=2)
    cells = digitize(x, bins)
    log_volume = 0.0
    for column in x.T:
        edges = np.histogram_bin_edges(column, bins=bins)
        log_volume += np.log(edges[1] - edges[0]) if edges[-1] > edges[0] else 0.0
    return _plug_in(row_labels(cells, "x"), miller_madow=False) + float(log_volume) + log_scale


def knn_entropy(x: Any, k: int = 3) -> float:
    """Kozachenko-Leonenko kNN estimate of the differential entropy (nats).

    With ``r_i`` the Euclidean distance from sample i to its k-th nearest
    neighbour among the others, in d dimensions::

        H = psi(n) - psi(k) + ln V_d + d * mean_i ln r_i

    where ``V_d = pi^(d/2) / Gamma(d/2 + 1)`` is the volume of the unit
    ball. The neighbour search is one k-d tree query (no Python loop over
    samples).

    Parameters
    ----------
    x : array-like
        Continuous samples, (n_samples,) or (n_samples, n_features).
    k : int
        Neighbour order (3 is the usual choice).

    Returns
    -------
    float
        The entropy in nats.

    Raises
    ------
    ValueError
        If `k` >= n_samples, or samples repeat (zero distances).

    References
    ----------
    L. F. Kozachenko, N. N. Leonenko, "Sample estimate of the entropy of a
    random vector", Problems Inform. Transmission 23, 95-101 (1987); the
    form above is equation (20) of Kraskov et al., Phys. Rev. E 69, 066138
    (2004), with the Euclidean norm.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal(5000)
    >>> round(knn_entropy(x), 2)   # 0.5 ln(2 pi e) = 1.419
    1.44
    """
    x = check_samples(x, "x", min_samples=2, dtype="float64")
    x, log_scale = _unit_scale(x)
    n, d = x.shape
    k = check_int(k, "k")
    if k >= n:
        raise ValueError(f"k={k} needs more than k samples; received {n}.")
    distances, _ = cKDTree(x).query(x, k=k + 1, workers=tree_workers(len(x)))
    radius = distances[:, -1]
    if np.any(radius == 0):
        raise ValueError(
            f"{int(np.sum(radius == 0))} sample(s) have {k} or more exact duplicates: "
            "the kNN entropy is defined for continuous data. Use "
            "estimate_entropy(..., method='discrete') for symbols."
        )
    log_unit_ball = 0.5 * d * np.log(np.pi) - gammaln(0.5 * d + 1)
    return float(digamma(n) - digamma(k) + log_unit_ball + d * np.mean(np.log(radius))
                 + log_scale)  # fmt: skip


def gaussian_entropy(x: Any) -> float:
    """Entropy (nats) of the Gaussian with the sample covariance of `x`.

    ``H = (d / 2) ln(2 pi e) + (1 / 2) ln det(Sigma)``: exact for Gaussian
    data, and an upper bound on the entropy of any distribution with that
    covariance.

    Parameters
    ----------
    x : array-like
        Continuous samples, (n_samples,) or (n_samples, n_features).

    Returns
    -------
    float
        The entropy in nats.

    Raises
    ------
    ValueError
        If the sample covariance is singular (a column is constant or a
        linear combination of others): the entropy is then -inf.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((5000, 2))
    >>> round(gaussian_entropy(x), 2)   # ln(2 pi e) = 2.838
    2.83
    """
    x = check_samples(x, "x", min_samples=2, dtype="float64")
    x, log_scale = _unit_scale(x)
    d = x.shape[1]
    sign, log_det = np.linalg.slogdet(np.atleast_2d(np.cov(x, rowvar=False)))
    if sign <= 0 or not np.isfinite(log_det):
        raise ValueError(
            "The sample covariance of `x` is singular (a constant column, or one "
            "column a linear combination of others): its differential entropy is "
            "-inf. Drop the redundant columns."
        )
    return float(0.5 * d * np.log(2 * np.pi * np.e) + 0.5 * log_det + log_scale)
