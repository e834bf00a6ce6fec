"""Compare clusterings by the MI between their labels.

Four labelings of the same points (k-means, a Gaussian mixture,
agglomerative clustering, and random labels), each against the true groups
and against each other: MI in nats from the contingency table
(`method="discrete"`), and normalized by the geometric mean of the two
entropies (NMI, 1 = the same partition up to renaming, 0 = independent).

Run: python examples/compare_clusterings.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture

import keras_mine


def labelings(seed: int = 0) -> dict[str, np.ndarray]:
    """The true groups of 1,500 points in 4 overlapping blobs, and four clusterings."""
    points, truth = make_blobs(n_samples=1500, centers=4, cluster_std=1.5, random_state=seed)
    return {
        "truth": truth,
        "k-means": KMeans(4, n_init=10, random_state=seed).fit_predict(points),
        "gaussian mixture": GaussianMixture(4, random_state=seed).fit(points).predict(points),
        "agglomerative": AgglomerativeClustering(4).fit_predict(points),
        "random": np.random.default_rng(seed).integers(0, 4, len(points)),
    }


def normalized_mi(a: np.ndarray, b: np.ndarray) -> float:
    """I(a; b) / sqrt(H(a) H(b)); H(a) = I(a; a)."""
    mi = keras_mine.estimate_mi(a, b, method="discrete").mi
    h_a = keras_mine.estimate_mi(a, a, method="discrete").mi
    h_b = keras_mine.estimate_mi(b, b, method="discrete").mi
    return mi / np.sqrt(h_a * h_b)


def compare(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(MI matrix in nats, NMI matrix) of the labelings."""
    labels = labelings(seed)
    table = pd.DataFrame(labels)
    mi = keras_mine.mi_matrix(table, method="discrete")
    nmi = pd.DataFrame(
        [[normalized_mi(labels[a], labels[b]) for b in labels] for a in labels],
        index=list(labels), columns=list(labels),
    )  # fmt: skip
    return mi, nmi


if __name__ == "__main__":
    mi, nmi = compare()
    print("MI between labelings (nats):\n", mi.round(3), "\n")
    print("Normalized MI:\n", nmi.round(3))
