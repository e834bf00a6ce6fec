"""Base Keras model for critic-based MI estimators (MINE, classifier, ...).

It owns what all critic-based estimators share: input checks, the
product-of-marginals shuffles in `train_step` and `test_step`, the `mi` and
`val_mi` metrics, and the full-data `estimate`. A subclass says only what its
training objective is (`compute_objective`).
"""

from __future__ import annotations

import warnings
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_mine.core.bounds import donsker_varadhan, donsker_varadhan_stderr, log_mean_exp
from keras_mine.core.critics import MLPCritic, critic_config, with_critic_deserialized
from keras_mine.core.data import (
    READOUT_BLOCK,
    VALIDATION_BLOCK,
    dataset_to_arrays,
    marginal_permutations,
    shuffle_marginal,
    take_rows,
)
from keras_mine.core.distribute import (
    across_workers,
    first_local_values,
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
from keras_mine.core.validation import check_fraction, check_int, check_paired_samples, to_units
from keras_mine.models.epochs import EpochFunctionMixin, block_loop, epoch_order, minibatch_loop

__all__ = ["CriticModel"]

class CriticModel(EpochFunctionMixin, keras.Model):
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
            critic = MLPCritic(
                hidden_dim=hidden_dim,
                num_hidden_layers=num_hidden_layers,
                activation=activation,
                seed=seed,
                dtype=self.dtype_policy,
            )
            self._custom_critic = False
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
        self._input_widths: tuple[int, int] | None = None
        self._score_function = None

    #: The fixed permutation pattern of validation batches: the same for every
    #: model, so a validation MI is a function of the weights and rows alone.
    validation_seed = SeedStreams(0).integer("validation")

    @property
    def readout_seed(self) -> int:
        """The default seed of the readout's shuffles: a named stream of `seed` (0 if None)."""
        return SeedStreams(0 if self.seed is None else self.seed).integer("readout")

    # ----------------------------------------------------------------- graph
    def build(self, input_shape) -> None:
        self._input_widths = tuple(int(shape[-1]) for shape in input_shape)
        for transform, width in zip(self.input_transforms, self._input_widths, strict=True):
            if not transform.built:
                transform.build((None, width))
        if not self.critic.built:
            x_width, *target_widths = (
                t.compute_output_shape((None, width))[-1]
                for t, width in zip(self.input_transforms, self._input_widths, strict=True)
            )
            self.critic.build((None, x_width), (None, sum(target_widths)))

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
        rows read out later are mapped with what was fitted here.
        """
        if isinstance(x, tf.data.Dataset):
            batches = [tf.nest.flatten(keras.utils.unpack_x_y_sample_weight(b)[:2]) for b in x]
            if not batches:
                raise ValueError("The tf.data.Dataset is empty; it must yield (x, z) batches.")
            parts = [np.concatenate([np.asarray(b[i]) for b in batches]) for i in range(
                len(batches[0]))]  # fmt: skip
        else:
            parts = tf.nest.flatten(self._check_inputs(x, z))
        self._build_for(parts[0], tuple(parts[1:]) if len(parts) > 2 else parts[1])
        for transform, values in zip(self.input_transforms, parts, strict=True):
            transform.adapt(values)

    def _require_adapted(self) -> None:
        if not self.is_adapted:
            raise ValueError(
                f"This {type(self).__name__} has preprocessing={self.preprocessing!r} but its "
                "input transforms are not fitted: call fit(x, z) (or adapt(x, z) on the "
                "training rows) first."
            )

    def _transform_arrays(self, x: np.ndarray, target, block: int = 65536):
        """Checked numpy inputs through the input transforms, as float32 numpy arrays."""
        parts = tf.nest.flatten((x, target))
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

    def train_epoch(self, x, target, batch_size, order=None) -> None:
        """One epoch in the graph: a `_train_batch` per minibatch of rows `order`.

        `order` is a permutation of the rows (default: a fresh shuffle from
        the model's seed generator); minibatches take `batch_size` of its
        entries in turn, the last one the rest. Called inside a compiled
        function, the whole epoch runs without returning to Python.
        """
        if order is None:
            order = epoch_order(tf.shape(x)[0], True, self.shuffle_seed_generator)
        minibatch_loop(lambda batch: self._train_batch(*batch), (x, target), batch_size, order)

    def train_step(self, data):
        """One optimizer step on one batch of (x, z), as Keras' loop calls it."""
        self._train_batch(*self._unpack(data))
        return logs_for_keras({metric.name: metric.result() for metric in self.metrics})

    def epoch_inputs(
        self, x, target, *, batch_size: int, validation: tuple | None = None,
        shuffle: bool = True,
    ) -> dict:  # fmt: skip
        """The input of `train_epoch_step` for checked raw arrays; builds the model.

        Args:
            x, target: Training rows (z, or (y, z) for a conditional model).
            batch_size: Rows per minibatch (at most the number of rows).
            validation: Optional ``(x_val, target_val)``, read out after the epoch.
            shuffle: Whether each epoch visits the rows in a fresh random order.

        Returns:
            A dict of tensors to pass to `train_epoch_step` (or to the
            function `make_train_epoch_function` returns), once per epoch.
        """
        self._build_for(x, target)
        data = {"x": x, "target": target, "batch_size": min(check_int(batch_size, "batch_size"),
                len(x)), "shuffle": bool(shuffle)}  # fmt: skip
        if validation is not None:
            data.update(x_val=validation[0], target_val=validation[1])
        return tf.nest.map_structure(tf.convert_to_tensor, data)

    def train_epoch_step(self, data: dict) -> dict:
        """A whole epoch as one step: the minibatch loop, then validation, in the graph.

        This is what `fit` runs once per epoch on array inputs.

        Args:
            data: A dict from `epoch_inputs`: ``x``, ``target``, ``batch_size``,
                ``shuffle`` and optionally ``x_val``, ``target_val``.

        Returns:
            The epoch's logs: the training metrics, and ``val_``-prefixed
            metrics on the validation rows when given.
        """
        x, target = self._unpack((data["x"], data["target"]))
        for metric in self.metrics:
            metric.reset_state()
        order = epoch_order(tf.shape(x)[0], data["shuffle"], self.shuffle_seed_generator)
        self.train_epoch(x, target, data["batch_size"], order)
        logs = {metric.name: metric.result() for metric in self.metrics}
        if "x_val" in data:
            for metric in self.metrics:
                metric.reset_state()
            self._validate(*self._unpack((data["x_val"], data["target_val"])))
            logs.update({f"val_{m.name}": m.result() for m in self.metrics})
        return logs

    def _validate(self, x_val, target_val) -> None:
        """`_test_batch` on blocks of `VALIDATION_BLOCK` rows, in a graph loop."""
        block_loop(lambda block: self._test_batch(*block), (x_val, target_val), VALIDATION_BLOCK)

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
        x, z = check_paired_samples(x, z, ("x", "z"), dtype="float64")  # the transforms cast
        self._check_widths((x.shape[1], z.shape[1]), ("x", "z"))
        return x, z

    def _check_widths(self, widths: tuple, names: tuple) -> None:
        if self._input_widths is not None and tuple(widths) != self._input_widths:
            built = " and ".join(
                f"{name} with {w}" for name, w in zip(names, self._input_widths, strict=True)
            )
            received = " and ".join(str(w) for w in widths)
            raise ValueError(
                f"This model was built for {built} feature(s); received {received}. "
                "Build a new model for data of another shape."
            )

    def fit(self, x=None, y=None, batch_size=None, epochs=1, **kwargs):
        """Keras `fit`, with z passed as `y`; array inputs run one graph call per epoch.

        Numpy arrays, tf tensors and pandas objects are validated (see
        `keras_mine.core.validation.check_samples`) and copied. Each epoch is
        then one call of `train_epoch_step`: `train_epoch` loops over
        minibatches of `batch_size` (default 32) inside the graph, reshuffled
        every epoch (unless ``shuffle=False``), and the validation MI is
        computed in the same graph call. This is the training of Keras'
        per-batch loop without its per-step (and per-epoch) Python and
        iterator overhead, which dominates for small critics (figures in
        docs/benchmarks.md). Epoch-level callbacks (EarlyStopping,
        ReduceLROnPlateau, ...) and the History work unchanged; batch-level
        hooks see one batch per epoch. Outside `fit`, `train_step` (and so
        `train_on_batch`) trains one batch, as in Keras.

        ``validation_split`` takes the last rows, as in Keras, and
        ``validation_data=(x_val, z_val)``, checked like the training data,
        overrides it, as in Keras. Arguments after `epochs` are keyword-only.
        Sample and class weights are refused: every row is one joint sample,
        and the marginal samples are built from the rows themselves.

        A ``tf.data.Dataset`` of (x, z) batches is trained batch by batch,
        as Keras does; ``compile(steps_per_execution=...)`` applies to it only.
        """
        for name in ("sample_weight", "class_weight"):
            if kwargs.pop(name, None) is not None:
                raise ValueError(
                    f"{type(self).__name__}.fit does not take `{name}`: each row is one "
                    "sample of the joint distribution. To weight rows, resample them "
                    "(e.g. rows = rng.choice(n, n, p=weights)) and fit on x[rows], z[rows]."
                )
        validation = kwargs.pop("validation_data", None)
        split = kwargs.pop("validation_split", None) or 0.0
        if isinstance(validation, (tuple, list)):
            if len(validation) != 2:
                raise ValueError(
                    "`validation_data` must be a pair (x_val, target_val); received "
                    f"{len(validation)} items."
                )
            validation = self._check_inputs(*validation)
        if isinstance(x, tf.data.Dataset):
            if split:
                raise ValueError(
                    "`validation_split` cannot split a tf.data.Dataset; pass "
                    "`validation_data` instead."
                )
            x_spec, target_spec, _ = keras.utils.unpack_x_y_sample_weight(x.element_spec)
            self._build_for(x_spec, target_spec)
            if not self.is_adapted:
                self.adapt(x)
            kwargs.setdefault("shuffle", False)  # Keras cannot shuffle a dataset
            return super().fit(x, y, batch_size, epochs, validation_data=validation, **kwargs)
        x, y = self._check_inputs(x, y)
        self._build_for(x, y)
        if split and validation is None:  # as in Keras, validation_data wins
            keep = int(len(x) * (1.0 - check_fraction(split, "validation_split")))
            if keep < 2 or len(x) - keep < 2:
                raise ValueError(
                    f"validation_split={split} leaves fewer than 2 training or validation "
                    f"samples out of {len(x)}; pass more data or another split."
                )
            x, y, validation = x[:keep], take_rows(y, slice(0, keep)), (
                x[keep:], take_rows(y, slice(keep, None)))  # fmt: skip
        batch_size = 32 if batch_size is None else check_int(batch_size, "batch_size")
        if not self.is_adapted:
            self.adapt(x, y)  # the training rows only, after the validation split
        if getattr(self, "_distribute_strategy", None) is not None:
            # Built in a tf.distribute scope: Keras runs each step in a replica
            # context, where the optimizer's cross-replica update cannot sit in
            # the epoch step's graph loop.
            return self._fit_by_batches(x, y, validation, batch_size, epochs, **kwargs)
        data = self.epoch_inputs(x, y, batch_size=batch_size, validation=validation,
                                 shuffle=kwargs.pop("shuffle", True))  # fmt: skip
        epoch_function = self.make_train_epoch_function()
        # Keras' loop calls train_function(iterator) once per step, and one
        # step is one epoch here; steps_per_execution > 1 would run several
        # epochs between two calls of the epoch callbacks.
        saved = self.train_function, self.steps_per_execution
        self.train_function = lambda iterator: epoch_function(iterator.get_next())
        self.steps_per_execution = 1
        try:
            return super().fit(
                tf.data.Dataset.from_tensors(data).repeat(), None, None, epochs,
                steps_per_epoch=1, shuffle=False, **kwargs,
            )  # fmt: skip
        finally:
            self.train_function, self.steps_per_execution = saved

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        """Keras' build from the first batch, without reducing it over the workers.

        Under any tf.distribute strategy Keras 3 averages the first batch over
        the replicas before its symbolic build (which needs only shapes and
        dtypes); under MultiWorkerMirroredStrategy that reduction fails for
        every model whose batches are a structure, such as (x, z) pairs
        (keras-team/keras#20585). One replica's own slice has the same shapes.
        """
        if iterator is not None and data_batch is None:
            for _, _, batches in iterator:  # as Keras reads its epoch iterator
                data_batch = first_local_values(next(batches))
                break
        return super()._maybe_symbolic_build(data_batch=data_batch)

    def _fit_by_batches(self, x, y, validation, batch_size, epochs, **kwargs):
        """Checked arrays under a tf.distribute strategy: batch by batch, as Keras does.

        Keras splits each global batch over the replicas; each replica
        shuffles its own slice for the marginal samples, and the optimizer
        sums the replicas' (scaled) gradients. Over several workers, each
        worker shuffles the rows itself and takes its own share of the
        batches, so the workers must shuffle alike: from the model's seed.
        """
        if self.seed is None and across_workers(self.distribute_strategy):
            warnings.warn(
                f"{type(self).__name__}(seed=None) under a MultiWorkerMirroredStrategy: "
                "each worker shuffles the rows in its own order and takes its share of "
                "the batches, so an epoch repeats some rows and skips others. Pass the "
                "same seed on every worker.",
                UserWarning,
                stacklevel=3,
            )

        def batches(a, b, shuffle: bool) -> tf.data.Dataset:
            data = tf.data.Dataset.from_tensor_slices((a, b))
            if shuffle:
                data = data.shuffle(len(a), seed=self.seed, reshuffle_each_iteration=True)
            return data.batch(batch_size)

        if validation is not None:
            validation = batches(*validation, shuffle=False)
        train = batches(x, y, shuffle=kwargs.pop("shuffle", True))
        return self.fit(train, None, None, epochs, validation_data=validation, **kwargs)

    def predict_step(self, data):
        """Critic scores T(x, z) of a batch of ``(x, z)`` passed as `x` to `predict`."""
        inputs, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        if not isinstance(inputs, (tuple, list)) or len(inputs) != self._input_parts:
            names = "(x, z)" if self._input_parts == 2 else "(x, y, z)"
            raise ValueError(
                f"{type(self).__name__}.predict takes the pair {names} as its first "
                f"argument, predict({names}), and returns the critic scores T{names}; "
                "for the MI itself call estimate()."
            )
        return self(tuple(inputs), training=False)

    # --------------------------------------------------------------- readout
    def scores(self, x, z, batch_size: int = READOUT_BLOCK) -> np.ndarray:
        """Critic scores T(x_i, z_i) for paired raw rows, computed in batches."""
        return self._scores_checked(*self._check_inputs(x, z), batch_size)

    def _scores_checked(self, x: np.ndarray, target, batch_size: int) -> np.ndarray:
        self._build_for(x, target)
        self._require_adapted()
        return self._model_scores(*self._transform_arrays(x, target), batch_size)

    def _model_scores(self, x: np.ndarray, target, batch_size: int) -> np.ndarray:
        """Critic scores of transformed rows, in batches of `batch_size`."""
        if self._score_function is None:
            self._score_function = tf.function(
                lambda a, b: self._score(self._call_inputs(a, b), training=False),
                reduce_retracing=True,
            )
        chunks = []
        for i in range(0, len(x), batch_size):
            rows = slice(i, i + batch_size)
            chunk = tf.nest.map_structure(lambda a, r=rows: a[r], target)
            chunks.append(self._score_function(x[rows], chunk))
        return np.concatenate([np.asarray(c, dtype=np.float64) for c in chunks])

    def _marginal_targets(self, x: np.ndarray, target, num_shuffles: int, seed: int) -> list:
        """Targets paired with x as product-of-marginals samples for `estimate`."""
        return [target[p] for p in marginal_permutations(len(x), num_shuffles, seed)]

    def _readout(self, t_joint: np.ndarray, t_marginal: np.ndarray) -> float:
        """MI in nats from scores on joint and marginal samples: the DV bound."""
        return float(donsker_varadhan(tf.constant(t_joint), tf.constant(t_marginal)))

    def _estimate_checked(self, x, target, batch_size, num_shuffles, seed, units) -> float:
        value, _ = self.readout_with_error(x, target, batch_size=batch_size,
                                           num_shuffles=num_shuffles, seed=seed)  # fmt: skip
        return to_units(value, units)

    def readout_with_error(
        self, x: np.ndarray, target, *, batch_size: int = READOUT_BLOCK, num_shuffles: int = 5,
        seed: int | None = None,
    ) -> tuple[float, float]:  # fmt: skip
        """The `estimate` of checked raw arrays, in nats, and its standard error.

        The standard error is the readout's sampling noise for this critic
        (`keras_mine.core.bounds.donsker_varadhan_stderr`), not the spread from
        training; NaN where no formula applies.
        """
        check_int(num_shuffles, "num_shuffles")
        self._build_for(x, target)
        self._require_adapted()
        x, target = self._transform_arrays(x, target)
        seed = self.readout_seed if seed is None else seed
        return self._readout_transformed(x, target, batch_size, num_shuffles, seed)

    def _readout_scores(self, x, target, batch_size, num_shuffles, seed):
        """Scores of transformed joint rows and of `num_shuffles` marginal pairings of them."""
        t_joint = self._model_scores(x, target, batch_size)
        t_marginal = np.concatenate(
            [
                self._model_scores(x, marginal, batch_size)
                for marginal in self._marginal_targets(x, target, num_shuffles, seed)
            ]
        )
        return t_joint, t_marginal

    def _readout_transformed(self, x, target, batch_size, num_shuffles, seed):
        t_joint, t_marginal = self._readout_scores(x, target, batch_size, num_shuffles, seed)
        stderr = float(donsker_varadhan_stderr(t_joint, t_marginal))
        return self._readout(t_joint, t_marginal), stderr

    def _pointwise(self, t_joint: np.ndarray, t_marginal: np.ndarray) -> np.ndarray:
        """Per-row log density ratio: DV's score minus its log-partition term."""
        return t_joint - float(log_mean_exp(tf.constant(t_marginal)))

    def pointwise_mi(
        self, x, z=None, *, batch_size: int = READOUT_BLOCK, num_shuffles: int = 5,
        seed: int | None = None,
    ) -> np.ndarray:  # fmt: skip
        """Per-row estimates of the pointwise MI, log p(x_i, z_i) / (p(x_i) p(z_i)), in nats.

        A DV critic is the log density ratio up to a constant; the constant
        is its log-partition term ``log mean exp T`` over product-of-marginals
        pairs of the given rows (the term `estimate` subtracts). So the mean
        of the returned values is ``estimate(x, z)`` with the same
        `num_shuffles` and `seed`. A classifier with ``readout="log_odds"``
        returns its logits, whose mean is its log-odds readout.

        Args:
            x: Samples of X, (n_samples,) or (n_samples, dim_x).
            z: Samples of Z, paired with `x` by row.
            batch_size: Rows per critic call.
            num_shuffles: Permutations of z forming the marginal pairs of
                the log-partition term.
            seed: Seed of those permutations (default: the model's readout
                stream, a named stream of its `seed`).

        Returns:
            A float64 array of shape (n_samples,).
        """
        x, target = self._check_inputs(x, z)
        check_int(num_shuffles, "num_shuffles")
        self._build_for(x, target)
        self._require_adapted()
        x, target = self._transform_arrays(x, target)
        seed = self.readout_seed if seed is None else seed
        return self._pointwise(*self._readout_scores(x, target, batch_size, num_shuffles, seed))

    def estimate(
        self,
        x,
        z=None,
        *,
        batch_size: int = READOUT_BLOCK,
        num_shuffles: int = 5,
        seed: int | None = None,
        units: str = "nats",
    ) -> float:
        """Estimate I(X;Z) from the trained critic with the Donsker-Varadhan formula.

        ``mean_i T(x_i, z_i) - log mean_{k,i} exp T(x_i, z_{pi_k(i)})`` over
        *all* given samples, where ``pi_1..pi_K`` are `num_shuffles` random
        permutations drawn from `seed`: the marginal samples are the same for
        the same data and seed, so the estimate is deterministic. More
        shuffles lower the variance of the second term.

        Pass samples the critic was *not* trained on (a held-out test set):
        on its own training samples the estimate is biased upward.

        Args:
            x, z: Paired samples (array-like), or a tf.data.Dataset of
                (x, z) batches as `x`.
            batch_size: Rows scored at once (memory only; the result does
                not depend on it).
            num_shuffles: Number of permutations of z forming the marginal
                samples.
            seed: Seed of those permutations (default: the model's readout
                stream, a named stream of its `seed`).
            units: "nats" or "bits".

        Returns:
            The MI estimate (float).
        """
        x, z = self._paired_inputs(x, z)
        return self._estimate_checked(x, z, batch_size, num_shuffles, seed, units)

    def _paired_inputs(self, x, z) -> tuple[np.ndarray, np.ndarray]:
        """Checked arrays from x and z, or from a dataset of (x, z) batches passed as `x`."""
        if isinstance(x, tf.data.Dataset):
            if z is not None:
                raise ValueError("Pass either a dataset of (x, z) pairs as `x`, or x and z.")
            x, z = dataset_to_arrays(x)
        return self._check_inputs(x, z)

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
