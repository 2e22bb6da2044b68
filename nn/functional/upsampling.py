"""``interpolate`` (resizing) with torch.nn.functional's signature: modes nearest, nearest-exact, linear, bilinear,
bicubic, trilinear and area, over 1, 2 or 3 spatial dims.

Every mode is separable: resizing is done one spatial dim at a time, and along one dim each output position is a
fixed combination of input positions. Nearest modes pick one input (an index, so values are copied exactly); the
others multiply by a constant (out, in) matrix of interpolation weights (``_matrix``). Both are linear in the input,
so the derivatives — of any order — are those of indexing and matmul: x̄ = Mᵀȳ along each dim.

Positions follow torch's CPU kernels exactly (and in the input's precision, as they do), so results match torch's:
with align_corners=False, output i samples input coordinate (i + ½)·scale − ½ (clamped at 0 for linear); with
align_corners=True, i·(in − 1)/(out − 1). ``scale`` is 1/scale_factor when a scale factor is given and not
recomputed, else in/out.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, from_numpy

from .pooling import _adaptive_matrix

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_INTERPOLATING = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
_AXES = {1: "W", 2: "HW", 3: "DHW"}


def _scale(n_in: int, n_out: int, align_corners: bool, factor: float | None, dt: np.dtype) -> Any:
    """torch's area_pixel_compute_scale, in the input's precision."""
    if align_corners:
        return dt.type(n_in - 1) / dt.type(n_out - 1) if n_out > 1 else dt.type(0)
    return dt.type(1.0 / factor) if factor is not None and factor > 0 else dt.type(n_in) / dt.type(n_out)


def _nearest_index(n_in: int, n_out: int, factor: float | None, exact: bool) -> np.ndarray:
    """The input position each output reads (torch computes it in float32 whatever the dtype)."""
    if n_out == n_in:
        return np.arange(n_out)
    if n_out == 2 * n_in and not exact:
        return np.arange(n_out) >> 1
    scale = np.float32(1.0 / factor) if factor is not None and factor > 0 else np.float32(n_in) / np.float32(n_out)
    pos = np.arange(n_out, dtype=np.float32) + (np.float32(0.5) if exact else np.float32(0))
    return np.minimum(np.floor(pos * scale).astype(np.int64), n_in - 1)


def _cubic_weights(t: np.ndarray) -> list[np.ndarray]:
    """Keys' cubic convolution weights (A = −0.75) of the 4 neighbours at offsets −1, 0, 1, 2 from ⌊x⌋."""
    a = t.dtype.type(-0.75)

    def near(x: np.ndarray) -> np.ndarray:  # |x| ≤ 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    one = t.dtype.type(1)
    return [far(t + one), near(t), near(one - t), far(2 * one - t)]


def _matrix(mode: str, n_in: int, n_out: int, align_corners: bool, factor: float | None, dt: np.dtype
            ) -> np.ndarray:
    """(n_out, n_in) weights: output i = Σ_j m[i, j]·input j."""
    if mode == "area":
        return _adaptive_matrix(n_in, n_out, dt)
    scale = _scale(n_in, n_out, align_corners, factor, dt)
    dst = np.arange(n_out, dtype=dt)
    half = dt.type(0.5)
    src = scale * dst if align_corners else scale * (dst + half) - half
    m = np.zeros((n_out, n_in), dtype=dt)
    rows = np.arange(n_out)
    if mode == "bicubic":
        base = np.floor(src).astype(np.int64)
        for k, w in enumerate(_cubic_weights(src - base.astype(dt))):  # neighbours past an edge read the edge
            np.add.at(m, (rows, np.clip(base - 1 + k, 0, n_in - 1)), w)
        return m
    src = np.maximum(src, 0) if not align_corners else src
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    lam = np.clip(src - i0.astype(dt), 0, 1)
    i1 = i0 + (i0 < n_in - 1)
    np.add.at(m, (rows, i0), 1 - lam)
    np.add.at(m, (rows, i1), lam)
    return m


def _sizes(x: Tensor, size: Any, scale_factor: Any, recompute: bool | None, mode: str) -> tuple[list, list]:
    """(output size, scale factor or None) per spatial dim, as torch's interpolate works them out."""
    dim = x.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if recompute and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if size is not None:
        sizes = list(size) if isinstance(size, tuple | list) else [size] * dim
        if len(sizes) != dim:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                             f"spatial dimensions of {list(x.shape[2:])} and output size of {size}. Please provide "
                             "input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                             "format.")
        if not all(isinstance(s, int | np.integer) for s in sizes):
            raise TypeError(f"interpolate: expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                            f"Tuple[int, int, int], but got size with types {[type(s) for s in sizes]}")
        return [int(s) for s in sizes], [None] * dim
    factors = list(scale_factor) if isinstance(scale_factor, tuple | list) else [scale_factor] * dim
    if len(factors) != dim:
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                         f"with spatial dimensions of {list(x.shape[2:])} and scale_factor of shape {scale_factor}. "
                         "Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, "
                         "...,sK) format.")
    factors = [float(f) for f in factors]
    sizes = [math.floor(n * f) for n, f in zip(x.shape[2:], factors)]
    # area mode always works from the integer size; so does recompute_scale_factor=True
    return sizes, [None] * dim if recompute or mode == "area" else factors


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize (N, C, *spatial) to ``size`` or by ``scale_factor`` per spatial dim. Modes: nearest, nearest-exact,
    area (any of 1–3 spatial dims), linear (1), bilinear and bicubic (2), trilinear (3)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear "
                             "| bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if input.ndim not in (3, 4, 5) or mode not in _MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: {' | '.join(_MODES)} (got {mode})")
    sizes, factors = _sizes(input, size, scale_factor, recompute_scale_factor, mode)
    if antialias:
        if mode in ("bilinear", "bicubic") and input.ndim == 4:
            raise NotImplementedError("interpolate: antialias=True is not supported; resize without it (or blur "
                                      "first)")
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                         "4-D tensor as input")
    if mode in _INTERPOLATING and input.ndim != _INTERPOLATING[mode]:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_INTERPOLATING[mode]}D input")
    if min(list(input.shape[2:]) + sizes) <= 0:
        axes = _AXES[input.ndim - 2]
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ("
                           f"{', '.join(f'{a}: {n}' for a, n in zip(axes, input.shape[2:]))}) output ("
                           f"{', '.join(f'{a}: {n}' for a, n in zip(axes, sizes))})")
    nearest = mode in ("nearest", "nearest-exact")
    if not nearest and input.dtype.kind != "f":
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented for {input.dtype} tensors; "
                                  "convert with .float() first")
    y = input
    for d, (n_in, n_out, f) in enumerate(zip(input.shape[2:], sizes, factors), start=2):
        if nearest:
            idx = _nearest_index(n_in, n_out, f, mode == "nearest-exact")
            if n_out != n_in:
                y = y[(slice(None),) * d + (idx,)]
            continue
        m = _matrix(mode, n_in, n_out, align_corners, f, input.dtype)
        if n_out == n_in and np.array_equal(m, np.eye(n_in, dtype=m.dtype)):
            continue
        y = (y.movedim(d, -1) @ from_numpy(np.ascontiguousarray(m.T))).movedim(-1, d)
    return y if y is not input else input.clone()


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated in torch in favour of ``interpolate``; the same thing."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``interpolate(..., mode="nearest")`` (deprecated in torch)."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``interpolate(..., mode="bilinear", align_corners=True)`` (deprecated in torch)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
