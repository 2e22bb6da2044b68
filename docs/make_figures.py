"""Draw the README's pictures into docs/: the lecture example with every adjoint, a small CNN's graph (one box per
layer), and backward stepped through the lecture example. Deterministic: the same renderer gives the same bytes.

    python docs/make_figures.py            # writes docs/lecture_graph.svg, docs/cnn_graph.svg, docs/backward_steps.svg
    python docs/make_figures.py --check    # exit 1, naming the stale files, if they differ from what it would write
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import autograd
import nn
import nn.functional as F
from autograd import viz
from nn.data import load_digits
from pathgrad.demo import make_model

DOCS = Path(__file__).resolve().parent


def lecture() -> tuple[autograd.Tensor, dict]:
    """e = (a + b)(b + 1) at a = 2, b = 1 (lecture 003), after backward; its variables by name."""
    a = autograd.tensor(2.0, requires_grad=True)
    b = autograd.tensor(1.0, requires_grad=True)
    c = a + b
    d = b + 1
    e = c * d
    e.backward()
    return e, {"a": a, "b": b, "c": c, "d": d, "e": e}


def cnn() -> tuple[autograd.Tensor, dict, nn.Module]:
    """The demo's CNN on four bundled digits: the loss after backward, the input and loss by name, and the model."""
    autograd.manual_seed(0)
    model = make_model()
    X, y = load_digits()
    x = autograd.tensor(X[:4].reshape(-1, 1, 8, 8) / 16, dtype=autograd.float32)
    loss = F.cross_entropy(model(x), autograd.tensor(y[:4]))
    loss.backward()
    return loss, {"x": x, "loss": loss}, model


def figures() -> dict[str, str]:
    """Each figure's file name and SVG text."""
    e, names = lecture()
    loss, cnn_names, model = cnn()
    return {
        "lecture_graph.svg": viz.draw_graph(e, names).pipe(format="svg", quiet=True).decode("utf-8"),
        "cnn_graph.svg": viz.draw_graph(loss, cnn_names, module=model, rankdir="TB").pipe(
            format="svg", quiet=True).decode("utf-8"),
        "backward_steps.svg": viz.step_strip(e, names).svg,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files in docs/ instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for name, svg in figures().items():
        path = DOCS / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != svg:
                stale.append(name)
        else:
            path.write_text(svg, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"stale: {', '.join(stale)}; run python docs/make_figures.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
