"""micrograd's demo network as a scalar graph (0-d Tensors): one full training step against micrograd itself.

The network, loss and data follow micrograd's demo notebook: MLP(2, [16, 16, 1]) built neuron by neuron from
scalars, a max-margin loss over 100 points plus L2 regularisation, then SGD. Both engines build the same graph
(~66k nodes); the ratio is pathgrad's step time over micrograd's, measured alternately in one process.

    python bench/scalar.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved, row  # noqa: E402

import autograd  # noqa: E402


def moons(n: int = 100, seed: int = 1337) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = rng.integers(0, 2, n)
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    return np.stack([x, y], 1) + rng.normal(0, 0.1, (n, 2)), np.where(upper, 1.0, -1.0)


class ScalarMLP:
    """micrograd's MLP, neuron by neuron, on pathgrad 0-d tensors."""

    def __init__(self, nin: int, nouts: list[int], make) -> None:
        sizes = [nin] + nouts
        self.layers = []
        for i in range(len(nouts)):
            neurons = [([make(random.uniform(-1, 1)) for _ in range(sizes[i])], make(0.0)) for _ in range(nouts[i])]
            self.layers.append((neurons, i != len(nouts) - 1))

    def __call__(self, x):
        for neurons, nonlin in self.layers:
            out = []
            for w, b in neurons:
                act = sum((wi * xi for wi, xi in zip(w, x)), b)
                out.append(act.relu() if nonlin else act)
            x = out
        return x[0]

    def parameters(self):
        return [p for neurons, _ in self.layers for w, b in neurons for p in w + [b]]


def pathgrad_step(model: ScalarMLP, X: np.ndarray, y: np.ndarray):
    def step():
        inputs = [[autograd.tensor(v, dtype=autograd.float64) for v in row_] for row_ in X]
        scores = [model(x) for x in inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y.tolist(), scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        for p in model.parameters():
            p.grad = None
        total.backward()
        with autograd.no_grad():
            for p in model.parameters():
                p.data -= 0.01 * p.grad.data
        return total

    return step


def micrograd_step(X: np.ndarray, y: np.ndarray):
    from micrograd.engine import Value
    from micrograd.nn import MLP

    random.seed(1337)
    model = MLP(2, [16, 16, 1])

    def step():
        inputs = [list(map(Value, row_)) for row_ in X.tolist()]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y.tolist(), scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad
        return total

    return step


def count_nodes(root: autograd.Tensor) -> int:
    from autograd.engine import topological_order

    return len(topological_order([root.grad_fn]))


def main() -> None:
    sys.setrecursionlimit(100_000)  # micrograd's topological sort is recursive
    X, y = moons()
    random.seed(1337)
    model = ScalarMLP(2, [16, 16, 1], lambda v: autograd.tensor(v, dtype=autograd.float64, requires_grad=True))
    ours = pathgrad_step(model, X, y)
    loss = ours()
    print(f"scalar graph: {count_nodes(loss):,} op nodes, {len(model.parameters())} parameters; loss {loss.item():.4f}")
    fns = {"pathgrad": ours}
    try:
        fns["micrograd"] = micrograd_step(X, y)
    except ImportError:
        pass
    t = interleaved(fns, repeat=5, warmup=1)
    print(row("micrograd demo MLP, scalar graph, full step", t["pathgrad"], t.get("micrograd"), "micrograd"))
    # The cyclic garbage collector costs both engines a lot on graphs this size; timeit switches it off, so show
    # that view too.
    import gc

    gc.disable()
    try:
        t = interleaved(fns, repeat=5, warmup=1, collect_garbage=False)
    finally:
        gc.enable()
    print(row("  the same, cyclic GC off (as timeit does)", t["pathgrad"], t.get("micrograd"), "micrograd"))


if __name__ == "__main__":
    main()
