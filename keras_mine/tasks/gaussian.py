"""Joint Gaussians: the tasks whose MI has the simplest closed form."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import multivariate_normal

from keras_mine.core.validation import check_int, check_number
from keras_mine.tasks.base import Task

__all__ = [
    "GaussianTask",
    "gaussian_mi",
    "bivariate_gaussian",
    "dense_gaussian",
    "sparse_gaussian",
    "staircase_gaussian",
    "sparse_correlation",
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
    return float(0.5 * (logdet_x + logdet_z - logdet))


def check_split(covariance: np.ndarray, dim_x: int) -> np.ndarray:
    """Check a covariance (or dispersion) matrix and its split into X's and Z's coordinates."""
    covariance = np.asarray(covariance, dtype=np.float64)
    if covariance.ndim != 2 or covariance.shape[0] != covariance.shape[1]:
        raise ValueError(
            f"`covariance` must be a square matrix; received shape {covariance.shape}."
        )
    dim_x = check_int(dim_x, "dim_x")
    if dim_x >= covariance.shape[0]:
        raise ValueError(
            f"`dim_x`={dim_x} leaves no coordinate for Z in a {covariance.shape[0]}-dimensional "
            "covariance."
        )
    if not np.allclose(covariance, covariance.T):
        raise ValueError("`covariance` must be symmetric.")
    if np.linalg.eigvalsh(covariance).min() <= 0:
        raise ValueError("`covariance` must be positive definite.")
    return covariance


@dataclass(frozen=True, repr=False)
class GaussianTask(Task):
    """Zero-mean joint Gaussian (X, Z) with a given covariance.

    Parameters
    ----------
    name : str
        Identifier of the task.
    covariance : np.ndarray
        (dim_x + dim_z) square, symmetric positive definite.
    dim_x : int
        Number of leading coordinates that form X.
    """

    name: str
    covariance: np.ndarray = field(repr=False)
    dim_x: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "covariance", check_split(self.covariance, self.dim_x))

    @property
    def dim_z(self) -> int:
        return self.covariance.shape[0] - self.dim_x

    @property
    def mi_true(self) -> float:
        return gaussian_mi(self.covariance, self.dim_x)

    @property
    def entropy_true(self) -> dict[str, float]:
        c, d = self.covariance, self.dim_x
        h = lambda cov: float(multivariate_normal(cov=cov).entropy())  # noqa: E731
        return {"x": h(c[:d, :d]), "z": h(c[d:, d:]), "joint": h(c)}

    @property
    def cholesky(self) -> np.ndarray:
        """Lower Cholesky factor of the covariance."""
        return np.linalg.cholesky(self.covariance)

    def draw(self, n, rng):
        joint = rng.standard_normal((n, self.covariance.shape[0])) @ self.cholesky.T
        return joint[:, : self.dim_x], joint[:, self.dim_x :]


def bivariate_gaussian(rho: float) -> GaussianTask:
    """Two standard normals with correlation `rho`; MI = -0.5 ln(1 - rho^2)."""
    rho = check_number(rho, "rho", low=-1.0, high=1.0, low_open=True, high_open=True)
    covariance = np.array([[1.0, rho], [rho, 1.0]])
    return GaussianTask(f"normal-1x1-rho{rho:g}", covariance, 1)


def dense_gaussian(dim_x: int, dim_z: int, correlation: float = 0.5) -> GaussianTask:
    """Equicorrelated Gaussian: covariance ``(1 - c) I + c 11^T``, split dim_x | dim_z.

    Every pair of the dim_x + dim_z coordinates has correlation `c` (the
    "dense" Gaussians of Czyz et al. 2023 use c = 0.5).
    """
    d = check_int(dim_x, "dim_x") + check_int(dim_z, "dim_z")
    covariance = (1.0 - correlation) * np.eye(d) + correlation * np.ones((d, d))
    return GaussianTask(f"normal-dense-{dim_x}x{dim_z}", covariance, dim_x)


def sparse_correlation(
    dim_x: int, dim_z: int, n_interacting: int = 2, correlation: float = 0.8
) -> np.ndarray:
    """Correlation matrix where only X_i and Z_i, i < `n_interacting`, are correlated."""
    dim_x, dim_z = check_int(dim_x, "dim_x"), check_int(dim_z, "dim_z")
    n_interacting = check_int(n_interacting, "n_interacting", minimum=0)
    if n_interacting > min(dim_x, dim_z):
        raise ValueError(
            f"n_interacting={n_interacting} exceeds min(dim_x, dim_z)={min(dim_x, dim_z)}."
        )
    matrix = np.eye(dim_x + dim_z)
    pairs = np.arange(n_interacting)
    matrix[pairs, dim_x + pairs] = matrix[dim_x + pairs, pairs] = correlation
    return matrix


def sparse_gaussian(
    dim_x: int, dim_z: int, n_interacting: int = 2, correlation: float = 0.8
) -> GaussianTask:
    """The "2-pair" Gaussian of Czyz et al. (2023): X_i, Z_i correlated for i < 2 only.

    MI = -n_interacting / 2 * ln(1 - correlation^2) (1.022 nats by default),
    whatever the dimensions: the other coordinates are pure noise.
    """
    covariance = sparse_correlation(dim_x, dim_z, n_interacting, correlation)
    return GaussianTask(f"normal-sparse-{dim_x}x{dim_z}", covariance, dim_x)


def staircase_gaussian(mi: float, dim: int = 20) -> GaussianTask:
    """Gaussian of Poole et al. (2019): `dim` independent pairs (X_i, Z_i), total MI `mi`.

    Each pair has correlation ``rho = sqrt(1 - exp(-2 mi / dim))``, so that
    ``-dim / 2 * ln(1 - rho^2) = mi``. Their staircase steps through
    mi = 2, 4, 6, 8, 10 nats with dim = 20.
    """
    mi = check_number(mi, "mi", low=0.0, low_open=True)
    dim = check_int(dim, "dim")
    rho = float(np.sqrt(-np.expm1(-2.0 * mi / dim)))
    return GaussianTask(
        f"normal-staircase-{dim}x{dim}-mi{mi:g}",
        sparse_correlation(dim, dim, n_interacting=dim, correlation=rho),
        dim,
    )
