"""Classical estimators: MI (contingency table, histogram, kNN, KDE), entropy, labelings.

Pure numpy/scipy functions: ``f(x, z, **options) -> float`` (nats) for MI,
also reachable as ``estimate_mi(x, z, method="discrete" | "histogram" |
"ksg" | "mixed" | "kde" | "gaussian_copula")``; ``f(x, **options)`` for entropies (see
`keras_mine.estimate_entropy`); the conditional MI `ksg_cmi`; normalized
and adjusted MI of labelings; pointwise MI of a table of counts.
"""

from keras_mine.classical.discrete import discrete_mi
from keras_mine.classical.entropy import (
    discrete_entropy,
    gaussian_entropy,
    histogram_entropy,
    knn_entropy,
)
from keras_mine.classical.gaussian import gaussian_copula_cmi, gaussian_copula_mi, normal_scores
from keras_mine.classical.histogram import histogram_mi
from keras_mine.classical.kde import kde_mi
from keras_mine.classical.knn import ksg_cmi, ksg_mi, mixed_mi
from keras_mine.classical.labelings import adjusted_mi, normalized_mi
from keras_mine.classical.pointwise import pmi_table

__all__ = [
    "adjusted_mi",
    "discrete_entropy",
    "discrete_mi",
    "gaussian_copula_cmi",
    "gaussian_copula_mi",
    "gaussian_entropy",
    "histogram_entropy",
    "histogram_mi",
    "kde_mi",
    "knn_entropy",
    "ksg_cmi",
    "ksg_mi",
    "mixed_mi",
    "normal_scores",
    "normalized_mi",
    "pmi_table",
]
