"""Higher-level derivatives of a function, with ``torch.autograd.functional``'s signatures:
``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``hvp``, ``vhp``.

``inputs`` is a Tensor or a tuple of Tensors, and results mirror that structure. ``jvp`` uses forward mode (dual
numbers); ``jacobian`` builds rows by reverse mode or, with ``strategy="forward-mode"``, columns by forward mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import forward_ad
from .engine import grad
from .grad_mode import enable_grad
from .ops import stack
from .tensor import Tensor


def _as_tuple(x: Any) -> tuple[bool, tuple]:
    if isinstance(x, tuple | list):
        return True, tuple(x)
    return False, (x,)


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    # With create_graph the results stay connected to the caller's inputs; otherwise work on fresh leaves.
    return tuple(x * 1 if create_graph and x.requires_grad else x.detach().requires_grad_(True) for x in inputs)


def _fill(grads: tuple, like: tuple) -> tuple:
    return tuple(Tensor._make(np.zeros(x.shape, dtype=x.dtype)) if g is None else g for g, x in zip(grads, like))


def _out(t: Any, create_graph: bool) -> Any:
    if isinstance(t, tuple):
        return tuple(_out(x, create_graph) for x in t)
    return t if create_graph or t is None else t.detach()


def _default_v(ts: tuple, what: str) -> tuple:
    for t in ts:
        if t.array.size != 1:
            raise RuntimeError(f"{what}: v can only be omitted when there is a single element; got shape {t.shape}")
    return tuple(Tensor._make(np.ones(t.shape, dtype=t.dtype)) for t in ts)


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), vᵀJ)``: the vector-Jacobian product, by one reverse sweep."""
    is_tuple, xs = _as_tuple(inputs)
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out = func(*xs)
        out_tuple, outs = _as_tuple(out)
        vs = _default_v(outs, "vjp") if v is None else _as_tuple(v)[1]
        gs = grad(outs, xs, vs, create_graph=create_graph, allow_unused=True)
    gs = _out(_fill(gs, xs), create_graph)
    return _out(out, create_graph), gs if is_tuple else gs[0]


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), J v)``: the Jacobian-vector product, by one forward pass with dual numbers."""
    is_tuple, xs = _as_tuple(inputs)
    vs = _default_v(xs, "jvp") if v is None else _as_tuple(v)[1]
    if create_graph:
        return _jvp_by_double_backward(func, xs, vs, is_tuple)
    with forward_ad.dual_level():
        duals = tuple(forward_ad.make_dual(x.detach(), t) for x, t in zip(xs, vs))
        out = func(*duals)
        out_tuple, outs = _as_tuple(out)
        tangents = tuple(forward_ad.unpack_dual(o).tangent for o in outs)
    tangents = _fill(tangents, outs)
    primal = tuple(Tensor._make(o.array) for o in outs)
    return (primal if out_tuple else primal[0]), (tangents if out_tuple else tangents[0])


def _jvp_by_double_backward(func: Callable, xs: tuple, vs: tuple, is_tuple: bool) -> tuple:
    # J v = ∂/∂u (uᵀ J) v: differentiate a vjp with respect to its (dummy) cotangent u.
    with enable_grad():
        xs = _prepare(xs, True)
        out = func(*xs)
        out_tuple, outs = _as_tuple(out)
        us = tuple(Tensor._make(np.zeros(o.shape, dtype=o.dtype)).requires_grad_(True) for o in outs)
        gs = grad(outs, xs, us, create_graph=True, allow_unused=True)
        pairs = [(g, v) for g, v in zip(gs, vs) if g is not None]
        res = grad([g for g, _ in pairs], us, [v for _, v in pairs], create_graph=True, allow_unused=True)
    res = _fill(res, outs)
    return out, (res if out_tuple else res[0])


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """∂ output / ∂ input, of shape ``output.shape + input.shape`` (nested tuples for several of either).

    Reverse mode costs one backward sweep per output element; forward mode one forward pass per input element.
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise AssertionError(f"jacobian: strategy must be 'reverse-mode' or 'forward-mode', got {strategy!r}")
    is_tuple, xs = _as_tuple(inputs)
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError("jacobian: strategy='forward-mode' does not support create_graph=True")
        return _jacobian_forward(func, xs, is_tuple)
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out = func(*xs)
        out_tuple, outs = _as_tuple(out)
        blocks = []
        for o in outs:
            rows = []  # rows[k][i]: gradient of element k of o with respect to input i
            for k in range(o.array.size):
                seed = np.zeros(o.array.size, dtype=o.dtype)
                seed[k] = 1
                g = grad(o, xs, Tensor._make(seed.reshape(o.shape)), retain_graph=True, create_graph=create_graph,
                         allow_unused=True)
                rows.append(_fill(g, xs))
            per_input = []
            for i, x in enumerate(xs):
                if rows:
                    j = stack([r[i] for r in rows]) if create_graph else Tensor._make(
                        np.stack([r[i].array for r in rows]))
                else:
                    j = Tensor._make(np.zeros((0,) + x.shape, dtype=x.dtype))
                per_input.append(_out(j.reshape(o.shape + x.shape), create_graph))
            blocks.append(tuple(per_input))
    return _structure(blocks, out_tuple, is_tuple)


