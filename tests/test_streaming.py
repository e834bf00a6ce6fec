"""Data larger than memory (issue 33, item 3): file pipelines, chunked adapt and readout."""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_mine
from keras_mine.core.data import dataset_chunks
from keras_mine.tasks.images import EmbeddedGaussian

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3000, 2)).astype("float32")
Z = (X + RNG.normal(size=X.shape)).astype("float32")  # MI = 2 * ln(2) / 2 = ln 2 nats


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pairs")
    np.save(folder / "x.npy", X)
    np.save(folder / "z.npy", Z)
    return folder / "x.npy", folder / "z.npy"


@pytest.fixture(scope="module")
def trained(files):
    model = keras_mine.MINE(seed=0, hidden_dim=16)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    model.fit(keras_mine.npy_dataset(*files, batch_size=250, rows=slice(0, 2000), seed=0),
              epochs=10, verbose=0)  # fmt: skip
    return model


def rows_of(dataset) -> tuple[np.ndarray, np.ndarray]:
    return tuple(np.concatenate(part) for part in zip(*[(a.numpy(), b.numpy())
                                                        for a, b in dataset], strict=True))


# -------------------------------------------------------------- the pipelines
def test_npy_dataset_reads_each_pair_once_per_epoch_in_a_seeded_order(files):
    dataset = keras_mine.npy_dataset(*files, batch_size=128, block_rows=100, seed=3,
                                     rows=slice(500, 2500))  # fmt: skip
    assert len(dataset) == 16  # known to Keras: 2,000 rows in batches of 128
    first, second = rows_of(dataset), rows_of(dataset)
    for x, z in (first, second):  # every row of the range once, still paired
        order = np.lexsort(x.T)
        np.testing.assert_array_equal(x[order], X[500:2500][np.lexsort(X[500:2500].T)])
        np.testing.assert_array_equal(z[order], Z[500:2500][np.lexsort(X[500:2500].T)])
    assert not np.array_equal(first[0], second[0])  # a new order each epoch
    again = rows_of(keras_mine.npy_dataset(*files, batch_size=128, block_rows=100, seed=3,
                                           rows=slice(500, 2500)))  # fmt: skip
    np.testing.assert_array_equal(again[0], first[0])  # the same seed, the same batches
    in_order = rows_of(keras_mine.npy_dataset(*files, shuffle=False, rows=slice(500, 2500)))
    np.testing.assert_array_equal(in_order[0], X[500:2500])


def test_tfrecord_shards_give_back_the_rows_and_shapes(tmp_path):
    images = RNG.random((40, 4, 4, 2)).astype("float32")
    codes = RNG.normal(size=(40, 3)).astype("float32")
    counts = [keras_mine.write_tfrecord(tmp_path / f"part{i}.tfrecord", images[i::2], codes[i::2],
                                        chunk_rows=7) for i in range(2)]  # fmt: skip
    assert counts == [20, 20]
    shards = sorted(tmp_path.glob("*.tfrecord"))
    x, z = rows_of(keras_mine.tfrecord_dataset(shards, shuffle=False, batch_size=16))
    assert x.shape == (40, 4, 4, 2) and z.shape == (40, 3)
    order = np.argsort(z[:, 0])
    np.testing.assert_array_equal(x[order], images[np.argsort(codes[:, 0])])
    shuffled = rows_of(keras_mine.tfrecord_dataset(shards, seed=0, batch_size=16))
    assert not np.array_equal(shuffled[1], z)
    np.testing.assert_array_equal(np.sort(shuffled[1], 0), np.sort(z, 0))


def test_bad_files_are_refused_with_what_to_do(tmp_path, files):
    with pytest.raises(ValueError, match=r"\.npy file"):
        keras_mine.npy_dataset(tmp_path / "x.csv", files[1])
    np.save(tmp_path / "short.npy", Z[:10])
    with pytest.raises(ValueError, match="same number of rows"):
        keras_mine.npy_dataset(files[0], tmp_path / "short.npy")
    with pytest.raises(ValueError, match="contiguous slice"):
        keras_mine.npy_dataset(*files, rows=slice(0, 100, 2))
    holed = X.copy()
    holed[1500, 1] = np.nan
    np.save(tmp_path / "holed.npy", holed)
    with pytest.raises(Exception, match="x has NaN or infinite values in rows 1024 to 2047"):
        rows_of(keras_mine.npy_dataset(tmp_path / "holed.npy", files[1], shuffle=False))


# ------------------------------------------- models read datasets in chunks
def test_dataset_chunks_hold_a_bounded_number_of_rows(files):
    dataset = keras_mine.npy_dataset(*files, batch_size=300, shuffle=False)
    chunks = list(dataset_chunks(dataset, rows=1000))
    assert [len(c[0]) for c in chunks] == [1000, 1000, 1000]
    np.testing.assert_array_equal(np.concatenate([c[1] for c in chunks]), Z)


