"""Time series: lagged MI, transfer entropy and their surrogate tests.

Rows of a time series are not exchangeable: each is close to the next. The
functions here pair time points by lag (`lagged_mi`), condition on the
target's own past (`transfer_entropy`, `te_matrix`), and test against
surrogates that keep each series' autocorrelation (`surrogate_test`), where an
i.i.d. permutation test would find dependence between independent series.
"""

from keras_mine.timeseries.lagged import lagged_mi, surrogate_test
from keras_mine.timeseries.network import TEMatrix, te_matrix
from keras_mine.timeseries.surrogates import SURROGATES
from keras_mine.timeseries.transfer import TEResult, target_history, transfer_entropy

__all__ = [
    "lagged_mi",
    "surrogate_test",
    "transfer_entropy",
    "target_history",
    "TEResult",
    "te_matrix",
    "TEMatrix",
    "SURROGATES",
]
