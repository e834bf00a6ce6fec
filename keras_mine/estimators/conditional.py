"""Conditional mutual information I(X;Y|Z) in one call."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from keras_mine.classical import gaussian_copula_cmi, ksg_cmi
from keras_mine.core.registry import Registry
from keras_mine.core.validation import (
    check_conditional_samples,
    check_option,
    check_units,
)
from keras_mine.estimators.diagnostics import warn_if_implausible
from keras_mine.estimators.estimate import estimate_mi
from keras_mine.estimators.methods import METHODS, NeuralMethod, run_method
from keras_mine.estimators.result import MIResult, plausibility_messages

__all__ = ["estimate_cmi", "CMI_METHODS", "CMI_ESTIMATORS", "CMIMethod"]

@dataclass(frozen=True)
class CMIMethod:
    """A conditional MI method: ``run(x, y, z, estimator, settings) -> MIResult`` in nats.

    `run` gets checked, paired float arrays and settings its entry accepts.
    """

    description: str
    run: Callable[..., MIResult]
    options: tuple[str, ...] = ()
    #: The settings every method of its family takes, or a function that
    #: lists them on first use (the neural ones ask the model classes, which
    #: import TensorFlow: "ksg" must not).
    shared: tuple[str, ...] | Callable[[], tuple[str, ...]] = ()

    @property
    def settings(self) -> tuple[str, ...]:
        shared = self.shared() if callable(self.shared) else self.shared
        return (*shared, *self.options)


def _ccmi(x, y, z, estimator, settings: dict) -> MIResult:
    """One `ConditionalClassifierMI` per fold, trained and read out by the engine."""
    if estimator not in (None, "classifier"):
        raise ValueError(
            f"method='ccmi' is classifier-based; estimator={estimator!r} applies only to "
            "method='difference'."
        )
    # No sample-size extrapolation by default: the readout's nearest-neighbour swap
    # in z is coarser on half the rows, which biases I(N/2) up, not down
    # (docs/benchmarks.md, "Sample-size extrapolation").
    result = run_method(_CCMI, "ccmi", x, (y, z), **{"extrapolate": False, **settings})
    warn_if_implausible(plausibility_messages(result))
    return result


def _difference(x, y, z, estimator, settings: dict) -> MIResult:
    """I(X;(Y,Z)) - I(X;Z), two `estimate_mi` calls (which refuse what `estimator` ignores)."""
    estimator = estimator or "classifier"
    joint, given = (estimate_mi(x, target, method=estimator, **settings)
                    for target in (np.concatenate([y, z], axis=1), z))  # fmt: skip
    return MIResult(joint.mi - given.mi, f"difference of {estimator}",
                    joint.seconds + given.seconds, n_samples=len(x),
                    parts=(joint, given))  # fmt: skip


def _classical(name: str, function: Callable[..., float]) -> Callable[..., MIResult]:
    """The `CMIMethod.run` of a pure function ``(x, y, z, **options) -> float``.

    `seed` and `verbose` are accepted, as by the classical MI methods, and ignored.
    """

    def run(x, y, z, estimator, settings: dict) -> MIResult:
        if estimator is not None:
            raise ValueError("estimator= applies only to method='difference'.")
        options = {key: value for key, value in settings.items() if key not in _RUN}
        start = time.perf_counter()
        cmi = function(x, y, z, **options)
        return MIResult(cmi, name, time.perf_counter() - start, n_samples=len(x))

    return run


_CCMI = NeuralMethod(
    "one classifier between p(x,y,z) and p(x,z) p(y|z) (nearest-neighbour swap of y in z)",
    "ConditionalClassifierMI", "classifier", {}, ("readout",),
)  # fmt: skip

_RUN = ("seed", "verbose")  # taken by every method (estimate_mi's own arguments)
#: Valid values of ``estimate_cmi(method=...)``.
CMI_METHODS: Registry[CMIMethod] = Registry({
    "ccmi": CMIMethod(_CCMI.description, _ccmi, _CCMI.options,
                      lambda: (*_RUN, *(s for s in _CCMI.settings if s not in _CCMI.options))),
    "difference": CMIMethod(
        "I(X;(Y,Z)) - I(X;Z), each estimated by `estimator`", _difference,
        shared=lambda: (*_RUN, *dict.fromkeys(s for m in METHODS.values() for s in m.settings)),
    ),
    "ksg": CMIMethod("Frenzel-Pompe k-nearest neighbours (classical; options k, standardize)",
                     _classical("ksg", ksg_cmi), ("k", "standardize"), _RUN),
    "gaussian_copula": CMIMethod(
        "closed form of the normal scores' covariance (classical; option biascorrect)",
        _classical("gaussian_copula", gaussian_copula_cmi), ("biascorrect",), _RUN),
})  # fmt: skip
#: Valid values of ``estimate_cmi(estimator=...)`` (used by method="difference").
CMI_ESTIMATORS = tuple(METHODS)


def estimate_cmi(
    x: Any,
    y: Any,
    z: Any,
    method: str = "ccmi",
    *,
    estimator: str | None = None,
    units: str = "nats",
    **settings: Any,
) -> MIResult:
    """Estimate the conditional mutual information I(X;Y|Z) from samples.

    Trained and read out exactly as `keras_mine.estimate_mi`: cross-fitted
    over `folds` (default 2), every fold's model read out on rows it never
    saw, with early stopping on a validation part of its training rows.

    Parameters
    ----------
    x, y, z : array-like
        Paired samples, 1-D or (n_samples, n_features) each.
    method : {"ccmi", "difference", "ksg", "gaussian_copula"}
        ``"ccmi"``: one `ConditionalClassifierMI`, a classifier between
        (x, y, z) and (x, y', z) with y' the y of z's nearest neighbour
        (in-batch during training, among all held-out rows for the readout).
        ``"difference"``: I(X;(Y,Z)) - I(X;Z), two MI estimates by
        `estimator`; their errors add up, but no neighbour search in z is
        needed, which keeps it accurate for high-dimensional z.
        ``"ksg"``: Frenzel-Pompe nearest neighbours. ``"gaussian_copula"``:
        the closed form of the normal scores' covariance (exact for
        increasing maps of Gaussian data, e.g. linear autoregressions).
    estimator : str or None
        MI method of the difference method, any of `keras_mine.estimators.estimate.METHODS`
        (default "classifier"). The ccmi method is classifier-based by
        definition and accepts only None or "classifier".
    units : {"nats", "bits"}
        Units of ``float(result)`` (``result.mi`` is in nats).
    **settings
        Training and critic settings of `estimate_mi`: folds, val_size,
        batch_size, max_epochs, learning_rate, lr_factor, lr_patience,
        stop_patience, stop_min_delta, hidden_dim, num_hidden_layers,
        activation, seed, verbose, extrapolate (default False for "ccmi":
        its nearest-neighbour swap in z is coarser on half the rows, so the
        halves read high and the c / N premise fails; the "difference"
        method extrapolates each MI estimate, as `estimate_mi` does).

    Returns
    -------
    MIResult
        ``result.mi``: the I(X;Y|Z) estimate in nats; ``float(result)`` in
        `units`. "ccmi": its fold estimates and `ConditionalClassifierMI`
        models; "difference": its two MI estimates in ``result.parts``
        (``result.stderr`` adds their errors).

    Examples
    --------
    >>> from keras_mine.tasks import ConditionalTask
    >>> task = ConditionalTask(dim_z=1)
    >>> x, y, z = task.sample(5_000, seed=0)
    >>> round(task.cmi_true, 3)
    2.308
    >>> abs(float(estimate_cmi(x, y, z)) - task.cmi_true) < 0.25   # CCMI reads 2.1-2.2 here
    True
    """
    spec = CMI_METHODS.check(method, settings)
    if estimator is not None:
        check_option(estimator, "estimator", CMI_ESTIMATORS, "estimators")
    check_units(units)
    x, y, z = check_conditional_samples(x, y, z)  # float64: the models' transforms cast
    return replace(spec.run(x, y, z, estimator, settings), units=units)
