"""Run estimators on tasks with known MI, and summarize how close they come."""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from keras_mine.core.validation import check_int, check_option
from keras_mine.estimators.conditional import CMI_METHODS, estimate_cmi
from keras_mine.estimators.entropy import ENTROPY_METHODS, estimate_entropy
from keras_mine.estimators.estimate import METHODS, estimate_mi
from keras_mine.tasks import Task

#: What `run_benchmark` can measure: MI, the joint entropy H(X, Z), or the
#: conditional MI I(X;Y|Z) of `keras_mine.tasks.ConditionalTask`s.
QUANTITIES = ("mi", "entropy", "cmi")
#: The method registry of each quantity (one `keras_mine.core.registry.Registry` shape).
REGISTRIES = {"mi": METHODS, "entropy": ENTROPY_METHODS, "cmi": CMI_METHODS}


def _truth(task, quantity: str) -> float | None:
    if quantity == "mi":
        return getattr(task, "mi_true", None)
    if quantity == "cmi":
        return getattr(task, "cmi_true", None)
    entropies = getattr(task, "entropy_true", None)
    return None if entropies is None else entropies["joint"]


def _estimate(task, quantity: str, method: str, n: int, seed: int, settings: dict):
    """(estimate, stderr) of one run; the sample is drawn from `seed`.

    Each method gets the settings its registry entry accepts, and the run's
    seed where it takes one (every MI method, as `estimate_mi`'s argument).
    """
    accepted = REGISTRIES[quantity][method].settings
    settings = {k: v for k, v in settings.items() if k in accepted}
    if quantity == "mi" or "seed" in accepted:
        settings["seed"] = seed
    if quantity == "cmi":
        result = estimate_cmi(*task.sample(n, seed=seed), method=method, **settings)
        return result.mi, result.stderr
    x, z = task.sample(n, seed=seed)
    if x.ndim > 2 and not getattr(REGISTRIES[quantity][method], "structured", False):  # pixels
        x, z = x.reshape(n, -1), z.reshape(n, -1)
    if quantity == "mi":
        result = estimate_mi(x, z, method=method, **settings)
        return result.mi, result.stderr
    joint = np.concatenate([x, z], axis=1)
    return estimate_entropy(joint, method, **settings).entropy, float("nan")

__all__ = [
    "REGISTRIES",
    "run_benchmark",
    "summarize",
    "format_summary",
    "format_markdown",
    "within_tolerance",
    "QUANTITIES",
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
    quantity: str = "mi",
) -> pd.DataFrame:
    """Estimate the MI (or the entropy) of every task with every method, over several seeds.

    Seed ``s`` draws the task's samples and seeds the estimator, so every
    method sees the same data.

    Parameters
    ----------
    tasks : sequence of Task
    methods : sequence of str
        Names in `keras_mine.METHODS`, or in
        `keras_mine.estimators.entropy.ENTROPY_METHODS` for
        ``quantity="entropy"``.
    n : int
        Samples per run.
    seeds : int or sequence of int
        Runs per (task, method): an int k means seeds 0 .. k - 1.
    settings : dict, optional
        Settings passed to every method that accepts them (e.g.
        ``{"max_epochs": 50}`` reaches the neural methods only).
    progress : bool
        Show a progress bar over the runs.
    quantity : {"mi", "entropy", "cmi"}
        "mi": I(X;Z) against `Task.mi_true`. "entropy": the differential
        entropy of the joint sample, H(X, Z), against
        ``Task.entropy_true["joint"]``; tasks with no closed-form entropy
        are left out. "cmi": I(X;Y|Z) of `ConditionalTask`s against their
        ``cmi_true``, with `estimate_cmi`'s methods.

    Returns
    -------
    pandas.DataFrame
        One row per run: task, quantity, method, seed, dim_x, dim_z, mi_true
        and mi (the true and estimated value of `quantity`, in nats),
        stderr (of the readout, neural methods), error, seconds, warnings
        (the `UserWarning` messages the estimate raised, joined by " | "),
        failure. A method that rejects a task (e.g. "discrete" on
        continuous data) gets mi = NaN and its error message in ``failure``.
    """
    from tqdm.auto import tqdm

    check_option(quantity, "quantity", QUANTITIES)
    for method in methods:
        check_option(method, "method", REGISTRIES[quantity], f"{quantity} methods")
    tasks = [task for task in tasks if _truth(task, quantity) is not None]
    if not tasks:
        raise ValueError(
            f"None of the tasks has a known {quantity}: entropies are known for the "
            "Gaussian, Student-t and additive-noise tasks (e.g. --tasks extended), "
            "conditional MI for the conditional suite."
        )
    n = check_int(n, "n", minimum=10)
    seeds = range(check_int(seeds, "seeds")) if np.isscalar(seeds) else list(seeds)
    settings = settings or {}
    runs = [(task, method, seed) for task in tasks for method in methods for seed in seeds]
    rows = []
    bar = tqdm(runs, desc="benchmark", disable=not progress)
    for task, method, seed in bar:
        bar.set_postfix_str(f"{task.name} | {method} | seed {seed}", refresh=True)
        start = time.perf_counter()
        stderr = float("nan")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            try:
                (mi, stderr), failure = _estimate(task, quantity, method, n, seed, settings), ""
            except ValueError as error:
                mi, failure = float("nan"), str(error)
        truth = _truth(task, quantity)
        messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        rows.append(
            dict(
                task=task.name,
                quantity=quantity,
                method=method,
                seed=seed,
                dim_x=getattr(task, "dim_x", 1),
                dim_z=task.dim_z,
                mi_true=truth,
                mi=mi,
                stderr=stderr,
                error=mi - truth,
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
    if "quantity" in runs:
        summary.insert(2, "quantity", grouped["quantity"].first().to_numpy())
    if "warnings" in runs:
        warned = grouped["warnings"].apply(lambda w: int((w != "").sum())).to_numpy()
        summary.insert(len(summary.columns) - 1, "warned", warned)
    summary.insert(6, "error", summary["mean"] - summary["mi_true"])
    summary.insert(7, "within", within_tolerance(summary["mean"], summary["mi_true"]))
    return summary


def _truth_label(summary: pd.DataFrame) -> str:
    quantities = set(summary["quantity"]) if "quantity" in summary else {"mi"}
    if len(quantities) != 1:
        return "true"
    return {"mi": "true MI", "entropy": "true H", "cmi": "true CMI"}[quantities.pop()]


def format_summary(summary: pd.DataFrame) -> str:
    """A plain-text table: task, true MI (or H), method, mean +- std, error, seconds."""
    width = max(len("task"), *(len(t) for t in summary["task"]))
    truth = _truth_label(summary)
    lines = [
        f"{'task':<{width}} {truth:>7} {'method':<11} {'estimate':>16} "
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
        f"| task | dims | {_truth_label(summary)} | " + " | ".join(methods) + " |",
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
