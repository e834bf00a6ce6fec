"""Run estimators on tasks with known MI, and summarize how close they come."""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from keras_mine.core.validation import check_int, check_option
from keras_mine.estimators.estimate import METHODS, estimate_mi
from keras_mine.tasks import Task

__all__ = [
    "run_benchmark",
    "summarize",
    "format_summary",
    "format_markdown",
    "within_tolerance",
]


def within_tolerance(estimate, truth):
    """Whether an estimate is within max(0.05 nats, 10%) of the truth (the issue's yardstick)."""
    return np.abs(np.asarray(estimate) - np.asarray(truth)) <= np.maximum(
        0.05, 0.1 * np.abs(np.asarray(truth))
    )


def run_benchmark(
    tasks: Sequence[Task],
    methods: Sequence[str],
    n: int = 5_000,
    seeds: int | Sequence[int] = 3,
    settings: dict[str, Any] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Estimate the MI of every task with every method, over several seeds.

    Seed ``s`` draws the task's samples and seeds the estimator, so every
    method sees the same data.

    Parameters
    ----------
    tasks : sequence of Task
    methods : sequence of str
        Names in `keras_mine.METHODS`.
    n : int
        Samples per run.
    seeds : int or sequence of int
        Runs per (task, method): an int k means seeds 0 .. k - 1.
    settings : dict, optional
        Settings passed to every method that accepts them (e.g.
        ``{"max_epochs": 50}`` reaches the neural methods only).
    progress : bool
        Show a progress bar over the runs.

    Returns
    -------
    pandas.DataFrame
        One row per run: task, method, seed, dim_x, dim_z, mi_true, mi,
        stderr (of the readout, neural methods), error, seconds, warnings
        (the `UserWarning` messages the estimate raised, joined by " | "),
        failure. A method that rejects a task (e.g. "discrete" on
        continuous data) gets mi = NaN and its error message in ``failure``.
    """
    from tqdm.auto import tqdm

    for method in methods:
        check_option(method, "method", METHODS, "methods")
    n = check_int(n, "n", minimum=10)
    seeds = range(check_int(seeds, "seeds")) if np.isscalar(seeds) else list(seeds)
    settings = settings or {}
    runs = [(task, method, seed) for task in tasks for method in methods for seed in seeds]
    rows = []
    bar = tqdm(runs, desc="benchmark", disable=not progress)
    for task, method, seed in bar:
        bar.set_postfix_str(f"{task.name} | {method} | seed {seed}", refresh=True)
        x, z = task.sample(n, seed=seed)
        accepted = {k: v for k, v in settings.items() if k in METHODS[method].settings}
        start = time.perf_counter()
        stderr = float("nan")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            try:
                result = estimate_mi(x, z, method=method, seed=seed, **accepted)
                mi, stderr, failure = result.mi, result.stderr, ""
            except ValueError as error:
                mi, failure = float("nan"), str(error)
        messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        rows.append(
            dict(
                task=task.name,
                method=method,
                seed=seed,
                dim_x=task.dim_x,
                dim_z=task.dim_z,
                mi_true=task.mi_true,
                mi=mi,
                stderr=stderr,
                error=mi - task.mi_true,
                seconds=time.perf_counter() - start,
                warnings=" | ".join(messages),
                failure=failure,
            )
        )
    return pd.DataFrame(rows)


def summarize(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard deviation and error of the estimates per (task, method).

    Tasks and methods keep the order in which they were run. ``std`` is the
    spread over seeds (0 for one seed); ``error`` is mean - mi_true;
    ``within`` is `within_tolerance` of the mean; ``lowest`` the lowest
    estimate over seeds; ``warned`` the runs that raised a warning.
    """
    grouped = runs.groupby(["task", "method"], sort=False)
    summary = grouped.agg(
        dim_x=("dim_x", "first"),
        dim_z=("dim_z", "first"),
        mi_true=("mi_true", "first"),
        mean=("mi", "mean"),
        std=("mi", lambda v: float(np.std(v, ddof=1)) if len(v) > 1 else 0.0),
        lowest=("mi", "min"),
        seconds=("seconds", "mean"),
        seeds=("seed", "count"),
        failure=("failure", "first"),
    ).reset_index()
    if "warnings" in runs:
        warned = grouped["warnings"].apply(lambda w: int((w != "").sum())).to_numpy()
        summary.insert(len(summary.columns) - 1, "warned", warned)
    summary.insert(6, "error", summary["mean"] - summary["mi_true"])
    summary.insert(7, "within", within_tolerance(summary["mean"], summary["mi_true"]))
    return summary


def format_summary(summary: pd.DataFrame) -> str:
    """A plain-text table: task, true MI, method, mean +- std, error, seconds."""
    width = max(len("task"), *(len(t) for t in summary["task"]))
    lines = [
        f"{'task':<{width}} {'true MI':>7} {'method':<11} {'estimate':>16} "
        f"{'error':>7} {'seconds':>8}"
    ]
    for row in summary.itertuples():
        estimate = f"{row.mean:.3f} +- {row.std:.3f}" if np.isfinite(row.mean) else "n/a"
        error = f"{row.error:+.3f}" if np.isfinite(row.error) else ""
        lines.append(
            f"{row.task:<{width}} {row.mi_true:>7.3f} {row.method:<11} {estimate:>16} "
            f"{error:>7} {row.seconds:>8.1f}"
        )
    return "\n".join(lines)


def format_markdown(summary: pd.DataFrame) -> str:
    """A markdown table, one row per task and one "mean ± std" column per method.

    The last rows give each method's mean absolute error over the tasks it
    ran and its mean seconds per run.
    """
    methods = list(dict.fromkeys(summary["method"]))
    lines = [
        "| task | dims | true MI | " + " | ".join(methods) + " |",
        "|---|---|---|" + "---|" * len(methods),
    ]
    for task, rows in summary.groupby("task", sort=False):
        first = rows.iloc[0]
        cells = []
        for method in methods:
            row = rows[rows["method"] == method].iloc[0]
            cells.append(
                f"{row['mean']:.2f} ± {row['std']:.2f}" if np.isfinite(row["mean"]) else "n/a"
            )
        dims = f"{first['dim_x']}×{first['dim_z']}"
        lines.append(f"| {task} | {dims} | {first['mi_true']:.2f} | " + " | ".join(cells) + " |")
    by_method = summary.groupby("method", sort=False)
    mae = by_method["error"].apply(lambda e: e.abs().mean())  # NaN (failed runs) skipped
    seconds = by_method["seconds"].mean()
    lines.append("| mean abs. error | | | " + " | ".join(f"{mae[m]:.3f}" for m in methods) + " |")
    within = by_method["within"].sum()
    lines.append(
        "| within max(0.05, 10%) | | | "
        + " | ".join(f"{int(within[m])}/{by_method.size()[m]}" for m in methods)
        + " |"
    )
    lowest = by_method["lowest"].min()
    cells = " | ".join(f"{lowest[m]:.3f}" for m in methods)
    lines.append(f"| lowest estimate | | | {cells} |")
    if "warned" in summary:
        warned = by_method["warned"].sum()
        lines.append("| runs warned | | | " + " | ".join(f"{warned[m]}" for m in methods) + " |")
    lines.append(
        "| seconds per run | | | " + " | ".join(f"{seconds[m]:.1f}" for m in methods) + " |"
    )
    return "\n".join(lines)
