"""Density models for the difference-of-entropies estimator: pure functions and a stacked critic.

DoE (McAllester & Stratos, AISTATS 2020) estimates ``I(X;Z) = H(Z) -
H(Z|X)`` with two density models fitted by maximum likelihood, a marginal
q(z) and a conditional q(z|x); on held-out rows the mean of ``log q(z|x) -
log q(z)`` estimates the MI. Unlike a critic bound it is not capped by
ln(rows), which is why it reaches high MI.

Both models here have the same form. ``r = A z``, with A unit lower
triangular (learned; det A = 1, so no Jacobian term): coordinate j of r is
z_j plus a learned linear function of z_<j, which captures the
correlations between z's columns. Then each r_j is a mixture of
`components` Gaussians. The conditional model's mixture parameters come
from an MLP of x; the marginal model's are learned constants. With one
component the conditional is a heteroscedastic Gaussian with a full
covariance, exact for Gaussian data; more components fit skewed or
multimodal conditionals.

The MI is invariant under any invertible map of z applied to both models,
so the input transform of z (normal scores by default) needs no Jacobian
correction: it cancels between H(Z) and H(Z|X).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_mine.core.critics import StackedTowers
from keras_mine.core.validation import check_int

__all__ = [
    "unit_lower_triangular",
    "bounded_log_scale",
    "mixture_log_density",
    "StackedDensityCritic",
    "LOG_SCALE_FLOOR",
]

#: Lowest log standard deviation of a mixture component: e^-9 = 1.2e-4 on
#: the normal-score scale, a conditional MI of about 9 nats per column
#: (-ln 1.2e-4). Below it a component could collapse onto one training row.
LOG_SCALE_FLOOR = -9.0


def unit_lower_triangular(raw):
    """The unit lower-triangular matrix of `raw` (..., d, d): its strict lower part plus I."""
    lower = tf.linalg.band_part(raw, -1, 0) - tf.linalg.band_part(raw, 0, 0)
    return lower + tf.eye(tf.shape(raw)[-1], dtype=raw.dtype)


def bounded_log_scale(raw, floor: float = LOG_SCALE_FLOOR):
    """``floor + softplus(raw - floor)``: about `raw` above the floor, never below it."""
    return floor + tf.nn.softplus(raw - floor)


def mixture_log_density(r, logits, means, log_scales):
    """Sum over the last axis of r of each coordinate's Gaussian-mixture log density.

    Parameters
    ----------
    r : tf.Tensor
        (..., d) values.
    logits, means, log_scales : tf.Tensor
        (..., d, K) mixture weights (unnormalized log), means and log
        standard deviations of each coordinate's K components.

    Returns
    -------
    tf.Tensor
        (...,) ``sum_j log sum_c softmax(logits)_jc N(r_j; mean_jc, e^(2 log_scale_jc))``.
    """
    standardized = (r[..., None] - means) * tf.exp(-log_scales)
    components = (tf.nn.log_softmax(logits, axis=-1) - 0.5 * tf.square(standardized)
                  - log_scales - 0.5 * np.log(2.0 * np.pi))  # fmt: skip
    return tf.reduce_sum(tf.reduce_logsumexp(components, axis=-1), axis=-1)


#: Ridge penalties tried for the linear start, relative to x's mean variance (0: least squares).
RIDGE_PENALTIES = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def _gaussian_log_likelihood(residual: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """Mean Gaussian log-likelihood (k,) of residual rows (k, m, d) under covariances (k, d, d)."""
    d = residual.shape[2]
    cholesky = np.linalg.cholesky(covariance)
    solved = np.linalg.solve(cholesky, residual.transpose(0, 2, 1))  # (k, d, m)
    log_det = 2.0 * np.log(np.diagonal(cholesky, axis1=1, axis2=2)).sum(-1)
    return -0.5 * (np.square(solved).sum(1).mean(-1) + log_det + d * np.log(2.0 * np.pi))


def _ridge_slope(xc, zc, x_val, z_val, x_mean, z_mean) -> np.ndarray:
    """Per critic, the ridge slope (k, dx, dz) of `RIDGE_PENALTIES` best on the validation rows.

    Least squares (penalty 0) when there are no validation rows.
    """
    n, dx = xc.shape[1], xc.shape[2]
    gram, cross = xc.transpose(0, 2, 1) @ xc, xc.transpose(0, 2, 1) @ zc
    scale = np.trace(gram, axis1=1, axis2=2)[:, None, None] / (n * dx)  # x's mean variance
    penalties = RIDGE_PENALTIES if x_val is not None else (0.0,)
    slopes = [np.linalg.solve(gram + (p * scale + 1e-6) * n * np.eye(dx), cross)
              for p in penalties]  # fmt: skip
    if x_val is None:
        return slopes[0]
    x_held, z_held = (np.asarray(a, np.float64) - m for a, m in ((x_val, x_mean), (z_val, z_mean)))
    scores = []
    for slope in slopes:
        residual = zc - xc @ slope
        covariance = (residual.transpose(0, 2, 1) @ residual / max(n - 1, 1)
                      + 1e-6 * np.eye(zc.shape[2]))  # fmt: skip
        scores.append(_gaussian_log_likelihood(z_held - x_held @ slope, covariance))
    best = np.argmax(np.stack(scores), axis=0)  # (k,)
    return np.stack([slopes[b][i] for i, b in enumerate(best)])


def _ldl_mixing(centred: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``A = L^-1`` and ``log sqrt(D)`` of the covariance ``L D L^T`` of centred rows (k, n, d)."""
    d = centred.shape[2]
    covariance = centred.transpose(0, 2, 1) @ centred / max(n - 1, 1) + 1e-6 * np.eye(d)
    cholesky = np.linalg.cholesky(covariance)
    diagonal = np.diagonal(cholesky, axis1=1, axis2=2)  # (k, d): sqrt(D)
    return diagonal[:, :, None] * np.linalg.inv(cholesky), np.log(diagonal)


