"""Multivariate Student-t tasks: heavy tails, MI above the Gaussian term."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import digamma, gammaln
from scipy.stats import multivariate_t

from keras_mine.core.validation import check_int, check_number
from keras_mine.tasks.base import Task
from keras_mine.tasks.gaussian import check_split, gaussian_mi, sparse_correlation

__all__ = [
    "StudentTask",
    "student_mi_correction",
    "student_dense",
    "student_identity",
    "student_sparse",
]


def student_mi_correction(df: float, dim_x: int, dim_z: int) -> float:
    """MI of a multivariate Student-t beyond the Gaussian term of its dispersion.

    With ``f(d) = ln Gamma((df + d) / 2) - (df + d) / 2 * psi((df + d) / 2)``,
    the correction is ``f(dim_x + dim_z) + f(0) - f(dim_x) - f(dim_z)``
    (from the entropy of the t distribution, Arellano-Valle et al. 2013).
    It is positive, and the only dependence when the dispersion is the
    identity: uncorrelated t coordinates share the chi-square scale.
    """

    def f(d: int) -> float:
        a = 0.5 * (df + d)
        return float(gammaln(a) - a * digamma(a))

    return f(dim_x + dim_z) + f(0) - f(dim_x) - f(dim_z)


@dataclass(frozen=True, repr=False)
class StudentTask(Task):
    """Multivariate Student-t (X, Z) with dispersion matrix and degrees of freedom.

    ``(X, Z) = L g / sqrt(u / df)`` with ``g ~ N(0, I)``, ``u ~ chi2(df)``
    and ``L L^T = dispersion``. MI = ``gaussian_mi(dispersion)`` +
    `student_mi_correction`.

    Parameters
    ----------
    name : str
    dispersion : np.ndarray
        (dim_x + dim_z) square, symmetric positive definite.
    dim_x : int
    df : float
        Degrees of freedom (> 0).
    """

    name: str
    dispersion: np.ndarray = field(repr=False)
    dim_x: int
    df: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "dispersion", check_split(self.dispersion, self.dim_x))
        check_number(self.df, "df", low=0.0, low_open=True)

    @property
    def dim_z(self) -> int:
        return self.dispersion.shape[0] - self.dim_x

    @property
    def mi_true(self) -> float:
        return gaussian_mi(self.dispersion, self.dim_x) + student_mi_correction(
            self.df, self.dim_x, self.dim_z
        )

    @property
    def entropy_true(self) -> dict[str, float]:
        # Marginals of a multivariate t are t with the same df and the sub-dispersion.
        c, d = self.dispersion, self.dim_x
        h = lambda shape: float(multivariate_t(shape=shape, df=self.df).entropy())  # noqa: E731
        return {"x": h(c[:d, :d]), "z": h(c[d:, d:]), "joint": h(c)}

    def draw(self, n, rng):
        g = (
            rng.standard_normal((n, self.dispersion.shape[0]))
            @ np.linalg.cholesky(self.dispersion).T
        )
        joint = g / np.sqrt(rng.chisquare(self.df, size=(n, 1)) / self.df)
        return joint[:, : self.dim_x], joint[:, self.dim_x :]


def student_dense(dim_x: int, dim_z: int, df: float, correlation: float = 0.5) -> StudentTask:
    """Student-t with equicorrelated dispersion ``(1 - c) I + c 11^T``."""
    d = check_int(dim_x, "dim_x") + check_int(dim_z, "dim_z")
    dispersion = (1.0 - correlation) * np.eye(d) + correlation * np.ones((d, d))
    return StudentTask(f"student-dense-{dim_x}x{dim_z}-df{df:g}", dispersion, dim_x, df)


def student_identity(dim_x: int, dim_z: int, df: float) -> StudentTask:
    """Student-t with identity dispersion: all MI comes from the shared scale."""
    d = check_int(dim_x, "dim_x") + check_int(dim_z, "dim_z")
    return StudentTask(f"student-identity-{dim_x}x{dim_z}-df{df:g}", np.eye(d), dim_x, df)


def student_sparse(dim_x: int, dim_z: int, df: float) -> StudentTask:
    """Student-t with the 2-pair dispersion of `sparse_gaussian`."""
    dispersion = sparse_correlation(dim_x, dim_z)
    return StudentTask(f"student-sparse-{dim_x}x{dim_z}-df{df:g}", dispersion, dim_x, df)
