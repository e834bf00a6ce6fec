"""Input checking shared by every entry point of keras_mine.

One function per kind of input, used everywhere, so that every estimator
rejects bad data with the same clear message. Inputs are never modified: the
returned arrays are new float32 copies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "check_samples",
    "check_paired_samples",
    "columns_of",
    "check_option",
    "check_number",
    "check_int",
    "check_seed",
    "check_fraction",
    "check_units",
    "to_units",
    "refuse_unknown_options",
]

_UNITS = {"nats": 1.0, "bits": 1.0 / np.log(2.0)}


def _to_numpy(values: Any, name: str) -> np.ndarray:
    if values is None:
        raise TypeError(
            f"`{name}` is None. Expected an array-like of shape (n_samples,) "
            "or (n_samples, n_features): a numpy array, a tf.Tensor, a pandas "
            "Series or DataFrame, or a list."
        )
    kind = type(values).__name__
    if "Dataset" in kind and hasattr(values, "element_spec"):  # tf.data, without importing TF
        raise TypeError(
            f"`{name}` is a tf.data.Dataset; this function takes arrays. Train a Keras "
            "model on the dataset (keras_mine.MINE: model.fit(dataset)), or collect it "
            "into arrays first (keras_mine.core.data.dataset_to_arrays)."
        )
    if hasattr(values, "tocsr") and hasattr(values, "nnz"):  # scipy.sparse
        raise TypeError(
            f"`{name}` is a scipy.sparse matrix, which is not supported yet; pass a dense "
            f"array ({name}.toarray())."
        )
    if hasattr(values, "to_numpy"):  # pandas Series / DataFrame
        values = values.to_numpy()
    elif hasattr(values, "numpy") and callable(values.numpy):  # eager tf.Tensor
        values = values.numpy()
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as error:
        raise TypeError(f"`{name}` could not be converted to a numeric array: {error}") from error
    if array.dtype.kind == "O":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"`{name}` has dtype object with non-numeric entries ({error}). "
                "Encode categories as numbers first (e.g. pandas.factorize)."
            ) from error
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"`{name}` must be numeric (bool, int or float); received dtype "
            f"{array.dtype}. Encode categories as numbers first "
            "(e.g. pandas.factorize)."
        )
    return array


def check_samples(
    values: Any,
    name: str = "x",
    *,
    min_samples: int = 2,
    dtype: str = "float32",
    structured: bool = False,
) -> np.ndarray:
    """Validate one set of samples and return it as a 2-D float array.

    Parameters
    ----------
    values : array-like
        numpy array, tf.Tensor, pandas Series/DataFrame or nested list. 1-D
        input is one feature (a column); 2-D is (n_samples, n_features). The
        orientation is never guessed.
    name : str
        Argument name used in error messages.
    min_samples : int
        Smallest number of rows accepted.
    dtype : str
        dtype of the returned copy.
    structured : bool
        Accept samples of more than one axis, rows first: images
        (n, h, w, c), sequences (n, t, f). The neural methods take them
        (their critics encode such samples); the classical ones do not.

    Returns
    -------
    np.ndarray
        A new array of shape (n_samples, n_features), or (n_samples, ...)
        with `structured`.

    Raises
    ------
    TypeError
        If `values` is None or not numeric.
    ValueError
        If it has 0 or more than 2 dimensions, no features, fewer than
        `min_samples` rows, or NaN/infinite entries.

    Examples
    --------
    >>> check_samples([1.0, 2.0, 3.0]).shape
    (3, 1)
    """
    array = _to_numpy(values, name)
    if array.ndim == 0 or (array.ndim > 2 and not structured):
        raise ValueError(
            f"`{name}` must be 1-D (n_samples,) or 2-D (n_samples, n_features); "
            f"received an array of shape {array.shape}."
            + (" Images (n, h, w, c) and sequences (n, t, f) are estimated by the neural "
               "methods, which encode each sample with a convolutional network: "
               "keras_mine.estimate_mi(x, z, method='mine'). Or flatten it, "
               f"`{name}.reshape(len({name}), -1)`." if array.ndim > 2 else "")
        )
    if any(size == 0 for size in array.shape[1:]):
        raise ValueError(f"`{name}` has no features: shape {array.shape}.")
    if array.ndim == 1:
        array = array[:, None]
    if array.shape[0] < min_samples:
        raise ValueError(
            f"`{name}` has {array.shape[0]} sample(s); at least {min_samples} "
            "are needed. MI is estimated from many paired samples: pass more rows."
        )
    finite = np.isfinite(array)
    if not finite.all():
        bad_rows = np.flatnonzero(~finite.reshape(len(array), -1).all(axis=1))
        n_nan = int(np.isnan(array).sum())
        n_inf = int((~finite).sum()) - n_nan
        raise ValueError(
            f"`{name}` contains {n_nan} NaN and {n_inf} infinite value(s) in "
            f"{bad_rows.size} row(s) (first at row {bad_rows[0]}). Drop or impute "
            "those rows in both variables before estimating MI."
        )
    return np.array(array, dtype=dtype, copy=True)


def check_paired_samples(
    x: Any,
    z: Any,
    names: tuple[str, str] = ("x", "z"),
    *,
    min_samples: int = 2,
    dtype: str = "float32",
    structured: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Validate two sample sets that are paired row by row.

    Each is checked by `check_samples` (with `structured`, samples of any
    shape); they must have the same number of rows (widths may differ).

    Returns
    -------
    tuple of np.ndarray
        New 2-D arrays ``(x, z)``.
    """
    x_checked = check_samples(x, names[0], min_samples=min_samples, dtype=dtype,
                              structured=structured)  # fmt: skip
    z_checked = check_samples(z, names[1], min_samples=min_samples, dtype=dtype,
                              structured=structured)  # fmt: skip
    if x_checked.shape[0] != z_checked.shape[0]:
        raise ValueError(
            f"`{names[0]}` has {x_checked.shape[0]} samples but `{names[1]}` has "
            f"{z_checked.shape[0]}; they must be paired row by row (same length)."
        )
    index_x, index_z = getattr(x, "index", None), getattr(z, "index", None)
    pandas = all(callable(getattr(i, "equals", None)) for i in (index_x, index_z))
    if pandas and not index_x.equals(index_z):
        raise ValueError(
            f"`{names[0]}` and `{names[1]}` are pandas objects with different indexes, and "
            "rows are paired by position, not by label. Align them first "
            f"({names[0]}, {names[1]} = {names[0]}.align({names[1]}, join='inner', axis=0)), or "
            "pass .to_numpy() of each if their order already pairs the rows."
        )
    return x_checked, z_checked


