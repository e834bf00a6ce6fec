"""Rank features by their MI with a target; a scorer for scikit-learn's SelectKBest."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from keras_mine.classical.knn import jitter
from keras_mine.core.seeds import derive_seed
from keras_mine.core.validation import (
    check_option,
    check_paired_samples,
    check_seed,
)
from keras_mine.estimators.many import estimate_mi_columns, estimate_mi_many
from keras_mine.estimators.methods import METHODS, check_method

__all__ = ["mi_scores", "rank_features", "MIScorer", "TARGET_KINDS"]

TARGET_KINDS = ("auto", "continuous", "discrete")
#: "auto" treats an integer or bool target with at most this many values as classes.
MAX_AUTO_CLASSES = 20


def _is_discrete(y: np.ndarray, target: str) -> bool:
    check_option(target, "target", TARGET_KINDS)
    if target != "auto":
        return target == "discrete"
    return y.dtype.kind in "biu" and len(np.unique(y)) <= MAX_AUTO_CLASSES


#: Valid strings for ``discrete_features``: scikit-learn's "auto", and "levels".
DISCRETE_RULES = ("auto", "levels")


class FeatureIndexError(IndexError, ValueError):
    """A `discrete_features` mask or index that does not fit X (scikit-learn raises IndexError)."""


def _discrete_columns(X: np.ndarray, discrete_features: Any = "auto", sparse: bool = False):
    """A boolean mask of X's discrete columns, as scikit-learn's `discrete_features` says.

    "auto", as in scikit-learn: every column of a dense X is continuous, every
    column of a sparse X discrete. "levels" (keras_mine's rule): columns with
    at most `MAX_AUTO_CLASSES` distinct values (codes, flags, levels). A
    bool: all or none; a boolean mask of length n_features, or the indices
    of the discrete columns. A sparse X must be all discrete (scikit-learn's
    rule: its zeros are values, not missing entries).
    """
    n_features = X.shape[1]
    if isinstance(discrete_features, str):
        check_option(discrete_features, "discrete_features", DISCRETE_RULES)
        if discrete_features == "auto":
            return np.full(n_features, sparse)
        limit = min(MAX_AUTO_CLASSES, len(X) // 2)
        return np.array([len(np.unique(column)) <= limit for column in X.T], dtype=bool)
    if isinstance(discrete_features, (bool, np.bool_)):
        mask = np.full(n_features, bool(discrete_features))
    else:
        given = np.asarray(discrete_features)
        if given.dtype == bool:
            if given.shape != (n_features,):
                raise FeatureIndexError(
                    f"`discrete_features` must be 'auto', 'levels', a bool, a boolean mask of "
                    f"length n_features ({n_features}) or the indices of the discrete columns; "
                    f"received a mask of length {given.size}."
                )
            mask = given.copy()
        elif given.ndim == 1 and given.dtype.kind in "iu":
            if not np.all((given >= 0) & (given < n_features)):
                raise FeatureIndexError(
                    f"`discrete_features` indices must be between 0 and {n_features - 1} "
                    f"(X has {n_features} columns); received {given.tolist()}."
                )
            mask = np.zeros(n_features, dtype=bool)
            mask[given] = True
        else:
            raise ValueError(
                "`discrete_features` must be 'auto', 'levels', a bool, a boolean mask of length "
                f"n_features ({n_features}) or the indices of the discrete columns; received "
                f"{discrete_features!r}."
            )
    if sparse and not mask.all():
        raise ValueError(
            "A sparse `X` must have only discrete features (its zeros are values); pass "
            "discrete_features='auto' or True, or X.toarray() to score continuous columns."
        )
    return mask


def _string_labels(y: Any, target: str) -> tuple[Any, str]:
    """String (or object) class labels as integer codes, and the target kind "discrete"."""
    values = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if values.dtype.kind not in "OUS" or values.ndim != 1:
        return y, target
    check_option(target, "target", TARGET_KINDS)
    if target == "continuous":
        raise ValueError(
            "`y` holds strings, which are class labels; pass target='discrete' or 'auto'."
        )
    codes, _ = pd.factorize(values)
    if np.any(codes < 0):
        raise ValueError("`y` has missing labels (None or NaN); drop or label those rows first.")
    index = getattr(y, "index", None)
    return (pd.Series(codes, index=index) if index is not None else codes), "discrete"


def _warn_few_levels(X: np.ndarray, discrete: np.ndarray, discrete_features: Any) -> None:
    """Warn when "auto" takes columns with few distinct values for continuous (as scikit-learn)."""
    if not (isinstance(discrete_features, str) and discrete_features == "auto"):
        return
    limit = min(MAX_AUTO_CLASSES, len(X) // 2)
    few = [j for j in np.flatnonzero(~discrete) if len(np.unique(X[:, j])) <= limit]
    if few:
        shown = ", ".join(map(str, few[:10])) + (", ..." if len(few) > 10 else "")
        warnings.warn(
            f"Columns {shown} of X have at most {limit} distinct values and are scored as "
            "continuous: discrete_features='auto' means what it means in scikit-learn (a dense "
            "X is continuous). If they are codes, flags or levels, pass "
            "discrete_features='levels' (columns with at most 20 distinct values are discrete), "
            "a mask, or their indices.",
            UserWarning,
            stacklevel=3,
        )


def _ksg_scores(
    X, y, discrete_target: bool, discrete_columns, seed, verbose: bool, names, n_jobs,
    k: int = 3, standardize: bool = True,
) -> np.ndarray:  # fmt: skip
    """kNN scores: KSG for continuous pairs, Ross' estimator where one side is discrete.

    KSG proper needs continuous data on both sides (repeated values are
    zero-distance neighbours). Pairs with a discrete side go to
    scikit-learn's implementation of Ross (2014), which uses neighbour
    ranks within the continuous column only, so `standardize` changes
    nothing there; discrete pairs go to the contingency table.
    """
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    if discrete_target:
        labels = np.unique(y, return_inverse=True)[1]
        return mutual_info_classif(X, labels, discrete_features=discrete_columns,
                                   n_neighbors=k, random_state=seed, n_jobs=n_jobs)  # fmt: skip
    scores = np.empty(X.shape[1])
    continuous = ~discrete_columns
    if continuous.any():
        X_jittered = jitter(X[:, continuous], seed)
        y_jittered = jitter(y, derive_seed(seed, "jitter", "target"))
        table = np.column_stack([X_jittered, y_jittered])
        target = table.shape[1] - 1
        scores[continuous] = estimate_mi_columns(
            table, [(j, target) for j in range(target)], "ksg", verbose=verbose, n_jobs=n_jobs,
            names=[name for name, c in zip(names[:-1], continuous, strict=True) if c]
            + names[-1:], k=k, standardize=standardize,
        )  # fmt: skip
    if discrete_columns.any():
        scores[discrete_columns] = mutual_info_regression(
            X[:, discrete_columns], y, discrete_features=True, n_neighbors=k, random_state=seed,
            n_jobs=n_jobs,
        )  # fmt: skip
    return scores


def _mixed_scores(
    X, y, discrete_target: bool, discrete_columns, seed, verbose: bool, n_jobs, **settings: Any
) -> np.ndarray:
    """Gao et al.'s mixed kNN estimator per column, with the declared point masses.

    Repeated values of a column declared discrete (and of a discrete
    target) are point masses and stay exact; repeats in a continuous column
    are rounding, and seeded noise far below the resolution
    (`keras_mine.classical.knn.jitter`) separates them, so that they are
    not read as point masses.
    """
    X = X.copy()
    continuous = ~discrete_columns
    if continuous.any():
        X[:, continuous] = jitter(X[:, continuous], seed)
    if not discrete_target:
        y = jitter(y, derive_seed(seed, "jitter", "target"))
    results = estimate_mi_many(
        [(column[:, None], y) for column in X.T], "mixed", verbose=verbose, n_jobs=n_jobs,
        **settings,
    )
    return np.array([result.mi for result in results])


def mi_scores(
    X: Any,
    y: Any,
    method: str = "ksg",
    *,
    target: str = "auto",
    discrete_features: Any = "auto",
    n_neighbors: int | None = None,
    seed: int | None = 0,
    random_state: int | None = None,
    n_jobs: int | None = None,
    verbose: bool = False,
    **settings: Any,
) -> np.ndarray:
    """I(X_j; y) for every column j of X, in nats (negative estimates reported as 0).

    The arguments `discrete_features`, `n_neighbors` and `random_state` are
    those of scikit-learn's `mutual_info_regression`/`mutual_info_classif`.

    Parameters
    ----------
    X : array-like or DataFrame, shape (n_samples, n_features)
        Candidate features, one numeric column each.
    y : array-like, shape (n_samples,)
        The target. Strings (or other objects) are class labels, as in
        scikit-learn's `mutual_info_classif`.
    method : str
        A method of `keras_mine.METHODS`. "ksg" (default) is fast and needs no
        training; a neural method ("mine", "classifier", ...) trains one
        critic per column, all columns stacked into one network
        (`estimate_mi_many`), and catches dependence that KSG's finite-sample
        bias hides in wider problems.
    target : {"auto", "continuous", "discrete"}
        How to treat y. "auto": integer or bool with at most 20 values means
        class labels. Class labels go one-hot into neural critics. "kde"
        and "gaussian_copula" need a continuous target.

        With "ksg", a side that is discrete (class labels, or a column with at
        most 20 distinct values, such as a 0/1 flag) takes
        Ross' kNN estimator for a discrete and a continuous variable
        (scikit-learn's implementation), or the contingency table if both
        are: KSG proper needs continuous data on both sides (which columns
        are discrete: `discrete_features`).
        Continuous columns get seeded noise of 1e-10 times their std
        (`keras_mine.classical.knn.jitter`), so that values repeated by rounding stay distinct.
    discrete_features : "auto", "levels", bool or array-like
        Which columns of X are discrete ("ksg" and "mixed"). "auto", as in
        scikit-learn: none of a dense X, all of a sparse X (a warning names
        dense columns with at most 20 distinct values, scored as continuous);
        "levels": the columns with at most 20 distinct values (keras_mine's
        rule: codes, flags, levels); True/False for all or none; a boolean
        mask, or the indices of the discrete columns (a mask of the wrong
        length or an index out of range raises IndexError, as in
        scikit-learn). A scipy.sparse X is made dense and must be all
        discrete. With "mixed" (Gao et al.'s kNN
        estimator, correct for discrete, continuous and mixed columns) the
        repeated values of a discrete column (and of a discrete target) are
        point masses and stay exact, while repeats in a continuous column
        are taken for rounding and separated by the same 1e-10 noise as
        with "ksg".
    n_neighbors : int, optional
        Neighbours of the kNN estimators ("ksg" and "mixed"; the same as
        ``k``, default 3).
    seed : int or None
        Seeds the neural methods and the tie-breaking noise of "ksg".
    random_state : int, optional
        scikit-learn's name for `seed`; when given, it is the seed.
    n_jobs : int or None
        Columns estimated in parallel by joblib (the classical methods;
        with "ksg", a discrete side goes to scikit-learn with the same
        `n_jobs`): -1 every core; None (default) one, or the setting of an
        active joblib backend context, e.g. a Dask cluster's (see
        `keras_mine.mi_matrix`). The scores do not depend on it.
    verbose : bool
        Progress bar.
    **settings
        Passed to the method (e.g. ``k`` for "ksg", ``max_epochs`` for the
        neural methods); see `keras_mine.estimate_mi`.

    Returns
    -------
    np.ndarray, shape (n_features,)
        The estimates, in column order. An estimate below 0 is noise around
        an MI of 0 and is reported as 0, for every column and method, as
        scikit-learn does (one far below 0 still warns, see `estimate_mi`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 3))
    >>> y = X[:, 0] ** 2 + 0.1 * rng.normal(size=2000)   # no correlation with X[:, 0]
    >>> mi_scores(X, y).round(2)                          # column 0 stands out
    array([1.97, 0.  , 0.  ])
    """
    check_method(method)
    seed = check_seed(seed if random_state is None else random_state)
    sparse = hasattr(X, "toarray") and hasattr(X, "nnz")  # scipy.sparse, without importing it
    y, target = _string_labels(y, target)
    X_checked, y_checked = check_paired_samples(X.toarray() if sparse else X, y, ("X", "y"),
                                                dtype="float64")  # fmt: skip
    if y_checked.shape[1] != 1:
        raise ValueError(f"`y` must be one column (n_samples,); received shape {np.shape(y)}.")
    y_raw = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y).reshape(-1)
    if method in ("ksg", "mixed") and n_neighbors is not None:
        if "k" in settings:
            raise ValueError("Pass either `n_neighbors` or `k` (the same setting), not both.")
        settings["k"], n_neighbors = n_neighbors, None
    if method == "ksg":
        METHODS.check("ksg", settings)
        discrete = _discrete_columns(X_checked, discrete_features, sparse)
        _warn_few_levels(X_checked, discrete, discrete_features)
        names = list(X.columns) if hasattr(X, "columns") else list(range(X_checked.shape[1]))
        names.append(getattr(y, "name", None) or "y")
        return np.maximum(_ksg_scores(X_checked, y_checked[:, 0], _is_discrete(y_raw, target),
                                      discrete, seed, verbose, names, n_jobs, **settings),
                          0.0)  # fmt: skip
    if method == "mixed":
        discrete = _discrete_columns(X_checked, discrete_features, sparse)
        _warn_few_levels(X_checked, discrete, discrete_features)
        return np.maximum(_mixed_scores(X_checked, y_checked, _is_discrete(y_raw, target),
                                        discrete, seed, verbose, n_jobs, **settings),
                          0.0)  # fmt: skip
    for name, value, default in (("discrete_features", discrete_features, "auto"),
                                 ("n_neighbors", n_neighbors, None)):  # fmt: skip
        if not (value is default or (isinstance(value, str) and value == default)):
            raise ValueError(
                f"`{name}` applies to methods 'ksg' and 'mixed' only; received method={method!r}."
            )
    if _is_discrete(y_raw, target):
        labels = np.unique(y_raw, return_inverse=True)[1]
        if method in ("kde", "gaussian_copula"):
            raise ValueError(
                f"method={method!r} needs a continuous target; y looks like class labels "
                "(a copula or kernel of labels depends on how they are numbered). Use "
                "method='ksg' or a neural method, or pass target='continuous'."
            )
        if method in ("histogram", "discrete"):
            z = labels[:, None]
        else:  # one-hot for the critics
            z = np.eye(labels.max() + 1, dtype="float32")[labels]
    else:
        z = y_checked
    results = estimate_mi_many(
        [(column[:, None], z) for column in X_checked.T], method, seed=seed, verbose=verbose,
        n_jobs=n_jobs, **settings,
    )
    return np.maximum([result.mi for result in results], 0.0)


def rank_features(
    X: Any, y: Any, method: str = "ksg", **kwargs: Any
) -> pd.Series:
    """The features sorted by MI with the target, highest first.

    Parameters
    ----------
    X : array-like or DataFrame
        Features; a DataFrame's column names label the result (else 0, 1, ...).
    y : array-like
        The target.
    method, **kwargs
        As `mi_scores`.

    Returns
    -------
    pandas.Series
        MI in nats indexed by feature name, sorted descending.
    """
    names = list(X.columns) if hasattr(X, "columns") else list(range(np.shape(X)[1]))
    scores = mi_scores(X, y, method, **kwargs)
    return pd.Series(scores, index=names, name=f"mi_{method}").sort_values(ascending=False)


class MIScorer:
    """A `score_func` for scikit-learn's `SelectKBest` / `SelectPercentile`.

    ``SelectKBest(score_func=MIScorer("ksg"), k=5)`` keeps the 5 columns with
    the highest MI with the target, as `mi_scores` estimates it.

    Parameters
    ----------
    method : str
        As `mi_scores` ("ksg" default; any `keras_mine.METHODS` name).
    **kwargs
        ``target``, ``seed``, ``verbose`` and the method's settings, as
        `mi_scores`.

    Examples
    --------
    >>> from sklearn.feature_selection import SelectKBest
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(1000, 4))
    >>> y = np.sin(2 * X[:, 1]) + X[:, 3] ** 2 + 0.1 * rng.normal(size=1000)
    >>> selector = SelectKBest(score_func=MIScorer("ksg"), k=2)   # or MIScorer("mine")
    >>> selector.fit(X, y).get_support(indices=True)              # neither is correlated with y
    array([1, 3])
    """

    def __init__(self, method: str = "ksg", **kwargs: Any) -> None:
        check_method(method)
        self.method = method
        self.kwargs = kwargs

    def __call__(self, X: Any, y: Any) -> np.ndarray:
        return mi_scores(X, y, self.method, **self.kwargs)

    def __repr__(self) -> str:
        options = "".join(f", {key}={value!r}" for key, value in self.kwargs.items())
        return f"MIScorer({self.method!r}{options})"
