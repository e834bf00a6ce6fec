"""Mutual information of discrete variables from their contingency table."""

from __future__ import annotations

from typing import Any

import numpy as np

from keras_mine.core.validation import check_paired_samples

__all__ = ["discrete_mi", "discrete_levels", "row_labels"]


def row_labels(values: np.ndarray, name: str = "x") -> np.ndarray:
    """One integer label per distinct row of a 2-D array of integer codes.

    A multi-column variable is one discrete variable whose symbols are the
    distinct rows. Non-integer values raise: they are continuous, and each
    would become its own symbol.
    """
    if not np.all(values == np.round(values)):
        raise ValueError(
            f"`{name}` has non-integer values; method='discrete' counts symbols and would "
            "treat every distinct real value as its own symbol. Encode categories as "
            "integers (e.g. pandas.factorize), or use method='histogram', 'ksg' or 'kde' "
            "for continuous data."
        )
    return np.unique(values, axis=0, return_inverse=True)[1].ravel()


def discrete_mi(x: Any, z: Any) -> float:
    """Plug-in MI (nats) of discrete variables: the MI of their empirical joint distribution.

    ``sum_{a,b} p(a,b) ln(p(a,b) / (p(a) p(b)))`` over the contingency table
    of the distinct rows of `x` and of `z` (scikit-learn's
    `mutual_info_score`). Exact for the empirical distribution; as an
    estimate of the population MI it is biased upward by about
    ``(|A| - 1)(|B| - 1) / (2 n)`` nats for |A| and |B| symbols.

    Parameters
    ----------
    x, z : array-like
        Integer codes, (n_samples,) or (n_samples, n_columns).

    Returns
    -------
    float
        The MI in nats.

    Examples
    --------
    >>> x = np.arange(1000) % 4
    >>> discrete_mi(x, x % 2)   # ln 2
    0.6931...
    """
    x, z = check_paired_samples(x, z, dtype="float64")
    from sklearn.metrics import mutual_info_score  # imported on use: it takes a second

    return float(mutual_info_score(row_labels(x, "x"), row_labels(z, "z")))


def discrete_levels(x: Any, z: Any) -> tuple[int, int]:
    """The numbers of distinct symbols (rows) of x and of z that `discrete_mi` counts.

    Examples
    --------
    >>> discrete_levels(np.arange(10) % 4, np.zeros(10))
    (4, 1)
    """
    x, z = check_paired_samples(x, z, dtype="float64")
    return len(np.unique(x, axis=0)), len(np.unique(z, axis=0))
