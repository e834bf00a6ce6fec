"""MINE: mutual information neural estimation, as a Keras model."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_mine.core.bounds import log_mean_exp, smile
from keras_mine.core.distribute import gather_replicas
from keras_mine.core.objectives import (
    OBJECTIVES,
    MovingAverageState,
    get_objective,
    moving_average_objective,
)
from keras_mine.models.base import CriticModel

__all__ = ["MINE", "MINE_LOSSES"]

#: Valid values of ``MINE(loss=...)`` and what each trains (from
#: `keras_mine.core.objectives.OBJECTIVES`, where their options and defaults live).
#: InfoNCE, trained on score matrices, is its own model (`keras_mine.InfoNCE`).
MINE_LOSSES = OBJECTIVES.subset(
    lambda name, o: name != "classifier" and not o.score_matrix and not o.density
)

@keras.saving.register_keras_serializable(package="keras_mine")
class MINE(CriticModel):
    """Mutual Information Neural Estimation (Belghazi et al., ICML 2018).

    Trains a critic T(x, z) to maximize the Donsker-Varadhan bound
    ``E_P[T] - log E_Q[e^T]`` and reads I(X;Z) out of it (in nats). Metrics
    ``mi`` and ``val_mi`` are the DV bound over the epoch's training and
    validation samples.

    Args:
        loss: "mine_biased" (DV with its plain, biased minibatch gradient),
            "mine" (the same value, gradient corrected with a moving average of
            ``E_Q[e^T]`` of rate `alpha`), "remine" (DV minus
            ``reg_weight * (log E_Q[e^T] - log_partition_target)^2``, Choi &
            Lee 2022),
            "nwj" (Nguyen-Wainwright-Jordan), "smile" (Song & Ermon 2020) or
            "js" (Jensen-Shannon, Poole et al. 2019); see `MINE_LOSSES` and
            `keras_mine.core.bounds`. Every loss is read out with the DV bound
            on held-out scores (valid for any critic, and at least the NWJ
            value of the same critic), except "smile", read out with its
            clipped partition term. InfoNCE is `keras_mine.InfoNCE`.
        alpha: Rate of the moving average for ``loss="mine"``, in (0, 1]
            (default 0.01).
        reg_weight: Penalty weight for ``loss="remine"`` (>= 0, default 0.1).
        log_partition_target: The value ReMINE pins ``log E_Q[e^T]`` to, for
            ``loss="remine"`` (default 0).
        tau: Clipping threshold for ``loss="smile"`` (> 0, default 5).
            An option of another loss is an error; the defaults live in
            `keras_mine.core.objectives.OBJECTIVES`.
        **kwargs: The critic and input settings of
            `keras_mine.models.base.CriticModel` (`critic`, `hidden_dim`,
            `num_hidden_layers`, `activation`, `seed`, `preprocessing`,
            `norm_feature`) and Keras' `Model` arguments (`name`, `dtype`).

    The moving average of ``loss="mine"`` is updated in `train_step` only and
    saved with the model (variables ``log_moving_average`` and
    ``moving_average_updates``).

    Example:
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> x, z = bivariate_gaussian(0.9).sample(3_000, seed=0)   # true MI 0.830 nats
    >>> model = MINE(loss="mine", seed=0)
    >>> model.compile(optimizer=keras.optimizers.Adam(1e-2))
    >>> history = model.fit(x[:2000], z[:2000], batch_size=256, epochs=30,
    ...                     validation_split=0.2, verbose=0,
    ...                     callbacks=keras_mine.default_callbacks())
    >>> estimate = model.estimate(x[2000:], z[2000:])          # on held-out rows
    >>> abs(estimate - 0.830) < 0.1
    True
    """

    def __init__(
        self,
        loss: str = "mine",
        alpha: float | None = None,
        reg_weight: float | None = None,
        log_partition_target: float | None = None,
        tau: float | None = None,
        **kwargs: Any,
    ) -> None:
        if loss in OBJECTIVES and OBJECTIVES[loss].score_matrix:
            raise ValueError(
                f"loss={loss!r} trains on each batch's score matrix: use keras_mine.InfoNCE."
            )
        objective = get_objective(loss, MINE_LOSSES)
        given = dict(
            alpha=alpha, reg_weight=reg_weight, log_partition_target=log_partition_target, tau=tau
        )
        given = {name: value for name, value in given.items() if value is not None}
        options = objective.check_options(f"loss={loss!r}", **given)  # and against OPTION_RANGES
        super().__init__(**kwargs)
        self.loss_name = loss
        self.objective = objective
        self.options = options
        if objective.moving_average:
            # Updated from all replicas' scores: every replica holds the same value.
            state = dict(shape=(), initializer="zeros", trainable=False)
            state.update(aggregation="only_first_replica")
            self.log_moving_average = self.add_weight(name="log_moving_average", **state)
            self.moving_average_updates = self.add_weight(name="moving_average_updates", **state)

    @property
    def alpha(self) -> float | None:
        """The moving average's rate (``loss="mine"``; else None)."""
        return self.options.get("alpha")

    @property
    def reg_weight(self) -> float | None:
        """ReMINE's penalty weight (``loss="remine"``; else None)."""
        return self.options.get("reg_weight")

    @property
    def log_partition_target(self) -> float | None:
        """ReMINE's target of ``log E_Q[e^T]`` (``loss="remine"``; else None)."""
        return self.options.get("log_partition_target")

    @property
    def tau(self) -> float | None:
        """SMILE's clipping threshold (``loss="smile"``; else None)."""
        return self.options.get("tau")

    def compute_objective(self, t_joint, t_marginal, training: bool):
        if not (training and self.objective.moving_average):
            return self.objective.train(t_joint, t_marginal, **self.options)
        state = MovingAverageState(self.log_moving_average, self.moving_average_updates)
        objective, state = moving_average_objective(
            t_joint, t_marginal, state, self.options["alpha"],
            average_scores=gather_replicas(tf.stop_gradient(t_marginal)),
        )  # fmt: skip
        self.log_moving_average.assign(state.log_average)
        self.moving_average_updates.assign(state.updates)
        return objective

    def _readout(self, t_joint, t_marginal) -> float:
        if self.objective.readout == "smile":
            return float(smile(tf.constant(t_joint), tf.constant(t_marginal), self.options["tau"]))
        return super()._readout(t_joint, t_marginal)

    def _pointwise(self, t_joint, t_marginal):
        if self.objective.readout == "smile":
            clipped = np.clip(t_marginal, -self.options["tau"], self.options["tau"])
            return t_joint - float(log_mean_exp(tf.constant(clipped)))
        return super()._pointwise(t_joint, t_marginal)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(loss=self.loss_name, **self.options)
        return config
