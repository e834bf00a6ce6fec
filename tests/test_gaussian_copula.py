"""Gaussian-copula MI and CMI (issue 32, item 1): exact where it should be, a bound elsewhere."""

import numpy as np
import pytest
from scipy.stats import norm, rankdata

import keras_mine
from keras_mine.classical import gaussian_copula_cmi, gaussian_copula_mi, normal_scores
from keras_mine.tasks import bivariate_gaussian, dense_gaussian, student_identity
from keras_mine.tasks.gaussian import gaussian_mi


def test_normal_scores_are_scipys_average_ranks_through_the_normal_quantile():
    values = np.random.default_rng(0).integers(0, 5, size=(40, 3)).astype(float)
    expected = np.column_stack([norm.ppf(rankdata(c) / 41) for c in values.T])
    np.testing.assert_allclose(normal_scores(values), expected, rtol=0, atol=1e-12)
    assert normal_scores(values[:, 0]).shape == (40,)


def test_without_the_correction_it_is_the_gaussian_mi_of_the_scores_correlation():
    x, z = bivariate_gaussian(0.6).sample(500, seed=1)
    r = np.corrcoef(normal_scores(x).ravel(), normal_scores(z).ravel())[0, 1]
    assert gaussian_copula_mi(x, z, biascorrect=False) == pytest.approx(
        -0.5 * np.log(1 - r**2), abs=1e-12
    )


def test_exact_for_increasing_maps_of_a_gaussian_and_invariant_to_the_last_digit():
    task = dense_gaussian(3, 3, 0.5)  # truth 0.413
    x, z = (a.astype("float64") for a in task.sample(5000, seed=0))
    mi = gaussian_copula_mi(x, z)
    # The spread over 20 seeds at N 5,000 is 0.010 nats: 0.03 is three of it.
    assert abs(mi - task.mi_true) < 0.03
    moved = (np.exp(x) * 1e300, np.arctan(z) * 1e-310)  # same ranks, so the same estimate
    assert gaussian_copula_mi(*moved) == mi
    assert keras_mine.estimate_mi(*moved, method="gaussian_copula").mi == mi


def test_the_bias_correction_removes_the_plug_in_bias_on_independent_data():
    rng = np.random.default_rng(0)
    pairs = [(rng.standard_normal((50, 2)), rng.standard_normal((50, 2))) for _ in range(400)]
    corrected = np.mean([gaussian_copula_mi(a, b) for a, b in pairs])
    plain = np.mean([gaussian_copula_mi(a, b, biascorrect=False) for a, b in pairs])
    # Uncorrected, independent data read d_x d_z / 2n = 0.04 on average; corrected,
    # the mean over 400 samples is within 0.01 of 0 (its standard error is 0.0015).
    assert plain == pytest.approx(0.04, abs=0.005)
    assert abs(corrected) < 0.01


def test_it_is_a_lower_bound_blind_to_dependence_without_correlation():
    # Uncorrelated Student-t: the MI (0.111 nats) is all in the joint tails.
    task = student_identity(2, 2, 3.0)
    mi = gaussian_copula_mi(*task.sample(5000, seed=0))
    assert task.mi_true > 0.1 and abs(mi) < 0.01


def test_conditional_mi_matches_the_closed_form_of_a_gaussian_chain():
    # z -> x and z -> y, plus a direct x -> y link: I(X;Y|Z) from the covariance.
    rng = np.random.default_rng(3)
    n = 20_000
    z = rng.standard_normal((n, 2))
    x = z @ [0.8, -0.5] + rng.standard_normal(n)
    y = 0.4 * x + z @ [0.3, 0.6] + rng.standard_normal(n)
    data = np.column_stack([x, y, z])
    c = np.cov(data, rowvar=False)

    def h(columns):  # Gaussian entropy up to constants, from the sample covariance
        return 0.5 * np.linalg.slogdet(c[np.ix_(columns, columns)])[1]

    truth = h([0, 2, 3]) + h([1, 2, 3]) - h([0, 1, 2, 3]) - h([2, 3])
    assert gaussian_copula_cmi(x, y, z) == pytest.approx(truth, abs=0.01)
    independent = gaussian_copula_cmi(x, z @ [0.3, 0.6] + rng.standard_normal(n), z)
    # Under conditional independence 2n CMI is about chi-squared(1): 0.001 is above
    # its 99.9% point (10.8 / 2n = 0.0003).
    assert abs(independent) < 0.001
    result = keras_mine.estimate_cmi(x, y, z, method="gaussian_copula")
    assert result.mi == gaussian_copula_cmi(x, y, z) and result.method == "gaussian_copula"


def test_what_it_cannot_estimate_is_refused_with_what_to_do():
    x = np.random.default_rng(0).standard_normal(300)
    with pytest.raises(ValueError, match="increasing or decreasing function"):
        gaussian_copula_mi(x, -(x**3))
    with pytest.raises(ValueError, match="constant"):
        gaussian_copula_mi(x, np.ones(300))
    with pytest.raises(ValueError, match="at least 6"):
        gaussian_copula_mi(np.ones((5, 2)), np.ones((5, 2)))
    with pytest.raises(ValueError, match="continuous target"):
        keras_mine.mi_scores(np.c_[x, x**2], (x > 0).astype(int), "gaussian_copula")
    with pytest.raises(ValueError, match="estimator= applies only"):
        keras_mine.estimate_cmi(x, x**2, x**3, method="gaussian_copula", estimator="ksg")


def test_a_known_matrix_task_of_any_width():
    covariance = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, -0.2], [0.5, -0.2, 1.0]])
    samples = np.random.default_rng(4).multivariate_normal(np.zeros(3), covariance, 20_000)
    estimate = gaussian_copula_mi(samples[:, :2], samples[:, 2])
    assert estimate == pytest.approx(gaussian_mi(covariance, 2), abs=0.01)
