"""Every registered class survives get_config/from_config, JSON, and (models) a `.keras` file.

Written once and parametrized over all of them, as Keras'
`run_class_serialization_test` is: each case builds an object with
non-default settings and state, and a function of it (scores, outputs, a
metric's result) that must come back unchanged.
"""

import json

import keras
import numpy as np
import pytest

import keras_mine
from keras_mine.core.critics import (
    MLPCritic,
    SeparableCritic,
    StackedMLPCritic,
    StackedSeparableCritic,
)
from keras_mine.core.metrics import DonskerVaradhanMetric
from keras_mine.core.preprocessing import MarginalTransform


@keras.saving.register_keras_serializable(package="keras_mine_tests")
def scaled_tanh(x):
    """A custom activation: serialized by name, as Keras does for registered callables."""
    return 2.0 * keras.ops.tanh(x)


RNG = np.random.default_rng(0)
X = RNG.normal(size=(256, 2))
Z = X[:, :1] + 0.5 * RNG.normal(size=(256, 1))
S = RNG.normal(size=(256, 1))


def _fitted(model, x=X, z=Z):
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    model.fit(x, z, batch_size=64, epochs=2, verbose=0)
    return model


def _mlp_critic():
    critic = MLPCritic(hidden_dim=8, num_hidden_layers=1, activation=scaled_tanh, seed=3)
    return critic, lambda c: c(X, Z)


def _separable_critic():
    critic = SeparableCritic(embed_dim=4, hidden_dim=8, num_hidden_layers=1, activation="elu",
                             seed=3)  # fmt: skip
    return critic, lambda c: c(X, Z)


def _stacked_critic():
    critic = StackedMLPCritic(2, hidden_dim=8, num_hidden_layers=1, activation=scaled_tanh, seed=3)
    x, z = np.stack([X, X]), np.stack([Z, S])
    return critic, lambda c: c(x, z)


def _stacked_separable_critic():
    critic = StackedSeparableCritic(2, embed_dim=4, hidden_dim=8, num_hidden_layers=1, seed=3)
    x, z = np.stack([X, X]).astype("float32"), np.stack([Z, S]).astype("float32")
    return critic, lambda c: c.score_matrix(x, z)


def _stacked_density_critic():
    from keras_mine.core.densities import StackedDensityCritic

    critic = StackedDensityCritic(2, components=2, hidden_dim=8, num_hidden_layers=1, seed=3)
    x, z = np.stack([X, X]).astype("float32"), np.stack([Z, S]).astype("float32")
    critic(x, z)
    critic.start_gaussian(x, z)  # weights that are not the initial ones
    return critic, lambda c: c(x, z)


def _conv_encoder():
    encoder = keras_mine.ConvEncoder(filters=4, units=6, activation=scaled_tanh, seed=3)
    sequences = RNG.normal(size=(8, 100, 2)).astype("float32")  # 100 steps: halved to 50
    return encoder, lambda e: e(sequences)


def _transform():
    transform = MarginalTransform("normal_scores", num_knots=16, norm_feature=True)
    transform.adapt(X * 1e6)
    return transform, lambda t: t(X * 1e6)


def _metric():
    metric = DonskerVaradhanMetric(name="val_dv")
    metric.update_state(np.arange(4.0), np.zeros(4))
    return metric, lambda m: m.result()


def _mi_layer():
    layer = keras_mine.MutualInformation(loss="smile", tau=3.0, loss_weight=0.5, hidden_dim=8,
                                         num_hidden_layers=1, seed=3)  # fmt: skip
    layer(X, Z)
    return layer, lambda m: m.critic(X, Z)


def _mine():
    model = keras_mine.MINE(loss="remine", reg_weight=0.2, log_partition_target=0.1,
                            hidden_dim=8, activation=scaled_tanh, preprocessing="robust",
                            seed=3)  # fmt: skip
    return _fitted(model), lambda m: m.scores(X, Z)


def _classifier():
    model = keras_mine.ClassifierMI(readout="log_odds", hidden_dim=8, seed=3)
    return _fitted(model), lambda m: m.scores(X, Z)


def _conditional():
    model = keras_mine.ConditionalClassifierMI(hidden_dim=8, seed=3)
    return _fitted(model, X, (Z, S)), lambda m: m.scores(X, (Z, S))


def _infonce():
    model = keras_mine.InfoNCE(hidden_dim=8, seed=3)
    return _fitted(model), lambda m: m.estimate(X, Z)


