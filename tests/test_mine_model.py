"""MINE as a Keras model: training mechanics, readout, save/load, inputs."""

import json

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf
from scipy.special import logsumexp

import keras_mine
from keras_mine.core.bounds import donsker_varadhan
from keras_mine.core.data import make_dataset, shuffle_marginal
from keras_mine.core.metrics import DonskerVaradhanMetric
from keras_mine.tasks import bivariate_gaussian


@pytest.fixture(scope="module")
def data():
    task = bivariate_gaussian(0.8)
    x, z = task.sample(2_000, seed=10)
    x_test, z_test = task.sample(2_000, seed=11)
    return x, z, x_test, z_test


def small_model(loss="mine", seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    model = keras_mine.MINE(loss=loss, hidden_dim=16, seed=seed, **kwargs)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    return model


def test_estimate_is_dv_over_all_samples_with_seeded_shuffles(data):
    x, z, x_test, z_test = data
    model = small_model()
    model.fit(x, z, batch_size=200, epochs=3, verbose=0)
    value = model.estimate(x_test, z_test, num_shuffles=2, seed=5, batch_size=300)
    t_joint = model.scores(x_test, z_test)
    rng = np.random.default_rng(5)
    perms = [rng.permutation(len(x_test)) for _ in range(2)]
    t_marg = np.concatenate([model.scores(x_test, z_test[p]) for p in perms])
    expected = t_joint.mean() - (logsumexp(t_marg) - np.log(t_marg.size))
    assert value == pytest.approx(expected, abs=1e-6)
    # Deterministic; the batch size only splits work; another seed moves it a little.
    assert model.estimate(x_test, z_test, num_shuffles=2, seed=5) == pytest.approx(value, abs=1e-6)
    assert model.estimate(x_test, z_test, num_shuffles=2, seed=6) != value
    bits = model.estimate(x_test, z_test, num_shuffles=2, seed=5, units="bits")
    assert bits == pytest.approx(value / np.log(2), rel=1e-6)


def test_training_shuffles_are_fresh_and_validation_shuffles_fixed():
    z = tf.range(50)
    generator = keras.random.SeedGenerator(0)
    first, second = shuffle_marginal(z, generator), shuffle_marginal(z, generator)
    assert not np.array_equal(first, second)
    assert sorted(first.numpy()) == list(range(50))
    np.testing.assert_array_equal(shuffle_marginal(z, 7), shuffle_marginal(z, 7))


def test_dv_metric_accumulates_the_exact_bound_over_batches():
    rng = np.random.default_rng(0)
    t_joint, t_marg = rng.normal(size=300), rng.normal(size=300) * 2
    metric = DonskerVaradhanMetric()
    for i in range(0, 300, 70):  # uneven batches
        metric.update_state(t_joint[i : i + 70], t_marg[i : i + 70])
    assert float(metric.result()) == pytest.approx(
        float(donsker_varadhan(t_joint, t_marg)), abs=1e-5
    )
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_moving_average_is_a_training_only_statistic(data):
    x, z, x_test, z_test = data
    model = small_model("mine")
    model.fit(x, z, batch_size=250, epochs=2, validation_split=0.25, verbose=0)
    steps = 2 * int(np.ceil(1_500 / 250))  # training batches only
    assert float(model.moving_average_updates) == steps
    before = float(model.log_moving_average)
    model.evaluate(x_test, z_test, batch_size=100, verbose=0)
    model.estimate(x_test, z_test)
    assert float(model.log_moving_average) == before
    assert float(model.moving_average_updates) == steps
    assert "log_moving_average" not in [w.path for w in small_model("remine").weights]


def test_early_stopping_and_lr_schedule_follow_val_mi():
    # Independent variables: val_mi cannot improve, so both callbacks fire.
    rng = np.random.default_rng(3)
    x, z = rng.normal(size=(1_000, 1)), rng.normal(size=(1_000, 1))
    model = small_model("mine_biased")
    callbacks = keras_mine.default_callbacks(
        patience=6, lr_patience=2, min_delta=0.01, lr_min_delta=0.01
    )
    assert [cb.mode for cb in callbacks] == ["max", "max", "max"]
    history = model.fit(
        x, z, batch_size=100, epochs=200, validation_split=0.2, verbose=0, callbacks=callbacks
    )
    epochs = len(history.history["val_mi"])
    assert epochs < 30
    rates = history.history["learning_rate"]
    assert rates[-1] < rates[0]
    early_stopping = callbacks[0]
    assert early_stopping.stopped_epoch == epochs - 1 > 0  # the callback ended the run
    assert early_stopping.wait >= 6


def test_default_callbacks_modes_and_arguments():
    modes = [cb.mode for cb in keras_mine.default_callbacks(monitor="val_loss")]
    assert modes == ["min", "min", "min"]
    with pytest.raises(ValueError, match="mode"):
        keras_mine.default_callbacks(monitor="val_accuracy")
    with pytest.raises(ValueError, match="lr_factor"):
        keras_mine.default_callbacks(lr_factor=1.5)
    with pytest.raises(ValueError, match="lr_min_delta"):
        keras_mine.default_callbacks(lr_min_delta=-1.0)
    early, plateau, best = keras_mine.default_callbacks(
        patience=4, min_delta=0.01, lr_patience=2, lr_factor=0.3
    )
    assert (early.patience, early.min_delta, early.restore_best_weights) == (4, 0.01, False)
    assert (plateau.patience, plateau.factor) == (2, 0.3)
    # The rate watches its own, finer threshold, not the early-stopping one.
    assert plateau.min_delta == keras_mine.models.callbacks.LR_MIN_DELTA < early.min_delta
    assert isinstance(best, keras_mine.models.callbacks.BestWeights)
    assert len(keras_mine.default_callbacks(restore_best_weights=False)) == 2


@pytest.mark.parametrize("loss", list(keras_mine.MINE_LOSSES))
def test_save_load_round_trip(tmp_path, data, loss):
    x, z, x_test, z_test = data
    own = {"mine": dict(alpha=0.05), "smile": dict(tau=4.0),
           "remine": dict(reg_weight=0.3, log_partition_target=0.2)}  # fmt: skip
    model = small_model(loss, **own.get(loss, {}), activation="elu")
    model.fit(x, z, batch_size=200, epochs=2, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, keras_mine.MINE)
    # As JSON: a saved critic's build shapes come back as lists, not tuples.
    as_json = lambda config: json.dumps(config, sort_keys=True)  # noqa: E731
    assert as_json(loaded.get_config()) == as_json(model.get_config())
    assert loaded.estimate(x_test, z_test) == pytest.approx(
        model.estimate(x_test, z_test), abs=1e-6
    )
    for a, b in zip(model.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # The loaded model keeps training (optimizer and moving average restored).
    loaded.fit(x, z, batch_size=200, epochs=1, verbose=0)


def test_custom_critic_round_trip(tmp_path, data):
    x, z, x_test, z_test = data
    critic = keras_mine.MLPCritic(hidden_dim=8, num_hidden_layers=1, activation="tanh", seed=1)
    model = keras_mine.MINE(loss="mine_biased", critic=critic)
    model.compile(optimizer="adam")
    model.fit(x, z, batch_size=500, epochs=1, verbose=0)
    model.save(tmp_path / "c.keras")
    loaded = keras.models.load_model(tmp_path / "c.keras")
    assert loaded.critic.get_config() == critic.get_config()
    expected = model.estimate(x_test, z_test)
    assert loaded.estimate(x_test, z_test) == pytest.approx(expected, abs=1e-6)


def test_same_seed_same_estimate_and_other_seed_differs(data):
    x, z, x_test, z_test = data

    def run(seed):
        model = small_model("mine", seed=seed)
        model.fit(x, z, batch_size=200, epochs=3, validation_split=0.2, verbose=0)
        return model.estimate(x_test, z_test)

    first = run(0)
    assert run(0) == first
    assert run(1) != first


def test_inputs_of_every_kind_and_left_unmodified(data):
    x, z, x_test, z_test = data
    x_copy, z_copy = x.copy(), z.copy()
    model = small_model("mine_biased")
    model.fit(x, z[:, 0], batch_size=500, epochs=1, validation_data=(x_test, z_test), verbose=0)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(z, z_copy)
    reference = model.estimate(x_test, z_test)
    assert model.estimate(x_test[:, 0], pd.Series(z_test[:, 0])) == pytest.approx(reference)
    assert model.estimate(pd.DataFrame(x_test), tf.constant(z_test)) == pytest.approx(reference)
    dataset = make_dataset(x_test, z_test, batch_size=300, shuffle=False)
    assert model.estimate(dataset) == pytest.approx(reference, abs=1e-6)
    model.fit(make_dataset(x, z, batch_size=250, seed=0), epochs=1, verbose=0)


def test_different_widths():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 3))
    z = np.column_stack([x[:, 0] + rng.normal(size=600), rng.normal(size=(600, 4))])
    model = small_model("mine_biased")
    model.fit(x, z, batch_size=200, epochs=2, verbose=0)
    assert np.isfinite(model.estimate(x, z))
    with pytest.raises(ValueError, match="built for x with 3 and z with 5"):
        model.estimate(x[:, :2], z)


