"""The permutation test of independence (issue 15, part 3)."""

import numpy as np
import pytest
from scipy import stats

import keras_mine


def test_size_over_200_independent_data_sets_is_nominal():
    # Under independence the p-value is uniform on {1/20, ..., 1} (19 permutations: p <= 0.05
    # exactly when the data beat all 19, probability 1/20): over 200 data sets the rejections
    # are Binomial(200, 0.05), whose 99% interval is [3, 18]. A test that reused one
    # permutation, or compared with > instead of >=, would leave it.
    rng = np.random.default_rng(0)
    rejections = 0
    for _ in range(200):
        x, z = rng.normal(size=150), rng.standard_t(3, size=150)
        seed = int(rng.integers(2**31))
        rejections += keras_mine.mi_test(x, z, n_permutations=19, seed=seed).p_value <= 0.05
    low, high = stats.binom.interval(0.99, 200, 0.05)
    assert low <= rejections <= high


def test_power_where_correlation_sees_nothing():
    rng = np.random.default_rng(1)
    x = rng.normal(size=300)
    z = x**2 + 0.5 * rng.normal(size=300)
    assert stats.pearsonr(x, z).pvalue > 0.05  # correlation misses it
    result = keras_mine.mi_test(x, z, n_permutations=199)
    assert result.p_value == pytest.approx(1 / 200)
    assert result.statistic > 0.3 and result.null.shape == (199,)
    assert result.statistic > np.max(result.null)


def test_neural_statistic_with_stacked_permutation_critics():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(600, 1))
    dependent = np.sin(2 * x) + 0.3 * rng.normal(size=(600, 1))
    independent = rng.normal(size=(600, 1))
    kwargs = {"n_permutations": 9, "max_epochs": 30}
    assert keras_mine.mi_test(x, dependent, "mine", **kwargs).p_value == pytest.approx(0.1)
    assert keras_mine.mi_test(x, independent, "mine", **kwargs).p_value > 0.1


def test_mi_test_checks():
    x = np.arange(50.0)
    with pytest.raises(ValueError, match="Valid methods"):
        keras_mine.mi_test(x, x, method="pearson")
    with pytest.raises(ValueError, match="n_permutations"):
        keras_mine.mi_test(x, x, n_permutations=0)
    with pytest.raises(ValueError, match="paired row by row"):
        keras_mine.mi_test(x, x[:10])
    a = keras_mine.mi_test(np.sin(x), np.cos(x), n_permutations=19, seed=3)
    b = keras_mine.mi_test(np.sin(x), np.cos(x), n_permutations=19, seed=3)
    assert np.array_equal(a.null, b.null) and a.p_value == b.p_value  # reproducible
