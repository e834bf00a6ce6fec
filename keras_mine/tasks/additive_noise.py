"""Uniform signal plus uniform noise: a non-Gaussian task with closed-form MI."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keras_mine.core.validation import check_number
from keras_mine.tasks.base import Task

__all__ = ["AdditiveNoiseTask"]


@dataclass(frozen=True, repr=False)
class AdditiveNoiseTask(Task):
    """``X ~ U(0, 1)``, ``Z = X + N`` with ``N ~ U(-epsilon, epsilon)``.

    H(Z | X) = ln(2 epsilon), and the density of Z is a trapezoid, whose
    entropy gives::

        I(X;Z) = epsilon - ln(2 epsilon)   if epsilon <= 1/2
                 1 / (4 epsilon)           otherwise

    (1.709 nats at epsilon = 0.1, 1/3 at 0.75).
    """

    epsilon: float

    def __post_init__(self) -> None:
        check_number(self.epsilon, "epsilon", low=0.0, low_open=True)

    name = property(lambda self: f"additive-noise-1x1-eps{self.epsilon:g}")
    dim_x = 1
    dim_z = 1

    @property
    def mi_true(self) -> float:
        e = self.epsilon
        return float(e - np.log(2.0 * e)) if e <= 0.5 else 1.0 / (4.0 * e)

    @property
    def entropy_true(self) -> dict[str, float]:
        # H(X) = ln 1 = 0; H(X, Z) = H(X) + H(N) = ln(2 epsilon); H(Z) = I + H(Z | X).
        noise = float(np.log(2.0 * self.epsilon))
        return {"x": 0.0, "z": self.mi_true + noise, "joint": noise}

    def draw(self, n, rng):
        x = rng.uniform(0.0, 1.0, size=(n, 1))
        return x, x + rng.uniform(-self.epsilon, self.epsilon, size=(n, 1))
