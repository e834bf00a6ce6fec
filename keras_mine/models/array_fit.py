"""`ArrayFitMixin`: Keras `fit` on arrays as one compiled call per epoch.

Keras' per-batch loop returns to Python after every minibatch, which is most
of the time of a small critic's step (docs/benchmarks.md). For checked
arrays, `fit` feeds Keras' loop one epoch per step: the epoch step of
`keras_mine.models.epochs.EpochFunctionMixin`. Datasets, and models built
under a tf.distribute strategy, train batch by batch as Keras does.
"""

from __future__ import annotations

import warnings

import keras
import tensorflow as tf

from keras_mine.core.data import take_rows
from keras_mine.core.distribute import across_workers, first_local_values
from keras_mine.core.validation import check_fraction, check_int

__all__ = ["ArrayFitMixin"]


class ArrayFitMixin:
    """The `fit` of `keras_mine.models.CriticModel` (see `fit`)."""

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
        if not self.compiled:  # Keras' own check, with what to do
            raise ValueError(
                f"You must call `compile()` before {type(self).__name__}.fit, as for any "
                "Keras model: model.compile(optimizer=keras.optimizers.Adam(1e-3)). Or call "
                "keras_mine.estimate_mi(x, z), which trains with tested defaults."
            )
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
