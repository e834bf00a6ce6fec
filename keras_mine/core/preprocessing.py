"""Per-column input transforms that leave MI unchanged, fitted on training rows.

MI is invariant under any injective map of each variable, so an estimator
may map each column by an increasing function before it looks at the data.
Neural critics need it: on raw columns in their own units (prices in the
millions, measurements of 1e-9, Cauchy tails) the critic's scale is wrong,
and on held-out rows it extrapolates to scores that rule the DV readout's
log-mean-exp (see docs/user-guide.md, "Raw data").

Modes (`PREPROCESSING`):

- ``"normal_scores"`` (default): each column through its empirical CDF,
  then the standard normal quantile function (a rank-based inverse normal
  transform). Invariant to scale and to every increasing map of a column,
  bounded (|score| < 4 at a million rows), so a few outliers move a few
  scores, never the scale of all the others.
- ``"robust"``: centre on the median, divide by the interquartile range
  (times 0.7413, so unit-variance Gaussian data keep their scale).
  Invariant to scale and shift; outliers stay outliers.
- ``"standard"``: mean and standard deviation (both move with outliers).
- ``"none"``: the raw values.

With ``norm_feature=True`` (the default of the models) one more column is
appended to each variable's mapped columns: its mean square, standardized
(`squared_norm_feature`). Appending a function of x keeps the map injective,
so MI is unchanged; what changes is how easily a critic finds dependence
through scale. In a Student-t or any Gaussian scale mixture the dependence is
a shared scale: |x| and |z| grow together while x and z are uncorrelated, and
the log density ratio is a function of the two norms. A ReLU critic on the
scores alone has to build those norms from piecewise-linear pieces, and on
the Student-t tasks of the v1 suite it falls far short without the feature
(docs/benchmarks.md, "Constants chosen by measurement"; docs/user-guide.md,
"Raw data").

The math is the pure functions `fit_normal_scores` and `fit_location_scale`;
`MarginalTransform` is the Keras layer that holds what they fitted as
weights, applies it in the graph and saves with the model.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf
from scipy.special import ndtri

from keras_mine.core.preprocessing_modes import (
    DEFAULT_PREPROCESSING,
    PREPROCESSING,
    check_preprocessing,
)
from keras_mine.core.validation import check_int

__all__ = [
    "PREPROCESSING",
    "DEFAULT_PREPROCESSING",
    "NUM_KNOTS",
    "check_preprocessing",
    "fit_normal_scores",
    "fit_location_scale",
    "squared_norm_feature",
    "normal_range",
    "MarginalTransform",
]


#: Knots of the piecewise-linear empirical CDF that ``"normal_scores"`` keeps
#: per column, a fixed (d, 4096) weight: up to 4,096 training rows (N = 8,000
#: with two folds) every training row is a knot and maps to its exact score.
NUM_KNOTS = 4096

_IQR_TO_SIGMA = 0.7413  # 1 / (2 * Phi^-1(0.75)): the IQR of N(0, s^2) is s / 0.7413


#: Columns whose largest |value| is outside [2^-NORMAL_EXPONENT, 2^NORMAL_EXPONENT]
#: are scaled by a power of two into range before TensorFlow sees them.
NORMAL_EXPONENT = 500


def normal_range(values: np.ndarray) -> np.ndarray:
    """Each column times a power of two that brings its largest |value| near 1, where needed.

    TensorFlow flushes float64 denormals (below 2.2e-308) to zero, so a
    column of 1e-310 values reaches the critic as zeros (a neural estimate
    read 0.001 for a truth of 0.41), and squares of 1e300 overflow. MI is
    unchanged by scaling a column, and a power of two scales exactly: only
    columns whose largest |value| is beyond 2^±500 (about 1e±150, where
    squares stay finite and normal) are touched, the others
    come back as they are (``preprocessing="none"`` sees raw values).

    Parameters
    ----------
    values : numpy.ndarray
        Float array, (..., n, d): columns along the last axis, rows along
        the one before (a stack of k pairs is (k, n, d)).

    Examples
    --------
    >>> normal_range(np.array([[1e-310], [-3e-310]])).ravel().round(4).tolist()  # 2^1030 times
    [0.2876, -0.8629]
    >>> normal_range(np.array([[2.0], [5.0]])).ravel().tolist()
    [2.0, 5.0]
    """
    values = np.asarray(values)
    if values.dtype.kind != "f":
        return values
    peak = np.max(np.abs(values), axis=-2, keepdims=True)
    _, exponent = np.frexp(peak)
    outside = (peak > 0) & ((exponent > NORMAL_EXPONENT) | (exponent < -NORMAL_EXPONENT))
    if not outside.any():
        return values
    return np.ldexp(values, np.where(outside, -exponent, 0))


def fit_normal_scores(
    values: np.ndarray, num_knots: int = NUM_KNOTS
) -> tuple[np.ndarray, np.ndarray]:
    """Knots and scores of each column's rank-based inverse normal transform.

    For column j, knot i is the training value of rank
    ``r_i = 1 + round(i (n - 1) / (K - 1))`` (the first and last knots are the
    column's minimum and maximum), and its score is ``Phi^-1(r_i / (n + 1))``.
    With n <= K every training row is a knot, so training rows map exactly to
    their rank-based scores, whatever increasing map the column went
    through; with more rows, interpolating linearly between knots maps them
    to within one knot's step. Runs of equal knots (tied values) share their
    score of their mean rank, so a tied value has one score, that of its
    mid-rank (exactly when n <= K).

    Parameters
    ----------
    values : np.ndarray
        Training rows, shape (n, d), finite.
    num_knots : int
        K, the knots per column.

    Returns
    -------
    knots : np.ndarray
        Shape (K, d), non-decreasing down each column.
    scores : np.ndarray
        Shape (K, d), the score of each knot.
    """
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    ranks = 1 + np.rint(np.linspace(0.0, n - 1.0, num_knots)).astype(int)
    knots = np.sort(values, axis=0)[ranks - 1]
    scores = np.empty_like(knots)
    for j in range(knots.shape[1]):  # a loop over columns, not samples
        _, run, counts = np.unique(knots[:, j], return_inverse=True, return_counts=True)
        mid_ranks = (np.bincount(run, weights=ranks) / counts)[run]
        scores[:, j] = ndtri(mid_ranks / (n + 1.0))
    return knots, scores


def fit_location_scale(values: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-column centre and scale: median and 0.7413 IQR ("robust"), or mean and std.

    A column whose scale is 0 (constant, or constant on over half its rows
    for "robust") gets scale 1 rather than a division by zero.
    """
    values = np.asarray(values, dtype=np.float64)
    if mode == "robust":
        low, center, high = np.quantile(values, [0.25, 0.5, 0.75], axis=0)
        scale = (high - low) / (2.0 * ndtri(0.75))
    else:
        center, scale = values.mean(axis=0), values.std(axis=0)
    return center, np.where(scale > 0, scale, 1.0)


def squared_norm_feature(scores):
    """Each row's mean square over its columns, standardized: shape (..., d) -> (..., 1).

    ``(mean_j s_j^2 - 1) * sqrt(d / 2)``: mean 0 and variance 1 when the d
    columns are independent standard normal scores. Works on numpy arrays
    and tensors alike.

    >>> keras.ops.convert_to_numpy(squared_norm_feature(np.array([[1.0, -1.0], [0.0, 2.0]])))
    array([[0.],
           [1.]])
    """
    width = scores.shape[-1]
    mean_square = keras.ops.mean(keras.ops.square(scores), axis=-1, keepdims=True)
    return (mean_square - 1.0) * float(np.sqrt(width / 2.0))


@keras.saving.register_keras_serializable(package="keras_mine")
class MarginalTransform(keras.layers.Layer):
    """Maps each column by an increasing function fitted on training rows.

    Like `keras.layers.Normalization`: call `adapt` on training rows once,
    then the layer applies the same map to any rows (held-out rows
    included) inside the graph, and its fitted state is saved with the model.

    Args:
        mode: one of `PREPROCESSING` ("normal_scores", "robust",
            "standard", "none"; None means "none").
        num_knots: knots per column of the "normal_scores" table.
        norm_feature: append one column, `squared_norm_feature` of the
            mapped columns (not with mode "none", where the critic sees
            exactly the raw values). Output width d + 1.

    Inputs of more than two axes (images (n, h, w, c), sequences
    (n, t, f)) are mapped per channel: the last axis is the column, and
    every position shares its channel's map, fitted on the values of all
    positions of the training rows. So an increasing map of the intensities
    of a channel (a gamma, a change of units) leaves the mapped images
    unchanged, and the images stay images (per-pixel maps would not:
    docs/benchmarks.md, "Images"). The norm feature is appended to tabular
    inputs only.

    Rows outside the training range map to the scores of the training
    minimum and maximum (about -3.5 and 3.5 at 2,000 rows): an outlier at
    1e6 on a held-out row lands at the edge, never beyond it.

    Example:
    >>> layer = MarginalTransform("normal_scores")
    >>> layer.adapt(np.exp(np.random.default_rng(0).normal(size=(1000, 2))))
    >>> layer(np.array([[1.0, 1e9]])).numpy().round(2)  # near the median; the training maximum
    array([[0.04, 3.09]], dtype=float32)
    """

    def __init__(self, mode: str | None = DEFAULT_PREPROCESSING, num_knots: int = NUM_KNOTS,
                 norm_feature: bool = False, **kwargs: Any) -> None:  # fmt: skip
        # The map runs in float64 on the raw values (Keras would cast them to
        # float32 first): float32 keeps 7 digits, so 1e9 + x would lose x.
        kwargs.setdefault("autocast", False)
        super().__init__(**kwargs)
        self.mode = check_preprocessing(mode)
        self.num_knots = check_int(num_knots, "num_knots", minimum=2)
        if not isinstance(norm_feature, bool):
            raise ValueError(f"Expected a bool for `norm_feature`. Received: {norm_feature!r}")
        self.norm_feature = norm_feature and self.mode != "none"

    @staticmethod
    def output_width(width: int, mode: str, norm_feature: bool) -> int:
        """Columns out of a layer of `mode` and `norm_feature` on `width` columns (mode checked)."""
        return width + int(norm_feature and mode != "none")

    @staticmethod
    def output_sample_shape(shape: tuple, mode: str, norm_feature: bool) -> tuple:
        """The shape of one sample out of such a layer: (d + feature,), or `shape` if structured."""
        if len(shape) > 1:
            return tuple(shape)
        return (MarginalTransform.output_width(shape[0], mode, norm_feature),)

    def build(self, input_shape) -> None:
        width = int(input_shape[-1])
        # float64 state, never cast to a mixed policy's float16 when read in call.
        state = dict(trainable=False, initializer="zeros", dtype="float64", autocast=False)
        if self.mode == "normal_scores":
            self.knots = self.add_weight(name="knots", shape=(width, self.num_knots), **state)
            self.scores = self.add_weight(name="scores", shape=(width, self.num_knots), **state)
        elif self.mode != "none":
            self.center = self.add_weight(name="center", shape=(width,), **state)
            self.scale = self.add_weight(
                name="scale", shape=(width,), **{**state, "initializer": "ones"}
            )
        self.adapted = self.add_weight(name="adapted", shape=(), **state)

    @property
    def is_adapted(self) -> bool:
        """Whether `adapt` has run (saved with the model)."""
        return self.mode == "none" or (self.built and bool(self.adapted.numpy()))

    def adapt(self, values: np.ndarray) -> None:
        """Fit the map on training rows `values`, shape (n, d) (or (n, ..., channels))."""
        values = np.asarray(values, dtype=np.float64)
        if values.ndim > 2:  # per channel, over every position
            values = values.reshape(-1, values.shape[-1])
        if not self.built:
            self.build(values.shape)
        if self.mode == "normal_scores":
            knots, scores = fit_normal_scores(values, self.num_knots)
            self.knots.assign(knots.T.astype(self.knots.dtype))
            self.scores.assign(scores.T.astype(self.scores.dtype))
        elif self.mode != "none":
            center, scale = fit_location_scale(values, self.mode)
            self.center.assign(center.astype(self.center.dtype))
            self.scale.assign(scale.astype(self.scale.dtype))
        self.adapted.assign(1.0)

    def call(self, inputs):
        values = tf.cast(inputs, "float64")
        if len(values.shape) > 2:  # per channel: positions are rows of the map
            shape = tf.shape(values)
            flat = tf.reshape(values, [-1, values.shape[-1]])
            return tf.reshape(self._map(flat, norm_feature=False), shape)
        return self._map(values, self.norm_feature)

    def _map(self, values, norm_feature: bool):
        """The map of rows (n, d), in float64, cast to the compute dtype."""
        if self.mode == "none":
            mapped = values
        elif self.mode != "normal_scores":
            mapped = (values - self.center) / self.scale
        else:
            mapped = tf.transpose(self._interpolate(tf.transpose(values)))  # (d, n) row-wise
        if norm_feature:
            mapped = tf.concat([mapped, squared_norm_feature(mapped)], axis=-1)
        return tf.cast(mapped, self.compute_dtype)

    def _interpolate(self, columns):
        """Piecewise-linear map of each row of `columns` (d, n) through its knots and scores."""
        upper = tf.searchsorted(self.knots, columns, side="right")
        upper = tf.clip_by_value(upper, 1, self.num_knots - 1)
        lower = upper - 1
        x0 = tf.gather(self.knots, lower, batch_dims=1)
        x1 = tf.gather(self.knots, upper, batch_dims=1)
        y0 = tf.gather(self.scores, lower, batch_dims=1)
        y1 = tf.gather(self.scores, upper, batch_dims=1)
        weight = tf.clip_by_value(tf.math.divide_no_nan(columns - x0, x1 - x0), 0.0, 1.0)
        return y0 + weight * (y1 - y0)

    def compute_output_shape(self, input_shape):
        if len(input_shape) > 2:  # per channel: the shape is kept
            return tuple(input_shape)
        *batch, width = input_shape
        return (*batch, None if width is None
                else self.output_width(width, self.mode, self.norm_feature))  # fmt: skip

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode, "num_knots": self.num_knots,
                "norm_feature": self.norm_feature}  # fmt: skip
