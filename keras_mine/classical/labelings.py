"""MI between two labelings of the same items: normalized and adjusted for chance."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from keras_mine.classical.discrete import row_labels
from keras_mine.core.validation import check_option, check_paired_samples

__all__ = ["normalized_mi", "adjusted_mi", "AVERAGES"]

#: How the two entropies are averaged in the denominator (scikit-learn's names).
AVERAGES = ("arithmetic", "geometric", "min", "max")


def _labels(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    """Integer labels of each labeling: strings and other objects by their distinct values."""
    symbolic = [np.asarray(v).dtype.kind in "OUS" for v in (a, b)]
    numeric = [np.zeros(len(np.asarray(v))) if s else v for v, s in zip((a, b), symbolic,
                                                                         strict=True)]  # fmt: skip
    a_checked, b_checked = check_paired_samples(*numeric, ("a", "b"), dtype="float64")
    labels = []
    for name, value, checked, is_symbolic in zip("ab", (a, b), (a_checked, b_checked), symbolic,
                                                 strict=True):  # fmt: skip
        if is_symbolic:
            values = np.asarray(value)
            if values.ndim != 1:
                raise ValueError(f"`{name}` of strings must be 1-D; received {values.shape}.")
            codes = pd.factorize(values, use_na_sentinel=True)[0]
            if np.any(codes < 0):
                raise ValueError(f"`{name}` has missing labels (None or NaN); label them first.")
            labels.append(codes)
        else:
            labels.append(row_labels(checked, name))
    return labels[0], labels[1]


def normalized_mi(a: Any, b: Any, average_method: str = "arithmetic") -> float:
    """Normalized MI of two labelings: I(A;B) / mean(H(A), H(B)), in [0, 1].

    1 means the same partition up to renaming the labels; 0 means
    independent labels. It is scikit-learn's `normalized_mutual_info_score`
    (the same value for each `average_method`, scikit-learn's name), with
    keras_mine's input checks: labels may be integer codes or strings (any
    1-D array of objects, as in scikit-learn), and a 2-D array of codes is
    one labeling whose symbols are its distinct rows.

    Parameters
    ----------
    a, b : array-like
        Labels of the same items: strings or objects (n_samples,), or
        integer codes, (n_samples,) or (n_samples, k).
    average_method : {"arithmetic", "geometric", "min", "max"}
        The mean of H(A) and H(B) in the denominator.

    Returns
    -------
    float
        The normalized MI. Not adjusted for chance: random labelings with
        many labels score above 0 (see `adjusted_mi`).

    Examples
    --------
    >>> normalized_mi([0, 0, 1, 1], [5, 5, 2, 2])
    1.0
    """
    average_method = check_option(average_method, "average_method", AVERAGES)
    labels_a, labels_b = _labels(a, b)
    from sklearn.metrics import normalized_mutual_info_score  # imported on use

    return float(normalized_mutual_info_score(labels_a, labels_b, average_method=average_method))


def adjusted_mi(a: Any, b: Any, average_method: str = "arithmetic") -> float:
    """MI of two labelings adjusted for chance (AMI): 0 in expectation for random labels.

    ``(I - E[I]) / (mean(H(A), H(B)) - E[I])``, where E[I] is the expected
    MI of two random labelings with the same label counts (Vinh, Epps and
    Bailey, JMLR 11, 2010). scikit-learn's `adjusted_mutual_info_score`.

    Parameters
    ----------
    a, b : array-like
        Labels of the same items: strings or objects (n_samples,), or
        integer codes, (n_samples,) or (n_samples, k).
    average_method : {"arithmetic", "geometric", "min", "max"}
        The mean of H(A) and H(B) in the denominator.

    Returns
    -------
    float
        1 for identical partitions, about 0 for independent ones (it can be
        slightly negative).

    Examples
    --------
    >>> adjusted_mi([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    average_method = check_option(average_method, "average_method", AVERAGES)
    labels_a, labels_b = _labels(a, b)
    from sklearn.metrics import adjusted_mutual_info_score  # imported on use

    return float(adjusted_mutual_info_score(labels_a, labels_b, average_method=average_method))
