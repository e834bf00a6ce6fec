"""Classifier-based conditional MI I(X;Y|Z), as a Keras model."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from keras_mine.core.data import batch_nearest_neighbor_swap, nearest_neighbor_indices
from keras_mine.core.validation import check_samples
from keras_mine.models.classifier import ClassifierMI

__all__ = ["ConditionalClassifierMI"]


@keras.saving.register_keras_serializable(package="keras_mine")
class ConditionalClassifierMI(ClassifierMI):
    """CCMI estimator of the conditional MI I(X;Y|Z) (Mukherjee et al., UAI 2020).

    I(X;Y|Z) is the KL divergence between the joint p(x, y, z) and
    p(z) p(x|z) p(y|z). The classifier tells samples (x, y, z) (label 1) from
    samples (x, y', z) (label 0) where ``y'`` is the y of the nearest
    neighbour of z: a sample of p(y|z) that carries no information about x
    beyond z. The DV formula on its logits reads out the divergence.

    During training the swap is done in the graph within each batch (fresh at
    every epoch, since batches are reshuffled); `estimate` uses the nearest
    neighbour among *all* given samples, which is closer, and deterministic.
    Larger batches give closer in-batch neighbours.

    Usage: ``model.fit(x, (y, z), ...)`` and ``model.estimate(x, (y, z))``:
    the target is the pair (y, z) everywhere (`scores`, `readout_with_error`),
    with the signatures of `CriticModel`. Calling the model on ``(x, y, z)``
    returns the logits. The readout's marginal is the nearest-neighbour swap,
    so its `num_shuffles` and `seed` do not apply.

    Args: as `ClassifierMI`.
    """

    def _call_inputs(self, x, target) -> tuple:
        y, z = target
        return (x, y, z)

    _input_parts = 3
    fixed_readout_marginal = "it pairs each row with the y of its nearest neighbour in z"

    def _score(self, inputs, training: bool = False):
        """Logits for transformed ``inputs = (x, y, z)``."""
        x, y, z = inputs
        return self.critic(x, tf.concat([y, z], axis=-1), training=training)

    def make_marginal(self, target, seed):
        y, z = target
        return (batch_nearest_neighbor_swap(y, z), z)

    def _unpack(self, data):
        x, target = super()._unpack(data)
        if not isinstance(target, (tuple, list)) or len(target) != 2:
            raise ValueError(
                "ConditionalClassifierMI needs the conditioning variable: call "
                "fit(x, (y, z)), or pass a dataset of (x, (y, z)) batches."
            )
        return x, tuple(target)

    def _check_inputs(self, x, target) -> tuple:
        if not isinstance(target, (tuple, list)) or len(target) != 2:
            raise ValueError(
                "ConditionalClassifierMI takes y and z together as the target: "
                f"fit(x, (y, z)). Received a target of type {type(target).__name__}."
            )
        x = check_samples(x, "x", dtype="float64")  # the input transforms cast
        y = check_samples(target[0], "y", dtype="float64")
        z = check_samples(target[1], "z", dtype="float64")
        lengths = {"x": len(x), "y": len(y), "z": len(z)}
        if len(set(lengths.values())) > 1:
            raise ValueError(
                f"x, y and z must be paired row by row (same length); received lengths {lengths}."
            )
        self._check_widths((x.shape[1:], y.shape[1:], z.shape[1:]), ("x", "y", "z"))
        return x, (y, z)

    def _marginal_targets(self, x, target, num_shuffles, seed) -> list:
        y, z = target
        return [(y[nearest_neighbor_indices(z)], z)]

    def pointwise_mi(self, *args, **kwargs) -> np.ndarray:
        """Not available: pointwise conditional MI is not implemented for this model."""
        raise NotImplementedError(
            "ConditionalClassifierMI.pointwise_mi is not implemented; its `scores(x, y, z)` "
            "are the classifier's logits, an estimate of log p(y | x, z) / p(y | z)."
        )
