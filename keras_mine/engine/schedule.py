"""The stopping, rate and best-epoch rule of the engine, for k runs at once.

Keras' EarlyStopping, ReduceLROnPlateau and `keras_mine.BestWeights` decide
these for one model inside `fit`; `PlateauSchedule` is the same rule as numpy
arrays, decided independently for each of k critics that train together
(tests/test_stacked.py feeds one sequence to both and checks that they agree
epoch by epoch).
"""

from __future__ import annotations

import numpy as np

from keras_mine.engine.spec import LR_MIN_DELTA, TrainingSpec

__all__ = ["PlateauSchedule"]


class PlateauSchedule:
    """The rules of `default_callbacks` for k runs at once, as numpy arrays.

    What EarlyStopping, ReduceLROnPlateau and `BestWeights` decide for one
    model from its monitored value (maximized), decided independently for
    each of k runs, e.g. the k critics of a
    (`keras_mine.engine.stack.CriticStack`). A test feeds one sequence to both
    and checks that they agree epoch by epoch.

    Parameters
    ----------
    k : int
        Number of runs.
    patience : int
        Epochs without a rise of more than `min_delta` before a run stops.
    min_delta : float
        Smallest rise that resets the stopping count.
    lr_factor : float
        Factor multiplying a run's rate on a plateau, in (0, 1).
    lr_patience : int
        Epochs without a rise of more than `lr_min_delta` before the rate is
        reduced.
    lr_min_delta : float
        Smallest rise that resets the rate's plateau count.

    Attributes
    ----------
    active : np.ndarray of bool, shape (k,)
        The runs still training.
    rate : np.ndarray, shape (k,)
        The factor each run's learning rate has been multiplied by.
    best : np.ndarray, shape (k,)
        The best value seen by each run.
    """

    def __init__(
        self, k: int, *, patience: int, min_delta: float, lr_factor: float, lr_patience: int,
        lr_min_delta: float = LR_MIN_DELTA,
    ) -> None:  # fmt: skip
        self.patience, self.min_delta = patience, min_delta
        self.lr_factor, self.lr_patience, self.lr_min_delta = lr_factor, lr_patience, lr_min_delta
        self.best = np.full(k, -np.inf)
        self._stop_best, self._lr_best = self.best.copy(), self.best.copy()
        self._wait, self._lr_wait = np.zeros(k, int), np.zeros(k, int)
        self.rate = np.ones(k)
        self.active = np.ones(k, bool)

    @classmethod
    def from_spec(cls, k: int, spec: TrainingSpec) -> PlateauSchedule:
        """The schedule of k runs trained by `spec`."""
        return cls(k, patience=spec.stop_patience, min_delta=spec.stop_min_delta,
                   lr_factor=spec.lr_factor, lr_patience=spec.lr_patience)  # fmt: skip

    def update(self, epoch: int, values: np.ndarray) -> np.ndarray:
        """Apply one epoch's monitored `values` (k,); return which active runs set a new best.

        A run that sets a new best is the one `BestWeights` would save.
        Stopped runs keep their state.
        """
        values = np.asarray(values, dtype=np.float64)
        active = self.active
        improved = active & (values > self.best)
        self.best = np.where(improved, values, self.best)
        progressed = active & (values - self.min_delta > self._stop_best)  # EarlyStopping
        self._stop_best = np.where(progressed, values, self._stop_best)
        self._wait = np.where(progressed, 0, self._wait + active)
        lr_progressed = active & (values - self.lr_min_delta > self._lr_best)  # ReduceLROnPlateau
        self._lr_best = np.where(lr_progressed, values, self._lr_best)
        self._lr_wait = np.where(lr_progressed, 0, self._lr_wait + active)
        reduce = active & (self._lr_wait >= self.lr_patience)
        self.rate = np.where(reduce, self.rate * self.lr_factor, self.rate)
        self._lr_wait = np.where(reduce, 0, self._lr_wait)
        self.active = active & ~((self._wait >= self.patience) & (epoch > 0))
        return improved
