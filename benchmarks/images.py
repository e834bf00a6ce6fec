"""Structured inputs (issue 33): MI of digit images and of high-dimensional embeddings.

    python benchmarks/images.py                       # both parts, seed 0 (about 60 min, 2 cores)
    python benchmarks/images.py --parts images --seeds 0 1 2 --n 5000
    python benchmarks/images.py --parts embeddings
    python benchmarks/images.py --parts images --methods "mine (conv)" --tasks 2 3

Parts:
  images      `keras_mine.tasks.images.image_suite`: rows of 8x8 digits whose labels
              share 1 to 10 nats (truth in closed form). Methods: the default MINE
              (a conv encoder in the critic), InfoNCE with conv encoders, MINE on the
              flattened pixels (an MLP), KSG and the Gaussian copula on the pixels.
  embeddings  `embedding_suite`: a 2-D Gaussian pair of 1 nat embedded in 256 and
              1,024 dimensions by a fixed injective network. MINE, InfoNCE, KSG, copula.

Prints one table per part (estimate per method, mean over seeds, and seconds);
figures go to docs/benchmarks.md, "Images and embeddings".
"""

from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd

import keras_mine
from keras_mine.tasks.images import embedding_suite, image_suite

#: label: (method, flatten the samples, settings)
IMAGE_METHODS = {
    "mine (conv)": ("mine", False, {}),
    "infonce (conv)": ("infonce", False, {}),
    "mine (flat pixels)": ("mine", True, {}),
    "ksg (pixels)": ("ksg", True, {}),
    "copula (pixels)": ("gaussian_copula", True, {}),
}
EMBEDDING_METHODS = {
    "mine": ("mine", False, {}),
    "infonce": ("infonce", False, {}),
    "ksg": ("ksg", False, {}),
    "copula": ("gaussian_copula", False, {}),
}


def run(tasks, methods: dict, n: int, seeds: list[int]) -> pd.DataFrame:
    rows = []
    for task in tasks:
        for seed in seeds:
            x, z = task.sample(n, seed=seed)
            for label, (method, flatten, settings) in methods.items():
                a, b = (x.reshape(n, -1), z.reshape(n, -1)) if flatten else (x, z)
                if method not in ("ksg", "gaussian_copula"):
                    settings = {"seed": seed, **settings}
                start = time.perf_counter()
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        mi = keras_mine.estimate_mi(a, b, method=method, **settings).mi
                    except ValueError as error:  # refused (constant pixels for the copula)
                        mi = float("nan")
                        print(f"  {label} refused: {str(error)[:80]}")
                rows.append({"task": task.name, "truth": task.mi_true, "method": label,
                             "seed": seed, "mi": mi, "seconds": time.perf_counter() - start,
                             "warned": len(caught)})  # fmt: skip
                print(f"{task.name:34s} {label:20s} seed {seed}: {mi:7.3f} "
                      f"(truth {task.mi_true:.3f}, {rows[-1]['seconds']:.0f} s)", flush=True)
    return pd.DataFrame(rows)


def table(runs: pd.DataFrame) -> str:
    """Markdown: one row per task, the mean estimate of each method (and within 10%?)."""
    mean = runs.groupby(["task", "truth", "method"], sort=False)["mi"].mean().unstack()
    mean = mean[list(dict.fromkeys(runs["method"]))]
    seconds = runs.groupby("method", sort=False)["seconds"].mean()
    lines = ["| task | truth | " + " | ".join(mean.columns) + " |",
             "|---|---|" + "---|" * len(mean.columns)]  # fmt: skip
    for (task, truth), row in mean.iterrows():
        cells = ["refused" if v != v else f"{v:.2f}" + ("" if abs(v - truth) <= 0.1 * truth
                                                       else " ✗") for v in row]  # fmt: skip
        lines.append(f"| {task} | {truth:.2f} | " + " | ".join(cells) + " |")
    lines.append("| seconds per run | | " + " | ".join(f"{seconds[m]:.0f}" for m in mean.columns)
                 + " |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["images", "embeddings"])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--methods", nargs="+", help="labels of the table's methods (default all)")
    parser.add_argument("--tasks", type=int, nargs="+", help="indices of the suite's tasks")
    args = parser.parse_args()
    for part in args.parts:
        tasks, methods = ((image_suite(), IMAGE_METHODS) if part == "images"
                          else (embedding_suite(), EMBEDDING_METHODS))  # fmt: skip
        if args.methods:
            methods = {label: methods[label] for label in args.methods}
        if args.tasks:
            tasks = [tasks[i] for i in args.tasks]
        runs = run(tasks, methods, args.n, args.seeds)
        print(f"\n{part}, N = {args.n}, seeds {args.seeds} (✗: off by more than 10%)\n")
        print(table(runs))


if __name__ == "__main__":
    main()