@pytest.mark.parametrize(
    ("x", "z", "error", "pattern"),
    [
        (None, np.zeros(10), TypeError, "`x` is None"),
        (np.zeros(10), None, TypeError, "`z` is None"),
        (np.r_[np.zeros(9), np.nan], np.zeros(10), ValueError, "`x` contains 1 NaN"),
        (np.zeros(10), np.r_[np.zeros(9), np.inf], ValueError, "`z` contains 0 NaN and 1 inf"),
        (np.zeros(10), np.zeros(9), ValueError, "10 samples but `z` has 9"),
        (np.zeros(1), np.zeros(1), ValueError, "at least 2"),
        (np.array(["a"] * 10), np.zeros(10), TypeError, "numeric"),
        (np.zeros((10, 2, 2, 2, 1)), np.zeros(10), ValueError, "No default encoder"),
    ],
)
def test_bad_input_raises_in_fit_and_estimate(x, z, error, pattern):
    model = small_model("mine_biased")
    with pytest.raises(error, match=pattern):
        model.fit(x, z, epochs=1, verbose=0)
    with pytest.raises(error, match=pattern):
        model.estimate(x, z)


def test_bad_arguments():
    with pytest.raises(ValueError, match="Valid losses: mine_biased, mine, remine, nwj, smile, js"):
        keras_mine.MINE(loss="nce")
    with pytest.raises(ValueError, match="tau"):
        keras_mine.MINE(loss="smile", tau=0.0)
    with pytest.raises(ValueError, match="alpha"):
        keras_mine.MINE(alpha=0.0)
    with pytest.raises(ValueError, match="reg_weight"):
        keras_mine.MINE(loss="remine", reg_weight=-1)
    with pytest.raises(ValueError, match="hidden_dim"):
        keras_mine.MINE(hidden_dim=0)
    with pytest.raises(ValueError, match="activation"):
        keras_mine.MINE(activation="wobble")
    with pytest.raises(TypeError, match="critic"):
        keras_mine.MINE(critic="mlp")
    with pytest.raises(ValueError, match="num_shuffles"):
        small_model().estimate(np.zeros(5), np.zeros(5), num_shuffles=0)
    with pytest.raises(ValueError, match="validation_split"):
        small_model().fit(np.zeros(4), np.ones(4), validation_split=0.75, verbose=0)
    with pytest.raises(ValueError, match="needs both variables"):
        small_model().fit(make_dataset(np.zeros(4), np.ones(4)).map(lambda a, b: a), verbose=0)


