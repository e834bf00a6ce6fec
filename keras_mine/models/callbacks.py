"""Callbacks with the right settings for MI estimators."""

from __future__ import annotations

import keras

from keras_mine.core.validation import check_fraction, check_number, check_option
from keras_mine.engine.spec import LR_MIN_DELTA, TRAINING_DEFAULTS

__all__ = ["default_callbacks", "BestWeights", "ProgressBar"]

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
    patience: int = TRAINING_DEFAULTS["stop_patience"],
    min_delta: float = TRAINING_DEFAULTS["stop_min_delta"],
    lr_factor: float = TRAINING_DEFAULTS["lr_factor"],
    lr_patience: int = TRAINING_DEFAULTS["lr_patience"],
    lr_min_delta: float = LR_MIN_DELTA,
    min_lr: float = 0.0,
    restore_best_weights: bool = True,
) -> list[keras.callbacks.Callback]:
    """EarlyStopping and ReduceLROnPlateau watching the MI estimate.

    The defaults are the engine's (`keras_mine.engine.spec.TrainingSpec`),
    and so is the rule: `keras_mine.estimate_mi` stops, lowers the rate and
    restores the best epoch exactly as these callbacks do in ``model.fit``
    (`keras_mine.engine.schedule.PlateauSchedule`).

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
