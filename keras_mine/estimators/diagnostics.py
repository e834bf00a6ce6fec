"""Checks that stop an implausible MI estimate from passing silently.

MI is >= 0, finite for continuous variables unless one is a function of the
other, and two cross-fitted folds estimate the same quantity. Each check is a
pure function of the data or of an estimate's parts that returns a message
(or None); `warn_if_implausible` turns the messages into a `UserWarning`
each, saying what to check.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import logsumexp, ndtri

from keras_mine.classical.gaussian import normal_scores

__all__ = [
    "duplicated_rows",
    "functional_dependence",
    "near_deterministic",
    "column_dependence",
    "infinite_mi_message",
    "pairs_messages",
    "negative_estimate",
    "folds_disagree",
    "near_ceiling",
    "pairwise_copula_bound",
    "below_lower_bound",
    "column_pair_bounds",
    "copula_critic_readout",
    "copula_not_borne_out",
    "plug_in_bias",
    "serial_dependence",
    "mixed_null_level",
    "null_bias",
    "warn_if_implausible",
    "NEGATIVE_Z",
    "FOLD_Z",
    "CEILING_FRACTION",
    "BOUND_CONFIDENCE",
    "PLUG_IN_BIAS_NATS",
]

#: An estimate is "far below zero" when it is below -NEGATIVE_Z standard
#: errors of its readout (and below -0.02 nats, so a zero-MI task with tiny
#: noise does not warn).
NEGATIVE_Z = 4.0
#: Two estimates of the same quantity from separately trained critics differ
#: by training variability up to AGREE_NATS nats plus AGREE_FRACTION of
#: their mean: the margin of `folds_disagree` and of the extrapolation's
#: consistency check (`keras_mine.estimators.result.extrapolated_mi`).
AGREE_NATS = 0.05
AGREE_FRACTION = 0.15
#: Folds "disagree far beyond their noise" when their difference exceeds
#: FOLD_Z standard errors of the difference plus the training-variability
#: margin above (calibrated on the v1 suite: docs/benchmarks.md, "Constants
#: chosen by measurement").
FOLD_Z = 4.0
#: An estimate within this fraction of ln(held-out rows) is at the limit of
#: what a DV readout on that many rows can show.
CEILING_FRACTION = 0.8


def _rank_keys(values: np.ndarray, min_distinct: int) -> list[bytes | None]:
    """Dense ranks of each column as bytes (None for columns with few distinct values)."""
    keys = []
    for column in np.asarray(values).T:
        distinct, inverse = np.unique(column, return_inverse=True)
        ranks = inverse.ravel().astype(np.int64) + 1  # dense ranks from 1, as `_flipped` takes
        keys.append(ranks.tobytes() if len(distinct) >= min_distinct else None)
    return keys


def duplicated_rows(x: np.ndarray, z: np.ndarray, min_fraction: float = 0.01) -> str | None:
    """Find continuous data whose rows repeat exactly (x and z alike), as joins make them.

    A k-nearest-neighbour estimator takes a copy for a neighbour at distance
    0 and reads high: on a bivariate Gaussian (0.41 nats) 5% of copied rows
    add about 9% and every row twice triples it (docs/benchmarks.md,
    "Constants chosen by measurement"). Reported when at least
    `min_fraction` of the rows are copies and every column has at least half
    as many distinct values as there are distinct rows (for discrete data,
    repeated rows are the normal case).

    Returns
    -------
    str or None
        What to check, or None.

    Examples
    --------
    >>> x = np.arange(100.0)[:, None]
    >>> duplicated_rows(x, x ** 2) is None
    True
    >>> duplicated_rows(np.concatenate([x, x]), np.concatenate([x, x]) ** 2)[:30]
    '100 of 200 rows repeat another'
    """
    joint = np.column_stack([x, z])
    distinct = np.unique(joint, axis=0)
    copies = len(joint) - len(distinct)
    if copies < max(2, min_fraction * len(joint)):
        return None
    if min(len(np.unique(column)) for column in joint.T) < len(distinct) / 2:
        return None
    return (
        f"{copies} of {len(joint)} rows repeat another row exactly (x and z alike), in data "
        "that look continuous. A k-nearest-neighbour estimate counts a copy as a neighbour "
        "at distance 0 and reads high (5% of copied rows: about +9%). If the copies are "
        "artifacts (a join, oversampling), drop them first: "
        "rows = np.unique(np.column_stack([x, z]), axis=0, return_index=True)[1]."
    )


def functional_dependence(x: np.ndarray, z: np.ndarray) -> str | None:
    """Find a column of x that is a strictly monotone function of a column of z.

    Two columns with identical dense ranks (or ranks reversed) are an
    increasing (decreasing) function of each other: identical columns,
    rescaled copies, log or exp of each other. For continuous variables
    I(X;Z) is then infinite. Only columns with at least max(10, n/4)
    distinct values are compared: for discrete columns MI stays finite (it
    is the entropy). Cost: one sort per column, no comparison of all pairs
    of columns beyond a hash lookup.

    Returns
    -------
    str or None
        A description of the first such pair, or None.
    """
    n = len(x)
    min_distinct = max(10, n // 4)
    z_keys = {}
    for j, key in enumerate(_rank_keys(z, min_distinct)):
        if key is not None:
            z_keys.setdefault(key, j)
    for i, key in enumerate(_rank_keys(x, min_distinct)):
        if key is None:
            continue
        if key in z_keys:
            return f"x column {i} is an increasing function of z column {z_keys[key]}"
        flipped = _flipped(key)
        if flipped in z_keys:
            return f"x column {i} is a decreasing function of z column {z_keys[flipped]}"
    return None


def near_deterministic(
    x: np.ndarray, z: np.ndarray, threshold: float = 0.03, max_dim: int = 10
) -> str | None:
    """Find whether x is (nearly) a function of z, or z of x, from nearest neighbours.

    If x = f(z), the x of z's nearest neighbour is almost x itself: the
    median distance ``||x_i - x_nn(i)||`` shrinks with the sample size,
    while the median distance to a random other row does not. Both
    variables are first mapped to normal scores, so units do not matter.
    A ratio below `threshold` is reported: functions of z read far below
    it and every v1 task far above (docs/benchmarks.md, "Constants chosen
    by measurement"). The neighbour search is made only in spaces of at
    most `max_dim` dimensions (a k-d tree gains nothing beyond).
    A side with fewer than max(10, n/4) distinct rows is not tested as the
    function: a discrete x that is a function of z has finite MI (its
    entropy), and its neighbours' labels match most of the time even when
    it is far from a function (a binary x with z ~ N(2x, 1) gave 0).

    Returns
    -------
    str or None
        "x is nearly a function of z" (or the reverse), or None.
    """
    from scipy.spatial import cKDTree

    def scores(values):
        return normal_scores(np.asarray(values))

    x, z = scores(x), scores(z)
    rng = np.random.default_rng(0)
    pairs = ((x, z, "x is nearly a function of z"), (z, x, "z is nearly a function of x"))
    min_distinct = max(10, len(x) // 4)
    for a, b, text in pairs:
        if b.shape[1] > max_dim or len(np.unique(a, axis=0)) < min_distinct:
            continue
        _, neighbours = cKDTree(b).query(b, k=2)
        near = np.linalg.norm(a - a[neighbours[:, 1]], axis=1)
        far = np.linalg.norm(a - a[rng.permutation(len(a))], axis=1)
        if np.median(near) < threshold * np.median(far):
            return text
    return None


def column_dependence(
    values: np.ndarray,
    pairs,
    names=None,
    threshold: float = 0.05,
) -> list[str | None]:
    """`functional_dependence`, then `near_deterministic`, for many one-column pairs.

    The same checks as ``functional_dependence(values[:, [i]], values[:,
    [j]]) or near_deterministic(...)`` on each pair (i, j), at a fraction of
    their cost: the ranks, the normal scores and each column's nearest
    neighbour (its closer neighbour in sorted order) are computed once per
    column, so a pair costs a few vector operations on n values. Made for
    `mi_matrix` and `mi_scores`, where 200 columns are 19,900 pairs.

    Parameters
    ----------
    values : np.ndarray
        Samples (n_samples, n_columns).
    pairs : sequence of (int, int)
        Column indices (i, j): is column i a function of column j, or j of i?
    names : sequence, optional
        Column labels for the messages (default: the indices).
    threshold : float
        As `near_deterministic`.

    Returns
    -------
    list of str or None
        Per pair, what was found ("column 'a' is an increasing function of
        column 'b'", "column 'a' is nearly a function of column 'b'") or None.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=1000)
    >>> values = np.c_[a, np.exp(a), np.sin(3 * a), rng.normal(size=1000)]
    >>> column_dependence(values, [(0, 1), (0, 2), (0, 3)], names=["a", "b", "c", "d"])
    ["column 'a' is an increasing function of column 'b'", \
"column 'c' is nearly a function of column 'a'", None]
    """
    values = np.asarray(values, dtype="float64")
    n = len(values)
    names = list(range(values.shape[1])) if names is None else list(names)
    min_distinct = max(10, n // 4)
    used = sorted({column for pair in pairs for column in pair})
    rng = np.random.default_rng(0)  # the permutations near_deterministic draws, in its order
    draws = (rng.permutation(n), rng.permutation(n))
    # A column without ties has the ordinal ranks 1..n in some order: its
    # normal scores are those of 1..n permuted, and its nearest neighbours are
    # those of the sorted scores permuted; computed once for all such columns.
    grid = normal_scores(np.arange(n))
    grid_nearest = _nearest_in_line(grid)
    keys, scores, nearest, distinct, far = {}, {}, {}, {}, {}
    for column in used:
        order = np.argsort(values[:, column], kind="stable")
        if np.any(np.diff(values[order, column]) == 0):  # ties: the general path
            keys[column] = _rank_keys(values[:, [column]], min_distinct)[0]
            scores[column] = normal_scores(values[:, column])
            distinct[column] = len(np.unique(scores[column])) >= min_distinct
            nearest[column] = _nearest_in_line(scores[column])
        else:
            ranks = np.empty(n, dtype=np.int64)
            ranks[order] = np.arange(1, n + 1)
            keys[column] = ranks.tobytes() if n >= min_distinct else None
            scores[column] = grid[ranks - 1]
            distinct[column] = n >= min_distinct
            nearest[column] = np.empty(n, dtype=np.intp)
            nearest[column][order] = order[grid_nearest]
        # The median distance to a random row depends on the column only.
        far[column] = [np.median(np.abs(scores[column] - scores[column][d])) for d in draws]
    # near[(p, q)]: median distance between p's value and p's value at q's nearest
    # neighbour, for every direction a pair may test, one array call per q.
    wanted: dict[int, set[int]] = {}
    for i, j in pairs:
        for p, q in ((i, j), (j, i)):
            if distinct[p]:
                wanted.setdefault(q, set()).add(p)
    near = {}
    for q, ps in wanted.items():
        ps = sorted(ps)
        block = np.column_stack([scores[p] for p in ps])
        medians = np.median(np.abs(block - block[nearest[q]]), axis=0)
        near.update({(p, q): m for p, m in zip(ps, medians, strict=True)})
    found = []
    for i, j in pairs:
        a, b = repr(names[i]), repr(names[j])
        if keys[i] is not None and keys[i] == keys[j]:
            found.append(f"column {a} is an increasing function of column {b}")
            continue
        if keys[i] is not None and keys[j] is not None and keys[j] == _flipped(keys[i]):
            found.append(f"column {a} is a decreasing function of column {b}")
            continue
        text, draw = None, 0
        for p, q, what in ((i, j, f"{a} is nearly a function of column {b}"),
                           (j, i, f"{b} is nearly a function of column {a}")):  # fmt: skip
            if not distinct[p]:
                continue
            draw += 1
            if near[p, q] < threshold * far[p][draw - 1]:
                text = f"column {what}"
                break
        found.append(text)
    return found


def _flipped(key: bytes) -> bytes:
    ranks = np.frombuffer(key, np.int64)
    return (ranks.max() + 1 - ranks).tobytes()


def _nearest_in_line(values: np.ndarray) -> np.ndarray:
    """Index of each value's nearest other value (one column; the closer sorted neighbour)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    gaps = np.diff(ordered)
    left = np.r_[np.inf, gaps]
    right = np.r_[gaps, np.inf]
    position = np.arange(len(values))
    neighbour_position = np.where(right < left, position + 1, position - 1)
    nearest = np.empty(len(values), dtype=np.intp)
    nearest[order] = order[neighbour_position]
    return nearest


def infinite_mi_message(found: str) -> str:
    """The warning for a pair where one side is (nearly) a function of the other."""
    return (
        f"{found}: for continuous data I(X;Z) is then infinite (or too large to estimate "
        "from these samples), and a finite estimate only reflects the sample size. Check "
        "that one variable was not passed twice or computed from the other (a leaked target)."
    )


def negative_estimate(
    mi: float, stderr: float, z: float = NEGATIVE_Z, neural: bool = True
) -> str | None:
    """A message if `mi` lies far below zero for its standard error, else None.

    Far: below -max(0.02, `z` standard errors), or -0.05 when the standard
    error is unknown. `neural` picks the advice: a critic's readout, or a
    classical estimator's.
    """
    threshold = -max(0.02, z * stderr) if np.isfinite(stderr) else -0.05
    if mi >= threshold:
        return None
    advice = (
        "The critic extrapolates on held-out rows: check for outliers or heavy tails (keep "
        "preprocessing='normal_scores'), too few samples, or training cut short (raise "
        "max_epochs / stop_patience)."
        if neural
        else "Check for repeated values (rounded or discrete data: use method='mixed' or "
        "'discrete'), for a few extreme rows, and that there are enough samples."
    )
    return (
        f"The MI estimate {mi:.3f} nats is below zero by more than its sampling noise "
        f"(standard error {stderr:.3f}); MI is never negative. {advice}"
    )


def folds_disagree(estimates, stderrs) -> str | None:
    """A message if two fold readouts differ far beyond their noise, else None."""
    estimates, stderrs = np.asarray(estimates, float), np.asarray(stderrs, float)
    if len(estimates) < 2 or not np.all(np.isfinite(stderrs)):
        return None
    low, high = int(np.argmin(estimates)), int(np.argmax(estimates))
    gap = estimates[high] - estimates[low]
    noise = np.hypot(stderrs[high], stderrs[low])
    allowed = FOLD_Z * noise + AGREE_NATS + AGREE_FRACTION * abs(float(np.mean(estimates)))
    if gap <= allowed:
        return None
    return (
        f"The folds disagree: readouts from {estimates[low]:.3f} to {estimates[high]:.3f} nats, "
        f"far beyond their sampling noise (standard errors {stderrs[low]:.3f}, "
        f"{stderrs[high]:.3f}). A few rows may dominate one fold (outliers, duplicated rows), "
        "or training is unstable: check the data for extreme rows, pass more samples, or "
        "compare seeds."
    )


#: A plug-in estimate is checked against independence only when its expected
#: bias, (levels_x - 1)(levels_z - 1) / 2n nats, is at least this large: below
#: it any estimate under the threshold already reads as about zero.
PLUG_IN_BIAS_NATS = 0.02


def plug_in_bias(mi: float, levels: tuple[int, int] | None, n: int) -> str | None:
    """A message if a plug-in estimate is no more than independent data would give.

    For independent x and z with ``kx`` and ``kz`` levels, 2n times the
    plug-in MI is the G statistic, about chi-squared with
    ``(kx - 1)(kz - 1)`` degrees of freedom: on average ``(kx - 1)(kz - 1) /
    2n`` nats (Miller 1955), which with many levels and few rows is
    nats of pure bias (1,000 levels each in 5,000 rows: 99.8). An estimate
    at or below the 99th percentile of that distribution cannot be told
    from independence (a G-test at 1%); reported when the mean bias is at
    least `PLUG_IN_BIAS_NATS`. Where most cells hold a single row the
    approximation fails, and the estimate saturates near ln(levels), below
    that percentile: it is reported too, rightly.
    """
    if levels is None:
        return None
    kx, kz = levels
    df = (kx - 1) * (kz - 1)
    bias = df / (2.0 * n)
    if bias < PLUG_IN_BIAS_NATS:
        return None
    from scipy.stats import chi2  # on use: scipy.stats takes half a second to import

    threshold = float(chi2.ppf(0.99, df)) / (2.0 * n)
    if mi > threshold:
        return None
    return (
        f"The plug-in estimate {mi:.3f} nats is no more than independent data with the same "
        f"levels give: {kx} x {kz} levels in {n} rows read {bias:.3f} nats on average and "
        f"up to {threshold:.3f} in 99% of samples ((levels_x - 1)(levels_z - 1) / 2n, the "
        "plug-in bias). It cannot be told from zero: use fewer levels or bins, more rows, "
        "or keras_mine.mi_test for a p-value."
    )


def near_ceiling(mi: float, n_readout: int) -> str | None:
    """A message if `mi` is close to ln(n_readout), the most a held-out DV readout can show."""
    ceiling = float(np.log(n_readout))
    if not mi > CEILING_FRACTION * ceiling:
        return None
    return (
        f"The MI estimate {mi:.2f} nats is close to ln({n_readout}) = {ceiling:.2f}, the most "
        f"a readout on {n_readout} held-out rows can show: the true MI may be larger, or "
        "infinite (x a deterministic function of z). Check that one variable is not "
        "computed from the other; if the dependence is real, more samples are needed."
    )


#: `pairwise_copula_bound` holds with at least this probability (Bonferroni
#: over the column pairs it searches).
BOUND_CONFIDENCE = 0.99


def _continuous_scores(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(continuous columns, their normal scores centred to unit norm) of (n, d) `values`.

    Continuous: at least max(10, n/4) distinct values, as `functional_dependence`
    counts them; a dot product of two score columns is then their correlation.
    """
    n = len(values)
    distinct = 1 + np.count_nonzero(np.diff(np.sort(values, axis=0), axis=0) != 0, axis=0)
    keep = np.flatnonzero(distinct >= max(10, n // 4))
    scores = normal_scores(values[:, keep])
    scores -= scores.mean(axis=0)
    return keep, scores / np.linalg.norm(scores, axis=0)


def _short_of(mi: float, bound: float) -> bool:
    """Whether `mi` is clearly below a lower bound: by more than max(0.05, 10%) of it."""
    return bool(bound > 0 and mi < bound - max(AGREE_NATS, 0.1 * bound))


def pairwise_copula_bound(x: np.ndarray, z: np.ndarray) -> tuple[float, int, int] | None:
    """A lower bound on I(X;Z) from the best single pair of columns, and that pair.

    For any columns x_i of x and z_j of z, I(X;Z) >= I(X_i;Z_j) (data
    processing), and a pair whose marginals are Gaussian has at least the MI
    of the Gaussian with its correlation, ``-ln(1 - r^2) / 2`` (the Gaussian
    has the largest joint entropy for its covariance). Normal scores make
    every continuous column's marginal Gaussian without changing any MI, so
    the Gaussian-copula MI of each pair bounds I(X;Z) from below, in any
    dimension and for any dependence: unlike the copula estimate of all
    columns at once (`keras_mine.gaussian_copula_mi`), which with many
    columns is no bound. It is exact for a monotone map of a bivariate
    Gaussian, so it is tight where the critic bounds fall short: high MI.

    The largest sample correlation over m pairs reads high, so ``|r|`` is
    lowered by ``Phi^-1(1 - (1 - BOUND_CONFIDENCE) / m)`` of its standard
    error ``(1 - r^2) / sqrt(n)`` first: the bound then holds with
    probability `BOUND_CONFIDENCE` or more. Only columns with at least
    max(10, n/4) distinct values count (ties make a column discrete, whose
    scores are not Gaussian and for which the bound fails: two equal binary
    columns share ln 2 nats, not infinitely many).

    Returns
    -------
    (bound, i, j) or None
        The bound in nats and the columns it comes from; None when no pair
        of continuous columns has a positive bound.

    Examples
    --------
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> x, z = bivariate_gaussian(0.99).sample(5_000, seed=0)   # 1.959 nats
    >>> bound, i, j = pairwise_copula_bound(np.exp(x), z ** 3)
    >>> 1.85 < bound < 1.959
    True
    """
    n = len(x)
    if n < 10:
        return None
    (keep_x, sx), (keep_z, sz) = (_continuous_scores(v.reshape(n, -1)) for v in (x, z))
    if not len(keep_x) or not len(keep_z):
        return None
    r = sx.T @ sz
    best = np.unravel_index(int(np.argmax(np.abs(r))), r.shape)
    bound = float(_gaussian_bound(np.abs(r[best]), n, r.size))
    if not bound > 0:
        return None
    return bound, int(keep_x[best[0]]), int(keep_z[best[1]])


def _gaussian_bound(r, n: int, searched: int):
    """The Gaussian MI of correlations |r| lowered for `searched` pairs (0 where <= 0)."""
    top = np.minimum(np.abs(r), 1.0)
    quantile = float(ndtri(1 - (1 - BOUND_CONFIDENCE) / searched))
    lowered = np.maximum(top - quantile * (1 - top**2) / np.sqrt(n), 0.0)
    return -0.5 * np.log1p(-(lowered**2))


def column_pair_bounds(values: np.ndarray, pairs) -> np.ndarray:
    """`pairwise_copula_bound` of each pair (i, j) of columns of `values` (NaN: a discrete column).

    The same bound, with the Bonferroni margin over all the pairs, from one
    set of normal scores: what `pairs_messages` compares each estimate with.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=2000)
    >>> values = np.c_[a, a + 0.1 * rng.normal(size=2000), rng.integers(0, 3, 2000)]
    >>> column_pair_bounds(values, [(0, 1), (0, 2)]).round(2)
    array([2.24,  nan])
    """
    used = np.array(sorted({c for pair in pairs for c in pair}))
    keep, scores = _continuous_scores(values[:, used])
    at = {int(used[k]): position for position, k in enumerate(keep)}  # column -> score column
    r = np.array([scores[:, at[i]] @ scores[:, at[j]] if i in at and j in at else np.nan
                  for i, j in pairs])  # fmt: skip
    with np.errstate(invalid="ignore"):
        return _gaussian_bound(r, len(values), len(pairs))


def below_lower_bound(mi: float, x: np.ndarray, z: np.ndarray) -> str | None:
    """A message if `mi` falls clearly short of `pairwise_copula_bound` (tabular x, z).

    Clearly: below ``bound - max(0.05, 0.1 bound)``. An estimate within
    max(0.05 nats, 10%) of the truth is never that low while the bound holds,
    so the check only fires on estimates that miss; it catches the critic
    bounds' shortfall at high MI (rho 0.9999 at N 5,000, 4.26 nats: MINE read
    3.70 where ln(held-out rows) was no warning).
    """
    if x.ndim != 2 or z.ndim != 2 or not np.isfinite(mi):
        return None
    found = pairwise_copula_bound(x, z)
    if found is None:
        return None
    bound, i, j = found
    if not _short_of(mi, bound):
        return None
    return (
        f"The MI estimate {mi:.3f} nats is below {bound:.3f}, a lower bound from x column {i} "
        f"and z column {j} alone (the Gaussian MI of their normal scores' correlation, which "
        f"no joint law with that correlation can fall below; it holds with probability "
        f"{BOUND_CONFIDENCE:.0%}): the estimator missed dependence that is there. At high MI "
        "the critic bounds fall short: try method='doe' (densities, not capped) or "
        "'gaussian_copula', more samples, or a longer training (max_epochs, stop_patience)."
    )


def copula_critic_readout(x: np.ndarray, z: np.ndarray, shuffles: int = 5) -> float:
    """The Donsker-Varadhan readout, on these rows, of the Gaussian copula's log density ratio.

    The copula estimate is the MI of a Gaussian fitted to the normal scores;
    its log ratio ``T = ln q(x, z) - ln q(x) - ln q(z)`` is a critic like
    any other, and ``mean T(joint) - ln mean e^T(shuffled pairs)`` reads at
    most the true MI for any T. Where the normal scores are jointly Gaussian
    it reads the copula estimate itself (0.405 against 0.407 on a v1
    Gaussian, 1.072 against 1.005 on 25 + 25 columns at N 5,000); where they
    are not, shuffled pairs that the fitted Gaussian calls impossible get
    huge ratios and the readout falls far below (-18.4 against 9.12 for a
    2-D Gaussian embedded in 256 dimensions, truth 1).

    Examples
    --------
    >>> from keras_mine.tasks import bivariate_gaussian
    >>> x, z = bivariate_gaussian(0.75).sample(5_000, seed=0)   # 0.413 nats
    >>> round(copula_critic_readout(x, z), 1)
    0.4
    """
    n, dx = len(x), x.reshape(len(x), -1).shape[1]
    scores = normal_scores(np.column_stack([x.reshape(n, -1), z.reshape(n, -1)]))
    scores -= scores.mean(axis=0)
    joint = np.corrcoef(scores, rowvar=False)
    quadratic = np.linalg.inv(joint)
    quadratic[:dx, :dx] -= np.linalg.inv(joint[:dx, :dx])
    quadratic[dx:, dx:] -= np.linalg.inv(joint[dx:, dx:])
    logdet = (np.linalg.slogdet(joint)[1] - np.linalg.slogdet(joint[:dx, :dx])[1]
              - np.linalg.slogdet(joint[dx:, dx:])[1])  # fmt: skip

    def critic(w: np.ndarray) -> np.ndarray:
        return -0.5 * np.einsum("ij,ij->i", w @ quadratic, w) - 0.5 * logdet

    rng = np.random.default_rng(0)
    shuffled = np.concatenate([
        critic(np.column_stack([scores[:, :dx], scores[rng.permutation(n), dx:]]))
        for _ in range(shuffles)
    ])  # fmt: skip
    return float(np.mean(critic(scores)) - (logsumexp(shuffled) - np.log(len(shuffled))))


def copula_not_borne_out(mi: float, x: np.ndarray, z: np.ndarray) -> str | None:
    """A message if the copula estimate `mi` is far above `copula_critic_readout`.

    Far: below ``mi - max(0.05, mi / 2)``; jointly Gaussian normal scores
    read within a few hundredths (v1 tasks: 0.16 against 0.17 at the
    closest, more in-sample fit at N 500 reads higher, not lower).
    """
    if x.ndim != 2 or z.ndim != 2 or not np.isfinite(mi) or mi <= AGREE_NATS:
        return None
    readout = copula_critic_readout(x, z)
    if readout >= mi - max(AGREE_NATS, 0.5 * mi):
        return None
    return (
        f"The Gaussian-copula estimate {mi:.3f} nats is not borne out by its own model: as a "
        f"critic, the fitted Gaussian's log density ratio reads {readout:.3f} nats on these "
        "rows (a Donsker-Varadhan bound), so the normal scores are far from jointly "
        "Gaussian: columns that are non-linear functions of each other or of a few hidden "
        "variables (embeddings, pixels). The copula is then no bound and can read far too "
        "high: use a neural method (method='mine' or 'infonce')."
    )


def pairs_messages(
    estimates, stderrs, labels, n_readout: int, found=None, folds=None, shown: int = 5,
    bounds=None,
) -> list[str | None]:
    """The checks of one estimate, summed up over many pairs: a message per kind found.

    With m pairs, noise alone puts some estimate beyond a fixed number of
    standard errors more often, so a pair counts as far below zero beyond
    ``z = max(NEGATIVE_Z, Phi^-1(1 - 0.05 / m))`` standard errors: for
    normal errors, the chance that any of the m independent pairs crosses it
    is at most 5% (19,900 pairs: z = 4.6). One message per kind lists how
    many pairs and the first `shown` of them, instead of one warning each.

    Parameters
    ----------
    estimates, stderrs : array-like
        Per pair (NaN standard error: the fixed -0.05 threshold).
    labels : sequence of str
        Per pair, how to name it ("'a' and 'b'").
    n_readout : int
        Rows each estimate was read on (`near_ceiling`).
    found : sequence of str or None, optional
        Per pair, what `column_dependence` found.
    folds : sequence of (fold_estimates, fold_stderrs), optional
        Per pair, its fold readouts (`folds_disagree`; neural methods).
    bounds : array-like, optional
        Per pair, a lower bound on its MI (`column_pair_bounds`; NaN: none),
        as `below_lower_bound` checks one estimate.

    Returns
    -------
    list of str or None
        Messages on (nearly) functional pairs, estimates far below zero,
        estimates near the readout's ceiling, folds that disagree,
        estimates clearly below their lower bound.

    Examples
    --------
    >>> messages = pairs_messages([0.3, -0.4], [0.02, 0.02], ["'a' and 'b'", "'a' and 'c'"], 1000)
    >>> print(messages[1][:95])
    1 of 2 pairs read below zero beyond their sampling noise: 'a' and 'c' at -0.400 (standard error
    >>> messages[0] is None and messages[2] is None and messages[3] is None
    True
    >>> print(pairs_messages([0.5], [0.02], ["'a' and 'b'"], 1000, bounds=[1.2])[4][:62])
    1 of 1 pairs read clearly below a lower bound on their MI (the
    """
    estimates, stderrs = np.asarray(estimates, float), np.asarray(stderrs, float)
    m = len(estimates)
    z = max(NEGATIVE_Z, -float(ndtri(0.05 / m)))  # the normal's upper 0.05 / m quantile

    def listing(indices, describe) -> str:
        more = f"; and {len(indices) - shown} more" if len(indices) > shown else ""
        return "; ".join(describe(i) for i in indices[:shown]) + more

    messages: list[str | None] = [None, None, None, None, None]
    functional = [i for i, f in enumerate(found or ()) if f is not None]
    if functional:
        messages[0] = infinite_mi_message(
            f"{len(functional)} of {m} pairs have a column that is (nearly) a function of the "
            f"other: {listing(functional, lambda i: found[i])}"
        )
    low = [i for i in range(m) if negative_estimate(estimates[i], stderrs[i], z) is not None]
    if low:
        text = listing(low, lambda i: f"{labels[i]} at {estimates[i]:.3f} (standard error "
                                      f"{stderrs[i]:.3f})")  # fmt: skip
        messages[1] = (
            f"{len(low)} of {m} pairs read below zero beyond their sampling noise: {text}. MI "
            f"is never negative (the threshold, {z:.1f} standard errors, allows for the number "
            "of pairs). Check those columns for repeated values (rounded or discrete data: "
            "method='mixed'), a few extreme rows, or too few samples."
        )
    high = [i for i in range(m) if near_ceiling(estimates[i], n_readout) is not None]
    if high:
        messages[2] = (
            f"{len(high)} of {m} pairs read close to ln({n_readout}) = {np.log(n_readout):.2f} "
            f"nats, the most {n_readout} rows can show: "
            f"{listing(high, lambda i: f'{labels[i]} at {estimates[i]:.2f}')}. The true MI may "
            "be larger, or infinite: check that one column is not computed from the other."
        )
    split = [i for i, parts in enumerate(folds or ()) if folds_disagree(*parts) is not None]
    if split:
        messages[3] = (
            f"{len(split)} of {m} pairs have fold readouts that disagree far beyond their noise: "
            f"{listing(split, lambda i: labels[i])}. A few rows may dominate one fold "
            "(outliers, duplicated rows), or training is unstable: check those columns for "
            "extreme rows, pass more samples, or compare seeds."
        )
    bounds = np.full(m, np.nan) if bounds is None else np.asarray(bounds, float)
    short = [i for i in range(m) if _short_of(estimates[i], bounds[i])]
    if short:
        text = listing(short, lambda i: f"{labels[i]} at {estimates[i]:.3f} (bound "
                                        f"{bounds[i]:.3f})")  # fmt: skip
        messages[4] = (
            f"{len(short)} of {m} pairs read clearly below a lower bound on their MI (the "
            "Gaussian MI of the pair's normal-score correlation, which no joint law with that "
            f"correlation falls below): {text}. The estimator missed dependence that is "
            "there, as happens at high MI: try method='gaussian_copula' or 'doe', or more "
            "samples."
        )
    return messages


#: `mixed_null_level` runs where a side averages fewer rows per level than this.
MIXED_ROWS_PER_LEVEL = 50
#: Permutations of z behind `mixed_null_level`.
MIXED_NULL_PERMUTATIONS = 5


def mixed_null_level(x: np.ndarray, z: np.ndarray, k: int = 3, standardize: bool = True):
    """The "mixed" estimate's mean on independent data with x's and z's own levels, or None.

    Gao et al.'s estimator counts the copies of a point mass as its
    neighbours; with many levels and few rows per level, independent data
    read far above 0 (10 levels against a normal in 100 rows: 0.10-0.31 nats
    over 5 seeds; 50 levels in 1,000 rows: 0.16-0.21; 5 levels in 1,000
    rows: 0.00-0.02). Where a side has repeated values and fewer than
    `MIXED_ROWS_PER_LEVEL` rows per distinct value, this is the estimate's
    mean over `MIXED_NULL_PERMUTATIONS` seeded permutations of z (the bias
    of the estimator at these levels); None elsewhere, where it is small.
    """
    from keras_mine.classical.knn import mixed_mi  # the estimator checked here

    n = len(x)
    levels = [len(np.unique(side, axis=0)) for side in (x, z)]
    if not any(level <= n / 2 and n / level < MIXED_ROWS_PER_LEVEL for level in levels):
        return None
    rng = np.random.default_rng(0)
    return float(np.mean([mixed_mi(x, z[rng.permutation(n)], k=k, standardize=standardize)
                          for _ in range(MIXED_NULL_PERMUTATIONS)]))  # fmt: skip


def null_bias(mi: float, null_level: float | None) -> str | None:
    """A message if independent data with the same levels read `null_level` >= 0.02 nats."""
    if null_level is None or null_level < PLUG_IN_BIAS_NATS:
        return None
    return (
        f"Independent data with these levels read {null_level:.3f} nats on average with this "
        f"estimator (z permuted {MIXED_NULL_PERMUTATIONS} times): its bias with many levels and "
        f"few rows per level. The estimate {mi:.3f} is {mi - null_level:+.3f} from that level. "
        "Use fewer levels or more rows, or keras_mine.mi_test(x, z, method='mixed') for a "
        "p-value."
    )


#: Lag-1 rank autocorrelations beyond this many standard errors (1 / sqrt(n)
#: for i.i.d. rows) in both variables make their rows a time series.
SERIAL_Z = 4.0


def _lag_one_autocorrelation(values: np.ndarray) -> float:
    """The largest |lag-1 autocorrelation| of a column's ranks, over the columns."""
    scores = normal_scores(values)
    scores = scores - scores.mean(axis=0)
    numerator = np.sum(scores[1:] * scores[:-1], axis=0)
    denominator = np.sum(scores**2, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        found = np.abs(numerator / denominator)
    return float(np.nanmax(found)) if np.isfinite(found).any() else 0.0


def serial_dependence(x: np.ndarray, z: np.ndarray) -> str | None:
    """A message if x and z are both autocorrelated in row order, else None.

    When consecutive rows of both variables are alike, the rows are a time
    series and not exchangeable: permuting z destroys its autocorrelation,
    the permutation null is too narrow, and independent series test as
    dependent (two AR(1) series with coefficient 0.9: docs/benchmarks.md,
    "Time series"). One autocorrelated variable is harmless (the other's
    rows are still exchangeable under independence). The check is each
    variable's largest lag-1 autocorrelation of its normal scores against
    `SERIAL_Z` / sqrt(n).

    Examples
    --------
    >>> t = np.linspace(0, 20, 1000)
    >>> serial_dependence(np.sin(t), np.cos(t)) is not None
    True
    >>> rng = np.random.default_rng(0)
    >>> serial_dependence(rng.normal(size=1000), np.cos(t)) is None
    True
    """
    n = len(x)
    if n < 10:
        return None
    limit = SERIAL_Z / np.sqrt(n)
    r_x, r_z = _lag_one_autocorrelation(x), _lag_one_autocorrelation(z)
    if r_x <= limit or r_z <= limit:
        return None
    return (
        f"x and z are both autocorrelated in row order (lag-1 autocorrelations {r_x:.2f} "
        f"and {r_z:.2f}): if the rows are a time series, consecutive rows are not "
        "exchangeable and this permutation test's p-value is too small. Use "
        "keras_mine.timeseries.surrogate_test (or transfer_entropy with n_surrogates), "
        "which keeps each series' autocorrelation. If the row order means nothing (sorted "
        "data), shuffle the rows of both together first."
    )


def warn_if_implausible(messages) -> None:
    """Issue a `UserWarning` for each message that is not None."""
    for message in messages:
        if message is not None:
            warnings.warn(message, UserWarning, stacklevel=3)
