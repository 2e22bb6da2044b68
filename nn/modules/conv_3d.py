"""``Conv3d``: a learnable 3-D cross-correlation with torch.nn's constructor, defaults and init."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ..functional.conv_3d import conv3d
from .conv import _ConvNd


class Conv3d(_ConvNd):
    """y = conv3d(x, weight, bias) for x of shape (N, C_in, D, H, W) or (C_in, D, H, W); weight
    (out, in/groups, kD, kH, kW) ~ U(±1/√fan_in), as Conv1d/Conv2d."""

    _nd = 3

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int, int],
                 stride: int | tuple[int, int, int] = 1, padding: int | tuple[int, int, int] | str = 0,
                 dilation: int | tuple[int, int, int] = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        return conv3d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
