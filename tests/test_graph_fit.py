"""fit_in_graph: one compiled call per epoch, Keras callbacks at epoch ends."""

import keras
import numpy as np
import pytest

from keras_mine import MINE, default_callbacks
from keras_mine.graph_fit import fit_in_graph
from keras_mine.tasks import bivariate_gaussian


def _data(n=1_000, seed=0):
    x, z = bivariate_gaussian(0.8).sample(n, seed=seed)
    return x[:800], z[:800], x[800:], z[800:]


def _model(seed=0, learning_rate=1e-3):
    model = MINE(loss="mine", hidden_dim=16, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def test_every_minibatch_is_one_training_step_and_validation_trains_nothing():
    x, z, x_val, z_val = _data()
    model = _model()
    history = fit_in_graph(model, x, z, x_val, z_val, batch_size=300, epochs=3, seed=0)
    # 800 rows in batches of 300: 3 steps per epoch (the last takes 200 rows);
    # the moving average of loss="mine" counts training steps only.
    assert float(model.moving_average_updates) == 3 * 3
    assert list(history["epoch"]) == [0, 1, 2]
    assert {"loss", "mi", "val_loss", "val_mi", "learning_rate"} <= set(history)
    assert history["mi"].iloc[-1] > history["mi"].iloc[0]  # it learns


def test_same_seed_same_history():
    runs = [
        fit_in_graph(_model(seed=1), *_data(), batch_size=128, epochs=4, seed=5) for _ in range(2)
    ]
    np.testing.assert_allclose(runs[0]["val_mi"], runs[1]["val_mi"], rtol=1e-6)


def test_callbacks_stop_early_reduce_the_rate_and_restore_the_best_weights():
    x, z, x_val, z_val = _data()
    model = _model(learning_rate=1e-2)
    callbacks = default_callbacks(patience=3, lr_patience=1, lr_factor=0.5, min_delta=1.0)
    # min_delta = 1 nat: no epoch ever counts as an improvement.
    history = fit_in_graph(
        model, x, z, x_val, z_val, batch_size=100, epochs=50, callbacks=callbacks, seed=0
    )
    assert len(history) == 4  # the first epoch, then 3 without improvement
    assert history["learning_rate"].iloc[0] == pytest.approx(1e-2)
    assert history["learning_rate"].iloc[-1] < 1e-2  # halved after flat epochs
    # restore_best_weights: the model is back at the first epoch's weights.
    evaluation = model.evaluate(x_val, z_val, batch_size=4096, verbose=0, return_dict=True)
    assert evaluation["mi"] == pytest.approx(history["val_mi"].iloc[0], abs=1e-5)


def test_needs_a_compiled_model():
    with pytest.raises(ValueError, match="Compile the model first"):
        fit_in_graph(MINE(), *_data(), batch_size=100, epochs=1)
