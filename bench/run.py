"""Run every benchmark workload and print one table: workload, pathgrad, baseline, ratio, target, and the same
comparison with every library on one thread.

Each ratio is pathgrad's time over the baseline's, both measured alternately in one process (medians over many
repetitions after warm-up). Every library runs at its default thread count (pathgrad's kernels, NumPy's OpenBLAS and
torch each on all cores: what a user gets; the headline, and what a target is judged on), and again on one thread
(``_threads``), alternately in the same process. The training steps run in five fresh interpreters each: the table
shows the run with the median ratio, and the ratios' range over the runs. Baselines: hand-written NumPy (always),
PyTorch CPU and micrograd when installed. Also: peak memory of the MLP step against NumPy, and the float32 audit.

    python bench/run.py [--quick] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import chain  # noqa: E402
import float32  # noqa: E402
import mlp  # noqa: E402
import scalar  # noqa: E402
import sequence  # noqa: E402
import small_adam  # noqa: E402
from _common import timed  # noqa: E402
from _threads import THREADS  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

# (workload, pathgrad s, baseline s | None, baseline name, target | None, ratio | None, its range over runs | None,
#  and on one thread: (pathgrad s, baseline s | None, ratio | None, range | None) | None)
Row = tuple


def plain(name: str, ours: float, base: float | None, baseline: str, target: float | None) -> Row:
    """A row from one measurement, without a one-thread view (the workload does not involve threads)."""
    return (name, ours, base, baseline, target, None if base is None else ours / base, None, None)


def fresh(script: str, *args: str) -> dict:
    """The timings a benchmark script prints with ``--json``, run in a fresh interpreter."""
    path = Path(__file__).with_name(script)
    done = subprocess.run([sys.executable, str(path), "--json", *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def over_runs(name: str, runs: list[dict], base: str, baseline: str, target: float | None) -> Row:
    """One row from several runs' timings: for each thread setting the run with the median ratio pathgrad / base,
    the median ratio and its range."""
    views = []
    for suffix in ("", " 1T"):
        if runs[0].get(base + suffix) is None:
            views.append((runs[0][f"pathgrad{suffix}"], None, None, None))
            continue
        ts = sorted(runs, key=lambda t: t[f"pathgrad{suffix}"] / t[base + suffix])
        ratios = [t[f"pathgrad{suffix}"] / t[base + suffix] for t in ts]
        mid = ts[len(ts) // 2]
        views.append((mid[f"pathgrad{suffix}"], mid[base + suffix], statistics.median(ratios),
                      (ratios[0], ratios[-1]) if len(ratios) > 1 else None))
    (ours, theirs, ratio, spread), one = views
    return (name, ours, theirs, baseline, target, ratio, spread, one)


def step_rows(runs: int, quick: bool) -> list[Row]:
    """The training steps, each in ``runs`` fresh interpreters: MLP (vs NumPy and torch), small Adam, CNN, LSTM,
    Transformer encoder layer."""
    n = str(20 if quick else 300)
    t = [fresh("mlp.py", "--repeat", n) for _ in range(runs)]
    rows = [over_runs(mlp.NAME, t, "numpy", "numpy (by hand)", 1.15),
            over_runs(mlp.NAME, t, "torch", "torch CPU", None)]
    t = [fresh("small_adam.py", "--repeat", "100" if quick else "3000") for _ in range(runs)]
    rows += [over_runs(small_adam.NAME, t, "torch", "torch CPU", 0.5),
             over_runs(small_adam.NAME, t, "numpy", "numpy (by hand)", None)]
    t = [fresh("cnn.py", "--repeat", "20" if quick else "200") for _ in range(runs)]
    rows.append(over_runs("CNN LeNet-style b64 f32 SGD step", t, "torch", "torch CPU", 1.0))
    for kind in ("lstm", "transformer"):
        t = [fresh("sequence.py", "--only", kind, "--repeat", "5" if quick else "30")[kind] for _ in range(runs)]
        rows.append(over_runs(sequence.NAMES[kind], t, "torch", "torch CPU", 1.5))
    return rows


def scalar_rows(repeat: int) -> list[Row]:
    """The scalar graph in a fresh interpreter (``scalar.py --json``), as micrograd's demo runs, then here too.

    Most of micrograd's step is its cyclic garbage collection, whose cost depends on every object the process holds
    and on when the collector runs: this process has torch loaded and, for the other rows, frozen out of the
    collector's sight (``_common.timed``). The target is judged on the fresh interpreter's training loop; the other
    views are printed beside it.
    """
    t = fresh("scalar.py", "--repeat", str(repeat))
    rows = [plain("micrograd demo MLP, scalar graph, full step (training loop)", t["pathgrad"], t.get("micrograd"),
                  "micrograd", 1.0),
            plain("  the same, one step per call, collected before each", t["pathgrad/per call"],
                  t.get("micrograd/per call"), "micrograd", None),
            plain("  the same, cyclic GC off", t["pathgrad/gc off"], t.get("micrograd/gc off"), "micrograd", None)]
    t = timed(scalar.fns(), repeat=repeat, warmup=1)
    return rows + [plain("  the same, per call, in this process (torch loaded, gc.freeze)", t["pathgrad"],
                         t.get("micrograd"), "micrograd", None)]


def _cells(ours: float, base: float | None, baseline: str, ratio: float | None, spread, judged: bool) -> str:
    if base is None:
        return f"{ours * 1e3:.2f} ms | {baseline}: not installed | –"
    # three decimals where a target is judged, so that a ratio printed next to its target shows which side it is on
    shown = f"{ratio:.3f}" if judged else f"{ratio:.2f}"
    if spread is not None:
        shown += f" ({spread[0]:.2f}–{spread[1]:.2f})"
    return f"{ours * 1e3:.2f} ms | {baseline} {base * 1e3:.2f} ms | {shown}"


def fmt(r: Row) -> str:
    name, ours, base, baseline, target, ratio, spread, one = r
    verdict = "–" if target is None or ratio is None else ("met" if ratio <= target else "MISSED")
    tgt = "–" if target is None else f"≤ {target:g}"
    single = "– | – | –" if one is None else _cells(one[0], one[1], baseline, one[2], one[3], False)
    main = _cells(ours, base, baseline, ratio, spread, target is not None)
    return f"| {name} | {main} | {tgt} | {verdict} | {single} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions and shorter chains (a smoke run)")
    ap.add_argument("--runs", type=int, default=5, help="fresh interpreters per training step (default 5)")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    q = args.quick
    load = open("/proc/loadavg").read().split()[:3] if Path("/proc/loadavg").exists() else "?"
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__ if torch else '-'}, "
          f"{platform.processor() or platform.machine()}; {THREADS.describe()}; load at start {load}")
    rows: list[Row] = []
    # The chain first: it checks that backward works at the default recursion limit, which micrograd then raises.
    ct = chain.measure((20_000, 40_000) if q else chain.SIZES, repeat=1 if q else 5, torch_too=False)
    rows += [plain(*r, 1.3) for r in chain.rows(ct)]
    rows += step_rows(1 if q else args.runs, q)
    rows += scalar_rows(2 if q else 11)
    load = open("/proc/loadavg").read().split()[:3] if Path("/proc/loadavg").exists() else "?"
    print(f"load at the end {load}\n")
    print("| workload | pathgrad | baseline | ratio | target | | 1 thread: pathgrad | baseline | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(fmt(r))
    ours, base = mlp.memory()
    print(f"| MLP 784-256-256-10 step, peak memory (tracemalloc) | {ours / 2**20:.2f} MiB | numpy (by hand) "
          f"{base / 2**20:.2f} MiB | {ours / base:.2f} | – | – | – | – | – |")
    x, y = mlp.data()
    bad = mlp.check_float32(x, y)
    print(f"\nMLP float32 check (params, grads, loss): {'ok' if not bad else '; '.join(bad)}")
    print(float32.report(*float32.audit()))


if __name__ == "__main__":
    main()
