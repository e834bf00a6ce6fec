"""MI in one call: `estimate_mi` and the registry of its methods."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import pandas as pd

from keras_mine.classical import discrete_mi, histogram_mi, kde_mi, ksg_mi
from keras_mine.data import take_rows
from keras_mine.diagnostics import (
    folds_disagree,
    functional_dependence,
    near_ceiling,
    near_deterministic,
    negative_estimate,
    warn_if_implausible,
)
from keras_mine.models import MINE, ClassifierMI
from keras_mine.preprocessing import DEFAULT_PREPROCESSING
from keras_mine.training import TrainingConfig, cross_fit
from keras_mine.validation import check_paired_samples

__all__ = ["estimate_mi", "MIResult", "METHODS", "NEURAL_SETTINGS", "ONE_COLUMN_SETTINGS"]

#: Settings shared by the neural methods, with their defaults. Chosen by
#: measurement on Gaussian tasks with known MI (see tests/ and README): a
#: 2 x 64 ReLU critic, batch 256 and Adam at 1e-3 reach errors of a few
#: hundredths of a nat on bivariate Gaussians up to rho = 0.9 in 50-80
#: epochs; patience 20 with the rate halved after 8 flat epochs stops soon
#: after the validation MI levels off.
NEURAL_SETTINGS: dict[str, Any] = {
    "folds": 2,
    "val_size": 0.2,
    "batch_size": 256,
    "max_epochs": 300,
    "learning_rate": 1e-3,
    "lr_factor": 0.5,
    "lr_patience": 8,
    "stop_patience": 20,
    "stop_min_delta": 1e-3,
    "hidden_dim": 64,
    "num_hidden_layers": 2,
    "activation": "relu",
    "num_shuffles": 5,
    "preprocessing": DEFAULT_PREPROCESSING,
    "norm_feature": True,
}
#: Settings that replace NEURAL_SETTINGS' for a method when x and z have one
#: column each (see `defaults_for`). Measured on the published v1 suite's
#: nine 1 x 1 tasks (N = 5,000, seeds 0-2): the critic must resolve sharp
#: features of a two-dimensional density ratio (additive uniform noise puts
#: an edge of -inf around a band), and Adam at 1e-3 stops short of them. At
#: 1e-2, "mine" read `1v1-additive-0.1` at -0.078 instead of -0.162 and
#: `1v1-additive-0.75` at -0.026 instead of -0.048 (the Gaussian-copula tasks
#: -0.017 instead of -0.011, `student-identity-1-1-1` -0.020 instead of
#: -0.011); "classifier" -0.125 instead of -0.306 and -0.023 instead of
#: -0.044 (Gaussian -0.011 instead of -0.008, Student-t -0.016 instead of
#: -0.012). With more columns 1e-2 was worse ("mine": 20/40 tasks within
#: max(0.05, 10%) instead of 24/40). The methods not listed were not
#: measured and keep their defaults.
ONE_COLUMN_SETTINGS: dict[str, dict[str, Any]] = {
    "mine": {"learning_rate": 1e-2},
    "classifier": {"learning_rate": 1e-2},
}
_TRAINING = (
    "batch_size",
    "max_epochs",
    "learning_rate",
    "lr_factor",
    "lr_patience",
    "stop_patience",
    "stop_min_delta",
)
_CRITIC = ("hidden_dim", "num_hidden_layers", "activation", "preprocessing", "norm_feature")


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


@dataclass(frozen=True)
class _NeuralMethod:
    """A neural method: which model to build, with which fixed and free options."""

    description: str
    model_class: type
    fixed: dict = field(default_factory=dict)
    options: tuple[str, ...] = ()
    shuffled_readout: bool = True  # False: the model's readout builds its own marginal
    dtype = "float64"  # raw values reach the models' input transforms, which cast

    @property
    def settings(self) -> tuple[str, ...]:
        shared = (s for s in NEURAL_SETTINGS if self.shuffled_readout or s != "num_shuffles")
        return (*shared, *self.options)

    def run(self, name: str, x, target, settings: dict, seed, verbose: bool) -> MIResult:
        settings = {**defaults_for(name, x, target), **settings}
        config = TrainingConfig(**{key: settings[key] for key in _TRAINING})
        critic = {key: settings[key] for key in _CRITIC}
        options = {key: settings[key] for key in self.options if key in settings}
        start = time.perf_counter()
        readouts, models, history = cross_fit(
            lambda fold_seed: self.model_class(**self.fixed, **critic, **options, seed=fold_seed),
            x,
            target,
            lambda model, rows: self._readout(model, x, target, rows, settings["num_shuffles"]),
            config,
            folds=settings["folds"],
            val_size=settings["val_size"],
            seed=seed,
            verbose=verbose,
            description=name,
        )
        estimates, stderrs = zip(*readouts, strict=True)
        return MIResult(
            mi=float(np.mean(estimates)),
            method=name,
            seconds=time.perf_counter() - start,
            history=history,
            models=tuple(models),
            fold_estimates=tuple(estimates),
            fold_stderrs=tuple(stderrs),
            n_samples=len(x),
        )

    def _readout(self, model, x, target, rows, num_shuffles: int) -> tuple[float, float]:
        shuffles = num_shuffles if self.shuffled_readout else 1
        return model.readout_with_error(x[rows], take_rows(target, rows), num_shuffles=shuffles)


def defaults_for(method: str, x: np.ndarray, target) -> dict[str, Any]:
    """The default settings of neural `method` for these inputs.

    `NEURAL_SETTINGS`, with `ONE_COLUMN_SETTINGS[method]` over them when `x`
    and `target` are arrays of one column each (2-D, as checked).

    Examples
    --------
    >>> import numpy as np
    >>> defaults_for("mine", np.zeros((5, 1)), np.zeros((5, 1)))["learning_rate"]
    0.01
    >>> defaults_for("mine", np.zeros((5, 2)), np.zeros((5, 1)))["learning_rate"]
    0.001
    """
    one_column = (
        isinstance(target, np.ndarray) and np.shape(x)[-1] == 1 and target.shape[-1] == 1
    )
    return {**NEURAL_SETTINGS, **(ONE_COLUMN_SETTINGS.get(method, {}) if one_column else {})}


@dataclass(frozen=True)
class _ClassicalMethod:
    """A classical estimator: a pure function ``(x, z, **options) -> float``."""

    description: str
    function: Callable[..., float]
    options: tuple[str, ...] = ()
    dtype = "float64"

    @property
    def settings(self) -> tuple[str, ...]:
        return self.options

    def run(self, name: str, x, z, settings: dict, seed, verbose: bool) -> MIResult:
        start = time.perf_counter()
        mi = self.function(x, z, **settings)
        return MIResult(mi, name, time.perf_counter() - start, n_samples=len(x))


#: Every method `estimate_mi` knows, by name.
METHODS: dict[str, _NeuralMethod | _ClassicalMethod] = {
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
    "nwj": _NeuralMethod(
        "NWJ (f-divergence) bound: unbiased gradient, read out with DV", MINE, {"loss": "nwj"}
    ),
    "smile": _NeuralMethod(
        "SMILE: DV with the partition scores clipped to [-tau, tau]",
        MINE,
        {"loss": "smile"},
        ("tau",),
    ),
    "js": _NeuralMethod(
        "trained with the Jensen-Shannon objective, read out with DV", MINE, {"loss": "js"}
    ),
    "infonce": _NeuralMethod(
        "InfoNCE with a separable critic, read out on held-out blocks (<= ln 4096)",
        MINE,
        {"loss": "infonce"},
    ),
    "classifier": _NeuralMethod(
        "classifier-based (CCMI): DV on the logits of a joint-vs-marginal classifier",
        ClassifierMI,
        {},
        ("readout",),
    ),
    "ksg": _ClassicalMethod("k-nearest neighbours, KSG estimator 1", ksg_mi, ("k", "standardize")),
    "kde": _ClassicalMethod("leave-one-out Gaussian kernel densities", kde_mi, ("bandwidth",)),
    "histogram": _ClassicalMethod("equal-width bins on every coordinate", histogram_mi, ("bins",)),
    "discrete": _ClassicalMethod("contingency table of discrete symbols", discrete_mi),
}


def check_method(method: str) -> _NeuralMethod | _ClassicalMethod:
    """The registry entry of `method`, or a ValueError listing the valid names."""
    if method not in METHODS:
        raise ValueError(f"Unknown method={method!r}. Valid methods: {', '.join(METHODS)}.")
    return METHODS[method]


def estimate_mi(
    x: Any,
    z: Any,
    method: str = "mine",
    *,
    seed: int | None = 0,
    verbose: bool = False,
    **settings: Any,
) -> MIResult:
    """Estimate the mutual information I(X;Z) from paired samples, in one call.

    Neural methods are cross-fitted: the rows are cut at random (from
    `seed`) into `folds` parts. For each part, a model trains on the other
    parts (early stopping and learning-rate reduction watching the MI on a
    `val_size` fraction of them, best weights restored) and is read out on
    that part with the DV formula (`CriticModel.estimate`). The estimate is
    the mean of the fold readouts: every row serves in a readout, and no
    model is read out on rows that influenced its weights or its chosen epoch.

    Why: a single held-out split reads out on few rows. On a bivariate
    Gaussian (rho = 0.9, N = 10,000) a readout on 2,000 test rows missed the
    truth by 0.066 nats even with the exact log-density-ratio critic, while
    the trained critic was off by 0.009 on fresh data; reading out on training
    rows instead is biased upward. Two folds cost two fits.

    Classical methods are the functions of `keras_mine.classical` applied to
    all rows.

    Parameters
    ----------
    x, z : array-like
        Paired samples: numpy, tf.Tensor or pandas, 1-D or (n_samples, n_features).
    method : str
        One of `METHODS`. Neural: "mine_biased", "mine", "remine", "nwj",
        "smile", "js", "infonce" (the losses of `keras_mine.MINE`),
        "classifier".
        Classical: "ksg", "kde", "histogram", "discrete".
    seed : int or None
        Seeds the folds, the initialization, the batch order and the
        shuffles: the same seed gives the same estimate. No global random
        state is touched. (The classical methods are deterministic.)
    verbose : bool
        Neural methods: a progress bar over epochs with the live MI.
    **settings
        Neural methods, defaults in `NEURAL_SETTINGS`:

        - ``folds`` (2): cross-fitting folds (>= 2), each one fit;
        - ``val_size`` (0.2): fraction of each fold's training rows used
          for validation;
        - ``batch_size`` (256, or "full"), ``max_epochs`` (300),
          ``learning_rate`` (1e-3; 1e-2 for "mine" and "classifier" when x
          and z have one column each, see `ONE_COLUMN_SETTINGS`),
          ``lr_factor`` (0.5), ``lr_patience`` (8),
          ``stop_patience`` (20), ``stop_min_delta`` (1e-3): training (see
          `keras_mine.training.TrainingConfig`);
        - ``hidden_dim`` (64), ``num_hidden_layers`` (2), ``activation``
          ("relu"): the critic (see `keras_mine.MLPCritic`);
        - ``num_shuffles`` (5): permutations of z forming the readout's
          marginal samples;
        - ``preprocessing`` ("normal_scores"): how each column is mapped
          before the critic sees it, fitted on each fold's training rows and
          applied to its held-out rows: "normal_scores" (empirical CDF, then
          the normal quantile function: the estimate does not change when a
          column is rescaled or mapped by any increasing function, and
          outliers or heavy tails cannot blow it up), "robust" (median and
          IQR), "standard" (mean and std) or "none"; see
          `keras_mine.preprocessing`;
        - ``norm_feature`` (True): the critic also sees each variable's
          standardized mean square of its mapped columns, which finds
          dependence through a shared scale (Student-t); see
          `keras_mine.preprocessing`;
        - method options: ``alpha`` (mine), ``reg_weight`` and ``target``
          (remine), ``tau`` (smile), ``readout`` (classifier).

        Classical methods: ``k`` and ``standardize`` (ksg), ``bandwidth``
        (kde), ``bins`` (histogram); see `keras_mine.classical`.
        A setting the method does not use is an error.

    Returns
    -------
    MIResult
        ``.mi`` (nats), ``.mi_bits``, ``.stderr``, ``.history``, ``.models``,
        ``.seconds``.

    Warns
    -----
    UserWarning
        When the estimate cannot be trusted as it stands (see
        `keras_mine.diagnostics`): a column of x is a monotone function of a
        column of z (infinite MI); the estimate is far below zero for its
        standard error; the folds disagree far beyond their noise; or the
        estimate is near ln(held-out rows), the most the readout can show.

    Examples
    --------
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> x, z = bivariate_gaussian(0.9).sample(10_000, seed=0)
    >>> estimate_mi(x, z, method="mine").mi    # true value 0.830 nats
    >>> estimate_mi(x, z, method="ksg", k=5).mi
    """
    spec = check_method(method)
    x, z = check_paired_samples(x, z, dtype=spec.dtype)
    warn_if_implausible([_dependence_message(x, z)])
    result = run_method(spec, method, x, z, seed=seed, verbose=verbose, **settings)
    warn_if_implausible(plausibility_messages(result))
    return result


def _dependence_message(x: np.ndarray, z: np.ndarray) -> str | None:
    found = functional_dependence(x, z) or near_deterministic(x, z)
    if found is None:
        return None
    return (
        f"{found}: for continuous data I(X;Z) is then infinite (or too large to estimate "
        "from these samples), and a finite estimate only reflects the sample size. Check "
        "that one variable was not passed twice or computed from the other (a leaked target)."
    )


def plausibility_messages(result: MIResult) -> list[str | None]:
    """What `keras_mine.diagnostics` finds implausible in `result` (None: nothing)."""
    folds = max(1, len(result.fold_estimates))
    return [
        negative_estimate(result.mi, result.stderr),
        folds_disagree(result.fold_estimates, result.fold_stderrs),
        near_ceiling(result.mi, max(2, result.n_samples // folds)),
    ]


def run_method(
    spec: _NeuralMethod | _ClassicalMethod,
    name: str,
    x: np.ndarray,
    target,
    /,
    *,
    seed: int | None = 0,
    verbose: bool = False,
    **settings: Any,
) -> MIResult:
    """Run a method on checked arrays after checking its settings (see `estimate_mi`)."""
    unknown = sorted(set(settings) - set(spec.settings))
    if unknown:
        own = ", ".join(spec.options) or "none"
        shared = ", ".join(s for s in spec.settings if s not in spec.options)
        raise ValueError(
            f"Option(s) {unknown} do not apply to method={name!r} (its options: {own}"
            + (f"; shared settings: {shared})." if shared else ").")
        )
    return spec.run(name, x, target, settings, seed, verbose)
