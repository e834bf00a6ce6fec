"""Where the engine's critics get their "marginal" rows: one sampler per estimator.

Every neural estimator of the engine trains a critic T to tell rows of P
(the joint) from rows of a reference Q and reads a divergence out of the
scores. They differ in Q, and only there, so Q is a part of the engine, not
an override of the training step:

- `Shuffle`: Q = p(x) p(z), x paired with the z of a random other row
  (MI: MINE, NWJ, SMILE, the classifier).
- `NearestNeighbour`: Q = p(x, z) p(y | z), the y of the row whose z is
  nearest (CCMI's conditional MI; the critic's second input is (y, z)).
- `Reference`: Q = N(0, I) draws, no second input (the neural entropy's
  KL to the Gaussian reference).

Each sampler gives Q's rows three times: in the training graph per batch
(``train``, from a stateless seed shared by all critics of a stack), for the
validation rows once per fold (``validation``) and for the held-out readout
(``readout``), both from numpy Generators. Arrays are stacked: (k, n, d).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from keras_mine.core.data import (
    batch_nearest_neighbor_swap,
    marginal_permutations,
    nearest_neighbor_indices,
)

__all__ = ["Shuffle", "NearestNeighbour", "Reference", "Marginal", "SHUFFLE"]


@dataclass(frozen=True)
class Shuffle:
    """Q = p(x) p(z): each critic's z rows in one random order (the same for all critics)."""

    def train(self, x, z, seed):
        order = tf.argsort(tf.random.stateless_uniform(tf.shape(z)[1:2], seed))
        return x, tf.gather(z, order, axis=1)

    def validation(self, x: np.ndarray, z: np.ndarray, rng: np.random.Generator):
        return x, z[:, rng.permutation(z.shape[1])]

    def readout(self, x: np.ndarray, z: np.ndarray, rng: np.random.Generator,
                num_shuffles: int) -> list:  # fmt: skip
        """`num_shuffles` marginal samples, each n rows (the DV average runs over all)."""
        return [(x, z[:, order]) for order in marginal_permutations(z.shape[1], num_shuffles, rng)]


@dataclass(frozen=True)
class NearestNeighbour:
    """Q = p(x, z) p(y | z): y of the row whose z is nearest (Euclidean, never itself).

    The second input of each critic is (y, z) side by side; `y_width` says
    where y ends (after the input transforms, which may widen a part). In
    training the neighbour is searched within the batch, so every epoch
    (new batches) pairs new neighbours; for validation and readout among all
    the rows given, which is closer. Searching once among all training rows
    instead read further below the truth on the conditional tasks (see
    docs/benchmarks.md, "CCMI's marginal").
    """

    y_width: int

    def _split(self, z):
        return z[..., : self.y_width], z[..., self.y_width :]

    def train(self, x, z, seed):
        y, c = self._split(z)
        return x, tf.concat([batch_nearest_neighbor_swap(y, c), c], axis=-1)

    def validation(self, x: np.ndarray, z: np.ndarray, rng: np.random.Generator):
        y, c = self._split(z)
        swapped = np.stack([y[i][nearest_neighbor_indices(c[i])] for i in range(len(z))])
        return x, np.concatenate([swapped, c], axis=-1)

    def readout(self, x: np.ndarray, z: np.ndarray, rng: np.random.Generator,
                num_shuffles: int) -> list:  # fmt: skip
        """One deterministic marginal sample (`num_shuffles` does not apply)."""
        return [self.validation(x, z, rng)]


@dataclass(frozen=True)
class Reference:
    """Q = N(0, I) in x's width, `multiple` draws per row; the second input is empty.

    For whitened rows (the neural entropy): KL(P || N(0, I)) is then what
    the Gaussian with the data's mean and covariance misses.
    """

    multiple: int = 4
    readout_draws: int = 100_000

    def train(self, x, z, seed):
        shape = tf.stack([tf.shape(x)[1] * self.multiple, tf.shape(x)[2]])
        draws = tf.random.stateless_normal(shape, seed, dtype=x.dtype)
        k = tf.shape(x)[0]
        draws = tf.broadcast_to(draws[None], tf.concat([[k], shape], axis=0))
        return draws, tf.zeros(tf.stack([k, shape[0], 0]), x.dtype)

    def _sample(self, rows: int, x: np.ndarray, rng: np.random.Generator):
        draws = rng.standard_normal((rows, x.shape[2])).astype(x.dtype)
        return (np.broadcast_to(draws, (x.shape[0], *draws.shape)),
                np.zeros((x.shape[0], rows, 0), x.dtype))  # fmt: skip

    def validation(self, x: np.ndarray, z: np.ndarray, rng: np.random.Generator):
        return self._sample(self.multiple * x.shape[1], x, rng)

    def readout(self, x: np.ndarray, z: np.ndarray, rng: np.random.Generator,
                num_shuffles: int) -> list:  # fmt: skip
        """`readout_draws` fresh draws (`num_shuffles` does not apply)."""
        return [self._sample(self.readout_draws, x, rng)]


Marginal = Shuffle | NearestNeighbour | Reference
#: The MI estimators' marginal (the default of the engine).
SHUFFLE = Shuffle()
