"""Figures: benchmarks, MI matrices, feature rankings, sample-size curves, lagged MI, TE networks.

matplotlib is imported only when a figure is made.

Figures are built with `matplotlib.figure.Figure`, without pyplot: they work
on machines without a display, and a notebook shows the returned figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "plot_benchmark",
    "plot_rho_sweep",
    "plot_mi_matrix",
    "plot_feature_ranking",
    "plot_sample_size",
    "plot_lagged_mi",
    "plot_te_matrix",
]


def plot_benchmark(summary: pd.DataFrame):
    """Estimates (mean +- std over seeds) against the true MI (or entropy), one line per task.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of `keras_mine.bench.runner.summarize`.

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
    quantity = summary["quantity"].iloc[0] if "quantity" in summary else "mi"
    name, short = {
        "mi": ("mutual information", "MI"),
        "entropy": ("joint entropy H(X, Z)", "H"),
        "cmi": ("conditional mutual information I(X;Y|Z)", "CMI"),
    }[quantity]
    truth = summary.groupby("task", sort=False)["mi_true"].first()
    ax.scatter(
        truth.values,
        [position[t] for t in truth.index],
        marker="|",
        s=300,
        color="black",
        label=f"true {short}",
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
    ax.set_xlabel(f"{name} (nats)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"Estimates against the true {short} (mean ± std over seeds)")
    return fig


def plot_rho_sweep(summary: pd.DataFrame):
    """MI against rho for each method, with the true curve -0.5 ln(1 - rho^2).

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of `keras_mine.bench.demo.run_demo`: a summary with a ``rho`` column.

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


def plot_mi_matrix(matrix: pd.DataFrame, annotate: bool = True):
    """Heatmap of a pairwise MI matrix (`keras_mine.mi_matrix`).

    Parameters
    ----------
    matrix : pandas.DataFrame
        Symmetric, NaN on the diagonal.
    annotate : bool
        Write each value (2 decimals) in its cell.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _heatmap(matrix, annotate, "mutual information (nats)", "Pairwise mutual information")


def plot_te_matrix(network, alpha: float = 0.01, annotate: bool = True):
    """Heatmap of transfer entropies, source rows to target columns (`keras_mine.te_matrix`).

    Parameters
    ----------
    network : TEMatrix or pandas.DataFrame
        A `te_matrix` result, or its ``.te``.
    alpha : float
        With p-values, entries above `alpha` are drawn blank (not significant).
    annotate : bool
        Write each value (2 decimals) in its cell.

    Returns
    -------
    matplotlib.figure.Figure
    """
    te = getattr(network, "te", network)
    p_value = getattr(network, "p_value", None)
    if p_value is not None:
        te = te.where(p_value <= alpha)
    fig = _heatmap(te, annotate, "transfer entropy (nats)", "Transfer entropy, row -> column")
    ax = fig.axes[0]
    ax.set_ylabel("source")
    ax.set_xlabel("target")
    return fig


def _heatmap(matrix: pd.DataFrame, annotate: bool, label: str, title: str):
    from matplotlib.figure import Figure

    p = len(matrix)
    size = min(12.0, 2.0 + 0.6 * p)
    fig = Figure(figsize=(size + 1.2, size), layout="constrained")
    ax = fig.add_subplot()
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(values), cmap="viridis", vmin=0.0)
    fig.colorbar(image, ax=ax, label=label)
    ax.set_xticks(range(p), [str(name) for name in matrix.columns], rotation=45, ha="right")
    ax.set_yticks(range(p), [str(name) for name in matrix.index])
    if annotate:
        top = np.nanmax(values) if np.isfinite(values).any() else 1.0
        for i in range(p):
            for j in range(p):
                if np.isfinite(values[i, j]):
                    color = "black" if values[i, j] > 0.6 * top else "white"
                    ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center",
                            fontsize=8, color=color)  # fmt: skip
    ax.set_title(title)
    return fig


def plot_feature_ranking(scores: pd.Series):
    """Horizontal bars of MI with the target, highest on top (`rank_features`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    scores = scores.sort_values()
    fig = Figure(figsize=(6, 1.0 + 0.3 * len(scores)), layout="constrained")
    ax = fig.add_subplot()
    ax.barh([str(name) for name in scores.index], scores.to_numpy())
    ax.set_xlabel("MI with the target (nats)")
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_sample_size(curve: pd.DataFrame, mi_true: float | None = None):
    """The estimate (mean +- std) against the sample size (`mi_vs_sample_size`).

    Parameters
    ----------
    curve : pandas.DataFrame
        Columns ``n``, ``mean``, ``std``.
    mi_true : float, optional
        The true MI, drawn as a line when known.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    ax.errorbar(curve["n"], curve["mean"], yerr=curve["std"].fillna(0.0), fmt="o-", capsize=3,
                label="estimate")  # fmt: skip
    if mi_true is not None:
        ax.axhline(mi_true, color="black", lw=1, label="true MI")
    ax.set_xscale("log")
    ax.set_xlabel("samples")
    ax.set_ylabel("mutual information (nats)")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def plot_lagged_mi(table: pd.DataFrame, truth: Any = None):
    """Lagged MI against the lag, with +-2 standard error bands (`keras_mine.lagged_mi`).

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by lag, columns "mi" and "stderr".
    truth : sequence of float, optional
        The true MI at each lag, drawn as a line when known.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    lags = table.index.to_numpy()
    mi, stderr = table["mi"].to_numpy(), table["stderr"].fillna(0.0).to_numpy()
    ax.fill_between(lags, mi - 2 * stderr, mi + 2 * stderr, alpha=0.25, label="+-2 std. error")
    ax.plot(lags, mi, "o-", label="estimate")
    if truth is not None:
        ax.plot(lags, truth, color="black", lw=1, label="true MI")
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_xlabel("lag (y after x)")
    ax.set_ylabel("I(X_t; Y_t+lag) (nats)")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig
