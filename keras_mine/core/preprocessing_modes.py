"""The input transforms' names (`keras_mine.core.preprocessing`), the default, their check.

Kept apart from the transforms themselves, which are Keras layers: a call's
settings are checked on entry, before anything imports TensorFlow, and a
classical method never imports it.
"""

from __future__ import annotations

from keras_mine.core.validation import check_option

__all__ = ["PREPROCESSING", "DEFAULT_PREPROCESSING", "check_preprocessing"]

#: Valid values of ``preprocessing=`` and what each does to a column.
PREPROCESSING = {
    "normal_scores": "empirical CDF, then the normal quantile function (rank-based, bounded)",
    "robust": "(value - median) / (0.7413 * interquartile range)",
    "standard": "(value - mean) / standard deviation",
    "none": "raw values",
}
DEFAULT_PREPROCESSING = "normal_scores"


def check_preprocessing(preprocessing: str | None) -> str:
    """Return the mode name (None means "none"), or raise a ValueError listing the modes."""
    if preprocessing is None:
        return "none"
    return check_option(preprocessing, "preprocessing", PREPROCESSING)
