"""Backward over long chains (100k … 600k nodes): the time per node must stay about constant (linear time), and
nothing may recurse (the interpreter's default recursion limit is kept, so a recursive sort would fail at ~1,000).

Each chain is y = x·c·c·…·c (one Mul node per step) on a float32 scalar. Only ``backward()`` is timed (the graph is
rebuilt untimed before each run, since backward frees it); median of a few runs, the sizes taking turns. The
per-node ratio is the time per node at size n over the time per node at 100k: about 1 for linear time, growing with n
for anything quadratic.
With --torch, PyTorch's time for the same chain is printed for reference.

    python bench/chain.py [--sizes 100000 200000 400000 600000] [--repeat 3] [--torch]
"""

from __future__ import annotations

import os

if __name__ == "__main__":  # run on its own: one thread; imported by run.py: leave the defaults to run.py
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

import autograd  # noqa: E402

SIZES = (100_000, 200_000, 400_000, 600_000)
C = 1.0000001


def build(n: int, lib=autograd):
    x = lib.tensor(1.0, dtype=lib.float32, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * C
    return x, y


def time_backward(n: int, lib=autograd) -> float:
    x, y = build(n, lib)
    gc.collect()
    t0 = time.perf_counter()
    y.backward()
    elapsed = time.perf_counter() - t0
    assert x.grad is not None
    return elapsed


def time_sizes(sizes, repeat: int, lib=autograd) -> dict[int, float]:
    """Median backward time per size, the sizes taking turns (round after round), so that the machine's slow spells
    hit every size alike: one size timed at a stretch read 1.6× the per-node time of the others in one run here."""
    times: dict[int, list[float]] = {n: [] for n in sizes}
    for _ in range(repeat):
        for n in sizes:
            times[n].append(time_backward(n, lib))
    return {n: statistics.median(v) for n, v in times.items()}


def measure(sizes=SIZES, repeat: int = 3, torch_too: bool = False) -> dict[str, dict[int, float]]:
    """{'pathgrad': {n: seconds}, 'torch': {...}}; raises if anything recurses past the default limit."""
    limit = sys.getrecursionlimit()
    assert limit <= 1000, f"the recursion limit was raised to {limit}; this check needs the default"
    out = {"pathgrad": time_sizes(sizes, repeat)}
    if torch_too:
        try:
            import torch

            torch.set_num_threads(1)
            out["torch"] = time_sizes(sizes, repeat, torch)
        except ImportError:
            pass
    return out


def rows(t: dict[str, dict[int, float]]) -> list[tuple[str, float, float, str]]:
    """Runner rows: chain of n nodes against the 100k time scaled linearly to n (ratio = per-node ratio)."""
    ours = t["pathgrad"]
    n0 = min(ours)
    return [(f"chain of {n // 1000}k nodes, backward", ours[n], ours[n0] * n / n0, f"linear from {n0 // 1000}k")
            for n in sorted(ours) if n != n0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--torch", action="store_true", help="also time PyTorch on the same chains, for reference")
    args = ap.parse_args()
    t = measure(args.sizes, args.repeat, args.torch)
    n0 = min(args.sizes)
    print(f"{'nodes':>9} {'pathgrad':>12} {'ns/node':>9} {'per-node ratio':>15}   {'torch':>10}")
    for n in args.sizes:
        ours = t["pathgrad"][n]
        ref = f"{t['torch'][n] * 1e3:8.1f} ms" if "torch" in t else "   -"
        print(f"{n:>9,} {ours * 1e3:9.1f} ms {ours / n * 1e9:9.0f} {ours / n / (t['pathgrad'][n0] / n0):15.2f}   {ref}")
    print(f"no RecursionError at recursion limit {sys.getrecursionlimit()}")


if __name__ == "__main__":
    main()
