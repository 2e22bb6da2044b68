"""``conv3d`` with torch.nn.functional's signature, composed of the 2-D convolution.

A 3-D convolution is a 2-D one whose input channels are the kernel's depth slices: output depth position t reads,
for each kernel depth offset k, the input plane at depth t·stride + k·dilation. Stacking those kd planes as extra
input channels (per group) and laying the weight's depth out the same way turns the whole thing into ONE conv2d over
a batch of N·D_out images. Everything here is a differentiable op (pad, strided slices, stack, permute, reshape,
conv2d), so the gradients — of any order — come from conv2d's.
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor

from .conv import _padding, conv2d
from .conv_transpose import _ints


def _check(x: Tensor, w: Tensor, b: Tensor | None, groups: int) -> None:
    if x.ndim not in (4, 5):
        raise RuntimeError(f"Expected 4D (unbatched) or 5D (batched) input to conv3d, but got input of size: "
                           f"{list(x.shape)}")
    if w.ndim != 5:
        raise RuntimeError(f"conv3d: weight must be 5D (out_channels, in_channels/groups, kD, kH, kW), got "
                           f"{list(w.shape)}")
    if groups < 1:
        raise RuntimeError(f"conv3d: non-positive groups is not supported, got groups={groups}")
    if w.shape[0] % groups:
        raise RuntimeError(f"conv3d: Given groups={groups}, expected weight to be divisible by {groups} at dimension "
                           f"0, but got weight of size {list(w.shape)} instead")
    c = x.shape[0 if x.ndim == 4 else 1]
    if c != w.shape[1] * groups:
        raise RuntimeError(f"conv3d: Given groups={groups}, weight of size {list(w.shape)}, expected input"
                           f"{list(x.shape)} to have {w.shape[1] * groups} channels, but got {c} channels instead")
    if b is not None and tuple(b.shape) != (w.shape[0],):
        raise RuntimeError(f"conv3d: Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
                           f"{w.shape[0]} elements, but got bias of size {list(b.shape)} instead")


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D cross-correlation of (N, C, D, H, W) (or (C, D, H, W)) with weight (O, C/groups, kD, kH, kW), plus bias
    (O,). Padding may be an int, a 3-tuple, "valid" or "same"."""
    groups = int(groups)
    _check(input, weight, bias, groups)
    unbatched = input.ndim == 4
    x = input.unsqueeze(0) if unbatched else input
    s, d = _ints("conv3d", "stride", stride, 3), _ints("conv3d", "dilation", dilation, 3)
    if any(v <= 0 for v in s + d):
        raise RuntimeError(f"conv3d: stride and dilation must be positive, got stride={s}, dilation={d}")
    kernel = tuple(weight.shape[2:])
    try:
        pads = _padding(padding, kernel, s, d)
    except RuntimeError as e:  # conv.py's argument errors, named for conv3d
        raise RuntimeError(f"conv3d: {str(e).removeprefix('conv: ')}") from e
    if any(lo or hi for lo, hi in pads):
        x = autograd.pad(x, [v for lo_hi in reversed(pads) for v in lo_hi])
    out = tuple((n - di * (k - 1) - 1) // si + 1 for n, k, si, di in zip(x.shape[2:], kernel, s, d))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"conv3d: Calculated padded input size per channel: {tuple(x.shape[2:])}. Kernel size: "
                           f"{kernel} (dilation {d}). Kernel size can't be greater than actual input size")
    n, c, _, hp, wp = x.shape
    o, kd, do = weight.shape[0], kernel[0], out[0]
    g = groups
    # planes[:, :, k, t] = the input plane that output depth t reads at kernel depth offset k
    planes = autograd.stack([x[:, :, k * d[0]:k * d[0] + s[0] * (do - 1) + 1:s[0]] for k in range(kd)], 2)
    cols = planes.reshape(n, g, c // g, kd, do, hp, wp).permute(0, 4, 1, 3, 2, 5, 6).reshape(n * do, c * kd, hp, wp)
    w2 = weight.permute(0, 2, 1, 3, 4).reshape(o, kd * (c // g), *kernel[1:])  # per group: (kd, C/g) channels
    y = conv2d(cols, w2, None, s[1:], 0, d[1:], g)
    y = y.reshape(n, do, o, *out[1:]).permute(0, 2, 1, 3, 4)
    if bias is not None:
        y = y + autograd.reshape(bias if bias.dtype == y.dtype else bias.to(y.dtype), (-1, 1, 1, 1))
    return y.squeeze(0) if unbatched else y
