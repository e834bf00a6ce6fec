"""What a train step needs to run under a `tf.distribute` strategy.

Keras sums the gradients of the replicas, so a per-replica loss is divided
by their number (as Keras' own losses are); and a statistic that is not a
sum, such as a log-mean-exp over the marginal scores, must see the scores
of every replica, not only its own slice of the batch. Outside a strategy
(or with one replica) both are the identity.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["num_replicas", "scale_loss_for_replicas", "gather_replicas"]


def num_replicas() -> int:
    """Number of replicas in sync of the current strategy (1 without one)."""
    return int(tf.distribute.get_strategy().num_replicas_in_sync)


def scale_loss_for_replicas(loss: tf.Tensor) -> tf.Tensor:
    """Divide a replica's loss by the number of replicas.

    The optimizer sums the replicas' gradients, so this makes their sum the
    gradient of the mean loss: the same step size as on one device.
    """
    replicas = num_replicas()
    return loss if replicas == 1 else loss / tf.cast(replicas, loss.dtype)


def gather_replicas(values: tf.Tensor) -> tf.Tensor:
    """Concatenate `values` along axis 0 over all replicas (in a replica context).

    Every replica gets the same, whole-batch tensor. In a cross-replica
    context or with one replica, `values` is returned unchanged.
    """
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return values
    return context.all_gather(values, axis=0)
