"""The kNN family beyond KSG: Frenzel-Pompe conditional MI and Gao's mixed-data MI (issue 15)."""

import warnings

import numpy as np
import pytest
from scipy import integrate, stats

import keras_mine
from keras_mine.classical import ksg_cmi, ksg_mi, mixed_mi
from keras_mine.tasks import ConditionalTask


def _binary_gaussian_mixture_mi(shift: float = 2.0) -> float:
    """I(X;Z) for X ~ Bernoulli(1/2), Z ~ N(shift X, 1): H(Z) - H(Z|X), H(Z) by quadrature."""
    density = lambda t: 0.5 * stats.norm.pdf(t) + 0.5 * stats.norm.pdf(t, shift)  # noqa: E731
    h_z = -integrate.quad(lambda t: density(t) * np.log(density(t)), -15, 15 + shift)[0]
    return h_z - 0.5 * np.log(2 * np.pi * np.e)


def test_the_mixture_truth_by_an_independent_route():
    # Monte Carlo of E[log p(z|x) - log p(z)] on 10^6 draws: another route to the same MI.
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, 1_000_000)
    z = 2.0 * x + rng.standard_normal(len(x))
    log_ratio = stats.norm.logpdf(z, 2.0 * x) - np.log(
        0.5 * stats.norm.pdf(z) + 0.5 * stats.norm.pdf(z, 2.0)
    )
    assert np.mean(log_ratio) == pytest.approx(_binary_gaussian_mixture_mi(), abs=0.002)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mixed_estimator_on_a_binary_x_within_0_03(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, 5000)
    z = 2.0 * x + rng.standard_normal(5000)
    truth = _binary_gaussian_mixture_mi()  # 0.337
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a binary x is not "a function of z": no warning
        assert keras_mine.estimate_mi(x, z, method="mixed").mi == pytest.approx(truth, abs=0.03)
    with pytest.raises(ValueError, match="method='mixed'"):
        ksg_mi(np.stack([x, x], 1), np.stack([x, x], 1))  # KSG refuses ties, says what to use


def test_mixed_estimator_handles_a_point_mass_and_equals_ksg_on_continuous_data():
    rng = np.random.default_rng(0)
    x, noise = rng.standard_normal(4000), rng.standard_normal(4000)
    z = x + noise
    assert mixed_mi(x, z) == pytest.approx(ksg_mi(x, z), abs=1e-3)
    # A zero-inflated z (half the rows exactly 0): I(X; Z) = 0.5 I(X; X + N) + 0 from the atom
    # (which row is zeroed is independent of x), about 0.5 * 0.347.
    zeroed = np.where(rng.uniform(size=4000) < 0.5, 0.0, z)
    assert mixed_mi(x, zeroed) == pytest.approx(0.5 * 0.5 * np.log(2.0), abs=0.03)
    # Discrete on both sides: the plug-in MI of the symbols (ln 2 here).
    labels = rng.integers(0, 4, 4000)
    assert mixed_mi(labels, labels % 2) == pytest.approx(np.log(2.0), abs=0.01)


def test_frenzel_pompe_on_ccmi_model_one_within_0_1():
    task = ConditionalTask(dim_z=1)
    x, y, z = task.sample(5000, seed=0)
    estimate = keras_mine.estimate_cmi(x, y, z, method="ksg")
    assert estimate.mi == pytest.approx(task.cmi_true, abs=0.1)  # 2.308
    assert estimate.mi == pytest.approx(ksg_cmi(x, y, z))
    assert estimate.method == "ksg" and estimate.n_samples == 5000


@pytest.mark.parametrize("dim_z", [1, 3])
def test_frenzel_pompe_near_zero_under_conditional_independence(dim_z):
    task = ConditionalTask(dim_z=dim_z, independent=True)
    x, y, z = task.sample(5000, seed=0)
    assert abs(keras_mine.estimate_cmi(x, y, z, method="ksg").mi) < 0.03
    # ... while the unconditional MI of x and y is not 0: z links them.
    rng = np.random.default_rng(1)
    zz = rng.standard_normal(5000)
    a, b = zz + rng.standard_normal(5000), zz + rng.standard_normal(5000)
    assert ksg_mi(a, b) > 0.1 and abs(ksg_cmi(a, b, zz)) < 0.03


def test_ksg_cmi_errors():
    x = np.random.default_rng(0).standard_normal(100)
    with pytest.raises(ValueError, match=r"\['max_epochs'\] do not apply to method='ksg'"):
        keras_mine.estimate_cmi(x, x, x, method="ksg", max_epochs=3)
    with pytest.raises(ValueError, match="estimator= applies only"):
        keras_mine.estimate_cmi(x, x, x, method="ksg", estimator="mine")
    with pytest.raises(ValueError, match="same length|paired"):
        keras_mine.estimate_cmi(x, x, x[:50], method="ksg")
    in_bits = keras_mine.estimate_cmi(x, x[::-1], x, method="ksg", units="bits", k=5)
    assert float(in_bits) == pytest.approx(ksg_cmi(x, x[::-1], x, k=5) / np.log(2.0))


def test_mi_scores_with_the_mixed_estimator():
    rng = np.random.default_rng(0)
    label = rng.integers(0, 2, 3000)
    X = np.column_stack([label, rng.standard_normal(3000), np.round(rng.standard_normal(3000))])
    y = 2.0 * label + rng.standard_normal(3000)
    scores = keras_mine.mi_scores(X, y, method="mixed", n_neighbors=5, discrete_features="levels")
    assert scores[0] == pytest.approx(_binary_gaussian_mixture_mi(), abs=0.03)
    assert scores[1] < 0.02 and scores[2] < 0.02
    assert np.array_equal(
        keras_mine.mi_scores(X, y, method="mixed", n_neighbors=5, discrete_features=[0, 2]), scores
    )
    with pytest.raises(ValueError, match="'ksg' and 'mixed' only"):
        keras_mine.mi_scores(X, y, method="histogram", discrete_features=[0])
    # "auto" is scikit-learn's (a dense X is continuous): it says so for columns 0 and 2.
    with pytest.warns(UserWarning, match=r"Columns 0, 2 of X .* scored as continuous"):
        as_continuous = keras_mine.mi_scores(X, y, method="mixed", n_neighbors=5)
    assert as_continuous[1] == scores[1] and not np.array_equal(as_continuous, scores)


def test_mixed_mi_scores_take_the_declared_point_masses():
    """A continuous column rounded to 0.1 is not a set of point masses.

    Declared continuous (its 60-odd distinct values are above the "auto"
    limit of 20), its repeats are separated and it reads the MI of the
    unrounded column, 0.5 ln 2 = 0.347 (rounding to 0.1 changes it by
    about 0.001; measured 0.355); declared discrete, its ~50 copies of each
    value are point masses and the estimate reads 0.418, 0.07 high.
    """
    rng = np.random.default_rng(0)
    g = rng.standard_normal(3000)
    y = g + rng.standard_normal(3000)
    X = np.round(g, 1)[:, None]
    continuous = keras_mine.mi_scores(X, y, method="mixed")[0]
    assert continuous == pytest.approx(0.5 * np.log(2.0), abs=0.03)
    declared = keras_mine.mi_scores(X, y, method="mixed", discrete_features=True)[0]
    assert declared - continuous > 0.04
