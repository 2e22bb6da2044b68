"""A LeNet-style CNN training step in pathgrad against PyTorch on the CPU, each at its default thread count and on
one thread.

Conv2d(1,8,3)-ReLU-MaxPool2d(2)-Conv2d(8,16,3)-ReLU-MaxPool2d(2)-Flatten-Linear(400,10), batch 64 of 1×28×28:
forward, cross-entropy, backward, and a plain SGD update (p -= lr·grad under no_grad). Both frameworks, in both thread
settings (``_threads``), are timed alternately in one process (``_common.timed``, as in ``run.py``); the figures are
median step times, and the ratios pathgrad / torch at the defaults (the headline) and on one thread.

    python bench/cnn.py [--repeat 200] [--profile] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import STEP_BLOCK, timed  # noqa: E402
from _threads import THREADS, both  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402

BATCH, LR = 64, 0.01


def lenet(mod) -> object:
    return mod.Sequential(mod.Conv2d(1, 8, 3), mod.ReLU(), mod.MaxPool2d(2), mod.Conv2d(8, 16, 3), mod.ReLU(),
                          mod.MaxPool2d(2), mod.Flatten(), mod.Linear(400, 10))


def pathgrad_step(x: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    autograd.manual_seed(0)
    model, loss_fn = lenet(nn), nn.CrossEntropyLoss()
    params = list(model.parameters())
    xt, yt = autograd.tensor(x), autograd.tensor(y)

    def step() -> None:
        for p in params:
            p.grad = None
        loss = loss_fn(model(xt), yt)
        loss.backward()
        with autograd.no_grad():
            for p in params:
                p -= LR * p.grad

    return step


def torch_step(x: np.ndarray, y: np.ndarray) -> Callable[[], None] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    model, loss_fn = lenet(torch.nn), torch.nn.CrossEntropyLoss()
    params = list(model.parameters())
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step() -> None:
        for p in params:
            p.grad = None
        loss = loss_fn(model(xt), yt)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad

    return step


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, BATCH).astype(np.int64)


def timings(repeat: int = 200) -> dict[str, float]:
    """Median seconds per step: "pathgrad", "torch" (when installed) at the default thread counts, and each again
    as "<name> 1T" on one thread."""
    x, y = data()
    fns = {"pathgrad": pathgrad_step(x, y)}
    base = torch_step(x, y)
    if base is not None:
        fns["torch"] = base
    fns, setup = both(fns)
    return timed(fns, repeat=repeat, warmup=10, block=STEP_BLOCK, setup=setup)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--profile", action="store_true", help="cProfile pathgrad's step instead of timing")
    ap.add_argument("--json", action="store_true", help="print only the timings, as JSON (for run.py)")
    args = ap.parse_args()
    if args.json:
        print(json.dumps(timings(args.repeat)))
        return
    if args.profile:
        import cProfile
        import pstats

        ours = pathgrad_step(*data())
        for _ in range(10):
            ours()
        with cProfile.Profile() as prof:
            for _ in range(args.repeat):
                ours()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    t = timings(args.repeat)
    print(THREADS.describe())
    print("workload, threads, pathgrad ms, torch ms, ratio")
    for label, suffix in (("default", ""), ("1 thread", " 1T")):
        ours, theirs = t[f"pathgrad{suffix}"], t.get(f"torch{suffix}")
        base = "torch not installed, -" if theirs is None else f"{theirs * 1e3:.3f}, {ours / theirs:.2f}"
        print(f"lenet train step (batch {BATCH}), {label}, {ours * 1e3:.3f}, {base}")


if __name__ == "__main__":
    main()
