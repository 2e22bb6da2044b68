"""The ``pathgrad`` console script."""

from __future__ import annotations

import argparse
import sys


def hello() -> None:
    """The lecture's hello-world: e = (a+b)(b+1) at a=2, b=1."""
    import autograd

    a = autograd.tensor(2.0, requires_grad=True)
    b = autograd.tensor(1.0, requires_grad=True)
    e = (a + b) * (b + 1)
    e.backward()
    print(f"e = (a+b)(b+1) at a=2, b=1:  e = {e.item():g},  de/da = {a.grad.item():g},  de/db = {b.grad.item():g}")


def demo(args: argparse.Namespace) -> int:
    """Placeholder demo until the teaching demo lands: the hello-world, then a small tensor MLP trained on two
    interleaved spirals with plain autograd ops and hand-written SGD."""
    import numpy as np

    import autograd

    hello()
    autograd.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    n = 200
    t = rng.uniform(0.25, 1.0, n) * 3 * np.pi
    cls = rng.integers(0, 2, n)
    xy = np.stack([t * np.cos(t + np.pi * cls), t * np.sin(t + np.pi * cls)], 1) / 10
    X, y = autograd.tensor(xy.astype(np.float32)), autograd.tensor(cls)
    W1 = (autograd.randn(2, 32) * 0.5).requires_grad_()
    b1 = autograd.zeros(32, requires_grad=True)
    W2 = (autograd.randn(32, 2) * 0.2).requires_grad_()
    b2 = autograd.zeros(2, requires_grad=True)
    params = [W1, b1, W2, b2]
    for step in range(args.steps):
        logits = (X @ W1 + b1).tanh() @ W2 + b2
        loss = -logits.log_softmax(1).gather(1, y.reshape(-1, 1)).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with autograd.no_grad():
            for p in params:
                p -= 0.5 * p.grad
        if step % (args.steps // 5) == 0 or step == args.steps - 1:
            acc = (logits.argmax(1) == y).float().mean().item()
            print(f"step {step:4d}  loss {loss.item():.4f}  train accuracy {acc:.1%}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pathgrad", description="pathgrad: backpropagation you can see inside.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_demo = sub.add_parser("demo", help="train a small network and print its progress")
    p_demo.add_argument("--steps", type=int, default=2000)
    p_demo.add_argument("--seed", type=int, default=0)
    p_demo.set_defaults(func=demo)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
