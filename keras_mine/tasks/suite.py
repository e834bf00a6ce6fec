"""Named collections of tasks: the benchmark suites."""

from __future__ import annotations

from keras_mine.tasks.additive_noise import AdditiveNoiseTask
from keras_mine.tasks.base import Task
from keras_mine.tasks.gaussian import (
    bivariate_gaussian,
    dense_gaussian,
    sparse_gaussian,
    staircase_gaussian,
)
from keras_mine.tasks.student import student_dense, student_identity, student_sparse
from keras_mine.tasks.transforms import (
    asinh,
    half_cube,
    normal_cdf,
    spiral,
    swiss_roll,
    wiggly,
)

__all__ = ["benchmark_v1", "staircase", "rho_sweep", "SUITES", "get_suite", "get_task"]


def benchmark_v1() -> list[Task]:
    """The v1 suite of Czyz et al., "Beyond Normal" (NeurIPS 2023), 38 tasks.

    One-dimensional tasks (a bivariate normal with rho = 0.75, its uniform
    margins, additive noise, wiggly and half-cube transforms, a bivariate
    Student-t), a Swiss-roll embedding, dense and sparse ("2-pair")
    multivariate normals up to 50 x 50, Student-t with identity dispersion,
    and transformed sparse normals and Student-t up to 25 x 25. The paper's
    bimodal 1 x 1 task (MI by numerical integration) is left out.
    """
    binormal = bivariate_gaussian(0.75)
    uniform = normal_cdf(binormal)
    one_dim = [
        binormal,
        uniform,
        AdditiveNoiseTask(0.1),
        AdditiveNoiseTask(0.75),
        wiggly(binormal),
        half_cube(binormal),
        student_dense(1, 1, df=5, correlation=0.75),
        swiss_roll(uniform),
    ]
    normals = [dense_gaussian(d, d) for d in (2, 3, 5, 25, 50)]
    normals += [sparse_gaussian(d, d) for d in (2, 3, 5, 25)]
    students = [student_identity(d, d, df) for d in (2, 5, 10) for df in (3, 5)]
    transformed = []
    for d in (3, 5, 25):
        base = sparse_gaussian(d, d)
        transformed += [normal_cdf(base), half_cube(base), spiral(base), spiral(normal_cdf(base))]
    transformed += [asinh(student_sparse(d, d, df=5)) for d in (3, 5, 25)]
    return one_dim + normals + students + transformed


def staircase(dim: int = 20) -> list[Task]:
    """Poole et al. (2019): `dim` x `dim` Gaussians with MI 2, 4, 6, 8, 10 nats."""
    return [staircase_gaussian(mi, dim) for mi in (2.0, 4.0, 6.0, 8.0, 10.0)]


def rho_sweep(n_rho: int = 21, max_rho: float = 0.99) -> list[Task]:
    """Bivariate normals with rho evenly spaced in [-max_rho, max_rho] (minepy's figure)."""
    import numpy as np

    return [bivariate_gaussian(float(rho)) for rho in np.linspace(-max_rho, max_rho, n_rho)]


#: Suites by name, for ``python -m keras_mine bench --tasks``.
SUITES = {
    "v1": benchmark_v1,
    "staircase": staircase,
    "rho": rho_sweep,
    "quick": lambda: [bivariate_gaussian(0.75), AdditiveNoiseTask(0.75), dense_gaussian(3, 3)],
}


def get_suite(name: str) -> list[Task]:
    """The tasks of suite `name` (one of `SUITES`)."""
    if name not in SUITES:
        raise ValueError(f"Unknown suite {name!r}. Valid suites: {', '.join(SUITES)}.")
    return SUITES[name]()


def get_task(name: str) -> Task:
    """A task by its name, searched in every suite."""
    for make in SUITES.values():
        for task in make():
            if task.name == name:
                return task
    raise ValueError(
        f"Unknown task {name!r}. See `keras_mine.tasks.get_suite(...)` for the names, "
        "e.g. [t.name for t in get_suite('v1')]."
    )
