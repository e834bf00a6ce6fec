"""`MIResult`, what every estimator returns, and the checks run on it."""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np
import pandas as pd

from keras_mine.estimators.diagnostics import (
    folds_disagree,
    functional_dependence,
    near_ceiling,
    near_deterministic,
    negative_estimate,
)

__all__ = ["MIResult", "dependence_message", "plausibility_messages"]


@dataclass(frozen=True)
class MIResult:
    """What `estimate_mi` returns.

    Attributes
    ----------
    mi : float
        The estimate in nats. Neural methods: the mean over folds of each
        fold model's DV readout on the rows it never saw.
    method : str
        The method's name.
    seconds : float
        Wall time of training and readout.
    history : pandas.DataFrame
        Neural methods: one row per epoch run (``fold``, ``epoch``, ``mi``,
        ``val_mi``, ``loss``, ``val_loss``, ``learning_rate``, and
        ``accuracy`` for the classifier). Empty for classical methods.
    models : tuple of keras.Model
        The trained model of each fold (best weights restored); empty for
        classical methods.
    fold_estimates : tuple of float
        Each fold's readout, in nats; their spread shows the readout's noise.
    fold_stderrs : tuple of float
        Each fold readout's standard error for its critic (the sampling
        noise of the held-out rows, not the spread from training).
    n_samples : int
        Rows used.
    """

    mi: float
    method: str
    seconds: float
    history: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    models: tuple = field(repr=False, default=())
    fold_estimates: tuple = ()
    fold_stderrs: tuple = ()
    n_samples: int = 0

    @property
    def stderr(self) -> float:
        """Standard error of `mi` from the readouts' sampling noise (NaN if unknown)."""
        if not self.fold_stderrs:
            return float("nan")
        return float(np.sqrt(np.sum(np.square(self.fold_stderrs))) / len(self.fold_stderrs))

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
    """Why I(X;Z) may be infinite for these inputs (None: no sign of it)."""
    found = functional_dependence(x, z) or near_deterministic(x, z)
    if found is None:
        return None
    return (
        f"{found}: for continuous data I(X;Z) is then infinite (or too large to estimate "
        "from these samples), and a finite estimate only reflects the sample size. Check "
        "that one variable was not passed twice or computed from the other (a leaked target)."
    )


def plausibility_messages(result: MIResult) -> list[str | None]:
    """What `keras_mine.estimators.diagnostics` finds implausible in `result` (None: nothing)."""
    folds = max(1, len(result.fold_estimates))
    return [
        negative_estimate(result.mi, result.stderr),
        folds_disagree(result.fold_estimates, result.fold_stderrs),
        near_ceiling(result.mi, max(2, result.n_samples // folds)),
    ]
