"""High MI from finite data: DoE's 128-d task and the bivariate Gaussian at rho 0.99 and 0.999.

Prints one row per task, sample size and method: the estimate, its error and
seconds (seed 0). The truth is closed form. The 128-dimensional task is the
DoE paper's (McAllester & Stratos 2020: x, z in R^128, coordinate pairs with
rho 0.5, 18.41 nats); here from a fixed sample, not fresh draws per step.

Usage: python benchmarks/high_mi.py [--sizes 10000 100000] [--methods doe gaussian_copula mine]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np

import keras_mine
from keras_mine.tasks import bivariate_gaussian, staircase_gaussian

TASKS = {
    "normal-1x1-rho0.99": bivariate_gaussian(0.99),
    "normal-1x1-rho0.999": bivariate_gaussian(0.999),
    "doe-128x128-rho0.5": staircase_gaussian(-64.0 * np.log(0.75), 128),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--methods", nargs="+", default=["doe", "gaussian_copula", "mine"])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS))
    parser.add_argument("--max-rows-wide", type=int, default=10_000,
                        help="largest N for the 128-d task (CPU time)")  # fmt: skip
    args = parser.parse_args()
    print(f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, seed 0")
    print("| task | N | true MI | method | estimate | error | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name in args.tasks:
        task = TASKS[name]
        for n in args.sizes:
            if task.dim_x > 1 and n > args.max_rows_wide:
                continue
            x, z = task.sample(n, seed=0)
            for method in args.methods:
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    mi = keras_mine.estimate_mi(x, z, method=method, seed=0).mi
                seconds = time.perf_counter() - start
                print(f"| {name} | {n} | {task.mi_true:.3f} | {method} | {mi:.3f} | "
                      f"{mi - task.mi_true:+.3f} | {seconds:.1f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
