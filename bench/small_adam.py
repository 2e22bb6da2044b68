"""A tiny MLP 2-16-16-2, batch 32, float32, with an Adam step: overhead-bound, so this measures per-op cost.

pathgrad (nn.Linear / nn.ReLU, cross-entropy, optim.Adam) against PyTorch on the CPU (the target: ≤ 0.5 of torch's
time) and against a hand-written NumPy forward/backward/Adam with the same math. All start from the same weights;
medians of alternating runs in one process, each library at its default thread count and again on one thread.

    python bench/small_adam.py [--repeat 2000] [--profile] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import mlp  # noqa: E402
from _common import STEP_BLOCK, timed  # noqa: E402
from _threads import THREADS, both  # noqa: E402
from _timing import row  # noqa: E402

import optim  # noqa: E402

SIZES = (2, 16, 16, 2)
BATCH, LR, BETAS, EPS = 32, 1e-3, (0.9, 0.999), 1e-8
NAME = "MLP 2-16-16-2 b32 f32 Adam step"


def numpy_adam_step(x: np.ndarray, y: np.ndarray, params: list[tuple[np.ndarray, np.ndarray]]) -> Callable[[], float]:
    flat = [a for wb in params for a in wb]
    m = [np.zeros_like(a) for a in flat]
    v = [np.zeros_like(a) for a in flat]
    t = [0]
    b1, b2 = BETAS

    def step() -> float:
        loss, grads = mlp.numpy_forward_backward(x, y, params)
        t[0] += 1
        c1, c2 = 1 - b1 ** t[0], math.sqrt(1 - b2 ** t[0])
        for p, g, mi, vi in zip(flat, [a for dwb in grads for a in dwb], m, v):
            mi += (1 - b1) * (g - mi)
            vi *= b2
            vi += (1 - b2) * g * g
            p -= (LR / c1) * mi / (np.sqrt(vi) / c2 + EPS)
        return loss

    return step


def fns() -> dict[str, Callable[[], object]]:
    x, y = mlp.data(BATCH, SIZES)
    model = mlp.pathgrad_model(SIZES)
    params = mlp.weights(model)
    out = {"pathgrad": mlp.pathgrad_step(x, y, model, lambda ps: optim.Adam(ps, lr=LR, betas=BETAS, eps=EPS)),
           "numpy": numpy_adam_step(x, y, [(w.copy(), b.copy()) for w, b in params])}
    try:
        import torch
    except ImportError:
        return out
    out["torch"] = mlp.torch_step(x, y, params, lambda ps: torch.optim.Adam(ps, lr=LR, betas=BETAS, eps=EPS))
    return out


def timings(repeat: int = 2000, warmup: int = 50) -> dict[str, float]:
    """Median seconds per step of each library at its default thread count, and as "<name> 1T" on one thread."""
    f, setup = both(fns())
    return timed(f, repeat=repeat, warmup=warmup, block=STEP_BLOCK, setup=setup)


def measure(repeat: int = 2000, warmup: int = 50) -> list[tuple[str, float, float | None, str]]:
    t = timings(repeat, warmup)
    return [(f"{NAME}{label}", t[f"pathgrad{k}"], t.get(f"{base}{k}"), name)
            for k, label in (("", ""), (" 1T", ", 1 thread")) for base, name in (("torch", "torch CPU"),
                                                                                  ("numpy", "numpy (by hand)"))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2000)
    ap.add_argument("--profile", action="store_true", help="cProfile pathgrad's step instead of timing")
    ap.add_argument("--json", action="store_true", help="print only the step timings, as JSON (for run.py)")
    args = ap.parse_args()
    if args.json:
        print(json.dumps(timings(args.repeat)))
        return
    if args.profile:
        import cProfile
        import pstats

        step = fns()["pathgrad"]
        for _ in range(50):
            step()
        with cProfile.Profile() as prof:
            for _ in range(args.repeat):
                step()
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        return
    print(THREADS.describe())
    f = fns()
    losses = {k: float(fn().item()) for k, fn in f.items()}  # first step, same weights: the same loss everywhere
    print("first-step loss: " + ", ".join(f"{k} {v:.6f}" for k, v in losses.items()))
    for r in measure(args.repeat):
        print(row(*r))


if __name__ == "__main__":
    main()
