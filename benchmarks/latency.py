"""Latency of one neural estimate: one traced epoch step per estimate, or one per fold model.

`estimate_mi(x, z, method=...)` with its defaults cross-fits 2 folds on all
rows and on each half (the sample-size extrapolation): 6 fold models. Each
new model traces its compiled epoch step, about 0.4 s on a CPU (and its
readout's scoring function, about 0.1 s). `keras_mine.estimators.crossfit.FoldTrainer`
trains every fold model's state in one working model, traced once per
shape. This script times the same 6 fits (same seeds, same rows) with one
`FoldTrainer` for all of them (what `estimate_mi` does) and with a new
working model per fold (the cost of one model per fold, as before), checks
that the estimates are equal, and prints the seconds, the number of traces
and ``ratio_vs_model_per_fold`` (time per fold model / time shared).

Usage: python benchmarks/latency.py [--rows 2000] [--epochs 30] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_mine.estimators.crossfit import (  # noqa: E402
    FoldTrainer,
    TrainingConfig,
    cross_fit,
    half_rows,
)
from keras_mine.models import MINE  # noqa: E402
from keras_mine.tasks import bivariate_gaussian  # noqa: E402


class ModelPerFold(FoldTrainer):
    """A new working model, so new traces, for every fold: the cost before FoldTrainer."""

    def train(self, *args, **kwargs):
        self.worker = None
        return super().train(*args, **kwargs)


def six_fits(trainer_class, x, z, config) -> tuple[float, list[float], int]:
    """Seconds, the 6 fold estimates and the traces of a full and two half cross-fits."""

    def build(seed):
        return MINE(loss="mine", seed=seed)

    def readout(model, rows):
        traces.append(model.make_train_epoch_function().experimental_get_tracing_count())
        return model.estimate(x_fit[rows], z_fit[rows])

    trainer, traces, estimates = trainer_class(build, config), [], []
    start = time.perf_counter()
    for rows in [np.arange(len(x)), *half_rows(len(x), 0, 2, 0.2)]:
        x_fit, z_fit = x[rows], z[rows]
        values, _, _ = cross_fit(trainer, x_fit, z_fit, readout, folds=2, seed=0)
        estimates.extend(values)
    seconds = time.perf_counter() - start
    # Shared: the last count is the worker's total; per fold: one worker per readout.
    return seconds, estimates, traces[-1] if trainer_class is FoldTrainer else sum(traces)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--epochs", type=int, default=30, help="epochs per fold (no early stop)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, "
        f"tensorflow {tf.__version__}, keras {keras.__version__}; {args.rows} rows, "
        f"MINE 2 x 64, batch 256, {args.epochs} epochs per fold, 6 fold models per estimate"
    )
    x, z = bivariate_gaussian(0.8).sample(args.rows, seed=0)
    config = TrainingConfig(max_epochs=args.epochs, stop_patience=args.epochs)
    six_fits(FoldTrainer, x[:200], z[:200], config)  # imports and first-use costs
    shared, per_fold = [], []
    for _ in range(args.repeats):  # interleaved, so both see the same machine load
        seconds, estimates, traces = six_fits(FoldTrainer, x, z, config)
        shared.append(seconds)
        seconds, baseline, baseline_traces = six_fits(ModelPerFold, x, z, config)
        per_fold.append(seconds)
    difference = float(np.max(np.abs(np.subtract(estimates, baseline))))
    print(f"shared_seconds={np.median(shared):.2f} traces={traces}")
    print(f"model_per_fold_seconds={np.median(per_fold):.2f} traces={baseline_traces}")
    print(f"max_abs_estimate_diff={difference:.2e}")
    print(f"ratio_vs_model_per_fold={np.median(per_fold) / np.median(shared):.2f}")


if __name__ == "__main__":
    main()
