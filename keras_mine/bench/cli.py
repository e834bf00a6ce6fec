"""The command line, ``python -m keras_mine demo`` and ``python -m keras_mine bench``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from keras_mine.bench import startup

_NEURAL_HELP = "maximum epochs of the neural methods; early stopping usually ends sooner"


#: `bench`'s default estimators, for MI and for entropy.
BENCH_METHODS = {
    "mi": ("mine", "classifier", "ksg", "kde"),
    "entropy": ("knn", "gaussian", "neural"),
    "cmi": ("ccmi", "ksg"),
}
#: The conditional MI tasks: CCMI's Model I for d_z = 1, 10, 20, and a
#: conditionally independent variant.
CONDITIONAL_SUITE = "conditional"


def _parser() -> argparse.ArgumentParser:
    from keras_mine.core.version import __version__

    parser = argparse.ArgumentParser(
        prog="keras-mine",
        description="Mutual information estimation with Keras: demo and benchmark "
        "(also run as python -m keras_mine).",
        epilog="TensorFlow's start-up log lines are hidden; set KERAS_MINE_TF_LOGS=1 to "
        "see them.",
    )
    parser.add_argument("--version", action="version", version=f"keras-mine {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="MI against rho for MINE's three losses and the classifier (minepy's figure)",
        description="Estimate the MI of bivariate Gaussians over a range of rho with "
        "mine_biased, mine, remine and the classifier (estimate_mi, cross-fitted), print "
        "the estimates beside the closed form -0.5 ln(1 - rho^2) in nats, and write "
        "demo.csv and demo.png to --out.",
    )
    demo.add_argument(
        "--rho",
        type=float,
        nargs="+",
        default=None,
        help="correlations to run (default: --n-rho values in [-0.99, 0.99])",
    )
    demo.add_argument(
        "--n-rho", type=int, default=21, help="number of evenly spaced rho values (default: 21)"
    )
    demo.add_argument(
        "--methods",
        nargs="+",
        default=None,
        help="estimators (default: mine_biased mine remine classifier)",
    )
    demo.add_argument("--n", type=int, default=5_000, help="samples per estimate (default: 5000)")
    demo.add_argument("--max-epochs", type=int, default=None, help=_NEURAL_HELP)
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("demo_results"),
        help="output directory (default: ./demo_results)",
    )

    bench = commands.add_parser(
        "bench",
        help="run estimators on tasks with known MI",
        description="Run MI estimators on tasks whose MI is known in closed form, print "
        "task, true MI, mean +- std of the estimates over seeds, error and seconds, and "
        "write bench_runs.csv (one row per run), bench_summary.csv and bench.png to --out.",
    )
    bench.add_argument(
        "--tasks",
        nargs="+",
        default=None,
        help="suite names (v1, extended, staircase, rho, quick, images, embeddings) or task names "
        "(default: v1, the 40 tasks of Czyz et al. 2023); with --quantity cmi: "
        "conditional (the default), or ccmi-model1-dz<d> / ccmi-independent-dz<d>",
    )
    bench.add_argument(
        "--methods",
        nargs="+",
        default=None,
        help="estimators, any of keras_mine.METHODS (default: mine classifier ksg kde); "
        "with --quantity entropy any of knn gaussian histogram discrete neural (default: "
        "knn gaussian neural); with --quantity cmi any of ccmi difference ksg (default: "
        "ccmi ksg)",
    )
    bench.add_argument(
        "--quantity",
        choices=list(BENCH_METHODS),
        default="mi",
        help="mi (default): I(X;Z); entropy: H(X, Z) of the tasks whose entropy is known "
        "in closed form (Gaussian, Student-t, additive noise); cmi: I(X;Y|Z) of CCMI's "
        "Model I",
    )
    bench.add_argument("--n", type=int, default=5_000, help="samples per run (default: 5000)")
    bench.add_argument("--seeds", type=int, default=3, help="runs per task and method (default: 3)")
    bench.add_argument("--max-epochs", type=int, default=None, help=_NEURAL_HELP)
    bench.add_argument(
        "--preprocessing",
        default=None,
        help="input transform of the neural methods (normal_scores, robust, standard, none; "
        "default: normal_scores)",
    )
    bench.add_argument(
        "--out",
        type=Path,
        default=Path("bench_results"),
        help="output directory (default: ./bench_results)",
    )
    bench.add_argument(
        "--markdown", action="store_true", help="also print a markdown table, one column per method"
    )
    return parser


def _conditional_tasks():
    from keras_mine.tasks import ConditionalTask

    return [ConditionalTask(dim_z=d) for d in (1, 10, 20)] + [
        ConditionalTask(dim_z=d, independent=True) for d in (1, 10)
    ]


def _resolve_tasks(names: list[str], quantity: str):
    from keras_mine.tasks import SUITES, get_suite, get_task

    if quantity == "cmi":
        known = {task.name: task for task in _conditional_tasks()}
        tasks = []
        for name in names or [CONDITIONAL_SUITE]:
            if name == CONDITIONAL_SUITE:
                tasks += list(known.values())
            elif name in known:
                tasks.append(known[name])
            else:
                raise ValueError(
                    f"unknown conditional task {name!r}; valid: {CONDITIONAL_SUITE}, "
                    + ", ".join(known)
                )
        return tasks
    tasks = []
    for name in names or ["v1"]:
        tasks += get_suite(name) if name in SUITES else [get_task(name)]
    return tasks


def _check_arguments(args) -> None:
    """Resolve and check the arguments, raising ValueError with a message for the user."""
    from keras_mine.bench.demo import DEMO_METHODS, demo_rhos
    from keras_mine.bench.runner import REGISTRIES
    from keras_mine.core.validation import check_int

    if args.command == "demo":
        args.methods = args.methods or list(DEMO_METHODS)
        if args.rho is None:
            args.rho = demo_rhos(check_int(args.n_rho, "--n-rho", minimum=2))
        if any(not -1 < rho < 1 for rho in args.rho):
            raise ValueError(f"--rho values must lie in (-1, 1); received {args.rho}")
    else:
        args.tasks = _resolve_tasks(args.tasks, args.quantity)
        check_int(args.seeds, "--seeds")
    quantity = getattr(args, "quantity", "mi")
    known = REGISTRIES[quantity]
    if quantity == "entropy" and not any(task.entropy_true is not None for task in args.tasks):
        raise ValueError(
            "none of the tasks has a closed-form entropy; Gaussian, Student-t and "
            "additive-noise tasks do (e.g. --tasks extended)"
        )
    args.methods = args.methods or list(BENCH_METHODS[quantity])
    unknown = [m for m in args.methods if m not in known]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; valid: {', '.join(known)}")
    check_int(args.n, "--n", minimum=10)
    if args.max_epochs is not None:
        check_int(args.max_epochs, "--max-epochs")
    args.settings = {} if args.max_epochs is None else {"max_epochs": args.max_epochs}
    if getattr(args, "preprocessing", None) is not None:
        from keras_mine.core.preprocessing import check_preprocessing

        args.settings["preprocessing"] = check_preprocessing(args.preprocessing)


def _demo(args) -> None:
    from keras_mine.bench.demo import run_demo
    from keras_mine.bench.plots import plot_rho_sweep
    from keras_mine.bench.runner import format_summary

    summary = run_demo(args.rho, args.methods, n=args.n, seed=args.seed, settings=args.settings)
    print(format_summary(summary))
    args.out.mkdir(parents=True, exist_ok=True)
    summary.to_csv(args.out / "demo.csv", index=False)
    plot_rho_sweep(summary).savefig(args.out / "demo.png", dpi=120)
    print(f"wrote {args.out / 'demo.csv'} and {args.out / 'demo.png'}")


def _bench(args) -> None:
    from keras_mine.bench.plots import plot_benchmark
    from keras_mine.bench.runner import format_markdown, format_summary, run_benchmark, summarize

    runs = run_benchmark(
        args.tasks,
        args.methods,
        n=args.n,
        seeds=args.seeds,
        settings=args.settings,
        quantity=args.quantity,
    )
    summary = summarize(runs)
    print(format_summary(summary))
    if args.markdown:
        print()
        print(format_markdown(summary))
    failures = summary[summary["failure"] != ""]
    for row in failures.itertuples():
        print(f"note: {row.method} on {row.task}: {row.failure}", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    runs.to_csv(args.out / "bench_runs.csv", index=False)
    summary.to_csv(args.out / "bench_summary.csv", index=False)
    plot_benchmark(summary).savefig(args.out / "bench.png", dpi=120)
    print(f"wrote {args.out}/bench_runs.csv, bench_summary.csv and bench.png")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # --help and --version end here, without TensorFlow
    try:
        _check_arguments(args)  # the registries' checks import no TensorFlow either
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if startup.launched_as_command() and not os.environ.get(startup.SHOW_LOGS_VARIABLE):
        startup.import_tensorflow_quietly()  # the command line shows no TensorFlow start-up lines
    (_demo if args.command == "demo" else _bench)(args)
    return 0

