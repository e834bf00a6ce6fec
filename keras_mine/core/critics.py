"""Critic networks T(x, z) that score pairs of samples."""

from __future__ import annotations

from typing import Any

import keras

from keras_mine.core.encoders import check_encoder, default_encoder, encoded_width
from keras_mine.core.seeds import SeedStreams, derive_seed
from keras_mine.core.validation import check_int, check_seed

__all__ = ["MLPCritic", "SeparableCritic", "StackedMLPCritic", "StackedSeparableCritic"]


def check_mlp_settings(
    hidden_dim: int, num_hidden_layers: int, activation: Any, seed: int | None = None
) -> dict[str, Any]:
    """Check the settings of an MLP critic; return them as a dict.

    Parameters
    ----------
    hidden_dim, num_hidden_layers : int
        Units per hidden layer (>= 1) and hidden layers (>= 0).
    activation : str or callable
        A Keras activation.
    seed : int or None
        Seed of the kernel initializers.

    Raises
    ------
    ValueError
        For a bad setting, saying which.
    """
    try:
        keras.activations.get(activation)
    except ValueError as error:
        raise ValueError(
            f"Unknown `activation`: {activation!r}. Use a Keras activation "
            "name such as 'relu', 'elu', 'gelu', 'tanh' or a callable."
        ) from error
    return dict(
        hidden_dim=check_int(hidden_dim, "hidden_dim"),
        num_hidden_layers=check_int(num_hidden_layers, "num_hidden_layers", minimum=0),
        activation=activation,
        seed=check_seed(seed),
    )


def set_mlp_settings(
    layer: Any, hidden_dim: int, num_hidden_layers: int, activation: Any, seed: int | None
) -> None:
    """Check the settings of an MLP critic (`check_mlp_settings`); set them on `layer`."""
    for name, value in check_mlp_settings(hidden_dim, num_hidden_layers, activation, seed).items():
        setattr(layer, name, value)


def kernel_initializers(seed: int | None, num_layers: int, tower: str = "mlp") -> list:
    """The Glorot-uniform initializer of each of `num_layers` kernels of an MLP.

    Each kernel draws from its own named stream of `seed`
    (`keras_mine.core.seeds.derive_seed(seed, tower, "layer", i)`), so no two
    layers, towers or seeds share initial weights. `StackedMLPCritic` uses
    the same ones, so each of its critics starts where `MLPCritic` starts.
    """
    if seed is None:  # unseeded: every kernel draws fresh
        return [keras.initializers.GlorotUniform(None) for _ in range(num_layers)]
    streams = SeedStreams.trusted(seed)  # checked by the layer's settings, or drawn by the engine
    return [keras.initializers.GlorotUniform(streams.integer(tower, "layer", i))
            for i in range(num_layers)]  # fmt: skip


def mlp_layers(layer, out_units: int, tower: str = "mlp", prefix: str = ""):
    """Hidden layers and a linear output layer with `layer`'s MLP settings.

    The one MLP of the package: every critic (`MLPCritic`, each tower of
    `SeparableCritic`, `keras_mine.models.reference_kl.StandardNormalKL`)
    is built by it, `build_mlp` and `run_mlp`.
    """
    initializers = kernel_initializers(layer.seed, layer.num_hidden_layers + 1, tower)
    hidden = [
        keras.layers.Dense(
            layer.hidden_dim,
            activation=layer.activation,
            kernel_initializer=initializers[i],
            name=f"{prefix}hidden_{i}",
            dtype=layer.dtype_policy,
        )
        for i in range(layer.num_hidden_layers)
    ]
    output = keras.layers.Dense(
        out_units,
        kernel_initializer=initializers[-1],
        name=f"{prefix}score" if out_units == 1 else f"{prefix}embedding",
        dtype=layer.dtype_policy,
    )
    return hidden, output


def build_mlp(hidden, output, width: int, hidden_dim: int) -> None:
    for dense in hidden:
        dense.build((None, width))
        width = hidden_dim
    output.build((None, width))


