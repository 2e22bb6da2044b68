"""Padding layers: ``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``, ``ReflectionPad1d/2d/3d``, ``ReplicationPad1d/2d/3d``
and ``CircularPad1d/2d/3d``, each ``F.pad`` with a fixed padding (int: the same on every side)."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ..functional.padding import pad
from ..module import Module


def _widths(padding: Any, n: int) -> tuple[int, ...]:
    return tuple(padding) if isinstance(padding, tuple | list) else (padding,) * (2 * n)


class _PadNd(Module):
    _nd = 1
    _mode = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _widths(padding, self._nd)

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``: padding = (left, right) or an int."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with ``value``: padding = (left, right, top, bottom) or an int."""

    _nd = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with ``value``: padding = (left, right, top, bottom, front, back) or an int."""

    _nd = 3


class _ZeroPad(_ConstantPadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Pad the last dim with zeros."""


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pad the last 2 dims with zeros."""


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Pad the last 3 dims with zeros."""


class ReflectionPad1d(_PadNd):
    """Pad (N, C, W) or (C, W) with the reflection of the input about its edges (each pad < W)."""

    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pad (N, C, H, W) or (C, H, W) with the reflection of the input about its edges."""

    _nd, _mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    """Pad (N, C, D, H, W) or (C, D, H, W) with the reflection of the input about its edges."""

    _nd, _mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    """Pad (N, C, W) or (C, W) by repeating the edge values."""

    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pad (N, C, H, W) or (C, H, W) by repeating the edge values."""

    _nd, _mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    """Pad (N, C, D, H, W) or (C, D, H, W) by repeating the edge values."""

    _nd, _mode = 3, "replicate"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (self._nd + 1, self._nd + 2):
            raise ValueError(f"expected {self._nd + 1}D or {self._nd + 2}D input (got {input.ndim}D input)")
        return pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    """Pad (N, C, W) or (C, W) by wrapping around (periodic boundary)."""


class CircularPad2d(_CircularPadNd):
    """Pad (N, C, H, W) or (C, H, W) by wrapping around."""

    _nd = 2


class CircularPad3d(_CircularPadNd):
    """Pad (N, C, D, H, W) or (C, D, H, W) by wrapping around."""

    _nd = 3
