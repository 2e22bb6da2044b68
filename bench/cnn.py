"""A LeNet-style CNN training step in pathgrad against PyTorch on the CPU, both single-threaded.

Conv2d(1,8,3)-ReLU-MaxPool2d(2)-Conv2d(8,16,3)-ReLU-MaxPool2d(2)-Flatten-Linear(400,10), batch 64 of 1×28×28:
forward, cross-entropy, backward, and a plain SGD update (p -= lr·grad under no_grad). The two frameworks are timed
alternately in one process (``_common.timed``, as in ``run.py``); the figure is the median step time, and the ratio
pathgrad / torch.

    python bench/cnn.py [--repeat 200] [--profile]
"""

from __future__ import annotations

import os

# One BLAS / OpenMP thread for both numpy and torch, set before either is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from _common import STEP_BLOCK, timed  # noqa: E402

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
    torch.set_num_threads(1)
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--profile", action="store_true", help="cProfile pathgrad's step instead of timing")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, BATCH).astype(np.int64)
    ours = pathgrad_step(x, y)
    if args.profile:
        import cProfile
        import pstats

        for _ in range(10):
            ours()
        with cProfile.Profile() as prof:
            for _ in range(args.repeat):
                ours()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    fns = {"pathgrad": ours}
    base = torch_step(x, y)
    if base is not None:
        fns["torch"] = base
    t = timed(fns, repeat=args.repeat, warmup=10, block=STEP_BLOCK)
    print("workload, pathgrad ms, baseline ms, ratio")
    name = f"lenet train step (batch {BATCH}, 1 thread)"
    if base is None:
        print(f"{name}, {t['pathgrad'] * 1e3:.3f}, torch not installed, -")
    else:
        print(f"{name}, {t['pathgrad'] * 1e3:.3f}, {t['torch'] * 1e3:.3f}, {t['pathgrad'] / t['torch']:.2f}")


if __name__ == "__main__":
    main()
