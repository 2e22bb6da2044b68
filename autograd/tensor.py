"""The Tensor: a view over NumPy memory that remembers how it was made.

A Tensor holds ``array``, a NumPy array, and, when it requires grad, ``grad_fn``: the graph node (a ``Function``
instance) of the op that produced it. Leaves (made by the user) have no ``grad_fn``; ``backward()`` fills their
``grad``. Every method here is a one-line call into ``autograd.ops``, where each op and its derivative live.

Storage and views, as in torch: ``x[0]``, ``x.view(...)``, ``x.t()``, ``x.detach()`` and the other view ops give
tensors whose arrays are NumPy views of x's memory, so writing through one is seen by all. A view remembers its base
and the view ops that made it from the base. All of them share one version counter, which every in-place op bumps:
backward compares it with the version each saved tensor had when it was saved, and refuses to use changed values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import dtypes
from .device import CPU, check_device, is_device, unavailable
from .device import device as Device
from .grad_mode import _state, enable_grad
from .size import Size

Shape = tuple[int, ...]


def _dims(args: tuple) -> tuple:
    """Accept both f(2, 3) and f((2, 3)), as torch does for shapes and dims."""
    if len(args) == 1 and isinstance(args[0], list | tuple):
        return tuple(args[0])
    return args


class Tensor:
    """An n-dimensional array with reverse- and forward-mode automatic differentiation."""

    # Slots, not a __dict__: a tensor is then one object for the cyclic garbage collector (scalar graphs make many).
    # _view_fn and _base_history are set for views only (see _base); _counter is made when first needed.
    __slots__ = ("array", "_grad", "name", "_grad_fn", "_output_nr", "_requires_grad", "_counter", "_base",
                 "_view_fn", "_base_history", "_hooks", "_fw_grad", "_retains_grad", "__weakref__")
    # Make numpy defer to Tensor's reflected operators (ndarray * Tensor -> Tensor.__rmul__).
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        arr = np.array(data, dtype=None if dtype is None else dtypes.to_dtype(dtype))
        if dtype is None and arr.dtype == np.float64 and not isinstance(data, np.ndarray | np.generic | Tensor):
            arr = arr.astype(dtypes.get_default_dtype())  # Python floats take the default dtype, like torch
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"Tensor: cannot make a tensor from data of dtype {arr.dtype}; give numbers or arrays")
        _start(self, arr)
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(array: np.ndarray) -> Tensor:
        """Wrap an array without copying or checks: how ops make their outputs."""
        return _start(object.__new__(Tensor), array)

    # ---- attributes -----------------------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return tuple.__new__(Size, self.array.shape)  # a NumPy shape needs none of Size()'s checks (5x faster)

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    @property
    def device(self) -> Device:
        return CPU

    is_cuda = False
    is_cpu = True

    @property
    def data(self) -> Tensor:
        """The same memory as a new detached tensor with a version counter of its own, as torch's ``.data``: changes
        made through it are invisible to autograd (``detach()`` is the safe way)."""
        return Tensor._make(self.array)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Tensor.data must be set to a Tensor, got {type(value).__name__}")
        self.array = value.array

    @property
    def grad(self) -> Tensor | None:
        """The gradient backward() accumulated here (leaves, and tensors that retain_grad()); None before."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:  # checked as torch does: a wrong gradient would otherwise surface in an optimiser
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: grad {value.shape}, tensor "
                                   f"{self.shape}")
            if value.dtype != self.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: grad {value.dtype}, tensor "
                                   f"{self.dtype}")
        self._grad = value

    @property
    def _version(self) -> int:
        return 0 if self._counter is None else self._counter[0]

    def _shared_counter(self) -> list:
        """This tensor's version counter, made when first needed: a one-element list that views share."""
        if self._counter is None:
            self._counter = [0]
        return self._counter

    def _is_view(self) -> bool:
        return self._base is not None

    def dim(self) -> int:
        return self.array.ndim

    def size(self, dim: int | None = None) -> Size | int:
        return self.shape if dim is None else self.array.shape[dim]

    def numel(self) -> int:
        return int(self.array.size)

    def item(self) -> float | int | bool:
        if self.array.size != 1:
            raise RuntimeError(f"item(): a Tensor with {self.array.size} elements cannot be converted to a scalar")
        return self.array.item()

    def tolist(self) -> Any:
        return self.array.tolist()

    def numpy(self) -> np.ndarray:
        """The NumPy array behind this tensor: the same memory, not a copy."""
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self.array

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    # ---- autograd -------------------------------------------------------------------------------------------------
    @property
    def grad_fn(self) -> Any:
        """The node that made this tensor (None for a leaf). A view whose base got a new history from an in-place
        op sees it: its node is made again from the base's (torch does the same)."""
        if self._base is not None and self._base_history is not self._base._grad_fn:
            self._base_history = self._base._grad_fn
            with enable_grad():
                fresh = _ops.replay_view(self._base, self._view_fn)
            self._grad_fn, self._output_nr = fresh._grad_fn, fresh._output_nr
        return self._grad_fn

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad or self.grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self.array.dtype.kind != "f":
            raise RuntimeError(
                f"Only Tensors of floating point dtype can require gradients, got {self.array.dtype}; "
                "create it with dtype=autograd.float32 (or .float())"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False) is only allowed on leaf tensors; use .detach() instead")
        self._requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """The same memory and version counter, cut from the graph (torch's detach)."""
        t = Tensor._make(self.array)
        t._counter = self._shared_counter()
        return t

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn, self._requires_grad = None, False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on a non-leaf tensor after backward."""
        if self.grad_fn is None:
            return
        if not self._retains_grad:
            self._retains_grad = True
            self.register_hook(_RetainGrad(self))

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces the gradient.
        Returns a ``RemovableHandle``: ``handle.remove()`` unregisters the hook."""
        from .hooks import RemovableHandle

        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            node = self.grad_fn
            if node.output_hooks is None:
                node.output_hooks = {}
            hooks = node.output_hooks.setdefault(self._output_nr, [])
        hooks.append(hook)
        return RemovableHandle(hooks, hook=hook)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs: Sequence[Tensor] | None = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``autograd.engine``)."""
        _engine.backward((self,), None if gradient is None else (gradient,), retain_graph, create_graph, inputs)

    # ---- printing -------------------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        d = self.array
        # torch's style: "1., 2." for whole numbers, else four decimals
        whole = d.dtype.kind != "f" or not np.isfinite(d).all() or bool(np.all(d == np.round(d)))
        body = np.array2string(d, separator=", ", precision=4, prefix="tensor(",
                               floatmode="maxprec_equal" if whole else "fixed")
        extras = []
        if self.array.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            extras.append(f"dtype={self.array.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __format__(self, spec: str) -> str:
        if self.array.ndim == 0:
            return format(self.array.item(), spec)
        return format(repr(self), spec)

    # ---- Python protocol ------------------------------------------------------------------------------------------
    __hash__ = object.__hash__

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self.array.size} values is ambiguous; use .any() or .all()")
        return bool(self.array)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.array)

    # ---- arithmetic (each a call into ops) -------------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return _ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return _ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ops.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace(_ops.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace(_ops.sub, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace(_ops.mul, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(_ops.div, other)

    def __ipow__(self, other: Any) -> Tensor:
        return self._inplace(_ops.pow, other)

    # comparisons: elementwise, non-differentiable, bool results
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ops.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _ops.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return _ops.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _ops.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _ops.ge(self, other)

    def __invert__(self) -> Tensor:
        return _ops.logical_not(self)

    def __and__(self, other: Any) -> Tensor:
        return _ops.logical_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        return _ops.logical_or(self, other)

    def __xor__(self, other: Any) -> Tensor:
        return _ops.logical_xor(self, other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def add(self, other: Any) -> Tensor:
        return _ops.add(self, other)

    def sub(self, other: Any) -> Tensor:
        return _ops.sub(self, other)

    def mul(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def div(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def pow(self, exponent: Any) -> Tensor:
        return _ops.pow(self, exponent)

    def matmul(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def neg(self) -> Tensor:
        return _ops.neg(self)

    def abs(self) -> Tensor:
        return _ops.abs(self)

    def exp(self) -> Tensor:
        return _ops.exp(self)

    def log(self) -> Tensor:
        return _ops.log(self)

    def log1p(self) -> Tensor:
        return _ops.log1p(self)

    def sqrt(self) -> Tensor:
        return _ops.sqrt(self)

    def sin(self) -> Tensor:
        return _ops.sin(self)

    def cos(self) -> Tensor:
        return _ops.cos(self)

    def tanh(self) -> Tensor:
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return _ops.sigmoid(self)

    def relu(self) -> Tensor:
        return _ops.relu(self)

    def erf(self) -> Tensor:
        return _ops.erf(self)

    def sign(self) -> Tensor:
        return _ops.sign(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        return _ops.clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return _ops.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return _ops.minimum(self, other)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        return _ops.where(mask, value, self)

    # ---- reductions -----------------------------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _ops.sum(self, dim, keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _ops.mean(self, dim, keepdim)

    def var(self, dim: Any = None, *, correction: int = 1, keepdim: bool = False, unbiased: bool | None = None
            ) -> Tensor:
        return _ops.var(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)

    def std(self, dim: Any = None, *, correction: int = 1, keepdim: bool = False, unbiased: bool | None = None
            ) -> Tensor:
        return _ops.std(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)

    def max(self, dim: int | Tensor | None = None, keepdim: bool = False) -> Any:
        return _ops.max(self, dim, keepdim)

    def min(self, dim: int | Tensor | None = None, keepdim: bool = False) -> Any:
        return _ops.min(self, dim, keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _ops.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _ops.amin(self, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _ops.argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _ops.argmin(self, dim, keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return _ops.logsumexp(self, dim, keepdim)

    def softmax(self, dim: int) -> Tensor:
        return _ops.softmax(self, dim)

    def log_softmax(self, dim: int) -> Tensor:
        return _ops.log_softmax(self, dim)

    def norm(self, p: float = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _ops.norm(self, p, dim, keepdim)

    def all(self, dim: int | None = None) -> Tensor:
        return Tensor._make(np.asarray(self.array.all(axis=dim)))

    def any(self, dim: int | None = None) -> Tensor:
        return Tensor._make(np.asarray(self.array.any(axis=dim)))

    # ---- shape (these are views of self, sharing its memory, wherever torch's are) ---------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return _ops.reshape(self, _dims(shape))

    def view(self, *shape: Any) -> Tensor:
        return _ops.view(self, _dims(shape))

    def view_as(self, other: Tensor) -> Tensor:
        return _ops.view(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return _ops.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        return _ops.unflatten(self, dim, sizes)

    def squeeze(self, dim: Any = None) -> Tensor:
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return _ops.unsqueeze(self, dim)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return _ops.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        return _ops.t(self)

    def permute(self, *dims: Any) -> Tensor:
        return _ops.permute(self, _dims(dims))

    @property
    def T(self) -> Tensor:
        return _ops.permute(self, tuple(range(self.ndim))[::-1])

    @property
    def mT(self) -> Tensor:
        return _ops.transpose(self, -2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        return _ops.expand(self, _dims(sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        return _ops.broadcast_to(self, other.shape)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        return _ops.broadcast_to(self, shape)

    def repeat(self, *sizes: Any) -> Tensor:
        return _ops.repeat(self, _dims(sizes))

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return _ops.narrow(self, dim, start, length)

    def select(self, dim: int, index: int) -> Tensor:
        return _ops.select(self, dim, index)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.unbind(self, dim)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.chunk(self, chunks, dim)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return _ops.diagonal(self, offset, dim1, dim2)

    def as_strided(self, size: Sequence[int], stride: Sequence[int], storage_offset: int | None = None) -> Tensor:
        return _ops.as_strided(self, size, stride, storage_offset)

    def gather(self, dim: int, index: Any) -> Tensor:
        return _ops.gather(self, dim, index)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        tracked = self.requires_grad or isinstance(value, Tensor) and value.requires_grad
        tangents = _state.fw_level > 0 and (self._fw_grad is not None or getattr(value, "_fw_grad", None) is not None)
        if _state.enabled and tracked or tangents:
            if _state.enabled and self.is_leaf and self.requires_grad and _ops.is_basic(_ops.index_value(index)):
                self[index].copy_(value)  # torch writes through the view self[index]: the same error, for a view
            self._inplace(_ops.index_put, index, value)
        else:  # nothing to record: write straight into the memory
            self._check_writeable("__setitem__")
            self.array[_ops.index_value(index)] = value.array if isinstance(value, Tensor) else value
            self._shared_counter()[0] += 1

    # ---- dtype and copies -----------------------------------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """torch's three forms: ``to(dtype)``, ``to(device=None, dtype=None)``, ``to(other)`` (other's dtype), each
        with ``non_blocking=False, copy=False``. Returns self when nothing changes, unless ``copy=True``. A dtype
        change is differentiable; any device but the CPU raises ``DeviceError``."""
        where, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None), kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        args = list(args)
        if args and isinstance(args[0], Tensor):
            dtype = args.pop(0).dtype
        elif args and (is_device(args[0]) or isinstance(args[0], int) and not isinstance(args[0], bool)):
            where = args.pop(0)
        if args and not isinstance(args[0], bool):
            dtype = args.pop(0)
        if args:  # the positional non_blocking, copy
            copy = args[1] if len(args) > 1 else copy
        check_device(where, "to")
        out = self if dtype is None else _ops.cast(self, dtypes.to_dtype(dtype))
        return _ops.clone(out) if copy and out is self else out

    def type(self, dtype: Any) -> Tensor:
        return _ops.cast(self, dtypes.to_dtype(dtype))

    def type_as(self, other: Tensor) -> Tensor:
        return _ops.cast(self, other.dtype)

    def float(self) -> Tensor:
        return _ops.cast(self, dtypes.float32)

    def double(self) -> Tensor:
        return _ops.cast(self, dtypes.float64)

    def long(self) -> Tensor:
        return _ops.cast(self, dtypes.int64)

    def int(self) -> Tensor:
        return _ops.cast(self, dtypes.int32)

    def bool(self) -> Tensor:
        return _ops.cast(self, dtypes.bool_)

    def clone(self) -> Tensor:
        return _ops.clone(self)

    def contiguous(self) -> Tensor:
        return _ops.contiguous(self)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        """Raises ``DeviceError``: pathgrad has no CUDA device."""
        unavailable("cuda" if device is None else device, "cuda")

    # ---- in place -------------------------------------------------------------------------------------------------
    def _inplace(self, op: Callable[..., Tensor], *args: Any) -> Tensor:
        """self ← op(self, *args), written into self's memory (so into its base, and every view of that base).

        While recording, self's history moves onto the op, as torch does: the op's node takes self's old history as
        its input. If self is a view, its base's history moves instead: onto a node that puts the op's result into
        the viewed part of the base (``CopySlices``); self's own node is then made again from the base's.
        """
        recording = _state.enabled and (self.requires_grad or any(isinstance(a, Tensor) and a.requires_grad
                                                                  for a in args))
        if recording and self._base is None and self.is_leaf and self.requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation. "
                               "Wrap the update in `with autograd.no_grad():` or use an out-of-place op.")
        if recording and self._base is not None and self._base.is_leaf and self._base.requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation. "
                               "Wrap the update in `with autograd.no_grad():` or use an out-of-place op.")
        self._check_writeable(op.__name__)
        old = self._alias()
        if recording:  # the op may keep its input for backward: it keeps these values, not what overwrites them
            old.array, old._counter = self.array.copy(), None
        out = op(old, *args)
        if out.shape != self.shape:
            raise RuntimeError(f"in-place {op.__name__}: output with shape {self.shape} doesn't match the broadcast "
                               f"shape {out.shape}")
        if out.dtype != self.dtype:
            if not np.can_cast(out.dtype, self.dtype, "same_kind"):
                raise RuntimeError(f"in-place {op.__name__}: result type {out.dtype} can't be cast to the desired "
                                   f"output type {self.dtype}")
            out = _ops.cast(out, self.dtype)
        if recording and self._base is not None:
            base = self._base
            new = _ops.CopySlices.apply(base._alias(), out, self._view_fn)  # writes out into base's memory
            base._grad_fn, base._output_nr = new._grad_fn, 0
        else:
            np.copyto(self.array, out.array)
            if recording or self.grad_fn is not None:
                self._grad_fn, self._output_nr = out.grad_fn, out._output_nr
        if out._fw_grad is not None or self._fw_grad is not None:
            self._set_tangent(out._fw_grad)
        self._shared_counter()[0] += 1
        if recording and out.grad_fn is not None:
            out.grad_fn._output_moved(out, self)
        return self

    def _set_tangent(self, tangent: Tensor | None) -> None:
        """Forward mode after an in-place op: self's tangent becomes ``tangent`` (None: zero); for a view, within
        its base's tangent."""
        if self._base is None:
            self._fw_grad = tangent
            return
        base = self._base
        whole = np.zeros_like(base.array) if base._fw_grad is None else np.array(base._fw_grad.array)
        _ops.replay_view(whole, self._view_fn)[...] = 0 if tangent is None else tangent.array
        base._fw_grad = Tensor._make(whole)
        self._fw_grad = Tensor._make(_ops.replay_view(whole, self._view_fn))

    def _alias(self) -> Tensor:
        """Another tensor object for self as it is now: same memory, version counter and history."""
        t = Tensor._make(self.array)
        t._grad_fn, t._output_nr, t._requires_grad = self.grad_fn, self._output_nr, self._requires_grad
        t._counter, t._fw_grad = self._shared_counter(), self._fw_grad
        return t

    def _check_writeable(self, op: str) -> None:
        if not self.array.flags.writeable:
            raise RuntimeError(f"{op}: this tensor's memory is read-only (an expanded tensor, where several elements "
                               "share one memory location, or a read-only array); clone() it first")

    def add_(self, other: Any, *, alpha: float = 1) -> Tensor:
        return self._inplace(_ops.add, other if alpha == 1 else _ops.mul(other, alpha))

    def sub_(self, other: Any, *, alpha: float = 1) -> Tensor:
        return self._inplace(_ops.sub, other if alpha == 1 else _ops.mul(other, alpha))

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(_ops.mul, other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace(_ops.div, other)

    def pow_(self, exponent: Any) -> Tensor:
        return self._inplace(_ops.pow, exponent)

    def neg_(self) -> Tensor:
        return self._inplace(_ops.neg)

    def abs_(self) -> Tensor:
        return self._inplace(_ops.abs)

    def exp_(self) -> Tensor:
        return self._inplace(_ops.exp)

    def log_(self) -> Tensor:
        return self._inplace(_ops.log)

    def sqrt_(self) -> Tensor:
        return self._inplace(_ops.sqrt)

    def tanh_(self) -> Tensor:
        return self._inplace(_ops.tanh)

    def sigmoid_(self) -> Tensor:
        return self._inplace(_ops.sigmoid)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return self._inplace(_ops.clamp, min, max)

    clip_ = clamp_

    def relu_(self) -> Tensor:
        return self._inplace(_ops.relu)

    def copy_(self, src: Any) -> Tensor:
        return self._inplace(_ops.copy_from, src)

    def fill_(self, value: Any) -> Tensor:
        return self._inplace(_ops.copy_from, value)

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._inplace(lambda s, m, v: _ops.where(m, v, s), mask, value)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        return self.copy_(_random.get_rng(generator).uniform(a, b, self.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        return self.copy_(_random.get_rng(generator).normal(mean, std, self.shape))


def _start(t: Tensor, array: np.ndarray) -> Tensor:
    """A new tensor's fields: ``array``; no grad, no history (a leaf), version 0, not a view."""
    t.array, t._output_nr, t._requires_grad, t._retains_grad = array, 0, False, False
    t._grad = t.name = t._grad_fn = t._counter = t._base = t._hooks = t._fw_grad = None
    return t


class _RetainGrad:
    """The hook behind ``retain_grad``: store the gradient on the (non-leaf) tensor, accumulating like a leaf."""

    def __init__(self, t: Tensor) -> None:
        import weakref

        self.ref = weakref.ref(t)

    def __call__(self, grad: Tensor) -> None:
        t = self.ref()
        if t is not None:
            t.grad = grad if t.grad is None else t.grad + grad


from . import engine as _engine  # noqa: E402  (these import Tensor; importing them last breaks the cycle)
from . import ops as _ops  # noqa: E402
from . import random as _random  # noqa: E402
