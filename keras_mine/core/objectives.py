"""The objective registry: each loss name, what it trains, its options and its readout.

Every trainer of the package (`keras_mine.MINE`, `keras_mine.ClassifierMI`,
the engine's `keras_mine.engine.stack.CriticStack` and the
`keras_mine.MutualInformation` layer) looks a loss name up here, so a name
means the same objective, with the same defaults, everywhere. The math is in
`keras_mine.core.bounds`; this module only names and combines it.

MINE's moving-average correction is the one objective with state. It is the
pure function `moving_average_objective`, ``(scores, state) -> (objective,
new state)``; each trainer keeps the state in its own variables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import tensorflow as tf

from keras_mine.core.bounds import (
    classifier_log_loss,
    donsker_varadhan,
    info_nce,
    jensen_shannon,
    mine_lower_bound,
    nwj,
    remine_objective,
    smile,
    update_log_moving_average,
)
from keras_mine.core.registry import Registry
from keras_mine.core.validation import check_int, check_number, refuse_unknown_options

__all__ = [
    "Objective",
    "OBJECTIVES",
    "OPTION_RANGES",
    "get_objective",
    "MovingAverageState",
    "moving_average_objective",
]


@dataclass(frozen=True)
class Objective:
    """One training objective of a critic.

    Attributes
    ----------
    description : str
        What it trains, in one line.
    train : callable
        ``train(t_joint, t_marginal, **options) -> tf.Tensor``: the objective
        the critic maximizes, reduced over the last axis (for
        ``score_matrix`` objectives, ``train(scores)``).
    defaults : mapping
        Its options with their defaults (empty when it has none).
    readout : {"dv", "smile", "infonce"}
        How a trained critic is read out: the DV bound on held-out pairs,
        SMILE's clipped DV, or InfoNCE on held-out score matrices.
    moving_average : bool
        Trained through `moving_average_objective` (MINE's bias-corrected
        gradient); ``train`` gives its value.
    score_matrix : bool
        Needs the batch's score matrix ``T(x_i, z_j)`` (a separable critic).
    is_bound : bool
        Its value is itself a lower bound on the MI in nats (False for
        "js", "remine" and "classifier", whose values are not).
    density : bool
        The critic is a pair of density models (`keras_mine.core.densities`):
        ``train(log q(z|x), log q(z))`` is their mean log-likelihood, the
        score is ``log q(z|x) - log q(z)``, and no marginal rows are needed.
    """

    description: str
    train: Callable[..., tf.Tensor]
    defaults: Mapping[str, float] = field(default_factory=dict)
    readout: str = "dv"
    moving_average: bool = False
    score_matrix: bool = False
    is_bound: bool = True
    density: bool = False

    @property
    def options(self) -> tuple[str, ...]:
        """Its options' names (the keys of `defaults`)."""
        return tuple(self.defaults)

    @property
    def settings(self) -> tuple[str, ...]:
        """What it accepts: its options (the `keras_mine.core.registry.Registry` shape)."""
        return self.options

    def check_options(self, where: str = "this loss", /, **given: Any) -> dict[str, float]:
        """Its defaults updated by `given`, each checked against its range.

        An option of another loss raises, naming `where` it was passed.
        """
        refuse_unknown_options(given, self.defaults, where)
        merged = {**self.defaults, **given}
        return {
            name: check_int(value, name) if name in INTEGER_OPTIONS
            else check_number(value, name, **OPTION_RANGES.get(name, {}))
            for name, value in merged.items()
        }


#: Options that are counts (checked as positive ints), not real numbers.
INTEGER_OPTIONS = ("components",)

#: The valid range of each option (`check_number`'s bounds); unlisted: any number.
OPTION_RANGES: Mapping[str, dict] = MappingProxyType(
    {
        "alpha": dict(low=0.0, high=1.0, low_open=True),

        "reg_weight": dict(low=0.0),
        "tau": dict(low=0.0, low_open=True),
    }
)


def _classifier(t_joint: tf.Tensor, t_marginal: tf.Tensor) -> tf.Tensor:
    return -classifier_log_loss(t_joint, t_marginal)


def _remine(t_joint, t_marginal, reg_weight: float, log_partition_target: float) -> tf.Tensor:
    return remine_objective(t_joint, t_marginal, reg_weight, log_partition_target)


