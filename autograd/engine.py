"""The backward pass: reverse-mode accumulation over the recorded graph.

The chain rule says ∂e/∂x is the sum, over every path from x to e, of the product of the local derivatives along
the path. Enumerating paths is exponential; backprop factorises the sum instead. Visit the graph's nodes so that each
comes after every node that uses its outputs (reverse topological order); give each node the sum of the gradients
flowing into it (its adjoint, ē); call its backward to turn ē into the adjoints of its inputs. Every edge is used
once, so a backward pass costs about as much as the forward pass.

Nodes are the ``Function`` instances recorded in ``tensor.grad_fn``. A node's inputs are ``node.args`` in order, and
``node.next_functions[i]`` is ``(producer node, output index)`` for input i (``(None, 0)`` for a leaf or constant).
Gradients are NumPy arrays, or Tensors when the backward pass is itself recorded (``create_graph=True``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from heapq import heappop, heappush
from operator import attrgetter
from typing import Any

import numpy as np

from .function import Function
from .grad_mode import _state
from .tensor import Tensor


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Sequence[Tensor] | None = None) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves (of ``inputs`` only, if given)."""
    roots, seeds = _seed(tensors, grad_tensors, "backward", create_graph)
    leaves = _run(roots, seeds, create_graph if retain_graph is None else retain_graph, create_graph)
    only = None if inputs is None else [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for leaf in list(leaves):
        g = leaves.pop(leaf)  # (out of the dict, so that _own can tell whether anything else holds it)
        if only is None or any(leaf is t for t in only):
            _accumulate(leaf, g, create_graph)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned rather than accumulated into ``.grad``.

    With ``create_graph=True`` the backward pass is itself recorded, so the results can be differentiated again.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    if grad_outputs is not None and not isinstance(grad_outputs, list | tuple):
        grad_outputs = (grad_outputs,)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad")
    roots, seeds = _seed(outputs, grad_outputs, "grad", create_graph)
    found = {(t.grad_fn, t._output_nr): None for t in inputs if not t.is_leaf}  # -> their gradients, by _run
    leaves = _run(roots, seeds, create_graph if retain_graph is None else retain_graph, create_graph, found)
    result = []
    for i, t in enumerate(inputs):
        g = leaves.get(t) if t.is_leaf else found.get((t.grad_fn, t._output_nr))
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) was not used in the graph of the outputs; "
                               "pass allow_unused=True if this is expected")
        result.append(g if g is None or isinstance(g, Tensor) else Tensor._make(np.array(g)))
    return tuple(result)


def _seed(tensors: Any, grads: Any, op: str, create_graph: bool) -> tuple[list, list]:
    """The roots of the sweep and their gradients: ones for a scalar root, else the given ones (checked)."""
    if isinstance(tensors, Tensor):  # one tensor: then grads is its one gradient (a Tensor, an array, ...)
        tensors, grads = [tensors], None if grads is None else [grads]
    grads = [None] * len(tensors) if grads is None else list(grads)
    if len(grads) != len(tensors):
        raise RuntimeError(f"{op}: got {len(tensors)} tensors but {len(grads)} gradients")
    return tensors, [_seed_one(op, i, t, g, create_graph) for i, (t, g) in enumerate(zip(tensors, grads))]


def _seed_one(op: str, i: int, t: Tensor, g: Any, create_graph: bool) -> Any:
    if not t.requires_grad:
        raise RuntimeError(f"{op}: element {i} of tensors does not require grad and does not have a grad_fn")
    if g is None and t.array.size != 1:
        raise RuntimeError(f"{op}: grad can be implicitly created only for scalar outputs; this output has "
                           f"shape {t.array.shape}, so pass a gradient of that shape")
    if g is not None and np.shape(g) != t.array.shape:
        raise RuntimeError(f"{op}: mismatch in shape: gradient {i} has shape {np.shape(g)} and output {i} has "
                           f"shape {t.array.shape}")
    g = np.ones(t.array.shape, t.dtype) if g is None else g
    # recording, a gradient is a Tensor (a given one is kept: it may be differentiated); else an array
    return (g if isinstance(g, Tensor) else Tensor(g, dtype=t.dtype)) if create_graph else np.asarray(g, t.dtype)


