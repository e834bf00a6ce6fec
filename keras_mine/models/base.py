"""`CriticModel`: the Keras model of every critic-based MI estimator.

It owns the model's graph: the input transforms, the critic, the marginal
pairs of a batch (`make_marginal`: shuffled z here), the objective of a batch
(`compute_objective`, the one thing a subclass must say), the batch step
(`train_step`, `test_step`) and the metrics. The rest is composed from one
file per job: `keras_mine.models.epochs` (one compiled call per epoch),
`keras_mine.models.array_fit` (Keras `fit` on arrays through it) and
`keras_mine.models.readout` (estimate, its error, pointwise MI).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_mine.core.critics import MLPCritic, critic_config, with_critic_deserialized
from keras_mine.core.data import block_rows, dataset_chunks, shuffle_marginal
from keras_mine.core.distribute import (
    logs_for_keras,
    scale_loss_for_replicas,
)
from keras_mine.core.metrics import DonskerVaradhanMetric
from keras_mine.core.preprocessing import (
    DEFAULT_PREPROCESSING,
    MarginalTransform,
    check_preprocessing,
)
from keras_mine.core.seeds import SeedStreams, derive_seed
from keras_mine.core.validation import check_paired_samples
from keras_mine.models.array_fit import ArrayFitMixin
from keras_mine.models.epochs import EpochFunctionMixin
from keras_mine.models.readout import ReadoutMixin

__all__ = ["CriticModel"]

class CriticModel(ReadoutMixin, ArrayFitMixin, EpochFunctionMixin, keras.Model):
    """A Keras model that trains a critic T(x, z) and reads out MI from it.

    Use it as any Keras model, with z where Keras puts the targets::

        model.compile(optimizer=keras.optimizers.Adam(1e-3))
        model.fit(x, z, batch_size=256, epochs=200, validation_split=0.2,
                  callbacks=keras_mine.default_callbacks())
        model.estimate(x_test, z_test)

    Subclasses implement `compute_objective`.

    Args:
        critic: A layer called as ``critic(x, z)`` returning one score per
            pair; default an `MLPCritic` built from the settings below.
        hidden_dim: Units of each hidden layer of the default `MLPCritic`
            (ignored when `critic` is given, as are the next two).
        num_hidden_layers: Hidden layers of the default `MLPCritic`.
        activation: Activation of the default `MLPCritic` (a Keras
            activation name or callable).
        seed: Optional int seeding the critic's initialization and the
            training shuffles, so the same seed gives the same model.
        preprocessing: How each input column is mapped before the critic
            sees it, fitted on the training rows by `fit` (or `adapt`) and
            saved with the model: "normal_scores" (default: empirical CDF,
            then the normal quantile function; invariant to scale and to
            any increasing map of a column, bounded against outliers and
            heavy tails), "robust" (median and IQR), "standard" (mean and
            std) or "none" (None). See `keras_mine.core.preprocessing`.
        norm_feature: Whether the critic also sees, for each variable, the
            standardized mean square of its mapped columns (one more input
            column each; not with preprocessing "none"). MI is unchanged;
            dependence through a shared scale (Student-t, volatility) becomes
            one linear feature away. See `keras_mine.core.preprocessing`.
            Tabular inputs only.
        x_encoder: Optional Keras layer or model mapping a batch of x to
            (batch, features) before the default critic's MLP, trained with
            it and saved with the model. Default: none for tabular x
            (batch, d); a `keras_mine.ConvEncoder` for images (batch, h, w, c)
            and sequences (batch, t, f), whose values are mapped per channel.
        z_encoder: The same for z.
    """

    #: Inputs of `call`: (x, z) here, (x, y, z) for a conditional model.
    _input_parts = 2

    def __init__(
        self,
        critic: keras.layers.Layer | None = None,
        hidden_dim: int = 64,
        num_hidden_layers: int = 2,
        activation: str = "relu",
        seed: int | None = None,
        preprocessing: str | None = DEFAULT_PREPROCESSING,
        norm_feature: bool = True,
        x_encoder: keras.layers.Layer | None = None,
        z_encoder: keras.layers.Layer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.preprocessing = check_preprocessing(preprocessing)
        self.input_transforms = [
            MarginalTransform(self.preprocessing, norm_feature=norm_feature,
                              name=f"transform_{i}", dtype=self.dtype_policy)  # fmt: skip
            for i in range(self._input_parts)
        ]
        self.norm_feature = norm_feature
        if critic is None:
            critic = self.default_critic(
                hidden_dim=hidden_dim,
                num_hidden_layers=num_hidden_layers,
                activation=activation,
                seed=seed,
                dtype=self.dtype_policy,
                x_encoder=x_encoder,
                z_encoder=z_encoder,
            )
            self._custom_critic = False
        elif x_encoder is not None or z_encoder is not None:
            raise ValueError(
                "`x_encoder` and `z_encoder` configure the default critic; with your own "
                "`critic`, give the encoders to it (keras_mine.MLPCritic(x_encoder=...))."
            )
        elif not isinstance(critic, keras.layers.Layer):
            raise TypeError(
                "`critic` must be a keras.layers.Layer called as critic(x, z). "
                f"Received: critic={critic!r}"
            )
        else:
            self._custom_critic = True
        self.critic = critic
        self.hidden_dim = hidden_dim
        self.num_hidden_layers = num_hidden_layers
        self.activation = activation
        self.seed = seed
        # A named stream of the model's seed for the batch order and shuffles.
        self.shuffle_seed_generator = keras.random.SeedGenerator(derive_seed(seed, "batches"))
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mi_metric = DonskerVaradhanMetric(name="mi")
        self._input_widths: tuple[tuple, ...] | None = None  # each part's sample shape
        self._score_function = None

    #: The critic made when none is given.
    default_critic = MLPCritic

    #: The fixed permutation pattern of validation batches: the same for every
    #: model, so a validation MI is a function of the weights and rows alone.
    validation_seed = SeedStreams(0).integer("validation")

    @property
    def readout_seed(self) -> int:
        """The default seed of the readout's shuffles: a named stream of `seed` (0 if None)."""
        return SeedStreams(0 if self.seed is None else self.seed).integer("readout")

    # ----------------------------------------------------------------- graph
    def build(self, input_shape) -> None:
        self._input_widths = tuple(tuple(int(s) for s in shape[1:]) for shape in input_shape)
        for transform, shape in zip(self.input_transforms, self._input_widths, strict=True):
            if not transform.built:
                transform.build((None, *shape))
        if not self.critic.built:
            x_shape, *target_shapes = (
                t.compute_output_shape((None, *shape))
                for t, shape in zip(self.input_transforms, self._input_widths, strict=True)
            )
            if len(target_shapes) == 1:
                z_shape = target_shapes[0]
            elif all(len(shape) == 2 for shape in target_shapes):  # (y, z) side by side
                z_shape = (None, sum(shape[-1] for shape in target_shapes))
            else:
                raise ValueError(
                    "A conditional model takes tabular y and z, (n, features) each; "
                    f"received samples of shapes {self._input_widths[1:]}."
                )
            self.critic.build(tuple(x_shape), tuple(z_shape))

    def _require_target(self, target) -> None:
        if target is None:
            raise ValueError(
                f"{type(self).__name__} needs both variables: call fit(x, z) with "
                "z where Keras puts targets, or pass a dataset of (x, z) pairs."
            )

    def _build_for(self, x, target) -> None:
        """Build from the shapes of a batch, or of specs, unless built.

        Keras' own symbolic build, which it runs under any tf.distribute
        scope, cannot read the epoch-per-call inputs (a dict of arrays).
        """
        self._require_target(target)
        if not self.built:
            with self.distribute_strategy.scope():
                self.build(tuple(a.shape for a in self._call_inputs(x, target)))

    def call(self, inputs, training: bool = False):
        """Return critic scores T(x, z) for raw ``inputs = (x, z)`` (transformed first)."""
        return self._score(self._transform(inputs), training=training)

    def _score(self, inputs, training: bool = False):
        """Critic scores for inputs already through `input_transforms`."""
        x, z = inputs
        return self.critic(x, z, training=training)

    def _transform(self, parts):
        """Each of ``(x, z)`` (or ``(x, y, z)``) through its fitted `MarginalTransform`."""
        return tuple(t(p) for t, p in zip(self.input_transforms, parts, strict=True))

    # ---------------------------------------------------------- preprocessing
    @property
    def is_adapted(self) -> bool:
        """Whether the input transforms are fitted (by `fit` or `adapt`)."""
        return all(t.is_adapted for t in self.input_transforms)

    def adapt(self, x, z=None) -> None:
        """Fit the input transforms on training rows (`fit` does it when needed).

        Like `keras.layers.Normalization.adapt`: pass the rows the model will
        train on (arrays, or a tf.data.Dataset of (x, z) batches as `x`);
        rows read out later are mapped with what was fitted here. Of a
        dataset, the first chunk is read (`keras_mine.core.data.dataset_chunks`:
        65,536 rows, fewer for wide rows, at least 4,096), as Keras'
        ``adapt(steps=...)`` reads a part: enough
        for the quantiles of the normal scores, and bounded memory for data
        streamed from files (`keras_mine.npy_dataset`, whose first rows come
        from random blocks of the file). Any increasing map keeps the MI, so
        a part only changes how well the critic's inputs are spread.
        """
        if isinstance(x, tf.data.Dataset):
            parts = list(next(dataset_chunks(x)))
        else:
            parts = tf.nest.flatten(self._check_inputs(x, z))
        self._build_for(parts[0], tuple(parts[1:]) if len(parts) > 2 else parts[1])
        for transform, values in zip(self.input_transforms, parts, strict=True):
            transform.adapt(values)

    def _dataset_parts(self, parts: tuple) -> tuple:
        """(x, target) of one chunk of a dataset, checked: target (y, z) for (x, y, z)."""
        x, *target = parts
        return self._check_inputs(x, tuple(target) if len(target) > 1 else target[0])

    def _require_adapted(self) -> None:
        if not self.is_adapted:
            raise ValueError(
                f"This {type(self).__name__} has preprocessing={self.preprocessing!r} but its "
                "input transforms are not fitted: call fit(x, z) (or adapt(x, z) on the "
                "training rows) first."
            )

    def _transform_arrays(self, x: np.ndarray, target):
        """Checked numpy inputs through the input transforms, as float32 numpy arrays.

        In blocks of rows (`keras_mine.core.data.block_rows`): the map's
        float64 intermediates grow with the values transformed at once.
        """
        parts = tf.nest.flatten((x, target))
        block = block_rows(max(p[0].size for p in parts), values=2**22)
        as_numpy = keras.ops.convert_to_numpy
        out = [
            np.concatenate([as_numpy(t(p[i : i + block])) for i in range(0, len(p), block)])
            for t, p in zip(self.input_transforms, parts, strict=True)
        ]
        return tf.nest.pack_sequence_as((x, target), out)

    def compute_objective(self, t_joint, t_marginal, training: bool):
        """Scalar to maximize, from scores on joint and marginal samples."""
        raise NotImplementedError

    def make_marginal(self, target, seed):
        """Turn a batch of joint targets into product-of-marginals targets.

        Default: permute z against x (`keras_mine.core.data.shuffle_marginal`).
        """
        return shuffle_marginal(target, seed)

    def _call_inputs(self, x, target) -> tuple:
        """The inputs of `call` for a batch: ``(x, z)`` here."""
        return (x, target)

    def _joint_and_marginal_scores(self, x, target, seed, training: bool):
        # Two critic calls: measured faster than one call on the concatenated
        # 2n batch (the concatenation and the split of the scores cost more
        # than the second call in graphs of small critics).
        marginal = self.make_marginal(target, seed)
        t_joint = self._score(self._call_inputs(x, target), training=training)
        t_marginal = self._score(self._call_inputs(x, marginal), training=training)
        return t_joint, t_marginal

    def _batch_objective(self, x, target, seed, training: bool):
        """``(objective, t_joint, t_marginal)`` of a batch; the metrics use the scores."""
        t_joint, t_marginal = self._joint_and_marginal_scores(x, target, seed, training)
        return self.compute_objective(t_joint, t_marginal, training), t_joint, t_marginal

    def _unpack(self, data):
        """Raw ``(x, target)`` of a batch through the input transforms (compute dtype out).

        The transforms take the raw values (float64 from arrays) and return
        the compute dtype: casting first would round 1e9 + x to float32.
        """
        x, z, _ = keras.utils.unpack_x_y_sample_weight(data)
        self._require_target(z)
        return tf.nest.pack_sequence_as((x, z), self._transform(tf.nest.flatten((x, z))))

    def _train_batch(self, x, target) -> None:
        """One optimizer step on one minibatch; updates the metrics."""
        with tf.GradientTape() as tape:
            objective, t_joint, t_marginal = self._batch_objective(
                x, target, self.shuffle_seed_generator, training=True
            )
            loss = -objective
            scaled = scale_loss_for_replicas(loss)  # Keras sums replicas' gradients
            # Mixed precision: compile wraps the optimizer in a LossScaleOptimizer,
            # which unscales the gradients in `apply` (a no-op for others).
            scaled = self.optimizer.scale_loss(scaled)
        gradients = tape.gradient(scaled, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        self._update_metrics(loss, t_joint, t_marginal)

    def train_step(self, data):
        """One optimizer step on one batch of (x, z), as Keras' loop calls it."""
        self._train_batch(*self._unpack(data))
        return logs_for_keras({metric.name: metric.result() for metric in self.metrics})

    def test_step(self, data):
        return logs_for_keras(self._test_batch(*self._unpack(data)))

    def _test_batch(self, x, target) -> dict:
        """Validation metrics of one transformed batch (fixed permutation pattern)."""
        objective, t_joint, t_marginal = self._batch_objective(
            x, target, self.validation_seed, training=False
        )
        return self._update_metrics(-objective, t_joint, t_marginal)

    def _update_metrics(self, loss, t_joint, t_marginal) -> dict:
        self.loss_tracker.update_state(loss)
        self.mi_metric.update_state(t_joint, t_marginal)
        return {metric.name: metric.result() for metric in self.metrics}

    @property
    def metrics(self) -> list:
        return [self.loss_tracker, self.mi_metric]

    # ------------------------------------------------------------- user input
    def _check_inputs(self, x, z) -> tuple[np.ndarray, np.ndarray]:
        """Validate (x, target) arrays; return x and the target (here z)."""
        x, z = check_paired_samples(x, z, ("x", "z"), dtype="float64",  # the transforms cast
                                    structured=True)  # fmt: skip
        self._check_widths((x.shape[1:], z.shape[1:]), ("x", "z"))
        return x, z

    def _check_widths(self, shapes: tuple, names: tuple) -> None:
        """Refuse samples of other shapes than those the model was built for."""
        shapes = tuple(tuple(int(s) for s in shape) for shape in shapes)
        if self._input_widths is not None and shapes != self._input_widths:
            def words(shape):
                return f"{shape[0]}" if len(shape) == 1 else f"samples of shape {shape}"

            built = " and ".join(
                f"{name} with {words(w)}" for name, w in zip(names, self._input_widths,
                                                            strict=True)  # fmt: skip
            )
            received = " and ".join(words(w) for w in shapes)
            raise ValueError(
                f"This model was built for {built} feature(s); received {received}. "
                "Build a new model for data of another shape."
            )

    # --------------------------------------------------------- serialization
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable, "seed": self.seed,
                  "dtype": keras.dtype_policies.serialize(self.dtype_policy),
                  "preprocessing": self.preprocessing,
                  "norm_feature": self.norm_feature}  # fmt: skip
        return {**config, **critic_config(self, custom=self._custom_critic)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**with_critic_deserialized(config))
