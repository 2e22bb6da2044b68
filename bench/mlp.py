"""MLP 784-256-256-10, batch 128, float32: forward, cross-entropy, backward and an SGD step.

pathgrad (nn.Linear / nn.ReLU, nn.functional.cross_entropy, optim.SGD) against a hand-written NumPy MLP doing the
same math (forward, log-softmax cross-entropy, the backward by hand, W -= lr·dW), and against PyTorch on the CPU when
it is installed. All three start from the same weights; the step times are medians over many repetitions, measured
alternately in one process, each library at its default thread count and again on one thread (``_threads``).
Also: the peak memory of one step (tracemalloc, which sees NumPy's allocations) for pathgrad against the NumPy
baseline, and a check that parameters, gradients and loss stay float32.

    python bench/mlp.py [--repeat 200] [--profile] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import STEP_BLOCK, timed  # noqa: E402
from _threads import THREADS, both  # noqa: E402
from _timing import row  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from nn import functional as F  # noqa: E402

SIZES = (784, 256, 256, 10)
BATCH, LR = 128, 0.01
NAME = "MLP 784-256-256-10 b128 f32 SGD step"


def data(batch: int = BATCH, sizes: tuple[int, ...] = SIZES, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, sizes[0])).astype(np.float32), rng.integers(0, sizes[-1], batch)


def pathgrad_model(sizes: tuple[int, ...] = SIZES) -> nn.Sequential:
    autograd.manual_seed(0)
    layers: list = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def weights(model: nn.Sequential) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per Linear layer, copied: W has torch's shape (out, in)."""
    return [(m.weight.array.copy(), m.bias.array.copy()) for m in model if isinstance(m, nn.Linear)]


# ---- pathgrad -------------------------------------------------------------------------------------------------------
def pathgrad_step(x: np.ndarray, y: np.ndarray, model: nn.Sequential,
                  opt_factory=None) -> Callable[[], autograd.Tensor]:
    opt = (opt_factory or (lambda ps: optim.SGD(ps, lr=LR)))(list(model.parameters()))
    xt, yt = autograd.tensor(x), autograd.tensor(y)

    def step() -> autograd.Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step


