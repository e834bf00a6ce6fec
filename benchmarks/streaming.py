"""Streaming from files (issue 33, item 3): how the estimate depends on the shuffle buffer.

    python benchmarks/streaming.py                     # seeds 0 1 (about 4 min, 2 cores)
    python benchmarks/streaming.py --rows 400000 --seeds 0 1 2

A model trained on a dataset pairs each x with the z of another row of the
same batch, so its marginal is only as good as the batches are a sample of
the whole file. The task: x ~ N(0, I_3), z = rho x + noise per coordinate,
1 nat in all, written to .npy files in two row orders: random, and sorted by
x's first column (the worst case: data sorted by time, by label, by a key).
MINE (defaults, batch 512) is trained by `keras_mine.npy_dataset` with
buffers of 1,024 to 65,536 rows (blocks of 1,024 rows, visited in a random
order each epoch), beside the same model trained on the rows in memory
(`keras_mine.make_dataset`: a full shuffle), and read out on held-out rows.
Prints the estimate per order and buffer, mean over seeds (spread in
brackets); figures go to docs/benchmarks.md, "Streaming from files".
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd

import keras_mine

DIM = 3
RHO = float(np.sqrt(1 - np.exp(-2.0 / DIM)))  # -DIM/2 ln(1 - rho^2) = 1 nat
TRUTH = 1.0
BUFFERS = (1024, 4096, 16_384, 65_536)


def draw(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, DIM))
    return x, RHO * x + np.sqrt(1 - RHO**2) * rng.standard_normal((rows, DIM))


def trained(train, seed: int, epochs: int) -> keras_mine.MINE:
    model = keras_mine.MINE(seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(train, epochs=epochs, verbose=0)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args()
    records = []
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for seed in args.seeds:
            x, z = draw(args.rows, seed)
            x_test, z_test = draw(20_000, 1000 + seed)
            orders = {"random": np.arange(args.rows), "sorted": np.argsort(x[:, 0])}
            start = time.perf_counter()
            model = trained(keras_mine.make_dataset(x, z, batch_size=512, seed=seed), seed,
                            args.epochs)  # fmt: skip
            records.append(("in memory", "full shuffle", seed, model.estimate(x_test, z_test),
                            time.perf_counter() - start))  # fmt: skip
            for order, rows in orders.items():
                np.save(folder / "x.npy", x[rows])
                np.save(folder / "z.npy", z[rows])
                for buffer in BUFFERS:
                    start = time.perf_counter()
                    data = keras_mine.npy_dataset(folder / "x.npy", folder / "z.npy",
                                                  batch_size=512, shuffle_buffer=buffer,
                                                  seed=seed)  # fmt: skip
                    model = trained(data, seed, args.epochs)
                    records.append((f"file, {order} rows", buffer, seed,
                                    model.estimate(x_test, z_test),
                                    time.perf_counter() - start))  # fmt: skip
            print(f"seed {seed} done", flush=True)
    table = pd.DataFrame(records, columns=["data", "buffer", "seed", "mi", "seconds"])
    summary = table.groupby(["data", "buffer"], sort=False).agg(
        mi=("mi", "mean"), spread=("mi", "std"), seconds=("seconds", "mean"))
    print(f"\ntruth {TRUTH:.2f} nats; {args.rows:,} rows, {args.epochs} epochs, batch 512, "
          f"seeds {args.seeds}; readout on 20,000 held-out rows")  # fmt: skip
    print(summary.round(3).to_string())


if __name__ == "__main__":
    main()
