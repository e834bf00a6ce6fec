"""Distributions with mutual information known in closed form.

A task is a named sampler: ``name``, ``dim_x``, ``dim_z``, ``mi_true`` (nats)
and ``sample(n, seed) -> (x, z)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "GaussianTask",
    "ConditionalTask",
    "gaussian_mi",
    "bivariate_gaussian",
    "dense_gaussian",
]


def gaussian_mi(covariance: np.ndarray, dim_x: int) -> float:
    """I(X;Z) in nats of a joint Gaussian with the given covariance.

    ``0.5 * (log det C_xx + log det C_zz - log det C)``, X being the first
    `dim_x` coordinates and Z the rest.
    """
    covariance = np.asarray(covariance, dtype=np.float64)
    _, logdet_x = np.linalg.slogdet(covariance[:dim_x, :dim_x])
    _, logdet_z = np.linalg.slogdet(covariance[dim_x:, dim_x:])
    sign, logdet = np.linalg.slogdet(covariance)
    if sign <= 0:
        raise ValueError("`covariance` must be positive definite.")
    return 0.5 * (logdet_x + logdet_z - logdet)


@dataclass(frozen=True)
class GaussianTask:
    """Zero-mean joint Gaussian (X, Z) with a given covariance.

    Parameters
    ----------
    name : str
        Identifier of the task.
    covariance : np.ndarray
        (dim_x + dim_z) square, positive definite.
    dim_x : int
        Number of leading coordinates that form X.
    """

    name: str
    covariance: np.ndarray = field(repr=False)
    dim_x: int

    @property
    def dim_z(self) -> int:
        return self.covariance.shape[0] - self.dim_x

    @property
    def mi_true(self) -> float:
        return gaussian_mi(self.covariance, self.dim_x)

    def sample(self, n: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Draw `n` samples; returns float32 arrays (n, dim_x) and (n, dim_z)."""
        rng = np.random.default_rng(seed)
        joint = rng.multivariate_normal(
            np.zeros(len(self.covariance)), self.covariance, size=n, method="cholesky"
        )
        joint = joint.astype(np.float32)
        return joint[:, : self.dim_x], joint[:, self.dim_x :]


def bivariate_gaussian(rho: float) -> GaussianTask:
    """Two standard normals with correlation `rho`; MI = -0.5 log(1 - rho^2)."""
    if not -1.0 < rho < 1.0:
        raise ValueError(f"Expected rho in (-1, 1). Received: rho={rho!r}")
    covariance = np.array([[1.0, rho], [rho, 1.0]])
    return GaussianTask(f"gaussian-1x1-rho{rho:g}", covariance, 1)


def dense_gaussian(dim_x: int, dim_z: int, correlation: float = 0.5) -> GaussianTask:
    """Equicorrelated Gaussian: covariance ``(1 - c) I + c 11^T``, split dim_x | dim_z."""
    d = dim_x + dim_z
    covariance = (1.0 - correlation) * np.eye(d) + correlation * np.ones((d, d))
    return GaussianTask(f"gaussian-dense-{dim_x}x{dim_z}-c{correlation:g}", covariance, dim_x)


@dataclass(frozen=True)
class ConditionalTask:
    """Model I of the CCMI paper (Mukherjee et al. 2020), with known I(X;Y|Z).

    ``X ~ N(0, 1)``, ``Z ~ N(0, I_dz)``, ``Y = X + Z_1 + N(0, noise^2)``, so
    ``I(X;Y|Z) = 0.5 ln(1 + 1 / noise^2)`` (2.308 nats at noise 0.1). With
    ``independent=True``, ``Y = Z_1 + N(0, noise^2)`` and I(X;Y|Z) = 0.
    """

    dim_z: int = 1
    noise: float = 0.1
    independent: bool = False

    @property
    def name(self) -> str:
        kind = "independent" if self.independent else "model1"
        return f"ccmi-{kind}-dz{self.dim_z}"

    @property
    def cmi_true(self) -> float:
        return 0.0 if self.independent else 0.5 * float(np.log1p(1.0 / self.noise**2))

    def sample(self, n: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw `n` samples; returns float32 arrays x (n, 1), y (n, 1), z (n, dim_z)."""
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n, 1))
        z = rng.standard_normal((n, self.dim_z))
        y = z[:, :1] + self.noise * rng.standard_normal((n, 1))
        if not self.independent:
            y = y + x
        return x.astype(np.float32), y.astype(np.float32), z.astype(np.float32)
