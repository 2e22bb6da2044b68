"""The Tensor: a numpy array that remembers how it was made.

A Tensor holds ``data`` (a numpy array), and, when it requires grad, ``grad_fn``: the graph node (a ``Function``
instance) of the op that produced it. Leaves (made by the user) have no ``grad_fn``; ``backward()`` fills their
``grad``. Every method here is a one-line call into ``autograd.ops``, where each op and its derivative live.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import dtypes
from .grad_mode import _state

Shape = tuple[int, ...]


def _dims(args: tuple) -> tuple:
    """Accept both f(2, 3) and f((2, 3)), as torch does for shapes and dims."""
    if len(args) == 1 and isinstance(args[0], list | tuple):
        return tuple(args[0])
    return args


class Tensor:
    """An n-dimensional array with reverse- and forward-mode automatic differentiation."""

    __slots__ = ("array", "grad", "requires_grad", "grad_fn", "_output_nr", "name", "_version", "_hooks",
                 "_fw_grad", "_retains_grad", "__weakref__")
    # Make numpy defer to Tensor's reflected operators (ndarray * Tensor -> Tensor.__rmul__).
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        if isinstance(data, Tensor):
            data = data.array
        if dtype is not None:
            arr = np.array(data, dtype=dtypes.to_dtype(dtype))
        else:
            arr = np.array(data)
            if arr.dtype == np.float64 and not isinstance(data, np.ndarray | np.generic):
                arr = arr.astype(dtypes.get_default_dtype())  # Python floats take the default dtype, like torch
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"Tensor: cannot make a tensor from data of dtype {arr.dtype}; give numbers or arrays")
        self.array = arr
        self.grad: Tensor | None = None
        self.grad_fn = None
        self._output_nr = 0
        self.name: str | None = None
        self._version = 0
        self._hooks: list | None = None
        self._fw_grad: Tensor | None = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(data: np.ndarray) -> Tensor:
        """Wrap an array without copying or checks: the ops' fast path."""
        t = object.__new__(Tensor)
        t.array = data
        t.grad = t.grad_fn = t.name = t._hooks = t._fw_grad = None
        t.requires_grad = t._retains_grad = False
        t._output_nr = t._version = 0
        return t

    # ---- attributes -----------------------------------------------------------------------------------------------
    @property
    def data(self) -> np.ndarray:  # transitional: the array, until the storage model lands
        return self.array

    @data.setter
    def data(self, value: np.ndarray) -> None:
        self.array = value

    @property
    def shape(self) -> Shape:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def device(self) -> str:
        return "cpu"

    def dim(self) -> int:
        return self.array.ndim

    def size(self, dim: int | None = None) -> Shape | int:
        return self.array.shape if dim is None else self.array.shape[dim]

    def numel(self) -> int:
        return int(self.array.size)

    def item(self) -> float | int | bool:
        if self.array.size != 1:
            raise RuntimeError(f"item(): a Tensor with {self.array.size} elements cannot be converted to a scalar")
        return self.array.item()

    def tolist(self) -> Any:
        return self.array.tolist()

    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on a Tensor that requires grad. Use tensor.detach().numpy().")
        return self.array

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    # ---- autograd -------------------------------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self.array.dtype.kind != "f":
            raise RuntimeError(
                f"Only Tensors of floating point dtype can require gradients, got {self.array.dtype}; "
                "create it with dtype=autograd.float32 (or .float())"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False) is only allowed on leaf tensors; use .detach() instead")
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """The same values, cut from the graph (shares the array, like torch)."""
        return Tensor._make(self.array)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on a non-leaf tensor after backward."""
        if self.grad_fn is None:
            return
        if not self._retains_grad:
            self._retains_grad = True
            self.register_hook(_RetainGrad(self))

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Callable[[], None]:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces the gradient.
        Returns a function that removes the hook."""
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
        return lambda: hook in hooks and hooks.remove(hook)

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

    # ---- shape ----------------------------------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return _ops.reshape(self, _dims(shape))

    def view(self, *shape: Any) -> Tensor:
        return _ops.reshape(self, _dims(shape))

    def view_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape)

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
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but got {self.ndim}; use transpose()")
        return _ops.permute(self, tuple(range(self.ndim))[::-1])

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

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.chunk(self, chunks, dim)

    def gather(self, dim: int, index: Any) -> Tensor:
        return _ops.gather(self, dim, index)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._inplace(_ops.index_put, index, value)

    # ---- dtype and copies -----------------------------------------------------------------------------------------
    def to(self, dtype: Any = None, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)`` casts (differentiably); devices other than "cpu" are not supported."""
        if isinstance(dtype, str) and dtype == "cpu":
            dtype = kwargs.get("dtype")
        return self if dtype is None else _ops.cast(self, dtypes.to_dtype(dtype))

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
        return self

    def cpu(self) -> Tensor:
        return self

    # ---- in place -------------------------------------------------------------------------------------------------
    def _inplace(self, op: Callable[..., Tensor], *args: Any) -> Tensor:
        """Run ``op(self, *args)`` and make self its result, the way torch rebases a tensor's history.

        The op reads an alias of the old self (same array, same history), so the new node points at the old version
        and not at itself. The old array is left untouched (self gets a new one): a node that saved the old version
        still sees its values, and a node that saved *self* sees the version counter move and refuses to backward.
        """
        if _state.enabled and self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation; "
                "wrap the update in `with autograd.no_grad():` or use an out-of-place op"
            )
        src = self
        if _state.enabled:
            src = Tensor._make(self.array)
            src.grad_fn, src._output_nr, src.requires_grad = self.grad_fn, self._output_nr, self.requires_grad
            src._fw_grad = self._fw_grad
        out = op(src, *args)
        if out.shape != self.shape:
            raise RuntimeError(f"in-place {op.__name__}: output with shape {self.shape} doesn't match the broadcast "
                               f"shape {out.shape}")
        if out.dtype != self.dtype:
            if not np.can_cast(out.dtype, self.dtype, "same_kind"):
                raise RuntimeError(f"in-place {op.__name__}: result type {out.dtype} can't be cast to the desired "
                                   f"output type {self.dtype}")
            out = _ops.cast(out, self.dtype)
        self.array = out.array
        if out.grad_fn is not None:
            self.grad_fn, self._output_nr, self.requires_grad = out.grad_fn, out._output_nr, True
        elif _state.enabled and self.grad_fn is not None:  # overwritten by constants: no history left
            self.grad_fn, self.requires_grad = None, False
        self._fw_grad = out._fw_grad
        self._version += 1
        return self

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

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return self._inplace(_ops.clamp, min, max)

    def relu_(self) -> Tensor:
        return self._inplace(_ops.relu)

    def copy_(self, src: Any) -> Tensor:
        return self._inplace(lambda s, x: _ops.clone(_ops.broadcast_to(x, s.shape)), src)

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        return self._inplace(lambda s, v: Tensor._make(np.full_like(s.array, v)), value)


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
