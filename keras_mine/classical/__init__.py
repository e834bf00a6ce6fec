"""Classical MI estimators: contingency table, histogram, kNN (KSG) and KDE.

Pure numpy/scipy functions ``f(x, z, **options) -> float`` (nats), also
reachable as ``estimate_mi(x, z, method="discrete" | "histogram" | "ksg" | "kde")``.
"""

from keras_mine.classical.discrete import discrete_mi
from keras_mine.classical.histogram import histogram_mi
from keras_mine.classical.kde import kde_mi
from keras_mine.classical.knn import ksg_mi

__all__ = ["discrete_mi", "histogram_mi", "ksg_mi", "kde_mi"]
