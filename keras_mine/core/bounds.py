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
.. [3] Choi & Lee, "Combating the instability of mutual information-based
   losses via regularization", UAI 2022 (ReMINE).
.. [4] Mukherjee, Asnani & Kannan, "CCMI: Classifier based conditional mutual
   information estimation", UAI 2020.
.. [5] Nguyen, Wainwright & Jordan, "Estimating divergence functionals and
   the likelihood ratio by convex risk minimization", IEEE Trans. Inf.
   Theory, 2010 (NWJ).
.. [6] Song & Ermon, "Understanding the limitations of variational mutual
   information estimators", ICLR 2020 (SMILE).
.. [7] Poole, Ozair, van den Oord, Alemi & Tucker, "On variational bounds of
   mutual information", ICML 2019.
.. [8] van den Oord, Li & Vinyals, "Representation learning with contrastive
   predictive coding", 2018 (InfoNCE).

Score matrices: for a batch of n pairs, ``scores[i, j] = T(x_i, z_j)``; the
diagonal holds the joint samples and the n(n-1) off-diagonal entries are
samples of the product of marginals (`split_score_matrix`). The pair-form
bounds apply to those two sets; `info_nce` needs the matrix itself.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = [
    "log_mean_exp",
    "donsker_varadhan",
    "donsker_varadhan_stderr",
    "mine_lower_bound",
    "update_log_moving_average",
    "remine_objective",
    "classifier_log_loss",
    "nwj",
    "jensen_shannon",
    "smile",
    "split_score_matrix",
    "info_nce",
    "info_nce_of_split",
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

    For any critic T this is a lower bound on I(X;Z) [2]_; it is tight at
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


def donsker_varadhan_stderr(
    t_joint: tf.Tensor, t_marginal: tf.Tensor, name: str = "donsker_varadhan_stderr"
) -> tf.Tensor:
    """Standard error of the DV estimate from its scores, by the delta method.

    The two terms are means over independent-enough samples, so
    ``Var[DV] ~ Var_P[T] / n + Var_Q[e^T] / (m E_Q[e^T]^2)``; the second
    term's ratio is computed from ``e^(T - max T)``, which cannot overflow.
    It is the readout's sampling noise for a fixed critic: it says whether
    an estimate below zero, or two folds that disagree, can be noise.

    Parameters
    ----------
    t_joint : tf.Tensor
        Scores on joint samples, shape (..., n).
    t_marginal : tf.Tensor
        Scores on product-of-marginals samples, shape (..., m).
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        Standard error in nats, shape (...).

    Examples
    --------
    >>> float(donsker_varadhan_stderr([1.0, 1.0], [0.0, 0.0]))
    0.0
    """
    with tf.name_scope(name):
        t_joint = tf.convert_to_tensor(t_joint)
        t_marginal = tf.convert_to_tensor(t_marginal, dtype=t_joint.dtype)
        n = tf.cast(tf.shape(t_joint)[-1], t_joint.dtype)
        m = tf.cast(tf.shape(t_marginal)[-1], t_joint.dtype)
        weights = tf.exp(t_marginal - tf.reduce_max(t_marginal, axis=-1, keepdims=True))
        mean = tf.reduce_mean(weights, axis=-1)
        variance = tf.math.reduce_variance(t_joint, axis=-1) / n + tf.math.reduce_variance(
            weights, axis=-1
        ) / (m * mean**2)
        return tf.sqrt(variance)


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


def nwj(t_joint: tf.Tensor, t_marginal: tf.Tensor, name: str = "nwj") -> tf.Tensor:
    """NWJ (f-divergence, "MINE-f") lower bound ``E_P[T] - E_Q[exp(T - 1)]`` [5]_.

    Unlike DV, the expectation is outside any log, so its minibatch estimate
    and gradient are unbiased; the price is a higher variance, which grows
    like exp(MI) [6]_. Tight at ``T = 1 + log dP/dQ``.

    Parameters
    ----------
    t_joint, t_marginal : tf.Tensor
        Critic scores on joint and product-of-marginals samples.
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        Bound in nats, shape (...).

    Examples
    --------
    >>> round(float(nwj([1.0, 1.0], [1.0, 1.0])), 6)
    0.0
    """
    with tf.name_scope(name):
        t_joint = tf.convert_to_tensor(t_joint)
        t_marginal = tf.convert_to_tensor(t_marginal, dtype=t_joint.dtype)
        return tf.reduce_mean(t_joint, axis=-1) - tf.exp(log_mean_exp(t_marginal) - 1.0)


def jensen_shannon(
    t_joint: tf.Tensor, t_marginal: tf.Tensor, name: str = "jensen_shannon"
) -> tf.Tensor:
    """The f-GAN Jensen-Shannon objective ``-E_P[softplus(-T)] - E_Q[softplus(T)]``.

    Not a bound on MI but a stable objective to *train* a critic with: its
    optimum is ``T = log dP/dQ``, the critic that DV and (shifted by one) NWJ
    are tight at, so one trains with it and reads out with DV or NWJ [7]_.
    It equals ``-2 * classifier_log_loss``: the same logistic regression.

    Parameters
    ----------
    t_joint, t_marginal : tf.Tensor
        Critic scores (logits) on joint and product-of-marginals samples.
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        Objective to maximize, shape (...).
    """
    with tf.name_scope(name):
        return -2.0 * classifier_log_loss(t_joint, t_marginal)


def smile(
    t_joint: tf.Tensor, t_marginal: tf.Tensor, tau: float = 5.0, name: str = "smile"
) -> tf.Tensor:
    """SMILE: DV with the partition term's scores clipped to ``[-tau, tau]`` [6]_.

    ``E_P[T] - log E_Q[exp(clip(T, -tau, tau))]``. Clipping bounds the
    variance of the partition estimate (DV's and NWJ's grows like exp(MI)),
    at the price of a bias that vanishes as tau grows; ``tau = inf`` is DV.

    Parameters
    ----------
    t_joint, t_marginal : tf.Tensor
        Critic scores on joint and product-of-marginals samples.
    tau : float
        Clipping threshold (> 0).
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        Estimate in nats, shape (...).
    """
    if not tau > 0:
        raise ValueError(f"Expected `tau` > 0. Received: tau={tau!r}")
    with tf.name_scope(name):
        t_marginal = tf.convert_to_tensor(t_marginal)
        clipped = tf.clip_by_value(t_marginal, -tau, tau)
        return tf.reduce_mean(t_joint, axis=-1) - log_mean_exp(clipped)


def split_score_matrix(scores: tf.Tensor, name: str = "split_score_matrix"):
    """Joint (diagonal) and marginal (off-diagonal) scores of a score matrix.

    Parameters
    ----------
    scores : tf.Tensor
        Shape (..., n, n), ``scores[..., i, j] = T(x_i, z_j)``, n >= 2.
    name : str
        Name scope for the graph.

    Returns
    -------
    t_joint : tf.Tensor
        Shape (..., n): the diagonal.
    t_marginal : tf.Tensor
        Shape (..., n * (n - 1)): the off-diagonal entries, row by row.
    """
    with tf.name_scope(name):
        scores = tf.convert_to_tensor(scores)
        rows, cols = scores.shape[-2:] if scores.shape.rank >= 2 else (None, 0)
        if scores.shape.rank < 2 or (rows is not None and cols is not None and rows != cols):
            raise ValueError(f"Expected a square score matrix; shape {scores.shape}.")
        if cols is not None and cols < 2:
            raise ValueError(f"Expected n >= 2 pairs to split; shape {scores.shape}.")
        n = tf.shape(scores)[-1]  # may be known only when the graph runs
        off_diagonal = tf.logical_not(tf.eye(n, dtype=tf.bool))
        return (
            tf.linalg.diag_part(scores),
            tf.boolean_mask(scores, off_diagonal, axis=scores.shape.rank - 2),
        )


def info_nce(scores: tf.Tensor, name: str = "info_nce") -> tf.Tensor:
    """InfoNCE lower bound from a score matrix [8]_.

    ``mean_i [ scores[i, i] - log mean_j exp(scores[i, j]) ]``: each joint
    pair is told apart from the n - 1 others in its row. It can never exceed
    ``log n`` (each term is at most ``log n``), whatever the critic, so with
    a batch of n it cannot measure more than ln(n) nats: 5.5 nats at n = 256.
    Low variance, hence the usual choice in representation learning.

    Parameters
    ----------
    scores : tf.Tensor
        Shape (..., n, n), ``scores[..., i, j] = T(x_i, z_j)``.
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        Bound in nats, shape (...), at most ``log n``.
    """
    with tf.name_scope(name):
        scores = tf.convert_to_tensor(scores)
        return tf.reduce_mean(tf.linalg.diag_part(scores) - log_mean_exp(scores), axis=-1)


def info_nce_of_split(t_joint: tf.Tensor, t_marginal: tf.Tensor,
                      name: str = "info_nce_of_split") -> tf.Tensor:  # fmt: skip
    """`info_nce` of a score matrix given as `split_score_matrix` returns it.

    Parameters
    ----------
    t_joint : tf.Tensor
        Shape (..., n): the diagonal.
    t_marginal : tf.Tensor
        Shape (..., n * (n - 1)): the off-diagonal entries, row by row.
    name : str
        Name scope for the graph.

    Returns
    -------
    tf.Tensor
        The InfoNCE bound, shape (...), equal to ``info_nce(scores)``.

    Examples
    --------
    >>> scores = tf.constant([[2.0, 0.0, 1.0], [0.5, 1.0, -1.0], [0.0, 0.0, 3.0]])
    >>> joint, marginal = split_score_matrix(scores)
    >>> bool(abs(info_nce_of_split(joint, marginal) - info_nce(scores)) < 1e-6)
    True
    """
    with tf.name_scope(name):
        t_joint = tf.convert_to_tensor(t_joint)
        n = tf.shape(t_joint)[-1]
        rows = tf.reshape(tf.convert_to_tensor(t_marginal, t_joint.dtype),
                          tf.concat([tf.shape(t_joint), [n - 1]], axis=0))  # fmt: skip
        # A row's log mean exp over all its n scores: the diagonal one and the n - 1 others.
        row = tf.concat([t_joint[..., None], rows], axis=-1)
        log_n = tf.math.log(tf.cast(n, t_joint.dtype))
        return tf.reduce_mean(t_joint - (tf.reduce_logsumexp(row, axis=-1) - log_n), axis=-1)
