"""The bounds as pure functions, on inputs with known answers."""

import numpy as np
import pytest
import tensorflow as tf

from keras_mine.core import bounds
from keras_mine.tasks import bivariate_gaussian


def test_log_mean_exp_matches_numpy_and_is_stable():
    t = np.array([0.3, -1.2, 2.0, 0.0], dtype=np.float32)
    assert float(bounds.log_mean_exp(t)) == pytest.approx(np.log(np.mean(np.exp(t))), abs=1e-6)
    # log(mean(exp(t))) overflows in float32 here; the stable version does not.
    big = tf.constant([1000.0, 1000.0], tf.float32)
    assert float(bounds.log_mean_exp(big)) == pytest.approx(1000.0)
    small = tf.constant([-1000.0, -1000.0], tf.float32)
    assert float(bounds.log_mean_exp(small)) == pytest.approx(-1000.0)


def test_donsker_varadhan_simple_values():
    assert float(bounds.donsker_varadhan([2.0, 2.0], [2.0, 2.0])) == pytest.approx(0.0)
    # mean(t_joint) = 1, log mean exp([0, log 3]) = log 2
    value = bounds.donsker_varadhan([0.0, 2.0], [0.0, np.log(3.0)])
    assert float(value) == pytest.approx(1.0 - np.log(2.0), abs=1e-6)


def _optimal_gaussian_critic(x, z, rho):
    """log dP/dQ for the bivariate standard Gaussian with correlation rho."""
    s = 1.0 - rho**2
    return -0.5 * np.log(s) - (rho**2 * x**2 - 2 * rho * x * z + rho**2 * z**2) / (2 * s)


def test_donsker_varadhan_is_tight_at_the_log_density_ratio():
    rho = 0.7
    task = bivariate_gaussian(rho)
    x, z = (a[:, 0].astype(np.float64) for a in task.sample(400_000, seed=0))
    z_marginal = np.random.default_rng(1).permutation(z)
    value = bounds.donsker_varadhan(
        _optimal_gaussian_critic(x, z, rho), _optimal_gaussian_critic(x, z_marginal, rho)
    )
    # Monte Carlo standard error at this n is ~0.003 nats.
    assert float(value) == pytest.approx(task.mi_true, abs=0.015)
    # Any other critic gives less: a scaled one is a strict lower bound.
    worse = bounds.donsker_varadhan(
        0.5 * _optimal_gaussian_critic(x, z, rho),
        0.5 * _optimal_gaussian_critic(x, z_marginal, rho),
    )
    assert float(worse) < float(value) - 0.05


def _gradients(fn, t_joint, t_marginal):
    t_joint = tf.Variable(t_joint, dtype=tf.float64)
    t_marginal = tf.Variable(t_marginal, dtype=tf.float64)
    with tf.GradientTape() as tape:
        value = fn(t_joint, t_marginal)
    return value, tape.gradient(value, [t_joint, t_marginal])


def test_mine_bound_has_dv_value_and_moving_average_gradient():
    t_joint = np.array([0.5, 1.0, 1.5])
    t_marginal = np.array([0.2, -0.4, 0.9, 0.1])
    log_ma = np.log(3.0)  # deliberately not the batch mean of exp(t_marginal)
    dv_value, (dv_gj, dv_gm) = _gradients(bounds.donsker_varadhan, t_joint, t_marginal)
    value, (gj, gm) = _gradients(
        lambda a, b: bounds.mine_lower_bound(a, b, tf.constant(log_ma, tf.float64)),
        t_joint,
        t_marginal,
    )
    assert float(value) == pytest.approx(float(dv_value), abs=1e-12)
    np.testing.assert_allclose(gj, dv_gj)
    # d/dt_i of -log mean exp(t), with the moving average in the denominator:
    expected = -np.exp(t_marginal) / (len(t_marginal) * np.exp(log_ma))
    np.testing.assert_allclose(gm, expected, rtol=1e-10)
    assert not np.allclose(gm, dv_gm)
    # With the moving average equal to the batch mean, the gradient is exact.
    log_batch = np.log(np.mean(np.exp(t_marginal)))
    _, (_, gm_exact) = _gradients(
        lambda a, b: bounds.mine_lower_bound(a, b, tf.constant(log_batch, tf.float64)),
        t_joint,
        t_marginal,
    )
    np.testing.assert_allclose(gm_exact, dv_gm, rtol=1e-10)