def _run(roots: list[Tensor], seeds: list, retain_graph: bool, create_graph: bool, found: dict | None = None
         ) -> dict:
    """The sweep: returns each reached leaf's gradient; fills in ``found``, {(node, output index): None}, with the
    gradients of those non-leaf tensors."""
    adjoints: dict[Function, list] = {}  # node -> the gradient so far of each of its outputs
    leaves: dict[Tensor, Any] = {}  # leaf -> its gradient so far (Tensors hash by identity)
    # The nodes holding a gradient, newest first: a heap of (−sequence_nr, node). Every op that uses a node's
    # outputs was recorded after it, so once it is the newest waiting node, all of them have passed their gradient
    # back: its adjoint is complete (the reverse topological order, found while sweeping).
    waiting: list[tuple[int, Function]] = []

    def deliver(to: Tensor, g: Any, producer: Function | None, i: int) -> None:
        # Paths into the same node or leaf add up: this sum is the "sum over paths" of the chain rule.
        if producer is None:
            leaves[to] = g if to not in leaves else leaves[to] + g
        else:
            if producer not in adjoints:
                adjoints[producer] = [None] * len(producer.output_meta)
                heappush(waiting, (-producer.sequence_nr, producer))
            slots = adjoints[producer]
            slots[i] = g if slots[i] is None else slots[i] + g

    prev, _state.enabled = _state.enabled, create_graph  # record the backward pass only when asked to
    try:
        for t, g in zip(roots, seeds):
            deliver(t, g, t.grad_fn, t._output_nr)
        while waiting:
            node = heappop(waiting)[1]
            grads = adjoints.pop(node)
            if node.output_hooks or found:
                _output_hooks(node, grads, found)
            if len(grads) > 1 and node.materialize_grads and any([g is None for g in grads]):
                _zeros_for_unused(node, grads, create_graph)
            # The chain rule at this node: its outputs' adjoints in, its inputs' adjoints out.
            input_grads = node._call(type(node).backward, grads)
            if len(input_grads) != len(node.needs_input_grad):
                raise RuntimeError(f"{node.name()} returned {len(input_grads)} gradients; expected "
                                   f"{len(node.needs_input_grad)}, one per forward argument (None where there is "
                                   "none)")
            if _state.anomaly:
                _check_backward(node, input_grads)
            if not retain_graph:
                node._free()
            # for each input: the input, the node that made it, which output of that node it is (see Function)
            for arg, producer, i, needed, g in zip(node._links[::3], node._links[1::3], node._links[2::3],
                                                   node.needs_input_grad, input_grads):
                if needed and g is not None:  # g has arg's shape and dtype, or is made to have them
                    fits = getattr(g, "shape", None) == arg.array.shape and g.dtype == arg.array.dtype
                    deliver(arg, g if fits else _reduce_to(g, arg, node), producer, i)
    finally:
        _state.enabled = prev
    return leaves


def _zeros_for_unused(node: Function, grads: list, create_graph: bool) -> None:
    """Zeros for the outputs nobody used, when the node wants them (its backward then needs no None checks)."""
    for k, g in enumerate(grads):
        if g is None:
            shape, dtype = node.output_meta[k]
            grads[k] = Tensor._make(np.zeros(shape, dtype)) if create_graph else np.zeros(shape, dtype)