def run_mlp(hidden, output, h):
    for dense in hidden:
        h = dense(h)
    return output(h)


def serialize_activation(activation: Any) -> Any:
    """A name stays a name; a callable is serialized as Keras' Dense does (JSON-safe)."""
    return activation if isinstance(activation, str) else keras.activations.serialize(activation)


def deserialize_activation(config: dict) -> dict:
    """A copy of `config` whose serialized ``activation`` (if any) is a callable again."""
    if isinstance(config.get("activation"), dict):
        config = dict(config, activation=keras.activations.deserialize(config["activation"]))
    return config


def mlp_config(owner: Any) -> dict:
    """The MLP settings of `owner` in a serializable dict, for `get_config`.

    Parameters
    ----------
    owner : keras.layers.Layer or keras.Model
        An object set up by `set_mlp_settings`.

    Returns
    -------
    dict
        hidden_dim, num_hidden_layers, activation (serialized) and seed.
    """
    return dict(
        hidden_dim=owner.hidden_dim,
        num_hidden_layers=owner.num_hidden_layers,
        activation=serialize_activation(owner.activation),
        seed=owner.seed,
    )


class _MLPLayer(keras.layers.Layer):
    """Serialization of the MLP settings shared by the critics below."""

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(mlp_config(self))
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = deserialize_activation(config)
        for name in ("x_encoder", "z_encoder"):
            if isinstance(config.get(name), dict):
                config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)


class _EncodedCritic(_MLPLayer):
    """A critic whose variables may each pass through an encoder before its MLP.

    ``x_encoder`` and ``z_encoder`` are Keras layers (or models) mapping a
    batch to (batch, features), given by the user; when one is None and its
    input has more than one axis per sample (images, sequences), `build`
    makes the default (`keras_mine.core.encoders.default_encoder`, seeded
    from a named stream of the critic's seed). Given encoders are saved
    with the critic; default ones are rebuilt from the input shapes.
    """

    def _set_encoders(self, x_encoder, z_encoder) -> None:
        self.x_encoder = check_encoder(x_encoder, "x_encoder")
        self.z_encoder = check_encoder(z_encoder, "z_encoder")
        self._given_encoders = (x_encoder is not None, z_encoder is not None)

    def _encoded_widths(self, x_shape: tuple, z_shape: tuple) -> tuple[int, int]:
        """Build the encoders (defaults made where needed); the widths the MLP reads."""
        for name, shape in (("x_encoder", x_shape), ("z_encoder", z_shape)):
            if getattr(self, name) is None:
                seed = None if self.seed is None else derive_seed(self.seed, name)
                setattr(self, name, default_encoder(tuple(shape), seed, self.dtype_policy))
        return (encoded_width(self.x_encoder, x_shape), encoded_width(self.z_encoder, z_shape))

    def _encode(self, x, z, training=None):
        if self.x_encoder is not None:
            x = self.x_encoder(x, training=training)
        if self.z_encoder is not None:
            z = self.z_encoder(z, training=training)
        return x, z

    @property
    def encoders(self) -> tuple:
        """(x_encoder, z_encoder), each a layer or None (after `build`: the defaults too)."""
        return (self.x_encoder, self.z_encoder)

    def get_config(self) -> dict:
        config = super().get_config()
        for name, given in zip(("x_encoder", "z_encoder"), self._given_encoders, strict=True):
            if given:
                config[name] = keras.saving.serialize_keras_object(getattr(self, name))
        return config


