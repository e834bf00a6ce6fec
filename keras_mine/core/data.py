"""Sampling from the product of marginals, and tf.data input pipelines."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_mine.core.validation import check_paired_samples

__all__ = [
    "shuffle_marginal",
    "marginal_permutations",
    "nearest_neighbor_indices",
    "batch_nearest_neighbor_swap",
    "make_dataset",
    "take_rows",
    "dataset_to_arrays",
    "dataset_chunks",
]


#: Rows scored per forward pass when a validation set is read in the graph.
VALIDATION_BLOCK = 4096
#: Rows scored per forward pass when a trained critic is read out (memory
#: only: the estimate does not depend on it).
READOUT_BLOCK = 8192
#: Rows of a dataset held at once where a model adapts its input transforms
#: to it (the first chunk) or reads it out (chunk by chunk): at most
#: DATASET_CHUNK rows and, for wide rows, about CHUNK_VALUES values (but at
#: least MIN_CHUNK_ROWS rows, the quantiles' knots), which bounds memory.
DATASET_CHUNK = 65_536
CHUNK_VALUES = 2**23
MIN_CHUNK_ROWS = 4096
#: Rows per score matrix when InfoNCE is read out (validation and held-out
#: readout): the readout can never exceed ln(NCE_READOUT_BLOCK) = 8.3 nats.
NCE_READOUT_BLOCK = 4096


def take_rows(target, rows):
    """Rows `rows` of an array, or of each array of a tuple (a conditional target)."""
    if isinstance(target, tuple):
        return tuple(part[rows] for part in target)
    return target[rows]


def shuffle_marginal(z: tf.Tensor, seed: int | keras.random.SeedGenerator) -> tf.Tensor:
    """Permute the rows of `z` inside the graph.

    Pairing each x with a permuted z turns joint samples into samples of the
    product of marginals. With a `keras.random.SeedGenerator` every call draws
    a new permutation (training); with an int the permutation is the same on
    every call for the same batch size (validation: a deterministic readout).
    """
    return keras.random.shuffle(z, axis=0, seed=seed)


def marginal_permutations(
    n: int, num_shuffles: int, seed: int | np.random.Generator | None
) -> np.ndarray:
    """Return `num_shuffles` permutations of ``range(n)`` drawn from `seed`, shape (k, n)."""
    rng = np.random.default_rng(seed)
    return np.stack([rng.permutation(n) for _ in range(num_shuffles)])


def nearest_neighbor_indices(z: np.ndarray) -> np.ndarray:
    """Index of each row's nearest other row of `z` (Euclidean), shape (n,).

    Used to sample from p(x|z) p(y|z) p(z): pairing ``x_i, z_i`` with
    ``y[j(i)]``, where ``j(i)`` indexes the same array `z` the neighbour was
    found in. A row is never its own neighbour; exact duplicates of a row are
    valid neighbours.
    """
    from scipy.spatial import cKDTree

    z = np.asarray(z, dtype=np.float64)
    if len(z) < 2:
        raise ValueError("Nearest neighbours need at least 2 samples.")
    _, candidates = cKDTree(z).query(z, k=2)
    own = candidates[:, 0] == np.arange(len(z))
    return np.where(own, candidates[:, 1], candidates[:, 0])


def batch_nearest_neighbor_swap(y: tf.Tensor, z: tf.Tensor) -> tf.Tensor:
    """Replace each row of `y` by the `y` of its nearest other row in `z`, in the graph.

    The in-batch version of `nearest_neighbor_indices`: squared Euclidean
    distances between the rows of `z` within the batch, the diagonal
    excluded, argmin, and a gather from the same batch of `y`. Rows are the
    second-to-last axis; leading axes (stacked critics) are batch axes.
    """
    squared = tf.reduce_sum(tf.square(z), axis=-1)
    distances = (squared[..., :, None] + squared[..., None, :]
                 - 2.0 * tf.matmul(z, z, transpose_b=True))  # fmt: skip
    n = tf.shape(z)[-2]
    distances = tf.where(tf.eye(n, dtype=tf.bool), tf.constant(np.inf, z.dtype), distances)
    return tf.gather(y, tf.argmin(distances, axis=-1), batch_dims=len(z.shape) - 2)


def make_dataset(
    x: Any,
    z: Any,
    batch_size: int = 256,
    *,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """Build a batched ``tf.data.Dataset`` of validated (x, z) pairs.

    Parameters
    ----------
    x, z : array-like
        Paired samples (see `keras_mine.core.validation.check_samples`).
    batch_size : int
        Pairs per batch.
    shuffle : bool
        Reshuffle the order of pairs at every epoch (pairs stay together).
    seed : int or None
        Seed of that shuffle.
    drop_remainder : bool
        Drop a last incomplete batch.

    Returns
    -------
    tf.data.Dataset
        Yields ``(x_batch, z_batch)``, ready for ``model.fit(dataset)``:
        float64 if x or z is float64 (the models' input transforms read the
        raw values in float64, so a column like 1e9 + x keeps its digits),
        float32 otherwise.
    """
    wide = any(getattr(np.asarray(v), "dtype", None) == np.float64 for v in (x, z))
    x, z = check_paired_samples(x, z, dtype="float64" if wide else "float32")
    dataset = tf.data.Dataset.from_tensor_slices((x, z))
    if shuffle:
        dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def _pairs(element):
    """Arrays of one dataset element: (x, z), or (x, y, z) from (x, (y, z)); weights dropped."""
    if not isinstance(element, (tuple, list)) or len(element) < 2:
        raise ValueError(
            "A tf.data.Dataset passed to keras_mine must yield batches of "
            f"(x, z) pairs; received elements of type {type(element).__name__}."
        )
    return tuple(np.asarray(part) for part in tf.nest.flatten(tuple(element[:2])))


def block_rows(values_per_row: int, most: int = DATASET_CHUNK, values: int = CHUNK_VALUES) -> int:
    """Rows of `values_per_row` values to process at once: `most`, fewer for wide rows."""
    return int(np.clip(values // max(values_per_row, 1), min(MIN_CHUNK_ROWS, most), most))


def dataset_chunks(dataset: tf.data.Dataset, rows: int | None = None):
    """Yield the dataset's batches joined into chunks of `rows` rows (the last one shorter).

    Each chunk is a tuple of arrays, (x, z) (or (x, y, z)): at most `rows`
    rows of the dataset are held at once, so a dataset streamed from files
    larger than memory can be read in bounded memory. Default `rows`:
    `block_rows` of the element spec's row width.
    """
    if rows is None:
        specs = tf.nest.flatten(tuple(dataset.element_spec[:2]))
        rows = block_rows(sum(int(np.prod(spec.shape[1:])) for spec in specs))
    held, count, seen = [], 0, False
    for element in dataset:
        seen = True
        batch = _pairs(element)
        held.append(batch)
        count += len(batch[0])
        while count >= rows:
            joined = tuple(np.concatenate(part) for part in zip(*held, strict=True))
            yield tuple(part[:rows] for part in joined)
            held = [tuple(part[rows:] for part in joined)]
            count -= rows
    if not seen:
        raise ValueError("The tf.data.Dataset is empty; it must yield (x, z) batches.")
    if count:
        yield tuple(np.concatenate(part) for part in zip(*held, strict=True))


def dataset_to_arrays(dataset: tf.data.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate a batched dataset of ``(x, z)`` (or ``(x, z, ...)``) into arrays."""
    chunks = list(dataset_chunks(dataset, rows=2**62))
    return chunks[0][0], chunks[0][1]
