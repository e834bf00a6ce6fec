"""`StandardNormalKL`: a critic trained to read KL(P || N(0, I)) by Donsker-Varadhan."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_mine.core.bounds import donsker_varadhan
from keras_mine.core.critics import (
    build_mlp,
    deserialize_activation,
    mlp_config,
    mlp_layers,
    run_mlp,
    set_mlp_settings,
)
from keras_mine.core.seeds import derive_seed
from keras_mine.core.validation import check_int

__all__ = ["StandardNormalKL"]


@keras.saving.register_keras_serializable(package="keras_mine")
class StandardNormalKL(keras.Model):
    """KL divergence of the data from the standard normal N(0, I), as a Keras model.

    The critic T(u) maximizes the Donsker-Varadhan bound
    ``E_P[T(u)] - log E_Q[exp T(v)]`` with Q = N(0, I); at its optimum
    T = log dP/dQ + const and the bound equals KL(P || Q). The reference
    draws v are made inside the training graph (``reference_multiple`` per
    data row of the batch), so no sample of Q is stored. Whiten the data
    before it is given to the model (`keras_mine.estimate_entropy` with
    ``method="neural"`` does), so that Q is the Gaussian with the data's
    mean and covariance and the divergence is only the non-Gaussian part.

    The Keras face of the critic that `keras_mine.estimate_entropy` with
    ``method="neural"`` trains in the engine (`keras_mine.engine`, with
    `keras_mine.engine.marginal.Reference` as the marginal): `fit` runs
    its `train_step`, with any Keras callbacks.

    Args:
        hidden_dim: Units of each hidden layer of the critic.
        num_hidden_layers: Hidden layers of the critic.
        activation: A Keras activation name or callable.
        reference_multiple: Reference draws per data row in each step.
        seed: Optional int: the critic's initial weights and the reference
            draws.
        **kwargs: Passed to `keras.Model` (``name``, ``dtype``, ...).

    Example:
    >>> model = StandardNormalKL(hidden_dim=8, seed=0)
    >>> model.compile(optimizer="adam")
    >>> u = np.random.default_rng(0).standard_normal((64, 2))
    >>> history = model.fit(u, epochs=1, batch_size=32, verbose=0)
    >>> sorted(history.history)
    ['kl', 'loss']
    >>> model.kl(u, seed=0).shape   # the readout on held-out rows
    ()
    """

    def __init__(
        self,
        hidden_dim: int = 64,
        num_hidden_layers: int = 2,
        activation: str = "relu",
        reference_multiple: int = 4,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        set_mlp_settings(self, hidden_dim, num_hidden_layers, activation, seed)
        self.reference_multiple = check_int(reference_multiple, "reference_multiple")
        self.hidden_layers, self.output_layer = mlp_layers(self, 1)
        self.reference_seed_generator = keras.random.SeedGenerator(
            derive_seed(seed, "reference")
        )
        self.kl_tracker = keras.metrics.Mean(name="kl")
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def build(self, input_shape: tuple) -> None:
        build_mlp(self.hidden_layers, self.output_layer, int(input_shape[-1]), self.hidden_dim)
        self.built = True

    def call(self, u):
        """The critic's score T(u), shape (batch,)."""
        return tf.squeeze(run_mlp(self.hidden_layers, self.output_layer, u), axis=-1)

    @property
    def metrics(self) -> list:
        return [self.loss_tracker, self.kl_tracker]

    def _bound(self, u, training: bool):
        u = tf.convert_to_tensor(u, self.compute_dtype)
        shape = tf.stack([tf.shape(u)[0] * self.reference_multiple, tf.shape(u)[1]])
        v = keras.random.normal(shape, dtype=u.dtype, seed=self.reference_seed_generator)
        return donsker_varadhan(self(u, training=training), self(v, training=training))

    def _train_batch(self, u) -> dict:
        with tf.GradientTape() as tape:
            bound = self._bound(u, training=True)
            loss = -bound
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables, strict=True))
        return self._update_metrics(loss, bound)

    def _test_batch(self, u) -> dict:
        bound = self._bound(u, training=False)
        return self._update_metrics(-bound, bound)

    def train_step(self, data):
        return self._train_batch(data[0] if isinstance(data, tuple) else data)

    def test_step(self, data):
        return self._test_batch(data[0] if isinstance(data, tuple) else data)

    def _update_metrics(self, loss, bound) -> dict:
        self.loss_tracker.update_state(loss)
        self.kl_tracker.update_state(bound)
        return {"loss": self.loss_tracker.result(), "kl": self.kl_tracker.result()}

    def kl(self, u: Any, n_reference: int = 100_000, seed: int | None = 0) -> np.ndarray:
        """The Donsker-Varadhan readout on rows `u`, with `n_reference` fresh N(0, I) draws.

        Read it out on rows the critic did not train on: on its training
        rows the bound is biased high by overfitting.
        """
        u = np.asarray(u, dtype=self.compute_dtype)
        v = np.random.default_rng(seed).standard_normal((n_reference, u.shape[1]))
        scores_u = self.predict(u, batch_size=8192, verbose=0)
        scores_v = self.predict(v.astype(u.dtype), batch_size=8192, verbose=0)
        return np.asarray(donsker_varadhan(scores_u, scores_v))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(mlp_config(self), reference_multiple=self.reference_multiple)
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**deserialize_activation(config))
