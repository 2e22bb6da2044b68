"""Recurrent layers in pathgrad against PyTorch on the CPU: forward + backward of LSTM, GRU and RNN.

Batch 32, sequence 50, input 128, hidden 128, float32: ``out, _ = layer(x); out.sum().backward()``. The LSTM is also
run with its step composed of autograd's ops (matmul, add, chunk, sigmoid, tanh, mul: 15 nodes a step) instead of
``nn/functional/rnn.py``'s one node per step, the design choice that file's docstring records. Timed alternately in
one process (``_common.timed``); the figure is the median, the ratio pathgrad / torch.

    python bench/rnn.py                    # one thread for NumPy's BLAS and for torch
    python bench/rnn.py --default-threads  # both libraries left at their default thread counts
"""

from __future__ import annotations

import os
import sys

# One BLAS / OpenMP thread for both numpy and torch, set before either is imported (unless asked otherwise).
if "--default-threads" not in sys.argv:
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

import argparse  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from _common import timed  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402

BATCH, SEQ, INPUT, HIDDEN = 32, 50, 128, 128


def composite_lstm(layer: nn.LSTM, x: autograd.Tensor) -> autograd.Tensor:
    """The same LSTM layer, each step composed of autograd's ops (the alternative to one node per step)."""
    w_ih, w_hh, b_ih, b_hh = layer.weight_ih_l0, layer.weight_hh_l0, layer.bias_ih_l0, layer.bias_hh_l0
    steps, batch = x.shape[0], x.shape[1]
    xg = nn.functional.linear(x.reshape(steps * batch, INPUT), w_ih, b_ih + b_hh).reshape(steps, batch, -1)
    h = c = autograd.zeros(batch, HIDDEN)
    w_t = w_hh.mT
    outs = []
    for t in range(steps):
        i, f, g, o = (xg[t] + h @ w_t).chunk(4, 1)
        c = i.sigmoid() * g.tanh() + f.sigmoid() * c
        h = o.sigmoid() * c.tanh()
        outs.append(h)
    return autograd.stack(outs)


def pathgrad_fns(x: np.ndarray) -> dict[str, Callable[[], None]]:
    autograd.manual_seed(0)
    xt = autograd.tensor(x, requires_grad=True)
    fns = {}
    for name, layer in (("LSTM", nn.LSTM(INPUT, HIDDEN)), ("GRU", nn.GRU(INPUT, HIDDEN)),
                        ("RNN", nn.RNN(INPUT, HIDDEN))):
        def step(layer: nn.Module = layer) -> None:
            layer.zero_grad()
            xt.grad = None
            out, _ = layer(xt)
            out.sum().backward()

        fns[name] = step
    lstm = nn.LSTM(INPUT, HIDDEN)

    def composite() -> None:
        lstm.zero_grad()
        composite_lstm(lstm, xt).sum().backward()

    fns["LSTM composite"] = composite
    return fns


def torch_fns(x: np.ndarray, default_threads: bool) -> dict[str, Callable[[], None]]:
    try:
        import torch
    except ImportError:
        return {}
    if not default_threads:
        torch.set_num_threads(1)
    torch.manual_seed(0)
    xt = torch.tensor(x, requires_grad=True)
    fns = {}
    for name, layer in (("LSTM", torch.nn.LSTM(INPUT, HIDDEN)), ("GRU", torch.nn.GRU(INPUT, HIDDEN)),
                        ("RNN", torch.nn.RNN(INPUT, HIDDEN))):
        def step(layer: torch.nn.Module = layer) -> None:
            layer.zero_grad()
            xt.grad = None
            out, _ = layer(xt)
            out.sum().backward()

        fns[name] = step
    return fns


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--default-threads", action="store_true", help="leave NumPy's BLAS and torch at their defaults")
    ap.add_argument("--profile", action="store_true", help="cProfile pathgrad's LSTM step instead of timing")
    args = ap.parse_args()
    x = np.random.default_rng(0).standard_normal((SEQ, BATCH, INPUT)).astype(np.float32)
    ours = pathgrad_fns(x)
    if args.profile:
        import cProfile
        import pstats

        for _ in range(3):
            ours["LSTM"]()
        with cProfile.Profile() as prof:
            for _ in range(args.repeat):
                ours["LSTM"]()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    base = torch_fns(x, args.default_threads)
    fns = {f"pathgrad {k}": v for k, v in ours.items()} | {f"torch {k}": v for k, v in base.items()}
    t = timed(fns, repeat=args.repeat, warmup=3)
    threads = "default threads" if args.default_threads else "1 thread"
    print(f"forward + backward, batch {BATCH}, seq {SEQ}, input {INPUT}, hidden {HIDDEN}, float32, {threads}")
    print("workload, pathgrad ms, torch ms, ratio")
    for k in ours:
        theirs = t.get(f"torch {k.split()[0]}")
        ratio = f"{t[f'pathgrad {k}'] / theirs:.2f}" if theirs else "-"
        print(f"{k}, {t[f'pathgrad {k}'] * 1e3:.2f}, {'-' if theirs is None else f'{theirs * 1e3:.2f}'}, {ratio}")


if __name__ == "__main__":
    main()