def test_moving_average_update_in_log_space():
    t = np.array([0.1, 0.7, -0.3])
    old, alpha = 1.7, 0.01
    updated = bounds.update_log_moving_average(np.log(old), t, alpha)
    expected = (1 - alpha) * old + alpha * np.mean(np.exp(t))
    assert float(np.exp(updated)) == pytest.approx(expected, rel=1e-6)
    first = bounds.update_log_moving_average(0.0, t, 1.0)
    assert float(first) == pytest.approx(np.log(np.mean(np.exp(t))), abs=1e-6)
    # Large scores neither overflow nor lose the average.
    huge = bounds.update_log_moving_average(500.0, np.array([500.0, 500.0]), 0.5)
    assert float(huge) == pytest.approx(500.0)


def test_remine_penalty():
    t_joint = np.array([1.0, 2.0])
    t_marginal = np.array([0.0, np.log(3.0)])  # log mean exp = log 2
    dv = float(bounds.donsker_varadhan(t_joint, t_marginal))
    at_target = bounds.remine_objective(t_joint, t_marginal, 5.0, np.log(2.0))
    assert float(at_target) == pytest.approx(dv, abs=1e-6)
    off = bounds.remine_objective(t_joint, t_marginal, 0.1, 0.0)
    assert float(off) == pytest.approx(dv - 0.1 * np.log(2.0) ** 2, abs=1e-6)


def test_log_mean_exp_agrees_with_tensorflow_probability():
    """TFP (with tf-keras) imports beside Keras 3 and agrees with our helper."""
    import tensorflow_probability as tfp

    t = tf.constant(np.random.default_rng(0).normal(size=1000) * 30.0, tf.float32)
    expected = tfp.math.reduce_logmeanexp(t)
    assert float(bounds.log_mean_exp(t)) == pytest.approx(float(expected), abs=1e-4)


