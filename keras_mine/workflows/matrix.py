"""The pairwise MI matrix of a table's columns: a dependency map."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from keras_mine.classical.knn import jitter
from keras_mine.core.validation import check_int, check_samples
from keras_mine.estimators.many import estimate_mi_many

__all__ = ["mi_matrix"]


def mi_matrix(
    data: Any,
    method: str = "ksg",
    *,
    seed: int | None = 0,
    shard: tuple[int, int] | None = None,
    verbose: bool = False,
    **settings: Any,
) -> pd.DataFrame:
    """I(column_i; column_j) for every pair of columns, in nats.

    Parameters
    ----------
    data : DataFrame or array-like, shape (n_samples, n_columns)
        At least 2 numeric columns. A DataFrame's column names label the
        result (else 0, 1, ...). Encode categories as numbers first and use a
        method that suits them ("discrete", "histogram").
    method : str
        A method of `keras_mine.METHODS` ("ksg" default). Neural methods
        train the p(p-1)/2 critics stacked into one network
        (`estimate_mi_many`), which is what makes them practical here: k
        stacked critics cost little more per step than one (figures in
        docs/benchmarks.md).
    seed : int or None
        Seeds the neural methods.
    shard : (index, count), optional
        Estimate only every `count`-th pair, starting at pair `index` (pairs
        in the order of `itertools.combinations`), leaving the others NaN:
        one share of the work for each of `count` processes or machines.
        Merge the shares with ``functools.reduce(pd.DataFrame.combine_first,
        shares)``; with the same `seed` it is the matrix one process computes
        ("ksg": the same numbers; neural methods: the same up to training
        noise, as the stacked critics are grouped differently).
    verbose : bool
        Progress bar.
    **settings
        Passed to the method; see `keras_mine.estimate_mi`.

    Returns
    -------
    pandas.DataFrame
        Symmetric (n_columns, n_columns) matrix; the diagonal is NaN (the
        MI of a continuous variable with itself is infinite). With "ksg" the
        columns get noise of 1e-10 times their std first
        (`keras_mine.classical.knn.jitter`), so that values repeated by
        rounding do not stop the estimator.

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=3000)
    >>> df = pd.DataFrame({"a": a, "b": a ** 2 + 0.1 * rng.normal(size=3000),
    ...                    "c": rng.normal(size=3000)})
    >>> mi_matrix(df).round(2)    # a-b high although uncorrelated, c near 0
          a     b     c
    a   NaN  1.96 -0.01
    b  1.96   NaN  0.02
    c -0.01  0.02   NaN
    """
    names = list(data.columns) if hasattr(data, "columns") else None
    values = check_samples(data, "data", dtype="float64")
    p = values.shape[1]
    if p < 2:
        raise ValueError(f"`data` needs at least 2 columns to pair; received {p}.")
    names = names or list(range(p))
    if method == "ksg":
        values = jitter(values, seed)  # rounded measurements repeat values; see `jitter`
    pairs = list(combinations(range(p), 2))
    if shard is not None:
        index, count = _check_shard(shard)
        pairs = pairs[index::count]
    results = estimate_mi_many(
        [(values[:, [i]], values[:, [j]]) for i, j in pairs],
        method, seed=seed, verbose=verbose, **settings,
    )  # fmt: skip
    matrix = np.full((p, p), np.nan)
    for (i, j), result in zip(pairs, results, strict=True):
        matrix[i, j] = matrix[j, i] = result.mi
    return pd.DataFrame(matrix, index=names, columns=names)


def _check_shard(shard: Any) -> tuple[int, int]:
    """``(index, count)`` with 0 <= index < count, else ValueError."""
    if not isinstance(shard, (tuple, list)) or len(shard) != 2:
        raise ValueError(f"`shard` must be a pair (index, count); received {shard!r}.")
    count = check_int(shard[1], "shard count", minimum=1)
    index = check_int(shard[0], "shard index", minimum=0)
    if index >= count:
        raise ValueError(
            f"`shard` index {index} must be below its count {count} (indices 0 to {count - 1})."
        )
    return index, count
