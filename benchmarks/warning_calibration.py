"""How often `estimate_mi` warns when it misses, and when it does not (issue 31).

    python benchmarks/warning_calibration.py                 # v1 + Gaussian pairs, seeds 0 1
    python benchmarks/warning_calibration.py --sizes 500 --seeds 0 --methods ksg
    python benchmarks/warning_calibration.py --runs runs.csv # score saved runs again

Runs `keras_mine.bench.runner.run_benchmark` (every warning of each estimate is
recorded) on the published v1 suite and on bivariate Gaussians whose MI is
known (rho 0.5 to 0.9999, up to 4.26 nats), at each sample size, and sorts each
estimate into

- a miss: off by more than max(0.1 nats, 25%) of the truth;
- within: off by at most max(0.05 nats, 10%);
- between (neither: not scored).

It prints, per method and in all, the share of misses that raised a warning
(should be >= 90%) and the share of within estimates that raised one (should
be <= 5%), and the same by kind of warning, with and without the lower-bound
check (`keras_mine.estimators.diagnostics.below_lower_bound`), so the effect
of each check is read off one run. Figures go to docs/benchmarks.md, "Warning
calibration". Writes the runs to --out (CSV) for re-scoring with --runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd

from keras_mine.bench.runner import run_benchmark
from keras_mine.tasks import bivariate_gaussian, get_suite

#: Kinds of warning, by a phrase of their message (`keras_mine.estimators.diagnostics`).
KINDS = {
    "lower bound": "a lower bound from x column",
    "ceiling": "the most a readout on",
    "folds disagree": "The folds disagree",
    "negative": "is below zero by more than",
    "infinite MI": "nearly a function of",
    "function": "function of z column",
    "duplicated rows": "repeat exactly",
    "plug-in bias": "cannot be told from zero",
    "null bias": "Independent data with these levels read",
}
RHOS = (0.5, 0.9, 0.99, 0.999, 0.9999)


def kinds(messages: str) -> set[str]:
    """The kinds of warning in a run's joined messages ("other" for an unknown one)."""
    found = set()
    for message in filter(None, str(messages).split(" | ") if messages == messages else []):
        found |= {k for k, phrase in KINDS.items() if phrase in message} or {"other"}
    return found


def outcome(error: float, truth: float) -> str:
    """'miss', 'within' or 'between' (the issue's yardsticks)."""
    if not np.isfinite(error) or abs(error) > max(0.1, 0.25 * abs(truth)):
        return "miss"
    return "within" if abs(error) <= max(0.05, 0.1 * abs(truth)) else "between"


def score(runs: pd.DataFrame) -> pd.DataFrame:
    """Per method (and "all"): misses, within, and the share of each that warned."""
    runs = runs.assign(
        outcome=[outcome(e, t) for e, t in zip(runs["error"], runs["mi_true"], strict=True)],
        kinds=[kinds(m) for m in runs["warnings"]],
    )
    runs["warned"] = [bool(k) for k in runs["kinds"]]
    runs["warned_before"] = [bool(k - {"lower bound"}) for k in runs["kinds"]]
    rows = []
    for method, part in [*runs.groupby("method", sort=False), ("all", runs)]:
        miss, within = part[part.outcome == "miss"], part[part.outcome == "within"]
        rows.append({
            "method": method, "runs": len(part), "misses": len(miss), "within": len(within),
            "misses warned": miss["warned"].mean(), "within warned": within["warned"].mean(),
            "misses warned (no bound check)": miss["warned_before"].mean(),
            "within warned (no bound check)": within["warned_before"].mean(),
        })  # fmt: skip
    return pd.DataFrame(rows)


def by_kind(runs: pd.DataFrame) -> pd.DataFrame:
    """How many misses and within estimates each kind of warning caught."""
    runs = runs.assign(
        outcome=[outcome(e, t) for e, t in zip(runs["error"], runs["mi_true"], strict=True)],
        kinds=[kinds(m) for m in runs["warnings"]],
    )
    counts = {kind: {o: int(sum(kind in k for k in runs.kinds[runs.outcome == o]))
                     for o in ("miss", "within", "between")}
              for kind in [*KINDS, "other"]}  # fmt: skip
    return pd.DataFrame(counts).T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--methods", nargs="+", default=["mine", "ksg"])
    parser.add_argument("--runs", help="score this CSV of saved runs instead of running")
    parser.add_argument("--out", default="warning_calibration_runs.csv")
    args = parser.parse_args()
    if args.runs:
        runs = pd.read_csv(args.runs, keep_default_na=False, na_values=[""])
        runs["warnings"] = runs["warnings"].fillna("")
    else:
        print(f"# {time.strftime('%Y-%m-%d')} {platform.machine()} {os.cpu_count()} cores, "
              f"sizes {args.sizes}, seeds {args.seeds}")  # fmt: skip
        tasks = [*get_suite("v1"), *(bivariate_gaussian(r) for r in RHOS)]
        parts = []
        for n in args.sizes:
            part = run_benchmark(tasks, args.methods, n=n, seeds=args.seeds, progress=False)
            parts.append(part.assign(n=n))
            print(f"N = {n}: {len(part)} runs, {part['seconds'].sum():.0f} s", flush=True)
        runs = pd.concat(parts, ignore_index=True)
        runs.to_csv(args.out, index=False)
    pd.set_option("display.width", 200)
    print(score(runs).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print("\nwarnings by kind (estimates that raised each):")
    print(by_kind(runs).to_string())


if __name__ == "__main__":
    main()
