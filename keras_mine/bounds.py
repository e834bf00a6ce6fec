"""Variational lower bounds on mutual information, as pure TensorFlow functions.

Every function here takes critic scores and reduces them over their last
axis: scores of shape (n,) give a scalar, and a stack of scores of shape
(k, n), from k critics trained at once, gives k values. None of them owns
state or knows about training: the moving average used by MINE is passed in
and updated by the caller (see `update_log_moving_average`).

Notation: ``t_joint`` are critic scores T(x_i, z_i) on samples of the joint
distribution P; ``t_marginal`` are scores T(x_i, z_j) on samples of the product
of marginals Q (z shuffled against x). All values are in nats.

References
----------
.. [1] Belghazi et al., "Mutual Information Neural Estimation", ICML 2018.
.. [2] Donsker & Varadhan, "Asymptotic evaluation of certain Markov process
   expectations for large time", Comm. Pure Appl. Math., 1983.
.. [4] Mukherjee, Asnani & Kannan, "CCMI: Classifier based conditional mutual
   information estimation", UAI 2020.
.. [3] Choi & Lee, "Combating the instability of mutual information-based
   losses via regularization", UAI 2022 (ReMINE).
"""

from __future__ import annotations

import tensorflow as tf

__all__ = [
    "log_mean_exp",
    "donsker_varadhan",
    "mine_lower_bound",
    "update_log_moving_average",
    "remine_objective",
    "classifier_log_loss",
]


def log_mean_exp(t: tf.Tensor, name: str = "log_mean_exp") -> tf.Tensor:
    """Return ``log(mean(exp(t)))`` over the last axis, computed stably.

    Uses ``logsumexp(t) - log(n)``, which neither overflows for large scores
    nor underflows for very negative ones (``log(mean(exp(t)))`` does both in
    float32 beyond |t| ~ 88).

    Parameters
    ----------
    t : tf.Tensor
        Scores of shape (..., n), floating dtype.
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        Shape (...): a scalar for 1-D scores.
    """
    with tf.name_scope(name):
        t = tf.convert_to_tensor(t)
        n = tf.cast(tf.shape(t)[-1], t.dtype)
        return tf.reduce_logsumexp(t, axis=-1) - tf.math.log(n)


def donsker_varadhan(
    t_joint: tf.Tensor, t_marginal: tf.Tensor, name: str = "donsker_varadhan"
) -> tf.Tensor:
    """Donsker-Varadhan lower bound ``E_P[T] - log E_Q[exp T]`` (``mine_biased``).

    For any critic T this is a lower bound on I(X;Z); it is tight at
    T = log dP/dQ + const. Its minibatch gradient is biased because the
    expectation sits inside the log [1]_.

    Parameters
    ----------
    t_joint : tf.Tensor
        Critic scores on joint samples, shape (n,).
    t_marginal : tf.Tensor
        Critic scores on product-of-marginals samples, shape (m,).
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        Bound in nats, shape (...) for scores of shape (..., n).

    Examples
    --------
    >>> float(donsker_varadhan([1.0, 1.0], [0.0, 0.0]))
    1.0
    """
    with tf.name_scope(name):
        return tf.reduce_mean(t_joint, axis=-1) - log_mean_exp(t_marginal)


def _log_mean_exp_with_moving_average_gradient(
    t_marginal: tf.Tensor, log_moving_average: tf.Tensor
) -> tf.Tensor:
    """``log_mean_exp(t_marginal)`` whose gradient divides by a moving average.

    The exact gradient is ``exp(t_i) / (n * mean(exp(t)))``; MINE's
    bias correction replaces the minibatch ``mean(exp(t))`` in the denominator
    by its moving average [1]_. Computed in log space so it cannot overflow.
    """

    @tf.custom_gradient
    def _forward(t, log_ma):
        value = log_mean_exp(t)

        def _grad(upstream):
            n = tf.cast(tf.shape(t)[-1], t.dtype)
            weights = tf.exp(t - tf.math.log(n) - log_ma[..., None])
            return upstream[..., None] * weights, tf.zeros_like(log_ma)

        return value, _grad

    return _forward(t_marginal, tf.stop_gradient(log_moving_average))


