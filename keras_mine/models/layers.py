"""`MutualInformation`: an MI estimate of two tensors as a layer of a larger model."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from keras_mine.core.bounds import donsker_varadhan
from keras_mine.core.critics import (
    MLPCritic,
    SeparableCritic,
    critic_config,
    with_critic_deserialized,
)
from keras_mine.core.data import shuffle_marginal
from keras_mine.core.objectives import OBJECTIVES, get_objective
from keras_mine.core.validation import check_number, check_seed

__all__ = ["MutualInformation", "LAYER_LOSSES"]

#: Objectives the layer's critic can train with (those without state; see
#: `keras_mine.core.objectives.OBJECTIVES`). "js" returns the DV readout of
#: its critic, the others their own value.
LAYER_LOSSES = OBJECTIVES.subset(
    lambda name, o: not (o.moving_average or o.density) and name not in ("remine", "classifier")
)


@keras.saving.register_keras_serializable(package="keras_mine")
class MutualInformation(keras.layers.Layer):
    """A critic and a bound: the MI estimate of two tensors, inside any model.

    ``mi = MutualInformation()(x, z)`` returns a scalar, a lower bound on
    I(X; Z) estimated on the batch: the critic scores the joint rows and the
    product-of-marginals rows (z permuted within the batch, or, for InfoNCE,
    every x against every z). It is differentiable in the critic's weights
    and in both inputs, so it can be a training signal:

    * **maximize** (InfoMax, contrastive learning): ``loss_weight > 0`` adds
      ``-loss_weight * objective`` to the layer's losses (`add_loss`), and
      the model's optimizer trains the encoders and the critic together;
    * **minimize** (remove information about a nuisance or sensitive
      variable): the critic must still *maximize* the bound while the
      encoder minimizes it. Use `keras_mine.MIRegularizedModel`, which gives
      the critic its own optimizer; do not add ``+mi`` as a plain loss (the
      critic would then learn to underestimate).

    Args:
        loss: Training objective, a key of `LAYER_LOSSES`: "infonce"
            (default; needs a critic with ``score_matrix``, the default
            `SeparableCritic`), "nwj", "mine_biased", "smile", "js".
        critic: Optional Keras layer ``critic(x, z) -> (batch,)``. Default:
            `SeparableCritic` for "infonce", `MLPCritic` otherwise, with
            the settings below.
        loss_weight: Weight of ``-objective`` added as a layer loss in
            training (0: add nothing, only return the estimate).
        hidden_dim: Units of each hidden layer of the default critic.
        num_hidden_layers: Hidden layers of the default critic.
        activation: Activation of the default critic.
        tau: SMILE's clipping threshold (loss "smile" only; default 5).
        seed: Optional int seeding the critic and the in-batch shuffles.
        x_encoder: Optional Keras layer or model in front of the default
            critic for x (see `keras_mine.MLPCritic`); images (batch, h, w, c)
            and sequences (batch, t, f) get a `keras_mine.ConvEncoder` by default.
        z_encoder: The same for z.

    Call arguments:
        x: Tensor (batch, dx), or (batch, ...) for an encoder. z: likewise,
            paired with x by row.
        training: Python bool; the loss is added only in training.

    Returns:
        Scalar tensor: the batch's MI estimate in nats (for "js", the DV
        readout of the JS-trained critic).

    Example:
    >>> mi_layer = MutualInformation(loss="nwj", seed=0)
    >>> x = keras.random.normal((256, 3), seed=1)
    >>> float(mi_layer(x, x[:, :1])) < 0.0   # untrained critic: far below the MI
    True
    """

    def __init__(
        self,
        loss: str = "infonce",
        critic: keras.layers.Layer | None = None,
        loss_weight: float = 0.0,
        hidden_dim: int = 64,
        num_hidden_layers: int = 2,
        activation: str = "relu",
        tau: float | None = None,
        seed: int | None = None,
        x_encoder: keras.layers.Layer | None = None,
        z_encoder: keras.layers.Layer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.objective = get_objective(loss, LAYER_LOSSES)
        self.loss_name = loss
        self.loss_weight = check_number(loss_weight, "loss_weight")
        # The loss's options (SMILE's tau); another loss given a tau raises.
        given = {} if tau is None else {"tau": tau}
        self.options = self.objective.check_options(f"loss={loss!r}", **given)
        self.tau = self.options.get("tau")
        self.seed = check_seed(seed)
        self._custom_critic = critic is not None
        if critic is None:
            critic_class = SeparableCritic if self.objective.score_matrix else MLPCritic
            critic = critic_class(
                hidden_dim=hidden_dim,
                num_hidden_layers=num_hidden_layers,
                activation=activation,
                seed=seed,
                x_encoder=x_encoder,
                z_encoder=z_encoder,
            )
        elif x_encoder is not None or z_encoder is not None:
            raise ValueError(
                "`x_encoder` and `z_encoder` configure the default critic; with your own "
                "`critic`, give the encoders to it (keras_mine.MLPCritic(x_encoder=...))."
            )
        elif self.objective.score_matrix and not callable(getattr(critic, "score_matrix", None)):
            raise ValueError(
                "loss='infonce' scores every x of a batch against every z: pass a critic "
                "with a score_matrix(x, z) method, such as keras_mine.SeparableCritic. "
                f"Received: {type(critic).__name__}."
            )
        self.hidden_dim = hidden_dim
        self.num_hidden_layers = num_hidden_layers
        self.activation = activation
        self.critic = critic
        self._shuffle_seed = keras.random.SeedGenerator(seed)

    def build(self, x_shape: tuple, z_shape: tuple) -> None:
        for name, shape in (("x", x_shape), ("z", z_shape)):
            if len(shape) < 2 or any(s is None for s in shape[1:]):
                raise ValueError(
                    f"MutualInformation expects batches of samples of known shape: "
                    f"(batch, features), (batch, steps, features) or (batch, h, w, channels); "
                    f"{name} has shape {tuple(shape)}."
                )
        self.critic.build(tuple(x_shape), tuple(z_shape))

    def objective_and_estimate(self, x, z) -> tuple[tf.Tensor, tf.Tensor]:
        """The critic's training objective and the MI estimate on one batch.

        Args:
            x, z: One batch of paired samples, each (batch, features).

        Returns:
            Two scalar tensors: the objective the critic maximizes, and the
            estimate in nats (the same tensor except for "js", read out
            with DV).
        """
        if self.objective.score_matrix:
            value = self.objective.train(self.critic.score_matrix(x, z))
            return value, value
        t_joint = self.critic(x, z)
        t_marginal = self.critic(x, shuffle_marginal(z, self._shuffle_seed))
        objective = self.objective.train(t_joint, t_marginal, **self.options)
        if not self.objective.is_bound:  # "js": its value is not an MI bound
            return objective, donsker_varadhan(t_joint, t_marginal)
        return objective, objective

    def call(self, x, z, training: bool | None = None):
        x = keras.ops.cast(x, self.compute_dtype)
        z = keras.ops.cast(z, self.compute_dtype)
        objective, estimate = self.objective_and_estimate(x, z)
        if training and self.loss_weight:
            self.add_loss(-self.loss_weight * objective)
        return estimate

    def compute_output_shape(self, x_shape: tuple, z_shape: tuple) -> tuple:
        return ()

    def get_config(self) -> dict:
        config = {
            **super().get_config(),
            "loss": self.loss_name,
            "loss_weight": self.loss_weight,
            "tau": self.tau,
            "seed": self.seed,
        }
        return {**config, **critic_config(self, custom=self._custom_critic)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**with_critic_deserialized(config))
