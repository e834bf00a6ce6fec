"""Classifier-based MI estimation (CCMI), as a Keras model."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_mine.core.objectives import OBJECTIVES
from keras_mine.core.validation import check_option
from keras_mine.models.base import CriticModel

__all__ = ["ClassifierMI", "CLASSIFIER_READOUTS"]

#: Valid values of ``ClassifierMI(readout=...)``.
CLASSIFIER_READOUTS = {
    "dv": "Donsker-Varadhan on the logits: mean_P[logit] - log mean_Q[exp(logit)]",
    "log_odds": "mean log-odds on joint samples, mean_P[logit]",
}


@keras.saving.register_keras_serializable(package="keras_mine")
class ClassifierMI(CriticModel):
    """Classifier-based MI estimator (Mukherjee, Asnani & Kannan, UAI 2020).

    Trains a binary classifier with cross-entropy to tell joint samples
    (x, z) (label 1) from product-of-marginals samples (x, shuffled z)
    (label 0), equally many of each. Its logit then approximates
    ``log dP/dQ``, the pointwise mutual information, from which MI is read:
    by default with the DV formula ``E_P[logit] - log E_Q[e^logit]``, or as the
    mean log-odds ``E_P[logit]`` (``readout="log_odds"``). The logit is read
    directly, never rebuilt from probabilities.

    Metrics: ``loss`` (cross-entropy), ``accuracy``, and ``mi`` (DV of the
    logits over the epoch), each with its ``val_`` twin.

    Args:
        readout: "dv" (default) or "log_odds", used by `estimate`.
        **kwargs: The critic and input settings of
            `keras_mine.models.base.CriticModel` (`critic`, `hidden_dim`,
            `num_hidden_layers`, `activation`, `seed`, `preprocessing`,
            `norm_feature`) and Keras' `Model` arguments (`name`, `dtype`).

    Example (trained as `keras_mine.MINE` is; see its example for callbacks):
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> x, z = bivariate_gaussian(0.9).sample(3_000, seed=0)   # true MI 0.830 nats
    >>> model = ClassifierMI(readout="log_odds", seed=0)
    >>> model.compile(optimizer=keras.optimizers.Adam(1e-2))
    >>> accuracy = model.fit(x[:2000], z[:2000], batch_size=256, epochs=30,
    ...                      verbose=0).history["accuracy"]
    >>> accuracy[-1] > 0.7               # joint pairs told from shuffled ones
    True
    >>> estimate = model.estimate(x[2000:], z[2000:])          # on held-out rows
    >>> abs(estimate - 0.830) < 0.1
    True
    """

    def __init__(self, readout: str = "dv", **kwargs: Any) -> None:
        check_option(readout, "readout", CLASSIFIER_READOUTS, "readouts")
        super().__init__(**kwargs)
        self.readout = readout
        self.accuracy_metric = keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0)

    def compute_objective(self, t_joint, t_marginal, training: bool):
        return OBJECTIVES["classifier"].train(t_joint, t_marginal)

    def _update_metrics(self, loss, t_joint, t_marginal) -> dict:
        labels = tf.concat([tf.ones_like(t_joint), tf.zeros_like(t_marginal)], 0)
        self.accuracy_metric.update_state(labels, tf.concat([t_joint, t_marginal], 0))
        return super()._update_metrics(loss, t_joint, t_marginal)

    @property
    def metrics(self) -> list:
        return [*super().metrics, self.accuracy_metric]

    def _readout(self, t_joint: np.ndarray, t_marginal: np.ndarray) -> float:
        if self.readout == "log_odds":
            return float(np.mean(t_joint))
        return super()._readout(t_joint, t_marginal)

    def _pointwise(self, t_joint: np.ndarray, t_marginal: np.ndarray) -> np.ndarray:
        if self.readout == "log_odds":
            return t_joint
        return super()._pointwise(t_joint, t_marginal)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(readout=self.readout)
        return config
