"""`KerasCritics`: the engine's critics when a variable passes through an encoder.

`keras_mine.core.critics.StackedMLPCritic` stacks k MLPs as batched matmuls,
which needs every weight of every critic to have the same shape and every
layer to be a matmul. An encoder (a `keras_mine.ConvEncoder` for images and
sequences, or any Keras model the user gives) is neither, so with encoders
the stack holds k Keras critics, the very `MLPCritic` (or `SeparableCritic`)
the Keras models use, each with its own encoders, and calls them one by one
inside the same compiled epoch. Everything else of the engine is unchanged:
the loop, the schedule, the marginal samplers, the readouts, the named seed
streams. `keras_mine.engine.optimizer.StackedAdam` and the best-weight
copies read `owners` to know which critic each variable belongs to.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from keras_mine.core.critics import MLPCritic, SeparableCritic
from keras_mine.core.encoders import copy_encoder

__all__ = ["KerasCritics"]


class KerasCritics:
    """k Keras critics with encoders, called as one critic on stacked inputs (k, n, ...).

    Parameters
    ----------
    k : int
        Number of critics.
    shapes : (tuple, tuple)
        The shape of one (transformed) sample of x and of z.
    score_matrix : bool
        `SeparableCritic` (InfoNCE) rather than `MLPCritic`.
    critic : dict
        ``hidden_dim``, ``num_hidden_layers``, ``activation``.
    encoders : (layer or None, layer or None)
        The encoders the user gave; None: the critic's default for the shape.
        Each critic encodes with its own copy; every fold starts from the
        given encoder's weights (it is built on the first call if it was
        not), the MLP and default encoders from the fold's seed.

    Encoders run with ``training=False``: dropout is off and batch
    normalization uses its moving statistics.
    """

    extra_weights: tuple = ()

    def __init__(self, k: int, shapes: tuple[tuple, tuple], score_matrix: bool,
                 critic: dict[str, Any], encoders: tuple) -> None:  # fmt: skip
        self.k = k
        self.batch_shapes = tuple((None, *shape) for shape in shapes)
        self.critic_class = SeparableCritic if score_matrix else MLPCritic
        self.settings = dict(critic)
        self.given = tuple(encoders)
        for encoder, shape in zip(self.given, self.batch_shapes, strict=True):
            if encoder is not None and not encoder.built:
                encoder.build(shape)
        self.critics = [self.make(None) for _ in range(k)]
        self.trainable_variables = [v for c in self.critics for v in c.trainable_variables]
        #: The critic each trainable variable belongs to.
        self.owners = [i for i, c in enumerate(self.critics) for _ in c.trainable_variables]

    def make(self, seed: int | None):
        """A new critic, built, seeded by `seed`; given encoders at their given weights."""
        x_encoder, z_encoder = map(copy_encoder, self.given)
        critic = self.critic_class(seed=seed, x_encoder=x_encoder, z_encoder=z_encoder,
                                   **self.settings)  # fmt: skip
        critic.build(*self.batch_shapes)
        for given, own in zip(self.given, critic.encoders, strict=True):
            if given is not None:
                own.set_weights(given.get_weights())
        return critic

    def reset(self, init_seed: int | None) -> None:
        """Every critic at the weights `make(init_seed)` starts from."""
        weights = self.make(init_seed).get_weights()
        for critic in self.critics:
            critic.set_weights(weights)

    def weights(self, i: int) -> list:
        """Critic i's weights (``get_weights`` of its Keras critic)."""
        return self.critics[i].get_weights()

    def __call__(self, x, z):
        return tf.stack([c(x[i], z[i], training=False) for i, c in enumerate(self.critics)])

    def score_matrix(self, x, z):
        return tf.stack([c.score_matrix(x[i], z[i], training=False)
                         for i, c in enumerate(self.critics)])  # fmt: skip