def _jacobian_forward(func: Callable, xs: tuple, is_tuple: bool) -> Any:
    columns: list[list] = []  # columns[i][j]: the jvp outputs for element j of input i
    outs = None
    for i, x in enumerate(xs):
        cols = []
        for j in range(x.array.size):
            vs = tuple(Tensor._make(np.zeros(y.shape, dtype=y.dtype)) for y in xs)
            vs[i].array.reshape(-1)[j] = 1
            out, t = jvp(func, tuple(xs), vs)
            outs = _as_tuple(out)
            cols.append(_as_tuple(t)[1])
        columns.append(cols)
    if outs is None:
        outs = _as_tuple(func(*xs))
    out_tuple, outs = outs
    blocks = []
    for k, o in enumerate(outs):
        per_input = []
        for i, x in enumerate(xs):
            cols = [c[k].array.reshape(-1) for c in columns[i]]
            mat = np.stack(cols, axis=1) if cols else np.zeros((o.array.size, 0), dtype=o.dtype)
            per_input.append(Tensor._make(mat.reshape(o.shape + x.shape)))
        blocks.append(tuple(per_input))
    return _structure(blocks, out_tuple, is_tuple)


def _structure(blocks: list, out_tuple: bool, in_tuple: bool) -> Any:
    rows = [b if in_tuple else b[0] for b in blocks]
    return tuple(rows) if out_tuple else rows[0]


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The matrix of second derivatives of a scalar ``func``, shape ``input.shape + input.shape``."""
    is_tuple, xs = _as_tuple(inputs)

    def gradient(*ys: Tensor) -> tuple:
        out = func(*ys)
        if out.array.size != 1:
            raise RuntimeError(f"hessian: func must return a single-element tensor, got shape {out.shape}")
        return _fill(grad(out, ys, create_graph=True, allow_unused=True), ys)

    return jacobian(gradient if is_tuple else (lambda y: gradient(y)[0]), inputs, create_graph=create_graph)


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), H v)`` without forming H: differentiate ∇f · v once more."""
    return _second_order_product(func, inputs, v, create_graph)


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), vᵀ H)``; equal to ``hvp`` because H is symmetric."""
    return _second_order_product(func, inputs, v, create_graph)


def _second_order_product(func: Callable, inputs: Any, v: Any, create_graph: bool) -> tuple:
    is_tuple, xs = _as_tuple(inputs)
    vs = _default_v(xs, "hvp") if v is None else _as_tuple(v)[1]
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out = func(*xs)
        gs = grad(out, xs, create_graph=True, allow_unused=True)
        pairs = [(g, v, i) for i, (g, v) in enumerate(zip(gs, vs)) if g is not None and g.requires_grad]
        res = grad([g for g, _, _ in pairs], xs, [v for _, v, _ in pairs], create_graph=create_graph,
                   allow_unused=True) if pairs else (None,) * len(xs)
    res = _out(_fill(res, xs), create_graph)
    return _out(out, create_graph), (res if is_tuple else res[0])