def _reduce_to(g: Any, inp: Tensor, node: Function) -> Any:
    """Make ``g`` a gradient for ``inp``: undo broadcasting by summing, and cast to inp's dtype.

    This is the one place broadcasting is undone: if y = f(x) broadcast x's dims, then every copy of x contributed to
    y, so x's adjoint is the sum of the copies' adjoints. ``g`` is an array or, when recording, a Tensor.
    """
    shape, dtype = inp.array.shape, inp.array.dtype
    from . import ops  # (ops import the engine's modules)

    if not isinstance(g, Tensor | np.ndarray):
        g = np.asarray(g, dtype=dtype)
    if g.shape != shape:
        lead = g.ndim - len(shape)
        if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, g.shape[lead:])):
            raise RuntimeError(f"{node.name()} returned a gradient of shape {tuple(g.shape)}, which cannot be reduced "
                               f"to its input's shape {shape}")
        dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
        g = ops.reshape(ops.sum(g, dims, keepdim=True) if dims else g, shape)
    return ops.cast(g, dtype) if g.dtype != dtype else g


def _accumulate(t: Tensor, g: Any, create_graph: bool) -> None:
    """Add a leaf's gradient (the sum over all paths to it) into ``t.grad``, after the leaf's hooks."""
    for hook in t._hooks or ():
        r = hook(g if isinstance(g, Tensor) else Tensor._make(g))
        if r is not None:
            g = r if create_graph else r.array
    # (t._grad, not the checking t.grad: g has t's shape and dtype, as every gradient the sweep delivers)
    if t._grad is None and not create_graph:  # the first gradient, an array
        t._grad = Tensor._make(_own(g))
    elif create_graph:  # a recorded gradient: kept with its history
        t._grad = g if t._grad is None else t._grad + g
    else:
        t._grad = Tensor._make(t._grad.array + g)


def _own(g: np.ndarray) -> np.ndarray:
    """``g`` if the leaf can keep it as its .grad, else a copy. Speed: a fresh C-ordered array that nothing else
    references (the sweep's own result, as for every weight of an MLP) is adopted instead of copied — a copy of each
    gradient would add ~8% to the MLP benchmark's step. Anything shared (a view, an array a hook or another leaf
    holds, Add's one gradient for both inputs) is copied, since users change .grad in place."""
    # references: backward's and _accumulate's variables, this frame's g, and getrefcount's own argument
    if g.__class__ is np.ndarray and g.base is None and g.flags.carray and sys.getrefcount(g) <= 4:
        return g
    return np.array(g, order="C")


def _output_hooks(node: Function, grads: list, found: dict) -> None:
    """Hooks on the node's outputs (Tensor.register_hook, retain_grad) see, and may replace, their gradients; the
    gradients ``grad()`` asked for are kept."""
    for i, fns in (node.output_hooks or {}).items():
        if grads[i] is not None:
            for fn in fns:
                r = fn(grads[i] if isinstance(grads[i], Tensor) else Tensor._make(grads[i]))
                if r is not None:
                    grads[i] = r if isinstance(grads[i], Tensor) else r.array
    for i, g in enumerate(grads):
        if found and (node, i) in found:
            found[(node, i)] = g


def topological_order(roots: Sequence[Function]) -> list[Function]:
    """Nodes reachable from ``roots``, each listed before every node that produced one of its inputs (for drawing:
    the sweep above finds the same order as it goes)."""
    seen: set[Function] = set(roots)
    stack = list(roots)
    while stack:
        for parent, _ in stack.pop().next_functions:
            if parent is not None and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=attrgetter("sequence_nr"), reverse=True)


def _check_backward(node: Function, grads: tuple) -> None:
    for i, g in enumerate(grads):
        g = g.array if isinstance(g, Tensor) else g
        if g is not None and np.asarray(g).dtype.kind == "f" and not np.isfinite(g).all():
            where = f"\nThe forward op was called from:\n{node._creation}" if node._creation else ""
            raise RuntimeError(f"detect_anomaly: function {node.name()} returned NaN/Inf values in its gradient "
                               f"for input {i}.{where}")
