"""``pad`` with torch.nn.functional's signature: modes constant, reflect, replicate and circular; negative widths crop.

The constant mode is ``autograd.pad`` (then a crop for negative widths). The other modes only *read* the input at
computed positions: along each padded dim, output position j reads input position idx[j] (reflected about the edges,
clamped to them, or wrapped around). So each is an integer index along that dim, and its gradient adds ȳ back onto
the positions read (repeats add up) — indexing's backward, differentiable to any order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import autograd
from autograd import Tensor

_AXES = "DHW"


def _source(mode: str, n: int, lo: int, hi: int) -> np.ndarray:
    """The input position each output position reads along a dim of size n padded by (lo, hi)."""
    if mode == "circular":  # torch crops first, then wraps around what is left
        start, stop = max(-lo, 0), n - max(-hi, 0)
        kept = np.arange(start, stop)
        return kept[np.arange(-max(lo, 0), len(kept) + max(hi, 0)) % max(len(kept), 1)] if len(kept) else kept
    j = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    j = np.abs(j)  # reflect about position 0, then about position n − 1
    return np.where(j > n - 1, 2 * (n - 1) - j, j)


def _check_mode(mode: str, x: Tensor, pad: list[int]) -> None:
    n = len(pad) // 2
    if n not in (1, 2, 3) or x.ndim not in (n + 1, n + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor. Supported combinations for "
            "non-constant padding:   - 2D or 3D input: padding size = 2 (pads last dimension)   - 3D or 4D input: "
            "padding size = 4 (pads last 2 dimensions)   - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    for i in range(n):
        d = x.ndim - 1 - i
        size, lo, hi = x.shape[d], pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(f"pad: Padding size should be less than the corresponding input dimension, but got: "
                               f"padding ({lo}, {hi}) at dimension {d} of input {list(x.shape)} (mode 'reflect')")
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError(f"pad: Padding value causes wrapping around more than once: padding ({lo}, {hi}) at "
                               f"dimension {d} of input {list(x.shape)} (mode 'circular' allows at most {size})")
        if mode != "circular" and size + lo + hi <= 0:
            raise RuntimeError(f"input ({_AXES[-1 - i]}: {size}) is too small. Calculated output "
                               f"{_AXES[-1 - i]}: {size + lo + hi} (pad {pad}, mode {mode!r})")


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad)/2 dims of ``input``: ``pad`` = (left, right) for the last dim, then for the one before,
    ... Negative widths remove elements. ``value`` fills in constant mode only."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2 (got pad={pad})")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    if mode == "constant":
        out = autograd.pad(input, [max(p, 0) for p in pad], value=0.0 if value is None else value)
        for i in range(len(pad) // 2):
            d, lo, hi = input.ndim - 1 - i, min(pad[2 * i], 0), min(pad[2 * i + 1], 0)
            if lo or hi:
                length = out.shape[d] + lo + hi
                if length < 0:
                    raise RuntimeError(f"pad: padding {pad} removes more than the {input.shape[d]} elements of "
                                       f"dimension {d} (input shape {list(input.shape)})")
                out = out.narrow(d, -lo, length)
        return out
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode} (expected 'constant', 'reflect', 'replicate' "
                                  "or 'circular')")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    _check_mode(mode, input, pad)
    out = input
    for i in range(len(pad) // 2):
        d = input.ndim - 1 - i
        out = out[(slice(None),) * d + (_source(mode, input.shape[d], pad[2 * i], pad[2 * i + 1]),)]
    return out
