"""A read-only walk of the recorded graph, shared by the drawing, the path explainer and the backward stepper.

The graph has three kinds of things: tensors (leaves, intermediates, the output), ops (``Function`` nodes, found in
``tensor.grad_fn``) and constants (Python numbers among an op's arguments, like the 1 in ``b + 1``). An op's inputs
are ``node.args`` in order, so walking them in order gives the same drawing every time.

Nothing here changes the graph: local derivatives are computed by re-running an op on detached copies of its inputs,
which also works after ``backward()`` has freed the tensors the op saved.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine import grad, topological_order
from ..function import Function
from ..grad_mode import enable_grad
from ..tensor import Tensor

# A tensor is identified by the op output it is (node, output number), or by itself when it is a leaf. An intermediate
# tensor has one Tensor object, but keying by its producer also works when only the producer is known.
TensorKey = tuple


def tensor_key(t: Tensor) -> TensorKey:
    return ("out", id(t.grad_fn), t._output_nr) if t.grad_fn is not None else ("leaf", id(t))


def is_constant(x: Any) -> bool:
    """A number passed to an op (drawn as a small constant node), as opposed to a tensor or a setting like dims."""
    return isinstance(x, int | float | np.number) and not isinstance(x, bool | np.bool_)


# The parameter names under which a Python number is an operand of the maths (the 1 in ``b + 1``, the 2 in ``x ** 2``,
# drawn as a small constant node); a number under any other name configures the op (``groups``, ``negative_slope``,
# ``dim``) and goes in its label.
_OPERAND_NAMES = {"a", "b", "x", "y", "w", "other", "input"}


def arg_names(node: Function) -> list[str]:
    """The forward parameter name of each of ``node.args`` (``*tensors`` style parameters repeat their name)."""
    try:
        params = list(inspect.signature(type(node).forward).parameters.values())[1:]  # drop ctx
    except (TypeError, ValueError):
        params = []
    names = []
    for i in range(len(node.args)):
        if i < len(params) and params[i].kind != inspect.Parameter.VAR_POSITIONAL:
            names.append(params[i].name)
        elif params and params[min(i, len(params) - 1)].kind == inspect.Parameter.VAR_POSITIONAL:
            names.append(params[min(i, len(params) - 1)].name)
        else:
            names.append(f"arg{i}")
    return names


def is_setting(node: Function, position: int, names: Sequence[str]) -> bool:
    """Whether ``node.args[position]`` is a non-tensor setting (dims, shape, groups, ...) rather than an operand."""
    a = node.args[position]
    return not isinstance(a, Tensor) and (not is_constant(a) or names[position] not in _OPERAND_NAMES)


def arg_key(node: Function, position: int) -> TensorKey:
    """The key of ``node.args[position]`` by the producer recorded when the op ran (``next_functions``): it stays
    right after an in-place op gives the tensor object a newer history."""
    producer, nr = node.next_functions[position]
    return ("out", id(producer), nr) if producer is not None else ("leaf", id(node.args[position]))


class GraphWalk:
    """The ops reachable from ``root`` in reverse topological order (output first), and the tensors between them.

    ``tensors`` maps the key of every tensor the ops read (and the root's) to its Tensor object, or to None for an
    op output that an in-place op overwrote after it was read (the object now holds the newer value and history).
    """

    def __init__(self, root: Tensor) -> None:
        if not isinstance(root, Tensor):
            raise TypeError(f"viz: expected the output Tensor of a computation, got {type(root).__name__}")
        self.root = root
        self.ops: list[Function] = topological_order([root.grad_fn]) if root.grad_fn is not None else []
        self.tensors: dict[TensorKey, Tensor | None] = {tensor_key(root): root}
        for node in self.ops:
            for i, a in enumerate(node.args):
                if isinstance(a, Tensor):
                    key = arg_key(node, i)
                    current = a if tensor_key(a) == key else None
                    if self.tensors.get(key) is None:
                        self.tensors[key] = current

    def used_outputs(self, node: Function) -> list[TensorKey]:
        """The keys of the outputs of ``node`` that something downstream uses (or that are the root)."""
        return [("out", id(node), i) for i in range(len(getattr(node, "output_meta", ())))
                if ("out", id(node), i) in self.tensors]


def is_scalar_graph_node(node: Function) -> bool:
    """True when every float tensor around ``node`` holds one number, so each edge has a numeric local derivative."""
    meta = getattr(node, "output_meta", ())
    if len(meta) != 1 or math.prod(meta[0][0]) != 1:  # (math.prod: np.prod on a shape costs microseconds)
        return False
    return all(a.array.size == 1 for a in node.args if isinstance(a, Tensor) and a.dtype.kind == "f")


def rerun(node: Function) -> tuple[list[Any], tuple[Tensor, ...]]:
    """Run ``node``'s op again on fresh, detached copies of its float inputs: a private graph to differentiate.

    Each argument position gets its own copy, so ``x * x`` has two inputs and two local derivatives (x and x).
    """
    inputs = [a.detach().requires_grad_(True) if isinstance(a, Tensor) and a.dtype.kind == "f" else a
              for a in node.args]
    with enable_grad():
        out = type(node).apply(*inputs, **(node.kwargs or {}))
    return inputs, (out if isinstance(out, tuple) else (out,))


def vjp(node: Function, grad_outputs: Sequence[np.ndarray | None]) -> list[np.ndarray | None]:
    """The adjoint each input of ``node`` receives, given the adjoints of its outputs (None where there is none)."""
    inputs, outs = rerun(node)
    pairs = [(o, g) for o, g in zip(outs, grad_outputs) if g is not None and o.requires_grad]
    wanted = [i for i, a in enumerate(node.args) if node.needs_input_grad[i]]
    result: list[np.ndarray | None] = [None] * len(node.args)
    if not pairs or not wanted:
        return result
    found = grad([o for o, _ in pairs], [inputs[i] for i in wanted],
                 grad_outputs=[Tensor._make(np.asarray(g, dtype=o.dtype)) for o, g in pairs], allow_unused=True)
    for i, g in zip(wanted, found):
        result[i] = None if g is None else g.array
    return result


def local_derivatives(node: Function) -> list[float | None]:
    """∂out/∂args[i] for a scalar op (None for arguments that are not differentiable tensors)."""
    outs_grads = vjp(node, [np.ones(s, dtype=d) for s, d in node.output_meta])
    return [None if g is None else float(np.asarray(g).reshape(-1)[0]) for g in outs_grads]

