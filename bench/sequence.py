"""Sequence-model training steps in pathgrad against PyTorch on the CPU, each at its default thread count and on one
thread: an LSTM layer and a Transformer encoder layer.

* LSTM(128, 128), input (seq 50, batch 32, 128);
* TransformerEncoderLayer(d_model 128, nhead 4, dim_feedforward 512; torch's defaults otherwise: dropout 0.1, ReLU,
  post-norm, sequence first), input (seq 50, batch 32, 128).

Each step: forward, MSE loss against a fixed target, backward, SGD update, float32. Both frameworks and both thread
settings (``_threads``) are timed alternately in one process (``_common.timed``); the figures are median step times.
(``rnn.py`` times the recurrent layers' forward + backward alone, with the composite LSTM beside them.)

    python bench/sequence.py [--repeat 30] [--profile lstm|transformer] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import timed  # noqa: E402
from _threads import THREADS, both  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402

SEQ, BATCH, WIDTH, HEADS, FF, LR = 50, 32, 128, 4, 512, 0.01
NAMES = {"lstm": f"LSTM h{WIDTH} b{BATCH} seq{SEQ} f32 SGD step",
         "transformer": f"TransformerEncoderLayer d{WIDTH} h{HEADS} ff{FF} b{BATCH} seq{SEQ} f32 SGD step"}
BLOCK = 5  # consecutive steps per turn (each step is tens of milliseconds)


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return (rng.standard_normal((SEQ, BATCH, WIDTH)).astype(np.float32),
            rng.standard_normal((SEQ, BATCH, WIDTH)).astype(np.float32))


def layer(mod, kind: str):
    return mod.LSTM(WIDTH, WIDTH) if kind == "lstm" else mod.TransformerEncoderLayer(WIDTH, HEADS, FF)


def pathgrad_step(kind: str) -> Callable[[], None]:
    autograd.manual_seed(0)
    model = layer(nn, kind)
    opt = optim.SGD(list(model.parameters()), lr=LR)
    x, target = (autograd.tensor(a) for a in data())

    def step() -> None:
        opt.zero_grad()
        out = model(x)
        loss = nn.functional.mse_loss(out[0] if isinstance(out, tuple) else out, target)
        loss.backward()
        opt.step()

    return step


def torch_step(kind: str) -> Callable[[], None] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    model = layer(torch.nn, kind)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    x, target = (torch.from_numpy(a) for a in data())

    def step() -> None:
        opt.zero_grad()
        out = model(x)
        loss = torch.nn.functional.mse_loss(out[0] if isinstance(out, tuple) else out, target)
        loss.backward()
        opt.step()

    return step


def timings(kind: str, repeat: int = 30) -> dict[str, float]:
    """Median seconds per step: "pathgrad", "torch" (when installed) at the default thread counts, and each again
    as "<name> 1T" on one thread."""
    fns = {"pathgrad": pathgrad_step(kind)}
    base = torch_step(kind)
    if base is not None:
        fns["torch"] = base
    fns, setup = both(fns)
    return timed(fns, repeat=repeat, warmup=2, block=BLOCK, setup=setup)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--only", choices=sorted(NAMES), help="time one of the two workloads")
    ap.add_argument("--profile", choices=sorted(NAMES), help="cProfile pathgrad's step instead of timing")
    ap.add_argument("--json", action="store_true", help="print only the timings, as JSON (for run.py)")
    args = ap.parse_args()
    kinds = [args.only] if args.only else sorted(NAMES)
    if args.profile:
        import cProfile
        import pstats

        step = pathgrad_step(args.profile)
        for _ in range(3):
            step()
        with cProfile.Profile() as prof:
            for _ in range(args.repeat):
                step()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    t = {kind: timings(kind, args.repeat) for kind in kinds}
    if args.json:
        print(json.dumps(t))
        return
    print(THREADS.describe())
    print("workload, threads, pathgrad ms, torch ms, ratio")
    for kind in kinds:
        for label, suffix in (("default", ""), ("1 thread", " 1T")):
            ours, theirs = t[kind][f"pathgrad{suffix}"], t[kind].get(f"torch{suffix}")
            base = "torch not installed, -" if theirs is None else f"{theirs * 1e3:.2f}, {ours / theirs:.2f}"
            print(f"{NAMES[kind]}, {label}, {ours * 1e3:.2f}, {base}")


if __name__ == "__main__":
    main()
