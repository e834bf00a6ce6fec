"""MINE: mutual information neural estimation, as a Keras model."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_mine.core.bounds import info_nce, smile, split_score_matrix
from keras_mine.core.critics import SeparableCritic
from keras_mine.core.distribute import gather_replicas
from keras_mine.core.objectives import (
    OBJECTIVES,
    MovingAverageState,
    get_objective,
    moving_average_objective,
)
from keras_mine.core.validation import check_number
from keras_mine.models.base import CriticModel

__all__ = ["MINE", "MINE_LOSSES", "NCE_READOUT_BLOCK"]

#: Valid values of ``MINE(loss=...)`` and what each trains (from
#: `keras_mine.core.objectives.OBJECTIVES`, where their options and defaults live).
MINE_LOSSES = {name: o.description for name, o in OBJECTIVES.items() if name != "classifier"}

#: Rows per score matrix when `MINE.estimate` reads out InfoNCE: the readout
#: can never exceed ln(NCE_READOUT_BLOCK) = 8.3 nats.
NCE_READOUT_BLOCK = 4096


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
            clipped partition term, and "infonce" (van den Oord et al. 2018):
            trained on the score matrix of every batch, with a
            `SeparableCritic` unless given a critic with ``score_matrix``;
            its metrics ``mi``/``val_mi`` are the InfoNCE bound itself (at
            most ln(batch)), and `estimate` reads out InfoNCE on held-out
            blocks of `NCE_READOUT_BLOCK` rows (at most 8.3 nats): an
            InfoNCE critic is fixed only up to a function of x, which InfoNCE
            ignores but a DV readout does not.
        alpha: Rate of the moving average for ``loss="mine"``, in (0, 1]
            (default 0.01).
        reg_weight: Penalty weight for ``loss="remine"`` (>= 0, default 0.1).
        log_partition_target: The value ReMINE pins ``log E_Q[e^T]`` to, for
            ``loss="remine"`` (default 0).
        tau: Clipping threshold for ``loss="smile"`` (> 0, default 5).
            An option of another loss is an error; the defaults live in
            `keras_mine.core.objectives.OBJECTIVES`.
        critic, hidden_dim, num_hidden_layers, activation, seed: see
            `keras_mine.models.base.CriticModel`.

    The moving average of ``loss="mine"`` is updated in `train_step` only and
    saved with the model (variables ``log_moving_average`` and
    ``moving_average_updates``).

    Example:
    >>> model = MINE(loss="mine", seed=0)
    >>> model.compile(optimizer=keras.optimizers.Adam(1e-3))
    >>> model.fit(x, z, epochs=100, validation_split=0.2,
    ...           callbacks=keras_mine.default_callbacks())
    >>> model.estimate(x_test, z_test)
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
        objective = get_objective(loss, MINE_LOSSES)
        given = dict(
            alpha=alpha, reg_weight=reg_weight, log_partition_target=log_partition_target, tau=tau
        )
        given = {name: value for name, value in given.items() if value is not None}
        if set(given) - set(objective.defaults):
            raise ValueError(
                f"loss={loss!r} takes no option(s) {sorted(set(given) - set(objective.defaults))}"
                f" (its options: {', '.join(objective.defaults) or 'none'})."
            )
        options = objective.options(**given)
        if "alpha" in options:
            check_number(options["alpha"], "alpha", low=0.0, high=1.0, low_open=True)
        if "reg_weight" in options:
            check_number(options["reg_weight"], "reg_weight", low=0.0)
        if "tau" in options:
            check_number(options["tau"], "tau", low=0.0, low_open=True)
        if objective.score_matrix:
            kwargs = self._with_separable_critic(kwargs)
        super().__init__(**kwargs)
        self.loss_name = loss
        self.objective = objective
        self.options = options
        if objective.score_matrix:
            self.mi_metric = keras.metrics.Mean(name="mi")  # the InfoNCE bound per row
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

    @staticmethod
    def _with_separable_critic(kwargs: dict) -> dict:
        """InfoNCE scores all pairs of a batch: it needs a critic with `score_matrix`."""
        critic = kwargs.get("critic")
        if critic is None:
            names = ("hidden_dim", "num_hidden_layers", "activation")
            settings = {name: kwargs.pop(name) for name in names if name in kwargs}
            return {**kwargs, "critic": SeparableCritic(seed=kwargs.get("seed"), **settings)}
        if not callable(getattr(critic, "score_matrix", None)):
            raise ValueError(
                "loss='infonce' scores every x of a batch against every z: pass a critic "
                "with a score_matrix(x, z) method, such as keras_mine.SeparableCritic "
                f"(the default for this loss). Received: {type(critic).__name__}."
            )
        return kwargs

    def _batch_objective(self, x, target, seed, training: bool):
        if not self.objective.score_matrix:
            return super()._batch_objective(x, target, seed, training)
        # The diagonal holds the joint pairs, the rest are marginal pairs: no shuffle.
        scores = self.critic.score_matrix(x, target)
        t_joint, t_marginal = split_score_matrix(scores)
        return info_nce(scores), t_joint, t_marginal

    def _update_metrics(self, loss, t_joint, t_marginal) -> dict:
        if not self.objective.score_matrix:
            return super()._update_metrics(loss, t_joint, t_marginal)
        rows = tf.cast(tf.shape(t_joint)[0], loss.dtype)
        self.loss_tracker.update_state(loss, sample_weight=rows)
        self.mi_metric.update_state(-loss, sample_weight=rows)
        return {metric.name: metric.result() for metric in self.metrics}

    def _readout_transformed(self, x, target, batch_size, num_shuffles, seed):
        if self.objective.readout != "infonce":
            return super()._readout_transformed(x, target, batch_size, num_shuffles, seed)
        blocks = np.array_split(np.arange(len(x)), -(-len(x) // NCE_READOUT_BLOCK))
        values = [
            float(
                info_nce(self.critic.score_matrix(tf.constant(x[rows]), tf.constant(target[rows])))
            )
            for rows in blocks
        ]
        value = float(np.average(values, weights=[len(r) for r in blocks]))
        return value, float("nan")  # the bound of a block: no per-row noise formula

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

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(loss=self.loss_name, **self.options)
        return config

    @classmethod
    def from_config(cls, config: dict):
        # Files saved before the objective registry stored every loss's
        # options, and ReMINE's target as "target".
        config = dict(config)
        if "target" in config:
            config["log_partition_target"] = config.pop("target")
        own = OBJECTIVES[config.get("loss", "mine")].defaults
        for name in ("alpha", "reg_weight", "log_partition_target", "tau"):
            if name not in own:
                config.pop(name, None)
        return super().from_config(config)