def _regularized():
    inputs = keras.Input((2,))
    h = keras.layers.Dense(2, activation="tanh")(inputs)
    wrapped = keras.Model(inputs, [keras.layers.Dense(1)(h), h])
    model = keras_mine.MIRegularizedModel(
        wrapped, keras_mine.MutualInformation(loss="nwj", hidden_dim=8, seed=3), mi_weight=0.5,
        direction="maximize", critic_steps=2,
    )  # fmt: skip
    model.compile(optimizer="adam", loss="mse")
    model.fit((X, S), Z, batch_size=64, epochs=1, verbose=0)
    return model, lambda m: m.predict((X, S), verbose=0)


def _standard_normal_kl():
    from keras_mine.models.reference_kl import StandardNormalKL

    model = StandardNormalKL(hidden_dim=8, reference_multiple=2, seed=3)
    model.compile(optimizer="adam")
    u = np.c_[X, Z].astype("float32")
    model.fit(u, batch_size=64, epochs=1, verbose=0)
    return model, lambda m: m.kl(u)


CASES = {
    "MLPCritic": _mlp_critic,
    "SeparableCritic": _separable_critic,
    "StackedMLPCritic": _stacked_critic,
    "StackedSeparableCritic": _stacked_separable_critic,
    "StackedDensityCritic": _stacked_density_critic,
    "ConvEncoder": _conv_encoder,
    "MarginalTransform": _transform,
    "DonskerVaradhanMetric": _metric,
    "MutualInformation": _mi_layer,
    "MINE": _mine,
    "ClassifierMI": _classifier,
    "ConditionalClassifierMI": _conditional,
    "InfoNCE": _infonce,
    "MIRegularizedModel": _regularized,
    "StandardNormalKL": _standard_normal_kl,
}


def test_every_registered_class_has_a_case():
    # keras_mine imports its modules lazily; keras_mine.models.saving imports
    # each module that registers a class (what keras_mine.load_model relies on).
    import keras_mine.models.saving  # noqa: F401

    objects = keras.saving.get_custom_objects()
    registered = {key.split(">")[1] for key in objects if key.startswith("keras_mine>")}
    assert registered == set(CASES)


def _as_json(config: dict) -> str:
    return json.dumps(config, sort_keys=True)


@pytest.mark.parametrize("name", sorted(CASES))
def test_round_trip(name, tmp_path):
    original, output = CASES[name]()
    expected = np.asarray(output(original))
    # get_config is JSON, and from_config rebuilds the same config.
    config = json.loads(_as_json(original.get_config()))
    rebuilt = type(original).from_config(config)
    assert _as_json(rebuilt.get_config()) == _as_json(original.get_config())
    # Keras' registered serialization finds the class by its registered name.
    serialized = json.loads(_as_json(keras.saving.serialize_keras_object(original)))
    assert type(keras.saving.deserialize_keras_object(serialized)) is type(original)
    if isinstance(original, keras.Model):
        path = tmp_path / "model.keras"
        original.save(path)
        restored = keras.saving.load_model(path)
    elif isinstance(original, keras.metrics.Metric):
        restored = rebuilt
        for variable, value in zip(restored.variables, original.variables, strict=True):
            variable.assign(value)
    else:
        restored = rebuilt
        output(restored)  # builds it
        restored.set_weights(original.get_weights())
    assert type(restored) is type(original)
    np.testing.assert_allclose(np.asarray(output(restored)), expected, rtol=1e-6, atol=1e-7)


LOAD_IN_A_FRESH_PROCESS = """
import sys
{imports}
model = {load}(sys.argv[1])
print(type(model).__name__, float(model.estimate(*[__import__("numpy").ones((50, 2))] * 2)))
"""


@pytest.mark.parametrize("imports, load", [
    ("import keras\nimport keras_mine", "keras.saving.load_model"),  # Keras first: registered
    ("import keras_mine", "keras_mine.load_model"),  # without Keras: keras_mine's load_model
])  # fmt: skip
def test_a_saved_model_loads_in_a_fresh_process(imports, load, tmp_path):
    import subprocess
    import sys

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    model = keras_mine.MINE(seed=0, hidden_dim=8)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(x, x + rng.normal(size=x.shape), epochs=1, verbose=0)
    model.save(tmp_path / "mine.keras")
    script = LOAD_IN_A_FRESH_PROCESS.format(imports=imports, load=load)
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "mine.keras")],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    name, value = run.stdout.split()
    assert name == "MINE"
    assert float(value) == pytest.approx(model.estimate(np.ones((50, 2)), np.ones((50, 2))))