def _log_likelihood(log_conditional, log_marginal, components: int) -> tf.Tensor:
    del components  # shapes the density models, not their objective
    return tf.reduce_mean(log_conditional, axis=-1) + tf.reduce_mean(log_marginal, axis=-1)


def _dv_value(t_joint, t_marginal, alpha: float) -> tf.Tensor:
    del alpha  # the rate shapes the gradient only (see moving_average_objective)
    return donsker_varadhan(t_joint, t_marginal)


#: Every objective by loss name (a read-only `Registry`): add an entry here, and every
#: trainer that accepts its kind (pairs or score matrices) accepts it.
OBJECTIVES: Registry[Objective] = Registry(
    {
        "mine_biased": Objective(
            "Donsker-Varadhan bound, plain minibatch gradient", donsker_varadhan
        ),
        "mine": Objective(
            "Donsker-Varadhan bound, gradient bias-corrected by a moving average (alpha)",
            _dv_value,
            {"alpha": 0.01},
            moving_average=True,
        ),
        "remine": Objective(
            "Donsker-Varadhan bound minus reg_weight * (log E_Q[e^T] - log_partition_target)^2",
            _remine,
            {"reg_weight": 0.1, "log_partition_target": 0.0},
            is_bound=False,
        ),
        "nwj": Objective("NWJ (f-divergence) bound E_P[T] - E_Q[e^(T-1)]: unbiased", nwj),
        "smile": Objective(
            "SMILE: DV with the partition scores clipped to [-tau, tau]; read out the same way",
            smile,
            {"tau": 5.0},
            readout="smile",
        ),
        "js": Objective(
            "Jensen-Shannon (logistic) objective: stable training, read out with DV",
            jensen_shannon,
            is_bound=False,
        ),
        "infonce": Objective(
            "InfoNCE on each batch's all-pairs scores (separable critic): at most ln(batch)",
            info_nce,
            readout="infonce",
            score_matrix=True,
        ),
        "classifier": Objective(
            "binary cross-entropy of joint against marginal pairs (CCMI), read out with DV",
            _classifier,
            is_bound=False,
        ),
        "doe": Objective(
            "difference of entropies: maximum likelihood of q(z|x) and q(z), read out as "
            "the held-out mean of log q(z|x) - log q(z) (not capped by ln N)",
            _log_likelihood,
            {"components": 1},
            readout="log_odds",
            is_bound=False,
            density=True,
        ),
    },
    argument="loss",
    kind="losses",
)


def get_objective(name: str, among: Registry[Objective] = OBJECTIVES) -> Objective:
    """The registered objective `name`, checked against `among` (a subset of `OBJECTIVES`)."""
    return among.check(name)


class MovingAverageState(NamedTuple):
    """MINE's moving average of ``E_Q[e^T]``, in log space, and its update count."""

    log_average: tf.Tensor
    updates: tf.Tensor


def moving_average_objective(
    t_joint: tf.Tensor,
    t_marginal: tf.Tensor,
    state: MovingAverageState,
    alpha: float,
    average_scores: tf.Tensor | None = None,
) -> tuple[tf.Tensor, MovingAverageState]:
    """MINE's objective and its next state: ``(scores, state) -> (objective, new state)``.

    The first update starts the average at the batch value (rate 1); later
    ones move it by `alpha` (`keras_mine.core.bounds.update_log_moving_average`).
    The objective equals the DV bound; its gradient divides by the updated
    average instead of the batch mean (`keras_mine.core.bounds.mine_lower_bound`).

    Parameters
    ----------
    t_joint, t_marginal : tf.Tensor
        Critic scores, shape (..., n); a leading axis holds stacked critics.
    state : MovingAverageState
        The current state, ``log_average`` of shape (...).
    alpha : float
        Rate of the average, in (0, 1].
    average_scores : tf.Tensor, optional
        The marginal scores the average is updated with; default
        `t_marginal`. Under `tf.distribute`, all replicas' scores, so every
        replica holds the same average.

    Returns
    -------
    (tf.Tensor, MovingAverageState)
        The objective to maximize, shape (...), and the updated state.
    """
    scores = t_marginal if average_scores is None else average_scores
    rate = tf.where(state.updates > 0, tf.cast(alpha, scores.dtype), tf.ones((), scores.dtype))
    log_average = update_log_moving_average(state.log_average, tf.stop_gradient(scores), rate)
    objective = mine_lower_bound(t_joint, t_marginal, log_average)
    return objective, MovingAverageState(log_average, state.updates + 1)
