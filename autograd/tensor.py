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

from . import dtypes, printing
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
        # torch runs retain_grad's hook last whatever the order of registration, so .grad sees what hooks return
        hooks.insert(len(hooks) - 1 if hooks and isinstance(hooks[-1], _RetainGrad) else len(hooks), hook)
        return RemovableHandle(hooks, hook=hook)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs: Sequence[Tensor] | None = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``autograd.engine``)."""
        _engine.backward((self,), None if gradient is None else (gradient,), retain_graph, create_graph, inputs)

    # ---- printing -------------------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        body = printing.format_array(self.array, prefix="tensor(")
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

    # ~ & | ^ are bitwise, as in torch (on bool tensors that is logical not/and/or/xor); see ops/bitwise.py
    def __invert__(self) -> Tensor:
        return _ops.invert(self)

    def __and__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(self, other)

    def __xor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(self, other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def add(self, other: Any) -> Tensor:
        return _ops.add(self, other)

    def sub(self, other: Any) -> Tensor:
        return _ops.sub(self, other)

    def mul(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _ops.div(self, other, rounding_mode=rounding_mode)

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

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _ops.all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _ops.any(self, dim, keepdim)

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

    # ---- products and rearranging (ops/products.py, ops/arrange.py) ----------------------------------------------
    def dot(self, other: Tensor) -> Tensor:
        return _ops.dot(self, other)

    def vdot(self, other: Tensor) -> Tensor:
        return _ops.vdot(self, other)

    def inner(self, other: Tensor) -> Tensor:
        return _ops.inner(self, other)

    def outer(self, vec2: Tensor) -> Tensor:
        return _ops.outer(self, vec2)

    def kron(self, other: Tensor) -> Tensor:
        return _ops.kron(self, other)

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        return _ops.cross(self, other, dim)

    def mm(self, mat2: Tensor) -> Tensor:
        return _ops.mm(self, mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        return _ops.bmm(self, mat2)

    def mv(self, vec: Tensor) -> Tensor:
        return _ops.mv(self, vec)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _ops.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _ops.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _ops.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def addmm_(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace(_ops.addmm, mat1, mat2, beta=beta, alpha=alpha)

    def addmv_(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace(_ops.addmv, mat, vec, beta=beta, alpha=alpha)

    def addbmm_(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace(_ops.addbmm, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace(_ops.baddbmm, batch1, batch2, beta=beta, alpha=alpha)

    def addr_(self, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace(_ops.addr, vec1, vec2, beta=beta, alpha=alpha)

    def flip(self, *dims: Any) -> Tensor:
        if not dims:
            raise TypeError('flip() missing 1 required positional arguments: "dims"')
        return _ops.flip(self, _dims(dims))

    def fliplr(self) -> Tensor:
        return _ops.fliplr(self)

    def flipud(self) -> Tensor:
        return _ops.flipud(self)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return _ops.roll(self, shifts, dims)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
        return _ops.rot90(self, k, dims)

    def tril(self, diagonal: int = 0) -> Tensor:
        return _ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return _ops.triu(self, diagonal)

    def tril_(self, diagonal: int = 0) -> Tensor:
        return self._inplace(_ops.tril, diagonal)

    def triu_(self, diagonal: int = 0) -> Tensor:
        return self._inplace(_ops.triu, diagonal)

    def diag(self, diagonal: int = 0) -> Tensor:
        return _ops.diag(self, diagonal)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        return _ops.diag_embed(self, offset, dim1, dim2)

    def diagflat(self, offset: int = 0) -> Tensor:
        return _ops.diagflat(self, offset)

    def trace(self) -> Tensor:
        return _ops.trace(self)

    def repeat_interleave(self, repeats: Any, dim: int | None = None, *, output_size: int | None = None) -> Tensor:
        return _ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def tile(self, *dims: Any) -> Tensor:
        return _ops.tile(self, _dims(dims))

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return _ops.movedim(self, source, destination)

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return _ops.swapaxes(self, axis0, axis1)

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        return _ops.swapdims(self, dim0, dim1)

    def take(self, index: Tensor) -> Tensor:
        return _ops.take(self, index)

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        return _ops.take_along_dim(self, indices, dim)

    # ---- elementwise math, rounding, predicates, bitwise (ops/pointwise.py, ops/rounding.py, ops/bitwise.py) -----
    def tan(self) -> Tensor:
        return _ops.tan(self)

    def tan_(self) -> Tensor:
        return self._inplace(_ops.tan)

    def asin(self) -> Tensor:
        return _ops.asin(self)

    def asin_(self) -> Tensor:
        return self._inplace(_ops.asin)

    def acos(self) -> Tensor:
        return _ops.acos(self)

    def acos_(self) -> Tensor:
        return self._inplace(_ops.acos)

    def atan(self) -> Tensor:
        return _ops.atan(self)

    def atan_(self) -> Tensor:
        return self._inplace(_ops.atan)

    def atan2(self, other: Tensor) -> Tensor:
        return _ops.atan2(self, other)

    def atan2_(self, other: Tensor) -> Tensor:
        return self._inplace(_ops.atan2, other)

    def sinh(self) -> Tensor:
        return _ops.sinh(self)

    def sinh_(self) -> Tensor:
        return self._inplace(_ops.sinh)

    def cosh(self) -> Tensor:
        return _ops.cosh(self)

    def cosh_(self) -> Tensor:
        return self._inplace(_ops.cosh)

    def asinh(self) -> Tensor:
        return _ops.asinh(self)

    def asinh_(self) -> Tensor:
        return self._inplace(_ops.asinh)

    def acosh(self) -> Tensor:
        return _ops.acosh(self)

    def acosh_(self) -> Tensor:
        return self._inplace(_ops.acosh)

    def atanh(self) -> Tensor:
        return _ops.atanh(self)

    def atanh_(self) -> Tensor:
        return self._inplace(_ops.atanh)

    arcsin, arcsin_, arccos, arccos_, arctan, arctan_ = asin, asin_, acos, acos_, atan, atan_
    arctan2, arctan2_ = atan2, atan2_
    arcsinh, arcsinh_, arccosh, arccosh_, arctanh, arctanh_ = asinh, asinh_, acosh, acosh_, atanh, atanh_

    def sin_(self) -> Tensor:
        return self._inplace(_ops.sin)

    def cos_(self) -> Tensor:
        return self._inplace(_ops.cos)

    def sinc(self) -> Tensor:
        return _ops.sinc(self)

    def sinc_(self) -> Tensor:
        return self._inplace(_ops.sinc)

    def deg2rad(self) -> Tensor:
        return _ops.deg2rad(self)

    def deg2rad_(self) -> Tensor:
        return self._inplace(_ops.deg2rad)

    def rad2deg(self) -> Tensor:
        return _ops.rad2deg(self)

    def rad2deg_(self) -> Tensor:
        return self._inplace(_ops.rad2deg)

    def hypot(self, other: Tensor) -> Tensor:
        return _ops.hypot(self, other)

    def hypot_(self, other: Tensor) -> Tensor:
        return self._inplace(_ops.hypot, other)

    def exp2(self) -> Tensor:
        return _ops.exp2(self)

    def exp2_(self) -> Tensor:
        return self._inplace(_ops.exp2)

    def expm1(self) -> Tensor:
        return _ops.expm1(self)

    def expm1_(self) -> Tensor:
        return self._inplace(_ops.expm1)

    def log2(self) -> Tensor:
        return _ops.log2(self)

    def log2_(self) -> Tensor:
        return self._inplace(_ops.log2)

    def log10(self) -> Tensor:
        return _ops.log10(self)

    def log10_(self) -> Tensor:
        return self._inplace(_ops.log10)

    def log1p_(self) -> Tensor:
        return self._inplace(_ops.log1p)

    def logaddexp(self, other: Tensor) -> Tensor:
        return _ops.logaddexp(self, other)

    def xlogy(self, other: Any) -> Tensor:
        return _ops.xlogy(self, other)

    def xlogy_(self, other: Any) -> Tensor:
        return self._inplace(_ops.xlogy, other)

    def logit(self, eps: float | None = None) -> Tensor:
        return _ops.logit(self, eps)

    def logit_(self, eps: float | None = None) -> Tensor:
        return self._inplace(_ops.logit, eps)

    def rsqrt(self) -> Tensor:
        return _ops.rsqrt(self)

    def rsqrt_(self) -> Tensor:
        return self._inplace(_ops.rsqrt)

    def square(self) -> Tensor:
        return _ops.square(self)

    def square_(self) -> Tensor:
        return self._inplace(_ops.square)

    def reciprocal(self) -> Tensor:
        return _ops.reciprocal(self)

    def reciprocal_(self) -> Tensor:
        return self._inplace(_ops.reciprocal)

    def float_power(self, exponent: Any) -> Tensor:
        return _ops.float_power(self, exponent)

    def float_power_(self, exponent: Any) -> Tensor:
        return _ops.float_power_(self, exponent)

    def true_divide(self, other: Any) -> Tensor:
        return _ops.true_divide(self, other)

    def true_divide_(self, other: Any) -> Tensor:
        return self._inplace(_ops.true_divide, other)

    def erf_(self) -> Tensor:
        return self._inplace(_ops.erf)

    def erfc(self) -> Tensor:
        return _ops.erfc(self)

    def erfc_(self) -> Tensor:
        return self._inplace(_ops.erfc)

    def erfinv(self) -> Tensor:
        return _ops.erfinv(self)

    def erfinv_(self) -> Tensor:
        return self._inplace(_ops.erfinv)

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        return _ops.lerp(self, end, weight)

    def lerp_(self, end: Tensor, weight: Any) -> Tensor:
        return self._inplace(_ops.lerp, end, weight)

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return _ops.addcmul(self, tensor1, tensor2, value=value)

    def addcmul_(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return self._inplace(_ops.addcmul, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return _ops.addcdiv(self, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return self._inplace(_ops.addcdiv, tensor1, tensor2, value=value)

    def clamp_min(self, min: Any) -> Tensor:
        return _ops.clamp_min(self, min)

    def clamp_min_(self, min: Any) -> Tensor:
        return self._inplace(_ops.clamp_min, min)

    def clamp_max(self, max: Any) -> Tensor:
        return _ops.clamp_max(self, max)

    def clamp_max_(self, max: Any) -> Tensor:
        return self._inplace(_ops.clamp_max, max)

    def copysign(self, other: Any) -> Tensor:
        return _ops.copysign(self, other)

    def copysign_(self, other: Any) -> Tensor:
        return self._inplace(_ops.copysign, other)

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
        return _ops.nan_to_num(self, nan, posinf, neginf)

    def nan_to_num_(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
        return self._inplace(_ops.nan_to_num, nan, posinf, neginf)

    def positive(self) -> Tensor:
        return _ops.positive(self)

    def negative(self) -> Tensor:
        return _ops.negative(self)

    def negative_(self) -> Tensor:
        return self._inplace(_ops.negative)

    def sign_(self) -> Tensor:
        return self._inplace(_ops.sign)

    def sgn(self) -> Tensor:
        return _ops.sgn(self)

    def sgn_(self) -> Tensor:
        return self._inplace(_ops.sgn)

    def signbit(self) -> Tensor:
        return _ops.signbit(self)

    def heaviside(self, values: Tensor) -> Tensor:
        return _ops.heaviside(self, values)

    def heaviside_(self, values: Tensor) -> Tensor:
        return self._inplace(_ops.heaviside, values)

    def floor(self) -> Tensor:
        return _ops.floor(self)

    def floor_(self) -> Tensor:
        return self._inplace(_ops.floor)

    def ceil(self) -> Tensor:
        return _ops.ceil(self)

    def ceil_(self) -> Tensor:
        return self._inplace(_ops.ceil)

    def round(self, *, decimals: int = 0) -> Tensor:
        return _ops.round(self, decimals=decimals)

    def round_(self, *, decimals: int = 0) -> Tensor:
        return self._inplace(_ops.round, decimals=decimals)

    def trunc(self) -> Tensor:
        return _ops.trunc(self)

    def trunc_(self) -> Tensor:
        return self._inplace(_ops.trunc)

    fix, fix_ = trunc, trunc_

    def frac(self) -> Tensor:
        return _ops.frac(self)

    def frac_(self) -> Tensor:
        return self._inplace(_ops.frac)

    def remainder(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def remainder_(self, other: Any) -> Tensor:
        return self._inplace(_ops.remainder, other)

    def fmod(self, other: Any) -> Tensor:
        return _ops.fmod(self, other)

    def fmod_(self, other: Any) -> Tensor:
        return self._inplace(_ops.fmod, other)

    def floor_divide(self, other: Any) -> Tensor:
        return _ops.floor_divide(self, other)

    def floor_divide_(self, other: Any) -> Tensor:
        return self._inplace(_ops.floor_divide, other)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(other, self)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return self._inplace(_ops.floor_divide, other)

    def __mod__(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _ops.remainder(other, self)

    def __imod__(self, other: Any) -> Tensor:
        return self._inplace(_ops.remainder, other)

    def isnan(self) -> Tensor:
        return _ops.isnan(self)

    def isinf(self) -> Tensor:
        return _ops.isinf(self)

    def isposinf(self) -> Tensor:
        return _ops.isposinf(self)

    def isneginf(self) -> Tensor:
        return _ops.isneginf(self)

    def isfinite(self) -> Tensor:
        return _ops.isfinite(self)

    def isreal(self) -> Tensor:
        return _ops.isreal(self)

    def bitwise_not(self) -> Tensor:
        return _ops.bitwise_not(self)

    def bitwise_not_(self) -> Tensor:
        return self._inplace(_ops.bitwise_not)

    def bitwise_and(self, other: Any) -> Tensor:
        return _ops.bitwise_and(self, other)

    def bitwise_and_(self, other: Any) -> Tensor:
        return self._inplace(_ops.bitwise_and, other)

    def bitwise_or(self, other: Any) -> Tensor:
        return _ops.bitwise_or(self, other)

    def bitwise_or_(self, other: Any) -> Tensor:
        return self._inplace(_ops.bitwise_or, other)

    def bitwise_xor(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(self, other)

    def bitwise_xor_(self, other: Any) -> Tensor:
        return self._inplace(_ops.bitwise_xor, other)

    def __rand__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(other, self)

    def __ror__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(other, self)

    def __rxor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(other, self)

    __iand__, __ior__, __ixor__ = bitwise_and_, bitwise_or_, bitwise_xor_

    # ---- linear algebra (autograd/linalg.py) ----
    def inverse(self) -> Tensor:
        return _ops.inverse(self)

    def det(self) -> Tensor:
        return _ops.det(self)

    def logdet(self) -> Tensor:
        return _ops.logdet(self)

    def slogdet(self) -> Any:
        return _ops.slogdet(self)

    def matrix_power(self, n: int) -> Tensor:
        return _ops.matrix_power(self, n)

    def matrix_exp(self) -> Tensor:
        return _ops.matrix_exp(self)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        return _ops.pinverse(self, rcond)

    # ---- scatter, index_*, masked_*, put (ops/scatter.py); sampling (sampling.py); new_* (factories.py) ----
    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return _ops.index_select(self, dim, index)

    def scatter(self, dim: int, index: Tensor, src: Any = None, value: Any = None, *, reduce: str | None = None
                ) -> Tensor:
        return _ops.scatter(self, dim, index, src, value, reduce)

    def scatter_(self, dim: int, index: Tensor, src: Any = None, value: Any = None, *, reduce: str | None = None
                 ) -> Tensor:
        return self._inplace(_ops.scatter, dim, index, src, value, reduce)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return _ops.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._inplace(_ops.scatter_add, dim, index, src)

    def scatter_reduce(self, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
                       ) -> Tensor:
        return _ops.scatter_reduce(self, dim, index, src, reduce, include_self)

    def scatter_reduce_(self, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
                        ) -> Tensor:
        return self._inplace(_ops.scatter_reduce, dim, index, src, reduce, include_self)

    def index_add(self, dim: int, index: Tensor, source: Tensor, *, alpha: float = 1) -> Tensor:
        return _index_add(self, dim, index, source, alpha)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, *, alpha: float = 1) -> Tensor:
        return self._inplace(_index_add, dim, index, source, alpha)

    def index_copy(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return _ops.index_copy(self, dim, index, source)

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return self._inplace(_ops.index_copy, dim, index, source)

    def index_fill(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return _ops.index_fill(self, dim, index, value)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return self._inplace(_ops.index_fill, dim, index, value)

    def masked_select(self, mask: Tensor) -> Tensor:
        return _ops.masked_select(self, mask)

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        return _ops.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        return self._inplace(_ops.masked_scatter, mask, source)

    def put(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        return _ops.put(self, index, source, accumulate)

    def put_(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        return self._inplace(_ops.put, index, source, accumulate)

    def index_put(self, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
        return _index_put(self, indices, values, accumulate)

    def index_put_(self, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
        return self._inplace(_index_put, indices, values, accumulate)

    def bernoulli(self, p: float | None = None, *, generator: Any = None) -> Tensor:
        return _sampling.bernoulli(self, p, generator=generator)

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        return _sampling.bernoulli_(self, p, generator=generator)

    def multinomial(self, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Tensor:
        return _sampling.multinomial(self, num_samples, replacement, generator=generator)

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        return _sampling.exponential_(self, lambd, generator=generator)

    def geometric_(self, p: float, *, generator: Any = None) -> Tensor:
        return _sampling.geometric_(self, p, generator=generator)

    def random_(self, *bounds: int, to: int | None = None, generator: Any = None) -> Tensor:
        """random_(), random_(to) or random_(from, to) (``from`` is a Python keyword: pass it by position)."""
        return _sampling.random_(self, *bounds, to=to, generator=generator)

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Tensor:
        return _sampling.cauchy_(self, median, sigma, generator=generator)

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Tensor:
        return _sampling.log_normal_(self, mean, std, generator=generator)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """A new tensor of zeros, of self's dtype (and device) unless told otherwise."""
        return _factories.zeros(*size, dtype=self.dtype if dtype is None else dtype, device=device,
                                requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return _factories.ones(*size, dtype=self.dtype if dtype is None else dtype, device=device,
                               requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return _factories.empty(*size, dtype=self.dtype if dtype is None else dtype, device=device,
                                requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return _factories.full(size, fill_value, dtype=self.dtype if dtype is None else dtype, device=device,
                               requires_grad=requires_grad)

    def new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """A copy of ``data`` (never sharing its memory, never its history), of self's dtype unless told otherwise."""
        return _factories.tensor(data, dtype=self.dtype if dtype is None else dtype, device=device,
                                 requires_grad=requires_grad)

    # ---- sorting, scans and more reductions (ops/sort.py, ops/scan.py, ops/reduce_more.py) ----
    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        return _ops.sort(self, dim, descending, stable=stable)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
        return _ops.argsort(self, dim, descending, stable=stable)

    def msort(self) -> Tensor:
        return _ops.msort(self)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        return _ops.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return _ops.kthvalue(self, k, dim, keepdim)

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return _ops.median(self, dim, keepdim)

    def nanmedian(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return _ops.nanmedian(self, dim, keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        return _ops.mode(self, dim, keepdim)

    def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
               dim: int | None = None) -> Any:
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)

    def unique_consecutive(self, return_inverse: bool = False, return_counts: bool = False,
                           dim: int | None = None) -> Any:
        return _ops.unique_consecutive(self, return_inverse, return_counts, dim)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return _ops.nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> Tensor:
        return _ops.argwhere(self)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return _ops.count_nonzero(self, dim)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
        return _ops.histc(self, bins, min, max)

    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        return _ops.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        return _ops.cumprod(self, dim, dtype=dtype)

    def cumsum_(self, dim: int, *, dtype: Any = None) -> Tensor:
        return self._inplace(lambda s: _ops.cumsum(s, dim, dtype=dtype))

    def cumprod_(self, dim: int, *, dtype: Any = None) -> Tensor:
        return self._inplace(lambda s: _ops.cumprod(s, dim, dtype=dtype))

    def cummax(self, dim: int) -> Any:
        return _ops.cummax(self, dim)

    def cummin(self, dim: int) -> Any:
        return _ops.cummin(self, dim)

    def logcumsumexp(self, dim: int) -> Tensor:
        return _ops.logcumsumexp(self, dim)

    def diff(self, n: int = 1, dim: int = -1, prepend: Tensor | None = None, append: Tensor | None = None
             ) -> Tensor:
        return _ops.diff(self, n, dim, prepend, append)

    def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _ops.prod(self, dim, keepdim, dtype=dtype)

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _ops.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _ops.nanmean(self, dim, keepdim, dtype=dtype)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:
        return _ops.aminmax(self, dim=dim, keepdim=keepdim)

    # ---- the rest of torch's Tensor API (memory layout, windows, small questions) ----------------------------------
    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """Steps in elements (not bytes, unlike NumPy's ``strides``) between neighbours along each dim."""
        steps = tuple(s // self.array.itemsize for s in self.array.strides)
        return steps if dim is None else steps[dim]

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self.array.flags.c_contiguous)

    def data_ptr(self) -> int:
        """The address of the first element (views of one base differ by their offset)."""
        return self.array.__array_interface__["data"][0]

    def storage_offset(self) -> int:
        base = self if self._base is None else self._base
        return (self.data_ptr() - base.data_ptr()) // self.array.itemsize

    def element_size(self) -> int:
        return self.array.itemsize

    def quantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
                 ) -> Tensor:
        return _ops.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
                    ) -> Tensor:
        return _ops.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        return _ops.unfold(self, dimension, size, step)

    def where(self, condition: Any, y: Any) -> Tensor:
        return _ops.where(condition, self, y)

    def equal(self, other: Tensor) -> bool:
        from .info import equal

        return equal(self, other)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def half(self) -> Tensor:
        return _ops.cast(self, dtypes.float16)

    def short(self) -> Tensor:
        return _ops.cast(self, dtypes.int16)

    def byte(self) -> Tensor:
        return _ops.cast(self, dtypes.uint8)

    def char(self) -> Tensor:
        return _ops.cast(self, dtypes.int8)

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

    def pin_memory(self, device: Any = None) -> Tensor:
        """Pinned memory speeds copies to a GPU; there is none, so this is the tensor itself."""
        return self

    def is_pinned(self, device: Any = None) -> bool:
        return False

    def share_memory_(self) -> Tensor:
        """torch moves the storage to shared memory for worker processes; pathgrad's tensors stay as they are."""
        return self

    def is_shared(self) -> bool:
        return False

    # ---- dtype and copies -----------------------------------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """torch's three forms: ``to(dtype)``, ``to(device=None, dtype=None)``, ``to(other)`` (other's dtype), each
        with ``non_blocking=False, copy=False``. Returns self when nothing changes, unless ``copy=True``. A dtype
        change is differentiable; any device but the CPU raises ``DeviceError``."""
        where, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
        copy = kwargs.pop("copy", False)
        for ignored in ("non_blocking", "memory_format"):  # nothing is asynchronous, and layouts are NumPy's
            kwargs.pop(ignored, None)
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

    def type(self, dtype: Any = None) -> Any:
        """With no argument, the legacy type's name ("pathgrad.FloatTensor"); else a cast to ``dtype`` (a dtype, a
        legacy type such as ``FloatTensor``, or its name)."""
        from .legacy import LEGACY_NAMES

        if dtype is None:
            return f"pathgrad.{LEGACY_NAMES.get(self.dtype, str(self.dtype))}"
        if isinstance(dtype, str) and dtype.rpartition(".")[2] in LEGACY_NAMES.values():
            dtype = {name: dt for dt, name in LEGACY_NAMES.items()}[dtype.rpartition(".")[2]]
        return _ops.cast(self, dtypes.to_dtype(getattr(dtype, "dtype", dtype)))

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
    def _inplace(self, op: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
        """self ← op(self, *args, **kwargs), written into self's memory (so into its base, and every view of that base).

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
        out = op(old, *args, **kwargs)
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

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return self._inplace(_ops.div, other, rounding_mode=rounding_mode)

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
from . import factories as _factories  # noqa: E402
from . import ops as _ops  # noqa: E402
from . import random as _random  # noqa: E402
from . import sampling as _sampling  # noqa: E402
from .ops.scatter import index_add as _index_add  # noqa: E402  (torch's; ops.index_add is GetItem's backward)
from .ops.scatter import index_put as _index_put  # noqa: E402  (torch's; ops.index_put is __setitem__'s)
