"""Streaming Keras metrics for MI bounds."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from keras_mine.core.distribute import gather_replicas

__all__ = ["DonskerVaradhanMetric"]


@keras.saving.register_keras_serializable(package="keras_mine")
class DonskerVaradhanMetric(keras.metrics.Metric):
    """The DV bound over every batch seen since the last reset, in nats.

    Accumulates ``sum(t_joint)``, the count of joint scores, and a running
    ``logsumexp(t_marginal)`` with its count, so that `result` is the DV bound
    ``mean(t_joint) - log mean(exp(t_marginal))`` over the whole epoch, not an
    average of per-batch bounds (which is biased low by Jensen's inequality
    and depends on the batch size).

    Under a `tf.distribute` strategy each replica gathers the scores of all
    replicas before updating (a logsumexp is not a sum of per-replica parts),
    so every replica holds the whole-batch state.

    Call arguments:
        t_joint: critic scores on joint samples.
        t_marginal: critic scores on product-of-marginals samples.
    """

    def __init__(self, name: str = "mi", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        # Every replica holds the same whole-batch state (see update_state).
        same = "only_first_replica"
        self.joint_sum = self.add_variable((), "zeros", aggregation=same, name="joint_sum")
        self.joint_count = self.add_variable((), "zeros", aggregation=same, name="joint_count")
        self.marginal_logsumexp = self.add_variable(
            (),
            keras.initializers.Constant(float("-inf")),
            aggregation=same,
            name="marginal_logsumexp",
        )
        self.marginal_count = self.add_variable(
            (), "zeros", aggregation=same, name="marginal_count"
        )

    def update_state(self, t_joint, t_marginal, sample_weight=None) -> None:
        t_joint = gather_replicas(tf.cast(tf.reshape(t_joint, [-1]), self.dtype))
        t_marginal = gather_replicas(tf.cast(tf.reshape(t_marginal, [-1]), self.dtype))
        self.joint_sum.assign_add(tf.reduce_sum(t_joint))
        self.joint_count.assign_add(tf.cast(tf.size(t_joint), self.dtype))
        self.marginal_logsumexp.assign(
            keras.ops.logaddexp(self.marginal_logsumexp, tf.reduce_logsumexp(t_marginal))
        )
        self.marginal_count.assign_add(tf.cast(tf.size(t_marginal), self.dtype))

    def result(self) -> tf.Tensor:
        joint_mean = tf.math.divide_no_nan(self.joint_sum, self.joint_count)
        log_mean = self.marginal_logsumexp - tf.math.log(self.marginal_count)
        return tf.where(self.marginal_count > 0, joint_mean - log_mean, 0.0)
