"""MI in one call: `estimate_mi` and the registry of its methods."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import pandas as pd

from keras_mine.models import MINE, ClassifierMI
from keras_mine.training import TrainingConfig, cross_fit, take_rows
from keras_mine.validation import check_paired_samples

__all__ = ["estimate_mi", "MIResult", "METHODS"]


@dataclass(frozen=True)
class _NeuralMethod:
    """A neural method: which model to build, with which fixed and free options."""

    description: str
    model_class: type
    fixed: dict = field(default_factory=dict)
    options: tuple[str, ...] = ()

    def build(self, critic_settings: dict, options: dict) -> keras.Model:
        return self.model_class(**self.fixed, **critic_settings, **options)

    def readout(self, model, x, target, rows, num_shuffles: int) -> float:
        if isinstance(target, tuple):  # conditional: (y, z), deterministic marginal
            return model.estimate(x[rows], *take_rows(target, rows))
        return model.estimate(x[rows], target[rows], num_shuffles=num_shuffles)


#: Every method `estimate_mi` knows, by name.
METHODS: dict[str, _NeuralMethod] = {
    "mine_biased": _NeuralMethod(
        "MINE, Donsker-Varadhan bound with its plain gradient", MINE, {"loss": "mine_biased"}
    ),
    "mine": _NeuralMethod(
        "MINE, moving-average bias-corrected gradient", MINE, {"loss": "mine"}, ("alpha",)
    ),
    "remine": _NeuralMethod(
        "ReMINE, DV with a penalty on log E_Q[e^T]",
        MINE,
        {"loss": "remine"},
        ("reg_weight", "target"),
    ),
    "classifier": _NeuralMethod(
        "classifier-based (CCMI): DV on the logits of a joint-vs-marginal classifier",
        ClassifierMI,
        {},
        ("readout",),
    ),
}


@dataclass(frozen=True)
class MIResult:
    """What `estimate_mi` returns.

    Attributes
    ----------
    mi : float
        The estimate in nats: the mean over folds of each fold model's DV
        readout on the rows it never saw.
    method : str
        The method's name.
    seconds : float
        Wall time of training and readout.
    history : pandas.DataFrame
        One row per epoch run: ``fold``, ``epoch``, ``mi``, ``val_mi``,
        ``loss``, ``val_loss``, ``learning_rate`` (and ``accuracy`` for the
        classifier).
    models : tuple of keras.Model
        The trained model of each fold (best weights restored).
    fold_estimates : tuple of float
        Each fold's readout, in nats; their spread shows the readout's noise.
    n_samples : int
        Rows used.
    """

    mi: float
    method: str
    seconds: float
    history: pd.DataFrame = field(repr=False)
    models: tuple = field(repr=False)
    fold_estimates: tuple = ()
    n_samples: int = 0

    @property
    def mi_bits(self) -> float:
        """The estimate in bits."""
        return self.mi / np.log(2.0)

    @property
    def model(self) -> keras.Model:
        """The first fold's model: ``result.model.estimate(x_new, z_new)``."""
        return self.models[0]


