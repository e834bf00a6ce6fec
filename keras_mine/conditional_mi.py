"""Conditional mutual information I(X;Y|Z) in one call."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from keras_mine.callbacks import default_callbacks
from keras_mine.models import MINE, MINE_LOSSES, ClassifierMI, ConditionalClassifierMI
from keras_mine.validation import check_samples, check_units, to_units

__all__ = ["estimate_cmi", "CMI_METHODS", "CMI_ESTIMATORS"]

#: Valid values of ``estimate_cmi(method=...)``.
CMI_METHODS = {
    "ccmi": "one classifier between p(x,y,z) and p(x,z) p(y|z) (nearest-neighbour swap of y in z)",
    "difference": "I(X;(Y,Z)) - I(X;Z), each estimated by `estimator`",
}
#: Valid values of ``estimate_cmi(estimator=...)`` (used by method="difference").
CMI_ESTIMATORS = ("classifier", *MINE_LOSSES)


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"Expected an integer >= {minimum} for `{name}`. Received: {value!r}")
    return int(value)


def _train(model, x, target, *, batch_size, epochs, learning_rate, patience, verbose) -> None:
    """Fit on 80% of the given rows, early-stopping on the other 20%."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), steps_per_execution=16)
    model.fit(
        x,
        target,
        batch_size=batch_size,
        epochs=epochs,
        validation_split=0.2,
        verbose=verbose,
        callbacks=default_callbacks(patience=patience, lr_patience=max(1, patience // 2)),
    )


def estimate_cmi(
    x: Any,
    y: Any,
    z: Any,
    method: str = "ccmi",
    *,
    estimator: str | None = None,
    test_size: float = 0.3,
    batch_size: int = 256,
    epochs: int = 300,
    learning_rate: float = 1e-3,
    patience: int = 20,
    hidden_dim: int = 64,
    num_hidden_layers: int = 2,
    activation: str = "relu",
    seed: int = 0,
    units: str = "nats",
    verbose: int = 0,
) -> float:
    """Estimate the conditional mutual information I(X;Y|Z) from samples.

    The rows are split at random (from `seed`) into a training part and a
    held-out part of `test_size`; models train on the first (with 20% of it
    for early stopping) and the estimate is read out on the second.

    Parameters
    ----------
    x, y, z : array-like
        Paired samples, 1-D or (n_samples, n_features) each.
    method : {"ccmi", "difference"}
        ``"ccmi"``: one `ConditionalClassifierMI`, a classifier between
        (x, y, z) and (x, y', z) with y' the y of z's nearest neighbour.
        ``"difference"``: I(X;(Y,Z)) - I(X;Z), two MI estimates by
        `estimator`; their errors add up, but no neighbour search in z is
        needed.
    estimator : {"classifier", "mine_biased", "mine", "remine"} or None
        MI estimator of the difference method (default "classifier"). The
        ccmi method is classifier-based by definition and accepts only None
        or "classifier".
    test_size : float
        Fraction of rows held out for the readout, in (0, 1).
    batch_size, epochs, learning_rate, patience : training settings
        Early stopping and learning-rate halving watch ``val_mi``.
    hidden_dim, num_hidden_layers, activation : critic settings.
    seed : int
        Seeds the split, the initialization and the shuffles.
    units : {"nats", "bits"}
        Units of the result.
    verbose : int
        Keras verbosity of the fits.

    Returns
    -------
    float
        The I(X;Y|Z) estimate.

    Examples
    --------
    >>> from keras_mine.tasks import ConditionalTask
    >>> x, y, z = ConditionalTask(dim_z=1).sample(10_000, seed=0)
    >>> estimate_cmi(x, y, z)  # true value 2.308 nats
    """
    if method not in CMI_METHODS:
        raise ValueError(f"Unknown method={method!r}. Valid methods: {', '.join(CMI_METHODS)}.")
    if estimator is not None and estimator not in CMI_ESTIMATORS:
        raise ValueError(
            f"Unknown estimator={estimator!r}. Valid estimators: {', '.join(CMI_ESTIMATORS)}."
        )
    if method == "ccmi" and estimator not in (None, "classifier"):
        raise ValueError(
            f"method='ccmi' is classifier-based; estimator={estimator!r} applies only to "
            "method='difference'."
        )
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"Expected `test_size` in (0, 1). Received: test_size={test_size!r}")
    check_units(units)
    batch_size = _check_int(batch_size, "batch_size", 2)
    epochs = _check_int(epochs, "epochs", 1)
    patience = _check_int(patience, "patience", 1)
    x = check_samples(x, "x", min_samples=10)
    y = check_samples(y, "y", min_samples=10)
    z = check_samples(z, "z", min_samples=10)
    lengths = {"x": len(x), "y": len(y), "z": len(z)}
    if len(set(lengths.values())) > 1:
        raise ValueError(
            f"x, y and z must be paired row by row (same length); received lengths {lengths}."
        )

    order = np.random.default_rng(seed).permutation(len(x))
    n_test = max(2, int(round(test_size * len(x))))
    test, train = order[:n_test], order[n_test:]
    train_settings = dict(
        batch_size=batch_size,
        epochs=epochs,
        learning_rate=learning_rate,
        patience=patience,
        verbose=verbose,
    )
    critic_settings = dict(
        hidden_dim=hidden_dim, num_hidden_layers=num_hidden_layers, activation=activation, seed=seed
    )

    if method == "ccmi":
        keras.utils.set_random_seed(seed)
        model = ConditionalClassifierMI(**critic_settings)
        _train(model, x[train], (y[train], z[train]), **train_settings)
        value = model.estimate(x[test], y[test], z[test])
        return to_units(value, units)

    def mi(target: np.ndarray) -> float:
        keras.utils.set_random_seed(seed)
        if estimator in (None, "classifier"):
            model = ClassifierMI(**critic_settings)
        else:
            model = MINE(loss=estimator, **critic_settings)
        _train(model, x[train], target[train], **train_settings)
        return model.estimate(x[test], target[test])

    return to_units(mi(np.concatenate([y, z], axis=1)) - mi(z), units)
