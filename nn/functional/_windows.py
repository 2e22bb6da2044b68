"""Sliding windows over the spatial dims of an (N, C, H, W) array: the numpy core of convolution and pooling.

``windows`` is im2col without the copy: a strided *view* of shape (N, C, KH, KW, OH, OW) whose element
[n, c, i, j, oh, ow] is the padded input at (oh·stride + i·dilation, ow·stride + j·dilation). ``col2im`` is its
adjoint: it adds such an array back onto the input positions it was read from (positions read by several windows
accumulate), looping only over the KH×KW kernel offsets — each step is one whole-array strided add.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided


class Geometry(NamedTuple):
    """Where the windows of a 2-D convolution or pooling lie. ``padding`` is ((top, bottom), (left, right))."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[tuple[int, int], tuple[int, int]]
    dilation: tuple[int, int]
    in_hw: tuple[int, int]

    @property
    def out_hw(self) -> tuple[int, int]:
        return tuple(  # type: ignore[return-value]
            (n + lo + hi - d * (k - 1) - 1) // s + 1
            for n, (lo, hi), d, k, s in zip(self.in_hw, self.padding, self.dilation, self.kernel, self.stride)
        )

    @property
    def padded_hw(self) -> tuple[int, int]:
        return tuple(n + lo + hi for n, (lo, hi) in zip(self.in_hw, self.padding))  # type: ignore[return-value]

    @property
    def overlapping(self) -> bool:
        """Whether one input position can be read by more than one window."""
        return any(s < d * (k - 1) + 1 for s, d, k in zip(self.stride, self.dilation, self.kernel))


def pad(x: np.ndarray, g: Geometry, fill: float = 0.0) -> np.ndarray:
    """x padded on H and W (no copy when there is no padding). Faster than np.pad for this fixed case."""
    (t, b), (l, r) = g.padding
    if t == b == l == r == 0:
        return x
    n, c, h, w = x.shape
    out = np.full((n, c, h + t + b, w + l + r), fill, dtype=x.dtype)
    out[:, :, t:t + h, l:l + w] = x
    return out


def windows(xp: np.ndarray, g: Geometry) -> np.ndarray:
    """Read-only view (N, C, KH, KW, OH, OW) of the padded input ``xp``."""
    n, c = xp.shape[:2]
    sn, sc, sh, sw = xp.strides
    (kh, kw), (oh, ow) = g.kernel, g.out_hw
    (th, tw), (dh, dw) = g.stride, g.dilation
    return as_strided(xp, (n, c, kh, kw, oh, ow), (sn, sc, sh * dh, sw * dw, sh * th, sw * tw), writeable=False)


def add_windows(out: np.ndarray, cols: np.ndarray, g: Geometry) -> None:
    """``out`` (N, C, Hp, Wp), the padded input's shape, += ``cols`` (N, C, KH, KW, OH, OW) added back onto the
    positions ``windows`` read them from: the adjoint of ``windows``."""
    (kh, kw), (oh, ow) = g.kernel, g.out_hw
    (th, tw), (dh, dw) = g.stride, g.dilation
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh:i * dh + th * (oh - 1) + 1:th, j * dw:j * dw + tw * (ow - 1) + 1:tw] += cols[:, :, i, j]


def crop(xp: np.ndarray, g: Geometry) -> np.ndarray:
    """The view of a padded (N, C, Hp, Wp) array without its padding: ``pad``'s adjoint."""
    (t, _), (l, _) = g.padding
    h, w = g.in_hw
    return xp[:, :, t:t + h, l:l + w]


def col2im(cols: np.ndarray, g: Geometry) -> np.ndarray:
    """The adjoint of ``windows`` (followed by cropping the padding): (N, C, KH, KW, OH, OW) → (N, C, H, W)."""
    out = np.zeros((*cols.shape[:2], *g.padded_hw), dtype=cols.dtype)
    add_windows(out, cols, g)
    return crop(out, g)
