"""InfoNCE with a separable critic: the score matrix, the ln(batch) ceiling, the readout."""

import keras
import numpy as np
import pytest

import keras_mine
from keras_mine.tasks import bivariate_gaussian, get_task


def test_separable_critic_scores_pairs_and_all_pairs():
    rng = np.random.default_rng(0)
    x, z = rng.normal(size=(6, 2)).astype("float32"), rng.normal(size=(6, 3)).astype("float32")
    critic = keras_mine.SeparableCritic(embed_dim=4, hidden_dim=8, seed=0)
    pairs = np.asarray(critic(x, z))
    matrix = np.asarray(critic.score_matrix(x, z))
    assert pairs.shape == (6,) and matrix.shape == (6, 6)
    np.testing.assert_allclose(np.diag(matrix), pairs, rtol=1e-5)
    np.testing.assert_allclose(matrix[1, 4], pairs[0] * 0 + np.asarray(critic(x[1:2], z[4:5]))[0],
                               rtol=1e-5)  # fmt: skip
    again = keras_mine.SeparableCritic.from_config(critic.get_config())
    assert again.get_config() == critic.get_config()


def test_infonce_needs_a_critic_that_scores_all_pairs():
    assert isinstance(keras_mine.InfoNCE().critic, keras_mine.SeparableCritic)
    with pytest.raises(ValueError, match="score_matrix"):
        keras_mine.InfoNCE(critic=keras_mine.MLPCritic())
    with pytest.raises(ValueError, match="use keras_mine.InfoNCE"):
        keras_mine.MINE(loss="infonce")


def test_infonce_takes_no_readout_options_it_would_ignore():
    # Its readout is InfoNCE on score-matrix blocks: no shuffles, no shuffle seed.
    x, z = bivariate_gaussian(0.5).sample(300, seed=0)
    model = keras_mine.InfoNCE(seed=0)
    model.compile(optimizer="adam")
    model.fit(x, z, batch_size=100, epochs=1, verbose=0)
    # The base class's signature (it substitutes), but a value it would ignore is refused.
    with pytest.raises(ValueError, match="num_shuffles and seed do not apply"):
        model.estimate(x, z, num_shuffles=3)
    with pytest.raises(ValueError, match="num_shuffles and seed do not apply"):
        model.estimate(x, z, seed=1)
    assert model.estimate(x, z) == model.estimate(x, z, num_shuffles=5, seed=None)
    with pytest.raises(ValueError, match=r"\['num_shuffles'\] do not apply to method='infonce'"):
        keras_mine.estimate_mi(x, z, method="infonce", num_shuffles=3)
    with pytest.raises(ValueError, match=r"\['alpha'\] do not apply to loss='nwj'"):
        keras_mine.MINE(loss="nwj", alpha=0.1)


def _fit(task, n, batch, epochs, seed=0):
    x, z = task.sample(n, seed=seed + 1)
    model = keras_mine.InfoNCE(seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(x, z, batch_size=batch, epochs=epochs, validation_split=0.2, verbose=0,
                        callbacks=keras_mine.default_callbacks(patience=15))  # fmt: skip
    return model, history.history


def test_infonce_estimates_a_gaussian(tmp_path):
    # N = 10,000 (8,000 to train), read out on 10,000 fresh pairs: the
    # sampling error is about 0.02 nats; the tolerance is the accuracy
    # tests' 0.1. Measured: 0.816 against 0.830.
    task = bivariate_gaussian(0.9)
    model, _ = _fit(task, 10_000, 256, 60)
    x_test, z_test = task.sample(10_000, seed=9)
    estimate = model.estimate(x_test, z_test)
    assert estimate == pytest.approx(task.mi_true, abs=0.1)
    path = tmp_path / "nce.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.estimate(x_test, z_test) == pytest.approx(estimate, abs=1e-6)


def test_infonce_training_never_exceeds_ln_batch_on_the_staircase():
    # 20-D staircase with MI 6 nats > ln(64) = 4.16: the training bound is
    # capped at ln(64) every epoch, whatever the critic; the readout on
    # held-out blocks of up to 4,096 rows is capped at ln(block) instead,
    # and reads more than the training bound could (measured 4.5 vs 3.9).
    task = get_task("normal-staircase-20x20-mi6")
    model, history = _fit(task, 10_000, 64, 40)
    assert max(history["mi"]) <= np.log(64) + 1e-5
    assert max(history["mi"]) > 0.8 * np.log(64)  # it did learn, up to the ceiling
    x_test, z_test = task.sample(5_000, seed=9)
    estimate = model.estimate(x_test, z_test)
    assert max(history["mi"]) < estimate <= np.log(2_500) + 1e-5  # two blocks of 2,500
    assert estimate < task.mi_true
