"""Compare clusterings by the MI between their labels.

Four labelings of the same points (k-means, a Gaussian mixture,
agglomerative clustering, and random labels), each against the true groups
and against each other: MI in nats from the contingency table
(`method="discrete"`); normalized by the mean of the two entropies (NMI,
`keras_mine.normalized_mi`: 1 = the same partition up to renaming, 0 =
independent); and adjusted for chance (AMI, `keras_mine.adjusted_mi`: 0 in
expectation for random labels, which NMI scores above 0).

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


def _pairwise(labels: dict[str, np.ndarray], score) -> pd.DataFrame:
    names = list(labels)
    values = [[score(labels[a], labels[b]) for b in names] for a in names]
    return pd.DataFrame(values, index=names, columns=names)


def compare(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(MI matrix in nats, NMI matrix, AMI matrix) of the labelings."""
    labels = labelings(seed)
    mi = keras_mine.mi_matrix(pd.DataFrame(labels), method="discrete")
    nmi = _pairwise(labels, keras_mine.normalized_mi)
    return mi, nmi, _pairwise(labels, keras_mine.adjusted_mi)


if __name__ == "__main__":
    mi, nmi, ami = compare()
    print("MI between labelings (nats):\n", mi.round(3), "\n")
    print("Normalized MI:\n", nmi.round(3), "\n")
    print("Adjusted MI:\n", ami.round(3))
