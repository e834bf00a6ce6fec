"""Latency of one neural estimate: one traced stack per shape, or a new one per fold.

`estimate_mi(x, z, method=...)` with its defaults cross-fits 2 folds on all
rows and on both halves (the sample-size extrapolation, the halves stacked as
two critics): 4 fold trainings. The engine (`keras_mine.engine`) keeps one
`CriticStack` per shape in a `StackCache` and resets it for each fold, so its
compiled epoch and scoring functions are traced once per shape (about 0.4 s
each on a CPU). This script times `fit_pairs` on the same rows and seeds with
one cache (what `estimate_mi` does) and with a new stack for every fold (the
cost of tracing per fold), checks that the estimates are equal, and prints
the seconds, the number of traces and ``ratio_vs_stack_per_fold``.

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

from keras_mine.core.seeds import SeedStreams  # noqa: E402
from keras_mine.engine.loop import StackCache  # noqa: E402
from keras_mine.engine.stack import CriticStack  # noqa: E402
from keras_mine.estimators.neural import fit_pairs  # noqa: E402
from keras_mine.estimators.settings import check_settings, defaults_for  # noqa: E402
from keras_mine.tasks import bivariate_gaussian  # noqa: E402


class StackPerFold(StackCache):
    """A new stack, so new traces, for every fold: the cost without the cache."""

    def __init__(self) -> None:
        super().__init__()
        self.stacks: list[CriticStack] = []

    def get(self, *args, **kwargs) -> CriticStack:
        self.stacks.append(CriticStack(*args, **kwargs))
        return self.stacks[-1]


def traces(stacks) -> int:
    return sum(s.epoch_function.experimental_get_tracing_count() for s in stacks)


def one_estimate(cache_class, x, z, settings) -> tuple[float, list[float], int]:
    """Seconds, the fold and half estimates, and the epoch-function traces of one estimate."""
    cache = cache_class()
    start = time.perf_counter()
    (result,) = fit_pairs(x[None], z[None], "mine", settings, SeedStreams(0), cache=cache)
    seconds = time.perf_counter() - start
    stacks = cache.stacks if isinstance(cache, StackPerFold) else cache.stacks_made()
    return seconds, [*result.fold_estimates, *result.half_estimates], traces(stacks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--epochs", type=int, default=30, help="epochs per fold (no early stop)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, "
        f"tensorflow {tf.__version__}, keras {keras.__version__}; {args.rows} rows, "
        f"mine 2 x 64, batch 256, {args.epochs} epochs per fold, 4 fold trainings per estimate"
    )
    x, z = bivariate_gaussian(0.8).sample(args.rows, seed=0)
    settings = check_settings({**defaults_for("mine", x, z), "max_epochs": args.epochs,
                               "stop_patience": args.epochs, "extrapolate": True})  # fmt: skip
    one_estimate(StackCache, x[:200], z[:200], settings)  # imports and first-use costs
    shared, per_fold = [], []
    for _ in range(args.repeats):  # interleaved, so both see the same machine load
        seconds, estimates, shared_traces = one_estimate(StackCache, x, z, settings)
        shared.append(seconds)
        seconds, baseline, baseline_traces = one_estimate(StackPerFold, x, z, settings)
        per_fold.append(seconds)
    difference = float(np.max(np.abs(np.subtract(estimates, baseline))))
    print(f"shared_seconds={np.median(shared):.2f} traces={shared_traces}")
    print(f"stack_per_fold_seconds={np.median(per_fold):.2f} traces={baseline_traces}")
    print(f"max_abs_estimate_diff={difference:.2e}")
    print(f"ratio_vs_stack_per_fold={np.median(per_fold) / np.median(shared):.2f}")


if __name__ == "__main__":
    main()
