"""CriticModel.fit on arrays: one graph call per epoch, Keras callbacks at epoch ends."""

import keras
import numpy as np
import pytest

from keras_mine import MINE, default_callbacks, make_dataset
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
    history = model.fit(x, z, batch_size=300, epochs=3, validation_data=(x_val, z_val), verbose=0)
    # 800 rows in batches of 300: 3 steps per epoch (the last takes 200 rows);
    # the moving average of loss="mine" counts training steps only.
    assert float(model.moving_average_updates) == 3 * 3
    assert {"loss", "mi", "val_loss", "val_mi"} <= set(history.history)
    assert len(history.history["val_mi"]) == 3
    assert history.history["mi"][-1] > history.history["mi"][0]  # it learns


def test_validation_is_the_exact_dv_of_the_validation_rows():
    x, z, x_val, z_val = _data()
    model = _model()
    history = model.fit(x, z, batch_size=100, epochs=2, validation_data=(x_val, z_val), verbose=0)
    # evaluate() on one batch of the same rows: the same fixed permutation.
    evaluation = model.evaluate(x_val, z_val, batch_size=4096, verbose=0, return_dict=True)
    assert evaluation["mi"] == pytest.approx(history.history["val_mi"][-1], abs=1e-5)


def test_validation_split_takes_the_last_rows_as_keras_does():
    x, z, x_val, z_val = _data()
    both = (np.concatenate([x, x_val]), np.concatenate([z, z_val]))
    split = _model(seed=3).fit(*both, batch_size=100, epochs=2, validation_split=0.2, verbose=0)
    given = _model(seed=3).fit(
        x, z, batch_size=100, epochs=2, validation_data=(x_val, z_val), verbose=0
    )
    np.testing.assert_allclose(split.history["val_mi"], given.history["val_mi"], rtol=1e-5)
    with pytest.raises(ValueError, match="validation_split=0.999 leaves fewer than 2"):
        _model().fit(x, z, validation_split=0.999, verbose=0)


def test_same_seed_same_history_other_seed_differs():
    runs = [
        _model(seed=s).fit(*_data()[:2], batch_size=128, epochs=3, verbose=0).history["mi"]
        for s in (1, 1, 2)
    ]
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-6)
    assert not np.allclose(runs[0], runs[2])


def test_callbacks_stop_early_reduce_the_rate_and_restore_the_best_weights():
    x, z, x_val, z_val = _data()
    model = _model(learning_rate=1e-2)
    callbacks = default_callbacks(
        patience=3, lr_patience=1, lr_factor=0.5, min_delta=1.0, lr_min_delta=1.0
    )
    # Thresholds of 1 nat: no epoch ever counts as progress.
    history = model.fit(x, z, batch_size=100, epochs=50, validation_data=(x_val, z_val),
                        callbacks=callbacks, verbose=0).history  # fmt: skip
    assert len(history["val_mi"]) == 4  # the first epoch, then 3 without improvement
    assert history["learning_rate"][0] == pytest.approx(1e-2)
    assert history["learning_rate"][-1] < 1e-2  # halved after flat epochs
    # The model is back at the weights of its best epoch, whatever min_delta.
    best = int(np.argmax(history["val_mi"]))
    assert best > 0  # it learned after the first epoch, by less than min_delta
    evaluation = model.evaluate(x_val, z_val, batch_size=4096, verbose=0, return_dict=True)
    assert evaluation["mi"] == pytest.approx(history["val_mi"][best], abs=1e-5)


class _ScriptedValMI(keras.callbacks.Callback):
    """Replaces each epoch's val_mi by a scripted value and records the weights."""

    def __init__(self, values):
        super().__init__()
        self.values, self.weights = values, []

    def on_epoch_end(self, epoch, logs=None):
        logs["val_mi"] = self.values[epoch]  # the callbacks after this one see it
        self.weights.append([w.copy() for w in self.model.get_weights()])


def test_fit_ends_on_the_best_epoch_when_it_is_not_the_last():
    # Issue 35: BestWeights never restoring passed both tests that claimed to check
    # it, because their validation MI rose every epoch (the best was the last).
    x, z, x_val, z_val = _data()
    script = _ScriptedValMI([0.1, 0.5, 0.3, 0.2, 0.25, 0.2])
    model = _model(learning_rate=1e-2)
    history = model.fit(x, z, batch_size=100, epochs=6, validation_data=(x_val, z_val),
                        verbose=0, callbacks=[script, *default_callbacks(patience=10)])
    assert len(history.history["val_mi"]) == 6  # trained to the end: epoch 1 was the best
    for restored, best in zip(model.get_weights(), script.weights[1], strict=True):
        np.testing.assert_array_equal(restored, best)
    assert not all(np.array_equal(a, b) for a, b in zip(model.get_weights(), script.weights[-1],
                                                        strict=True))  # fmt: skip


def test_a_dataset_trains_batch_by_batch():
    x, z, _, _ = _data()
    model = _model()
    model.fit(make_dataset(x, z, batch_size=200), epochs=2, verbose=0)
    assert float(model.moving_average_updates) == 2 * 4  # 4 batches of 200 per epoch


def test_steps_per_execution_does_not_merge_epochs():
    x, z, x_val, z_val = _data()
    model = MINE(loss="mine", hidden_dim=16, seed=0)
    model.compile(optimizer="adam", steps_per_execution=32)
    history = model.fit(x, z, batch_size=400, epochs=3, verbose=0)
    assert len(history.history["mi"]) == 3
    assert float(model.moving_average_updates) == 3 * 2  # 2 minibatches per epoch, 3 epochs
    assert model.steps_per_execution == 32  # restored for dataset input


def test_train_step_trains_one_batch_after_an_array_fit():
    # Before: fit left the model in "epoch mode", and train_on_batch sent an
    # (x, z) tuple to the epoch step, which indexed it as a dict.
    x, z, _, _ = _data()
    model = _model()
    model.fit(x, z, batch_size=400, epochs=1, verbose=0)
    assert float(model.moving_average_updates) == 2
    logs = model.train_on_batch(x[:100], z[:100], return_dict=True)
    assert float(model.moving_average_updates) == 3  # one batch, one step
    assert set(logs) == {"loss", "mi"}
    model.fit(x, z, batch_size=400, epochs=1, verbose=0)  # and epochs again
    assert float(model.moving_average_updates) == 5


def test_fit_restores_the_per_batch_step_when_training_fails():
    class Explode(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise RuntimeError("boom")

    x, z, _, _ = _data()
    model = _model()
    with pytest.raises(RuntimeError, match="boom"):
        model.fit(x, z, batch_size=400, epochs=2, callbacks=[Explode()], verbose=0)
    model.train_on_batch(x[:100], z[:100])
    assert float(model.moving_average_updates) == 2 + 1


def test_validation_data_overrides_validation_split_as_in_keras():
    # Before: validation_split silently replaced validation_data.
    x, z, x_val, z_val = _data()
    given = _model(seed=3).fit(x, z, batch_size=100, epochs=2, validation_data=(x_val, z_val),
                               verbose=0)  # fmt: skip
    both = _model(seed=3).fit(x, z, batch_size=100, epochs=2, validation_data=(x_val, z_val),
                              validation_split=0.5, verbose=0)  # fmt: skip
    np.testing.assert_allclose(both.history["val_mi"], given.history["val_mi"], rtol=1e-6)
    np.testing.assert_allclose(both.history["mi"], given.history["mi"], rtol=1e-6)


def test_fit_arguments_after_epochs_are_keyword_only():
    # Before: fit(x, z, 100, 2, 0) passed 0 on as Keras' `verbose` and then
    # again by keyword: "got multiple values for argument".
    x, z, _, _ = _data()
    with pytest.raises(TypeError, match="positional argument"):
        _model().fit(x, z, 100, 2, 0)


@pytest.mark.parametrize("name", ["sample_weight", "class_weight"])
def test_sample_and_class_weights_are_refused_with_what_to_do(name):
    x, z, _, _ = _data()
    weights = np.ones(len(x)) if name == "sample_weight" else {0: 1.0}
    with pytest.raises(ValueError, match=f"does not take `{name}`.*resample"):
        _model().fit(x, z, epochs=1, verbose=0, **{name: weights})


def test_predict_returns_the_critic_scores_of_pairs():
    # Before: predict(x) crashed inside the critic with an unpacking error.
    x, z, x_val, z_val = _data()
    model = _model()
    model.fit(x, z, batch_size=400, epochs=1, verbose=0)
    scores = model.predict((x_val, z_val), verbose=0)
    np.testing.assert_allclose(np.ravel(scores), model.scores(x_val, z_val), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"predict\(\(x, z\)\).*estimate\(\)"):
        model.predict(x_val, verbose=0)


def test_a_new_compile_trains_with_the_new_optimizer():
    x, z, _, _ = _data()
    model = _model()
    first = model.make_train_epoch_function()
    assert model.make_train_epoch_function() is first
    model.compile(optimizer=keras.optimizers.SGD(0.0))  # a rate of 0 changes nothing
    assert model.make_train_epoch_function() is not first
    model.fit(x, z, batch_size=400, epochs=1, verbose=0)  # builds the weights
    before = [w.numpy().copy() for w in model.critic.weights]
    model.fit(x, z, batch_size=400, epochs=1, verbose=0)
    for a, b in zip(before, model.critic.weights, strict=True):
        np.testing.assert_array_equal(a, b.numpy())


def test_a_model_fits_again_on_another_number_of_rows():
    # The epoch step's second trace is relaxed to any number of rows
    # (reduce_retracing); its validation loop read the static row count, None
    # there: "'NoneType' object cannot be interpreted as an integer".
    x, z, x_val, z_val = _data()
    model = _model()
    model.fit(x, z, batch_size=300, epochs=1, validation_data=(x_val, z_val), verbose=0)
    history = model.fit(x[:500], z[:500], batch_size=300, epochs=1,
                        validation_data=(x_val[:150], z_val[:150]), verbose=0)  # fmt: skip
    evaluation = model.evaluate(x_val[:150], z_val[:150], batch_size=4096, verbose=0,
                                return_dict=True)  # fmt: skip
    assert evaluation["mi"] == pytest.approx(history.history["val_mi"][-1], abs=1e-5)
