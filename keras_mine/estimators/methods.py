"""The registry of estimation methods: what each name trains or computes."""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from keras_mine.classical import discrete_mi, histogram_mi, kde_mi, ksg_mi, mixed_mi
from keras_mine.classical.discrete import discrete_levels
from keras_mine.classical.gaussian import gaussian_copula_mi
from keras_mine.classical.histogram import histogram_levels
from keras_mine.core.registry import Registry, refuse_settings
from keras_mine.core.seeds import SeedStreams
from keras_mine.core.validation import check_seed
from keras_mine.estimators.diagnostics import copula_not_borne_out, mixed_null_level
from keras_mine.estimators.result import MIResult
from keras_mine.estimators.settings import (
    CRITIC_SETTINGS,
    NEURAL_SETTINGS,
    check_settings,
    defaults_for,
)

__all__ = [
    "METHODS",
    "ENGINE_METHODS",
    "NeuralMethod",
    "ClassicalMethod",
    "check_method",
    "run_method",
]


@dataclass(frozen=True)
class NeuralMethod:
    """A neural method: the objective the engine trains, the Keras model its critics become.

    Its model class and its objective's options are looked up on first use,
    so that checking or running a classical method imports no TensorFlow.
    """

    description: str
    #: The name of its model class in `keras_mine.models`; None: trained by the
    #: engine only, with no Keras model of its own yet (its results hold no models).
    model_name: str | None
    #: The objective the engine trains (`keras_mine.core.objectives.OBJECTIVES`).
    objective: str
    fixed: dict = field(default_factory=dict)
    #: Its options; None: the objective's (`Objective.defaults`).
    option_names: tuple[str, ...] | None = ()
    dtype = "float64"  # raw values reach the models' input transforms, which cast
    local = False  # exact copies of rows do not bias it (see ClassicalMethod.local)
    structured = True  # images and sequences: the critics encode them

    @property
    def model_class(self) -> type | None:
        if self.model_name is None:
            return None
        return getattr(importlib.import_module("keras_mine.models"), self.model_name)

    @property
    def options(self) -> tuple[str, ...]:
        if self.option_names is not None:
            return self.option_names
        from keras_mine.core.objectives import OBJECTIVES

        return tuple(OBJECTIVES[self.objective].defaults)

    @property
    def settings(self) -> tuple[str, ...]:
        # num_shuffles only where the readout shuffles (not InfoNCE, CCMI, density models).
        model = self.model_class
        shuffled = model is not None and model.fixed_readout_marginal is None
        shared = (s for s in NEURAL_SETTINGS if shuffled or s != "num_shuffles")
        return (*shared, *self.options)

    def full_settings(self, name: str, x, target, settings: dict) -> dict:
        """The defaults for these inputs updated by `settings`, checked (once per call)."""
        return check_settings({**defaults_for(name, x, target), **settings})

    def build_model(self, settings: dict) -> Callable | None:
        """``build(seed=s) -> model``: a new, uncompiled model with these settings (or None)."""
        if self.model_name is None:
            return None
        critic = {key: settings[key] for key in CRITIC_SETTINGS}
        options = {key: settings[key] for key in self.options if key in settings}
        build = functools.partial(self.model_class, **self.fixed, **critic, **options)
        encoders = {key: critic[key] for key in ("x_encoder", "z_encoder") if critic[key]}
        if not encoders:
            return build

        def build_with_copies(**kwargs):  # each model its own copy of a given encoder
            from keras_mine.core.encoders import copy_encoder

            return build(**{key: copy_encoder(e) for key, e in encoders.items()}, **kwargs)

        return build_with_copies

    def run(self, name: str, x, target, settings: dict, seed, verbose: bool) -> MIResult:
        settings = self.full_settings(name, x, target, settings)
        stacked = tuple(a[None] for a in target) if isinstance(target, tuple) else target[None]
        from keras_mine.estimators.neural import fit_pairs

        streams = SeedStreams(seed) if seed is None else SeedStreams.trusted(seed)  # checked
        return fit_pairs(x[None], stacked, self.objective, settings, streams,
                         verbose=verbose, build_model=self.build_model(settings),
                         name=name)[0]  # the engine: one critic, stacked k = 1  # fmt: skip