def check_conditional_samples(
    x: Any, y: Any, z: Any, *, dtype: str = "float64"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate the three paired sample sets of a conditional MI I(X;Y|Z).

    Each is checked by `check_samples`, and y and z are each paired with x
    by `check_paired_samples` (same rows; pandas indexes equal).

    Returns
    -------
    tuple of np.ndarray
        New 2-D arrays ``(x, y, z)``.
    """
    x_checked, y_checked = check_paired_samples(x, y, ("x", "y"), dtype=dtype)
    _, z_checked = check_paired_samples(x, z, ("x", "z"), dtype=dtype)
    return x_checked, y_checked, z_checked


def columns_of(data: Any, x: Any, z: Any) -> tuple[Any, Any]:
    """The columns of a DataFrame that `x` and `z` name, as two DataFrames.

    Parameters
    ----------
    data : pandas.DataFrame
        The table.
    x, z : str or list of str
        Column names (one name or several each).

    Returns
    -------
    tuple of pandas.DataFrame
        ``(data[x], data[z])``, each with one column per name.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "c": [5.0, 6.0]})
    >>> [list(part.columns) for part in columns_of(df, ["a", "b"], "c")]
    [['a', 'b'], ['c']]
    """
    if not hasattr(data, "columns"):
        raise ValueError(
            "Column names for `x` and `z` need a DataFrame as the first argument; "
            f"received {type(data).__name__}. Pass arrays as estimate_mi(x, z) instead."
        )
    parts = []
    for name, names in (("x", x), ("z", z)):
        if names is None:
            raise ValueError(f"Name the columns of `{name}` too, e.g. {name}='a' or ['a', 'b'].")
        names = [names] if isinstance(names, str) else list(names)
        missing = [n for n in names if n not in data.columns]
        if missing or not names:
            raise ValueError(
                f"`{name}` must name columns of the DataFrame; {missing or 'none'} not found. "
                f"Its columns: {list(data.columns)}."
            )
        parts.append(data[names])
    return parts[0], parts[1]


def check_option(value: Any, name: str, valid: Iterable[str], kind: str | None = None) -> str:
    """Return `value` if it is one of `valid`, else raise a ValueError listing them.

    Parameters
    ----------
    value : object
        The option as passed.
    name : str
        The argument's name, as the user wrote it.
    valid : iterable of str
        The accepted values (a mapping's keys, a tuple, ...), listed in order.
    kind : str, optional
        What the values are, plural ("losses", "methods"); default "values".

    Examples
    --------
    >>> check_option("ksg", "method", ("mine", "ksg"))
    'ksg'
    >>> check_option("kgs", "method", ("mine", "ksg"), "methods")
    Traceback (most recent call last):
    ...
    ValueError: Unknown method='kgs'. Valid methods: mine, ksg.
    """
    valid = tuple(valid)
    if not isinstance(value, str):
        shape = getattr(value, "shape", None)
        received = f"an array of shape {shape}" if shape is not None else type(value).__name__
        raise ValueError(
            f"`{name}` must be a string; received {received}. Valid {kind or 'values'}: "
            f"{', '.join(valid)}. (Was data passed where `{name}` goes? Pass it by keyword, "
            f"{name}=...)"
        )
    if value not in valid:
        raise ValueError(f"Unknown {name}={value!r}. Valid {kind or 'values'}: {', '.join(valid)}.")
    return value


def check_number(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return `value` as a float if it is a real number in the given range.

    Booleans are rejected (``True`` is not a rate), as are NaN and strings.

    Parameters
    ----------
    value : object
        The number as passed.
    name : str
        The argument's name, as the user wrote it.
    low, high : float, optional
        Bounds of the range; None for no bound.
    low_open, high_open : bool
        Whether the bound itself is excluded.

    Examples
    --------
    >>> check_number(0.5, "alpha", low=0.0, high=1.0, low_open=True)
    0.5
    >>> check_number(True, "alpha", low=0.0, high=1.0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: Expected a number in (0.0, 1.0] for `alpha`. Received: alpha=True
    """
    left = "(-inf" if low is None else ("(" if low_open else "[") + repr(float(low))
    right = "inf)" if high is None else repr(float(high)) + (")" if high_open else "]")
    interval = f"{left}, {right}"
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
    ok = real and not np.isnan(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        raise ValueError(
            f"Expected a number in {interval} for `{name}`. Received: {name}={value!r}"
        )
    return float(value)


def check_int(value: Any, name: str, minimum: int = 1) -> int:
    """Return `value` as an int if it is an integer >= `minimum`, else raise ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or (
        value < minimum
    ):
        raise ValueError(
            f"Expected an integer >= {minimum} for `{name}`. Received: {name}={value!r}"
        )
    return int(value)


def check_seed(seed: Any, name: str = "seed") -> int | None:
    """Return `seed` as an int >= 0, or None (unseeded); raise ValueError otherwise.

    The one seed rule of the package: None draws fresh randomness, an integer
    >= 0 reproduces the same numbers. Booleans and negative numbers are
    rejected.

    Examples
    --------
    >>> check_seed(3), check_seed(None)
    (3, None)
    """
    if seed is None:
        return None
    try:
        return check_int(seed, name, minimum=0)
    except ValueError:
        message = f"Expected an integer >= 0 or None for `{name}`. Received: {name}={seed!r}"
        raise ValueError(message) from None


def check_fraction(value: Any, name: str) -> float:
    """Return `value` as a float if it lies in (0, 1), else raise ValueError."""
    return check_number(value, name, low=0.0, high=1.0, low_open=True, high_open=True)


def check_units(units: str) -> str:
    """Return `units` if it is "nats" or "bits", else raise a ValueError."""
    return check_option(units, "units", _UNITS)


def to_units(value_in_nats: float, units: str = "nats") -> float:
    """Convert an MI value in nats to `units` ("nats" or "bits")."""
    return float(value_in_nats) * _UNITS[check_units(units)]


def refuse_unknown_options(
    given: Any, options: Any, where: str, shared: Any = ()
) -> None:
    """Raise a ValueError naming the options in `given` that are neither `options` nor `shared`.

    The one "does not apply" rule of the package: an option a method would
    ignore is an error, never silently dropped.

    Parameters
    ----------
    given : iterable of str
        The names passed.
    options : iterable of str
        The method's own options.
    where : str
        What they were passed to, e.g. ``"method='ksg'"``.
    shared : iterable of str
        Settings every method of the kind takes, listed apart in the message.

    Examples
    --------
    >>> refuse_unknown_options({"k": 3}, ("k",), "method='ksg'")
    >>> refuse_unknown_options({"bins": 3}, ("k",), "method='ksg'")
    Traceback (most recent call last):
    ...
    ValueError: Option(s) ['bins'] do not apply to method='ksg' (its options: k).
    """
    options, shared = tuple(options), tuple(s for s in shared if s not in options)
    unknown = sorted(set(given) - set(options) - set(shared))
    if unknown:
        listed = f"its options: {', '.join(options) or 'none'}"
        if shared:
            listed += f"; shared settings: {', '.join(shared)}"
        raise ValueError(f"Option(s) {unknown} do not apply to {where} ({listed}).")
