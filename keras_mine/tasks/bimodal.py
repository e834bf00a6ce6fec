"""The bimodal task of Czyz et al. (2023): a Gaussian copula with two-peaked margins."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from keras_mine.core.validation import check_number
from keras_mine.tasks.base import Task

__all__ = ["BimodalTask", "mixture_cdf", "mixture_quantile"]

# The published margins: X ~ 0.3 N(0, 1) + 0.7 N(5, 1), Z ~ 0.5 N(-1, 1) + 0.5 N(3, 1).
_X_MIXTURE = ((0.3, 0.0), (0.7, 5.0))
_Z_MIXTURE = ((0.5, -1.0), (0.5, 3.0))


def mixture_cdf(t: np.ndarray, mixture, upper: bool = False) -> np.ndarray:
    """CDF (or, with ``upper=True``, survival function) of a unit-variance normal mixture.

    `mixture` is a sequence of ``(weight, mean)``. The survival function is
    computed directly, not as 1 - CDF, so it keeps its precision in the upper tail.
    """
    sign = -1.0 if upper else 1.0
    return sum(w * ndtr(sign * (np.asarray(t) - mu)) for w, mu in mixture)


def _mixture_density(t: np.ndarray, mixture) -> np.ndarray:
    return sum(w * np.exp(-0.5 * (t - mu) ** 2) / np.sqrt(2 * np.pi) for w, mu in mixture)


def mixture_quantile(p: np.ndarray, mixture, iterations: int = 80) -> np.ndarray:
    """Inverse of `mixture_cdf` by vectorized bisection (no loop over samples).

    80 halvings of a bracket 80 wide reach float64 resolution.
    """
    p = np.asarray(p, dtype=np.float64)
    means = [mu for _, mu in mixture]
    low = np.full(p.shape, min(means) - 40.0)
    high = np.full(p.shape, max(means) + 40.0)
    for _ in range(iterations):
        middle = 0.5 * (low + high)
        below = mixture_cdf(middle, mixture) < p
        low = np.where(below, middle, low)
        high = np.where(below, high, middle)
    return 0.5 * (low + high)


def _normal_scores(t: np.ndarray, mixture) -> np.ndarray:
    """Phi^-1(F(t)) of a mixture, precise in both tails (survival function above the median)."""
    lower = mixture_cdf(t, mixture)
    upper = mixture_cdf(t, mixture, upper=True)
    return np.where(lower < 0.5, ndtri(np.clip(lower, 1e-300, None)),
                    -ndtri(np.clip(upper, 1e-300, None)))  # fmt: skip


@functools.lru_cache(maxsize=8)
def _integrated_mi(correlation: float, points: int = 2001) -> float:
    """I(X;Z) = E[log c(F_x(X), F_z(Z))] by the trapezoid rule on a grid.

    The joint density is the Gaussian copula density c times the two mixture
    densities; the integrand is smooth, and the grid covers both margins to
    beyond 8 standard deviations of their outer components.
    """
    rho = correlation
    t_x = np.linspace(-9.0, 14.0, points)
    t_z = np.linspace(-10.0, 12.0, points)
    g_x, g_z = _normal_scores(t_x, _X_MIXTURE), _normal_scores(t_z, _Z_MIXTURE)
    f_x, f_z = _mixture_density(t_x, _X_MIXTURE), _mixture_density(t_z, _Z_MIXTURE)
    gx, gz = g_x[:, None], g_z[None, :]
    log_copula = -0.5 * np.log1p(-(rho**2)) - (
        rho**2 * (gx**2 + gz**2) - 2.0 * rho * gx * gz
    ) / (2.0 * (1.0 - rho**2))
    integrand = np.exp(log_copula) * log_copula * f_x[:, None] * f_z[None, :]
    return float(np.trapezoid(np.trapezoid(integrand, t_z, axis=1), t_x))


@dataclass(frozen=True, repr=False)
class BimodalTask(Task):
    """Bivariate normal (correlation `correlation`) with two-peaked margins.

    ``X = F_x^-1(Phi(G_1))``, ``Z = F_z^-1(Phi(G_2))`` with ``(G_1, G_2)`` a
    bivariate normal and ``F_x``, ``F_z`` the CDFs of the normal mixtures
    ``0.3 N(0, 1) + 0.7 N(5, 1)`` and ``0.5 N(-1, 1) + 0.5 N(3, 1)``
    (the ``1v1-bimodal-0.75`` task of Czyz et al., NeurIPS 2023).

    `mi_true` integrates ``p log(p / (p_x p_z))`` numerically over the
    plane; the maps being increasing, it must equal the bivariate normal's
    ``-0.5 ln(1 - rho^2)`` (a test checks the two routes agree).
    """

    correlation: float = 0.75

    def __post_init__(self) -> None:
        check_number(self.correlation, "correlation", low=-1.0, high=1.0, low_open=True,
                     high_open=True)  # fmt: skip

    name = property(lambda self: f"1v1-bimodal-{self.correlation}")
    dim_x = 1
    dim_z = 1

    @property
    def mi_true(self) -> float:
        return _integrated_mi(float(self.correlation))

    def draw(self, n, rng):
        rho = self.correlation
        g = rng.standard_normal((n, 2)) @ np.linalg.cholesky([[1.0, rho], [rho, 1.0]]).T
        x = mixture_quantile(ndtr(g[:, :1]), _X_MIXTURE)
        z = mixture_quantile(ndtr(g[:, 1:]), _Z_MIXTURE)
        return x, z
