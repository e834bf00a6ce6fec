"""`MIResult`, what every estimator returns, and the checks run on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the classical methods' results import no Keras
    import keras

from keras_mine.estimators.diagnostics import (
    AGREE_FRACTION,
    AGREE_NATS,
    duplicated_rows,
    folds_disagree,
    functional_dependence,
    infinite_mi_message,
    near_ceiling,
    near_deterministic,
    negative_estimate,
    null_bias,
    plug_in_bias,
)

__all__ = [
    "MIResult",
    "data_messages",
    "dependence_message",
    "extrapolated_mi",
    "plausibility_messages",
]



def _agree(values: Sequence[float]) -> bool:
    values = np.asarray(values, float)
    if len(values) < 2:
        return True
    gap = float(np.max(values) - np.min(values))
    return gap <= AGREE_NATS + AGREE_FRACTION * abs(float(np.mean(values)))


def extrapolated_mi(
    full: float, halves: Sequence[float], full_folds: Sequence[float] = ()
) -> tuple[float, bool]:
    """The MI read at infinite sample size from estimates at N and N/2.

    A trained critic's estimate is low by a bias that shrinks with the
    sample size. Taking the bias as c / N (the leading term of the bias of
    information estimates from finite samples: Treves and Panzeri 1995; the
    extrapolation of Strong et al. 1998), the estimate I(N) on all rows and
    the mean I(N/2) of the estimates on two halves give
    ``I = 2 I(N) - I(N/2)``.

    The extrapolation doubles whatever noise I(N) carries, so it is applied
    only when its parts are consistent with the premise: the halves read no
    higher than the whole (a bias c / N > 0), the two halves agree, and the
    folds of the all-rows fit agree (within 0.05 nats + 15% of their mean,
    `AGREE_NATS`, `AGREE_FRACTION`). Otherwise one critic trained badly, and
    `full` is returned as it is. Without halves, `full` is returned.

    Measured on the 40 tasks of the v1 benchmark (method "mine", N = 5,000,
    seeds 0-2): see docs/benchmarks.md, section "Sample-size extrapolation".

    Parameters
    ----------
    full : float
        The estimate I(N) on all rows.
    halves : sequence of float
        The estimate on each half of the rows.
    full_folds : sequence of float, optional
        The fold readouts whose mean is `full`.

    Returns
    -------
    mi : float
        The extrapolated estimate, or `full`.
    applied : bool
        Whether the extrapolation was applied.

    Examples
    --------
    >>> extrapolated_mi(1.63, [1.55, 1.56])   # 1.63 + (1.63 - 1.555)
    (1.705, True)
    >>> extrapolated_mi(0.31, [0.35, 0.35])   # the halves read higher: noise
    (0.31, False)
    >>> extrapolated_mi(0.24, [-0.05, 0.15])  # the halves disagree
    (0.24, False)
    """
    full = float(full)
    if len(halves) == 0:
        return full, False
    half = float(np.mean(halves))
    if half > full or not (_agree(halves) and _agree(full_folds)):
        return full, False
    return round(2.0 * full - half, 12), True


@dataclass(frozen=True)
class MIResult:
    """What `estimate_mi` and `estimate_cmi` return (`mi` is then I(X;Y|Z)).

    Attributes
    ----------
    mi : float
        The estimate in nats. Neural methods: the mean over folds of each
        fold model's DV readout on the rows it never saw, extrapolated to
        infinite sample size from the same estimate on two halves of the
        rows (``2 mi_full_sample - mean(half_estimates)``; see
        `keras_mine.estimators.result.extrapolated_mi`) when the parts are
        consistent (`extrapolated`) and ``extrapolate=True``.
    method : str
        The method's name.
    seconds : float
        Wall time of training and readout.
    history : pandas.DataFrame
        Neural methods: one row per epoch run (``fold``, ``epoch``, ``mi``,
        ``val_mi``, ``loss``, ``val_loss``, ``learning_rate``, and
        ``accuracy`` for the classifier). Empty for classical methods.
    models : sequence of keras.Model
        The trained model of each fold (best weights restored), rebuilt
        from the engine's critics when first read
        (`keras_mine.estimators.neural.FoldModels`); empty for classical
        methods.
    fold_estimates : tuple of float
        Each fold's readout, in nats; their spread shows the readout's noise.
        "ksg": its one estimate on all rows. Other classical methods: empty.
    fold_stderrs : tuple of float
        Each fold readout's standard error for its critic (the sampling
        noise of the held-out rows, not the spread from training). "ksg":
        the approximate standard error of `keras_mine.classical.knn.ksg_stderr`.
    n_samples : int
        Rows used.
    mi_full_sample : float
        Neural methods: the cross-fitted estimate on all rows, before the
        extrapolation (equal to `mi` with ``extrapolate=False``); NaN for
        classical methods.
    half_estimates : tuple of float
        The cross-fitted estimate on each half of the rows (empty without
        extrapolation). `models`, `history` and the fold attributes are
        those of the all-rows fit.
    half_stderrs : tuple of float
        The standard error of each half's estimate.
    units : {"nats", "bits"}
        The units of ``float(result)`` (`estimate_mi`'s `units`); `mi`
        stays in nats, `mi_bits` in bits.
    parts : tuple of MIResult
        The estimates this one is made of: `keras_mine.estimate_cmi`'s
        ``method="difference"`` holds I(X;(Y,Z)) and I(X;Z). Empty otherwise.
    extrapolated : bool
        Whether `mi` is the extrapolated estimate. False when
        ``extrapolate=False``, and when the halves read higher than the
        whole or the halves or the folds disagree (one critic trained
        badly: the extrapolation would double its error); `mi` is then
        `mi_full_sample`.
    levels : (int, int) or None
        Plug-in methods ("discrete", "histogram"): the numbers of distinct
        symbols or occupied cells of x and z the table was counted on
        (`keras_mine.estimators.diagnostics.plug_in_bias`). None otherwise.
    null_level : float or None
        "mixed" with many levels: the estimate's mean on the data with z
        permuted (`keras_mine.estimators.diagnostics.mixed_null_level`), its
        bias at these levels. None otherwise.
    """

    mi: float
    method: str
    seconds: float
    history: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    models: tuple = field(repr=False, default=())
    fold_estimates: tuple = ()
    fold_stderrs: tuple = ()
    n_samples: int = 0
    mi_full_sample: float = float("nan")
    half_estimates: tuple = ()
    half_stderrs: tuple = ()
    extrapolated: bool = False
    units: str = "nats"
    parts: tuple = field(repr=False, default=())
    levels: tuple[int, int] | None = None
    null_level: float | None = None

    def __float__(self) -> float:
        """The estimate in `units`: ``float(estimate_mi(x, z, units="bits"))``."""
        return float(self.mi if self.units == "nats" else self.mi_bits)

    @property
    def stderr(self) -> float:
        """Standard error of `mi` from the readouts' sampling noise (NaN if unknown)."""
        if self.parts:  # a difference of independent estimates: the variances add
            return float(np.sqrt(sum(part.stderr**2 for part in self.parts)))
        if not self.fold_stderrs:
            return float("nan")
        full = np.sqrt(np.sum(np.square(self.fold_stderrs))) / len(self.fold_stderrs)
        if not self.extrapolated:
            return float(full)
        # Var(2 F - mean(H)), taking F and the halves as independent (they share rows, which
        # makes the true variance smaller: this errs on the cautious side).
        halves = np.sum(np.square(self.half_stderrs)) / len(self.half_stderrs) ** 2
        return float(np.sqrt(4.0 * full**2 + halves))

    def with_halves(self, halves: Sequence[MIResult]) -> MIResult:
        """This all-rows result extrapolated with the results on two halves of its rows."""
        estimates = [h.mi_full_sample for h in halves]
        mi, applied = extrapolated_mi(self.mi_full_sample, estimates, self.fold_estimates)
        return replace(
            self,
            mi=mi,
            extrapolated=applied,
            seconds=self.seconds + sum(h.seconds for h in halves),
            half_estimates=tuple(h.mi_full_sample for h in halves),
            half_stderrs=tuple(h.stderr for h in halves),
        )

    @property
    def mi_bits(self) -> float:
        """The estimate in bits."""
        return self.mi / np.log(2.0)

    @property
    def model(self) -> keras.Model:
        """The first fold's model: ``result.model.estimate(x_new, z_new)``."""
        if not self.models:
            raise AttributeError(f"method={self.method!r} trains no model.")
        return self.models[0]


def dependence_message(x: np.ndarray, z: np.ndarray) -> str | None:
    """Why I(X;Z) may be infinite for these inputs (None: no sign of it).

    Checked on the distinct rows: an exact copy of a row is its own nearest
    neighbour in z, which would read as "x is a function of z" (see
    `keras_mine.estimators.diagnostics.duplicated_rows` for what copies do).
    """
    _, first = np.unique(np.column_stack([x, z]), axis=0, return_index=True)
    if len(first) < len(x):
        x, z = x[np.sort(first)], z[np.sort(first)]
    found = functional_dependence(x, z) or near_deterministic(x, z)
    return None if found is None else infinite_mi_message(found)


def data_messages(x: np.ndarray, z: np.ndarray, local: bool) -> list[str | None]:
    """What the inputs alone say before any estimate: infinite MI, and copied rows
    where the method is `local` (nearest neighbours or kernels, which copies bias)."""
    return [dependence_message(x, z), duplicated_rows(x, z) if local else None]


def plausibility_messages(result: MIResult) -> list[str | None]:
    """What `keras_mine.estimators.diagnostics` finds implausible in `result` (None: nothing)."""
    folds = max(1, len(result.fold_estimates))
    return [
        negative_estimate(result.mi, result.stderr, neural=not result.history.empty),
        folds_disagree(result.fold_estimates, result.fold_stderrs),
        near_ceiling(result.mi, max(2, result.n_samples // folds)),
        plug_in_bias(result.mi, result.levels, result.n_samples),
        null_bias(result.mi, result.null_level),
    ]
