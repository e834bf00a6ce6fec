"""Conditional MI on CCMI's Model I as d_z grows: each method beside the paper.

Model I: X ~ N(0,1), Z ~ N(0, I_dz), Y = X + Z_1 + N(0, 0.1^2);
I(X;Y|Z) = 0.5 ln(101) = 2.308 nats for every d_z. The paper's CCMI figures
(Mukherjee et al., UAI 2020, Fig. for Model I) are 2.30 / 2.18 / 2.15 at
d_z = 1 / 10 / 20.

Usage: python benchmarks/conditional_mi.py [--n 20000] [--seeds 1] [--methods ccmi ksg ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from keras_mine import estimate_cmi  # noqa: E402
from keras_mine.tasks import ConditionalTask  # noqa: E402

PAPER_CCMI = {1: 2.30, 10: 2.18, 20: 2.15}
METHODS = [
    ("ccmi", None),
    ("difference", "classifier"),
    ("difference", "mine"),
    ("ksg", None),  # Frenzel-Pompe kNN, no training
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--dims", type=int, nargs="+", default=[1, 10, 20])
    parser.add_argument("--methods", nargs="+", default=[m for m, _ in METHODS],
                        help="methods of estimate_cmi to run (default: all)")  # fmt: skip
    args = parser.parse_args()
    print(f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, N={args.n}")
    print(
        f"{'d_z':>4} {'method':<24} {'true':>6} {'estimate':>16} "
        f"{'paper CCMI':>10} {'s/estimate':>10}"
    )
    for dim_z in args.dims:
        task = ConditionalTask(dim_z=dim_z)
        for method, estimator in (m for m in METHODS if m[0] in args.methods):
            values, seconds = [], []
            for seed in range(args.seeds):
                x, y, z = task.sample(args.n, seed=100 + seed)
                start = time.perf_counter()
                result = estimate_cmi(x, y, z, method=method, estimator=estimator, seed=seed)
                values.append(result.mi)
                seconds.append(time.perf_counter() - start)
            label = method if estimator is None else f"{method}({estimator})"
            spread = f"{np.mean(values):.3f} +- {np.std(values):.3f}"
            print(
                f"{dim_z:>4} {label:<24} {task.cmi_true:>6.3f} {spread:>16} "
                f"{PAPER_CCMI[dim_z]:>10.2f} {np.mean(seconds):>10.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
