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
    """`make_train_epoch_function` for a `keras.Model` that defines `train_epoch_step(data)`."""

    def make_train_epoch_function(self, force: bool = False):
        """The compiled `train_epoch_step` (cf. Keras' `make_train_function`).

        Made once, and again after `compile` changes the optimizer,
        `run_eagerly` or `jit_compile` (a traced step keeps the optimizer it
        was traced with). ``reduce_retracing``: a second number of rows gets
        one trace for any number of rows.

        Parameters
        ----------
        force : bool
            Trace a new function even if one exists.
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
