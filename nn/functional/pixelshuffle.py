"""``pixel_shuffle`` and ``pixel_unshuffle`` with torch.nn.functional's signatures.

pixel_shuffle moves channel blocks into space: (*, C·r², H, W) → (*, C, H·r, W·r), output pixel (h·r + i, w·r + j)
of channel c being input channel c·r² + i·r + j at (h, w) — the sub-pixel convolution's upsampling step.
pixel_unshuffle is its inverse. Both are a reshape, a permute and a reshape, so their gradients are each other.
"""

from __future__ import annotations

from autograd import Tensor


def _check(op: str, x: Tensor, r: int, what: str) -> None:
    if x.ndim < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input with {x.ndim} "
                           "dimension(s)")
    if r <= 0:
        raise RuntimeError(f"{op} expects a positive {what}, but got {r}")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) → (*, C, H·r, W·r) with r = upscale_factor."""
    r = int(upscale_factor)
    _check("pixel_shuffle", input, r, "upscale_factor")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    b = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    x = x.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2)  # (C, H, i, W, j)
    return x.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H·r, W·r) → (*, C·r², H, W) with r = downscale_factor: the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    _check("pixel_unshuffle", input, r, "downscale_factor")
    *batch, c, h, w = input.shape
    for name, n, d in (("height", h, -2), ("width", w, -1)):
        if n % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({d})={n} is not divisible by {r}")
    b = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3)  # (C, i, j, H, W)
    return x.reshape(*batch, c * r * r, h // r, w // r)