@pytest.mark.parametrize(
    "bound",
    [
        bounds.donsker_varadhan,
        lambda tj, tm: bounds.mine_lower_bound(tj, tm, bounds.log_mean_exp(tm) + 0.3),
        lambda tj, tm: bounds.remine_objective(tj, tm, 0.1, 0.5),
        bounds.classifier_log_loss,
        lambda tj, tm: bounds.update_log_moving_average(bounds.log_mean_exp(tj), tm, 0.1),
        bounds.nwj,
        bounds.jensen_shannon,
        lambda tj, tm: bounds.smile(tj, tm, tau=1.0),
    ],
)
def test_a_stack_of_scores_gives_one_value_and_gradient_per_row(bound):
    # k critics trained at once pass scores of shape (k, n): each row must get
    # exactly the value and gradient it would get alone.
    rng = np.random.default_rng(0)
    t_joint = tf.constant(rng.normal(size=(3, 50)), tf.float32)
    t_marginal = tf.constant(rng.normal(size=(3, 80)), tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([t_joint, t_marginal])
        stacked = bound(t_joint, t_marginal)
        rows = [bound(t_joint[k], t_marginal[k]) for k in range(3)]
        total = tf.reduce_sum(stacked)
    assert stacked.shape == (3,)
    np.testing.assert_allclose(stacked, [float(r) for r in rows], rtol=1e-6)
    gradient = tape.gradient(total, t_marginal)
    if gradient is None:  # the moving-average update takes no gradient, by design
        return
    for k in range(3):
        alone = tape.gradient(rows[k], t_marginal)[k]
        np.testing.assert_allclose(gradient[k], alone, rtol=1e-5, atol=1e-8)


def _gaussian_score_matrix(n, rho, seed, scale=1.0, shift=0.0):
    """scores[i, j] = scale * log p(x_i, z_j) / (p(x_i) p(z_j)) + shift, on one sample."""
    x, z = (a[:, 0].astype(np.float64) for a in bivariate_gaussian(rho).sample(n, seed=seed))
    return scale * _optimal_gaussian_critic(x[:, None], z[None, :], rho) + shift


@pytest.mark.parametrize("scale, shift", [(1.0, 0.0), (1.0, 1.0), (0.6, -2.0), (1.5, 0.7)])
def test_score_matrix_bounds_equal_tensorflow_probability(scale, shift):
    import tensorflow_probability as tfp

    mi = tfp.vi.mutual_information
    scores = tf.constant(_gaussian_score_matrix(300, 0.8, 0, scale, shift), tf.float64)
    t_joint, t_marginal = bounds.split_score_matrix(scores)
    assert t_joint.shape == (300,) and t_marginal.shape == (300 * 299,)
    pairs = [
        (bounds.nwj(t_joint, t_marginal), mi.lower_bound_nguyen_wainwright_jordan(scores)),
        (bounds.jensen_shannon(t_joint, t_marginal), mi.lower_bound_jensen_shannon(scores)),
        (bounds.info_nce(scores), mi.lower_bound_info_nce(scores)),
    ]
    for ours, theirs in pairs:
        assert float(ours) == pytest.approx(float(theirs), rel=1e-9, abs=1e-9)


def test_split_score_matrix_takes_the_diagonal_and_the_rest():
    scores = tf.reshape(tf.range(9.0), (3, 3))
    t_joint, t_marginal = bounds.split_score_matrix(scores)
    np.testing.assert_array_equal(t_joint, [0.0, 4.0, 8.0])
    np.testing.assert_array_equal(t_marginal, [1.0, 2.0, 3.0, 5.0, 6.0, 7.0])
    stacked = bounds.split_score_matrix(tf.stack([scores, -scores]))
    assert stacked[0].shape == (2, 3) and stacked[1].shape == (2, 6)
    with pytest.raises(ValueError, match="square"):
        bounds.split_score_matrix(tf.zeros((3, 4)))


def test_bounds_are_tight_at_their_optimal_critics():
    # Optimal critics: DV and SMILE at log dP/dQ (+ any constant), NWJ at
    # 1 + log dP/dQ. On 400 x 400 pairs (159,600 marginal scores) of a
    # rho = 0.5 Gaussian (MI 0.144) the Monte Carlo error is about 0.01.
    rho, truth = 0.5, bivariate_gaussian(0.5).mi_true
    scores = tf.constant(_gaussian_score_matrix(400, rho, 1), tf.float64)
    t_joint, t_marginal = bounds.split_score_matrix(scores)
    assert float(bounds.nwj(t_joint + 1.0, t_marginal + 1.0)) == pytest.approx(truth, abs=0.03)
    assert float(bounds.donsker_varadhan(t_joint, t_marginal)) == pytest.approx(truth, abs=0.03)
    assert float(bounds.smile(t_joint, t_marginal, tau=5.0)) == pytest.approx(truth, abs=0.03)
    assert float(bounds.info_nce(scores)) == pytest.approx(truth, abs=0.03)
    # NWJ is not shift-invariant: the wrong offset costs exp-sized slack.
    assert float(bounds.nwj(t_joint, t_marginal)) < truth - 0.1


def test_info_nce_never_exceeds_log_batch_size():
    # Even a critic that makes every joint pair infinitely more likely than
    # the others reads at most ln(n); the true MI here (4.6 nats at rho
    # 0.99995) is above ln(64) = 4.16.
    n = 64
    scores = _gaussian_score_matrix(n, 0.99995, 2)
    assert bivariate_gaussian(0.99995).mi_true > np.log(n)
    assert float(bounds.info_nce(scores)) <= np.log(n) + 1e-9
    huge = np.where(np.eye(n, dtype=bool), 1e4, 0.0)
    assert float(bounds.info_nce(huge)) == pytest.approx(np.log(n), abs=1e-9)


def test_smile_clips_only_the_partition_term():
    rng = np.random.default_rng(3)
    t_joint, t_marginal = rng.normal(size=200) * 4, rng.normal(size=500) * 4
    # A large tau clips nothing: DV.
    dv = bounds.donsker_varadhan(t_joint, t_marginal)
    assert float(bounds.smile(t_joint, t_marginal, tau=100.0)) == pytest.approx(float(dv))
    # tau = 1: the partition term sees scores in [-1, 1] only.
    clipped = np.clip(t_marginal, -1.0, 1.0)
    expected = t_joint.mean() - np.log(np.mean(np.exp(clipped)))
    assert float(bounds.smile(t_joint, t_marginal, tau=1.0)) == pytest.approx(expected)
    with pytest.raises(ValueError, match="tau"):
        bounds.smile(t_joint, t_marginal, tau=0.0)


def test_jensen_shannon_is_the_classifier_objective():
    rng = np.random.default_rng(4)
    t_joint, t_marginal = rng.normal(size=100), rng.normal(size=150)
    js = bounds.jensen_shannon(t_joint, t_marginal)
    assert float(js) == pytest.approx(-2.0 * float(bounds.classifier_log_loss(t_joint, t_marginal)))
