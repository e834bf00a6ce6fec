"""Data larger than memory: ``tf.data`` pipelines of (x, z) pairs read from files.

A model trained on a dataset (``model.fit(dataset)``) builds its
product-of-marginals pairs by shuffling z within each batch, so what it
learns depends on which rows share a batch: they must be a fair sample of
the whole file. These pipelines never hold more than a bounded number of
rows:

- `npy_dataset`: two ``.npy`` files (or arrays opened with
  ``np.load(path, mmap_mode="r")``), read by memory map in blocks of
  `block_rows` contiguous rows. Each epoch visits the blocks in a new random
  order, and a shuffle buffer of `shuffle_buffer` rows mixes the rows of
  the blocks it holds. Memory: about ``shuffle_buffer + block_rows`` rows.
- `write_tfrecord` and `tfrecord_dataset`: the same pairs as TFRecord
  files (``tf.train.Example`` with features x and z), for data sets kept in
  shards; the shards are interleaved in a new order each epoch, then
  shuffled in a buffer of `shuffle_buffer` rows.

How far the estimate moves with the buffer, on a file in random row order
and on one sorted by a column (the worst case: rows of a batch then come
from a narrow range of the file), is measured in docs/benchmarks.md
("Streaming from files"); the models' `adapt` and `estimate` read datasets
in bounded chunks too (`keras_mine.core.data.dataset_chunks`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf

from keras_mine.core.seeds import derive_seed
from keras_mine.core.validation import check_int

__all__ = ["npy_dataset", "write_tfrecord", "tfrecord_dataset", "BLOCK_ROWS", "SHUFFLE_BUFFER"]

#: Contiguous rows read from a memory-mapped file at once.
BLOCK_ROWS = 1024
#: Rows the shuffle buffer mixes (the buffer-size figures: docs/benchmarks.md).
SHUFFLE_BUFFER = 65_536

PathLike = str | os.PathLike


def _open(values, name: str) -> np.ndarray:
    """A memory map of a ``.npy`` path, or the array itself (a memmap stays one)."""
    if isinstance(values, (str, os.PathLike)):
        path = Path(values)
        if path.suffix != ".npy":
            raise ValueError(
                f"`{name}` must be a .npy file (np.save) or an array; received {path}. For "
                "TFRecord shards use keras_mine.tfrecord_dataset."
            )
        values = np.load(path, mmap_mode="r")
    if not isinstance(values, np.ndarray) or values.dtype.kind not in "biuf":
        raise TypeError(
            f"`{name}` must be a numeric .npy file or numpy array; received "
            f"{type(values).__name__} of dtype {getattr(values, 'dtype', None)}."
        )
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    return values


def _dtype(*arrays: np.ndarray) -> np.dtype:
    """float64 if any input is float64 (the input transforms read raw float64), else float32."""
    return np.dtype("float64" if any(a.dtype == np.float64 for a in arrays) else "float32")


def _seeds(seed: int | None) -> tuple[int | None, int | None]:
    return derive_seed(seed, "blocks"), derive_seed(seed, "buffer")


def npy_dataset(
    x: PathLike | np.ndarray,
    z: PathLike | np.ndarray,
    *,
    batch_size: int = 256,
    shuffle: bool = True,
    shuffle_buffer: int = SHUFFLE_BUFFER,
    block_rows: int = BLOCK_ROWS,
    rows: slice | None = None,
    seed: int | None = None,
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """A batched dataset of (x, z) pairs read from two ``.npy`` files by memory map.

    Parameters
    ----------
    x, z : path or ndarray
        ``.npy`` files of paired rows (row i of x with row i of z), any rank:
        (n, d) columns, (n, h, w, c) images, (n, t, f) sequences; or arrays,
        such as ``np.load(path, mmap_mode="r")``. They are never read whole.
    batch_size : int
        Pairs per batch.
    shuffle : bool
        Visit the blocks in a new random order each epoch and mix rows in the
        shuffle buffer (pairs stay together). False: file order, for readouts.
    shuffle_buffer : int
        Rows held by the shuffle buffer. Memory grows with it; a small
        buffer on a file in sorted order biases the estimate (figures in
        docs/benchmarks.md, "Streaming from files").
    block_rows : int
        Contiguous rows read at once (the unit of the block order).
    rows : slice or None
        Only these rows of the files (a contiguous range, e.g.
        ``slice(0, 900_000)`` to train and ``slice(900_000, None)`` to read
        out), default all.
    seed : int or None
        Seed of the block order and the buffer (named streams of it): the
        same seed gives the same batches.
    drop_remainder : bool
        Drop a last incomplete batch.

    Returns
    -------
    tf.data.Dataset
        Yields ``(x_batch, z_batch)`` (float64 if a file is float64, else
        float32), for ``model.fit``, ``model.adapt`` and ``model.estimate``.
        A block with NaN or infinite values stops the iteration with an
        error naming its rows.
    """
    x, z = _open(x, "x"), _open(z, "z")
    if len(x) != len(z):
        raise ValueError(
            f"x and z must have the same number of rows (paired samples); received {len(x)} "
            f"and {len(z)}."
        )
    start, stop, step = (rows or slice(None)).indices(len(x))
    if step != 1 or stop - start < 1:
        raise ValueError(f"`rows` must be a non-empty contiguous slice; received {rows}.")
    batch_size = check_int(batch_size, "batch_size")
    block_rows = check_int(block_rows, "block_rows")
    shuffle_buffer = check_int(shuffle_buffer, "shuffle_buffer")
    dtype = _dtype(x, z)

    def read(block):
        first = start + int(block) * block_rows
        last = min(first + block_rows, stop)
        parts = tuple(np.asarray(a[first:last], dtype=dtype) for a in (x, z))
        for part, name in zip(parts, "xz", strict=True):
            if not np.isfinite(part).all():
                raise ValueError(
                    f"{name} has NaN or infinite values in rows {first} to {last - 1}; drop "
                    "or impute them in the file first."
                )
        return parts

    def load(block):
        a, b = tf.numpy_function(read, [block], (dtype, dtype), stateful=False)
        a.set_shape((None, *x.shape[1:]))
        b.set_shape((None, *z.shape[1:]))
        return a, b

    block_seed, buffer_seed = _seeds(seed)
    blocks = tf.data.Dataset.range(-(-(stop - start) // block_rows))
    if shuffle:
        blocks = blocks.shuffle(len(blocks), seed=block_seed, reshuffle_each_iteration=True)
    pairs = blocks.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).unbatch()
    batches = _batched(pairs, batch_size, shuffle, shuffle_buffer, buffer_seed, drop_remainder)
    count = (stop - start) // batch_size if drop_remainder else -(-(stop - start) // batch_size)
    # Known length: Keras' fit then knows an epoch's steps (no "ran out of data").
    return batches.apply(tf.data.experimental.assert_cardinality(count))


def _batched(pairs, batch_size, shuffle, shuffle_buffer, seed, drop_remainder):
    if shuffle:
        pairs = pairs.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    return pairs.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def write_tfrecord(path: PathLike, x: np.ndarray, z: np.ndarray, *, chunk_rows: int = 4096) -> int:
    """Write paired rows to one TFRecord shard: one ``tf.train.Example`` per pair.

    Each example holds the flattened values of its x and z row (float32
    lists "x" and "z") and their shapes ("x_shape", "z_shape"), which
    `tfrecord_dataset` reads back. `x` and `z` may be memory maps: they are
    written `chunk_rows` rows at a time. Returns the number of pairs written.
    """
    x, z = _open(x, "x"), _open(z, "z")
    if len(x) != len(z):
        raise ValueError(
            f"x and z must have the same number of rows; received {len(x)} and {len(z)}."
        )

    def int_list(values):
        return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))

    def float_list(values):
        return tf.train.Feature(float_list=tf.train.FloatList(value=values))

    shapes = {"x_shape": int_list(x.shape[1:]), "z_shape": int_list(z.shape[1:])}
    with tf.io.TFRecordWriter(os.fspath(path)) as writer:
        for first in range(0, len(x), chunk_rows):
            xs = np.asarray(x[first : first + chunk_rows], np.float32).reshape(-1, x[0].size)
            zs = np.asarray(z[first : first + chunk_rows], np.float32).reshape(-1, z[0].size)
            for a, b in zip(xs, zs, strict=True):
                features = {"x": float_list(a), "z": float_list(b), **shapes}
                example = tf.train.Example(features=tf.train.Features(feature=features))
                writer.write(example.SerializeToString())
    return len(x)


def tfrecord_dataset(
    paths: PathLike | Sequence[PathLike],
    *,
    batch_size: int = 256,
    shuffle: bool = True,
    shuffle_buffer: int = SHUFFLE_BUFFER,
    seed: int | None = None,
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """A batched dataset of (x, z) pairs from TFRecord shards written by `write_tfrecord`.

    Parameters
    ----------
    paths : path or sequence of paths
        The shards (all of the same shapes, read from the first record).
    batch_size, shuffle, shuffle_buffer, seed, drop_remainder
        As in `npy_dataset`; with `shuffle`, the shards are read in a new
        order each epoch, interleaved, before the shuffle buffer.

    Returns
    -------
    tf.data.Dataset
        Yields float32 ``(x_batch, z_batch)`` in the written shapes.
    """
    single = isinstance(paths, (str, os.PathLike))
    paths = [os.fspath(paths)] if single else [os.fspath(p) for p in paths]
    if not paths:
        raise ValueError("`paths` is empty; pass the TFRecord shards written by write_tfrecord.")
    shapes = {"x_shape": tf.io.VarLenFeature(tf.int64), "z_shape": tf.io.VarLenFeature(tf.int64)}
    first = next(iter(tf.data.TFRecordDataset(paths[:1])), None)
    if first is None:
        raise ValueError(f"{paths[0]} holds no records.")
    parsed = tf.io.parse_single_example(first, shapes)
    x_shape, z_shape = (tuple(int(s) for s in tf.sparse.to_dense(parsed[k]).numpy())
                        for k in ("x_shape", "z_shape"))  # fmt: skip
    features = {
        "x": tf.io.FixedLenFeature([int(np.prod(x_shape))], tf.float32),
        "z": tf.io.FixedLenFeature([int(np.prod(z_shape))], tf.float32),
    }

    def parse(record):
        example = tf.io.parse_single_example(record, features)
        return tf.reshape(example["x"], x_shape), tf.reshape(example["z"], z_shape)

    block_seed, buffer_seed = _seeds(seed)
    files = tf.data.Dataset.from_tensor_slices(paths)
    if shuffle:
        files = files.shuffle(len(paths), seed=block_seed, reshuffle_each_iteration=True)
    records = files.interleave(tf.data.TFRecordDataset, cycle_length=min(len(paths), 8),
                               num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)  # fmt: skip
    pairs = records.map(parse, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    batch_size = check_int(batch_size, "batch_size")
    shuffle_buffer = check_int(shuffle_buffer, "shuffle_buffer")
    return _batched(pairs, batch_size, shuffle, shuffle_buffer, buffer_seed, drop_remainder)
