"""MI between two labelings of the same items: normalized and adjusted for chance."""

from __future__ import annotations

from typing import Any

import numpy as np

from keras_mine.classical.discrete import row_labels
from keras_mine.core.validation import check_option, check_paired_samples

__all__ = ["normalized_mi", "adjusted_mi", "AVERAGES"]

#: How the two entropies are averaged in the denominator (scikit-learn's names).
AVERAGES = ("arithmetic", "geometric", "min", "max")


def _labels(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    a, b = check_paired_samples(a, b, ("a", "b"), dtype="float64")
    return row_labels(a, "a"), row_labels(b, "b")


def normalized_mi(a: Any, b: Any, average: str = "arithmetic") -> float:
    """Normalized MI of two labelings: I(A;B) / mean(H(A), H(B)), in [0, 1].

    1 means the same partition up to renaming the labels; 0 means
    independent labels. It is scikit-learn's `normalized_mutual_info_score`
    (the same value for each `average`), with keras_mine's input checks:
    labels may be any integer codes, and a 2-D array is one labeling whose
    symbols are its distinct rows.

    Parameters
    ----------
    a, b : array-like
        Integer labels of the same items, (n_samples,) or (n_samples, k).
    average : {"arithmetic", "geometric", "min", "max"}
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
    average = check_option(average, "average", AVERAGES)
    labels_a, labels_b = _labels(a, b)
    from sklearn.metrics import normalized_mutual_info_score  # imported on use

    return float(normalized_mutual_info_score(labels_a, labels_b, average_method=average))


def adjusted_mi(a: Any, b: Any, average: str = "arithmetic") -> float:
    """MI of two labelings adjusted for chance (AMI): 0 in expectation for random labels.

    ``(I - E[I]) / (mean(H(A), H(B)) - E[I])``, where E[I] is the expected
    MI of two random labelings with the same label counts (Vinh, Epps and
    Bailey, JMLR 11, 2010). scikit-learn's `adjusted_mutual_info_score`.

    Parameters
    ----------
    a, b : array-like
        Integer labels of the same items, (n_samples,) or (n_samples, k).
    average : {"arithmetic", "geometric", "min", "max"}
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
    average = check_option(average, "average", AVERAGES)
    labels_a, labels_b = _labels(a, b)
    from sklearn.metrics import adjusted_mutual_info_score  # imported on use

    return float(adjusted_mutual_info_score(labels_a, labels_b, average_method=average))
