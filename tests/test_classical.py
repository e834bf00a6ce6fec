"""Classical estimators: exact answers, scikit-learn agreement, known truths."""

import numpy as np
import pytest
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_regression

import keras_mine
from keras_mine.classical import discrete_mi, histogram_mi, kde_mi, ksg_mi
from keras_mine.tasks import (
    AdditiveNoiseTask,
    bivariate_gaussian,
    dense_gaussian,
    student_dense,
)

LABELS = np.arange(1_200) % 4  # four equally frequent symbols


def test_discrete_is_exact_on_known_answers():
    assert discrete_mi(LABELS, LABELS) == pytest.approx(np.log(4), abs=1e-12)
    assert discrete_mi(LABELS, LABELS % 2) == pytest.approx(np.log(2), abs=1e-12)
    # A balanced product design: every (a, b) pair equally frequent, MI = 0 exactly.
    assert discrete_mi(LABELS, (np.arange(1_200) // 4) % 3) == pytest.approx(0, abs=1e-12)
    # A multi-column variable is one variable whose symbols are its rows.
    pairs = np.column_stack([LABELS % 2, LABELS // 2])
    assert discrete_mi(pairs, LABELS) == pytest.approx(np.log(4), abs=1e-12)
    assert discrete_mi(pairs, pairs[:, 0]) == pytest.approx(np.log(2), abs=1e-12)
    # Labels are names: relabelling changes nothing; float codes are accepted.
    assert discrete_mi(LABELS * 10 + 7, LABELS % 2) == pytest.approx(np.log(2))
    assert discrete_mi(LABELS.astype(float), LABELS % 2) == pytest.approx(np.log(2))


def test_discrete_rejects_continuous_values():
    with pytest.raises(ValueError, match="non-integer values.*method='histogram', 'ksg'"):
        discrete_mi(np.linspace(0, 1, 100), np.arange(100))


@pytest.mark.parametrize(
    "task",
    [
        bivariate_gaussian(0.5),
        bivariate_gaussian(0.9),
        AdditiveNoiseTask(0.1),
        student_dense(1, 1, df=5, correlation=0.75),
    ],
    ids=lambda task: task.name,
)
def test_ksg_agrees_with_scikit_learn_in_one_dimension(task):
    # scikit-learn's mutual_info_regression is KSG estimator 1 with k = 3 on
    # standardized data plus a 1e-10 jitter; measured differences < 0.001.
    x, z = task.sample(5_000, seed=0)
    reference = mutual_info_regression(x, z[:, 0], n_neighbors=3, random_state=0)[0]
    assert ksg_mi(x, z, k=3) == pytest.approx(reference, abs=0.02)


def test_ksg_in_five_dimensions_is_within_ten_percent():
    task = dense_gaussian(5, 5)  # MI 0.593 nats
    x, z = task.sample(5_000, seed=0)
    # Measured 0.564 (-4.9%): KSG underestimates as the dimension grows.
    assert ksg_mi(x, z) == pytest.approx(task.mi_true, rel=0.10)


def _ksg_by_brute_force(x, z, k):
    """KSG estimator 1 from its definition, with explicit O(n^2) distances."""
    dx = np.abs(x[:, None, :] - x[None, :, :]).max(-1)
    dz = np.abs(z[:, None, :] - z[None, :, :]).max(-1)
    joint = np.maximum(dx, dz)
    np.fill_diagonal(joint, np.inf)
    eps = np.sort(joint, axis=1)[:, k - 1]
    n_x = (dx < eps[:, None]).sum(1) - 1  # strictly closer, the point itself excluded
    n_z = (dz < eps[:, None]).sum(1) - 1
    return digamma(k) + digamma(len(x)) - np.mean(digamma(n_x + 1) + digamma(n_z + 1))


def test_ksg_counts_marginal_neighbours_strictly_within_the_joint_radius():
    # Guards the kNN-marginal pitfall: max norm in every space, strict "<",
    # the point itself not counted. Coarse values make ties at eps common.
    rng = np.random.default_rng(0)
    x = np.round(rng.normal(size=(300, 2)), 1)
    z = np.round(x + rng.normal(size=(300, 2)), 1)
    for k in (1, 3, 6):
        expected = _ksg_by_brute_force(x, z, k)
        assert ksg_mi(x, z, k=k, standardize=False) == pytest.approx(expected, abs=1e-12)


def test_ksg_errors():
    with pytest.raises(ValueError, match="exact duplicates.*method='discrete'"):
        ksg_mi(LABELS, LABELS)
    with pytest.raises(ValueError, match="k=5 needs more than k samples"):
        ksg_mi(np.arange(5.0), np.arange(5.0), k=5)


def test_histogram_of_a_variable_with_itself_is_the_entropy_of_its_bins():
    x = np.random.default_rng(0).normal(size=2_000)
    counts = np.histogram(x, bins=8)[0]
    p = counts[counts > 0] / counts.sum()
    assert histogram_mi(x, x, bins=8) == pytest.approx(-np.sum(p * np.log(p)), abs=1e-12)


def test_histogram_converges_on_a_gaussian():
    task = bivariate_gaussian(0.9)
    x, z = task.sample(50_000, seed=0)
    # Default rule: floor(sqrt(50,000 / 5)) = 100 bins per coordinate.
    # Measured +0.012; the plug-in bias (cells / 2n) is about +0.05 at 5,000 rows.
    assert histogram_mi(x, z) == pytest.approx(task.mi_true, abs=0.03)
    assert histogram_mi(x, z, bins="fd") == pytest.approx(task.mi_true, abs=0.1)
    with pytest.raises(ValueError, match="integer >= 2 for `bins`"):
        histogram_mi(x, z, bins=1)


def test_kde_on_gaussians():
    task = bivariate_gaussian(0.9)
    x, z = task.sample(3_000, seed=0)
    assert kde_mi(x, z) == pytest.approx(task.mi_true, abs=0.04)
    # Leave-one-out: independent samples give ~0, not the positive bias of
    # densities that include each sample's own kernel.
    rng = np.random.default_rng(1)
    assert kde_mi(rng.normal(size=3_000), rng.normal(size=3_000)) == pytest.approx(0, abs=0.01)
    with pytest.raises(ValueError, match="Unknown bandwidth='wide'"):
        kde_mi(x, z, bandwidth="wide")
    with pytest.raises(ValueError, match="singular"):
        kde_mi(np.column_stack([x, 2 * x]), z)


def test_classical_methods_through_estimate_mi():
    x, z = bivariate_gaussian(0.7).sample(2_000, seed=0)
    result = keras_mine.estimate_mi(x, z, method="ksg", k=5)
    assert result.mi == ksg_mi(x, z, k=5)
    assert result.method == "ksg" and result.n_samples == 2_000 and result.seconds > 0
    assert result.models == () and result.history.empty
    with pytest.raises(AttributeError, match="trains no model"):
        _ = result.model
    assert keras_mine.estimate_mi(x, z, method="histogram").mi == histogram_mi(x, z)
    assert keras_mine.estimate_mi(x, z, method="kde", bandwidth=0.3).mi == kde_mi(x, z, 0.3)
    codes = (x > 0).astype(int)
    assert keras_mine.estimate_mi(codes, codes, method="discrete").mi == pytest.approx(
        discrete_mi(codes, codes)
    )
    with pytest.raises(ValueError, match="NaN"):
        keras_mine.estimate_mi(np.r_[x[:-1, 0], np.nan], z, method="ksg")


def test_leave_one_out_density_is_the_mean_kernel_of_the_other_samples():
    from scipy.stats import multivariate_normal

    from keras_mine.classical.kde import leave_one_out_log_density

    values = np.random.default_rng(0).normal(size=(300, 2)) @ np.array([[1.0, 0.5], [0, 1]])
    ours = leave_one_out_log_density(values, "silverman")
    factor = (300 * (2 + 2) / 4.0) ** (-1 / (2 + 4))  # Silverman's rule, d = 2
    kernel = multivariate_normal(cov=np.cov(values.T) * factor**2)
    for i in (0, 123, 299):
        others = np.delete(values, i, axis=0)
        expected = np.log(np.mean(kernel.pdf(others - values[i])))
        assert ours[i] == pytest.approx(expected, abs=1e-9)


def test_kde_stays_finite_in_fifty_dimensions():
    task = dense_gaussian(25, 25)
    x, z = task.sample(1_000, seed=0)
    assert np.isfinite(kde_mi(x, z))
