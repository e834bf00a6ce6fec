"""What a train step needs to run under a `tf.distribute` strategy.

Keras sums the gradients of the replicas, so a per-replica loss is divided
by their number (as Keras' own losses are); and a statistic that is not a
sum, such as a log-mean-exp over the marginal scores, must see the scores
of every replica, not only its own slice of the batch. Outside a strategy
(or with one replica) both are the identity.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = [
    "across_workers",
    "first_local_values",
    "gather_replicas",
    "logs_for_keras",
    "num_replicas",
    "scale_loss_for_replicas",
]


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


def first_local_values(structure):
    """Each distributed value of `structure` replaced by its first local component.

    Shapes and dtypes are those of one replica's slice, read without any
    communication between workers; other leaves are returned unchanged.
    """

    def local(value):
        if isinstance(value, tf.distribute.DistributedValues):
            return tf.distribute.get_strategy().experimental_local_results(value)[0]
        return value

    return tf.nest.map_structure(local, structure)


def across_workers(strategy: tf.distribute.Strategy) -> bool:
    """Whether `strategy` is a MultiWorkerMirroredStrategy over more than one worker."""
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return False
    jobs = strategy.cluster_resolver.cluster_spec().as_dict()
    return sum(len(jobs.get(job, ())) for job in ("chief", "worker")) > 1


def logs_for_keras(logs: dict) -> dict:
    """A train or test step's scalar logs, shaped for Keras' reduction over workers.

    Under a MultiWorkerMirroredStrategy over several workers, Keras 3 averages
    each log along axis 0 (keras-team/keras#20585), which fails for scalars;
    there each log becomes a vector of one entry, averaged into a scalar.
    Elsewhere the logs are returned unchanged.
    """
    if not across_workers(tf.distribute.get_strategy()):
        return logs
    return {name: tf.reshape(value, [1]) for name, value in logs.items()}
