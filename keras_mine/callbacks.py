"""Callbacks with the right settings for MI estimators."""

from __future__ import annotations

import keras

__all__ = ["default_callbacks", "ProgressBar"]


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
    min_lr: float = 1e-5,
    restore_best_weights: bool = True,
) -> list[keras.callbacks.Callback]:
    """EarlyStopping and ReduceLROnPlateau watching the MI estimate.

    MI is to be *maximized*, so both callbacks use ``mode="max"`` for a
    monitor ending in "mi" (``"min"`` for one ending in "loss"); using the
    wrong mode would stop at the worst epoch and keep lowering the rate.

    Parameters
    ----------
    monitor : str
        Logged quantity, default the validation MI ``"val_mi"``.
    mode : {"max", "min"} or None
        Direction of improvement; None infers it from `monitor`.
    patience : int
        Epochs without improvement of at least `min_delta` before stopping.
    min_delta : float
        Smallest change (nats) that counts as improvement, for both callbacks.
    lr_factor : float
        Factor multiplying the learning rate on a plateau, in (0, 1).
    lr_patience : int
        Epochs without improvement before the rate is reduced.
    min_lr : float
        Floor of the learning rate.
    restore_best_weights : bool
        Restore the weights of the best epoch when stopping (recommended:
        the readout then uses the critic that scored best on validation).

    Returns
    -------
    list of keras.callbacks.Callback
        ``[EarlyStopping, ReduceLROnPlateau]``.
    """
    mode = mode or _mode_for(monitor)
    if mode not in ("max", "min"):
        raise ValueError(f"Expected mode 'max' or 'min'. Received: mode={mode!r}")
    if not 0.0 < lr_factor < 1.0:
        raise ValueError(f"Expected `lr_factor` in (0, 1). Received: lr_factor={lr_factor!r}")
    return [
        keras.callbacks.EarlyStopping(
            monitor=monitor,
            mode=mode,
            patience=patience,
            min_delta=min_delta,
            restore_best_weights=restore_best_weights,
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor=monitor,
            mode=mode,
            factor=lr_factor,
            patience=lr_patience,
            min_delta=min_delta,
            min_lr=min_lr,
        ),
    ]


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
