"""Tensor constructors with torch's names and signatures: tensor, zeros, ones, full, arange, eye, rand, randn, ...

Each takes torch's keywords: ``dtype``, ``device`` (only the CPU: another device raises ``DeviceError``),
``requires_grad`` and, for the random ones, ``generator`` (the default generator follows ``manual_seed``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .device import check_device
from .random import Generator, get_rng
from .tensor import Tensor, _dims


def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (torch.tensor)."""
    # (one conditional expression: the lecture example comes through here, and reads one line of it)
    return (Tensor(data, requires_grad=requires_grad, dtype=dtype) if device is None
            else _placed(Tensor(data, requires_grad=requires_grad, dtype=dtype), device, "tensor"))


def _placed(t: Tensor, device: Any, op: str) -> Tensor:
    check_device(device, op)
    return t


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, without copying when it already is one (or an array) of that dtype."""
    check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtypes.to_dtype(dtype)):
        return Tensor._make(data)
    return Tensor(data, dtype=dtype)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool | None = None) -> Tensor:
    """``obj`` as a tensor, sharing memory with a tensor or NumPy array when it can (torch.asarray).
    ``copy=True`` always copies; ``copy=False`` raises ``ValueError`` where a copy would be needed.
    ``requires_grad=None`` keeps a tensor's own flag."""
    check_device(device, "asarray")
    d = None if dtype is None else dtypes.to_dtype(dtype)
    if isinstance(obj, Tensor | np.ndarray):
        same = d is None or obj.dtype == d
        if copy is False and not same:
            raise ValueError(f"asarray: can't alias a tensor of dtype {obj.dtype} into dtype {d} (copy=False); "
                             "leave copy out to allow the copy")
        out = obj if isinstance(obj, Tensor) else Tensor._make(obj)
        out = out.to(d) if not same else out.clone() if copy else out
    else:
        if copy is False:
            raise ValueError(f"asarray: can't alias a {type(obj).__name__} into a tensor (copy=False); give a "
                             "tensor or NumPy array, or leave copy out")
        out = Tensor(obj, dtype=d)
    if requires_grad is not None and requires_grad != out.requires_grad:
        out = out.detach().requires_grad_(True) if requires_grad else out.detach()
    return out


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory and dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(array).__name__}")
    return Tensor._make(array)


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding ``s``, of the default float dtype unless ``dtype`` says otherwise (even for ints)."""
    check_device(device, "scalar_tensor")
    return _make(np.asarray(s.item() if isinstance(s, Tensor) else s, dtype=dtypes.to_dtype(dtype)), requires_grad)


def _make(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(array)
    return t.requires_grad_(True) if requires_grad else t


def _shape(size: tuple, op: str) -> tuple:
    """Sizes given as f(2, 3), f((2, 3)), f([2, 3]) or f(Size): one tuple of ints."""
    dims = _dims(size)
    if not all(isinstance(n, int | np.integer) and not isinstance(n, bool) for n in dims):
        raise TypeError(f"{op}(): size must be ints or one tuple of ints, got {size!r}")
    if any(n < 0 for n in dims):
        raise RuntimeError(f"{op}(): trying to create tensor with negative dimension in size {tuple(dims)}")
    return tuple(int(n) for n in dims)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    check_device(device, "zeros")
    return _make(np.zeros(_shape(size, "zeros"), dtype=dtypes.to_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    check_device(device, "ones")
    return _make(np.ones(_shape(size, "ones"), dtype=dtypes.to_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uninitialised in torch; zeros here (reading it before writing is then at least reproducible)."""
    check_device(device, "empty")
    return _make(np.zeros(_shape(size, "empty"), dtype=dtypes.to_dtype(dtype)), requires_grad)


