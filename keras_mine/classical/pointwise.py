"""Pointwise MI of the cells of a co-occurrence (contingency) table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["pmi_table"]


def pmi_table(joint_counts: Any, normalized: bool = False) -> pd.DataFrame:
    """Pointwise MI (or normalized PMI) of every cell of a table of counts.

    ``PMI(a, b) = ln[p(a, b) / (p(a) p(b))]`` with the probabilities the
    table's relative frequencies (rows are the values of one variable,
    columns of the other). Its average over cells weighted by p(a, b) is the
    plug-in MI. ``NPMI = PMI / -ln p(a, b)`` lies in [-1, 1]: 1 for pairs
    that only occur together, 0 for independence, -1 for pairs never seen
    together.

    Parameters
    ----------
    joint_counts : pandas.DataFrame or array-like
        Non-negative counts, (n_values_a, n_values_b), e.g.
        ``pandas.crosstab(a, b)``. A DataFrame keeps its labels.
    normalized : bool
        Return NPMI instead of PMI.

    Returns
    -------
    pandas.DataFrame
        Same shape and labels as the input. PMI is -inf (NPMI -1) where the
        count is 0.

    Raises
    ------
    ValueError
        If the table is not 2-D, has negative or non-finite counts, or sums
        to 0.

    Examples
    --------
    >>> counts = pd.DataFrame([[10, 0], [0, 10]], index=["a", "b"], columns=["x", "y"])
    >>> pmi_table(counts).round(3)   # ln 2 on the diagonal
           x      y
    a  0.693   -inf
    b   -inf  0.693
    >>> pmi_table(counts, normalized=True)
         x    y
    a  1.0 -1.0
    b -1.0  1.0
    """
    if not isinstance(joint_counts, pd.DataFrame):
        shape = np.shape(joint_counts)
        if len(shape) != 2:
            raise ValueError(f"`joint_counts` must be a 2-D table of counts; shape {shape}.")
        joint_counts = pd.DataFrame(joint_counts)
    table = joint_counts
    try:
        counts = table.to_numpy(dtype="float64")
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"`joint_counts` must hold numbers (counts); a cell is not one ({error}). Pass the "
            "table of counts (pandas.crosstab(a, b)), not the labels themselves: "
            "keras_mine.classical.pmi_table(pandas.crosstab(a, b))."
        ) from error
    if counts.size == 0:
        raise ValueError(f"`joint_counts` must be a non-empty 2-D table; shape {counts.shape}.")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0) or counts.sum() == 0:
        raise ValueError(
            "`joint_counts` must hold finite, non-negative counts with a positive total "
            "(e.g. pandas.crosstab(a, b))."
        )
    p = counts / counts.sum()
    expected = p.sum(axis=1, keepdims=True) * p.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.where(p > 0, np.log(p / expected), -np.inf)
        if normalized:
            # A pair that fills the whole table (p = 1) is fully associated: NPMI 1.
            pmi = np.where(p >= 1, 1.0, np.where(p > 0, pmi / -np.log(p), -1.0))
    return pd.DataFrame(pmi, index=table.index, columns=table.columns)
