"""Entropy in one call: `estimate_entropy`, and the conditional entropy H(X|Y)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from keras_mine.classical import (
    discrete_entropy,
    discrete_mi,
    gaussian_entropy,
    histogram_entropy,
    histogram_mi,
    knn_entropy,
    ksg_mi,
)
from keras_mine.core.registry import Registry
from keras_mine.core.validation import (
    check_paired_samples,
    check_samples,
    check_units,
    to_units,
)
from keras_mine.estimators.estimate import estimate_mi

__all__ = [
    "ENTROPY_METHODS",
    "EntropyMethod",
    "EntropyResult",
    "estimate_entropy",
    "conditional_entropy",
]


@dataclass(frozen=True)
class EntropyMethod:
    """An entropy estimator: ``function(x, **options) -> float`` in nats."""

    description: str
    function: Callable[..., float]
    options: tuple[str, ...]
    mi: Callable[..., float]  # the MI estimator of the same family, for H(X|Y)

    @property
    def settings(self) -> tuple[str, ...]:
        return self.options


def _gaussian_mi(x: np.ndarray, y: np.ndarray) -> float:
    """I(X;Y) of the Gaussian with the samples' covariance: H(X) + H(Y) - H(X, Y)."""
    return (
        gaussian_entropy(x) + gaussian_entropy(y) - gaussian_entropy(np.concatenate([x, y], 1))
    )


def _neural_entropy(x: np.ndarray, **settings: Any) -> float:
    """`keras_mine.estimators.neural_entropy.neural_entropy`, imported (with TensorFlow) on use."""
    from keras_mine.estimators.neural_entropy import neural_entropy

    return neural_entropy(x, **settings)


def _neural_mi(x: np.ndarray, y: np.ndarray, **settings: Any) -> float:
    """I(X;Y) by the default neural MI estimator, with the same training settings.

    `tails` is the entropy's own (MI needs no map: it is invariant to one).
    """
    settings.pop("tails", None)
    return estimate_mi(x, y, method="mine", **settings).mi


#: Every method `estimate_entropy` knows, by name.
ENTROPY_METHODS: Registry[EntropyMethod] = Registry({
    "discrete": EntropyMethod(
        "plug-in entropy of symbols (miller_madow=True adds the bias correction)",
        discrete_entropy,
        ("miller_madow",),
        discrete_mi,
    ),
    "histogram": EntropyMethod(
        "equal-width histogram plus the log cell volume", histogram_entropy, ("bins",), histogram_mi
    ),
    "knn": EntropyMethod(
        "Kozachenko-Leonenko k-nearest neighbours", knn_entropy, ("k",), ksg_mi
    ),
    "gaussian": EntropyMethod(
        "closed form of the Gaussian with the sample covariance (an upper bound)",
        gaussian_entropy,
        (),
        _gaussian_mi,
    ),
    "neural": EntropyMethod(
        "Gaussian cross-entropy minus a Donsker-Varadhan KL critic, cross-fitted",
        _neural_entropy,
        (
            "folds",
            "val_size",
            "hidden_dim",
            "num_hidden_layers",
            "batch_size",
            "max_epochs",
            "learning_rate",
            "stop_patience",
            "tails",
            "seed",
        ),
        _neural_mi,
    ),
})  # fmt: skip


@dataclass(frozen=True)
class EntropyResult:
    """What `estimate_entropy` and `conditional_entropy` return.

    Attributes
    ----------
    entropy : float
        The estimate in nats (Shannon entropy for "discrete", differential
        entropy otherwise).
    method : str
        The method's name.
    seconds : float
        Wall time.
    n_samples : int
        Rows used.
    units : {"nats", "bits"}
        The units of ``float(result)``.
    """

    entropy: float
    method: str
    seconds: float
    n_samples: int
    units: str = "nats"

    def __float__(self) -> float:
        """The estimate in `units`."""
        return to_units(self.entropy, self.units)

    @property
    def entropy_bits(self) -> float:
        """The estimate in bits."""
        return float(self.entropy / np.log(2.0))


