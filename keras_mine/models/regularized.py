"""`MIRegularizedModel`: a task model trained with an MI term on its representation."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from keras_mine.core.distribute import num_replicas, scale_loss_for_replicas
from keras_mine.core.validation import check_int, check_number, check_option
from keras_mine.models.layers import MutualInformation

__all__ = ["MIRegularizedModel", "DIRECTIONS"]

DIRECTIONS = ("minimize", "maximize")


def _is_shape(shape) -> bool:
    return isinstance(shape, (tuple, list)) and all(
        dim is None or isinstance(dim, int) for dim in shape
    )


def _matrix_shape(shape) -> tuple:
    """The (batch, features) shape `_as_matrix` gives a tensor of `shape`."""
    if len(shape) == 1:
        return (shape[0], 1)
    width = 1
    for dim in shape[1:]:
        width = None if dim is None or width is None else width * int(dim)
    return (shape[0], width)


def _as_matrix(t, dtype):
    """(batch,) or (batch, ...) with known trailing dims -> (batch, features)."""
    width = _matrix_shape(t.shape)[1]
    if width is None:
        raise ValueError(f"The trailing dimensions must be known; got shape {t.shape}.")
    return keras.ops.reshape(keras.ops.cast(t, dtype), (-1, width))


@keras.saving.register_keras_serializable(package="keras_mine")
class MIRegularizedModel(keras.Model):
    """Train a model on its task while pushing I(representation; s) down or up.

    The wrapped `model` maps inputs to ``(prediction, representation)``.
    Each training step:

    1. the critic of `mi_layer` takes `critic_steps` ascent steps on its
       bound of I(representation; s), with the representation held fixed,
       on its own `critic_optimizer`: it keeps tracking the current MI;
    2. the model takes one step of the compiled optimizer on
       ``task_loss + mi_weight * mi`` (``direction="minimize"``: remove
       information about a nuisance or sensitive variable s) or
       ``task_loss - mi_weight * mi`` (``"maximize"``: InfoMax), with the
       critic held fixed.

    The critic thus always maximizes its bound, so the MI it reports is a
    lower-bound estimate, not a quantity the encoder can fool by shrinking
    the critic. This is the adversarial scheme of e.g. Belghazi et al.
    (2018, Sec. 5) and of MI-based fair representations.

    Args:
        model: A Keras model whose call returns ``(prediction, representation)``,
            the representation of shape (batch, features).
        mi_layer: A `keras_mine.MutualInformation` (its `loss_weight` must be
            0: this model applies the weight). Default: NWJ with an MLP critic.
        mi_weight: Weight of the MI term (>= 0).
        direction: "minimize" or "maximize".
        critic_optimizer: The critic's optimizer (default Adam at 1e-3).
        critic_steps: Critic updates per model update (>= 1).

    Data:
        ``fit(x=(inputs, s), y=targets)``: `s` is the variable whose MI with
        the representation is regulated, paired with the inputs by row.
        ``predict((inputs, s))`` returns the model's predictions.

    Metrics:
        ``loss`` (the task loss), ``mi`` (the critic's batch estimate of
        I(representation; s), nats) and the compiled metrics.
    """

    def __init__(
        self,
        model: keras.Model,
        mi_layer: MutualInformation | None = None,
        mi_weight: float = 1.0,
        direction: str = "minimize",
        critic_optimizer: keras.optimizers.Optimizer | None = None,
        critic_steps: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_option(direction, "direction", DIRECTIONS, "directions")
        mi_weight = check_number(mi_weight, "mi_weight", low=0.0)
        if mi_layer is None:
            mi_layer = MutualInformation(loss="nwj")
        if not isinstance(mi_layer, MutualInformation):
            raise ValueError(
                "`mi_layer` must be a keras_mine.MutualInformation layer. "
                f"Received: {type(mi_layer).__name__}."
            )
        if mi_layer.loss_weight:
            raise ValueError(
                "Pass a MutualInformation layer with loss_weight=0: MIRegularizedModel "
                "applies `mi_weight` itself (and the critic must always maximize)."
            )
        self.model = model
        self.mi_layer = mi_layer
        self.mi_weight = float(mi_weight)
        self.direction = direction
        self.critic_optimizer = critic_optimizer or keras.optimizers.Adam(1e-3)
        self.critic_steps = check_int(critic_steps, "critic_steps")
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mi_tracker = keras.metrics.Mean(name="mi")

    @staticmethod
    def _split(x):
        if not (isinstance(x, (tuple, list)) and len(x) == 2):
            raise ValueError(
                "MIRegularizedModel expects x=(inputs, s): the model's inputs and the "
                "variable whose MI with the representation is regulated."
            )
        return x[0], x[1]

    def _outputs(self, inputs, training: bool):
        outputs = self.model(inputs, training=training)
        if not (isinstance(outputs, (tuple, list)) and len(outputs) == 2):
            raise ValueError(
                "The wrapped model must return (prediction, representation); it returned "
                f"{type(outputs).__name__}."
            )
        prediction, representation = outputs
        return prediction, _as_matrix(representation, self.compute_dtype)

    def build(self, x_shape) -> None:
        """Build the critic and its optimizer from ``x_shape = (inputs_shape, s_shape)``.

        Runs on the first training or evaluation batch, and on load before
        the weights and both optimizers' states are restored.
        """
        inputs_shape, s_shape = (tuple(shape) for shape in x_shape)
        if not (_is_shape(inputs_shape) and _is_shape(s_shape)):
            raise ValueError(
                "MIRegularizedModel supports a model with one input tensor and an s "
                f"tensor; got shapes {x_shape}."
            )
        _, representation = self.model.compute_output_spec(keras.KerasTensor(inputs_shape))
        if not self.mi_layer.built:
            self.mi_layer.build(_matrix_shape(representation.shape), _matrix_shape(s_shape))
        if not self.critic_optimizer.built:
            self.critic_optimizer.build(self.mi_layer.trainable_variables)
        self._data_shapes = (inputs_shape, s_shape)
        self.built = True

    def _build_for(self, inputs, s) -> None:
        if not self.built:
            with self.distribute_strategy.scope():
                self.build(((None, *inputs.shape[1:]), (None, *s.shape[1:])))

    def fit(self, x=None, y=None, *args, **kwargs):
        """Keras `fit`; builds the model from `x = (inputs, s)` first.

        Keras' own symbolic build cannot trace this model's two-part input
        under a `tf.distribute` strategy, so the shapes are read here.
        """
        data = x.element_spec if isinstance(x, tf.data.Dataset) else x
        if isinstance(x, tf.data.Dataset):
            data = keras.utils.unpack_x_y_sample_weight(data)[0]
        if not self.built and isinstance(data, (tuple, list)) and len(data) == 2:
            if all(hasattr(part, "shape") for part in data):
                self._build_for(*data)
        return super().fit(x, y, *args, **kwargs)

    def get_build_config(self) -> dict | None:
        shapes = getattr(self, "_data_shapes", None)
        return None if shapes is None else {"input_shape": [list(shape) for shape in shapes]}

    def compile_from_config(self, config: dict) -> None:
        # Keras would build the optimizer over all trainable variables; this
        # model's optimizer only ever updates the wrapped model's.
        built, self.built = self.built, False
        super().compile_from_config(config)
        self.built = built
        if built and getattr(self, "optimizer", None) is not None:
            self.optimizer.build(self.model.trainable_variables)

    def call(self, x, training: bool = False):
        inputs, _ = self._split(x)
        return self._outputs(inputs, training)[0]

    def _signed_mi(self, mi):
        sign = 1.0 if self.direction == "minimize" else -1.0
        return sign * self.mi_weight * mi

    def _unpack(self, data):
        """(x, y, sample_weight, inputs, s as a matrix); builds on the first batch."""
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        inputs, s = self._split(x)
        self._build_for(inputs, s)
        return x, y, sample_weight, inputs, _as_matrix(s, self.compute_dtype)

    def train_step(self, data):
        x, y, sample_weight, inputs, s = self._unpack(data)
        critic_variables = self.mi_layer.trainable_variables
        model_variables = self.model.trainable_variables
        tape = tf.GradientTape()
        with tape:
            prediction, representation = self._outputs(inputs, training=True)
        # The critic catches up on this batch's representation, held fixed:
        # one forward pass of the model serves both updates.
        fixed = tf.stop_gradient(representation)
        for _ in range(self.critic_steps):
            with tf.GradientTape() as critic_tape:
                objective, _ = self.mi_layer.objective_and_estimate(fixed, s)
                critic_loss = self.critic_optimizer.scale_loss(scale_loss_for_replicas(-objective))
            grads = critic_tape.gradient(critic_loss, critic_variables)
            self.critic_optimizer.apply(grads, critic_variables)
        with tape:  # recording resumes
            # Keras' losses come scaled for the replicas (their gradients are
            # summed); the MI term is scaled here the same way.
            task_loss = self.compute_loss(
                x=x, y=y, y_pred=prediction, sample_weight=sample_weight, training=True
            )
            _, mi = self.mi_layer.objective_and_estimate(representation, s)
            total = task_loss + scale_loss_for_replicas(self._signed_mi(mi))
            total = self.optimizer.scale_loss(total)  # mixed precision (else a no-op)
        grads = tape.gradient(total, model_variables)
        self.optimizer.apply(grads, model_variables)
        return self._update_metrics(x, y, prediction, sample_weight, task_loss, mi)

    def test_step(self, data):
        x, y, sample_weight, inputs, s = self._unpack(data)
        prediction, representation = self._outputs(inputs, training=False)
        task_loss = self.compute_loss(
            x=x, y=y, y_pred=prediction, sample_weight=sample_weight, training=False
        )
        _, mi = self.mi_layer.objective_and_estimate(representation, s)
        return self._update_metrics(x, y, prediction, sample_weight, task_loss, mi)

    def _update_metrics(self, x, y, prediction, sample_weight, task_loss, mi) -> dict:
        self.loss_tracker.update_state(task_loss * num_replicas())  # the unscaled loss
        self.mi_tracker.update_state(mi)
        results = self.compute_metrics(x, y, prediction, sample_weight=sample_weight)
        return {**results, "mi": self.mi_tracker.result()}

    @property
    def metrics(self) -> list:
        # Our trackers replace Keras' own "loss" tracker, which only Keras'
        # default train_step updates; the compiled metrics follow.
        own = [self.loss_tracker, self.mi_tracker]
        return own + [m for m in super().metrics if m.name != "loss" and m not in own]

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "model": keras.saving.serialize_keras_object(self.model),
            "mi_layer": keras.saving.serialize_keras_object(self.mi_layer),
            "mi_weight": self.mi_weight,
            "direction": self.direction,
            "critic_optimizer": keras.optimizers.serialize(self.critic_optimizer),
            "critic_steps": self.critic_steps,
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["model"] = keras.saving.deserialize_keras_object(config["model"])
        config["mi_layer"] = keras.saving.deserialize_keras_object(config["mi_layer"])
        config["critic_optimizer"] = keras.optimizers.deserialize(config["critic_optimizer"])
        return cls(**config)
