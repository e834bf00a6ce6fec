"""KSG for many one-column pairs (issue 16, first step): the same numbers as `ksg_mi`."""

from itertools import combinations

import numpy as np
import pytest
from sklearn.feature_selection import mutual_info_regression

from keras_mine.classical import ksg_mi
from keras_mine.classical.knn import jitter
from keras_mine.classical.knn_pairs import interval_counts, ksg_mi_pairs


def _columns(n=1500, p=8, seed=0):
    rng = np.random.default_rng(seed)
    shared = rng.standard_normal((n, 3))
    values = shared @ rng.standard_normal((3, p)) + 0.5 * rng.standard_normal((n, p))
    values[:, 0] = np.exp(values[:, 0])  # skewed
    values[:, 1] = np.round(values[:, 1], 1)  # rounded: ties until jittered
    return jitter(values, seed)


def test_interval_counts_equal_brute_force_with_radii_at_the_boundary():
    rng = np.random.default_rng(1)
    values = np.sort(rng.standard_normal(500))
    centers = values[rng.integers(0, 500, 300)]
    # Radii equal to a distance to another value: the boundary case KSG meets at
    # every k-th neighbour; and radii just above and below it.
    radius = np.abs(values[rng.integers(0, 500, 300)] - centers) + 1e-300
    for r in (radius, np.nextafter(radius, np.inf), np.nextafter(radius, 0.0)):
        brute = (np.abs(values[None, :] - centers[:, None]) < r[:, None]).sum(axis=1)
        np.testing.assert_array_equal(interval_counts(values, centers, r), brute)
    outside = interval_counts(values, np.array([100.0]), np.array([1.0]))
    assert outside.tolist() == [0]


@pytest.mark.parametrize("k", [3, 5])
def test_pairs_equal_ksg_mi_and_scikit_learn(k):
    values = _columns()
    pairs = list(combinations(range(values.shape[1]), 2))
    fast = ksg_mi_pairs(values, pairs, k=k)
    one_by_one = [ksg_mi(values[:, [i]], values[:, [j]], k=k) for i, j in pairs]
    np.testing.assert_allclose(fast, one_by_one, rtol=0, atol=1e-12)
    for n_jobs in (2, -1):  # threads: the same numbers in the same order
        np.testing.assert_array_equal(ksg_mi_pairs(values, pairs, k=k, n_jobs=n_jobs), fast)
    np.testing.assert_array_equal(ksg_mi_pairs(values, pairs[:1], k=k, n_jobs=2), fast[:1])
    # scikit-learn adds its own noise of 1e-10 times max(1, mean |x|): on the rounded
    # and the skewed column it reorders near-ties (differences up to 0.006 nats), so
    # the comparison is on the plain continuous columns.
    plain = [(i, j) for i, j in pairs if i >= 2]
    sklearn = [
        mutual_info_regression(values[:, [i]], values[:, j], n_neighbors=k, random_state=0)[0]
        for i, j in plain
    ]
    ours = np.maximum(ksg_mi_pairs(values, plain, k=k), 0.0)
    np.testing.assert_allclose(ours, sklearn, rtol=0, atol=1e-10)
    assert fast.max() > 0.3  # the dependent pairs are there to find
    unscaled = ksg_mi_pairs(values, pairs[:3], k=k, standardize=False)
    expected = [ksg_mi(values[:, [i]], values[:, [j]], k=k, standardize=False)
                for i, j in pairs[:3]]  # fmt: skip
    np.testing.assert_allclose(unscaled, expected, rtol=0, atol=1e-12)


def test_pairs_errors():
    values = _columns(n=50, p=3)
    with pytest.raises(ValueError, match="k=50 needs more than k samples"):
        ksg_mi_pairs(values, [(0, 1)], k=50)
    tied = np.c_[np.repeat(np.arange(10.0), 5), np.repeat(np.arange(10.0), 5)]
    with pytest.raises(ValueError, match="Columns 0 and 1: .* exact duplicates"):
        ksg_mi_pairs(tied, [(0, 1)])
