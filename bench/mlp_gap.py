"""Where pathgrad's MLP step loses time to the hand-written NumPy step: the step split into phases, and the cost of
the per-op Python when the caches are cold.

1. The 784-256-256-10 step (``mlp.py``) timed phase by phase, pathgrad and NumPy alternately: forward, loss,
   backward, update. The arithmetic is the same on both sides (``mlp.check_same_math``); what differs is the Python
   around each op: recording the node, and the backward sweep. A third step, "numpy, pathgrad's kernels", runs the
   very arrays pathgrad computes, by hand (``kernel_step``, checked against pathgrad's step): pathgrad's time less
   its time is all bookkeeping, and its time against the baseline's is what pathgrad's choice of kernels costs.
2. A tiny MLP (8-8-8-2, batch 4, so the arithmetic is nearly free) forward, timed warm (called back to back) and
   cold (right after summing an 8 MB array, which evicts the L2 cache as a large matmul does). In the real step
   every op follows a matmul, so its Python runs cold: a microbenchmark of one op underestimates its cost there.

    python bench/mlp_gap.py [--repeat 300]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import mlp  # noqa: E402
from _common import steady_heap  # noqa: E402

import autograd  # noqa: E402
import optim  # noqa: E402
from nn import functional as F  # noqa: E402

PHASES = ("forward", "loss", "backward", "update")


def phased_steps(x: np.ndarray, y: np.ndarray, sizes: tuple[int, ...]) -> dict[str, Callable[[], list[float]]]:
    """pathgrad's and NumPy's step, each returning the perf_counter stamps between its phases."""
    model = mlp.pathgrad_model(sizes)
    params = mlp.weights(model)
    opt = optim.SGD(list(model.parameters()), lr=mlp.LR)
    xt, yt = autograd.tensor(x), autograd.tensor(y)
    clock = time.perf_counter

    def ours() -> list[float]:
        t = [clock()]
        opt.zero_grad()
        out = model(xt)
        t.append(clock())
        loss = F.cross_entropy(out, yt)
        t.append(clock())
        loss.backward()
        t.append(clock())
        opt.step()
        t.append(clock())
        return t

    def by_hand() -> list[float]:  # mlp.numpy_forward_backward, with stamps between its parts
        t = [clock()]
        acts, pre, h = [x], [], x
        for i, (w, b) in enumerate(params):
            z = h @ w.T + b
            pre.append(z)
            h = np.maximum(z, 0) if i < len(params) - 1 else z
            acts.append(h)
        t.append(clock())
        m = h.max(1, keepdims=True)
        e = np.exp(h - m)
        s = e.sum(1, keepdims=True)
        rows = np.arange(len(y))
        _loss = -(h[rows, y] - m[:, 0] - np.log(s[:, 0])).mean()  # computed as the baseline does, not needed here
        dz = e / s
        dz[rows, y] -= 1
        dz /= len(y)
        t.append(clock())
        grads = []
        for i in range(len(params) - 1, -1, -1):
            grads.append((dz.T @ acts[i], dz.sum(0)))
            if i:
                dz = (dz @ params[i][0]) * (pre[i - 1] > 0)
        t.append(clock())
        for (w, b), (dw, db) in zip(params, reversed(grads)):
            w -= mlp.LR * dw
            b -= mlp.LR * db
        t.append(clock())
        return t

    kernels = kernel_step(x, y, [(w.copy(), b.copy()) for w, b in params])
    return {"pathgrad": ours, "numpy": by_hand, "numpy, pathgrad's kernels": kernels}


def kernel_step(x: np.ndarray, y: np.ndarray, params: list[tuple[np.ndarray, np.ndarray]]
                ) -> Callable[[], list[float]]:
    """The arrays pathgrad's step computes, in its order (bias added in place, ReLU's mask from its output, the
    fused cross-entropy, ``p += -lr·g``), by hand and with none of pathgrad's Python around them; ``params`` are
    updated in place. Timed beside the two steps, it tells the arithmetic apart from the bookkeeping."""
    clock = time.perf_counter

    def step() -> list[float]:
        t = [clock()]
        saved, h = [], x
        for i, (w, b) in enumerate(params):
            saved.append(h)
            h = h @ w.T  # Linear: the product, the bias added in place
            h += b
            if i < len(params) - 1:
                h = np.maximum(h, 0)  # Relu keeps its output for the mask
        t.append(clock())
        _lo, _hi = y.min(), y.max()  # cross_entropy's check of the targets
        index = (np.arange(len(y)), y)
        shifted = h - h.max(1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
        _loss = -logp[index].sum() / len(y)
        t.append(clock())
        onehot = np.zeros(logp.shape, logp.dtype)
        onehot[index] = 1
        dz = np.array(1, np.float32) * (1.0 / len(y)) * (np.exp(logp) - onehot)
        grads = []
        for i in range(len(params) - 1, -1, -1):
            w = params[i][0]
            dx = dz @ w if i else None  # no gradient for the input batch
            grads.append((dz.mT @ saved[i], dz.sum(0)))
            if i:
                dz = dx * (saved[i] > 0)
        t.append(clock())
        for (w, b), (dw, db) in zip(params, reversed(grads)):
            w += -mlp.LR * dw
            b += -mlp.LR * db
        t.append(clock())
        return t

    return step


def check_kernels(x: np.ndarray, y: np.ndarray) -> float:
    """One step of pathgrad and of ``kernel_step`` from the same weights: the largest difference in the updated
    weights (zero, or float32 rounding: otherwise the kernels are not pathgrad's)."""
    model = mlp.pathgrad_model()
    params = mlp.weights(model)
    mlp.pathgrad_step(x, y, model)()
    kernel_step(x, y, params)()
    return max(float(np.abs(ours - theirs).max()) for (ours, _), (theirs, _) in zip(mlp.weights(model), params))


def phases(repeat: int) -> dict[str, list[float]]:
    """Median seconds of each phase, per library (turns of 10 consecutive steps, shuffled, as ``_common.timed``)."""
    fns = phased_steps(*mlp.data(), mlp.SIZES)
    times: dict = defaultdict(list)
    order = list(fns.items())
    for _ in range(10):
        for fn in fns.values():
            fn()
    shuffle = random.Random(0).shuffle
    for _ in range(repeat // 10):
        shuffle(order)
        for name, fn in order:
            for _ in range(10):
                gc.collect()
                t = fn()
                times[name].append(np.diff(t))
    return {k: list(np.median(np.array(v), axis=0)) for k, v in times.items()}


def cold_forward(repeat: int) -> dict[tuple[str, str], float]:
    """Median seconds of a tiny MLP's forward, pathgrad's and NumPy's, warm and right after evicting the caches."""
    sizes = (8, 8, 8, 2)
    x, _ = mlp.data(4, sizes)
    model = mlp.pathgrad_model(sizes)
    params = mlp.weights(model)
    xt = autograd.tensor(x)

    def by_hand() -> None:
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w.T + b
            if i < len(params) - 1:
                h = np.maximum(h, 0)

    fns = {"pathgrad": lambda: model(xt), "numpy": by_hand}
    big = np.ones(2 << 20, dtype=np.float32)  # 8 MB, more than the L2 cache
    times: dict = defaultdict(list)
    keys = [(name, state) for name in fns for state in ("warm", "cold")]
    shuffle = random.Random(0).shuffle
    for _ in range(repeat // 10):
        shuffle(keys)
        for name, state in keys:
            for _ in range(10):
                if state == "cold":
                    big.sum()
                t0 = time.perf_counter()
                fns[name]()
                times[name, state].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=300)
    args = ap.parse_args()
    steady_heap()
    diff = check_kernels(*mlp.data())
    print(f"pathgrad's kernels by hand: max |ΔW| from pathgrad's step after one step {diff:.1e}")
    gc.collect()
    gc.freeze()
    med = phases(args.repeat)
    print(f"MLP {'-'.join(map(str, mlp.SIZES))} step by phase (ms)")
    print(f"  {'':27s}" + "".join(f"{p:>10s}" for p in (*PHASES, "total")))
    kernels = med["numpy, pathgrad's kernels"]
    med["pathgrad − numpy"] = [a - b for a, b in zip(med["pathgrad"], med["numpy"])]
    med["pathgrad − its kernels"] = [a - b for a, b in zip(med["pathgrad"], kernels)]
    med["its kernels − numpy"] = [a - b for a, b in zip(kernels, med["numpy"])]
    for name, ts in med.items():
        print(f"  {name:27s}" + "".join(f"{t * 1e3:10.3f}" for t in (*ts, sum(ts))))
    cold = cold_forward(args.repeat * 5)
    print("Tiny MLP 8-8-8-2 forward (µs): warm, cold (after evicting the caches)")
    for name in ("pathgrad", "numpy"):
        w, c = cold[name, "warm"] * 1e6, cold[name, "cold"] * 1e6
        print(f"  {name:9s} warm {w:7.1f}   cold {c:7.1f}   cold − warm {c - w:6.1f}")


if __name__ == "__main__":
    main()
