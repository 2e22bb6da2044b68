"""micrograd's demo network as a scalar graph (0-d Tensors): one full training step against micrograd itself.

The network, loss and data follow micrograd's demo notebook: MLP(2, [16, 16, 1]) built neuron by neuron from
scalars, a max-margin loss over 100 points plus L2 regularisation, then SGD. Both engines build the same graph
(~66k nodes); the ratio is pathgrad's step time over micrograd's, measured in turns in one process, as a training
loop runs (see ``measure`` for why the garbage collector makes the way of timing matter here).

    python bench/scalar.py [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
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
                p.array -= 0.01 * p.grad.array
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


def fns() -> dict[str, Callable[[], object]]:
    """One full training step of each engine on the same data (micrograd's only where it is installed)."""
    sys.setrecursionlimit(100_000)  # micrograd's topological sort is recursive (pathgrad's is not: see chain.py)
    X, y = moons()
    random.seed(1337)
    model = ScalarMLP(2, [16, 16, 1], lambda v: autograd.tensor(v, dtype=autograd.float64, requires_grad=True))
    out = {"pathgrad": pathgrad_step(model, X, y)}
    try:
        out["micrograd"] = micrograd_step(X, y)
    except ImportError:
        pass
    return out


def training_loop(steps: dict[str, Callable[[], object]], turns: int = 4, turn: int = 5) -> dict[str, float]:
    """Median step time in seconds of each engine run as the demo's training loop runs it: ``turn`` consecutive
    ``loss = step()`` calls (the previous graph alive until the next step returns), the cyclic collector left to run
    whenever it decides, as it does in a loop. The engines take turns (order shuffled, seeded); garbage left by one
    engine's turn is collected, untimed, before the next turn so that neither is charged with the other's."""
    times: dict[str, list[float]] = {k: [] for k in steps}
    order = list(steps)
    for k in order:
        steps[k]()
    shuffle = random.Random(0).shuffle
    for _ in range(turns):
        shuffle(order)
        for k in order:
            gc.collect()
            loss = None
            for _ in range(turn):
                t0 = time.perf_counter()
                loss = steps[k]()
                times[k].append(time.perf_counter() - t0)
            del loss
    return {k: statistics.median(v) for k, v in times.items()}


def measure(steps: dict[str, Callable[[], object]], repeat: int = 5) -> dict[str, float]:
    """Median step times in seconds: as a training loop (keys as in ``steps``), one call at a time after a full
    collection ("…/per call"), and with the cyclic GC off ("…/gc off").

    Most of micrograd's step is its cyclic garbage collection (each Value holds a closure that refers back to it), and
    how much depends on every object the process holds and on when the collector runs. So this is meant for a fresh
    interpreter, as the demo runs (``run.py`` starts one), and all three views are printed.
    """
    out = training_loop(steps, turns=max(1, repeat // 2))
    out |= {f"{k}/per call": v for k, v in interleaved(steps, repeat=repeat, warmup=1).items()}
    gc.disable()  # timeit's view: both engines' own work, no collector
    try:
        out |= {f"{k}/gc off": v for k, v in interleaved(steps, repeat=repeat, warmup=1,
                                                          collect_garbage=False).items()}
    finally:
        gc.enable()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="print the timings as JSON (for run.py)")
    args = ap.parse_args()
    steps = fns()
    if args.json:
        print(json.dumps(measure(steps, args.repeat)))
        return
    loss = steps["pathgrad"]()
    print(f"scalar graph: {count_nodes(loss):,} op nodes; loss {loss.item():.4f}")
    del loss
    t = measure(steps, args.repeat)
    views = [("", "micrograd demo MLP, scalar graph, full step (loop)"),
             ("/per call", "  one step per call, collected before each"),
             ("/gc off", "  cyclic GC off (as timeit does)")]
    for suffix, label in views:
        print(row(label, t["pathgrad" + suffix], t.get("micrograd" + suffix), "micrograd"))


if __name__ == "__main__":
    main()
