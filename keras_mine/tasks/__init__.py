"""Distributions with mutual information known in closed form.

A task is a named sampler: ``name``, ``dim_x``, ``dim_z``, ``mi_true`` (nats)
and ``sample(n, seed) -> (x, z)`` (see `Task`). MI-preserving transforms
compose onto any task: ``half_cube(sparse_gaussian(5, 5))``. Suites collect
them: `benchmark_v1` (the 40 tasks of Czyz et al. 2023, with their names),
`extended_suite` (this project's earlier list), `staircase` (Poole et al. 2019).
"""

from keras_mine.tasks.additive_noise import AdditiveNoiseTask
from keras_mine.tasks.base import Task
from keras_mine.tasks.bimodal import BimodalTask
from keras_mine.tasks.conditional import ConditionalTask
from keras_mine.tasks.gaussian import (
    GaussianTask,
    bivariate_gaussian,
    dense_gaussian,
    gaussian_mi,
    sparse_gaussian,
    staircase_gaussian,
)
from keras_mine.tasks.student import (
    StudentTask,
    student_dense,
    student_identity,
    student_mi_correction,
    student_sparse,
)
from keras_mine.tasks.suite import (
    SUITES,
    benchmark_v1,
    extended_suite,
    get_suite,
    get_task,
    rho_sweep,
    staircase,
)
from keras_mine.tasks.transforms import (
    RenamedTask,
    TransformedTask,
    asinh,
    cube_z,
    half_cube,
    normal_cdf,
    spiral,
    swiss_roll,
    wiggly,
)

__all__ = [
    "Task",
    "GaussianTask",
    "StudentTask",
    "AdditiveNoiseTask",
    "TransformedTask",
    "RenamedTask",
    "BimodalTask",
    "ConditionalTask",
    "gaussian_mi",
    "student_mi_correction",
    "bivariate_gaussian",
    "dense_gaussian",
    "sparse_gaussian",
    "staircase_gaussian",
    "student_dense",
    "student_identity",
    "student_sparse",
    "half_cube",
    "cube_z",
    "asinh",
    "normal_cdf",
    "spiral",
    "wiggly",
    "swiss_roll",
    "benchmark_v1",
    "extended_suite",
    "staircase",
    "rho_sweep",
    "SUITES",
    "get_suite",
    "get_task",
]
