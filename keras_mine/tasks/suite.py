"""Named collections of tasks: the benchmark suites."""

from __future__ import annotations

from keras_mine.core.validation import check_option
from keras_mine.tasks.additive_noise import AdditiveNoiseTask
from keras_mine.tasks.base import Task
from keras_mine.tasks.bimodal import BimodalTask
from keras_mine.tasks.gaussian import (
    bivariate_gaussian,
    dense_gaussian,
    sparse_gaussian,
    staircase_gaussian,
)
from keras_mine.tasks.student import student_dense, student_identity, student_sparse
from keras_mine.tasks.transforms import (
    RenamedTask,
    asinh,
    cube_z,
    half_cube,
    normal_cdf,
    spiral,
    swiss_roll,
    wiggly,
)

__all__ = [
    "benchmark_v1",
    "extended_suite",
    "staircase",
    "rho_sweep",
    "SUITES",
    "get_suite",
    "get_task",
]


def _published(task: Task, name: str) -> RenamedTask:
    return RenamedTask(task, name)


def benchmark_v1() -> list[Task]:
    """The 40 tasks of Czyz et al., "Beyond Normal" (NeurIPS 2023), with their names.

    As published in the paper and its reference code (the ``bmi`` package's
    ``BENCHMARK_TASKS_LIST``), in the same order and with the same ids:

    - one-dimensional (9): the bivariate normal with rho = 0.75
      (``1v1-normal-0.75``), its uniform margins, additive uniform noise
      (epsilon 0.1 and 0.75), bimodal margins (`BimodalTask`), the wiggly and
      half-cube maps, the bivariate Student-t with identity dispersion and
      df = 1 (Cauchy margins) and its asinh;
    - the Swiss roll (2 x 1) of the uniform-margins task;
    - multivariate normals (9): dense (all correlations 0.5) in 2, 3, 5, 25
      and 50 dimensions per variable; sparse ("2-pair", correlation 0.8 in two
      pairs) in 2, 3, 5 and 25;
    - Student-t with identity dispersion (6): 2 x 2 with df 1 and 2,
      3 x 3 with df 2 and 3, 5 x 5 with df 2 and 3;
    - transformed (15): normal CDF, half-cube, spiral and spiral of normal
      CDF of the sparse normals in 3, 5 and 25 dimensions, and asinh of the
      Student-t 2-2-1, 3-3-2 and 5-5-2.

    The tasks this project ran before this list existed are `extended_suite`.
    """
    binormal = _published(bivariate_gaussian(0.75), "1v1-normal-0.75")
    uniform = _published(normal_cdf(binormal), f"normal_cdf-{binormal.name}")

    def student(d: int, df: int) -> RenamedTask:
        return _published(student_identity(d, d, df), f"student-identity-{d}-{d}-{df}")

    def transformed(label: str, make, task: Task) -> RenamedTask:
        return _published(make(task), f"{label}-{task.name}")

    bistudent = student(1, 1)
    one_dim = [
        binormal,
        uniform,
        _published(AdditiveNoiseTask(0.1), "1v1-additive-0.1"),
        _published(AdditiveNoiseTask(0.75), "1v1-additive-0.75"),
        BimodalTask(0.75),
        transformed("wiggly", wiggly, binormal),
        transformed("half_cube", half_cube, binormal),
        bistudent,
        transformed("asinh", asinh, bistudent),
    ]
    embeddings = [transformed("swissroll_x", swiss_roll, uniform)]
    dense = [_published(dense_gaussian(d, d), f"multinormal-dense-{d}-{d}-0.5")
             for d in (2, 3, 5, 25, 50)]  # fmt: skip
    sparse = {d: _published(sparse_gaussian(d, d), f"multinormal-sparse-{d}-{d}-2-2.0")
              for d in (2, 3, 5, 25)}  # fmt: skip
    students = [student(d, df) for d, df in ((2, 1), (2, 2), (3, 2), (3, 3), (5, 2), (5, 3))]
    bases = [sparse[d] for d in (3, 5, 25)]
    transformed_tasks = [transformed("normal_cdf", normal_cdf, b) for b in bases]
    transformed_tasks += [transformed("half_cube", half_cube, b) for b in bases]
    transformed_tasks += [transformed("spiral", spiral, b) for b in bases]
    transformed_tasks += [
        transformed("spiral", spiral, transformed("normal_cdf", normal_cdf, b)) for b in bases
    ]
    transformed_tasks += [
        transformed("asinh", asinh, student(d, df)) for d, df in ((2, 1), (3, 2), (5, 2))
    ]
    return one_dim + embeddings + dense + list(sparse.values()) + students + transformed_tasks


def extended_suite() -> list[Task]:
    """The 38 tasks this project benchmarked before it had the published v1 list.

    Beside tasks close to v1's (under this project's own names), it has what
    v1 lacks: a bivariate Student-t with correlated dispersion (df 5),
    Student-t with identity dispersion up to 10 x 10 with df 3 and 5, and
    asinh of sparse Student-t up to 25 x 25.
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
    """Poole et al. (2019): `dim` x `dim` Gaussians with MI 2, 4, 6, 8, 10 nats, then
    the same with ``z -> z^3`` (Song & Ermon's "cubic" variant)."""
    gaussians = [staircase_gaussian(mi, dim) for mi in (2.0, 4.0, 6.0, 8.0, 10.0)]
    return gaussians + [cube_z(task) for task in gaussians]


def rho_sweep(n_rho: int = 21, max_rho: float = 0.99) -> list[Task]:
    """Bivariate normals with rho evenly spaced in [-max_rho, max_rho] (minepy's figure)."""
    import numpy as np

    return [bivariate_gaussian(float(rho)) for rho in np.linspace(-max_rho, max_rho, n_rho)]


#: Suites by name, for ``python -m keras_mine bench --tasks``.
SUITES = {
    "v1": benchmark_v1,
    "extended": extended_suite,
    "staircase": staircase,
    "rho": rho_sweep,
    "quick": lambda: [bivariate_gaussian(0.75), AdditiveNoiseTask(0.75), dense_gaussian(3, 3)],
    "images": lambda: _images().image_suite(),
    "embeddings": lambda: _images().embedding_suite(),
}


def _images():
    """`keras_mine.tasks.images`, imported when its suites are asked for (it loads the digits)."""
    from keras_mine.tasks import images

    return images


def get_suite(name: str) -> list[Task]:
    """The tasks of suite `name` (one of `SUITES`)."""
    return SUITES[check_option(name, "suite", SUITES, "suites")]()


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
