"""Planted bugs: each of issue 35's five plumbing bugs must make its targeted test fail.

For each case the script plants the bug in the working tree (one line
replaced), runs the one test that guards it, and puts the file back. A test
that still passes with its bug planted guards nothing; run this after
changing the engine, the extrapolation or the callbacks.

Usage: python benchmarks/planted_bugs.py   (about a minute; prints CAUGHT or MISSED per bug)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: (bug, file, line as it is, line with the bug, the test that must fail).
CASES = [
    ("readout on the fold's training rows", "keras_mine/engine/loop.py",
     "estimate, stderr = stack.read_out(x_fold[:, test], z_fold[:, test],",
     "estimate, stderr = stack.read_out(x_fold[:, train_rows], z_fold[:, train_rows],",
     "tests/test_engine.py::test_cross_fit_fits_transforms_on_training_rows_and_reads_out_"
     "held_out_rows"),
    ("input transforms fitted on all rows", "keras_mine/engine/loop.py",
     "mapped.append([_fitted(layer, part[i], train_rows)",
     "mapped.append([_fitted(layer, part[i], np.arange(n))",
     "tests/test_engine.py::test_cross_fit_fits_transforms_on_training_rows_and_reads_out_"
     "held_out_rows"),
    ("the extrapolation's fold rule removed", "keras_mine/estimators/result.py",
     "if half > full or not (_agree(halves) and _agree(full_folds)):",
     "if half > full or not _agree(halves):",
     "tests/test_estimate.py::test_extrapolation_is_skipped_when_its_parts_are_inconsistent"),
    ("BestWeights never restoring", "keras_mine/models/callbacks.py",
     "            self.model.set_weights(self.best_weights)", "            pass",
     "tests/test_epoch_fit.py::test_fit_ends_on_the_best_epoch_when_it_is_not_the_last"),
    ("the engine's restore of the best epoch removed", "keras_mine/engine/loop.py",
     "    stack.restore_best()\n", "\n",
     "tests/test_engine.py::test_training_ends_on_each_critics_best_epoch"),
]  # fmt: skip


def main() -> int:
    missed = 0
    for bug, name, line, planted, test in CASES:
        path = ROOT / name
        source = path.read_text()
        if line not in source:
            print(f"{bug}: the line to plant it in is gone from {name}; update CASES")
            missed += 1
            continue
        with tempfile.TemporaryDirectory() as folder:
            backup = Path(folder) / path.name
            shutil.copy(path, backup)
            path.write_text(source.replace(line, planted, 1))
            try:
                run = subprocess.run(
                    [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
                     test], cwd=ROOT, capture_output=True, text=True,
                )  # fmt: skip
            finally:
                shutil.copy(backup, path)
        caught = run.returncode != 0
        missed += not caught
        print(f"{'CAUGHT' if caught else 'MISSED'}: {bug} ({test.split('::')[1]})")
    print(f"planted_bugs_caught={len(CASES) - missed}/{len(CASES)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
