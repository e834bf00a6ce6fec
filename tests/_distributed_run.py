"""Runs in its own process (two logical CPUs must be set before TensorFlow starts).

Prints one JSON object of measurements for tests/test_distributed.py.
Usage: python tests/_distributed_run.py
"""

import contextlib
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

_cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(_cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_mine  # noqa: E402
from keras_mine.tasks import bivariate_gaussian  # noqa: E402

TASK = bivariate_gaussian(0.8)
# Under MirroredStrategy, Keras' steps_per_execution > 1 failed here (TF 2.21).
BATCH, EPOCHS, STEPS = 250, 8, 1
STRATEGY = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def metric_check() -> dict:
    """The DV metric fed per-replica slices equals the metric fed the whole batch."""
    rng = np.random.default_rng(0)
    joint = rng.normal(1.0, 1.0, size=(2, 3, 50)).astype("float32")  # (replica, batch, n)
    marginal = rng.normal(0.0, 2.0, size=(2, 3, 50)).astype("float32")
    with STRATEGY.scope():
        metric = keras_mine.DonskerVaradhanMetric()

    @tf.function
    def update(j, m):
        STRATEGY.run(metric.update_state, args=(j, m))

    for step in range(3):
        values = [
            STRATEGY.experimental_distribute_values_from_function(
                lambda context, a=a, s=step: tf.constant(a[context.replica_id_in_sync_group, s])
            )
            for a in (joint, marginal)
        ]
        update(*values)
    reference = keras_mine.DonskerVaradhanMetric()
    reference.update_state(joint.transpose(1, 0, 2).ravel(), marginal.transpose(1, 0, 2).ravel())
    return {"replicated": float(metric.result()), "single": float(reference.result())}


def train(loss: str, seed: int, replicated: bool, arrays: bool) -> dict:
    start = time.perf_counter()
    x, z = TASK.sample(8_000, seed=seed)
    x_test, z_test = TASK.sample(20_000, seed=100 + seed)
    with STRATEGY.scope() if replicated else contextlib.nullcontext():
        model = keras_mine.MINE(loss=loss, hidden_dim=32, seed=seed)
        model.compile(optimizer=keras.optimizers.Adam(2e-3), steps_per_execution=STEPS)
    if arrays:
        history = model.fit(x, z, batch_size=BATCH, epochs=EPOCHS, validation_split=0.25, verbose=0)
    else:
        train_data = keras_mine.make_dataset(x[:6_000], z[:6_000], batch_size=BATCH, seed=seed)
        val_data = keras_mine.make_dataset(x[6_000:], z[6_000:], batch_size=1_000, shuffle=False)
        history = model.fit(train_data, epochs=EPOCHS, validation_data=val_data, verbose=0)
    out = {
        "estimate": model.estimate(x_test, z_test),
        "val_mi": history.history["val_mi"][-1],
        "replicas": int(model.distribute_strategy.num_replicas_in_sync),
    }
    if loss == "mine":  # the moving average's copy on each device
        copies = STRATEGY.experimental_local_results(model.log_moving_average.value)
        out["moving_average"] = [float(np.asarray(c)) for c in copies]
    out["seconds"] = time.perf_counter() - start
    return out


def _regularized(seed: int) -> keras.Model:
    inputs = keras.Input((2,))
    init = keras.initializers.GlorotUniform(seed)
    h = keras.layers.Dense(4, activation="tanh", kernel_initializer=init)(inputs)
    wrapped = keras.Model(inputs, [keras.layers.Dense(1, kernel_initializer=init)(h), h])
    model = keras_mine.MIRegularizedModel(
        wrapped, keras_mine.MutualInformation(loss="nwj", hidden_dim=8, seed=seed), mi_weight=0.5
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


def regularized_check() -> dict:
    """One step of MIRegularizedModel on one global batch, on one device and on two.

    `s` is constant, so the critic's in-batch shuffles (which differ between
    the runs) change nothing: both runs must end with the same critic and
    model weights and log the same losses, the replicas' gradients averaged,
    not summed.
    """
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype("float32")
    s = np.full((64, 1), 0.5, dtype="float32")
    y = (x[:, :1] + 0.1 * rng.normal(size=(64, 1))).astype("float32")
    weights = {}
    for replicated in (False, True):
        with STRATEGY.scope() if replicated else contextlib.nullcontext():
            model = _regularized(seed=0)
        history = model.fit((x, s), y, batch_size=64, epochs=1, shuffle=False, verbose=0)
        weights[replicated] = {
            "model": [w.tolist() for w in model.model.get_weights()],
            "critic": [w.tolist() for w in model.mi_layer.get_weights()],
            "logs": {k: v[-1] for k, v in history.history.items()},
        }
    return {"single": weights[False], "replicated": weights[True]}


def layer_check() -> dict:
    """The MutualInformation layer trained by its own loss, on one device and on two."""
    x, z = TASK.sample(4_000, seed=3)
    out = {}
    for replicated in (False, True):
        with STRATEGY.scope() if replicated else contextlib.nullcontext():
            x_in, z_in = keras.Input((1,)), keras.Input((1,))
            layer = keras_mine.MutualInformation(loss="nwj", loss_weight=1.0, hidden_dim=32, seed=0)
            model = keras.Model([x_in, z_in], layer(x_in, z_in))
            model.compile(optimizer=keras.optimizers.Adam(3e-3))
        model.fit([x, z], None, batch_size=500, epochs=20, verbose=0)
        out[str(replicated)] = float(np.mean([float(layer(x, z)) for _ in range(5)]))
    return out


def main() -> None:
    runs = []
    # Both losses (the moving average is cross-replica state) and both input
    # paths (a dataset; arrays, which a strategy sends batch by batch).
    for loss, seed, arrays in (("mine_biased", 0, False), ("mine", 1, True)):
        for replicated in (False, True):
            runs.append(dict(loss=loss, seed=seed, replicated=replicated, arrays=arrays,
                             **train(loss, seed, replicated, arrays)))  # fmt: skip
    result = {"mi_true": TASK.mi_true, "metric": metric_check(), "runs": runs,
              "regularized": regularized_check(), "layer": layer_check()}  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
