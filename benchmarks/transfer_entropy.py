"""Time series (issue 34): transfer entropy against closed forms, surrogate tests' levels, peers.

    python benchmarks/transfer_entropy.py                 # everything (about 15 minutes, 2 cores)
    python benchmarks/transfer_entropy.py --parts var     # one part: var, henon, ar1, peers
    python benchmarks/transfer_entropy.py --peer-python /path/to/python   # peers elsewhere

Parts:
  var    Gaussian VAR(1) processes, TE in both directions for coupling none, weak,
         strong and both ways; KSG, Gaussian copula and CCMI at 5,000 time points
         against the closed form (`VARProcess.transfer_entropy`), over seeds.
  henon  Coupled Henon maps: how often the shift-surrogate test finds X -> Y at
         p < 0.01 and (wrongly) Y -> X; false positives on uncoupled maps over 100 seeds.
  ar1    Two independent AR(1) series, coefficient 0.9, over 200 seeds: the i.i.d.
         permutation test's false-positive rate against the surrogate test's.
  peers  ennemi and infomeasure (installed in the interpreter `--peer-python`, default
         this one) on the same VAR data: values and seconds beside keras_mine's.

Figures go to docs/benchmarks.md, "Time series".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from keras_mine import mi_test
from keras_mine.tasks.timeseries import VARProcess, coupled_henon, coupled_var
from keras_mine.timeseries import surrogate_test, transfer_entropy

CASES = {"none": (0.0, 0.0), "weak": (0.2, 0.0), "strong": (0.8, 0.0), "both": (0.3, 0.2)}

PEER_SCRIPT = """
import json, sys, time
import numpy as np
out = {}
data = np.load(sys.argv[1])
for name in data.files:
    x, y = data[name].T
    row = {}
    try:
        import ennemi
        start = time.perf_counter()
        row["ennemi"] = float(np.ravel(ennemi.estimate_mi(y, x, lag=1, cond=y, cond_lag=1))[0])
        row["ennemi_s"] = time.perf_counter() - start
    except ImportError:
        pass
    try:
        import infomeasure
        start = time.perf_counter()
        row["infomeasure"] = float(infomeasure.transfer_entropy(x, y, approach="ksg", k=3))
        row["infomeasure_s"] = time.perf_counter() - start
    except ImportError:
        pass
    out[name] = row
