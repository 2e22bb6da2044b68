"""What the drawing writes: an op's label is its maths (``conv2d 3×3 s1``, ``max_pool 2×2``, ``·``, ``sum dim 1``),
never a repr of what the op keeps (a window ``Geometry``, an index array, ``groups=1``); numbers are short.

An op's settings (non-tensor arguments) appear as ``name value`` when they are small and readable (ints, floats,
strings, dtypes, tuples of ints); anything else (arrays, index tuples, objects) is left out of the label.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ..function import Function
from ._graph import arg_names, is_setting

_SYMBOLS = {"Add": "+", "Sub": "−", "Mul": "·", "Div": "÷", "Pow": "^", "Neg": "−", "MatMul": "matmul"}
# Ops whose class name reads badly as a label.
_NAMES = {"Conv2dFn": "conv2d", "MaxPool2dFn": "max_pool", "SumPool": "sum_pool", "Relu": "relu",
          "LeakyRelu": "leaky_relu", "GetItem": "index", "Cast": "to"}
# Ops that only rearrange or re-view elements: drawn folded into an edge unless asked for.
RESHAPE_LIKE = {"Reshape", "Permute", "Expand"}


def fmt(x: Any) -> str:
    """A number, short: 4 significant digits (``2``, ``0.7616``, ``1.2e-05``)."""
    return f"{float(x):.4g}"


def grad_text(g: Any, symbol: str = "ḡ") -> str:
    """An adjoint, short: ``ḡ = 3`` for one number, ``‖ḡ‖ = 1.234`` (its norm) for an array."""
    g = np.asarray(g)
    if g.size == 1:
        return f"{symbol} = {fmt(g.reshape(-1)[0])}"
    return f"‖{symbol}‖ = {fmt(np.linalg.norm(g.astype(np.float64)))}"


def op_symbol(node: Function) -> str:
    """The short name of an op: ``·`` for Mul, ``tanh`` for Tanh, ``log_softmax`` for LogSoftmax."""
    cls = type(node).__name__
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", cls)  # RNNStep -> RNN_Step
    return _SYMBOLS.get(cls) or _NAMES.get(cls) or words.lower()


def _pair(p: Any) -> str:
    return str(p[0]) if p[0] == p[1] else f"{p[0]}×{p[1]}"


def _window(geom: Any, show_stride: bool = True) -> str:
    """``3×3 s1 p1`` from a window Geometry: the kernel, the stride, and padding/dilation where not trivial."""
    parts = [f"{geom.kernel[0]}×{geom.kernel[1]}"]
    if show_stride:
        parts.append("s" + _pair(geom.stride))
    pads = [lo for lo, _ in geom.padding] + [hi for _, hi in geom.padding]
    if any(pads):
        top_left = tuple(lo for lo, _ in geom.padding)
        parts.append("p" + (_pair(top_left) if all(lo == hi for lo, hi in geom.padding) else "*"))
    if tuple(geom.dilation) != (1, 1):
        parts.append("d" + _pair(geom.dilation))
    return " ".join(parts)


def _conv(node: Function) -> str:
    geom, groups = node.args[3], node.args[4]
    return f"conv2d {_window(geom)}" + (f" g{groups}" if groups != 1 else "")


def _pool(node: Function) -> str:
    geom = node.args[-1]
    return f"{op_symbol(node)} {_window(geom, show_stride=tuple(geom.stride) != tuple(geom.kernel))}"


def _loss(node: Function) -> str:
    reduction = node.args[-1]
    return op_symbol(node) + ("" if reduction == "mean" else f" ({reduction})")


def _index(node: Function) -> str:
    index = node.args[1]
    parts = list(index) if isinstance(index, tuple) else [index]
    while len(parts) > 1 and parts[-1] is Ellipsis:
        parts.pop()  # x[1:3, 2] is recorded as (slice(1, 3), 2, ...)
    return "[" + ", ".join(_index_part(p) for p in parts) + "]"


def _reduce(node: Function) -> str:
    """``sum``, ``sum dim 1``, ``mean dims (0, 2) keepdim``: the dims only when not all of them."""
    x, dims = node.args[0], node.args[1]
    keepdim = len(node.args) > 2 and node.args[2] is True
    ndim = getattr(x, "ndim", None)
    dims = (dims,) if isinstance(dims, int) else dims
    label = op_symbol(node)
    if dims is not None and not (ndim is not None and sorted(d % max(ndim, 1) for d in dims) == list(range(ndim))):
        label += f" dim {dims[0]}" if len(dims) == 1 else f" dims {_readable(tuple(dims))}"
    return label + (" keepdim" if keepdim else "")


def _index_part(p: Any) -> str:
    if isinstance(p, slice):
        text = ("" if p.start is None else str(p.start)) + ":" + ("" if p.stop is None else str(p.stop))
        return text + (f":{p.step}" if p.step is not None else "")
    if p is None:
        return "None"
    if p is Ellipsis:
        return "…"
    if isinstance(p, int | np.integer):
        return str(int(p))
    return "…"  # an index array or mask: its values do not fit in a label


_LABELS: dict[str, Callable[[Function], str]] = {
    "Reshape": lambda n: fold_label(n), "Permute": lambda n: fold_label(n), "Expand": lambda n: fold_label(n),
    "Conv2dFn": _conv, "MaxPool2dFn": _pool, "SumPool": _pool, "CrossEntropy": _loss, "NllLoss": _loss,
    "GetItem": _index, **dict.fromkeys(["Sum", "Mean", "Amax", "Amin", "Logsumexp", "Norm2", "Prod"], _reduce),
}


def _readable(value: Any) -> str | None:
    """A setting's value as a label shows it, or None when it has no short readable form."""
    if isinstance(value, bool | np.bool_):
        return "" if value else None
    if isinstance(value, int | np.integer | str):
        return str(value)
    if isinstance(value, float | np.floating):
        return fmt(value)
    if isinstance(value, np.dtype) or isinstance(value, type) and issubclass(value, np.generic):
        return np.dtype(value).name
    if isinstance(value, tuple | list) and 0 < len(value) <= 6 and all(
            isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value):
        return str(int(value[0])) if len(value) == 1 else "(" + ", ".join(str(int(v)) for v in value) + ")"
    return None


def op_label(node: Function) -> str:
    """An op's label: its maths, with its readable settings (``sum dim 1``, ``softmax dim 1``, ``conv2d 3×3 s1``)."""
    special = _LABELS.get(type(node).__name__)
    if special is not None:
        try:
            return special(node)
        except (AttributeError, IndexError, TypeError):  # an op of that name with other arguments
            pass
    names = arg_names(node)
    settings = []
    for i, a in enumerate(node.args):
        if a is None or not is_setting(node, i, names):
            continue
        shown = _readable(a)
        if shown is not None:
            settings.append(f"{names[i]} {shown}".strip())
    return " ".join([op_symbol(node), *settings])[:48]


def fold_label(node: Function) -> str:
    """What a folded reshape-like op says on its edge: ``reshape (2, 64)``, ``permute (1, 0)``, ``expand (3, 4)``."""
    shape = node.output_meta[0][0] if getattr(node, "output_meta", None) else None
    if type(node).__name__ == "Permute":
        return f"permute {_readable(node.args[1])}"
    return op_symbol(node) + ("" if shape is None else " " + str(tuple(int(n) for n in shape)))
