"""estimate_mi_many: k critics trained stacked, each as if alone."""

import numpy as np
import pytest
import tensorflow as tf

from keras_mine import estimate_mi, estimate_mi_many
from keras_mine.estimators.crossfit import TrainingConfig
from keras_mine.estimators.stacked import StackedFit
from keras_mine.tasks import bivariate_gaussian, dense_gaussian

TASKS = [bivariate_gaussian(0.0), bivariate_gaussian(0.9), dense_gaussian(1, 3)]


@pytest.fixture(scope="module")
def pairs():
    return [task.sample(6_000, seed=i) for i, task in enumerate(TASKS)]


def test_stacked_estimates_equal_separate_runs(pairs):
    # One cross-fitted fit each (extrapolate=False): the extrapolated default adds two
    # more fits and a yes/no consistency check per pair (estimate_mi_many's halves are
    # tested in test_estimate.py::test_sample_size_extrapolation_removes_the_bias...).
    stacked = estimate_mi_many(pairs, method="mine", seed=0, extrapolate=False)
    separate = [estimate_mi(x, z, method="mine", seed=0, extrapolate=False) for x, z in pairs]
    for task, one, alone in zip(TASKS, stacked, separate, strict=True):
        # Measured: stacked and separate differ by 0.0002 / 0.014 / 0.003 nats
        # and miss the truth by at most 0.029 (rho = 0.9, where cross-fitting
        # at 6,000 rows is biased low). The two runs differ only in
        # initialization and shuffles, so their gap is seed noise.
        assert one.mi == pytest.approx(alone.mi, abs=0.03)
        assert one.mi == pytest.approx(task.mi_true, abs=0.05)
        assert len(one.fold_estimates) == 2 and one.n_samples == 6_000
    # Each critic stops on its own: the independent pair (MI 0, nothing to
    # learn) stops long before the rho = 0.9 pair.
    epochs = [result.history.groupby("fold").size().min() for result in stacked]
    assert epochs[0] < epochs[1]


def test_a_stopped_critic_is_frozen_and_rates_are_per_critic():
    config = TrainingConfig()
    fit = StackedFit("mine_biased", {}, config, 2, (1, 1), dict(hidden_dim=8,
                      num_hidden_layers=1, activation="relu"), seed=0)  # fmt: skip
    x, z = (tf.constant(np.random.default_rng(0).normal(size=(2, 64, 1)), tf.float32),) * 2
    before = [v.numpy().copy() for v in fit.variables]
    fit.scale.assign([1.0, 0.0])
    tf.function(fit.train_step)(x, z, tf.constant([0, 0]))
    # Critic 0 trained: its weights moved (the output bias may not: the DV bound
    # is blind to a constant added to T, so that bias's gradient is 0, or a
    # rounding error away from it).
    pairs = zip(fit.variables, before, strict=True)
    moved = [not np.allclose(v.numpy()[0], old[0]) for v, old in pairs]
    assert sum(moved) >= len(moved) - 1
    for variable, old in zip(fit.variables, before, strict=True):
        np.testing.assert_array_equal(variable.numpy()[1], old[1])  # critic 1 frozen


def test_bad_arguments(pairs):
    x, z = pairs[0]
    with pytest.raises(ValueError, match="same number of samples"):
        estimate_mi_many([(x, z), (x[:-1], z[:-1])])
    with pytest.raises(ValueError, match="Unknown method='mine_v2'. Valid methods: mine_biased"):
        estimate_mi_many([(x, z)], method="mine_v2")
    # Methods that cannot be stacked run one by one: the same as estimate_mi.
    from keras_mine import estimate_mi

    assert [r.mi for r in estimate_mi_many(pairs, method="ksg")] == [
        estimate_mi(a, b, method="ksg").mi for a, b in pairs
    ]
    with pytest.raises(ValueError, match="empty"):
        estimate_mi_many([])
    with pytest.raises(ValueError, match=r"\['alpha'\] do not apply"):
        estimate_mi_many([(x, z)], method="remine", alpha=0.1)
    with pytest.raises(ValueError, match="NaN"):
        estimate_mi_many([(x, np.full_like(z, np.nan))])


