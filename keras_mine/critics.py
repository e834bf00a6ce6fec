"""Critic networks T(x, z) that score pairs of samples."""

from __future__ import annotations

from typing import Any

import keras

from keras_mine.validation import check_int

__all__ = ["MLPCritic"]


@keras.saving.register_keras_serializable(package="keras_mine")
class MLPCritic(keras.layers.Layer):
    """Joint critic: a multilayer perceptron on ``concat(x, z)``, one score per pair.

    Args:
        hidden_dim: Units of each hidden layer.
        num_hidden_layers: Number of hidden layers (exactly this many; 0 gives a
            linear critic).
        activation: Any Keras activation name or callable: "relu", "elu",
            "gelu", "tanh", "silu", ...
        seed: Optional int seeding the kernel initializers.

    Call arguments:
        x: Tensor (batch, dx). z: Tensor (batch, dz).

    Returns:
        Tensor (batch,) of scores.

    Example:
    >>> critic = MLPCritic(hidden_dim=8, num_hidden_layers=2)
    >>> critic(np.zeros((4, 1)), np.zeros((4, 3))).shape
    TensorShape([4])
    """

    def __init__(
        self,
        hidden_dim: int = 64,
        num_hidden_layers: int = 2,
        activation: str = "relu",
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.hidden_dim = check_int(hidden_dim, "hidden_dim")
        self.num_hidden_layers = check_int(num_hidden_layers, "num_hidden_layers", minimum=0)
        try:
            keras.activations.get(activation)
        except ValueError as error:
            raise ValueError(
                f"Unknown `activation`: {activation!r}. Use a Keras activation "
                "name such as 'relu', 'elu', 'gelu', 'tanh' or a callable."
            ) from error
        self.activation = activation
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"Expected an int or None for `seed`. Received: seed={seed!r}")
        self.seed = seed
        self.hidden_layers = [
            keras.layers.Dense(
                hidden_dim,
                activation=activation,
                kernel_initializer=keras.initializers.GlorotUniform(self._layer_seed(i)),
                name=f"hidden_{i}",
            )
            for i in range(num_hidden_layers)
        ]
        self.output_layer = keras.layers.Dense(
            1,
            kernel_initializer=keras.initializers.GlorotUniform(
                self._layer_seed(num_hidden_layers)
            ),
            name="score",
        )

    def _layer_seed(self, index: int) -> int | None:
        return None if self.seed is None else self.seed + index

    def build(self, x_shape: tuple, z_shape: tuple) -> None:
        width = int(x_shape[-1]) + int(z_shape[-1])
        for layer in self.hidden_layers:
            layer.build((None, width))
            width = self.hidden_dim
        self.output_layer.build((None, width))

    def call(self, x, z):
        h = keras.ops.concatenate([x, z], axis=-1)
        for layer in self.hidden_layers:
            h = layer(h)
        return keras.ops.squeeze(self.output_layer(h), axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            hidden_dim=self.hidden_dim,
            num_hidden_layers=self.num_hidden_layers,
            activation=keras.saving.serialize_keras_object(self.activation)
            if callable(self.activation)
            else self.activation,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config: dict) -> MLPCritic:
        activation = config.get("activation")
        if isinstance(activation, dict):
            config = dict(config, activation=keras.saving.deserialize_keras_object(activation))
        return cls(**config)