def estimate_mi(
    x: Any,
    z: Any,
    method: str = "mine",
    *,
    folds: int = 2,
    val_size: float = 0.2,
    batch_size: int | str = 256,
    max_epochs: int = 300,
    learning_rate: float = 1e-3,
    lr_factor: float = 0.5,
    lr_patience: int = 8,
    stop_patience: int = 20,
    stop_min_delta: float = 1e-3,
    hidden_dim: int = 64,
    num_hidden_layers: int = 2,
    activation: str = "relu",
    num_shuffles: int = 5,
    seed: int | None = 0,
    verbose: bool = False,
    **options: Any,
) -> MIResult:
    """Estimate the mutual information I(X;Z) from paired samples, in one call.

    Cross-fitting: the rows are cut at random (from `seed`) into `folds`
    parts. For each part, a model trains on the other parts (early stopping
    and learning-rate reduction watching the MI on a `val_size` fraction of
    them, best weights restored) and is read out on that part with the DV
    formula (`CriticModel.estimate`). The estimate is the mean of the fold
    readouts: every row serves in a readout, and no model is read out on
    rows that influenced its weights or its chosen epoch.

    Why: a single held-out split reads out on few rows. On a bivariate
    Gaussian (rho = 0.9, N = 10,000) a readout on 2,000 test rows missed the
    truth by 0.066 nats even with the exact log-density-ratio critic, while
    the trained critic was off by 0.009 on fresh data; reading out on training
    rows instead is biased upward. Two folds cost two fits.

    Defaults chosen by measurement on Gaussian tasks with known MI (see
    tests/ and README): a 2 x 64 ReLU critic, batch 256 and Adam at 1e-3
    reach errors of a few hundredths of a nat on bivariate Gaussians up to
    rho = 0.9 in 50-80 epochs; patience 20 with the rate halved after 8 flat
    epochs stops soon after the validation MI levels off.

    Parameters
    ----------
    x, z : array-like
        Paired samples: numpy, tf.Tensor or pandas, 1-D or (n_samples, n_features).
    method : str
        One of `METHODS`: "mine_biased", "mine", "remine", "classifier".
    folds : int
        Number of cross-fitting folds (>= 2); each costs one fit.
    val_size : float
        Fraction of each fold's training rows used for validation.
    batch_size : int or "full"
        Pairs per training step.
    max_epochs, learning_rate, lr_factor, lr_patience, stop_patience, stop_min_delta
        Training settings (see `keras_mine.training.TrainingConfig`).
    hidden_dim, num_hidden_layers, activation
        Critic settings (see `keras_mine.MLPCritic`).
    num_shuffles : int
        Permutations of z forming the readout's marginal samples.
    seed : int or None
        Seeds the folds, the initialization, the batch order and the
        shuffles: the same seed gives the same estimate. No global random
        state is touched.
    verbose : bool
        Show a progress bar over epochs with the live MI.
    **options
        Method options: ``alpha`` (mine), ``reg_weight`` and ``target``
        (remine), ``readout`` (classifier). Others are an error.

    Returns
    -------
    MIResult
        ``.mi`` (nats), ``.mi_bits``, ``.history``, ``.models``, ``.seconds``.

    Examples
    --------
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> x, z = bivariate_gaussian(0.9).sample(10_000, seed=0)
    >>> estimate_mi(x, z, method="mine").mi    # true value 0.830 nats
    """
    if method not in METHODS:
        raise ValueError(f"Unknown method={method!r}. Valid methods: {', '.join(METHODS)}.")
    x, z = check_paired_samples(x, z)
    return _estimate(
        METHODS[method],
        method,
        x,
        z,
        folds=folds,
        val_size=val_size,
        batch_size=batch_size,
        max_epochs=max_epochs,
        learning_rate=learning_rate,
        lr_factor=lr_factor,
        lr_patience=lr_patience,
        stop_patience=stop_patience,
        stop_min_delta=stop_min_delta,
        hidden_dim=hidden_dim,
        num_hidden_layers=num_hidden_layers,
        activation=activation,
        num_shuffles=num_shuffles,
        seed=seed,
        verbose=verbose,
        **options,
    )


def _estimate(
    spec: _NeuralMethod,
    method: str,
    x: np.ndarray,
    target,
    /,
    *,
    folds: int = 2,
    val_size: float = 0.2,
    batch_size: int | str = 256,
    max_epochs: int = 300,
    learning_rate: float = 1e-3,
    lr_factor: float = 0.5,
    lr_patience: int = 8,
    stop_patience: int = 20,
    stop_min_delta: float = 1e-3,
    hidden_dim: int = 64,
    num_hidden_layers: int = 2,
    activation: str = "relu",
    num_shuffles: int = 5,
    seed: int | None = 0,
    verbose: bool = False,
    **options: Any,
) -> MIResult:
    """Cross-fitted estimate of a neural method on checked arrays (see `estimate_mi`)."""
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        allowed = ", ".join(spec.options) or "none"
        raise ValueError(
            f"Option(s) {unknown} do not apply to method={method!r} (its options: {allowed})."
        )
    config = TrainingConfig(
        batch_size=batch_size,
        max_epochs=max_epochs,
        learning_rate=learning_rate,
        lr_factor=lr_factor,
        lr_patience=lr_patience,
        stop_patience=stop_patience,
        stop_min_delta=stop_min_delta,
    )
    critic = dict(hidden_dim=hidden_dim, num_hidden_layers=num_hidden_layers, activation=activation)
    start = time.perf_counter()
    estimates, models, history = cross_fit(
        lambda fold_seed: spec.build(dict(critic, seed=fold_seed), options),
        x,
        target,
        lambda model, test: spec.readout(model, x, target, test, num_shuffles),
        config,
        folds=folds,
        val_size=val_size,
        seed=seed,
        verbose=verbose,
        description=method,
    )
    return MIResult(
        mi=float(np.mean(estimates)),
        method=method,
        seconds=time.perf_counter() - start,
        history=history,
        models=tuple(models),
        fold_estimates=tuple(estimates),
        n_samples=len(x),
    )
