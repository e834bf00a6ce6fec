"""Many MI estimates in one call: `estimate_mi_many`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from keras_mine.core.validation import check_seed
from keras_mine.estimators.crossfit import half_rows, spawn_seeds
from keras_mine.estimators.diagnostics import warn_if_implausible
from keras_mine.estimators.estimate import estimate_mi
from keras_mine.estimators.methods import check_method
from keras_mine.estimators.result import MIResult, plausibility_messages
from keras_mine.estimators.settings import defaults_for
from keras_mine.estimators.stacked import STACKABLE_METHODS, fit_stacked, stack_pairs

__all__ = ["estimate_mi_many"]


def estimate_mi_many(
    pairs: Sequence[tuple[Any, Any]],
    method: str = "mine",
    *,
    seed: int | None = 0,
    verbose: bool = False,
    **settings: Any,
) -> list[MIResult]:
    """Estimate I(X_i; Z_i) for every pair at once, one critic per pair, stacked.

    The same estimate as ``estimate_mi(x_i, z_i, method, **settings)`` for
    each pair (cross-fitted, early stopping and rate reduction per critic on
    its own validation MI, DV readout on held-out rows), with the critics
    trained together as one `StackedMLPCritic`: k small networks cost little
    more per step than one. Pairs must have the same number of rows; their
    widths may differ (narrower ones are padded with zero columns, which
    leave the critic unchanged). The critics share one learning rate, so
    the one-column rate (`keras_mine.estimators.settings.ONE_COLUMN_SETTINGS`) applies
    only when every pair is 1 x 1; a 1 x 1 pair stacked with wider ones
    trains at the wider pairs' rate.

    Methods that cannot be stacked (the classical ones, "smile",
    "infonce") run `estimate_mi` on each pair in turn, so any method of
    `METHODS` gives one result per pair.

    Parameters
    ----------
    pairs : sequence of (x, z)
        The pairs of samples, each as `estimate_mi` accepts them.
    method : str
        One of `METHODS`. Stacked: those of `STACKABLE_METHODS`
        ("mine_biased", "mine", "remine", "nwj", "js", "classifier").
    seed : int or None
        Seeds the folds, the initialization, batch order and shuffles.
    verbose : bool
        Progress bar over epochs, with the number of critics still training
        (over pairs, for methods run one by one).
    **settings
        As `estimate_mi`: folds, val_size, batch_size, max_epochs,
        learning_rate, lr_factor, lr_patience, stop_patience,
        stop_min_delta, hidden_dim, num_hidden_layers, activation,
        num_shuffles, preprocessing (each pair's columns mapped by a
        transform fitted on that fold's training rows), norm_feature, and the
        method's options.

    Returns
    -------
    list of MIResult
        One per pair, in order. ``seconds`` is the shared wall time of the
        whole stacked run; ``models`` is empty; ``history`` has ``fold``,
        ``epoch``, ``val_mi`` and ``learning_rate``.

    Examples
    --------
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> pairs = [bivariate_gaussian(r).sample(5_000, seed=0) for r in (0.2, 0.5, 0.9)]
    >>> [round(r.mi, 1) for r in estimate_mi_many(pairs, method="mine")]  # 0.02, 0.14, 0.83
    [0.0, 0.1, 0.8]
    """
    spec = check_method(method)
    seed = check_seed(seed)
    if len(pairs) == 0:
        raise ValueError("`pairs` is empty: pass a list of (x, z) pairs.")
    if method not in STACKABLE_METHODS:
        progress = tqdm(pairs, desc=f"{method} x{len(pairs)}", disable=not verbose, leave=False)
        return [estimate_mi(x, z, method, seed=seed, **settings) for x, z in progress]
    unknown = sorted(set(settings) - set(spec.settings))
    if unknown:
        raise ValueError(f"Option(s) {unknown} do not apply to method={method!r}.")
    x, z = stack_pairs(pairs)
    # One-column defaults only when every pair is 1 x 1 (the critics share a rate).
    settings = {**defaults_for(method, x[0], z[0]), **settings}
    if settings.get("readout", "dv") != "dv":
        raise ValueError("Stacked training reads out with the DV formula only (readout='dv').")
    if settings["extrapolate"]:
        results = _extrapolated(x, z, method, settings, seed, verbose)
    else:
        results = fit_stacked(x, z, method, settings, seed, verbose)
    for result in results:
        warn_if_implausible(plausibility_messages(result))
    return results


def _extrapolated(x, z, method: str, settings: dict, seed, verbose: bool) -> list[MIResult]:
    """`fit_stacked` on all rows, then on both halves of every pair stacked as 2k critics."""
    full_seed, half_seed = spawn_seeds(seed, 2)
    k = len(x)
    full = fit_stacked(x, z, method, settings, full_seed, verbose)
    first, second = half_rows(x.shape[1], seed, settings["folds"], settings["val_size"])
    halves = fit_stacked(
        np.concatenate([x[:, first], x[:, second]]),
        np.concatenate([z[:, first], z[:, second]]),
        method,
        settings,
        half_seed,
        verbose,
    )
    return [result.with_halves([halves[i], halves[k + i]]) for i, result in enumerate(full)]