def test_smile_reads_out_with_its_clipped_partition_term():
    rng = np.random.default_rng(0)
    t_joint, t_marginal = rng.normal(size=100) * 3, rng.normal(size=300) * 3
    smile_model = keras_mine.MINE(loss="smile", tau=0.5)
    expected = float(keras_mine.core.bounds.smile(t_joint, t_marginal, tau=0.5))
    assert smile_model._readout(t_joint, t_marginal) == pytest.approx(expected)
    dv = float(keras_mine.core.bounds.donsker_varadhan(t_joint, t_marginal))
    assert keras_mine.MINE(loss="js")._readout(t_joint, t_marginal) == pytest.approx(dv)
    assert abs(expected - dv) > 0.1  # the clipping matters at these scores


FLOAT64 = dict(hidden_dim=4, dtype="float64", seed=0)


@pytest.mark.parametrize(
    "make",
    [lambda: keras_mine.MINE(loss="mine_biased", **FLOAT64), lambda: keras_mine.InfoNCE(**FLOAT64)],
)
def test_dtype_reaches_every_layer_and_survives_save(tmp_path, data, make):
    # Before: the critic and transforms stayed float32, and the file reloaded as float32.
    x, z, x_test, z_test = data
    model = make()
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(x, z, batch_size=200, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    for m in (model, loaded):
        assert m.dtype_policy.name == "float64"
        assert {w.dtype for w in m.critic.weights} == {"float64"}
    expected = model.estimate(x_test, z_test)
    assert loaded.estimate(x_test, z_test) == pytest.approx(expected, abs=1e-9)


def test_a_mixed_precision_fit_trains_as_float32_does():
    # Before: the loss was never scaled, so the LossScaleOptimizer that compile
    # puts around the optimizer divided unscaled gradients by 2**15 (plain SGD
    # then barely moves), and the input transforms' float64 knots were read
    # as float16. Measured: per-epoch MI within 0.002 of float32.
    x, z = bivariate_gaussian(0.9).sample(2_000, seed=0)
    histories = {}
    for dtype in ("float32", "mixed_float16"):
        model = keras_mine.MINE(loss="mine_biased", dtype=dtype, seed=0, hidden_dim=32)
        model.compile(optimizer=keras.optimizers.SGD(0.05))
        histories[dtype] = model.fit(x, z, batch_size=200, epochs=15, verbose=0).history["mi"]
    assert type(model.optimizer).__name__ == "LossScaleOptimizer"
    assert histories["float32"][-1] > 0.5  # it learns
    np.testing.assert_allclose(histories["mixed_float16"], histories["float32"], atol=0.02)