def test_adapt_on_a_dataset_reads_its_first_chunk_only():
    wide = RNG.normal(size=(20_000, 600)).astype("float32")  # 1,200 values a row: 6,990 rows
    dataset = keras_mine.make_dataset(wide, wide, batch_size=1000, shuffle=False)
    model = keras_mine.MINE(seed=0, preprocessing="standard", norm_feature=False)
    model.adapt(dataset)
    center = keras.ops.convert_to_numpy(model.input_transforms[0].center)
    np.testing.assert_allclose(center, wide[:6990].mean(0), atol=1e-5)
    assert not np.allclose(center, wide.mean(0), atol=1e-5)


def test_a_dataset_is_read_out_as_its_arrays(files, trained):
    x, z = X[2000:], Z[2000:]
    test = keras_mine.npy_dataset(*files, batch_size=300, shuffle=False, rows=slice(2000, None))
    assert trained.estimate(test) == pytest.approx(trained.estimate(x, z), abs=1e-9)  # one chunk
    chunked, stderr = trained.dataset_readout_with_error(test, chunk_size=250)
    assert abs(chunked - trained.estimate(x, z)) < stderr  # 4 chunks: other marginal draws
    assert abs(chunked - np.log(2)) < 0.15  # trained from the file: 0.61 of 0.69


def test_fixed_readouts_and_conditional_targets_read_datasets_too():
    model = keras_mine.InfoNCE(seed=0, hidden_dim=8)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(X[:1000], Z[:1000], epochs=1, batch_size=200, verbose=0)
    dataset = keras_mine.make_dataset(X[1000:], Z[1000:], batch_size=500, shuffle=False)
    assert model.estimate(dataset) == pytest.approx(model.estimate(X[1000:], Z[1000:]), abs=1e-6)
    with pytest.raises(ValueError, match="do not apply"):
        model.estimate(dataset, seed=1)
    ccmi = keras_mine.ConditionalClassifierMI(seed=0, hidden_dim=8)
    ccmi.compile(optimizer=keras.optimizers.Adam(1e-3))
    y = RNG.normal(size=(3000, 1)).astype("float32")
    ccmi.fit(X[:1000], (y[:1000], Z[:1000]), epochs=1, batch_size=200, verbose=0)
    import tensorflow as tf

    triples = tf.data.Dataset.from_tensor_slices((X[1000:], (y[1000:], Z[1000:]))).batch(400)
    assert ccmi.estimate(triples) == pytest.approx(
        ccmi.estimate(X[1000:], (y[1000:], Z[1000:])), abs=1e-6)  # fmt: skip


# ---------------------------------------------- larger than the memory limit
LIMIT_MIB = 1024  # the data segment of the training process: TensorFlow needs ~800
TRAIN_ROWS, TEST_ROWS, DIM = 280_000, 20_000, 256  # 4 KiB a pair: 1,094 MiB of training files


def write_pairs(folder: Path, name: str, rows: int, seed: int, task: EmbeddedGaussian) -> None:
    rng = np.random.default_rng(seed)
    xs, zs = (np.lib.format.open_memmap(folder / f"{v}_{name}.npy", "w+", np.float64,
                                        (rows, DIM)) for v in "xz")  # fmt: skip
    for first in range(0, rows, 20_000):
        xs[first : first + 20_000], zs[first : first + 20_000] = task.draw(
            min(20_000, rows - first), rng)  # fmt: skip
    xs.flush(), zs.flush()


def test_mi_from_files_larger_than_the_memory_limit(tmp_path):
    """Trains and reads out under RLIMIT_DATA; the same estimate as the test rows in memory."""
    task = EmbeddedGaussian(DIM, 2, float(np.sqrt(1 - np.exp(-1.0))), seed=0)  # 1 nat
    write_pairs(tmp_path, "train", TRAIN_ROWS, 1, task)
    write_pairs(tmp_path, "test", TEST_ROWS, 2, task)
    sizes = sum(os.path.getsize(tmp_path / f"{v}_train.npy") for v in "xz") / 2**20
    assert sizes > LIMIT_MIB
    script = Path(__file__).with_name("_streaming_run.py")
    env = dict(os.environ, MALLOC_ARENA_MAX="2")  # glibc's per-thread arenas reserve 64 MiB each
    run = subprocess.run([sys.executable, str(script), str(tmp_path), str(LIMIT_MIB)],
                         capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["in_memory_refused"]  # the limit bites: the files cannot be loaded
    assert result["data_mib"] < LIMIT_MIB
    model = keras_mine.load_model(tmp_path / "model.keras")
    x, z = np.load(tmp_path / "x_test.npy"), np.load(tmp_path / "z_test.npy")
    in_memory = model.estimate(x, z)
    assert abs(result["estimate"] - in_memory) < result["stderr"]
    assert abs(result["estimate"] - task.mi_true) < 0.15
