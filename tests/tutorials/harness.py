"""Runs a tutorial program under pathgrad, or under torch, from one source.

A program is plain PyTorch tutorial code (``import torch``, ``import torch.nn as nn``, ``from torch.utils.data
import DataLoader``) that leaves the numbers it wants compared in a dict named ``RESULTS``. Under pathgrad its
import lines are rewritten — the word ``torch`` becomes ``pathgrad`` there and nowhere else — which is exactly the
port a user makes; under torch it runs as written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

PROGRAMS = Path(__file__).parent / "programs"
_IMPORT = re.compile(r"^(\s*)(import|from)\s+torch\b")


def ported(source: str) -> str:
    """``source`` with ``torch`` replaced by ``pathgrad`` in its import lines only (``import torch`` becomes
    ``import pathgrad as torch``, so that the rest of the program reads unchanged)."""
    out = []
    for line in source.splitlines():
        if _IMPORT.match(line):
            line = re.sub(r"^(\s*)import torch$", r"\1import pathgrad as torch", line)
            line = re.sub(r"\btorch\b(?!$)", "pathgrad", line) if " as torch" not in line else line
        out.append(line)
    return "\n".join(out) + "\n"


def run(name: str, backend: str) -> dict[str, Any]:
    """Execute programs/<name>.py under ``backend`` ("pathgrad" or "torch"); return its RESULTS as NumPy values."""
    path = PROGRAMS / f"{name}.py"
    source = path.read_text()
    if backend == "pathgrad":
        source = ported(source)
    scope: dict[str, Any] = {"__name__": f"tutorial_{name}", "__file__": str(path)}
    exec(compile(source, str(path), "exec"), scope)  # noqa: S102 (our own test programs)
    return {k: _numbers(v) for k, v in scope["RESULTS"].items()}


def _numbers(v: Any) -> Any:
    if hasattr(v, "detach"):
        return v.detach().numpy().copy()
    if isinstance(v, list | tuple):
        return [_numbers(x) for x in v]
    return v


def assert_same(a: dict, b: dict, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    assert a.keys() == b.keys(), (sorted(a), sorted(b))
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, list) and x and not all(isinstance(e, int | float | np.generic) for e in x):  # ragged too
            assert len(x) == len(y), k
            for i, (p, q) in enumerate(zip(x, y)):
                assert_same({f"{k}[{i}]": p}, {f"{k}[{i}]": q}, rtol, atol)
        else:
            np.testing.assert_allclose(np.asarray(x, dtype=float), np.asarray(y, dtype=float), rtol=rtol, atol=atol,
                                       err_msg=k)