def mine_lower_bound(
    t_joint: tf.Tensor,
    t_marginal: tf.Tensor,
    log_moving_average: tf.Tensor,
    name: str = "mine_lower_bound",
) -> tf.Tensor:
    """MINE objective (``mine``): the DV value with a bias-corrected gradient.

    The returned value equals `donsker_varadhan` exactly. Only the gradient
    differs: the gradient of ``log E_Q[exp T]`` is computed with the moving
    average of ``E_Q[exp T]`` (given in log space) in place of the minibatch
    mean, which reduces the bias of the minibatch gradient [1]_.

    Parameters
    ----------
    t_joint, t_marginal : tf.Tensor
        Critic scores on joint and product-of-marginals samples.
    log_moving_average : tf.Tensor
        Shape (...), log of the moving average of ``mean(exp(t_marginal))``,
        typically already updated with this batch by
        `update_log_moving_average`. No gradient flows into it.
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        Shape (...), equal in value to the DV bound (nats).
    """
    with tf.name_scope(name):
        return tf.reduce_mean(t_joint, axis=-1) - _log_mean_exp_with_moving_average_gradient(
            t_marginal, log_moving_average
        )


def update_log_moving_average(
    log_moving_average: tf.Tensor,
    t_marginal: tf.Tensor,
    alpha: float,
    name: str = "update_log_moving_average",
) -> tf.Tensor:
    """One step of MINE's exponential moving average, in log space.

    Returns ``log((1 - alpha) * exp(log_moving_average) + alpha * mean(exp(t)))``,
    the convention of the MINE paper and of minepy (``alpha`` is the weight of
    the new batch). Pass ``alpha=1`` to start the average at the batch value.

    Parameters
    ----------
    log_moving_average : tf.Tensor
        Shape (...), current log moving average.
    t_marginal : tf.Tensor
        Critic scores on product-of-marginals samples. No gradient is taken.
    alpha : float
        Rate in (0, 1], a number or a tensor of shape (...).
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        Shape (...), the updated log moving average.
    """
    with tf.name_scope(name):
        t = tf.stop_gradient(tf.convert_to_tensor(t_marginal))
        alpha = tf.cast(alpha, t.dtype)
        batch = log_mean_exp(t)
        old = tf.math.log1p(-alpha) + tf.cast(log_moving_average, t.dtype)
        return tf.reduce_logsumexp(tf.stack([old, tf.math.log(alpha) + batch], axis=-1), axis=-1)


def remine_objective(
    t_joint: tf.Tensor,
    t_marginal: tf.Tensor,
    reg_weight: float,
    target: float,
    name: str = "remine_objective",
) -> tf.Tensor:
    """ReMINE objective: DV minus a penalty pinning ``log E_Q[exp T]`` to a target.

    ``E_P[T] - log E_Q[exp T] - reg_weight * (log E_Q[exp T] - target)^2`` [3]_.
    The DV bound is invariant to adding a constant to T; the penalty removes
    that drift, which is what destabilizes plain MINE. The MI estimate is the
    DV part (`donsker_varadhan`), not this objective.

    Parameters
    ----------
    t_joint, t_marginal : tf.Tensor
        Critic scores on joint and product-of-marginals samples.
    reg_weight : float
        Weight of the squared penalty (>= 0).
    target : float
        Target value of ``log E_Q[exp T]``.
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        Objective to maximize, shape (...).
    """
    with tf.name_scope(name):
        partition = log_mean_exp(t_marginal)
        penalty = reg_weight * tf.square(partition - target)
        return tf.reduce_mean(t_joint, axis=-1) - partition - penalty


def classifier_log_loss(
    t_joint: tf.Tensor, t_marginal: tf.Tensor, name: str = "classifier_log_loss"
) -> tf.Tensor:
    """Binary cross-entropy of a classifier telling joint from marginal samples.

    The scores are logits: label 1 for joint samples, 0 for product-of-marginals
    samples, each class weighted equally:
    ``0.5 * (mean softplus(-t_joint) + mean softplus(t_marginal))``.
    At its minimum the logit equals ``log dP/dQ``, the critic the DV bound is
    tight at, which is how the classifier-based estimator reads out MI [4]_.
    Computed from logits (no probabilities, no epsilon), so it does not
    saturate.

    Parameters
    ----------
    t_joint, t_marginal : tf.Tensor
        Logits on joint and product-of-marginals samples.
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        Loss to minimize (nats per sample), shape (...).
    """
    with tf.name_scope(name):
        t_joint = tf.convert_to_tensor(t_joint)
        t_marginal = tf.convert_to_tensor(t_marginal, dtype=t_joint.dtype)
        return 0.5 * (
            tf.reduce_mean(tf.nn.softplus(-t_joint), axis=-1)
            + tf.reduce_mean(tf.nn.softplus(t_marginal), axis=-1)
        )
