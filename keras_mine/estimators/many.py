"""Many MI estimates in one call: `estimate_mi_many` for pairs of samples,
`estimate_mi_columns` for pairs of one table's columns (`mi_matrix`, `mi_scores`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from tqdm.auto import tqdm

from keras_mine.classical.knn_pairs import ksg_mi_pairs
from keras_mine.core.registry import refuse_settings
from keras_mine.core.seeds import SeedStreams
from keras_mine.core.validation import (
    check_int,
    check_paired_samples,
    check_samples,
    check_seed,
)
from keras_mine.estimators.diagnostics import (
    column_dependence,
    column_pair_bounds,
    pairs_messages,
    warn_if_implausible,
)
from keras_mine.estimators.methods import ENGINE_METHODS, METHODS, check_method, run_method
from keras_mine.estimators.result import MIResult, data_messages, plausibility_messages

__all__ = ["estimate_mi_many", "estimate_mi_columns"]


def estimate_mi_many(
    pairs: Sequence[tuple[Any, Any]],
    method: str = "mine",
    *,
    seed: int | None = 0,
    verbose: bool = False,
    n_jobs: int | None = None,
    chunk_size: int | None = None,
    **settings: Any,
) -> list[MIResult]:
    """Estimate I(X_i; Z_i) for every pair at once, one critic per pair, stacked.

    The same estimate as ``estimate_mi(x_i, z_i, method, seed=seed,
    **settings)`` for each pair, computed the same way (the engine,
    `keras_mine.engine`: cross-fitted, early stopping and rate reduction per
    critic on its own validation MI, readout on held-out rows), with the
    critics of pairs of equal widths trained together as one
    `StackedMLPCritic`: k small networks cost little more per step than one.
    The critics do not interact and draw from the same streams of `seed`, so
    each pair gets the value it gets alone (tests/test_engine.py). Pairs must
    have the same number of rows; pairs of other widths train in runs of
    their own, each with its own defaults (the one-column rate of
    `keras_mine.estimators.settings.ONE_COLUMN_SETTINGS` for 1 x 1 pairs).
    Many pairs are trained in stacked runs of `chunk_size` pairs each, as
    many as fit in `keras_mine.estimators.neural.STACK_MEMORY_BYTES` by
    default (`pairs_per_run`: 256 one-column pairs of 2,000 rows).

    Methods the engine does not train (the classical ones) run
    on each pair in turn, in `n_jobs` joblib threads, so
    any method of `METHODS` gives one result per pair; "ksg" on one-column
    pairs of equal length runs them as the columns of one table
    (`keras_mine.classical.knn_pairs.ksg_mi_pairs`, the same values, 1.5x
    faster on `bootstrap_ci`'s half-samples). Each pair is checked as
    `estimate_mi` checks it, with the same warnings.

    Parameters
    ----------
    pairs : sequence of (x, z)
        The pairs of samples, each as `estimate_mi` accepts them.
    method : str
        One of `METHODS`. Stacked: those of
        `keras_mine.estimators.neural.ENGINE_METHODS` ("mine_biased",
        "mine", "remine", "nwj", "smile", "js", "infonce", "classifier", "doe").
    seed : int or None
        Seeds the folds, the initialization, batch order and shuffles.
    verbose : bool
        Progress bar over epochs, with the number of critics still training,
        and over pairs when they take more than one stacked run (over pairs
        for methods run one by one).
    n_jobs : int or None
        Methods run one by one: pairs in parallel joblib threads (-1: every
        core; None (default): one, or the setting of an active joblib
        backend context, e.g. a Dask
        cluster's under ``joblib.parallel_backend("dask")``). Stacked
        methods take 1 or None: one TensorFlow run already uses every core.
    chunk_size : int, optional
        Pairs per stacked run (default: as many as fit in memory, see
        above). The results do not depend on it.
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
        One per pair, in order. ``seconds`` is the time per pair: the wall
        time of the stacked run that trained it divided by its pairs (for
        methods run one by one, the pair's own time); ``models`` is empty;
        ``history`` has the columns of `estimate_mi`'s.

    Examples
    --------
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> pairs = [bivariate_gaussian(r).sample(5_000, seed=0) for r in (0.2, 0.5, 0.9)]
    >>> truths = [bivariate_gaussian(r).mi_true for r in (0.2, 0.5, 0.9)]   # 0.020, 0.144, 0.830
    >>> results = estimate_mi_many(pairs, method="mine")
    >>> [abs(r.mi - t) < 0.05 for r, t in zip(results, truths)]
    [True, True, True]
    """
    spec = check_method(method)
    seed = check_seed(seed)
    if len(pairs) == 0:
        raise ValueError("`pairs` is empty: pass a list of (x, z) pairs.")
    checked = [
        check_paired_samples(x, z, (f"pairs[{i}][0]", f"pairs[{i}][1]"), dtype=spec.dtype)
        for i, (x, z) in enumerate(pairs)
    ]
    warn_if_implausible([m for x, z in checked for m in data_messages(x, z, spec.local)])
    return _estimate_pairs(checked, method, seed, verbose, n_jobs, chunk_size, settings)


def estimate_mi_columns(
    values: Any,
    pairs: Sequence[tuple[int, int]],
    method: str = "ksg",
    *,
    names: Sequence[Any] | None = None,
    seed: int | None = 0,
    verbose: bool = False,
    n_jobs: int | None = None,
    chunk_size: int | None = None,
    **settings: Any,
) -> np.ndarray:
    """I(column_i; column_j) for pairs (i, j) of one table's columns: `mi_matrix`'s engine.

    The same estimates as ``estimate_mi(values[:, [i]], values[:, [j]],
    method, **settings)`` pair by pair, with the work shared between the
    pairs: "ksg" runs `keras_mine.classical.knn_pairs.ksg_mi_pairs` (each
    column sorted once; equal to `ksg_mi` to 1e-12), the checks for a column
    that is a function of another run once per column
    (`keras_mine.estimators.diagnostics.column_dependence`), and other
    methods go to `estimate_mi_many` (neural ones stacked).

    Parameters
    ----------
    values : array-like, shape (n_samples, n_columns)
        The table; "ksg" needs continuous columns without repeated values
        (`keras_mine.classical.knn.jitter` separates rounded ones).
    pairs : sequence of (int, int)
        Column indices.
    method : str
        One of `keras_mine.METHODS`.
    names : sequence, optional
        Column labels for the warnings (default: the indices).
    seed : int or None
        Seeds the neural methods.
    verbose : bool
        Progress bar over pairs.
    n_jobs : int or None
        Pairs in parallel with joblib ("ksg" and the other classical
        methods; threads by default, or the backend set by
        ``joblib.parallel_backend``, e.g. "dask"): -1 every core; None
        (default) one, or the setting of an active joblib backend context.
        The estimates do not depend on it.
    chunk_size : int, optional
        Neural methods: pairs per stacked run (see `estimate_mi_many`).
    **settings
        The method's settings, as `keras_mine.estimate_mi`.

    Returns
    -------
    np.ndarray
        The estimates (len(pairs),), in nats, with the warnings
        `estimate_mi` would give. (The progress bar shows the rate in pairs
        per second; neural methods' time per pair is that of
        `estimate_mi_many`.)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=2000)
    >>> values = np.c_[a, a + rng.normal(size=2000), rng.normal(size=2000)]
    >>> estimate_mi_columns(values, [(0, 1), (0, 2)]).round(2)
    array([ 0.34, -0.03])
    """
    spec = check_method(method)
    values = check_samples(values, "values", min_samples=2, dtype=spec.dtype)
    p = values.shape[1]
    pairs = [(int(i), int(j)) for i, j in pairs]
    if not pairs:
        raise ValueError("`pairs` is empty: pass a list of (i, j) column indices.")
    outside = [pair for pair in pairs if not all(0 <= c < p for c in pair)]
    if outside:
        raise ValueError(f"Column indices must lie in [0, {p}); received pairs {outside[:3]}.")
    found = column_dependence(values, pairs, names)
    bounds = column_pair_bounds(values, pairs) if method != "gaussian_copula" else None
    names = list(range(values.shape[1])) if names is None else list(names)
    labels = [f"{names[i]!r} and {names[j]!r}" for i, j in pairs]
    if method != "ksg":
        results = _estimate_pairs(
            [(values[:, [i]], values[:, [j]]) for i, j in pairs],
            method, check_seed(seed), verbose, n_jobs, chunk_size, settings, warn=False,
        )  # fmt: skip
        # estimate_mi's checks, summed up over the pairs (one warning per kind).
        folds = max(1, len(results[0].fold_estimates))
        warn_if_implausible(pairs_messages(
            [r.mi for r in results], [r.stderr for r in results], labels,
            max(2, len(values) // folds), found,
            folds=[(r.fold_estimates, r.fold_stderrs) for r in results], bounds=bounds,
        ))  # fmt: skip
        return np.array([result.mi for result in results])
    METHODS.check("ksg", settings)
    with tqdm(total=len(pairs), desc=f"ksg x{len(pairs)}", disable=not verbose,
              leave=False, unit="pair") as bar:  # fmt: skip
        estimates, stderrs = ksg_mi_pairs(
            values, pairs, n_jobs=n_jobs, return_stderr=True, progress=bar.update, **settings
        )
    # estimate_mi's checks, summed up over the pairs (one warning per kind).
    warn_if_implausible(pairs_messages(estimates, stderrs, labels, len(values), found,
                                       bounds=bounds))  # fmt: skip
    return estimates


def _estimate_pairs(
    pairs, method, seed, verbose, n_jobs, chunk_size, settings, warn: bool = True
) -> list[MIResult]:
    """Checked pairs -> results, with each one's plausibility warnings if `warn`.

    No dependence check (the callers make it).
    """
    spec = METHODS[method]
    if method == "ksg" and _one_table(pairs) and set(settings) <= set(spec.options):
        results = _ksg_pairs(pairs, n_jobs, verbose, settings)
    elif method not in ENGINE_METHODS:
        results = _one_by_one(spec, method, pairs, seed, verbose, n_jobs, settings)
    else:
        return _stacked(spec, method, pairs, seed, verbose, n_jobs, chunk_size, settings, warn)
    for result in results if warn else ():
        warn_if_implausible(plausibility_messages(result))
    return results


def _one_table(pairs) -> bool:
    """Whether the pairs are 1 x 1 with equal row counts: columns of one table."""
    return len({len(x) for x, _ in pairs}) == 1 and all(
        x.shape[1] == 1 and z.shape[1] == 1 for x, z in pairs
    )


def _ksg_pairs(pairs, n_jobs, verbose: bool, settings: dict) -> list[MIResult]:
    """KSG on 1 x 1 pairs as the column pairs (2i, 2i + 1) of one table (`ksg_mi_pairs`).

    The values of `ksg_mi` on each pair (to 1e-12), in a fraction of its
    time: `bootstrap_ci`'s half-samples, `mi_scores` of many features.
    """
    start = time.perf_counter()
    values = np.concatenate([np.concatenate(pair, axis=1) for pair in pairs], axis=1)
    with tqdm(total=len(pairs), desc=f"ksg x{len(pairs)}", disable=not verbose,
              leave=False, unit="pair") as bar:  # fmt: skip
        estimates, stderrs = ksg_mi_pairs(
            values, [(2 * i, 2 * i + 1) for i in range(len(pairs))], n_jobs=n_jobs,
            return_stderr=True, progress=bar.update, **settings,
        )  # fmt: skip
    seconds = (time.perf_counter() - start) / len(pairs)
    return [
        MIResult(float(mi), "ksg", seconds, n_samples=len(values), fold_estimates=(float(mi),),
                 fold_stderrs=(float(se),))  # one "fold": all rows, as `ksg` in `estimate_mi`
        for mi, se in zip(estimates, stderrs, strict=True)
    ]  # fmt: skip


def _one_by_one(spec, method: str, pairs, seed, verbose: bool, n_jobs, settings: dict):
    """Each pair through `run_method`, in `n_jobs` joblib threads."""

    def one(x, z):
        return run_method(spec, method, x, z, seed=seed, **settings)

    if effective_n_jobs(n_jobs) == 1:
        done = (one(x, z) for x, z in pairs)
    else:
        done = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
            delayed(one)(x, z) for x, z in pairs
        )
    return list(tqdm(done, total=len(pairs), desc=f"{method} x{len(pairs)}",
                     disable=not verbose, leave=False, unit="pair"))  # fmt: skip


def _stacked(spec, method: str, pairs, seed, verbose: bool, n_jobs, chunk_size, settings: dict,
             warn: bool) -> list[MIResult]:  # fmt: skip
    """The engine's methods: the pairs of each width trained stacked, `chunk_size` at a time.

    Every pair gets what `estimate_mi` gives it: its own defaults (the
    one-column rate for 1 x 1 pairs), the same streams of `seed`, the same
    computation (the engine's critics do not interact).
    """
    if n_jobs not in (1, None):
        raise ValueError(
            f"n_jobs={n_jobs!r} applies to the methods run pair by pair; method={method!r} "
            "trains its critics stacked in one TensorFlow run, which already uses every core. "
            "Pass n_jobs=1, or split the pairs between processes or machines "
            "(mi_matrix(shard=...))."
        )
    refuse_settings(spec, settings, f"method={method!r}")
    lengths = {len(x) for x, _ in pairs}
    if len(lengths) > 1:
        raise ValueError(
            f"All pairs must have the same number of samples to train stacked; received "
            f"lengths {sorted(lengths)}. Subsample them to a common length, or call "
            "estimate_mi on each."
        )
    if chunk_size is not None:
        chunk_size = check_int(chunk_size, "chunk_size")
    from keras_mine.engine.loop import StackCache  # TensorFlow only for the neural methods
    from keras_mine.estimators.neural import fit_pairs, pairs_per_run, width_groups

    streams = SeedStreams(seed)
    results: list[MIResult | None] = [None] * len(pairs)
    with StackCache() as cache, tqdm(total=len(pairs), desc=f"{method} x{len(pairs)}",
                                     disable=not verbose, unit="pair") as bar:  # fmt: skip
        for (width_x, width_z), members in width_groups(pairs).items():
            x0, z0 = pairs[members[0]]
            full = spec.full_settings(method, x0, z0, settings)
            size = chunk_size or pairs_per_run(len(x0), (width_x, width_z), full, method=method)
            for start in range(0, len(members), size):
                part = members[start : start + size]
                x = np.stack([pairs[i][0] for i in part])
                z = np.stack([pairs[i][1] for i in part])
                for i, result in zip(part, fit_pairs(x, z, method, full, streams,
                                                     verbose=verbose, cache=cache), strict=True):
                    results[i] = result
                bar.update(len(part))
                bar.set_postfix(s_per_pair=f"{results[part[-1]].seconds:.2f}", refresh=False)
    for result in results if warn else ():
        warn_if_implausible(plausibility_messages(result))
    return results
