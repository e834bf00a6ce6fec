"""MI-preserving transforms, composed onto any task: ``task -> task``.

I(f(X); g(Z)) = I(X; Z) for injective, continuously differentiable f and g,
so a transformed task keeps its base task's `mi_true` while its samples
become non-Gaussian (Czyz et al., "Beyond Normal", NeurIPS 2023).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from keras_mine.tasks.base import Task

__all__ = [
    "TransformedTask",
    "RenamedTask",
    "half_cube",
    "asinh",
    "normal_cdf",
    "spiral",
    "wiggly",
    "swiss_roll",
]


@dataclass(frozen=True, repr=False)
class TransformedTask(Task):
    """`base` with `transform_x` applied to X and `transform_z` to Z.

    Parameters
    ----------
    base : Task
    label : str
        Prefix of the name: ``"label(base.name)"``.
    transform_x, transform_z : callable
        Maps of float64 arrays (n, d) -> (n, d'), injective and smooth.
    dim_x, dim_z : int
        Output dimensions.
    """

    base: Task
    label: str
    transform_x: Callable[[np.ndarray], np.ndarray]
    transform_z: Callable[[np.ndarray], np.ndarray]
    dim_x: int
    dim_z: int

    @property
    def name(self) -> str:
        return f"{self.label}({self.base.name})"

    @property
    def mi_true(self) -> float:
        return self.base.mi_true

    def draw(self, n, rng):
        x, z = self.base.draw(n, rng)
        return self.transform_x(x), self.transform_z(z)


def _elementwise(task: Task, label: str, function: Callable) -> TransformedTask:
    return TransformedTask(task, label, function, function, task.dim_x, task.dim_z)


def half_cube(task: Task) -> TransformedTask:
    """``t -> t |t|^(1/2)`` on every coordinate: heavier tails, same MI."""
    return _elementwise(task, "half-cube", lambda t: t * np.sqrt(np.abs(t)))


def cube_z(task: Task) -> TransformedTask:
    """``z -> z^3`` on Z only, X unchanged: the "cubic" staircase of Song & Ermon (2020)."""
    return TransformedTask(task, "cube_z", lambda t: t, lambda t: t**3, task.dim_x, task.dim_z)


def asinh(task: Task) -> TransformedTask:
    """``t -> asinh(t)`` on every coordinate: tames heavy (Student-t) tails."""
    return _elementwise(task, "asinh", np.arcsinh)


def normal_cdf(task: Task) -> TransformedTask:
    """``t -> Phi(t)`` on every coordinate: uniform margins when the base margins are N(0, 1)."""
    return _elementwise(task, "normal-cdf", ndtr)


def _wiggly_x(t: np.ndarray) -> np.ndarray:
    return t + 0.4 * np.sin(t) + 0.2 * np.sin(1.7 * t + 1.0) + 0.03 * np.sin(3.3 * t - 2.5)


def _wiggly_z(t: np.ndarray) -> np.ndarray:
    return t - 0.4 * np.sin(0.4 * t) + 0.17 * np.sin(1.3 * t + 3.5) + 0.02 * np.sin(4.3 * t - 2.5)


def wiggly(task: Task) -> TransformedTask:
    """The two "wiggly" maps of Czyz et al. (2023), one for X and one for Z.

    ``x -> x + 0.4 sin x + 0.2 sin(1.7 x + 1) + 0.03 sin(3.3 x - 2.5)`` and
    ``z -> z - 0.4 sin(0.4 z) + 0.17 sin(1.3 z + 3.5) + 0.02 sin(4.3 z - 2.5)``,
    both strictly increasing (slopes at least 0.18 and 0.53).
    """
    return TransformedTask(task, "wiggly", _wiggly_x, _wiggly_z, task.dim_x, task.dim_z)


@dataclass(frozen=True, repr=False)
class RenamedTask(Task):
    """`base` under another name (the published benchmark's task ids)."""

    base: Task
    name: str

    dim_x = property(lambda self: self.base.dim_x)
    dim_z = property(lambda self: self.base.dim_z)
    mi_true = property(lambda self: self.base.mi_true)
    entropy_true = property(lambda self: self.base.entropy_true)

    def draw(self, n, rng):
        return self.base.draw(n, rng)


def _spiral_map(speed: float, plane: tuple[int, int]) -> Callable[[np.ndarray], np.ndarray]:
    i, j = plane

    def rotate(v: np.ndarray) -> np.ndarray:
        angle = speed / v.shape[1] * np.sum(v**2, axis=1)
        cos, sin = np.cos(angle), np.sin(angle)
        out = v.copy()
        out[:, i] = cos * v[:, i] - sin * v[:, j]
        out[:, j] = sin * v[:, i] + cos * v[:, j]
        return out

    return rotate


def spiral(task: Task, speed: float = 1.0) -> TransformedTask:
    """Rotate a plane of each variable by the angle ``speed / d * ||v||^2``.

    X turns in the plane of its coordinates (0, 1), Z in (1, 2) when it has
    3 or more coordinates (else (0, 1)), as in Czyz et al. (2023), with the
    speed divided by the dimension d. A rotation keeps the norm, so rotating
    back by the same angle inverts the map: a diffeomorphism, MI unchanged.
    """
    if min(task.dim_x, task.dim_z) < 2:
        raise ValueError(
            f"spiral needs dim_x, dim_z >= 2; task {task.name!r} has "
            f"dim_x={task.dim_x}, dim_z={task.dim_z}."
        )
    plane_z = (1, 2) if task.dim_z >= 3 else (0, 1)
    return TransformedTask(
        task, "spiral", _spiral_map(speed, (0, 1)), _spiral_map(speed, plane_z),
        task.dim_x, task.dim_z,
    )  # fmt: skip


def _roll(t: np.ndarray) -> np.ndarray:
    angle = 1.5 * np.pi * (1.0 + 2.0 * t[:, 0])
    return np.stack([angle * np.cos(angle), angle * np.sin(angle)], axis=1) / 21.0


def swiss_roll(task: Task) -> TransformedTask:
    """Embed a one-dimensional X in (0, 1) into the plane as a Swiss roll.

    ``t -> (a cos a, a sin a) / 21`` with ``a = 1.5 pi (1 + 2 t)``: injective
    on (0, 1), so I(roll(X); Z) = I(X; Z). Use it on a task with uniform X,
    e.g. ``swiss_roll(normal_cdf(bivariate_gaussian(0.75)))``.
    """
    if task.dim_x != 1:
        raise ValueError(f"swiss_roll needs dim_x = 1; task {task.name!r} has dim_x={task.dim_x}.")
    return TransformedTask(task, "swiss-roll", _roll, lambda t: t, 2, task.dim_z)
