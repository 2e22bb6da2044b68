"""``Size``: a tensor's shape, as torch gives it: a tuple (it compares equal to one and unpacks like one) that also
knows its ``numel()`` and stays a ``Size`` when sliced."""

from __future__ import annotations

import math
from typing import Any


class Size(tuple):
    __slots__ = ()

    def __new__(cls, sizes: Any = ()) -> Size:
        sizes = tuple(sizes)
        for s in sizes:
            if not isinstance(s, int) and not hasattr(s, "__index__"):
                raise TypeError(f"Size() takes an iterable of 'int' (item {len(sizes)} is '{type(s).__name__}')")
        return tuple.__new__(cls, (s.__index__() for s in sizes))

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds (1 for the empty shape of a scalar)."""
        return math.prod(self)

    def __getitem__(self, index: Any) -> Any:
        out = tuple.__getitem__(self, index)
        return Size(out) if isinstance(index, slice) else out

    def __add__(self, other: tuple) -> Size:
        return Size(tuple.__add__(self, other))

    def __repr__(self) -> str:
        return f"pathgrad.Size({list(self)})"
