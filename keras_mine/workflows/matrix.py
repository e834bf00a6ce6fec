"""The pairwise MI matrix of a table's columns: a dependency map."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from keras_mine.classical.knn import jitter
from keras_mine.core.validation import check_int, check_samples
from keras_mine.estimators.many import estimate_mi_columns

__all__ = ["mi_matrix"]


def mi_matrix(
    data: Any,
    method: str = "ksg",
    *,
    seed: int | None = 0,
    shard: tuple[int, int] | None = None,
    n_jobs: int | None = None,
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
        A method of `keras_mine.METHODS` ("ksg" default). "ksg" sorts each
        column once and shares it across the column's pairs
        (`keras_mine.classical.knn_pairs.ksg_mi_pairs`, the values of
        `ksg_mi`): 200 columns x 2,000 rows, 19,900 pairs, take about half
        a minute on two cores (docs/benchmarks.md). Neural methods train
        the p(p-1)/2 critics stacked (`estimate_mi_many`), in runs of as
        many as fit in memory, which is what makes them practical here: k
        stacked critics cost little more per step than one.
    seed : int or None
        Seeds the neural methods.
    shard : (index, count), optional
        Estimate only every `count`-th pair, starting at pair `index` (pairs
        in the order of `itertools.combinations`), leaving the others NaN:
        one share of the work for each of `count` processes or machines.
        Merge the shares with ``functools.reduce(pd.DataFrame.combine_first,
        shares)``; with the same `seed` it is the matrix one process computes
        (the same numbers: a stacked critic trains as it would alone).
    n_jobs : int or None
        Pairs estimated in parallel by joblib (classical methods): -1 every
        core; None (default) one, or the setting of an active joblib
        backend context (scikit-learn's convention). On one machine they
        run in threads; on a Dask cluster, under ``joblib.parallel_backend(
        "dask")`` (with a ``dask.distributed.Client`` open) or with
        ``joblib.parallel_config(backend="dask", client=client)``, the chunks
        of pairs go to the cluster's workers (``pip install
        "keras_mine[distributed]"``). The matrix does not depend on it.
        Neural methods take 1 or None (one TensorFlow run uses every core;
        spread them over machines with `shard`).
    verbose : bool
        Progress bar over pairs.
    **settings
        Passed to the method; see `keras_mine.estimate_mi`.

    Returns
    -------
    pandas.DataFrame
        Symmetric (n_columns, n_columns) matrix; the diagonal is NaN (the
        MI of a continuous variable with itself is infinite). With "ksg" the
        columns get noise of 1e-10 times their std first
        (`keras_mine.classical.knn.jitter`), so that values repeated by
        rounding do not stop the estimator. Negative estimates (noise around
        an MI of 0) are kept, unlike `mi_scores`, which clips them as
        scikit-learn does: a matrix is read as estimates, and clipping would
        bias averages over its entries up; ``matrix.clip(lower=0)`` clips.

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
    estimates = estimate_mi_columns(
        values, pairs, method, names=names, seed=seed, n_jobs=n_jobs, verbose=verbose, **settings
    )
    matrix = np.full((p, p), np.nan)
    rows, columns = np.array(pairs).T
    matrix[rows, columns] = matrix[columns, rows] = estimates
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
