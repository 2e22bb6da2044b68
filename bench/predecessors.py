"""Why the small-Adam ratio depends on how the steps are interleaved: each step's time split by the step that ran
just before it, and the medians when each library runs a block of consecutive steps instead of one.

A step finds the CPU caches holding whatever the previous call used. One call per turn (the suite's timing until
the second session of 2026-12-02), about two steps in three follow another library's; a training loop runs the same
library's step back to back, which turns of consecutive calls measure (the suite now uses turns of
``_common.STEP_BLOCK``). Both views are printed.

    python bench/predecessors.py [--repeat 3000] [--block 10]
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
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import small_adam  # noqa: E402
from _common import steady_heap  # noqa: E402


def run(fns: dict, repeat: int, block: int) -> tuple[dict, dict]:
    """Medians per function and per (function, predecessor): ``repeat`` calls each, in shuffled blocks of ``block``."""
    times: dict = defaultdict(list)
    after: dict = defaultdict(list)
    order = list(fns.items())
    shuffle = random.Random(0).shuffle
    prev = None
    for _ in range(max(1, repeat // block)):
        shuffle(order)
        for name, fn in order:
            for _ in range(block):
                gc.collect()
                t0 = time.perf_counter()
                fn()
                dt = time.perf_counter() - t0
                times[name].append(dt)
                after[name, prev].append(dt)
                prev = name
    med = {k: statistics.median(v) for k, v in times.items()}
    return med, {k: (statistics.median(v), len(v)) for k, v in after.items() if k[1] is not None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3000)
    ap.add_argument("--block", type=int, default=10)
    args = ap.parse_args()
    fns = small_adam.fns()
    if "torch" not in fns:
        sys.exit("torch is not installed: nothing to compare with")
    steady_heap()  # as _common.timed does
    gc.collect()
    gc.freeze()
    for _ in range(50):
        for fn in fns.values():
            fn()
    for block in (1, args.block):
        med, after = run(fns, args.repeat, block)
        print(f"blocks of {block}: " + ", ".join(f"{k} {v * 1e3:.3f} ms" for k, v in med.items())
              + f"; pathgrad / torch {med['pathgrad'] / med['torch']:.2f}")
        if block == 1:
            for name in fns:
                print(f"  {name:8s} after " + ", ".join(f"{p} {t * 1e3:.3f} ms (n={n})"
                                                        for (k, p), (t, n) in sorted(after.items()) if k == name))


if __name__ == "__main__":
    main()
