"""The ``pathgrad`` console script: ``pathgrad demo`` and ``pathgrad graph``."""

from __future__ import annotations

import argparse
import sys


def demo(args: argparse.Namespace) -> int:
    from . import demo

    demo.run(out=args.out, epochs=args.epochs, seed=args.seed, progress=not args.no_progress)
    return 0


def graph(args: argparse.Namespace) -> int:
    import numpy as np

    from autograd import viz

    from .expression import ExpressionError, evaluate, parse_assignments

    with np.errstate(all="ignore"):  # a/0 or log(0) gives inf or nan, shown in the drawing; no warning needed
        try:
            result, variables = evaluate(args.expression, parse_assignments(args.values))
        except ExpressionError as e:
            print(f"pathgrad graph: {e}", file=sys.stderr)
            return 2
        result.backward()
        # the drawing recomputes local derivatives, which divide too
        drawing = viz.draw_graph(result, show_local_grads=not args.no_local_grads, rankdir=args.rankdir)
    grads = ",  ".join(f"d/d{name} = {t.grad.item():.6g}" for name, t in variables.items())
    print(f"{args.expression} = {result.item():.6g};  {grads}")
    print(f"wrote {viz.save(drawing, args.output)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pathgrad", description="pathgrad: backpropagation you can see inside.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="train a small CNN on the bundled digits; write a loss curve, graph, checkpoint",
                       description="Train a small CNN on the bundled 8×8 digits with a progress bar, print the test "
                       "accuracy, and write loss.png (needs matplotlib: pip install \".[plot]\"), model.svg (the "
                       "model's graph, one box per layer) and model.npz (nn.save of the state_dict) into --out.")
    p.add_argument("--out", default="pathgrad-demo", help="output folder (default: %(default)s)")
    p.add_argument("--epochs", type=int, default=20, help="passes over the training set (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="autograd.manual_seed (default: %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=demo)

    p = sub.add_parser("graph", help="draw the graph of an arithmetic expression, with values and gradients",
                       description="Evaluate an expression on named scalars, run backward, and draw the graph: each "
                       "tensor's value and gradient, each edge's local derivative. Allowed: numbers, the variables "
                       "given values, + - * / ** and unary -, and the functions exp, log, log1p, sqrt, abs, sin, "
                       "cos, tanh, sigmoid, relu, erf. Nothing is passed to eval.",
                       epilog='example: pathgrad graph "(a+b)*(b+1)" a=2 b=1 -o e.svg')
    p.add_argument("expression", help='e.g. "(a+b)*(b+1)" (quote it for the shell)')
    p.add_argument("values", nargs="*", metavar="NAME=VALUE", help="a value for each variable, e.g. a=2 b=1")
    p.add_argument("-o", "--output", default="graph.svg",
                   help="where to write; the extension picks the format: .svg, .png, .dot (default: %(default)s)")
    p.add_argument("--no-local-grads", action="store_true", help="leave the local derivatives off the edges")
    p.add_argument("--rankdir", default="LR", choices=["LR", "TB", "RL", "BT"],
                   help="layout direction (default: %(default)s, left to right)")
    p.set_defaults(func=graph)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
