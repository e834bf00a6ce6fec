"""Callbacks with the right settings for MI estimators."""

from __future__ import annotations

import keras
import numpy as np

from keras_mine.core.validation import check_fraction, check_number, check_option

__all__ = ["default_callbacks", "BestWeights", "ProgressBar", "PlateauSchedule", "LR_MIN_DELTA"]

#: Smallest rise (nats) of the monitored MI that resets the learning-rate
#: plateau count: Keras' ReduceLROnPlateau default. The rate is lowered when
#: training has stalled, not merely when it rises by less than the (usually
#: coarser) early-stopping `min_delta`; tying the two made a coarse
#: ``stop_min_delta`` (minepy's 0.01) cut the rate to nothing while the
#: estimate was still rising.
LR_MIN_DELTA = 1e-4
#: Directions of improvement of a monitored quantity.
MODES = ("max", "min")


def _mode_for(monitor: str) -> str:
    if monitor.endswith("mi"):
        return "max"
    if monitor.endswith("loss"):
        return "min"
    raise ValueError(
        f"Cannot tell whether monitor={monitor!r} should rise or fall; pass mode='max' or 'min'."
    )


def default_callbacks(
    *,
    monitor: str = "val_mi",
    mode: str | None = None,
    patience: int = 30,
    min_delta: float = 1e-3,
    lr_factor: float = 0.5,
    lr_patience: int = 10,
    lr_min_delta: float = LR_MIN_DELTA,
    min_lr: float = 1e-5,
    restore_best_weights: bool = True,
) -> list[keras.callbacks.Callback]:
    """EarlyStopping and ReduceLROnPlateau watching the MI estimate.

    MI is to be *maximized*, so the callbacks use ``mode="max"`` for a
    monitor ending in "mi" (``"min"`` for one ending in "loss"); using the
    wrong mode would stop at the worst epoch and keep lowering the rate.

    Three thresholds, three jobs: training stops after `patience` epochs
    without a rise of more than `min_delta`; the rate drops after
    `lr_patience` epochs without a rise of more than `lr_min_delta`; and the
    weights restored at the end are those of the best epoch, however small
    its lead (Keras' own EarlyStopping would keep the last epoch that beat
    the best by `min_delta`, which reads out an older critic when the
    estimate creeps up by less than `min_delta` per improvement).

    Parameters
    ----------
    monitor : str
        Logged quantity, default the validation MI ``"val_mi"``.
    mode : {"max", "min"} or None
        Direction of improvement; None infers it from `monitor`.
    patience : int
        Epochs without improvement of at least `min_delta` before stopping.
    min_delta : float
        Smallest rise (nats) that resets the early-stopping count.
    lr_factor : float
        Factor multiplying the learning rate on a plateau, in (0, 1).
    lr_patience : int
        Epochs without a rise of more than `lr_min_delta` before the rate is
        reduced.
    lr_min_delta : float
        Smallest rise (nats) that resets the learning-rate plateau count.
    min_lr : float
        Floor of the learning rate.
    restore_best_weights : bool
        Restore the weights of the best epoch when training ends (recommended:
        the readout then uses the critic that scored best on validation).

    Returns
    -------
    list of keras.callbacks.Callback
        ``[EarlyStopping, ReduceLROnPlateau]``, then `BestWeights` if
        `restore_best_weights`.
    """
    mode = check_option(mode or _mode_for(monitor), "mode", MODES, "modes")
    check_fraction(lr_factor, "lr_factor")
    check_number(min_delta, "min_delta", low=0.0)
    check_number(lr_min_delta, "lr_min_delta", low=0.0)
    callbacks: list[keras.callbacks.Callback] = [
        keras.callbacks.EarlyStopping(
            monitor=monitor, mode=mode, patience=patience, min_delta=min_delta
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor=monitor,
            mode=mode,
            factor=lr_factor,
            patience=lr_patience,
            min_delta=lr_min_delta,
            min_lr=min_lr,
        ),
    ]
    if restore_best_weights:
        callbacks.append(BestWeights(monitor=monitor, mode=mode))
    return callbacks


class BestWeights(keras.callbacks.Callback):
    """Keep the weights of the best epoch and restore them when training ends.

    Every strict improvement of `monitor` counts, so the restored model is the
    one that scored best, whatever threshold the early stopping uses.

    Args:
        monitor: Logged quantity, default the validation MI ``"val_mi"``.
        mode: ``"max"`` or ``"min"``; None infers it from `monitor`.
    """

    def __init__(self, monitor: str = "val_mi", mode: str | None = None) -> None:
        super().__init__()
        self.monitor = monitor
        self.mode = check_option(mode or _mode_for(monitor), "mode", MODES, "modes")
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_weights: list | None = None

    def on_train_begin(self, logs=None) -> None:
        self.best, self.best_epoch, self.best_weights = None, None, None

    def on_epoch_end(self, epoch, logs=None) -> None:
        current = (logs or {}).get(self.monitor)
        if current is None:
            return
        current = float(current)
        sign = 1.0 if self.mode == "max" else -1.0
        if self.best is None or sign * (current - self.best) > 0.0:
            self.best, self.best_epoch = current, epoch
            self.best_weights = self.model.get_weights()

    def on_train_end(self, logs=None) -> None:
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


class ProgressBar(keras.callbacks.Callback):
    """A tqdm bar over epochs showing the live training and validation MI.

    Args:
        total: Maximum number of epochs (early stopping may end sooner).
        description: Label of the bar.
    """

    def __init__(self, total: int, description: str = "epochs") -> None:
        super().__init__()
        self.total = total
        self.description = description
        self._bar = None

    def on_train_begin(self, logs=None) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(total=self.total, desc=self.description, leave=False)

    def on_epoch_end(self, epoch, logs=None) -> None:
        logs = logs or {}
        shown = {k: f"{logs[k]:.4f}" for k in ("mi", "val_mi") if k in logs}
        self._bar.set_postfix(shown, refresh=False)
        self._bar.update(1)

    def on_train_end(self, logs=None) -> None:
        if self._bar is not None:
            self._bar.close()


class PlateauSchedule:
    """The rules of `default_callbacks` for k runs at once, as numpy arrays.

    What EarlyStopping, ReduceLROnPlateau and `BestWeights` decide for one
    model from its monitored value (maximized), decided independently for
    each of k runs, e.g. the k critics of the stacked trainer
    (`keras_mine.estimators.stacked`). A test feeds one sequence to both
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