@keras.saving.register_keras_serializable(package="keras_mine")
class MLPCritic(_EncodedCritic):
    """Joint critic: a multilayer perceptron on ``concat(x, z)``, one score per pair.

    With encoders, the perceptron reads ``concat(x_encoder(x), z_encoder(z))``:
    images and sequences get a `keras_mine.ConvEncoder` unless you pass one.

    Args:
        hidden_dim: Units of each hidden layer.
        num_hidden_layers: Number of hidden layers (exactly this many; 0 gives a
            linear critic).
        activation: Any Keras activation name or callable: "relu", "elu",
            "gelu", "tanh", "silu", ...
        seed: Optional int seeding the kernel initializers.
        x_encoder: Optional Keras layer or model mapping a batch of x to
            (batch, features), trained with the critic; default none for
            tabular x, a `keras_mine.ConvEncoder` for images (batch, h, w, c)
            and sequences (batch, t, f).
        z_encoder: The same for z.

    Call arguments:
        x: Tensor (batch, dx), or (batch, ...) with an encoder. z: likewise.

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
        x_encoder: keras.layers.Layer | None = None,
        z_encoder: keras.layers.Layer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        set_mlp_settings(self, hidden_dim, num_hidden_layers, activation, seed)
        self._set_encoders(x_encoder, z_encoder)
        self.hidden_layers, self.output_layer = mlp_layers(self, 1)

    def build(self, x_shape: tuple, z_shape: tuple) -> None:
        width = sum(self._encoded_widths(x_shape, z_shape))
        build_mlp(self.hidden_layers, self.output_layer, width, self.hidden_dim)

    @property
    def dense_layers(self) -> list:
        """The Dense layers in order (those of `StackedMLPCritic`'s ``kernels``)."""
        return [*self.hidden_layers, self.output_layer]

    def call(self, x, z, training=None):
        h = keras.ops.concatenate(self._encode(x, z, training), axis=-1)
        return keras.ops.squeeze(run_mlp(self.hidden_layers, self.output_layer, h), axis=-1)


@keras.saving.register_keras_serializable(package="keras_mine")
class SeparableCritic(_EncodedCritic):
    """Separable critic ``T(x, z) = g(x) . h(z)``: one MLP per variable.

    With encoders, g and h read ``x_encoder(x)`` and ``z_encoder(z)``: the
    inner product of two encoders' embeddings, as in contrastive learning.

    Scoring every x of a batch against every z costs two tower passes and
    one matmul (`score_matrix`), which is what InfoNCE needs; a joint
    critic would need n^2 passes. Less expressive than `MLPCritic` for the
    same width (Poole et al. 2019 use both).

    Args:
        embed_dim: Width of the embeddings g(x) and h(z).
        hidden_dim: Units of each hidden layer of each tower.
        num_hidden_layers: Hidden layers of each tower.
        activation: Activation of the hidden layers.
        seed: Optional int seeding the initialization.
        x_encoder: Optional Keras layer or model before g (see `MLPCritic`).
        z_encoder: Optional Keras layer or model before h.

    Call arguments:
        x: Tensor (batch, dx), or (batch, ...) with an encoder. z: likewise.

    Returns:
        Tensor (batch,) of scores g(x_i) . h(z_i).
    """

    def __init__(
        self,
        embed_dim: int = 32,
        hidden_dim: int = 64,
        num_hidden_layers: int = 2,
        activation: str = "relu",
        seed: int | None = None,
        x_encoder: keras.layers.Layer | None = None,
        z_encoder: keras.layers.Layer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        set_mlp_settings(self, hidden_dim, num_hidden_layers, activation, seed)
        self._set_encoders(x_encoder, z_encoder)
        self.embed_dim = check_int(embed_dim, "embed_dim")
        self.x_hidden, self.x_embedding = mlp_layers(self, self.embed_dim, "x", "x_")
        self.z_hidden, self.z_embedding = mlp_layers(self, self.embed_dim, "z", "z_")

    def build(self, x_shape: tuple, z_shape: tuple) -> None:
        x_width, z_width = self._encoded_widths(x_shape, z_shape)
        build_mlp(self.x_hidden, self.x_embedding, x_width, self.hidden_dim)
        build_mlp(self.z_hidden, self.z_embedding, z_width, self.hidden_dim)

    @property
    def dense_layers(self) -> list:
        """The Dense layers, tower x then z (those of `StackedSeparableCritic`'s ``kernels``)."""
        return [*self.x_hidden, self.x_embedding, *self.z_hidden, self.z_embedding]

    def embed(self, x, z, training=None):
        """The embeddings g(x), h(z): two tensors (batch, embed_dim)."""
        x, z = self._encode(x, z, training)
        return (
            run_mlp(self.x_hidden, self.x_embedding, x),
            run_mlp(self.z_hidden, self.z_embedding, z),
        )

    def call(self, x, z, training=None):
        g, h = self.embed(x, z, training)
        return keras.ops.sum(g * h, axis=-1)

    def score_matrix(self, x, z, training=None):
        """All-pairs scores ``scores[i, j] = T(x_i, z_j)``: (batch_x, batch_z)."""
        if not self.built:  # called before the layer itself was
            self.build(tuple(x.shape), tuple(z.shape))
            self.built = True
        g, h = self.embed(x, z, training)
        return keras.ops.matmul(g, keras.ops.transpose(h))

    def get_config(self) -> dict:
        return {**super().get_config(), "embed_dim": self.embed_dim}


class StackedTowers(_MLPLayer):
    """MLP towers whose weights have a leading axis of `num_critics` (one slice per critic).

    Each layer is one batched matmul, so k critics cost one graph op per
    layer instead of k. Critic i sees only row i of its inputs and owns only
    slice i of each weight, so the critics train exactly as if apart (with an
    element-wise optimizer such as Adam). ``kernels`` and ``biases`` list the
    layers tower by tower; `initializers` gives the initializer of each.
    """

    #: The towers: (stream name of `kernel_initializers`, output units attribute or 1).
    towers: tuple = ()
    #: Weights outside the towers (k, ...), reset to zeros with the towers' biases.
    extra_weights: tuple | list = ()

    def __init__(self, num_critics: int, hidden_dim: int = 64, num_hidden_layers: int = 2,
                 activation: str = "relu", seed: int | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.num_critics = check_int(num_critics, "num_critics")
        set_mlp_settings(self, hidden_dim, num_hidden_layers, activation, seed)
        self._activation = keras.activations.get(activation)
        self.kernels, self.biases = [], []

    def _out_units(self) -> int:
        return 1

    def initializers(self, seed: int | None) -> list:
        """The kernel initializers of `seed`, aligned with ``kernels``: each critic's start."""
        layers = self.num_hidden_layers + 1
        return [initializer for tower in self.towers
                for initializer in kernel_initializers(seed, layers, tower)]  # fmt: skip

    def _build_towers(self, in_widths: list[int]) -> None:
        initializers = iter(self.initializers(self.seed))
        for tower, fan_in in zip(self.towers, in_widths, strict=True):
            widths = [fan_in] + [self.hidden_dim] * self.num_hidden_layers + [self._out_units()]
            for i, (width_in, width_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
                one = next(initializers)((width_in, width_out), dtype=self.variable_dtype)
                self.kernels.append(self.add_weight(
                    shape=(self.num_critics, width_in, width_out),
                    initializer=lambda shape, dtype=None, one=one: keras.ops.broadcast_to(
                        keras.ops.cast(one, dtype), shape),
                    name=f"{tower}_kernel_{i}",
                ))  # fmt: skip
                self.biases.append(self.add_weight(
                    shape=(self.num_critics, 1, width_out), initializer="zeros",
                    name=f"{tower}_bias_{i}",
                ))  # fmt: skip

    def _run_tower(self, t: int, h):
        layers = self.num_hidden_layers + 1
        weights = zip(self.kernels[t * layers : (t + 1) * layers],
                      self.biases[t * layers : (t + 1) * layers], strict=True)  # fmt: skip
        for i, (kernel, bias) in enumerate(weights):
            h = keras.ops.matmul(h, kernel) + bias
            if i < self.num_hidden_layers:
                h = self._activation(h)
        return h

    def get_config(self) -> dict:
        return {**super().get_config(), "num_critics": self.num_critics}


@keras.saving.register_keras_serializable(package="keras_mine")
class StackedMLPCritic(StackedTowers):
    """`num_critics` independent `MLPCritic`s evaluated as one batched network.

    Args:
        num_critics: Number of critics k.
        hidden_dim: Units of each hidden layer of each critic.
        num_hidden_layers: Hidden layers of each critic.
        activation: Activation of the hidden layers.
        seed: Optional int seeding the initialization: every critic starts
            from the weights `MLPCritic` with the same seed and input widths
            starts from (`kernel_initializers`), so critic i trains exactly
            as that `MLPCritic` would on its own rows, whatever k is.

    Call arguments:
        x: Tensor (k, batch, dx). z: Tensor (k, batch, dz).

    Returns:
        Tensor (k, batch) of scores.
    """

    towers = ("mlp",)

    def build(self, x_shape: tuple, z_shape: tuple) -> None:
        self._build_towers([int(x_shape[-1]) + int(z_shape[-1])])

    def call(self, x, z):
        h = self._run_tower(0, keras.ops.concatenate([x, z], axis=-1))
        return keras.ops.squeeze(h, axis=-1)


@keras.saving.register_keras_serializable(package="keras_mine")
class StackedSeparableCritic(StackedTowers):
    """`num_critics` independent `SeparableCritic`s g(x) . h(z) evaluated as one network.

    Args:
        num_critics: Number of critics k.
        embed_dim: Width of the embeddings g(x) and h(z).
        **kwargs: ``hidden_dim``, ``num_hidden_layers``, ``activation`` and
            ``seed`` as for `StackedMLPCritic` (critic i starts where
            `SeparableCritic` with the same seed starts), and Keras' Layer
            arguments.

    Call arguments:
        x: Tensor (k, batch, dx). z: Tensor (k, batch, dz).

    Returns:
        Tensor (k, batch) of scores g(x_i) . h(z_i); `score_matrix` gives
        every pair, (k, batch, batch).
    """

    towers = ("x", "z")

    def __init__(self, num_critics: int, embed_dim: int = 32, **kwargs: Any) -> None:
        super().__init__(num_critics, **kwargs)
        self.embed_dim = check_int(embed_dim, "embed_dim")

    def _out_units(self) -> int:
        return self.embed_dim

    def build(self, x_shape: tuple, z_shape: tuple) -> None:
        self._build_towers([int(x_shape[-1]), int(z_shape[-1])])

    def call(self, x, z):
        return keras.ops.sum(self._run_tower(0, x) * self._run_tower(1, z), axis=-1)

    def score_matrix(self, x, z):
        """All-pairs scores ``scores[i, a, b] = T_i(x_a, z_b)``: (k, batch, batch)."""
        if not self.built:  # called before the layer itself was
            self.build(x.shape, z.shape)
            self.built = True
        return keras.ops.matmul(self._run_tower(0, x),
                                keras.ops.swapaxes(self._run_tower(1, z), -1, -2))  # fmt: skip

    def get_config(self) -> dict:
        return {**super().get_config(), "embed_dim": self.embed_dim}


def critic_config(owner: Any, custom: bool) -> dict:
    """The config entries that rebuild `owner`'s critic.

    `owner` (a model or layer holding a critic) has ``critic`` and the
    default critic's ``hidden_dim``, ``num_hidden_layers``, ``activation``.
    A `custom` critic (one the user passed) is serialized whole; the
    default one by its settings and the encoders given to it.
    """
    if custom:
        return {"critic": keras.saving.serialize_keras_object(owner.critic)}
    config = {
        "hidden_dim": owner.hidden_dim,
        "num_hidden_layers": owner.num_hidden_layers,
        "activation": serialize_activation(owner.activation),
    }
    critic_config = owner.critic.get_config()
    for name in ("x_encoder", "z_encoder"):
        if name in critic_config:
            config[name] = critic_config[name]
    return config


def with_critic_deserialized(config: dict) -> dict:
    """A copy of `config` whose serialized critic, encoders and activation are objects again."""
    config = deserialize_activation(dict(config))
    for name in ("critic", "x_encoder", "z_encoder"):
        if isinstance(config.get(name), dict):
            config[name] = keras.saving.deserialize_keras_object(config[name])
    return config