@keras.saving.register_keras_serializable(package="keras_mine")
class StackedDensityCritic(StackedTowers):
    """k pairs of density models q(z|x), q(z) as one batched network; scores log q(z|x)/q(z).

    Args:
        num_critics: Number of stacked model pairs k.
        components: Gaussian components per coordinate of z (1: Gaussian).
        **kwargs: ``hidden_dim``, ``num_hidden_layers``, ``activation`` and
            ``seed`` of the MLP from x to the conditional's parameters, as
            for `keras_mine.core.critics.StackedMLPCritic`.

    Call arguments:
        x: Tensor (k, batch, dx). z: Tensor (k, batch, dz).

    Returns:
        Tensor (k, batch) of ``log q(z|x) - log q(z)``; `log_densities`
        gives the two terms.
    """

    towers = ("mlp",)

    def __init__(self, num_critics: int, components: int = 1, **kwargs: Any) -> None:
        super().__init__(num_critics, **kwargs)
        self.components = check_int(components, "components")
        self.width_z = 0
        self.extra_weights: list = []

    def _out_units(self) -> int:
        return 3 * self.components * self.width_z

    def build(self, x_shape: tuple, z_shape: tuple) -> None:
        self.width_z = int(z_shape[-1])
        self._build_towers([int(x_shape[-1])])
        k, d = self.num_critics, self.width_z
        shapes = {"conditional_mixing": (k, d, d), "marginal_mixing": (k, d, d),
                  "marginal_parameters": (k, d, 3 * self.components)}  # fmt: skip
        shapes["linear"] = (k, int(x_shape[-1]), d)  # x to the conditional means of r = A z
        self.extra_weights = [self.add_weight(shape=shape, initializer="zeros", name=name)
                              for name, shape in shapes.items()]  # fmt: skip
        self.linear = self.extra_weights[3]
        # Fixed spread of the components' means, so they start apart (not one mode K times).
        spread = np.linspace(-1.0, 1.0, self.components) if self.components > 1 else [0.0]
        self._offsets = tf.constant(spread, tf.float32)

    def start_gaussian(self, x: np.ndarray, z: np.ndarray, x_val: np.ndarray | None = None,
                       z_val: np.ndarray | None = None) -> None:  # fmt: skip
        """Start both models at the Gaussian fits of the rows (k, n, d): their MLEs.

        The marginal is the Gaussian fit of z. The conditional is the linear Gaussian
        regression of z on x (its mean linear in x, its covariance the residuals'), ridge-
        shrunk by the penalty of `RIDGE_PENALTIES` whose fit gives the validation rows
        (`x_val`, `z_val`) the highest likelihood: with many columns and few rows, least
        squares overfits (its held-out cross-entropy is about dx dz / 2n too high). A
        covariance ``S = L D L^T`` (L unit lower triangular) becomes the mixing ``A =
        L^-1``, which makes ``r = A z`` uncorrelated with variances D, and every component's
        scale ``sqrt(D)``. The conditional's MLP starts with a zero last kernel, so it adds
        nothing until training finds what a linear map misses: training starts from the
        Gaussian estimate and keeps only what raises the held-out likelihood.
        """
        x, z = np.asarray(x, np.float64), np.asarray(z, np.float64)
        k, n, d = z.shape
        x_mean, z_mean = x.mean(axis=1, keepdims=True), z.mean(axis=1, keepdims=True)
        xc, zc = x - x_mean, z - z_mean
        slope = _ridge_slope(xc, zc, x_val, z_val, x_mean, z_mean)  # (k, dx, d): z ~ x @ slope
        residual = zc - xc @ slope
        conditional_mixing, conditional_scale = _ldl_mixing(residual, n)
        marginal_mixing, marginal_scale = _ldl_mixing(zc, n)
        # r = A z: its mean A (z_mean + slope^T (x - x_mean)), linear in x.
        self.linear.assign((slope @ conditional_mixing.transpose(0, 2, 1)).astype("float32"))
        conditional_bias = np.einsum("kij,kj->ki", conditional_mixing,
                                     (z_mean - x_mean @ slope)[:, 0])  # fmt: skip
        marginal_means = np.einsum("kij,kj->ki", marginal_mixing, z_mean[:, 0])
        conditional = self._parameters(conditional_bias, conditional_scale)
        marginal = self._parameters(marginal_means, marginal_scale)
        mixing_c, mixing_m, marginal_parameters = self.extra_weights[:3]
        for weight, value in ((mixing_c, conditional_mixing), (mixing_m, marginal_mixing),
                              (marginal_parameters, marginal)):  # fmt: skip
            weight.assign(value.astype("float32"))
        self.kernels[-1].assign(tf.zeros_like(self.kernels[-1]))
        self.biases[-1].assign(conditional.reshape(k, 1, -1).astype("float32"))

    def _parameters(self, means: np.ndarray, log_scales: np.ndarray) -> np.ndarray:
        """Raw (k, d, 3K) mixture parameters: equal weights, these means and log scales."""
        parts = self.components
        raw_scale = LOG_SCALE_FLOOR + np.log(np.expm1(log_scales - LOG_SCALE_FLOOR))
        return np.concatenate([np.zeros(means.shape + (parts,)),
                               np.repeat(means[..., None], parts, axis=-1),
                               np.repeat(raw_scale[..., None], parts, axis=-1)],
                              axis=-1)  # fmt: skip

    def _log_density(self, z, mixing, parameters):
        r = tf.linalg.matvec(unit_lower_triangular(mixing)[:, None], z)  # (k, b, d)
        logits, means, raw_scales = tf.split(parameters, 3, axis=-1)
        return mixture_log_density(r, logits, means + self._offsets, bounded_log_scale(raw_scales))

    def log_densities(self, x, z):
        """``(log q(z|x), log q(z))``, each (k, batch)."""
        if not self.built:  # called before the layer itself was
            self.build(x.shape, z.shape)
            self.built = True
        k, batch = tf.shape(x)[0], tf.shape(x)[1]
        parameters = tf.reshape(self._run_tower(0, x),
                                [k, batch, self.width_z, 3 * self.components])  # fmt: skip
        parameters = parameters + tf.concat(  # the linear part shifts every component's mean
            [tf.zeros_like(parameters[..., :self.components]),
             tf.repeat(tf.matmul(x, self.linear)[..., None], self.components, axis=-1),
             tf.zeros_like(parameters[..., :self.components])], axis=-1)  # fmt: skip
        conditional_mixing, marginal_mixing, marginal_parameters = self.extra_weights[:3]
        conditional = self._log_density(z, conditional_mixing, parameters)
        marginal = self._log_density(z, marginal_mixing, marginal_parameters[:, None])
        return conditional, marginal

    def call(self, x, z):
        conditional, marginal = self.log_densities(x, z)
        return conditional - marginal

    def get_config(self) -> dict:
        return {**super().get_config(), "components": self.components}