def _fill_dtype(fill_value: Any) -> np.dtype:
    """torch.full's dtype for a fill value: bool for a bool, int64 for an int, the default float dtype for a float
    (NumPy scalars count as Python numbers)."""
    return dtypes.result_type(fill_value.item() if isinstance(fill_value, np.generic | Tensor) else fill_value)


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
         ) -> Tensor:
    check_device(device, "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    d = _fill_dtype(fill_value) if dtype is None else dtypes.to_dtype(dtype)
    return _make(np.full(_shape((size,), "full"), fill_value, dtype=d), requires_grad)


def _like(input: Any, op: str, dtype: Any, device: Any) -> np.dtype:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    check_device(device, op)
    return input.dtype if dtype is None else dtypes.to_dtype(dtype)


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    d = _like(input, "zeros_like", dtype, device)
    return _make(np.zeros(input.shape, dtype=d), requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    d = _like(input, "ones_like", dtype, device)
    return _make(np.ones(input.shape, dtype=d), requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uninitialised in torch; zeros here."""
    d = _like(input, "empty_like", dtype, device)
    return _make(np.zeros(input.shape, dtype=d), requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    d = _like(input, "full_like", dtype, device)
    return _make(np.full(input.shape, fill_value, dtype=d), requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from start (inclusive) to end (exclusive); integer arguments give int64, floats the default dtype."""
    check_device(device, "arange")
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if dtype is None:
        dtype = dtypes.result_type(start, end, step)
    return _make(np.arange(start, end, step, dtype=dtypes.to_dtype(dtype)), requires_grad)


def _steps(steps: int, op: str) -> int:
    if steps < 0:
        raise RuntimeError(f"{op}(): number of steps must be non-negative, got {steps}")
    return int(steps)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    check_device(device, "linspace")
    return _make(np.linspace(start, end, _steps(steps, "linspace"), dtype=dtypes.to_dtype(dtype)), requires_grad)


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` values from base**start to base**end, evenly spaced in the exponent."""
    check_device(device, "logspace")
    exponents = np.linspace(start, end, _steps(steps, "logspace"))
    return _make((float(base) ** exponents).astype(dtypes.to_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
        ) -> Tensor:
    check_device(device, "eye")
    if n < 0 or (m is not None and m < 0):  # NumPy: a ValueError
        raise RuntimeError(f"eye(): n and m must be non-negative, got n={n}, m={m}")
    return _make(np.eye(n, m, dtype=dtypes.to_dtype(dtype)), requires_grad)


def _triangle(op: str, row: int, col: int, offset: int, dtype: Any, device: Any, upper: bool) -> Tensor:
    check_device(device, op)
    if row < 0 or col < 0:
        raise RuntimeError(f"{op}(): row and col must be non-negative, got row={row}, col={col}")
    d = dtypes.to_dtype(dtype)
    if d not in (dtypes.int32, dtypes.int64):
        raise NotImplementedError(f"{op}(): dtype must be int32 or int64 (torch's dtype=long), got {d}")
    rows, cols = np.triu_indices(row, offset, col) if upper else np.tril_indices(row, offset, col)
    return Tensor._make(np.stack([rows, cols]).astype(d).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = dtypes.int64, device: Any = None) -> Tensor:
    """The (row, col) coordinates, as a 2 × N tensor, of the lower triangle of a row × col matrix (with the
    diagonal; ``offset`` > 0 takes diagonals above it too), in row-major order."""
    return _triangle("tril_indices", row, col, offset, dtype, device, upper=False)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = dtypes.int64, device: Any = None) -> Tensor:
    """The (row, col) coordinates, as a 2 × N tensor, of the upper triangle of a row × col matrix."""
    return _triangle("triu_indices", row, col, offset, dtype, device, upper=True)


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    d = dtypes.to_dtype(dtype)
    if d.kind != "f":
        raise NotImplementedError(f"{op}(): random floats need a floating dtype, got {d}")
    return d


def _floats(op: str, size: tuple, dtype: Any, device: Any, generator: Generator | None, normal: bool) -> np.ndarray:
    check_device(device, op)
    d, rng = _float_dtype(dtype, op), get_rng(generator)
    native = d if d in (dtypes.float32, dtypes.float64) else None  # NumPy draws these two directly
    draw = rng.standard_normal if normal else rng.random
    return draw(size, dtype=native).astype(d, copy=False)


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples from [0, 1)."""
    return _make(_floats("rand", _shape(size, "rand"), dtype, device, generator, normal=False), requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    return _make(_floats("randn", _shape(size, "randn"), dtype, device, generator, normal=True), requires_grad)


def _integers(op: str, low: int, high: int, size: tuple, dtype: np.dtype, generator: Generator | None
              ) -> np.ndarray:
    if low >= high:
        raise RuntimeError(f"{op}(): expects 'low' to be less than 'high', but got low={low} >= high={high}")
    if dtype == dtypes.bool_ and high > 2:
        raise RuntimeError(f"{op}(): high - 1 = {high - 1} is out of bounds for bool")
    return get_rng(generator).integers(low, high, size=size).astype(dtype)


def randint(low: int = 0, high: int | None = None, size: Any = None, *, generator: Generator | None = None,
            dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers from low (inclusive) to high (exclusive), int64 by default: randint(high, size) or
    randint(low, high, size)."""
    check_device(device, "randint")
    if size is None and not isinstance(high, int | np.integer):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if size is None:
        raise TypeError("randint(): missing the size argument: randint(high, size) or randint(low, high, size)")
    d = dtypes.int64 if dtype is None else dtypes.to_dtype(dtype)
    return _make(_integers("randint", low, high, _shape((size,), "randint"), d, generator), requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = dtypes.int64, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    check_device(device, "randperm")
    return _make(get_rng(generator).permutation(n).astype(dtypes.to_dtype(dtype)), requires_grad)


def rand_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    d = _like(input, "rand_like", dtype, device)
    return _make(_floats("rand_like", input.shape, d, None, generator, normal=False), requires_grad)


def randn_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    d = _like(input, "randn_like", dtype, device)
    return _make(_floats("randn_like", input.shape, d, None, generator, normal=True), requires_grad)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *, generator: Generator | None = None,
                 dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers from low (inclusive) to high (exclusive) in input's shape and dtype: randint_like(input, high) or
    randint_like(input, low, high)."""
    d = _like(input, "randint_like", dtype, device)
    if high is None:
        low, high = 0, low
    return _make(_integers("randint_like", low, high, input.shape, d, generator), requires_grad)
