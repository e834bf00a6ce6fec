"""One epoch per compiled call: the graph loops the keras_mine models train with.

Keras' `fit` returns to Python after every minibatch, a few milliseconds
each, which is most of the time of a small critic's step (see
docs/benchmarks.md). A keras_mine model runs a whole epoch in one call of a
compiled `train_epoch_step(data)`: `minibatch_loop` over a shuffled order of
the rows, then `block_loop` over the validation rows, both graph loops on
the dynamic row count (so one trace serves any number of rows).
`EpochFunctionMixin` gives a model the compiled, cached function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import tensorflow as tf

from keras_mine.core.data import VALIDATION_BLOCK
from keras_mine.core.validation import check_int

__all__ = ["minibatch_loop", "block_loop", "epoch_order", "EpochFunctionMixin"]


def epoch_order(n, shuffle, seed_generator: keras.random.SeedGenerator) -> tf.Tensor:
    """The rows 0..n-1, shuffled from `seed_generator` when the boolean tensor `shuffle` is true."""
    rows = tf.range(n)
    return tf.cond(
        tf.convert_to_tensor(shuffle),
        lambda: keras.random.shuffle(rows, seed=seed_generator),
        lambda: rows,
    )


def minibatch_loop(step: Callable[[Any], None], data, batch_size, order) -> None:
    """``step(batch)`` on each minibatch of `data`'s rows, taken in `order`, in a graph loop.

    Parameters
    ----------
    step : callable
        Called with the rows of every tensor of the structure `data`.
    data : tensor or nested structure of tensors
        Rows along the first axis.
    batch_size : int or scalar int tensor
        Rows per minibatch; the last one takes the rest.
    order : int tensor, shape (n,)
        A permutation of the rows.
    """
    steps = (tf.shape(order)[0] + batch_size - 1) // batch_size

    def body(i):
        rows = order[i * batch_size : (i + 1) * batch_size]
        step(tf.nest.map_structure(lambda a: tf.gather(a, rows), data))
        return (i + 1,)

    # An explicit while_loop: Keras traces train_step without autograph.
    tf.while_loop(lambda i: i < steps, body, (tf.constant(0),))


def block_loop(step: Callable[[Any], None], data, block) -> None:
    """``step(rows)`` on consecutive blocks of at most `block` rows of `data`, in a graph loop."""
    n = tf.shape(tf.nest.flatten(data)[0])[0]

    def body(start):
        step(tf.nest.map_structure(lambda a: a[start : start + block], data))
        return (start + block,)

    tf.while_loop(lambda start: start < n, body, (tf.constant(0),))


class EpochFunctionMixin:
    """The epoch step of `keras_mine.models.CriticModel`, and its compiled function.

    `train_epoch_step` runs `_train_batch` on every minibatch and
    `_test_batch` on blocks of the validation rows, in one graph call;
    `make_train_epoch_function` compiles and caches it.
    """

    def make_train_epoch_function(self, force: bool = False):
        """The compiled `train_epoch_step` (cf. Keras' `make_train_function`).

        Made once, and again after `compile` changes the optimizer,
        `run_eagerly` or `jit_compile` (a traced step keeps the optimizer it
        was traced with). ``reduce_retracing``: a second number of rows gets
        one trace for any number of rows.

        Args:
            force: Trace a new function even if one exists.
        """
        key = (self.optimizer, self.run_eagerly, self.jit_compile)
        function = getattr(self, "_train_epoch_function", None)
        if function is None or force or key != getattr(self, "_train_epoch_key", None):
            function = self.train_epoch_step
            if not self.run_eagerly:
                function = tf.function(function, reduce_retracing=True,
                                       jit_compile=self.jit_compile)  # fmt: skip
            self._train_epoch_function, self._train_epoch_key = function, key
        return function

    def train_epoch(self, x, target, batch_size, order=None) -> None:
        """One epoch in the graph: a `_train_batch` per minibatch of rows `order`.

        `order` is a permutation of the rows (default: a fresh shuffle from
        the model's seed generator); minibatches take `batch_size` of its
        entries in turn, the last one the rest. Called inside a compiled
        function, the whole epoch runs without returning to Python.
        """
        if order is None:
            order = epoch_order(tf.shape(x)[0], True, self.shuffle_seed_generator)
        minibatch_loop(lambda batch: self._train_batch(*batch), (x, target), batch_size, order)

    def epoch_inputs(
        self, x, target, *, batch_size: int, validation: tuple | None = None,
        shuffle: bool = True,
    ) -> dict:  # fmt: skip
        """The input of `train_epoch_step` for checked raw arrays; builds the model.

        Args:
            x, target: Training rows (z, or (y, z) for a conditional model).
            batch_size: Rows per minibatch (at most the number of rows).
            validation: Optional ``(x_val, target_val)``, read out after the epoch.
            shuffle: Whether each epoch visits the rows in a fresh random order.

        Returns:
            A dict of tensors to pass to `train_epoch_step` (or to the
            function `make_train_epoch_function` returns), once per epoch.
        """
        self._build_for(x, target)
        data = {"x": x, "target": target, "batch_size": min(check_int(batch_size, "batch_size"),
                len(x)), "shuffle": bool(shuffle)}  # fmt: skip
        if validation is not None:
            data.update(x_val=validation[0], target_val=validation[1])
        return tf.nest.map_structure(tf.convert_to_tensor, data)

    def train_epoch_step(self, data: dict) -> dict:
        """A whole epoch as one step: the minibatch loop, then validation, in the graph.

        This is what `fit` runs once per epoch on array inputs.

        Args:
            data: A dict from `epoch_inputs`: ``x``, ``target``, ``batch_size``,
                ``shuffle`` and optionally ``x_val``, ``target_val``.

        Returns:
            The epoch's logs: the training metrics, and ``val_``-prefixed
            metrics on the validation rows when given.
        """
        x, target = self._unpack((data["x"], data["target"]))
        for metric in self.metrics:
            metric.reset_state()
        order = epoch_order(tf.shape(x)[0], data["shuffle"], self.shuffle_seed_generator)
        self.train_epoch(x, target, data["batch_size"], order)
        logs = {metric.name: metric.result() for metric in self.metrics}
        if "x_val" in data:
            for metric in self.metrics:
                metric.reset_state()
            self._validate(*self._unpack((data["x_val"], data["target_val"])))
            logs.update({f"val_{m.name}": m.result() for m in self.metrics})
        return logs

    def _validate(self, x_val, target_val) -> None:
        """`_test_batch` on blocks of `VALIDATION_BLOCK` rows, in a graph loop."""
        block_loop(lambda block: self._test_batch(*block), (x_val, target_val), VALIDATION_BLOCK)
