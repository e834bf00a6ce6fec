"""How a trained critic's scores become an MI estimate: one function per readout.

Each readout takes the scores of joint pairs and of product-of-marginals
pairs, with a leading axis for stacked critics, and returns the estimate and
its standard error per critic (the readout's sampling noise for that critic,
not the spread from training). The bounds are in `keras_mine.core.bounds`.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from keras_mine.core.bounds import donsker_varadhan, donsker_varadhan_stderr, smile
from keras_mine.core.validation import check_option

__all__ = ["READOUTS", "readout"]


def _dv(t_joint, t_marginal, **options):
    return donsker_varadhan(t_joint, t_marginal), donsker_varadhan_stderr(t_joint, t_marginal)


def _smile(t_joint, t_marginal, tau: float, **options):
    return smile(t_joint, t_marginal, tau), donsker_varadhan_stderr(t_joint, t_marginal)


def _log_odds(t_joint, t_marginal, **options):
    n = tf.cast(tf.shape(t_joint)[-1], t_joint.dtype)
    stderr = tf.math.reduce_std(t_joint, axis=-1) * tf.sqrt(n / tf.maximum(n - 1.0, 1.0))
    return tf.reduce_mean(t_joint, axis=-1), stderr / tf.sqrt(n)


#: Each readout's function ``(t_joint, t_marginal, **options) -> (estimate, stderr)``.
READOUTS: dict[str, Callable] = {"dv": _dv, "smile": _smile, "log_odds": _log_odds}


def readout(name: str, t_joint, t_marginal, **options) -> tuple[tf.Tensor, tf.Tensor]:
    """The estimate and standard error of readout `name`, each of shape ``t_joint.shape[:-1]``.

    Examples
    --------
    >>> import numpy as np
    >>> value, stderr = readout("log_odds", np.array([[1.0, 3.0]]), np.zeros((1, 2)))
    >>> float(value[0]), round(float(stderr[0]), 6)
    (2.0, 1.0)
    """
    function = READOUTS[check_option(name, "readout", READOUTS, "readouts")]
    t_joint = tf.convert_to_tensor(t_joint)
    return function(t_joint, tf.convert_to_tensor(t_marginal, t_joint.dtype), **options)
