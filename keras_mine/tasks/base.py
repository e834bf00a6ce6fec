"""The task interface: a named sampler whose mutual information is known.

Imports only `keras_mine.core.validation` from the package.
"""

from __future__ import annotations

import abc

import numpy as np

from keras_mine.core.validation import check_int

__all__ = ["Task"]


class Task(abc.ABC):
    """A joint distribution of (X, Z) with I(X;Z) known in closed form.

    Subclasses define ``name``, ``dim_x``, ``dim_z``, ``mi_true`` and
    ``draw(n, rng)``, which returns float64 arrays from a given generator
    (so a wrapping task can draw from its base with the same generator);
    `sample` checks its arguments, seeds a fresh generator and returns
    float32 copies.
    """

    name: str
    dim_x: int
    dim_z: int

    @property
    @abc.abstractmethod
    def mi_true(self) -> float:
        """I(X;Z) in nats."""

    @property
    def entropy_true(self) -> dict[str, float] | None:
        """Differential entropies in nats, ``{"x": H(X), "z": H(Z), "joint": H(X, Z)}``.

        None where no closed form is known (the default). Where known,
        ``x + z - joint`` equals `mi_true`.
        """
        return None

    @abc.abstractmethod
    def draw(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """`n` samples of (x, z) from `rng`, float64 of shapes (n, dim_x) and (n, dim_z)."""

    def sample(self, n: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Draw `n` paired samples.

        Parameters
        ----------
        n : int
            Number of samples (>= 1).
        seed : int or None
            Seed of a fresh `numpy.random.Generator`: the same seed gives the
            same samples. No global random state is used.

        Returns
        -------
        tuple of np.ndarray
            float32 arrays ``x`` of shape (n, dim_x) and ``z`` of shape (n, dim_z).
        """
        n = check_int(n, "n")
        x, z = self.draw(n, np.random.default_rng(seed))
        return x.astype(np.float32), z.astype(np.float32)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, dim_x={self.dim_x}, "
            f"dim_z={self.dim_z}, mi_true={self.mi_true:.4f})"
        )
