"""mi_matrix(method="ksg") against a loop of scikit-learn's mutual_info_regression.

One run, the same data for both: a table of 2,000 rows whose columns are
linear and nonlinear functions of a few latent factors plus noise, in
different units (the kind of table a gene panel or a sensor log gives). It
prints, at 20 and at 200 columns:

- the seconds of `keras_mine.mi_matrix` with ``n_jobs=1`` and ``n_jobs=-1``
  (every core), and of a loop calling scikit-learn's
  ``mutual_info_regression(X[:, [i]], X[:, j])`` once per pair;
- ``ratio_vs_sklearn_loop=<x>``: the loop's seconds over mi_matrix's with
  ``n_jobs=-1`` (and ``ratio_vs_sklearn_loop_serial`` with ``n_jobs=1``);
- ``max_abs_diff=<nats>``: the largest difference between the two
  matrices (both are KSG estimator 1 with k = 3; each adds its own noise of
  1e-10 to break ties, which can reorder near-ties). scikit-learn reports
  max(0, estimate) and mi_matrix the estimate, so mi_matrix's values are
  compared after the same max(0, .).

- ``ratio_vs_sklearn_loop_cold=<x>`` (at 20 columns): the same ratio when
  each side runs once in a fresh interpreter, imports included, as a
  script that computes one matrix does (the table read from a .npy file,
  best of ``--repeats`` processes each). keras_mine's classical methods
  import no TensorFlow, so this is mostly the two packages' import times.

At 200 columns (19,900 pairs) the scikit-learn loop runs on `--sample`
random pairs and its time is scaled to all pairs (``--sample 0``: every
pair, about 2 minutes here).

Usage: python benchmarks/mi_matrix.py [--rows 2000] [--columns 20 200] [--sample 1000]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from itertools import combinations

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.feature_selection import mutual_info_regression  # noqa: E402

from keras_mine import mi_matrix  # noqa: E402


def table(rows: int, columns: int, seed: int = 0) -> np.ndarray:
    """Columns driven by 5 latent factors: linear, squared, sine, log-normal; varied units."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(rows, 5))
    out = np.empty((rows, columns))
    for j in range(columns):
        f = factors[:, j % 5] + rng.uniform(0.2, 1.5) * rng.normal(size=rows)
        shape = (f, f**2, np.sin(2 * f), np.exp(f / 2))[(j // 5) % 4]
        out[:, j] = shape * 10.0 ** rng.integers(-6, 7)  # units from micro to mega
    return out


def best_of(repeats: int, function):
    """The fastest of `repeats` calls, and the last call's value."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return min(times), value


def sklearn_loop(values: np.ndarray, pairs) -> np.ndarray:
    return np.array(
        [mutual_info_regression(values[:, [i]], values[:, j], random_state=0)[0] for i, j in pairs]
    )


#: What each fresh interpreter runs: imports, reading the table, one matrix.
COLD = {
    "keras_mine": "import numpy as np\nfrom keras_mine import mi_matrix\n"
    "mi_matrix(np.load({path!r}), n_jobs=-1)",
    "sklearn": "import numpy as np\nfrom itertools import combinations\n"
    "from sklearn.feature_selection import mutual_info_regression\n"
    "v = np.load({path!r})\n"
    "[mutual_info_regression(v[:, [i]], v[:, j], random_state=0)[0]"
    " for i, j in combinations(range(v.shape[1]), 2)]",
}


def cold_seconds(values: np.ndarray, repeats: int) -> dict[str, float]:
    """Wall seconds of a fresh interpreter running each side of `COLD` (best of `repeats`)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "table.npy")
        np.save(path, values)
        seconds = {}
        for side, script in COLD.items():
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", script.format(path=path)], check=True,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})  # fmt: skip
                times.append(time.perf_counter() - start)
            seconds[side] = min(times)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--columns", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--sample", type=int, default=1_000,
                        help="scikit-learn pairs above 20 columns (0: all)")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3, help="timings: best of (20 columns)")
    args = parser.parse_args()
    print(f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, "
          f"{args.rows} rows")  # fmt: skip
    for columns in args.columns:
        values = table(args.rows, columns)
        pairs = list(combinations(range(columns), 2))
        repeats = args.repeats if columns <= 20 else 1
        serial, matrix = best_of(repeats, lambda v=values: mi_matrix(v, n_jobs=1).to_numpy())
        parallel, matrix_parallel = best_of(
            repeats, lambda v=values: mi_matrix(v, n_jobs=-1).to_numpy()
        )
        assert np.array_equal(matrix, matrix_parallel, equal_nan=True)
        sampled = pairs
        if columns > 20 and 0 < args.sample < len(pairs):
            rng = np.random.default_rng(1)
            sampled = [pairs[i] for i in sorted(rng.choice(len(pairs), args.sample, replace=False))]
        loop, reference = best_of(repeats, lambda v=values, s=sampled: sklearn_loop(v, s))
        loop *= len(pairs) / len(sampled)
        ours = np.maximum([matrix[i, j] for i, j in sampled], 0.0)
        note = "" if sampled is pairs else f" (scikit-learn on {len(sampled)} random pairs, scaled)"
        print(f"\n## {columns} columns x {args.rows} rows, {len(pairs)} pairs{note}")
        print(f"seconds_mi_matrix_n_jobs_1={serial:.3f}")
        print(f"seconds_mi_matrix_n_jobs_all={parallel:.3f}")
        print(f"seconds_sklearn_loop={loop:.3f}")
        print(f"ratio_vs_sklearn_loop={loop / parallel:.2f}")
        print(f"ratio_vs_sklearn_loop_serial={loop / serial:.2f}")
        print(f"max_abs_diff={np.max(np.abs(ours - reference)):.2e}")
        print(f"mean_abs_diff={np.mean(np.abs(ours - reference)):.2e}")
        if columns <= 20:
            cold = cold_seconds(values, args.repeats)
            print(f"seconds_cold_mi_matrix={cold['keras_mine']:.3f}")
            print(f"seconds_cold_sklearn_loop={cold['sklearn']:.3f}")
            print(f"ratio_vs_sklearn_loop_cold={cold['sklearn'] / cold['keras_mine']:.2f}")


if __name__ == "__main__":
    main()
