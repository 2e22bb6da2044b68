"""``ConvTranspose1d`` and ``ConvTranspose2d``: learnable transposed convolutions with torch.nn's constructor,
parameter shapes, initialisation and ``output_size=`` in forward."""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from autograd.device import check_device
from autograd.dtypes import to_dtype

from ..functional.conv_transpose import conv_transpose1d, conv_transpose2d
from ..module import Module
from ..parameter import Parameter
from .conv import _ConvNd, _ntuple


class _ConvTransposeNd(Module):
    """weight (in_channels, out_channels/groups, *kernel) — torch's transposed layout — and bias (out_channels,);
    both ~ U(±1/√fan_in) with fan_in = weight.shape[1]·Πkernel, as torch computes it."""

    _nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        n = self._nd
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = _ntuple(kernel_size, n), _ntuple(stride, n), _ntuple(padding, n)
        self.dilation, self.output_padding = _ntuple(dilation, n), _ntuple(output_padding, n)
        self.groups, self.padding_mode, self.transposed = groups, padding_mode, True
        dt = to_dtype(dtype)
        self.weight = Parameter(autograd.empty(in_channels, out_channels // groups, *self.kernel_size, dtype=dt))
        if bias:
            self.bias = Parameter(autograd.empty(out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    reset_parameters = _ConvNd.reset_parameters  # torch's: the same as a convolution's (fan_in from weight's dim 1)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, ...]:
        """The output_padding that gives ``output_size`` (spatial, or with the leading dims), as torch picks it."""
        if output_size is None:
            return self.output_padding
        n = self._nd
        lead = 2 if input.ndim == n + 2 else 1
        size = [int(s) for s in output_size]
        if len(size) == lead + n:
            size = size[lead:]
        if len(size) != n:
            raise ValueError(f"ConvTranspose{n}D: for {input.ndim}D input, output_size must have {n} or {lead + n} "
                             f"elements (got {len(size)})")
        lo = [(input.shape[lead + d] - 1) * self.stride[d] - 2 * self.padding[d]
              + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(n)]
        hi = [m + s - 1 for m, s in zip(lo, self.stride)]
        if any(not a <= s <= b for s, a, b in zip(size, lo, hi)):
            raise ValueError(f"requested an output size of {size}, but valid sizes range from {lo} to {hi} (for an "
                             f"input of {tuple(input.shape[lead:])})")
        return tuple(s - a for s, a in zip(size, lo))

    extra_repr = _ConvNd.extra_repr  # (it shows output_padding when there is one)


class ConvTranspose1d(_ConvTransposeNd):
    """y = conv_transpose1d(x, weight, bias) for x of shape (N, C_in, L) or (C_in, L)."""

    _nd = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int],
                 stride: int | tuple[int] = 1, padding: int | tuple[int] = 0, output_padding: int | tuple[int] = 0,
                 groups: int = 1, bias: bool = True, dilation: int | tuple[int] = 1, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)

    def forward(self, input: Tensor, output_size: list[int] | None = None) -> Tensor:
        return conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """y = conv_transpose2d(x, weight, bias) for x of shape (N, C_in, H, W) or (C_in, H, W); ``output_size`` picks
    among the sizes a stride > 1 allows (the inverse of a strided Conv2d's shape)."""

    _nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                 output_padding: int | tuple[int, int] = 0, groups: int = 1, bias: bool = True,
                 dilation: int | tuple[int, int] = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)

    def forward(self, input: Tensor, output_size: list[int] | None = None) -> Tensor:
        return conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                self._output_padding(input, output_size), self.groups, self.dilation)
