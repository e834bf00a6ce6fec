"""Histogram (binning) estimate of mutual information."""

from __future__ import annotations

from typing import Any

import numpy as np

from keras_mine.classical.discrete import row_labels
from keras_mine.core.validation import check_int, check_paired_samples

__all__ = ["histogram_mi", "histogram_levels", "default_bins", "digitize"]


def default_bins(n_samples: int, n_dims: int) -> int:
    """Bins per coordinate so that the joint grid averages >= 5 samples per cell.

    ``max(2, floor((n / 5) ** (1 / d)))`` for d = dim_x + dim_z coordinates
    (the rule of Cellucci et al. 2005 for two variables, applied per
    coordinate of a d-dimensional grid).
    """
    return max(2, int(np.floor((n_samples / 5.0) ** (1.0 / n_dims))))


def digitize(values: np.ndarray, bins: int | str) -> np.ndarray:
    """Bin index of every entry: equal-width bins over each column's range."""
    columns = []
    for column in values.T:
        edges = np.histogram_bin_edges(column, bins=bins)
        columns.append(np.clip(np.searchsorted(edges, column, side="right") - 1, 0, len(edges) - 2))
    return np.stack(columns, axis=1)


def histogram_mi(x: Any, z: Any, bins: int | str | None = None) -> float:
    """MI (nats) of the binned data: equal-width bins on every coordinate.

    Each coordinate is cut into equal-width bins over its range, each
    variable's binned rows become symbols, and the plug-in MI of the symbols
    is returned (see `discrete_mi`). Biased: upward by about (cells used) /
    (2 n) from finite counts, downward from coarse bins. In more than a few
    dimensions most cells hold one sample and the estimate tends to ln n:
    use method="ksg" or a neural method there.

    Parameters
    ----------
    x, z : array-like
        Continuous samples, (n_samples,) or (n_samples, n_features).
    bins : int, str or None
        Bins per coordinate: an integer, a numpy rule name ("fd", "sturges",
        "auto", ...; see `numpy.histogram_bin_edges`), or None for
        `default_bins` (about n / 5 cells in the joint grid).

    Returns
    -------
    float
        The MI in nats.
    """
    bx, bz = _cells(x, z, bins)
    from sklearn.metrics import mutual_info_score  # imported on use: it takes a second

    return float(mutual_info_score(row_labels(bx, "x"), row_labels(bz, "z")))


def _cells(x: Any, z: Any, bins: int | str | None) -> tuple[np.ndarray, np.ndarray]:
    """The bin indices of x and z on the grid `histogram_mi` counts."""
    x, z = check_paired_samples(x, z, dtype="float64")
    if bins is None:
        bins = default_bins(len(x), x.shape[1] + z.shape[1])
    elif not isinstance(bins, str):
        bins = check_int(bins, "bins", minimum=2)
    return digitize(x, bins), digitize(z, bins)


def histogram_levels(x: Any, z: Any, bins: int | str | None = None) -> tuple[int, int]:
    """The numbers of occupied cells of x and of z on `histogram_mi`'s grid."""
    bx, bz = _cells(x, z, bins)
    return len(np.unique(bx, axis=0)), len(np.unique(bz, axis=0))