# ---- hand-written NumPy: the same math, forward and backward by hand ------------------------------------------------
def numpy_forward_backward(x: np.ndarray, y: np.ndarray, params: list[tuple[np.ndarray, np.ndarray]]):
    """Loss and [(dW, db)] of the ReLU MLP with mean cross-entropy, y = x Wᵀ + b per layer."""
    acts, pre = [x], []
    h = x
    for i, (w, b) in enumerate(params):
        z = h @ w.T + b
        pre.append(z)
        h = np.maximum(z, 0) if i < len(params) - 1 else z
        acts.append(h)
    z = acts[-1]
    m = z.max(1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(1, keepdims=True)
    n = len(y)
    rows = np.arange(n)
    loss = -(z[rows, y] - m[:, 0] - np.log(s[:, 0])).mean()
    dz = e / s  # softmax
    dz[rows, y] -= 1
    dz /= n
    grads = []
    for i in range(len(params) - 1, -1, -1):
        w, _ = params[i]
        a = acts[i]
        grads.append((dz.T @ a, dz.sum(0)))
        if i:
            dz = (dz @ w) * (pre[i - 1] > 0)
    grads.reverse()
    return loss, grads


def numpy_step(x: np.ndarray, y: np.ndarray, params: list[tuple[np.ndarray, np.ndarray]]) -> Callable[[], float]:
    def step() -> float:
        loss, grads = numpy_forward_backward(x, y, params)
        for (w, b), (dw, db) in zip(params, grads):
            w -= LR * dw
            b -= LR * db
        return loss

    return step


# ---- PyTorch --------------------------------------------------------------------------------------------------------
def torch_model(params: list[tuple[np.ndarray, np.ndarray]]):
    import torch

    layers: list = []
    for i, (w, b) in enumerate(params):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(params) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_step(x: np.ndarray, y: np.ndarray, params, opt_factory=None) -> Callable[[], object] | None:
    try:
        import torch
    except ImportError:
        return None
    model = torch_model(params)
    opt = (opt_factory or (lambda ps: torch.optim.SGD(ps, lr=LR)))(model.parameters())
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step


# ---- checks ---------------------------------------------------------------------------------------------------------
def check_same_math(x: np.ndarray, y: np.ndarray) -> float:
    """One step of pathgrad and of the NumPy baseline from the same weights: the largest difference in the updated
    weights (they must agree to float32 rounding, or the comparison is not like for like)."""
    model = pathgrad_model()
    params = weights(model)
    l1 = pathgrad_step(x, y, model)().item()
    l2 = numpy_step(x, y, params)()
    assert abs(l1 - l2) < 1e-4 * max(1.0, abs(l2)), (l1, l2)
    diff = max(float(np.abs(m.weight.array - w).max()) for m, (w, _) in
               zip([m for m in model if isinstance(m, nn.Linear)], params))
    assert diff < 1e-5, diff
    return diff


def check_float32(x: np.ndarray, y: np.ndarray) -> list[str]:
    """dtypes after a few steps: parameters, their gradients and the loss must all still be float32."""
    model = pathgrad_model()
    step = pathgrad_step(x, y, model)
    for _ in range(3):
        loss = step()
    bad = [] if loss.dtype == np.float32 else [f"loss is {loss.dtype}"]
    for name, p in model.named_parameters():
        if p.array.dtype != np.float32:
            bad.append(f"parameter {name} is {p.array.dtype}")
        if p.grad is None or p.grad.array.dtype != np.float32:
            bad.append(f"grad of {name} is {None if p.grad is None else p.grad.array.dtype}")
    return bad


def peak_memory(step: Callable[[], object]) -> int:
    """Peak bytes traced during one step, above what was allocated before it (after a warm-up step)."""
    step()
    tracemalloc.start()
    try:
        step()  # allocate whatever a first traced run allocates once (caches), then measure the next
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def timings(repeat: int = 200, warmup: int = 10) -> dict[str, float]:
    """Median seconds per step: "pathgrad", "numpy" and (when installed) "torch" at the default thread counts, and
    each again as "<name> 1T" on one thread, measured alternately."""
    x, y = data()
    model = pathgrad_model()
    params = weights(model)
    fns = {"pathgrad": pathgrad_step(x, y, model), "numpy": numpy_step(x, y, [(w.copy(), b.copy()) for w, b in params])}
    t_step = torch_step(x, y, params)
    if t_step is not None:
        fns["torch"] = t_step
    fns, setup = both(fns)
    return timed(fns, repeat=repeat, warmup=warmup, block=STEP_BLOCK, setup=setup)


def measure(repeat: int = 200, warmup: int = 10) -> list[tuple[str, float, float | None, str]]:
    """Rows (workload, pathgrad s, baseline s, baseline name): vs hand-written NumPy, and vs torch, at the default
    thread counts and on one thread."""
    t = timings(repeat, warmup)
    return [(f"{NAME}{label}", t[f"pathgrad{k}"], t.get(f"{base}{k}"), name)
            for k, label in (("", ""), (" 1T", ", 1 thread")) for base, name in (("numpy", "numpy (by hand)"),
                                                                                  ("torch", "torch CPU"))]


def memory() -> tuple[int, int]:
    """(pathgrad peak bytes, NumPy peak bytes) of one MLP step."""
    x, y = data()
    model = pathgrad_model()
    params = weights(model)
    return peak_memory(pathgrad_step(x, y, model)), peak_memory(numpy_step(x, y, params))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--profile", action="store_true", help="cProfile pathgrad's step instead of timing")
    ap.add_argument("--json", action="store_true", help="print only the step timings, as JSON (for run.py)")
    args = ap.parse_args()
    if args.json:
        print(json.dumps(timings(args.repeat)))
        return
    x, y = data()
    if args.profile:
        import cProfile
        import pstats

        step = pathgrad_step(x, y, pathgrad_model())
        for _ in range(10):
            step()
        with cProfile.Profile() as prof:
            for _ in range(args.repeat):
                step()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    print(THREADS.describe())
    diff = check_same_math(x, y)
    bad = check_float32(x, y)
    print(f"same math as the NumPy baseline: max |ΔW| after one step {diff:.1e}; "
          f"float32 kept: {'yes' if not bad else 'NO: ' + '; '.join(bad)}")
    for r in measure(args.repeat):
        print(row(*r))
    ours, base = memory()
    print(f"peak memory of one step: pathgrad {ours / 2**20:.2f} MiB, numpy {base / 2**20:.2f} MiB, "
          f"ratio {ours / base:.2f}")


if __name__ == "__main__":
    main()
