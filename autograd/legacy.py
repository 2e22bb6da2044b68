"""torch's legacy tensor types, which tutorials still use: ``FloatTensor(2, 3)`` (an uninitialised 2×3 float32
tensor), ``LongTensor([1, 2])`` (a copy as int64), ``isinstance(x, FloatTensor)`` (x is a float32 tensor);
and ``Variable(t, requires_grad=True)``, which since torch 0.4 is just the tensor itself."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .device import check_device
from .tensor import Tensor


class _TensorType(type):
    """The metaclass: calling one of these types makes a Tensor; isinstance asks for a Tensor of its dtype."""

    dtype: np.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:
        check_device(device, cls.__name__)
        if len(args) == 1 and not isinstance(args[0], int):
            data = args[0]
            if isinstance(data, str):  # NumPy would read it as one string (a ValueError for a float dtype)
                raise TypeError(f"{cls.__name__}(): invalid data type 'str'; give sizes or a sequence of numbers")
            if isinstance(data, tuple) and all(isinstance(s, int) for s in data):  # a Size: a shape, as torch reads it
                return Tensor._make(np.zeros(data, cls.dtype))
            return Tensor(data, dtype=cls.dtype)
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in args):
            raise TypeError(f"{cls.__name__}(): expected sizes (ints) or one sequence of data, got "
                            f"({', '.join(type(a).__name__ for a in args)})")
        return Tensor._make(np.zeros(args, cls.dtype))  # torch leaves the memory uninitialised; zeros are safer

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'pathgrad.{cls.__name__}'>"


def _legacy(name: str, dtype: np.dtype) -> type:
    return _TensorType(name, (), {"dtype": dtype, "__doc__": f"A {dtype} tensor (torch's legacy {name})."})


FloatTensor = _legacy("FloatTensor", dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", dtypes.float64)
HalfTensor = _legacy("HalfTensor", dtypes.float16)
LongTensor = _legacy("LongTensor", dtypes.int64)
IntTensor = _legacy("IntTensor", dtypes.int32)
ShortTensor = _legacy("ShortTensor", dtypes.int16)
CharTensor = _legacy("CharTensor", dtypes.int8)
ByteTensor = _legacy("ByteTensor", dtypes.uint8)
BoolTensor = _legacy("BoolTensor", dtypes.bool_)

LEGACY_NAMES = {t.dtype: t.__name__ for t in (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor,
                                               ShortTensor, CharTensor, ByteTensor, BoolTensor)}


class _VariableType(type):
    def __call__(cls, data: Any, requires_grad: bool = False, volatile: bool = False) -> Tensor:
        t = data if isinstance(data, Tensor) else Tensor(data)
        return t.requires_grad_(requires_grad) if requires_grad else t

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableType):
    """``Variable(t, requires_grad=False)`` returns ``t`` itself (with requires_grad set when asked), as torch has
    since Variables and Tensors merged; ``isinstance(x, Variable)`` is True for every tensor."""
