"""Command line: ``python -m keras_mine demo``."""

from __future__ import annotations

import argparse
import os
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m keras_mine",
        description="Mutual information estimation with Keras.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="estimate MI of correlated Gaussians with each MINE loss",
        description="Train MINE with each loss on bivariate Gaussians and print the "
        "estimates beside the closed-form MI -0.5 ln(1 - rho^2) (nats).",
    )
    demo.add_argument(
        "--rho",
        type=float,
        nargs="+",
        default=[0.0, 0.5, 0.9],
        help="correlations to run (default: 0 0.5 0.9)",
    )
    demo.add_argument(
        "--losses", nargs="+", default=None, help="MINE losses (default: mine_biased mine remine)"
    )
    demo.add_argument("--n", type=int, default=10_000, help="samples (default: 10000)")
    demo.add_argument(
        "--epochs",
        type=int,
        default=300,
        help="maximum epochs; early stopping usually ends sooner (default: 300)",
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from keras_mine.demo import format_rows, run_demo
    from keras_mine.models import MINE_LOSSES

    losses = args.losses or list(MINE_LOSSES)
    unknown = [loss for loss in losses if loss not in MINE_LOSSES]
    if unknown:
        print(f"error: unknown loss {unknown}; valid: {', '.join(MINE_LOSSES)}", file=sys.stderr)
        return 2
    rows = run_demo(args.rho, losses, n=args.n, epochs=args.epochs, seed=args.seed)
    print(format_rows(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
