"""Adam with one learning rate per stacked critic.

`CriticStack` trains k critics as one set of stacked variables (leading axis
k), and each critic needs its own rate: ReduceLROnPlateau's rule lowers it
per critic, and 0 freezes a critic that has stopped. Keras' Adam has one
rate for all, so the stack once applied it and then rescaled each critic's
step, copying every weight each step. `StackedAdam` applies Keras' Adam
update (`keras.optimizers.Adam`, the same moments, bias correction and
epsilon) with the rate broadcast over the leading axis: no copies.
"""

from __future__ import annotations

import tensorflow as tf


def adam_step(variable, m, v, gradient, alpha, beta_1: float, beta_2: float,
              epsilon: float) -> None:  # fmt: skip
    """One Adam update in place, as Keras 3 writes it.

    ``alpha`` is the bias-corrected rate, ``lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``,
    broadcastable to ``variable`` (here (k, 1, 1): one rate per critic).
    """
    m.assign_add((gradient - m) * (1.0 - beta_1))
    v.assign_add((tf.square(gradient) - v) * (1.0 - beta_2))
    variable.assign_sub(m * alpha / (tf.sqrt(v) + epsilon))


class StackedAdam:
    """Adam over stacked variables (k, ...), critic i at rate ``learning_rate * rates[i]``.

    Parameters
    ----------
    variables : list of tf.Variable
        The stack's trainable variables, each with the critics on axis 0.
    learning_rate : float
        The base rate; `rates` (k,) scales it per critic (0: frozen; its
        moments still follow its gradients, as they did under Keras' Adam).
    beta_1, beta_2, epsilon : float
        Keras' Adam defaults.
    owners : list of int, optional
        The critic of each variable, when variables are not stacked (the
        Keras critics of `keras_mine.engine.encoded.KerasCritics`): then
        variable j steps at rate ``rates[owners[j]]``.
    k : int, optional
        Number of critics (default the leading axis of the first variable).
    """

    def __init__(self, variables, learning_rate: float, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, owners: list | None = None,
                 k: int | None = None) -> None:  # fmt: skip
        self.variables = list(variables)
        self.learning_rate = float(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.owners = owners
        k = int(self.variables[0].shape[0]) if k is None else k
        self.rates = tf.Variable(tf.ones(k), trainable=False)
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False)
        self.moments = [(tf.Variable(tf.zeros_like(v), trainable=False),
                         tf.Variable(tf.zeros_like(v), trainable=False))
                        for v in self.variables]  # fmt: skip

    def reset(self) -> None:
        """Zero moments and step count, every rate back to 1."""
        self.iterations.assign(0)
        self.rates.assign(tf.ones_like(self.rates))
        for m, v in self.moments:
            m.assign(tf.zeros_like(m))
            v.assign(tf.zeros_like(v))

    def apply(self, gradients) -> None:
        """One step on every critic (inside the stack's graph)."""
        step = tf.cast(self.iterations + 1, tf.float32)
        correction = tf.sqrt(1.0 - tf.pow(self.beta_2, step)) / (1.0 - tf.pow(self.beta_1, step))
        rates = self.learning_rate * correction * self.rates
        for j, (variable, (m, v), gradient) in enumerate(zip(self.variables, self.moments,
                                                             gradients, strict=True)):  # fmt: skip
            if self.owners is not None:  # one critic's variable
                alpha = rates[self.owners[j]]
            else:
                alpha = tf.reshape(rates, [-1] + [1] * (len(variable.shape) - 1))
            adam_step(variable, m, v, gradient, alpha, self.beta_1, self.beta_2, self.epsilon)
        self.iterations.assign_add(1)
