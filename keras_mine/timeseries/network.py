"""The transfer entropy of every ordered pair of a table's columns: a directed network."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from tqdm.auto import tqdm

from keras_mine.core.validation import check_fraction, check_seed
from keras_mine.timeseries.series import check_history, check_series
from keras_mine.timeseries.transfer import target_history, transfer_entropy

__all__ = ["TEMatrix", "te_matrix"]


@dataclass(frozen=True)
class TEMatrix:
    """What `te_matrix` returns.

    Attributes
    ----------
    te : pandas.DataFrame
        ``te.loc[source, target]``: TE from the row's column to the
        column's, in nats; NaN on the diagonal.
    p_value : pandas.DataFrame or None
        The surrogate test's p-value of each entry (None without surrogates).
    history : pandas.Series
        The history used for each target.
    """

    te: pd.DataFrame
    p_value: pd.DataFrame | None
    history: pd.Series

    def edges(self, alpha: float = 0.01) -> pd.DataFrame:
        """The significant directed edges, strongest first: source, target, te, p_value.

        Without surrogates, every pair is listed with p_value NaN.
        """
        alpha = check_fraction(alpha, "alpha")
        p_value = self.p_value if self.p_value is not None else self.te * np.nan
        table = pd.DataFrame(
            [(source, target, self.te.loc[source, target], p_value.loc[source, target])
             for source in self.te.index for target in self.te.columns if source != target],
            columns=["source", "target", "te", "p_value"],
        )  # fmt: skip
        if self.p_value is not None:
            table = table[table["p_value"] <= alpha]
        return table.sort_values("te", ascending=False).reset_index(drop=True)


def te_matrix(
    data: Any,
    lag: int = 1,
    history: int | str = "auto",
    method: str = "ksg",
    *,
    n_surrogates: int = 0,
    conditional: bool = False,
    seed: int | None = 0,
    n_jobs: int | None = None,
    verbose: bool = False,
    **settings: Any,
) -> TEMatrix:
    """Transfer entropy from every column to every other: who drives whom.

    Each ordered pair is a `transfer_entropy` call. Pairwise (default), no
    other column is conditioned on: an indirect path (X -> Y -> W) shows up
    as an edge X -> W too, and a common driver as an edge between the
    series it drives. ``conditional=True`` conditions each pair on the
    other columns' pasts, which keeps only the direct edges, at the price of
    a higher-dimensional estimate (fine for a handful of columns with "ksg"
    or "gaussian_copula").

    Parameters
    ----------
    data : DataFrame, array (n_times, n_columns), or list of them (trials)
        Rows in time order; column names label the result.
    lag, method, **settings
        As `transfer_entropy`.
    history : int or "auto"
        The target's history; "auto" chooses it once per target
        (`target_history`), for all its sources.
    n_surrogates : int
        Shift surrogates per pair for the p-values (0: none).
    conditional : bool
        Condition each pair on all other columns (with the target's history).
    seed : int or None
        Seeds the surrogates and the neural methods.
    n_jobs : int or None
        Pairs estimated in parallel by joblib, as in `keras_mine.mi_matrix`
        (threads on one machine; a Dask cluster's workers under
        ``joblib.parallel_backend("dask")``). The values do not depend on it.
    verbose : bool
        Progress bar over pairs.

    Returns
    -------
    TEMatrix
        ``.te`` (sources as rows, targets as columns), ``.p_value``,
        ``.history``, and ``.edges(alpha)``.

    Examples
    --------
    >>> from keras_mine.tasks.timeseries import climate_series
    >>> network = te_matrix(climate_series(seasonal=False), n_surrogates=99)
    >>> network.edges(alpha=0.01)[["source", "target"]].values.tolist()
    [['humidity', 'precipitation'], ['temperature', 'humidity']]
    """
    first = data[0] if isinstance(data, (list, tuple)) and len(data) else data
    trials = check_series(data, "data")
    p = trials[0].shape[1]
    if p < 2:
        raise ValueError(f"`data` needs at least 2 columns to pair; received {p}.")
    names = list(first.columns) if hasattr(first, "columns") else list(range(p))
    history = check_history(history)
    seed = check_seed(seed)
    columns = [[trial[:, [j]] for trial in trials] for j in range(p)]
    histories = [
        target_history(columns[j]) if history == "auto" else history for j in range(p)
    ]
    pairs = list(permutations(range(p), 2))

    def one(i: int, j: int):
        others = [k for k in range(p) if k not in (i, j)]
        conditions = None
        if conditional and others:
            conditions = [trial[:, others] for trial in trials]
        return transfer_entropy(columns[i], columns[j], lag, histories[j], method=method,
                                conditions=conditions, n_surrogates=n_surrogates, seed=seed,
                                **settings)  # fmt: skip

    if effective_n_jobs(n_jobs) == 1:
        done = (one(i, j) for i, j in pairs)
    else:
        done = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
            delayed(one)(i, j) for i, j in pairs
        )
    results = list(tqdm(done, total=len(pairs), desc=f"te_matrix {method}",
                        disable=not verbose, leave=False, unit="pair"))  # fmt: skip
    te = np.full((p, p), np.nan)
    p_values = np.full((p, p), np.nan)
    for (i, j), result in zip(pairs, results, strict=True):
        te[i, j], p_values[i, j] = result.te, result.p_value
    frame = pd.DataFrame(te, index=pd.Index(names, name="source"),
                         columns=pd.Index(names, name="target"))  # fmt: skip
    p_frame = frame.copy()
    p_frame[:] = p_values
    return TEMatrix(frame, p_frame if n_surrogates else None,
                    pd.Series(histories, index=names, name="history"))  # fmt: skip
