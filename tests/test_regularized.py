"""MIRegularizedModel: the task model trained with I(representation; s) pushed down."""

import importlib.util
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_mine

_EXAMPLE = Path(__file__).parent.parent / "examples" / "remove_nuisance_information.py"


def _example():
    spec = importlib.util.spec_from_file_location("remove_nuisance_information", _EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plain_model(seed=0):
    inputs = keras.Input((3,))
    init = keras.initializers.GlorotUniform(seed)
    h = keras.layers.Dense(2, activation="tanh", kernel_initializer=init)(inputs)
    p = keras.layers.Dense(1, activation="sigmoid")(h)
    return keras.Model(inputs, [p, h])


def test_minimizing_mi_removes_the_sensitive_variable_and_keeps_the_task():
    # The worked example (examples/remove_nuisance_information.py), measured
    # on held-out rows with KSG, which the training critic cannot fool.
    # Seeds 0 and 1 measured: I(h; s) 0.158 / 0.150 without the term, 0.025 /
    # 0.052 with it; accuracy 0.978 / 0.972 without, 0.860 / 0.853 with.
    # Limits: the term must remove at least 60% of I(h; s), and the accuracy
    # must stay near the 0.804 of the best classifier that ignores s (0.78:
    # 4000 test rows give a standard error of 0.006), far above chance.
    example = _example()
    plain = example.train(0.0, seed=0)
    removed = example.train(3.0, seed=0)
    assert plain["accuracy"] > 0.95 and plain["ksg_mi_h_s"] > 0.1, plain
    assert removed["ksg_mi_h_s"] < 0.4 * plain["ksg_mi_h_s"], (plain, removed)
    assert removed["accuracy"] > 0.78, removed
    assert removed["critic_mi_h_s"] < plain["critic_mi_h_s"], (plain, removed)


def test_maximize_direction_raises_the_critic_estimate():
    # InfoMax through the same model: with direction="maximize" the
    # representation keeps more of s than the task alone asks for.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    s = x[:, 2]  # irrelevant to y
    results = {}
    for direction, weight in (("minimize", 0.0), ("maximize", 1.0)):
        keras.utils.set_random_seed(0)
        model = _plain_model()
        regularized = keras_mine.MIRegularizedModel(
            model, keras_mine.MutualInformation(loss="nwj", seed=0), mi_weight=weight,
            direction=direction, critic_optimizer=keras.optimizers.Adam(3e-3), critic_steps=2,
        )
        regularized.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy")
        regularized.fit((x, s), y, batch_size=256, epochs=15, verbose=0)
        h = model.predict(x, verbose=0)[1]
        results[direction] = keras_mine.estimate_mi(h, s, method="ksg").mi
    assert results["maximize"] > results["minimize"] + 0.5, results


def test_bad_arguments_say_what_to_do():
    model = _plain_model()
    with pytest.raises(ValueError, match="Valid directions"):
        keras_mine.MIRegularizedModel(model, direction="down")
    with pytest.raises(ValueError, match="loss_weight=0"):
        keras_mine.MIRegularizedModel(model, keras_mine.MutualInformation(loss_weight=1.0))
    with pytest.raises(ValueError, match="mi_weight"):
        keras_mine.MIRegularizedModel(model, mi_weight=-1.0)
    regularized = keras_mine.MIRegularizedModel(model)
    regularized.compile(optimizer="adam", loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"x=\(inputs, s\)"):
        regularized.fit(np.zeros((8, 3)), np.zeros(8), verbose=0)


def test_save_and_load_keeps_weights_and_settings(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(512, 3)).astype("float32")
    y, s = (x[:, 0] > 0).astype("float32"), x[:, 1]
    regularized = keras_mine.MIRegularizedModel(
        _plain_model(), keras_mine.MutualInformation(loss="js", hidden_dim=8, seed=0),
        mi_weight=0.5, critic_steps=3,
    )
    regularized.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = regularized.fit((x, s), y, batch_size=128, epochs=2, verbose=0).history
    assert {"loss", "mi", "accuracy"} <= set(history)
    path = tmp_path / "regularized.keras"
    regularized.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict((x, s), verbose=0),
                               regularized.predict((x, s), verbose=0), rtol=1e-6)  # fmt: skip
    assert (loaded.mi_weight, loaded.critic_steps, loaded.direction) == (0.5, 3, "minimize")
    critic_weights = [np.asarray(w) for w in regularized.mi_layer.weights]
    for mine, theirs in zip(critic_weights, loaded.mi_layer.weights, strict=True):
        np.testing.assert_array_equal(mine, np.asarray(theirs))
    # Both optimizers' states come back, and training goes on from them.
    for name in ("optimizer", "critic_optimizer"):
        saved, restored = getattr(regularized, name), getattr(loaded, name)
        assert int(restored.iterations) == int(saved.iterations) > 0
        for a, b in zip(saved.variables, restored.variables, strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    loaded.fit((x, s), y, batch_size=128, epochs=1, verbose=0)
    steps = int(loaded.critic_optimizer.iterations) - int(regularized.critic_optimizer.iterations)
    assert steps == 4 * 3  # 4 batches, 3 critic steps each
