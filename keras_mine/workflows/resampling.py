"""How sure is an estimate? Bootstrap confidence intervals and the sample-size curve."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri

from keras_mine.core.validation import check_fraction, check_int, check_paired_samples
from keras_mine.estimators.estimate import estimate_mi
from keras_mine.estimators.many import estimate_mi_many
from keras_mine.estimators.methods import check_method

__all__ = ["bootstrap_ci", "BootstrapCI", "mi_vs_sample_size"]



@dataclass(frozen=True)
class BootstrapCI:
    """What `bootstrap_ci` returns.

    Attributes
    ----------
    mi : float
        The estimate on all rows (nats).
    low, high : float
        The confidence interval (nats).
    std : float
        The estimate's standard error (delete-d jackknife).
    confidence : float
        The interval's nominal coverage.
    replicates : np.ndarray
        The estimate on each half-sample.
    """

    mi: float
    low: float
    high: float
    std: float
    confidence: float
    replicates: np.ndarray = field(repr=False)


def bootstrap_ci(
    x: Any,
    z: Any,
    method: str = "ksg",
    *,
    confidence: float = 0.95,
    n_replicates: int = 100,
    seed: int | None = 0,
    verbose: bool = False,
    **settings: Any,
) -> BootstrapCI:
    """A confidence interval for the MI estimate of (x, z), from half-samples.

    Each replicate estimates on m = n // 2 rows drawn without replacement.
    Their spread, times ``sqrt(m / (n - m))``, is the estimate's standard
    error (the delete-d jackknife, Shao & Wu 1989, valid for non-smooth
    estimators such as KSG), and the interval is ``mi +- q * std`` with q
    the normal quantile.

    Why not the classic bootstrap (n rows drawn with replacement): a
    resample repeats rows, repeated rows are zero-distance neighbours, and
    kNN/KDE estimates then jump up (KSG refuses them); the plug-in
    estimators' bias grows too, as a resample holds only ~63% distinct rows.
    Why not the quantiles of the replicates around the estimate (the "basic"
    interval): a KSG estimate that came out high or low is not reproduced by
    its half-samples, which regress toward the truth, and the reflected
    interval then misses it (on 60 samples of 1,000 rows of a Gaussian with
    rho 0.6, the reflected interval covered the truth 0.78 of the time for
    a nominal 0.95, this one 0.95: the coverage test of
    tests/test_workflows.py).

    The interval covers the estimator's sampling spread only: a method
    biased at this n (neural estimators on high MI, KSG in high dimensions)
    is not corrected; see `mi_vs_sample_size`. Neural replicates are trained
    stacked (`estimate_mi_many`).

    Parameters
    ----------
    x, z : array-like
        Paired samples (at least 20 rows).
    method : str
        A method of `keras_mine.METHODS`.
    confidence : float
        Nominal coverage in (0, 1).
    n_replicates : int
        Half-samples (>= 10).
    seed : int or None
        Seeds the row draws and the neural methods.
    verbose : bool
        Progress bar.
    **settings
        Passed to the method; see `keras_mine.estimate_mi`.

    Returns
    -------
    BootstrapCI
        ``.mi``, ``.low``, ``.high``, ``.std``, ``.replicates``.

    Examples
    --------
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> x, z = bivariate_gaussian(0.6).sample(2000, seed=0)    # true MI 0.223
    >>> interval = bootstrap_ci(x, z, "ksg", n_replicates=50)
    >>> round(interval.low, 2), round(interval.mi, 2), round(interval.high, 2)
    (0.16, 0.21, 0.26)
    """
    spec = check_method(method)
    confidence = check_fraction(confidence, "confidence")
    n_replicates = check_int(n_replicates, "n_replicates", minimum=10)
    x, z = check_paired_samples(x, z, dtype=spec.dtype)
    n = len(x)
    if n < 20:
        raise ValueError(f"bootstrap_ci needs at least 20 rows; received {n}.")
    m = n // 2
    rng = np.random.default_rng(seed)
    rows = [rng.choice(n, size=m, replace=False) for _ in range(n_replicates)]
    estimate = estimate_mi(x, z, method, seed=seed, **settings).mi
    replicates = np.array([
        result.mi
        for result in estimate_mi_many(
            [(x[r], z[r]) for r in rows], method, seed=seed, verbose=verbose, **settings
        )
    ])  # fmt: skip
    std = float(replicates.std(ddof=1) * np.sqrt(m / (n - m)))
    half_width = ndtri(0.5 + confidence / 2.0) * std
    return BootstrapCI(
        float(estimate), float(estimate - half_width), float(estimate + half_width), std,
        confidence, replicates,
    )  # fmt: skip


def mi_vs_sample_size(
    x: Any,
    z: Any,
    method: str = "ksg",
    *,
    sizes: Any = None,
    repeats: int = 5,
    seed: int | None = 0,
    verbose: bool = False,
    **settings: Any,
) -> pd.DataFrame:
    """The estimate on random subsets of growing size: does it settle?

    An estimate that still moves as n grows is not to be trusted at this n
    (typically: it is still rising, the estimator is sample-starved).

    Parameters
    ----------
    x, z : array-like
        Paired samples.
    method : str
        A method of `keras_mine.METHODS`.
    sizes : sequence of int, optional
        Subset sizes (each <= n). Default: 6 sizes log-spaced from
        min(100, n // 10) to n.
    repeats : int
        Random subsets per size (the full set is used once).
    seed : int or None
        Seeds the subsets and the neural methods.
    verbose : bool
        Progress bar (neural methods).
    **settings
        Passed to the method.

    Returns
    -------
    pandas.DataFrame
        One row per size: ``n``, ``mean``, ``std``, ``repeats``.
    """
    x, z = check_paired_samples(x, z, dtype=check_method(method).dtype)
    n = len(x)
    repeats = check_int(repeats, "repeats")
    if sizes is None:
        sizes = np.unique(np.geomspace(max(10, min(100, n // 10)), n, 6).astype(int))
    sizes = [check_int(int(size), "sizes", minimum=10) for size in sizes]
    if max(sizes) > n:
        raise ValueError(f"sizes go up to {max(sizes)} but there are only {n} rows.")
    rng = np.random.default_rng(seed)
    records = []
    for size in sizes:
        count = 1 if size == n else repeats
        rows = [rng.choice(n, size=size, replace=False) for _ in range(count)]
        results = estimate_mi_many(
            [(x[r], z[r]) for r in rows], method, seed=seed, verbose=verbose, **settings
        )
        values = np.array([result.mi for result in results])
        records.append({"n": size, "mean": values.mean(),
                        "std": values.std(ddof=1) if count > 1 else np.nan,
                        "repeats": count})  # fmt: skip
    return pd.DataFrame(records)
