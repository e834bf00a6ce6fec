"""Issue 31: extreme scales and plug-in bias give a correct number or a warning, never silence.

Each case is one the hostile-input sweep found returning an absurd number
silently; each test failed before its fix.
"""

import warnings

import numpy as np
import pytest

import keras_mine
from keras_mine.classical import gaussian_entropy, histogram_entropy, kde_mi, knn_entropy
from keras_mine.estimators.diagnostics import PLUG_IN_BIAS_NATS, plug_in_bias
from keras_mine.tasks import bivariate_gaussian

X, Z = (a.astype("float64") for a in bivariate_gaussian(0.75).sample(2000, seed=0))


def _messages(call) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught]


@pytest.mark.parametrize("scale", [1e300, 1e-310])
def test_entropies_move_by_d_ln_scale_at_any_scale(scale):
    # H(c x) = H(x) + d ln c. Before: knn read inf at 1e300 and refused 1e-310 as
    # copies; "gaussian" called the covariance singular; histogram read -712.
    joint = np.c_[X, Z]
    for entropy in (knn_entropy, gaussian_entropy, histogram_entropy):
        expected = entropy(joint) + 2 * np.log(scale)
        assert entropy(joint * scale) == pytest.approx(expected, abs=1e-9), entropy.__name__
    assert keras_mine.estimate_entropy(joint * scale).entropy == pytest.approx(
        knn_entropy(joint) + 2 * np.log(scale), abs=1e-9
    )


@pytest.mark.parametrize("scale", [1e300, 1e-310])
def test_kde_mi_is_invariant_at_any_scale(scale):
    # Before: "the samples' covariance is singular (a constant or linearly dependent column)".
    assert kde_mi(X * scale, Z) == pytest.approx(kde_mi(X, Z), abs=1e-12)


def test_the_histogram_entropy_of_a_constant_column_is_refused():
    # Before: -3.784 nats for a point mass (whose differential entropy is -inf).
    with pytest.raises(ValueError, match=r"Column 1 of `x` is constant.*method='discrete'"):
        histogram_entropy(np.c_[X, np.full(len(X), 3.0)])


def test_plug_in_estimates_of_independent_data_with_many_levels_warn():
    rng = np.random.default_rng(0)
    # 1,000 levels each in 5,000 rows, independent: 5.091 nats (ln 1000 = 6.91) before.
    a, b = rng.integers(0, 1000, 5000), rng.integers(0, 1000, 5000)
    messages = _messages(lambda: keras_mine.estimate_mi(a, b, method="discrete"))
    assert len(messages) == 1 and "cannot be told from zero" in messages[0]
    assert "994 x 995 levels in 5000 rows" in messages[0]
    # 1,000 columns and 50 rows through the histogram: 0.673 nats before, no warning.
    wide, target = rng.normal(size=(50, 1000)), rng.normal(size=50)
    messages = _messages(lambda: keras_mine.estimate_mi(wide, target, method="histogram"))
    assert any("cannot be told from zero" in m for m in messages)


def test_plug_in_estimates_of_real_dependence_stay_quiet():
    rng = np.random.default_rng(1)
    x = np.arange(1000) % 4
    assert _messages(lambda: keras_mine.estimate_mi(x, x % 2, method="discrete")) == []
    g = rng.normal(size=2000)
    assert _messages(lambda: keras_mine.estimate_mi(g, g + rng.normal(size=2000),
                                                    method="histogram")) == []  # fmt: skip
    # Few levels: the bias is below PLUG_IN_BIAS_NATS, nothing to say about a near-zero value.
    small = rng.integers(0, 3, 1000), rng.integers(0, 3, 1000)
    assert _messages(lambda: keras_mine.estimate_mi(*small, method="discrete")) == []


def test_the_plug_in_rule_is_a_g_test_at_one_percent():
    # Under independence 2n * MI is about chi-squared((kx - 1)(kz - 1)): over 300
    # independent 10 x 10 tables of 1,000 rows (mean bias 0.0405 nats) the rule fires
    # on about 99% of them (a 1% test rejects 1%), binomial(300, 0.01) allowing 0-8 quiet.
    rng = np.random.default_rng(2)
    quiet = 0
    for _ in range(300):
        a, b = rng.integers(0, 10, 1000), rng.integers(0, 10, 1000)
        quiet += plug_in_bias(keras_mine.classical.discrete_mi(a, b), (10, 10), 1000) is None
    assert quiet <= 8
    assert plug_in_bias(0.5, (10, 10), 1000) is None  # far above what independence gives
    assert plug_in_bias(0.0, (3, 3), 1000) is None  # bias 0.002 < PLUG_IN_BIAS_NATS
    assert (3 - 1) * (3 - 1) / 2000 < PLUG_IN_BIAS_NATS


@pytest.mark.parametrize("scale", [1e-310, 1e300])
def test_the_neural_default_is_invariant_at_any_scale(scale):
    # Before: 0.00096 at 1e-310 (truth 0.413): TensorFlow flushes float64 denormals to
    # zero, so every row reached the critic as 0. Columns are now scaled by a power of
    # two in numpy first (`normal_range`), exactly: the same estimate as unscaled.
    from keras_mine.core.preprocessing import normal_range

    x, z = X[:1000], Z[:1000]
    assert np.all(normal_range(x[None] * scale)[0] != 0)
    reference = keras_mine.estimate_mi(x, z, seed=0, max_epochs=20).mi
    scaled = keras_mine.estimate_mi(x * scale, z, seed=0, max_epochs=20).mi
    assert scaled == pytest.approx(reference, abs=1e-6)
    assert abs(reference - 0.413) < 0.1


def test_mixed_with_many_levels_reports_its_bias_on_independent_data():
    # Before: 10 levels in 100 rows, independent, read 0.31 nats silently (NPEET's micd
    # 0.157); now the estimate on permuted z (its bias at these levels) is measured
    # and reported. Few levels with many rows per level are not checked (bias ~0).
    rng = np.random.default_rng(0)
    for levels, n in ((10, 100), (50, 1000)):
        x, z = rng.integers(0, levels, n), rng.normal(size=n)
        messages = _messages(lambda x=x, z=z: keras_mine.estimate_mi(x, z, method="mixed"))
        assert any("Independent data with these levels read" in m for m in messages)
    result = keras_mine.estimate_mi(rng.integers(0, 5, 1000), rng.normal(size=1000),
                                    method="mixed")  # fmt: skip
    assert result.null_level is None
    x = rng.integers(0, 10, 100)
    dependent = keras_mine.estimate_mi(x, x + rng.normal(size=100), method="mixed")
    assert dependent.null_level > 0.1 and dependent.mi > dependent.null_level + 0.5