def estimate_entropy(
    x: Any, method: str = "knn", *, units: str = "nats", **settings: Any
) -> EntropyResult:
    """Estimate the entropy H(X) from samples, in nats.

    Parameters
    ----------
    x : array-like
        Samples, (n_samples,) or (n_samples, n_features); integer codes for
        method="discrete".
    method : {"knn", "gaussian", "histogram", "discrete", "neural"}
        ``"knn"`` (default): Kozachenko-Leonenko, for continuous data in a
        few dimensions. ``"gaussian"``: the entropy of the Gaussian with
        the sample covariance, exact for Gaussian data and an upper bound
        otherwise. ``"histogram"``: binned. ``"discrete"``: the plug-in
        Shannon entropy of symbols. ``"neural"``: the Gaussian
        cross-entropy minus a learned KL divergence from that Gaussian
        (`keras_mine.estimators.neural_entropy.neural_entropy`), for
        light-tailed data in more dimensions than kNN handles well.
    **settings
        The method's options: ``k`` (knn), ``bins`` (histogram),
        ``miller_madow`` (discrete), the training settings of
        `neural_entropy` and ``seed`` (neural).
    units : {"nats", "bits"}
        The units of ``float(result)`` (``.entropy`` stays in nats).

    Returns
    -------
    EntropyResult
        ``.entropy`` in nats, ``.entropy_bits``, and ``float(result)`` in `units`.

    Notes
    -----
    Differential entropy, unlike MI, depends on units: rescaling a column
    by a adds ln|a|, and it can be negative. Estimate it on the data in the
    units you mean.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal(5000)
    >>> round(estimate_entropy(x).entropy, 2)   # 0.5 ln(2 pi e) = 1.419
    1.44
    >>> float(estimate_entropy(np.arange(1000) % 2, method="discrete").entropy_bits)
    1.0
    """
    spec = ENTROPY_METHODS.check(method, settings)
    check_units(units)
    x = check_samples(x, "x", dtype="float64")
    start = time.perf_counter()
    value = spec.function(x, **settings)
    return EntropyResult(value, method, time.perf_counter() - start, len(x), units)


def conditional_entropy(
    x: Any, y: Any, method: str = "knn", *, units: str = "nats", **settings: Any
) -> EntropyResult:
    """The conditional entropy H(X|Y) = H(X) - I(X;Y), in nats (or `units`).

    H(X) by `estimate_entropy` and I(X;Y) by the MI estimator of the same
    family: "knn" with KSG, "histogram" with the histogram MI, "gaussian"
    with the Gaussian MI of the sample covariance. For "discrete" this is
    exactly H(X, Y) - H(Y) of the empirical distribution.

    Parameters
    ----------
    x, y : array-like
        Paired samples, (n_samples,) or (n_samples, n_features) each.
    method : {"knn", "gaussian", "histogram", "discrete", "neural"}
        See `estimate_entropy`; "neural" pairs the neural entropy with the
        default neural MI estimator ("mine").
    **settings
        The method's options (``k``, ``bins``, the neural training
        settings; ``miller_madow`` applies to H(X) only).

    units : {"nats", "bits"}
        Units of the result.

    Returns
    -------
    EntropyResult
        ``result.entropy``: H(X|Y) in nats; ``float(result)`` in `units`.

    Examples
    --------
    >>> x = np.arange(1000) % 4
    >>> float(conditional_entropy(x, x % 2, method="discrete"))   # ln 2
    0.6931...
    """
    spec = ENTROPY_METHODS.check(method, settings)
    check_units(units)
    x, y = check_paired_samples(x, y, ("x", "y"), dtype="float64")
    mi_settings = {key: value for key, value in settings.items() if key != "miller_madow"}
    start = time.perf_counter()
    value = spec.function(x, **settings) - spec.mi(x, y, **mi_settings)
    return EntropyResult(value, method, time.perf_counter() - start, len(x), units)
