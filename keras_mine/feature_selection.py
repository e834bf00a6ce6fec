"""Rank features by their MI with a target; a scorer for scikit-learn's SelectKBest."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from keras_mine.estimate import METHODS
from keras_mine.stacked import estimate_mi_many
from keras_mine.validation import check_paired_samples

__all__ = ["mi_scores", "rank_features", "MIScorer", "TARGET_KINDS"]

TARGET_KINDS = ("auto", "continuous", "discrete")
#: "auto" treats an integer or bool target with at most this many values as classes.
MAX_AUTO_CLASSES = 20


def _is_discrete(y: np.ndarray, target: str) -> bool:
    if target not in TARGET_KINDS:
        raise ValueError(f"Unknown target={target!r}. Valid values: {', '.join(TARGET_KINDS)}.")
    if target != "auto":
        return target == "discrete"
    return y.dtype.kind in "biu" and len(np.unique(y)) <= MAX_AUTO_CLASSES


def mi_scores(
    X: Any,
    y: Any,
    method: str = "ksg",
    *,
    target: str = "auto",
    seed: int | None = 0,
    verbose: bool = False,
    **settings: Any,
) -> np.ndarray:
    """I(X_j; y) for every column j of X, in nats.

    Parameters
    ----------
    X : array-like or DataFrame, shape (n_samples, n_features)
        Candidate features, each a continuous column.
    y : array-like, shape (n_samples,)
        The target.
    method : str
        A method of `keras_mine.METHODS`. "ksg" (default) is fast and needs no
        training; a neural method ("mine", "classifier", ...) trains one
        critic per column, all columns stacked into one network
        (`estimate_mi_many`), and catches dependence that KSG's finite-sample
        bias hides in wider problems.
    target : {"auto", "continuous", "discrete"}
        How to treat y. "auto": integer or bool with at most 20 values means
        class labels. Class labels go one-hot into neural critics, and into
        scikit-learn's `mutual_info_classif` for "ksg" (Ross' kNN estimator
        for a discrete variable; KSG proper needs continuous data). "kde"
        needs a continuous target.
    seed : int or None
        Seeds the neural methods (the classical ones are deterministic,
        except `mutual_info_classif`'s jitter, seeded too).
    verbose : bool
        Progress bar.
    **settings
        Passed to the method (e.g. ``k`` for "ksg", ``max_epochs`` for the
        neural methods); see `keras_mine.estimate_mi`.

    Returns
    -------
    np.ndarray, shape (n_features,)
        The estimates, in column order.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 3))
    >>> y = X[:, 0] ** 2 + 0.1 * rng.normal(size=2000)   # no correlation with X[:, 0]
    >>> mi_scores(X, y).round(2)                          # column 0 stands out
    """
    if method not in METHODS:
        raise ValueError(f"Unknown method={method!r}. Valid methods: {', '.join(METHODS)}.")
    X_checked, y_checked = check_paired_samples(X, y, ("X", "y"), dtype="float64")
    if y_checked.shape[1] != 1:
        raise ValueError(f"`y` must be one column (n_samples,); received shape {np.shape(y)}.")
    y_raw = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y).reshape(-1)
    columns = [X_checked[:, [j]] for j in range(X_checked.shape[1])]
    if _is_discrete(y_raw, target):
        labels = np.unique(y_raw, return_inverse=True)[1]
        if method == "ksg":
            from sklearn.feature_selection import mutual_info_classif

            unused = sorted(set(settings) - {"k"})
            if unused:
                raise ValueError(f"Option(s) {unused} do not apply to method='ksg' "
                                 "with class labels (scikit-learn's mutual_info_classif).")
            return mutual_info_classif(
                X_checked, labels, discrete_features=False,
                n_neighbors=settings.get("k", 3), random_state=seed,
            )  # fmt: skip
        if method == "kde":
            raise ValueError(
                "method='kde' needs a continuous target; y looks like class labels. "
                "Use method='ksg' or a neural method, or pass target='continuous'."
            )
        if method in ("histogram", "discrete"):
            z = labels[:, None]
        else:  # one-hot for the critics
            z = np.eye(labels.max() + 1, dtype="float32")[labels]
    else:
        z = y_checked
    results = estimate_mi_many(
        [(column, z) for column in columns], method, seed=seed, verbose=verbose, **settings
    )
    return np.array([result.mi for result in results])


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
    >>> selector = SelectKBest(score_func=MIScorer("mine", max_epochs=100), k=2)
    >>> selector.fit(X, y).get_support(indices=True)
    """

    def __init__(self, method: str = "ksg", **kwargs: Any) -> None:
        if method not in METHODS:
            raise ValueError(f"Unknown method={method!r}. Valid methods: {', '.join(METHODS)}.")
        self.method = method
        self.kwargs = kwargs

    def __call__(self, X: Any, y: Any) -> np.ndarray:
        return mi_scores(X, y, self.method, **self.kwargs)

    def __repr__(self) -> str:
        options = "".join(f", {key}={value!r}" for key, value in self.kwargs.items())
        return f"MIScorer({self.method!r}{options})"