def test_the_stacked_schedule_is_the_callbacks_rule():
    # One val_mi sequence per run, fed to Keras' callbacks (as default_callbacks
    # builds them for estimate_mi) and to the stacked trainer's PlateauSchedule:
    # the same stop epoch, rate and best epoch at every epoch.
    import keras

    from keras_mine import default_callbacks
    from keras_mine.models.callbacks import BestWeights, PlateauSchedule

    rules = dict(patience=6, min_delta=0.02, lr_factor=0.5, lr_patience=2)
    rng = np.random.default_rng(0)
    sequences = np.cumsum(rng.normal(0.01, 0.03, size=(5, 80)), axis=1)  # rising, noisy walks
    keras_runs = []
    for values in sequences:
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(1.0))
        callbacks = default_callbacks(**rules, min_lr=0.0)
        best_weights = next(c for c in callbacks if isinstance(c, BestWeights))
        callback_list = keras.callbacks.CallbackList(callbacks, model=model)
        model.stop_training = False
        callback_list.on_train_begin()
        run = []
        for epoch, value in enumerate(values):
            callback_list.on_epoch_end(epoch, {"val_mi": float(value)})
            run.append((best_weights.best_epoch == epoch,
                        float(model.optimizer.learning_rate), model.stop_training))  # fmt: skip
            if model.stop_training:
                break
        keras_runs.append(run)
    schedule = PlateauSchedule(len(sequences), **rules)
    for epoch in range(sequences.shape[1]):
        improved = schedule.update(epoch, sequences[:, epoch])
        for i, run in enumerate(keras_runs):
            if epoch < len(run):
                assert (improved[i], schedule.rate[i], not schedule.active[i]) == pytest.approx(
                    run[epoch], rel=1e-6
                ), (i, epoch)
            else:
                assert not schedule.active[i]
    # The sequences exercise every rule: rates cut, runs stopped at different epochs.
    assert len({len(run) for run in keras_runs}) > 1
    assert min(run[-1][1] for run in keras_runs) < 1.0


def _one_epoch(seed, weights=None):
    config = TrainingConfig(batch_size=16)
    fit = StackedFit("mine_biased", {}, config, 1, (1, 1), dict(hidden_dim=8,
                     num_hidden_layers=1, activation="relu"), seed=seed)  # fmt: skip
    if weights is not None:
        for variable, value in zip(fit.variables, weights, strict=True):
            variable.assign(value)
    x = tf.constant(np.random.default_rng(0).normal(size=(1, 64, 1)), tf.float32)
    fit.make_epoch(64, 16)(x, x, x, x, tf.constant(0))
    return [v.numpy() for v in fit.variables]


def test_seed_none_also_randomizes_batch_order_and_shuffles():
    # Before: seed=None randomized the initialization but trained every
    # critic on the batch order and shuffles of seed 0.
    start = [v.numpy() for v in StackedFit("mine_biased", {}, TrainingConfig(), 1, (1, 1), dict(
        hidden_dim=8, num_hidden_layers=1, activation="relu"), seed=0).variables]  # fmt: skip
    same = [_one_epoch(3, start), _one_epoch(3, start)]
    for a, b in zip(*same, strict=True):
        np.testing.assert_array_equal(a, b)
    fresh = [_one_epoch(None, start), _one_epoch(None, start)]
    assert not all(np.array_equal(a, b) for a, b in zip(*fresh, strict=True))


def test_the_readout_scores_in_blocks_with_the_same_result():
    # Before: every marginal row was scored in one call (k x n x hidden at once).
    fit = StackedFit("mine_biased", {}, TrainingConfig(), 2, (1, 1), dict(hidden_dim=8,
                     num_hidden_layers=1, activation="relu"), seed=0)  # fmt: skip
    x = tf.constant(np.random.default_rng(1).normal(size=(2, 1_000, 1)), tf.float32)
    z = x + tf.constant(np.random.default_rng(2).normal(size=(2, 1_000, 1)), tf.float32)
    calls = []
    critic_call = fit.critic.call
    fit.critic.call = lambda a, b, **kw: calls.append(a.shape[1]) or critic_call(a, b, **kw)
    tf.config.run_functions_eagerly(True)  # concrete shapes in every call
    try:
        blocked = fit.readout(x, z, num_shuffles=3, block=300)
    finally:
        tf.config.run_functions_eagerly(False)
    assert max(calls) == 300 and len(calls) == 4 * 4  # joint + 3 shuffles, 4 blocks each
    whole = fit.readout(x, z, num_shuffles=3, block=10_000)
    np.testing.assert_allclose(blocked, whole, rtol=1e-5)
