"""Encoders in front of a critic: what turns an image or a sequence into a feature vector.

A critic's MLP head reads one feature vector per variable. Tabular rows
(batch, d) are that vector already; an image (batch, h, w, c) or a sequence
(batch, t, f) is not: flattened, its pixels become unrelated columns and the
MLP must learn translation and locality from scratch (on 8x8 digits paired by
label, a flattened-pixel MLP read 1.50 nats of 2.30). `ConvEncoder` is the
default encoder for such inputs: a small convolutional network, 2-D for
images and 1-D for sequences, whose weights are trained with the critic's.
Any Keras layer or model may replace it (``x_encoder=``, ``z_encoder=`` of
the critics, the models and `keras_mine.estimate_mi`).
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np

from keras_mine.core.seeds import SeedStreams
from keras_mine.core.validation import check_int, check_seed

__all__ = ["ConvEncoder", "default_encoder", "check_encoder", "copy_encoder", "encoded_width",
           "sample_rank", "MAX_POSITIONS"]  # fmt: skip

#: `ConvEncoder` halves the positions (stride-2 convolutions) until at most
#: this many remain, then flattens: 8x8 digits stay 8x8, 28x28 images end at
#: 7x7, a sequence of 100 steps at 50.
MAX_POSITIONS = 64
#: Most filters of any convolution of `ConvEncoder` (doubled at each halving).
MAX_FILTERS = 128


def sample_rank(shape: tuple) -> int:
    """Axes of one sample of a batch of `shape`: 1 tabular, 2 sequence, 3 image."""
    return len(shape) - 1


@keras.saving.register_keras_serializable(package="keras_mine")
class ConvEncoder(keras.layers.Layer):
    """A small convolutional encoder for images (batch, h, w, c) or sequences (batch, t, f).

    A 3x3 (3 for sequences) convolution of `filters` maps, then stride-2
    convolutions, each doubling the maps (at most 128), until at most
    `MAX_POSITIONS` positions remain; then the maps are flattened (positions
    are kept: pooling them away would lose where a pattern is) and a Dense
    layer of `units` gives the features. Every kernel is seeded from its own
    named stream of `seed`, so the same seed starts from the same weights.

    Args:
        filters: Maps of the first convolution.
        units: Width of the output features.
        activation: Activation of every layer (a Keras activation).
        seed: Optional int seeding the kernel initializers.

    Call arguments:
        inputs: Tensor (batch, h, w, c) or (batch, t, f).

    Returns:
        Tensor (batch, units).

    Example:
    >>> encoder = ConvEncoder(filters=8, units=16, seed=0)
    >>> encoder(np.zeros((2, 8, 8, 1), "float32")).shape
    TensorShape([2, 16])
    >>> len(encoder.convolutions)   # 64 positions: no halving needed
    1
    """

    def __init__(self, filters: int = 32, units: int = 64, activation: Any = "relu",
                 seed: int | None = None, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.filters = check_int(filters, "filters")
        self.units = check_int(units, "units")
        self.activation = activation
        keras.activations.get(activation)  # an unknown name fails here, not at build
        self.seed = check_seed(seed)
        self.convolutions: list = []
        self.dense = None

    def _initializer(self, i: int):
        seed = None if self.seed is None else SeedStreams.trusted(self.seed).integer("encoder", i)
        return keras.initializers.GlorotUniform(seed)

    def build(self, input_shape) -> None:
        rank = sample_rank(input_shape)
        if rank not in (2, 3) or any(s is None for s in input_shape[1:]):
            raise ValueError(
                "ConvEncoder encodes images (batch, height, width, channels) or sequences "
                f"(batch, steps, features) of known sizes; received shape {tuple(input_shape)}."
            )
        conv = keras.layers.Conv2D if rank == 3 else keras.layers.Conv1D
        sizes = [int(s) for s in input_shape[1:-1]]
        filters, strides = self.filters, [1]
        while math.prod(sizes) > MAX_POSITIONS:
            sizes = [-(-s // 2) for s in sizes]
            strides.append(2)
        self.convolutions = []
        for i, stride in enumerate(strides):
            filters = min(MAX_FILTERS, self.filters * 2 ** i)
            self.convolutions.append(conv(filters, 3, strides=stride, padding="same",
                                          activation=self.activation,
                                          kernel_initializer=self._initializer(i),
                                          name=f"conv_{i}", dtype=self.dtype_policy))
        self.flatten = keras.layers.Flatten(dtype=self.dtype_policy)
        self.dense = keras.layers.Dense(self.units, activation=self.activation,
                                        kernel_initializer=self._initializer(len(strides)),
                                        name="features", dtype=self.dtype_policy)
        shape = tuple(input_shape)
        for layer in self.convolutions:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.dense.build((None, int(np.prod(shape[1:]))))

    def call(self, inputs):
        h = inputs
        for layer in self.convolutions:
            h = layer(h)
        return self.dense(self.flatten(h))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self) -> dict:
        activation = self.activation
        if not isinstance(activation, str):
            activation = keras.activations.serialize(activation)
        return {**super().get_config(), "filters": self.filters, "units": self.units,
                "activation": activation, "seed": self.seed}  # fmt: skip

    @classmethod
    def from_config(cls, config: dict):
        if isinstance(config.get("activation"), dict):
            config = dict(config, activation=keras.activations.deserialize(config["activation"]))
        return cls(**config)


def default_encoder(shape: tuple, seed: int | None, dtype: Any = None) -> ConvEncoder | None:
    """The encoder a critic uses for inputs of `shape` when none is given (None: tabular).

    Parameters
    ----------
    shape : tuple
        A batch's shape, (batch, ...).
    seed : int or None
        Seed of its initializers.
    dtype : optional
        Its Keras dtype policy.

    Raises
    ------
    ValueError
        For samples of more than 3 axes (videos, volumes): pass an encoder.
    """
    rank = sample_rank(shape)
    if rank == 1:
        return None
    if rank > 3:
        raise ValueError(
            f"No default encoder for samples of shape {tuple(shape[1:])} ({rank} axes): the "
            "default encodes images (h, w, c) and sequences (t, f). Pass your own Keras layer "
            "or model as x_encoder= / z_encoder=, one that maps a batch to (batch, features)."
        )
    return ConvEncoder(seed=seed, dtype=dtype)


def check_encoder(encoder: Any, name: str) -> keras.layers.Layer | None:
    """`encoder` if it is None or a Keras layer (a model is one), else a TypeError."""
    if encoder is None or isinstance(encoder, keras.layers.Layer):
        return encoder
    raise TypeError(
        f"`{name}` must be a Keras layer or model that maps a batch of samples to "
        f"(batch, features), or None for the default; received {type(encoder).__name__}."
    )


def copy_encoder(encoder: keras.layers.Layer | None) -> keras.layers.Layer | None:
    """A new, unbuilt copy of `encoder` from its config (None stays None), to train in its place."""
    if encoder is None:
        return None
    return keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(encoder))


def encoded_width(encoder: keras.layers.Layer | None, shape: tuple) -> int:
    """Columns of `encoder`'s output on batches of `shape` (building it), or shape[-1]."""
    if encoder is None:
        return int(shape[-1])
    if not encoder.built:
        encoder.build(tuple(shape))
    try:
        out = encoder.compute_output_shape(tuple(shape))
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        out = encoder(np.zeros((1, *shape[1:]), "float32")).shape
    if len(out) != 2 or out[-1] is None:
        raise ValueError(
            f"An encoder must map a batch to (batch, features); {type(encoder).__name__} "
            f"maps {tuple(shape)} to {tuple(out)}. End it with a Flatten or a pooling layer."
        )
    return int(out[-1])
