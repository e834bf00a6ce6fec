"""minepy's README rho sweep at its full settings, with stacked critics.

21 values of rho in [-0.99, 0.99], N = 10,000 samples each, for each of
mine_biased, mine and remine: minepy's settings (critic 3 x 50 ELU, batch
300, Adam 1e-3, rate x0.1 after 10 flat epochs, stop after 100 epochs
without a 0.01-nat rise, up to 3,000 epochs, 20% validation). Each loss trains
its 21 critics together (`keras_mine.estimate_mi_many`), cross-fitted over 2
folds. Prints each estimate, the total wall time and the largest error
against -0.5 ln(1 - rho^2).

Usage: python benchmarks/seed_sweep.py [--n 10000] [--n-rho 21] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from keras_mine import estimate_mi_many  # noqa: E402
from keras_mine.tasks import rho_sweep  # noqa: E402

MINEPY_SETTINGS = dict(
    hidden_dim=50,
    num_hidden_layers=3,
    activation="elu",
    batch_size=300,
    max_epochs=3000,
    val_size=0.2,
    learning_rate=1e-3,
    lr_factor=0.1,
    lr_patience=10,
    stop_patience=100,
    stop_min_delta=0.01,
)
LOSSES = {"mine_biased": {}, "mine": {"alpha": 0.01}, "remine": {"reg_weight": 0.1, "target": 0.0}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--n-rho", type=int, default=21)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-epochs", type=int, default=MINEPY_SETTINGS["max_epochs"])
    args = parser.parse_args()
    settings = dict(MINEPY_SETTINGS, max_epochs=args.max_epochs)
    print(f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, "
          f"N={args.n}, {args.n_rho} rho values, seed {args.seed}")  # fmt: skip
    tasks = rho_sweep(args.n_rho)
    pairs = [task.sample(args.n, seed=args.seed + i) for i, task in enumerate(tasks)]
    start = time.perf_counter()
    errors = {}
    for loss, options in LOSSES.items():
        results = estimate_mi_many(pairs, method=loss, seed=args.seed, **settings, **options)
        errors[loss] = [r.mi - t.mi_true for r, t in zip(results, tasks, strict=True)]
        epochs = [len(r.history) // 2 for r in results]
        print(f"{loss}: {results[0].seconds:.0f} s, epochs per fold {min(epochs)}-{max(epochs)}")
    print(f"{'rho':>6} {'true MI':>8} " + " ".join(f"{loss:>12}" for loss in LOSSES))
    for i, task in enumerate(tasks):
        rho = task.covariance[0, 1]
        row = " ".join(f"{task.mi_true + errors[loss][i]:>12.4f}" for loss in LOSSES)
        print(f"{rho:>6.3f} {task.mi_true:>8.4f} {row}")
    largest = {loss: float(np.max(np.abs(e))) for loss, e in errors.items()}
    print("largest_error " + " ".join(f"{loss}={v:.4f}" for loss, v in largest.items()))
    print(f"max_error={max(largest.values()):.4f}")
    print(f"wall_seconds={time.perf_counter() - start:.0f}")


if __name__ == "__main__":
    main()