@dataclass(frozen=True)
class ClassicalMethod:
    """A classical estimator: a pure function ``(x, z, **options) -> float``."""

    description: str
    function: Callable[..., float]
    options: tuple[str, ...] = ()
    #: The function takes ``return_stderr=True`` and then returns (mi, stderr).
    has_stderr: bool = False
    #: Built on nearest neighbours or kernels, which exact copies of rows bias
    #: upward (`keras_mine.estimators.diagnostics.duplicated_rows`).
    local: bool = False
    #: A plug-in estimator: ``levels(x, z, **options) -> (kx, kz)``, the symbols or
    #: cells it counts, for the check of its bias against independence.
    levels: Callable[..., tuple[int, int]] | None = None
    #: ``null_level(x, z, **options) -> float | None``: the estimate on permuted data
    #: where its bias can be large (`keras_mine.estimators.diagnostics.null_bias`).
    null_level: Callable[..., float | None] | None = None
    #: ``check(mi, x, z) -> message | None``: this estimator's own check of an
    #: estimate on (n, d) inputs, in place of `below_lower_bound` (`estimate_mi`).
    check: Callable[..., str | None] | None = None
    dtype = "float64"
    structured = False  # (n, features) only: images and sequences are refused

    @property
    def settings(self) -> tuple[str, ...]:
        return self.options

    def run(self, name: str, x, z, settings: dict, seed, verbose: bool) -> MIResult:
        start = time.perf_counter()
        if not self.has_stderr:
            mi = self.function(x, z, **settings)
            levels = None if self.levels is None else self.levels(x, z, **settings)
            null = None if self.null_level is None else self.null_level(x, z, **settings)
            return MIResult(mi, name, time.perf_counter() - start, n_samples=len(x),
                            levels=levels, null_level=null)  # fmt: skip
        mi, stderr = self.function(x, z, return_stderr=True, **settings)
        return MIResult(mi, name, time.perf_counter() - start, n_samples=len(x),
                        fold_estimates=(mi,), fold_stderrs=(stderr,))  # one "fold": all rows


def _mine(description: str, loss: str) -> NeuralMethod:
    """A `MINE` model's method: the engine trains objective `loss` (its options free)."""
    return NeuralMethod(description, "MINE", loss, {"loss": loss}, None)


#: Every method `estimate_mi` knows, by name.
METHODS: Registry[NeuralMethod | ClassicalMethod] = Registry({
    "mine_biased": _mine("MINE, Donsker-Varadhan bound with its plain gradient", "mine_biased"),
    "mine": _mine("MINE, moving-average bias-corrected gradient", "mine"),
    "remine": _mine("ReMINE, DV with a penalty on log E_Q[e^T]", "remine"),
    "nwj": _mine("NWJ (f-divergence) bound: unbiased gradient, read out with DV", "nwj"),
    "smile": _mine("SMILE: DV with the partition scores clipped to [-tau, tau]", "smile"),
    "js": _mine("trained with the Jensen-Shannon objective, read out with DV", "js"),
    "infonce": NeuralMethod(
        "InfoNCE with a separable critic, read out on held-out blocks (<= ln 4096)",
        "InfoNCE",
        "infonce",
    ),
    "classifier": NeuralMethod(
        "classifier-based (CCMI): DV on the logits of a joint-vs-marginal classifier",
        "ClassifierMI",
        "classifier",
        {},
        ("readout",),
    ),
    "doe": NeuralMethod(
        "difference of entropies: density models q(z|x), q(z) by maximum likelihood "
        "(McAllester & Stratos); not capped by ln N, for high MI",
        None,
        "doe",
        {},
        None,
    ),
    "ksg": ClassicalMethod(
        "k-nearest neighbours, KSG estimator 1", ksg_mi, ("k", "standardize"), has_stderr=True,
        local=True,
    ),
    "mixed": ClassicalMethod(
        "k-nearest neighbours for discrete, continuous and mixed data (Gao et al.)",
        mixed_mi,
        ("k", "standardize"),
        local=True,
        null_level=mixed_null_level,
    ),
    "kde": ClassicalMethod("leave-one-out Gaussian kernel densities", kde_mi, ("bandwidth",),
                           local=True),
    "histogram": ClassicalMethod("equal-width bins on every coordinate", histogram_mi, ("bins",),
                                 levels=histogram_levels),
    "discrete": ClassicalMethod("contingency table of discrete symbols", discrete_mi,
                                levels=discrete_levels),
    "gaussian_copula": ClassicalMethod(
        "normal scores, then the Gaussian MI with its bias correction (Ince et al. 2017): "
        "exact for increasing maps of a Gaussian, a lower bound for one column each",
        gaussian_copula_mi,
        ("biascorrect",),
        check=copula_not_borne_out,
    ),
})  # fmt: skip

#: The names the engine trains: every neural method, one per objective of
#: `keras_mine.core.objectives.OBJECTIVES` (InfoNCE's on score matrices of a
#: separable critic, the others on pairs).
ENGINE_METHODS = tuple(name for name, entry in METHODS.items() if isinstance(entry, NeuralMethod))

#: The registry entry of a method name, or a ValueError listing the valid names.
check_method = METHODS.check


def run_method(
    spec: NeuralMethod | ClassicalMethod,
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
    refuse_settings(spec, settings, f"method={name!r}")
    return spec.run(name, x, target, settings, check_seed(seed), verbose)
