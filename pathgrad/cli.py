"""The ``pathgrad`` console script: ``pathgrad demo`` and ``pathgrad graph``.

Exit status: 0 on success; 2 for a usage error (a bad option or argument, an expression outside the whitelist, an
output path that cannot be used), found before any work is done and reported in one line on stderr; 1 when the work
itself fails (the renderer is missing or crashes, or writing the file fails), also in one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

MAX_DRAWN_OPS = 50  # graphviz's layout time explodes beyond this on some shapes (one variable used 80 times: ~30 s)


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors in one line (no usage block): ``pathgrad demo: error: ... (see --help)``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _Version(argparse.Action):
    """``--version``: ``pathgrad 0.1.0``, from the installed package's metadata (read only when asked)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, default: str = argparse.SUPPRESS,
                 help: str = "print pathgrad's version and exit") -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        from . import __version__

        print(f"pathgrad {__version__}")
        parser.exit(0)


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _fail(command: str, message: str, status: int) -> int:
    print(f"pathgrad {command}: {message}", file=sys.stderr)
    return status


def demo(args: argparse.Namespace) -> int:
    from . import demo

    try:
        demo.run(out=args.out, epochs=args.epochs, seed=args.seed, progress=not args.no_progress)
    except demo.OutputError as e:  # found before training
        return _fail("demo", str(e), 2)
    return 0


def graph(args: argparse.Namespace) -> int:
    import numpy as np

    from autograd import viz

    from .expression import ExpressionError, evaluate, parse_assignments, shorten

    output = Path(args.output)
    fmt = output.suffix.lstrip(".").lower()
    try:
        problem = _output_problem(output, fmt)
    except viz.GraphvizNotFoundError as e:
        return _fail("graph", str(e), 1)
    if problem:
        return _fail("graph", problem, 2)
    with np.errstate(all="ignore"):  # a/0 or log(0) gives inf or nan, shown in the drawing; no warning needed
        try:
            result, variables = evaluate(args.expression, parse_assignments(args.values))
        except ExpressionError as e:
            return _fail("graph", str(e), 2)
        n_ops = _count_ops(result)
        if fmt not in ("dot", "gv") and n_ops > MAX_DRAWN_OPS:
            return _fail("graph", f"the expression has {n_ops:,} operations; drawing more than {MAX_DRAWN_OPS} as "
                         f".{fmt} is refused (graphviz's layout can take minutes); write the DOT source instead: "
                         f"-o {output.with_suffix('.dot')}", 2)
        result.backward()
        try:
            # the drawing recomputes local derivatives, which divide too
            drawing = viz.draw_graph(result, show_local_grads=not args.no_local_grads, rankdir=args.rankdir)
            written = viz.save(drawing, output)
        except viz.GraphvizNotFoundError as e:
            return _fail("graph", str(e), 1)
        except Exception as e:  # OSError writing it; graphviz's CalledProcessError when the renderer fails
            reason = " ".join(str(e).split())
            return _fail("graph", f"cannot write {str(output)!r}: {reason[:300]}", 1)
    grads = ",  ".join(f"d/d{name} = {t.grad.item():.6g}" for name, t in variables.items())
    print(f"{shorten(args.expression)} = {result.item():.6g};  {grads}")
    print(f"wrote {written}")
    return 0


def _output_problem(output: Path, fmt: str) -> str | None:
    """Why ``-o output`` cannot be written, checked before any work: None when it looks writable.

    Raises GraphvizNotFoundError (exit status 1) when the renderer is missing, or lacks a format such as PDF that a
    system Graphviz would write."""
    import os

    from autograd.viz.export import check_format

    if output.is_dir():
        return f"-o {str(output)!r} is a folder; give a file name, e.g. -o {output / 'graph.svg'}"
    if not fmt:
        return (f"-o {str(output)!r} has no extension, and the extension picks the format; use .svg, .png or .dot "
                f"(e.g. -o {output.with_suffix('.svg')})")
    try:
        check_format(fmt, f"-o {str(output)!r}")
    except ValueError as e:
        return str(e)
    folder = output.parent
    if not folder.is_dir():
        return f"-o {str(output)!r}: the folder {str(folder)!r} does not exist; create it first"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"-o {str(output)!r}: no permission to write in {str(folder)!r}"
    return None


def _count_ops(result: object) -> int:
    """The ops in the graph that produced ``result`` (iteratively: the graph may be 20,000 deep)."""
    root = getattr(result, "grad_fn", None)
    seen: dict[int, object] = {}
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            todo.extend(parent for parent, _ in node.next_functions if parent is not None)
    return len(seen)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pathgrad", description="pathgrad: backpropagation you can see inside.")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="train a small CNN on the bundled digits; write a loss curve, graph, checkpoint",
                       description="Train a small CNN on the bundled 8×8 digits with a progress bar, print the test "
                       "accuracy, and write loss.png (needs matplotlib: pip install \".[plot]\"), model.svg (the "
                       "model's graph, one box per layer) and model.npz (nn.save of the state_dict) into --out.")
    p.add_argument("--out", default="pathgrad-demo",
                   help="output folder, created if needed and checked before training (default: %(default)s)")
    p.add_argument("--epochs", type=_positive_int, default=20,
                   help="passes over the training set, at least 1 (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="autograd.manual_seed (default: %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=demo)

    p = sub.add_parser("graph", help="draw the graph of an arithmetic expression, with values and gradients",
                       description="Evaluate an expression on named scalars, run backward, and draw the graph: each "
                       "tensor's value and gradient, each edge's local derivative. Allowed: numbers, the variables "
                       "given values, + - * / ** and unary -, and the functions exp, log, log1p, sqrt, abs, sin, "
                       "cos, tanh, sigmoid, relu, erf. Nothing is passed to eval. Expressions of any length are "
                       f"evaluated; drawing more than {MAX_DRAWN_OPS} operations needs -o FILE.dot.",
                       epilog='example: pathgrad graph "(a+b)*(b+1)" a=2 b=1 -o e.svg')
    p.add_argument("expression", help='e.g. "(a+b)*(b+1)" (quote it for the shell)')
    p.add_argument("values", nargs="*", metavar="NAME=VALUE", help="a value for each variable, e.g. a=2 b=1")
    p.add_argument("-o", "--output", default="graph.svg",
                   help="where to write; the extension picks the format: .svg, .png, .dot, or .pdf with a system "
                   "Graphviz (default: %(default)s)")
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
