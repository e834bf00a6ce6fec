"""MI in one call: `estimate_mi`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from keras_mine.core.validation import check_paired_samples, check_seed, check_units, columns_of
from keras_mine.estimators.diagnostics import below_lower_bound, warn_if_implausible
from keras_mine.estimators.methods import METHODS
from keras_mine.estimators.result import MIResult, data_messages, plausibility_messages

__all__ = ["estimate_mi", "MIResult", "METHODS"]


def estimate_mi(
    data: Any = None,
    z: Any = None,
    method: str = "mine",
    *,
    x: Any = None,
    seed: int | None = 0,
    verbose: bool = False,
    units: str = "nats",
    **settings: Any,
) -> MIResult:
    """Estimate the mutual information I(X;Z) from paired samples, in one call.

    Neural methods are cross-fitted: the rows are cut at random (from
    `seed`) into `folds` parts. For each part, a critic trains on the other
    parts (early stopping and learning-rate reduction watching the MI on a
    `val_size` fraction of them, best weights restored) and is read out on
    that part with the DV formula. The estimate is the mean of the fold
    readouts: every row serves in a readout, and no critic is read out on
    rows that influenced its weights or its chosen epoch (a single held-out
    split reads out on few rows; reading out on training rows is biased
    upward). The same is done on each half of the rows, and the estimate is
    extrapolated to infinite sample size, ``2 I(N) - I(N/2)``
    (``extrapolate=True``, the default; see `MIResult`). Every method but
    "infonce" trains through the engine (`keras_mine.engine`), the code
    `estimate_mi_many` runs, so ``estimate_mi_many([(x, z)], seed=s)[0]`` is
    this estimate; every random choice comes from a named stream of `seed`
    (`keras_mine.core.seeds.SeedStreams`).

    Classical methods are the functions of `keras_mine.classical` applied to
    all rows.

    Parameters
    ----------
    data, z : array-like
        Paired samples x and z: numpy, tf.Tensor or pandas, 1-D or
        (n_samples, n_features), as ``estimate_mi(x, z)``. Or `data` is a
        DataFrame and `x` and `z` name its columns:
        ``estimate_mi(df, x=["a", "b"], z="c")``.
    x : array-like, or str or list of str
        The x samples by keyword (``estimate_mi(x=..., z=...)``), or the
        names of x's columns in `data`.
    method : str
        One of `METHODS`. Neural: "mine_biased", "mine", "remine", "nwj",
        "smile", "js", "infonce" (the losses of `keras_mine.MINE`),
        "classifier", "doe" (difference of entropies H(Z) - H(Z|X) from
        two density models fitted by maximum likelihood; option
        ``components``, Gaussians per coordinate of z, default 1; not
        capped by ln N, so it reads high MI that the critic bounds cannot).
        Classical: "ksg", "mixed" (kNN for data with ties or discrete
        columns), "kde", "histogram", "discrete", "gaussian_copula"
        (closed form of the normal scores' correlation: milliseconds, exact
        for increasing maps of a Gaussian, a lower bound for one column each).
    seed : int or None
        Seeds the folds, the initialization, the batch order and the
        shuffles: the same seed gives the same estimate. No global random
        state is touched. (The classical methods are deterministic.)
    verbose : bool
        Neural methods: a progress bar over epochs with the live MI.
    units : {"nats", "bits"}
        The units of ``float(result)``; ``.mi`` is in nats and ``.mi_bits``
        in bits whatever `units` is.
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
          `keras_mine.engine.spec.TrainingSpec`);
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
          `keras_mine.core.preprocessing`;
        - ``norm_feature`` (True): the critic also sees each variable's
          standardized mean square of its mapped columns, which finds
          dependence through a shared scale (Student-t); see
          `keras_mine.core.preprocessing`;
        - ``extrapolate`` (True): also fit the method on each half of the
          rows and return ``2 I(N) - I(N/2)``, the estimate extrapolated to
          infinite sample size under a bias of order 1/N (a trained critic
          reads low, more so on fewer rows). About twice the time; the
          parts are in ``.mi_full_sample`` and ``.half_estimates``. It is
          applied only when the parts agree (``.extrapolated`` says
          whether). Measured on the v1 benchmark in docs/benchmarks.md;
        - method options: ``alpha`` (mine), ``reg_weight`` and ``log_partition_target``
          (remine), ``tau`` (smile), ``readout`` (classifier).

        Classical methods: ``k`` and ``standardize`` (ksg, mixed), ``bandwidth``
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
        `keras_mine.estimators.diagnostics`): a column of x is a monotone function of a
        column of z (infinite MI); the estimate is far below zero for its
        standard error; the folds disagree far beyond their noise; the
        estimate is near ln(held-out rows), the most the readout can show;
        it is clearly below the MI of the best single pair of columns (a
        lower bound, `keras_mine.estimators.diagnostics.below_lower_bound`);
        or, for "gaussian_copula", its fitted Gaussian's log density ratio
        does not bear it out (`diagnostics.copula_not_borne_out`).

    Examples
    --------
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> x, z = bivariate_gaussian(0.75).sample(5_000, seed=0)
    >>> result = estimate_mi(x, z, method="mine", seed=0)    # true value 0.413 nats
    >>> abs(result.mi - 0.413) < 0.05
    True
    >>> round(estimate_mi(x, z, method="ksg", k=5).mi, 2)
    0.4...
    """
    if not isinstance(method, str) and np.ndim(method) > 0:  # NPEET's cmi(x, y, z) call
        raise ValueError(
            "estimate_mi(x, z) takes two variables, and a third array was passed where "
            "`method` goes. For the conditional MI I(X;Y|Z) call "
            "keras_mine.estimate_cmi(x, y, z); for I(X;(Y,Z)) pass np.column_stack([y, z])."
        )
    spec = METHODS.check(method, settings)
    check_units(units)
    if x is None:
        x = data  # estimate_mi(x, z)
    elif data is not None:
        x, z = columns_of(data, x, z)  # estimate_mi(df, x="a", z="b")
    x, z = check_paired_samples(x, z, dtype=spec.dtype, structured=spec.structured)
    warn_if_implausible(data_messages(x.reshape(len(x), -1), z.reshape(len(z), -1), spec.local))
    result = spec.run(method, x, z, settings, check_seed(seed), verbose)  # settings checked above
    warn_if_implausible(plausibility_messages(result))
    check = getattr(spec, "check", None) or below_lower_bound  # the method's own, or the bound
    warn_if_implausible([check(result.mi, x, z)])
    return replace(result, units=units)
