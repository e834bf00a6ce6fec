"""The demonstration: minepy's README figure, MI against rho for each estimator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from keras_mine.bench.runner import run_benchmark, summarize
from keras_mine.tasks import bivariate_gaussian

__all__ = ["run_demo", "DEMO_METHODS", "demo_rhos"]

#: minepy's figure: its three MINE losses and its classifier (ClassMI).
DEMO_METHODS = ("mine_biased", "mine", "remine", "classifier")


def demo_rhos(n_rho: int = 21, max_rho: float = 0.99) -> list[float]:
    """`n_rho` correlations evenly spaced in [-max_rho, max_rho], as in minepy's figure."""
    return [round(float(r), 4) for r in np.linspace(-max_rho, max_rho, n_rho)]


def run_demo(
    rhos: Sequence[float] | None = None,
    methods: Sequence[str] = DEMO_METHODS,
    n: int = 5_000,
    seed: int = 0,
    settings: dict[str, Any] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Estimate the MI of bivariate Gaussians over a range of rho with each method.

    Each estimate is `keras_mine.estimate_mi` on `n` samples (cross-fitted,
    early stopping), the high-level call users make.

    Returns
    -------
    pandas.DataFrame
        `keras_mine.bench.runner.summarize` output with a ``rho`` column.
    """
    rhos = demo_rhos() if rhos is None else list(rhos)
    tasks = [bivariate_gaussian(rho) for rho in rhos]
    summary = summarize(
        run_benchmark(tasks, methods, n=n, seeds=[seed], settings=settings, progress=progress)
    )
    rho_of = {task.name: float(task.covariance[0, 1]) for task in tasks}
    summary.insert(1, "rho", summary["task"].map(rho_of))
    return summary
