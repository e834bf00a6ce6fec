"""minepy's interface on keras_mine: `Mine` and `ClassMI`.

For users of the PyTorch package minepy: its published examples run with only
the import line changed::

    from keras_mine.compat import Mine      # was: from minepy.mine.mine import Mine
    model = Mine(input_dim, loss="mine", hidden_dim=50, afn="elu", num_hidden_layers=3)
    model.fit(X, Z, batch_size=300, max_epochs=3000, val_size=0.2, lr=1e-3,
              lr_factor=0.1, lr_patience=10, stop_patience=100, stop_min_delta=0.01)
    model.get_mi()

The parameters mean what their names say, and nothing else:

* ``stop_patience`` / ``stop_min_delta``: training stops after ``stop_patience``
  epochs in which the validation MI did not rise by at least
  ``stop_min_delta`` nats; the weights of the best validation epoch are
  restored.
* ``lr_factor`` / ``lr_patience``: the learning rate is multiplied by
  ``lr_factor`` after ``lr_patience`` epochs in which the validation MI did
  not rise by more than 1e-4 nats (`keras_mine.models.callbacks.LR_MIN_DELTA`, the
  threshold of Keras' and PyTorch's plateau schedulers; minepy's scheduler
  does not use ``stop_min_delta`` either).
* ``num_hidden_layers``: exactly that many hidden layers of ``hidden_dim`` units.
* ``get_mi()``: the cross-fitted estimate of `keras_mine.estimate_mi` (each
  fold's model read out on rows it never trained or early-stopped on), not a
  readout on the training data, extrapolated to infinite sample size from
  the same estimate on each half of the rows (``fit(..., extrapolate=False)``
  for the all-rows estimate alone).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from keras_mine.core.validation import check_option, check_paired_samples
from keras_mine.estimators.estimate import MIResult, estimate_mi
from keras_mine.models import MINE_LOSSES

__all__ = ["Mine", "ClassMI"]


class _MinepyEstimator:
    """Shared `fit` / `get_mi` / `get_curves` of the minepy-style classes."""

    _method: str

    def __init__(
        self,
        input_dim: int,
        hidden_dim: int,
        num_hidden_layers: int,
        afn: str,
        seed: int | None,
    ) -> None:
        if isinstance(input_dim, bool) or not isinstance(input_dim, (int, np.integer)):
            raise ValueError(f"Expected an integer `input_dim`. Received: {input_dim!r}")
        if input_dim < 2:
            raise ValueError(
                "`input_dim` is the total width of X and Z together (2 for two scalars). "
                f"Received: input_dim={input_dim}"
            )
        self.input_dim = int(input_dim)
        self.hidden_dim = hidden_dim
        self.num_hidden_layers = num_hidden_layers
        self.afn = afn
        self.seed = seed
        self.result_: MIResult | None = None

    def _options(self) -> dict:
        return {}

    def fit(
        self,
        X: Any,
        Z: Any,
        batch_size: int | str = 64,
        max_epochs: int = 2000,
        val_size: float = 0.2,
        lr: float = 1e-3,
        lr_factor: float = 0.1,
        lr_patience: int = 10,
        stop_patience: int = 100,
        stop_min_delta: float = 0.0,
        verbose: bool = False,
        folds: int = 2,
        extrapolate: bool | None = None,
    ) -> _MinepyEstimator:
        """Train on (X, Z) and estimate their MI.

        Parameters
        ----------
        X, Z : array-like
            Paired samples; their widths must add up to `input_dim`.
        batch_size : int or "full"
            Pairs per step.
        max_epochs : int
            Upper bound on epochs per fold.
        val_size : float
            Fraction of each fold's training rows used for validation.
        lr, lr_factor, lr_patience, stop_patience, stop_min_delta
            See the module docstring.
        verbose : bool
            Progress bar over epochs with the live MI.
        folds : int
            Cross-fitting folds (keras_mine extension; see `estimate_mi`).
        extrapolate : bool, optional
            Also fit each half of the rows and extrapolate the estimate to
            infinite sample size (keras_mine extension; see `estimate_mi`).
            None (default): `estimate_mi`'s default, which is to extrapolate.

        Returns
        -------
        self
        """
        x, z = check_paired_samples(X, Z, ("X", "Z"), dtype="float64")
        width = x.shape[1] + z.shape[1]
        if width != self.input_dim:
            raise ValueError(
                f"input_dim={self.input_dim} but X has {x.shape[1]} and Z has {z.shape[1]} "
                f"column(s), {width} in all. Pass input_dim={width}."
            )
        seed = self.seed
        if seed is None:  # follow numpy's global state, as minepy scripts seed it
            seed = int(np.random.randint(0, 2**31 - 1))
        options = self._options()
        if extrapolate is not None:
            options["extrapolate"] = extrapolate
        self.result_ = estimate_mi(
            x,
            z,
            method=self._method,
            folds=folds,
            val_size=val_size,
            batch_size=batch_size,
            max_epochs=max_epochs,
            learning_rate=lr,
            lr_factor=lr_factor,
            lr_patience=lr_patience,
            stop_patience=stop_patience,
            stop_min_delta=stop_min_delta,
            hidden_dim=self.hidden_dim,
            num_hidden_layers=self.num_hidden_layers,
            activation=self.afn,
            seed=seed,
            verbose=verbose,
            **options,
        )
        return self

    def _result(self) -> MIResult:
        if self.result_ is None:
            raise RuntimeError(f"This {type(self).__name__} is not fitted yet: call fit(X, Z).")
        return self.result_

    def get_mi(self) -> float:
        """The MI estimate in nats."""
        return self._result().mi

    def get_curves(self) -> pd.DataFrame:
        """Per-epoch history: fold, epoch, mi, val_mi, loss, val_loss, learning_rate."""
        return self._result().history.copy()


#: minepy's names for losses keras_mine calls otherwise.
_MINEPY_LOSS_NAMES = {"fdiv": "nwj"}


class Mine(_MinepyEstimator):
    """MINE with minepy's interface.

    Parameters
    ----------
    input_dim : int
        Total number of columns of X and Z.
    loss : {"mine_biased", "mine", "remine", "fdiv", "nwj", "smile", "js"}
        See `keras_mine.MINE`; minepy's "fdiv" is the NWJ bound ("nwj").
    hidden_dim, num_hidden_layers, afn
        Critic: `num_hidden_layers` hidden layers of `hidden_dim` units with
        activation `afn`.
    alpha : float
        Moving-average rate for ``loss="mine"``.
    regWeight, targetVal : float
        ReMINE penalty weight and target (``reg_weight`` / ``target_val``
        accepted too).
    seed : int or None
        Seed; None draws one from numpy's global random state.
    """

    def __init__(
        self,
        input_dim: int,
        loss: str = "mine",
        hidden_dim: int = 50,
        num_hidden_layers: int = 2,
        afn: str = "elu",
        alpha: float = 0.01,
        regWeight: float | None = None,  # noqa: N803 - minepy's name
        targetVal: float | None = None,  # noqa: N803 - minepy's name
        reg_weight: float | None = None,
        target_val: float | None = None,
        seed: int | None = None,
    ) -> None:
        check_option(loss, "loss", (*MINE_LOSSES, *_MINEPY_LOSS_NAMES), "losses")
        if regWeight is not None and reg_weight is not None:
            raise ValueError("Pass regWeight or reg_weight, not both.")
        if targetVal is not None and target_val is not None:
            raise ValueError("Pass targetVal or target_val, not both.")
        super().__init__(input_dim, hidden_dim, num_hidden_layers, afn, seed)
        self.loss = loss
        self._method = _MINEPY_LOSS_NAMES.get(loss, loss)
        self.alpha = alpha
        self.reg_weight = (
            0.1
            if regWeight is None and reg_weight is None
            else (regWeight if regWeight is not None else reg_weight)
        )
        self.target_val = (
            0.0
            if targetVal is None and target_val is None
            else (targetVal if targetVal is not None else target_val)
        )

    def _options(self) -> dict:
        if self.loss == "mine":
            return {"alpha": self.alpha}
        if self.loss == "remine":
            return {"reg_weight": self.reg_weight, "log_partition_target": self.target_val}
        return {}


class ClassMI(_MinepyEstimator):
    """Classifier-based MI with minepy's interface (see `keras_mine.ClassifierMI`).

    Parameters
    ----------
    input_dim : int
        Total number of columns of X and Z.
    hidden_dim, num_hidden_layers, afn
        Classifier: `num_hidden_layers` hidden layers of `hidden_dim` units.
    seed : int or None
        Seed; None draws one from numpy's global random state.
    """

    _method = "classifier"

    def __init__(
        self,
        input_dim: int,
        hidden_dim: int = 50,
        num_hidden_layers: int = 2,
        afn: str = "elu",
        seed: int | None = None,
    ) -> None:
        super().__init__(input_dim, hidden_dim, num_hidden_layers, afn, seed)
