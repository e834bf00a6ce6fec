"""InfoNCE: the contrastive bound on each batch's score matrix, as a Keras model."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_mine.core.bounds import info_nce_of_split, split_score_matrix
from keras_mine.core.critics import SeparableCritic
from keras_mine.core.data import NCE_READOUT_BLOCK
from keras_mine.models.base import CriticModel

__all__ = ["InfoNCE", "NCE_READOUT_BLOCK"]



@keras.saving.register_keras_serializable(package="keras_mine")
class InfoNCE(CriticModel):
    """InfoNCE (van den Oord et al. 2018) on the score matrix of every batch.

    For a batch of n pairs the critic scores every x against every z,
    ``scores[i, j] = T(x_i, z_j)``: the diagonal holds the joint pairs, the
    rest are product-of-marginals pairs, so no shuffle is needed. The bound
    ``mean_i [scores[i, i] - log mean_j exp scores[i, j]]`` is at most
    ln(n): the metrics ``mi``/``val_mi`` are that bound (at most
    ln(batch)), and `estimate` reads it out on held-out blocks of
    `NCE_READOUT_BLOCK` rows (at most 8.3 nats). An InfoNCE critic is fixed
    only up to a function of x, which InfoNCE ignores but a DV readout does
    not, so the readout is InfoNCE too.

    Args:
        critic: A layer with ``score_matrix(x, z) -> (n, n)``; default a
            `keras_mine.SeparableCritic` g(x)·h(z) built from the settings below.
        **kwargs: The critic and input settings of
            `keras_mine.models.base.CriticModel` (`hidden_dim`,
            `num_hidden_layers`, `activation`, `seed`, `preprocessing`,
            `norm_feature`, `x_encoder`, `z_encoder`: the encoders' embeddings
            meet in g(x)·h(z)) and Keras' `Model` arguments (`name`, `dtype`).

    Example (trained as `keras_mine.MINE` is; see its example for callbacks):
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> x, z = bivariate_gaussian(0.9).sample(3_000, seed=0)   # true MI 0.830 nats
    >>> model = InfoNCE(seed=0)
    >>> model.compile(optimizer=keras.optimizers.Adam(1e-3))
    >>> history = model.fit(x[:2000], z[:2000], batch_size=512, epochs=30, verbose=0)
    >>> estimate = model.estimate(x[2000:], z[2000:])   # held out; at most ln(1000) here
    >>> abs(estimate - 0.830) < 0.1
    True
    """

    fixed_readout_marginal = "it scores every pair of each held-out block"

    def __init__(self, critic: keras.layers.Layer | None = None, **kwargs: Any) -> None:
        if critic is not None and not callable(getattr(critic, "score_matrix", None)):
            raise ValueError(
                "InfoNCE scores every x of a batch against every z: pass a critic with a "
                "score_matrix(x, z) method, such as keras_mine.SeparableCritic (the "
                f"default). Received: {type(critic).__name__}."
            )
        super().__init__(critic=critic, **kwargs)
        self.mi_metric = keras.metrics.Mean(name="mi")  # the bound per row

    default_critic = SeparableCritic

    def compute_objective(self, t_joint, t_marginal, training: bool = False):
        """The InfoNCE bound of a batch's score matrix, given split (`split_score_matrix`)."""
        return info_nce_of_split(t_joint, t_marginal)

    def _batch_objective(self, x, target, seed, training: bool):
        del seed  # the score matrix holds every pair: nothing is shuffled
        t_joint, t_marginal = split_score_matrix(self.critic.score_matrix(x, target))
        return self.compute_objective(t_joint, t_marginal, training), t_joint, t_marginal

    def _update_metrics(self, loss, t_joint, t_marginal) -> dict:
        rows = tf.cast(tf.shape(t_joint)[0], loss.dtype)
        self.loss_tracker.update_state(loss, sample_weight=rows)
        self.mi_metric.update_state(-loss, sample_weight=rows)
        return {metric.name: metric.result() for metric in self.metrics}

    def _readout_transformed(self, x, target, batch_size, num_shuffles, seed):
        """The bound on the rows cut in order into equal blocks of at most `NCE_READOUT_BLOCK`.

        The row-weighted mean of each block's bound, and NaN for its error
        (a block's bound has no per-row noise formula). `batch_size`,
        `num_shuffles` and `seed` do not apply: the block size bounds the
        estimate (ln 4096 = 8.3 nats) and every pair of a block is scored.
        """
        blocks = np.array_split(np.arange(len(x)), -(-len(x) // NCE_READOUT_BLOCK))
        values = [float(self._block_bound(x[rows], target[rows])) for rows in blocks]
        return float(np.average(values, weights=[len(r) for r in blocks])), float("nan")

    def _block_bound(self, x, target):
        scores = self.critic.score_matrix(tf.constant(x), tf.constant(target))
        return self.compute_objective(*split_score_matrix(scores))

    def pointwise_mi(self, *args, **kwargs) -> np.ndarray:
        """Not available: an InfoNCE critic is a log density ratio only up to a function of x."""
        raise NotImplementedError(
            "InfoNCE.pointwise_mi: an InfoNCE critic is a log density ratio only up to a "
            "function of x, so its scores give no per-row MI. Use MINE or ClassifierMI."
        )
