"""Training with one compiled graph per epoch: no Python work per step.

Keras' `fit` calls back into Python between steps (or between groups of
`steps_per_execution` steps) and pulls every batch through a `tf.data`
iterator. The critics of MI estimators are small, so that per-step overhead
dominates their training time. `fit_in_graph` keeps the data as tensors on
the device and runs a whole epoch, every minibatch step and the validation
pass, inside one `tf.function`; Python acts only at epoch ends, where the
usual Keras callbacks (EarlyStopping, ReduceLROnPlateau, progress bars)
make their decisions exactly as in `fit`.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from keras_mine.validation import check_int

__all__ = ["fit_in_graph", "make_epoch_function"]

VALIDATION_BLOCK = 4096  # validation rows per test_step (memory only)


def _gather(structure, rows):
    return tf.nest.map_structure(lambda a: tf.gather(a, rows), structure)


def _results(model: keras.Model, prefix: str = "") -> dict:
    return {prefix + metric.name: metric.result() for metric in model.metrics}


def make_epoch_function(model: keras.Model, n_train: int, n_val: int, batch_size: int):
    """A compiled function running one epoch of `model`'s train and test steps.

    ``epoch(x, target, x_val, target_val, seed) -> logs``: the training rows
    are shuffled by a stateless permutation of `seed` (shape (2,), int32),
    cut into ceil(n_train / batch_size) minibatches, each passed to
    ``model.train_step``; then ``model.test_step`` runs on the validation
    rows in blocks. Metrics are reset before each pass, so `logs` holds the
    epoch's training metrics and the ``val_`` metrics, as `fit` reports them.
    """
    steps = -(-n_train // batch_size)

    @tf.function
    def epoch(x, target, x_val, target_val, seed):
        for metric in model.metrics:
            metric.reset_state()
        order = tf.random.experimental.stateless_shuffle(tf.range(n_train), seed)
        for step in tf.range(steps):
            rows = order[step * batch_size : (step + 1) * batch_size]
            model.train_step((tf.gather(x, rows), _gather(target, rows)))
        logs = _results(model)
        for metric in model.metrics:
            metric.reset_state()
        for start in range(0, n_val, VALIDATION_BLOCK):  # a few blocks, unrolled
            block = tf.range(start, min(start + VALIDATION_BLOCK, n_val))
            model.test_step((tf.gather(x_val, block), _gather(target_val, block)))
        logs.update(_results(model, "val_"))
        return logs

    return epoch


def fit_in_graph(
    model: keras.Model,
    x: np.ndarray,
    target,
    x_val: np.ndarray,
    target_val,
    *,
    batch_size: int,
    epochs: int,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    seed: int | None = None,
) -> pd.DataFrame:
    """Train a compiled keras_mine model, one graph call per epoch.

    Parameters
    ----------
    model : CriticModel
        A compiled model (``model.compile(optimizer=...)``).
    x, target : arrays
        Checked training samples; `target` is z, or a tuple (y, z).
    x_val, target_val : arrays
        Checked validation samples.
    batch_size : int
        Pairs per training step (the last step of an epoch takes the rest).
    epochs : int
        Maximum number of epochs.
    callbacks : sequence of keras.callbacks.Callback
        Called at train and epoch begin/end, with the logs `fit` would give
        them (``loss``, ``mi``, ``val_loss``, ``val_mi``, ...): early
        stopping, learning-rate schedules on plateaus and progress bars work
        unchanged. Batch-level hooks are not called.
    seed : int or None
        Seed of the order of training batches (epoch e uses ``[seed, e]``).

    Returns
    -------
    pandas.DataFrame
        One row per epoch run: ``epoch``, the logs, and the ``learning_rate``
        the epoch trained with.
    """
    batch_size = check_int(batch_size, "batch_size", 1)
    epochs = check_int(epochs, "epochs", 1)
    if getattr(model, "optimizer", None) is None:
        raise ValueError("Compile the model first: model.compile(optimizer=...).")
    as_tensor = lambda values: tf.nest.map_structure(tf.convert_to_tensor, values)  # noqa: E731
    x, target, x_val, target_val = map(as_tensor, (x, target, x_val, target_val))
    if not model.built:
        model.build(tuple(a.shape for a in model._call_inputs(x, target)))
    model.optimizer.build(model.trainable_variables)
    epoch_function = make_epoch_function(
        model, int(x.shape[0]), int(x_val.shape[0]), min(batch_size, int(x.shape[0]))
    )
    if seed is None:
        seed = int(np.random.default_rng().integers(2**31 - 1))
    callback_list = keras.callbacks.CallbackList(list(callbacks), model=model, epochs=epochs)
    model.stop_training = False
    callback_list.on_train_begin()
    rows = []
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        logs = epoch_function(x, target, x_val, target_val, tf.constant([seed, epoch], tf.int32))
        logs = {name: float(value) for name, value in logs.items()}
        logs["learning_rate"] = float(np.asarray(model.optimizer.learning_rate))
        callback_list.on_epoch_end(epoch, logs)
        rows.append({"epoch": epoch, **logs})
        if model.stop_training:
            break
    callback_list.on_train_end()
    return pd.DataFrame(rows)