print(json.dumps(out))
"""


def var_part(seeds: int, n: int, methods: list[str]) -> pd.DataFrame:
    rows = []
    for case, (coupling, reverse) in CASES.items():
        process = coupled_var(coupling, reverse)
        for seed in range(seeds):
            x, y = process.sample(n, seed=seed).T
            for direction, (source, target, s, t) in {"X->Y": (x, y, 0, 1),
                                                       "Y->X": (y, x, 1, 0)}.items():  # fmt: skip
                truth = process.transfer_entropy(s, t)
                for method in methods:
                    start = time.perf_counter()
                    estimate = transfer_entropy(source, target, history=1, method=method).te
                    rows.append(dict(case=case, direction=direction, method=method, seed=seed,
                                     truth=truth, estimate=estimate,
                                     seconds=time.perf_counter() - start))  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["error"] = frame["estimate"] - frame["truth"]
    return frame


def henon_part(seeds_coupled: int, seeds_null: int, n: int, n_surrogates: int) -> pd.DataFrame:
    rows = []
    for seed in range(seeds_coupled):
        x, y = coupled_henon(n, coupling=0.3, seed=seed)
        forward = transfer_entropy(x, y, history=2, n_surrogates=n_surrogates, seed=seed)
        backward = transfer_entropy(y, x, history=2, n_surrogates=n_surrogates, seed=seed)
        rows.append(dict(kind="coupled 0.3", seed=seed, forward_te=forward.te,
                         forward_p=forward.p_value, backward_te=backward.te,
                         backward_p=backward.p_value))  # fmt: skip
    for seed in range(seeds_null):
        x, y = coupled_henon(n, coupling=0.0, seed=seed)
        forward = transfer_entropy(x, y, history=2, n_surrogates=n_surrogates, seed=seed)
        rows.append(dict(kind="uncoupled", seed=seed, forward_te=forward.te,
                         forward_p=forward.p_value))  # fmt: skip
    return pd.DataFrame(rows)


def ar1_part(seeds: int, n: int, n_surrogates: int) -> pd.DataFrame:
    rows = []
    process = VARProcess(0.9 * np.eye(2), np.eye(2))
    for seed in range(seeds):
        x, y = process.sample(n, seed=seed).T
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the autocorrelation warning this part measures
            iid = mi_test(x, y, n_permutations=n_surrogates, seed=seed).p_value
        shift = surrogate_test(x, y, n_surrogates=n_surrogates, seed=seed).p_value
        block = surrogate_test(x, y, n_surrogates=n_surrogates, surrogate="block",
                               seed=seed).p_value  # fmt: skip
        rows.append(dict(seed=seed, iid=iid, shift=shift, block=block))
    return pd.DataFrame(rows)


def peers_part(n: int, seeds: int, peer_python: str) -> pd.DataFrame:
    rows, arrays = [], {}
    for case, (coupling, reverse) in CASES.items():
        process = coupled_var(coupling, reverse)
        for seed in range(seeds):
            states = process.sample(n, seed=seed)
            name = f"{case}_{seed}"
            arrays[name] = states
            start = time.perf_counter()
            ours = transfer_entropy(states[:, 0], states[:, 1], history=1).te
            rows.append(dict(case=case, seed=seed, truth=process.transfer_entropy(0, 1),
                             keras_mine=ours, keras_mine_s=time.perf_counter() - start,
                             name=name))  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.npz"
        np.savez(path, **arrays)
        done = subprocess.run([peer_python, "-c", PEER_SCRIPT, str(path)], capture_output=True,
                              text=True, check=True)  # fmt: skip
    peers = json.loads(done.stdout.strip().splitlines()[-1])
    frame = pd.DataFrame(rows)
    extra = pd.DataFrame([peers[name] for name in frame["name"]])
    return pd.concat([frame.drop(columns="name"), extra], axis=1)


def _markdown(frame: pd.DataFrame, index: bool = True) -> str:
    """A markdown table (pandas' own needs the optional tabulate)."""
    frame = frame.reset_index() if index else frame
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|---" * frame.shape[1] + "|"]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["var", "henon", "ar1", "peers"])
    parser.add_argument("--seeds", type=int, default=5, help="seeds of the VAR part")
    parser.add_argument("--methods", nargs="+", default=["ksg", "gaussian_copula", "ccmi"])
    parser.add_argument("--peer-python", default=sys.executable)
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    if "var" in args.parts:
        frame = var_part(args.seeds, 5000, args.methods)
        table = frame.groupby(["case", "direction", "method"], sort=False).agg(
            truth=("truth", "first"), mean=("estimate", "mean"), bias=("error", "mean"),
            std=("estimate", "std"), max_abs_error=("error", lambda e: e.abs().max()),
            seconds=("seconds", "mean"),
        )  # fmt: skip
        print(f"\n## VAR(1), 5,000 time points, history 1, seeds 0-{args.seeds - 1}\n")
        print(table.round(4).pipe(_markdown))
        worst = frame.assign(abs_error=frame["error"].abs()).groupby("method")["abs_error"].max()
        print("\nlargest |error| by method:", worst.round(4).to_dict())
    if "henon" in args.parts:
        frame = henon_part(20, 100, 1000, 99)
        coupled, null = frame[frame["kind"] != "uncoupled"], frame[frame["kind"] == "uncoupled"]
        print("\n## Coupled Henon maps (1,000 points, history 2, 99 shift surrogates, ksg)\n")
        found = (coupled["forward_p"] < 0.0101).mean()
        reverse_1, reverse_5 = ((coupled["backward_p"] <= level).mean() for level in (0.0101, 0.05))
        print(f"coupling 0.3, 20 seeds: X->Y found at p < 0.01 in {found:.0%} "
              f"(TE {coupled['forward_te'].mean():.3f}); Y->X at p < 0.01 in {reverse_1:.0%}, "
              f"at p <= 0.05 in {reverse_5:.0%} "
              f"(TE {coupled['backward_te'].mean():.3f})")  # fmt: skip
        print(f"uncoupled, 100 seeds: false positives {(null['forward_p'] < 0.0101).mean():.0%} "
              f"at 1%, {(null['forward_p'] <= 0.05).mean():.0%} at 5%")  # fmt: skip
    if "ar1" in args.parts:
        frame = ar1_part(200, 1000, 99)
        print("\n## Two independent AR(1) series (0.9), 1,000 points, 200 seeds, 99 draws, ksg\n")
        rates = {
            test: {f"at {level:.0%}": float((frame[test] <= level + 1e-9).mean())
                   for level in (0.01, 0.05)}
            for test in ("iid", "shift", "block")
        }  # fmt: skip
        print(pd.DataFrame(rates).T.pipe(_markdown))
    if "peers" in args.parts:
        frame = peers_part(5000, 3, args.peer_python)
        print("\n## Peers on the same VAR data (X->Y, 5,000 points, history 1, k = 3)\n")
        print(frame.round(4).pipe(_markdown, index=False))


if __name__ == "__main__":
    main()
