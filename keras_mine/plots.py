"""Figures of benchmark results. matplotlib is imported only when a figure is made.

Figures are built with `matplotlib.figure.Figure`, without pyplot: they work
on machines without a display, and a notebook shows the returned figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_benchmark", "plot_rho_sweep"]


def plot_benchmark(summary: pd.DataFrame):
    """Estimates (mean +- std over seeds) against the true MI, one line per task.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of `keras_mine.benchmark.summarize`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    tasks = list(dict.fromkeys(summary["task"]))
    methods = list(dict.fromkeys(summary["method"]))
    fig = Figure(figsize=(9, 1.2 + 0.32 * len(tasks)), layout="constrained")
    ax = fig.add_subplot()
    position = {task: i for i, task in enumerate(tasks)}
    truth = summary.groupby("task", sort=False)["mi_true"].first()
    ax.scatter(
        truth.values,
        [position[t] for t in truth.index],
        marker="|",
        s=300,
        color="black",
        label="true MI",
        zorder=3,
    )
    offsets = np.linspace(-0.3, 0.3, len(methods)) if len(methods) > 1 else [0.0]
    for offset, method in zip(offsets, methods, strict=True):
        rows = summary[summary["method"] == method]
        ax.errorbar(
            rows["mean"],
            [position[t] + offset for t in rows["task"]],
            xerr=rows["std"],
            fmt="o",
            markersize=4,
            capsize=2,
            label=method,
        )
    ax.set_yticks(range(len(tasks)), tasks, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("mutual information (nats)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Estimates against the true MI (mean ± std over seeds)")
    return fig


def plot_rho_sweep(summary: pd.DataFrame):
    """MI against rho for each method, with the true curve -0.5 ln(1 - rho^2).

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of `keras_mine.demo.run_demo`: a summary with a ``rho`` column.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.add_subplot()
    grid = np.linspace(-0.995, 0.995, 400)
    ax.plot(grid, -0.5 * np.log1p(-(grid**2)), color="black", lw=1.5, label="true MI")
    markers = "osD^vP*X"
    for i, (method, rows) in enumerate(summary.groupby("method", sort=False)):
        # Estimates are points: lines between them would cut across the curve.
        ax.errorbar(
            rows["rho"].to_numpy(),
            rows["mean"].to_numpy(),
            yerr=rows["std"].fillna(0.0).to_numpy(),
            fmt=markers[i % len(markers)],
            markersize=5,
            markerfacecolor="none",
            capsize=2,
            label=method,
        )
    ax.set_xlabel(r"$\rho$")
    ax.set_ylabel("mutual information (nats)")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Bivariate Gaussian: estimates against the true MI")
    return fig
