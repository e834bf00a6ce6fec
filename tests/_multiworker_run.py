"""One worker of a two-worker MultiWorkerMirroredStrategy run (or one plain run).

Started by tests/test_multiworker.py with TF_CONFIG naming both workers on
127.0.0.1; every worker runs this same program and trains the same model,
Keras splitting each global batch between them. Worker 0 prints one JSON
line of measurements. With --single it trains the same model without a
strategy, for comparison.
Usage: python tests/_multiworker_run.py [--single]
"""

import json
import os
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

SINGLE = "--single" in sys.argv
STRATEGY = None if SINGLE else tf.distribute.MultiWorkerMirroredStrategy()

import contextlib  # noqa: E402

import keras  # noqa: E402

import keras_mine  # noqa: E402
from keras_mine.tasks import bivariate_gaussian  # noqa: E402

TASK = bivariate_gaussian(0.8)


def main() -> None:
    start = time.perf_counter()
    x, z = TASK.sample(6_000, seed=0)  # the same rows on every worker
    x_test, z_test = TASK.sample(20_000, seed=100)
    with contextlib.nullcontext() if SINGLE else STRATEGY.scope():
        model = keras_mine.MINE(loss="mine_biased", hidden_dim=32, seed=0)
        model.compile(optimizer=keras.optimizers.Adam(2e-3))
    history = model.fit(x, z, batch_size=250, epochs=8, validation_split=0.25, verbose=0)
    with contextlib.nullcontext() if SINGLE else STRATEGY.scope():
        unseeded = keras_mine.MINE(loss="mine_biased", hidden_dim=4)
        unseeded.compile(optimizer=keras.optimizers.Adam(2e-3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        unseeded.fit(x[:1000], z[:1000], batch_size=250, epochs=1, verbose=0)
    task = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task", {"index": 0})
    if task["index"] == 0:
        print(json.dumps({
            "estimate": model.estimate(x_test, z_test),
            "val_mi": history.history["val_mi"][-1],
            "replicas": int(model.distribute_strategy.num_replicas_in_sync),
            "mi_true": TASK.mi_true,
            "seed_warning": any("same seed on every worker" in str(w.message) for w in caught),
            "seconds": time.perf_counter() - start,
        }))  # fmt: skip


if __name__ == "__main__":
    main()
