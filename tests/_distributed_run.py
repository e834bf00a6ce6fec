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


def main() -> None:
    runs = []
    # Both losses (the moving average is cross-replica state) and both input
    # paths (a dataset; arrays, which a strategy sends batch by batch).
    for loss, seed, arrays in (("mine_biased", 0, False), ("mine", 1, True)):
        for replicated in (False, True):
            runs.append(dict(loss=loss, seed=seed, replicated=replicated, arrays=arrays,
                             **train(loss, seed, replicated, arrays)))  # fmt: skip
    result = {"mi_true": TASK.mi_true, "metric": metric_check(), "runs": runs}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
