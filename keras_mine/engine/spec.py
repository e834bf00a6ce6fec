"""The training settings of the engine: defaults written once, checked once.

`TrainingSpec` is frozen and checks every field when it is made; the
engine's functions take one and trust it. The Keras callbacks of
`keras_mine.default_callbacks` take their defaults from it too, so a model's
`fit` and `estimate_mi` stop and lower the rate by the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from keras_mine.core.validation import check_fraction, check_int, check_number

__all__ = ["TrainingSpec", "TRAINING_DEFAULTS", "LR_MIN_DELTA"]

#: Smallest rise (nats) of the monitored MI that resets the learning-rate
#: plateau count: Keras' ReduceLROnPlateau default. The rate is lowered when
#: training has stalled, not merely when it rises by less than the (usually
#: coarser) early-stopping `stop_min_delta`; tying the two made a coarse
#: ``stop_min_delta`` (minepy's 0.01) cut the rate to nothing while the
#: estimate was still rising.
LR_MIN_DELTA = 1e-4


@dataclass(frozen=True)
class TrainingSpec:
    """How one critic (or k critics at once) is trained, checked on creation.

    Chosen by measurement on Gaussian tasks with known MI (docs/benchmarks.md):
    batch 256 and Adam at 1e-3 reach errors of a few hundredths of a nat on
    bivariate Gaussians up to rho = 0.9 in 50-80 epochs; patience 20 with the
    rate halved after 8 flat epochs stops soon after the validation MI levels off.

    Attributes
    ----------
    batch_size : int or "full"
        Pairs per step; "full" uses the whole training part each step.
    max_epochs : int
        Upper bound on epochs; early stopping usually ends sooner.
    learning_rate : float
        Initial Adam learning rate.
    lr_factor : float
        Factor in (0, 1) applied to the rate after `lr_patience` epochs
        without a rise of the validation MI of more than `LR_MIN_DELTA`.
    lr_patience : int
        See `lr_factor`.
    stop_patience : int
        Epochs without a rise of at least `stop_min_delta` nats of the
        validation MI before training stops (best weights restored).
    stop_min_delta : float
        See `stop_patience`.
    """

    batch_size: int | str = 256
    max_epochs: int = 300
    learning_rate: float = 1e-3
    lr_factor: float = 0.5
    lr_patience: int = 8
    stop_patience: int = 20
    stop_min_delta: float = 1e-3

    def __post_init__(self) -> None:
        if self.batch_size != "full":
            check_int(self.batch_size, "batch_size", 2)
        check_int(self.max_epochs, "max_epochs", 1)
        check_int(self.lr_patience, "lr_patience", 0)
        check_int(self.stop_patience, "stop_patience", 0)
        check_number(self.learning_rate, "learning_rate", low=0.0, low_open=True)
        check_fraction(self.lr_factor, "lr_factor")
        check_number(self.stop_min_delta, "stop_min_delta", low=0.0)

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> TrainingSpec:
        """The spec of the training entries of `settings` (others ignored)."""
        return cls(**{f.name: settings[f.name] for f in fields(cls) if f.name in settings})

    def batch_for(self, rows: int) -> int:
        """Rows per step on `rows` training rows (at most all of them)."""
        return rows if self.batch_size == "full" else min(int(self.batch_size), rows)


#: Every training default, by name (`TrainingSpec`'s fields).
TRAINING_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(TrainingSpec)}
