"""The backward pass: reverse-mode accumulation over the recorded graph.

The chain rule says ∂e/∂x is the sum, over every path from x to e, of the product of the local derivatives along
the path. Enumerating paths is exponential; backprop factorises the sum instead. Visit the graph's nodes so that each
comes after every node that uses its outputs (reverse topological order); give each node the sum of the gradients
flowing into it (its adjoint, ē); call its backward to turn ē into the adjoints of its inputs. Every edge is used
once, so a backward pass costs about as much as the forward pass.

Nodes are the ``Function`` instances recorded in ``tensor.grad_fn``. A node's inputs are ``node.args`` in order, and
``node.next_functions[i]`` is ``(producer node, output index)`` for input i (``(None, 0)`` for a leaf or constant).
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from heapq import heappop, heappush
from operator import attrgetter
from typing import Any

import numpy as np

from .function import Function
from .grad_mode import _state
from .tensor import Tensor


def topological_order(roots: Sequence[Function]) -> list[Function]:
    """Nodes reachable from ``roots``, each listed before every node that produced one of its inputs.

    Every node is numbered when it is recorded (``Function.apply``), and an op is always recorded after the ops that
    made its inputs. So: collect the reachable nodes (with an explicit stack, no recursion, so a 600,000-node chain
    is fine), then sort them newest first.
    """
    seen: set[Function] = set(roots)
    stack = list(roots)
    while stack:
        for parent in stack.pop()._producers:
            if parent is not None and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=_sequence_nr, reverse=True)


_sequence_nr = attrgetter("sequence_nr")


def backward(tensors: Sequence[Tensor], grad_tensors: Sequence[Any] | None = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Sequence[Tensor] | None = None) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves (of ``inputs`` only, if given)."""
    roots, seeds = _seed(tensors, grad_tensors, "backward")
    only = None if inputs is None else {id(t) for t in ([inputs] if isinstance(inputs, Tensor) else inputs)}
    _run(roots, seeds, create_graph if retain_graph is None else retain_graph, create_graph, capture=None, only=only)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned rather than accumulated into ``.grad``.

    With ``create_graph=True`` the backward pass is itself recorded, so the results can be differentiated again.
    """
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if grad_outputs is not None and isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad")
    roots, seeds = _seed(outputs, grad_outputs, "grad")
    capture = {id(t): t for t in inputs}
    found = _run(roots, seeds, create_graph if retain_graph is None else retain_graph, create_graph,
                 capture=capture, only=None)
    result = []
    for i, t in enumerate(inputs):
        g = found.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) was not used in the graph of the outputs; "
                               "pass allow_unused=True if this is expected")
        result.append(g)
    return tuple(result)


def _seed(tensors: Sequence[Tensor], grads: Sequence[Any] | None, op: str) -> tuple[list, list]:
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    grads = [None] * len(tensors) if grads is None else list(grads)
    if len(grads) != len(tensors):
        raise RuntimeError(f"{op}: got {len(tensors)} tensors but {len(grads)} gradients")
    seeds = []
    for i, (t, g) in enumerate(zip(tensors, grads)):
        if not t.requires_grad:
            raise RuntimeError(f"{op}: element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if t.array.size != 1:
                raise RuntimeError(f"{op}: grad can be implicitly created only for scalar outputs; this output has "
                                   f"shape {t.shape}, so pass a gradient of that shape")
            g = Tensor._make(np.array(1, dtype=t.array.dtype).reshape(t.array.shape))  # (np.ones costs twice this)
        else:
            g = g if isinstance(g, Tensor) else Tensor._make(np.asarray(g, dtype=t.dtype))
            if g.shape != t.shape:
                raise RuntimeError(f"{op}: mismatch in shape: gradient {i} has shape {g.shape} and output {i} has "
                                   f"shape {t.shape}")
        seeds.append(g)
    return tensors, seeds


def _run(roots: list[Tensor], seeds: list[Tensor], retain_graph: bool, create_graph: bool,
         capture: dict | None, only: set | None) -> dict:
    """The sweep. ``capture``: return the gradients of these tensors instead of touching any ``.grad``.

    Without ``create_graph`` nothing needs recording, so the sweep runs on plain numpy arrays: an adjoint is an array,
    and an op whose backward formula also works on arrays (``Function.array_backward``) gets arrays. With it, adjoints
    are Tensors and every formula runs as recorded Tensor ops, so the gradients can be differentiated again.
    """
    on_arrays = not create_graph
    adjoints: dict[Function, list] = {}  # node -> the gradient so far of each of its outputs
    leaves: dict[Tensor, Any] = {}  # leaf -> the gradient so far (Tensors hash by identity); into .grad at the end
    # The nodes holding a gradient, newest first: a heap of (−sequence_nr, node). Every op that uses a node's
    # outputs was recorded after it, so once it is the newest waiting node, all of them have passed their gradient
    # back: its adjoint is complete (the reverse topological order, found while sweeping).
    waiting: list[tuple[int, Function]] = []

    def deliver(t: Tensor, g: Any, producer: Function | None, i: int) -> None:
        # Paths into the same node or leaf add up: this sum is the "sum over paths" of the chain rule.
        if producer is not None:
            slots = adjoints.get(producer)
            if slots is None:
                adjoints[producer] = slots = [None] * len(producer.output_meta)
                heappush(waiting, (-producer.sequence_nr, producer))
            slots[i] = g if slots[i] is None else slots[i] + g
        else:
            so_far = leaves.get(t)
            leaves[t] = g if so_far is None else so_far + g

    # The sweep allocates many short-lived objects but no reference cycles, so the cyclic garbage collector's
    # periodic scans of every live object (the whole graph) would only cost time: pause it for the sweep.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    prev, anomaly = _state.enabled, _state.anomaly
    _state.enabled = create_graph  # record the backward pass only when asked to
    _state.anomaly = False  # the ops inside backward are checked as one step each (_check_backward), not as forwards
    found: dict[int, Any] = {}
    # Arrays a leaf must copy rather than adopt as its .grad: the caller's seeds, and below, what hooks saw and what a
    # leaf already adopted.
    foreign = {id(g.array) for g in seeds}
    try:
        for t, g in zip(roots, seeds):
            deliver(t, g.array if on_arrays else g, t.grad_fn, t._output_nr)
        while waiting:
            node = heappop(waiting)[1]
            grads = adjoints.pop(node)
            if capture or node.output_hooks is not None:
                _output_hooks(node, grads, capture, found, on_arrays, foreign)
            if len(grads) > 1 and node.materialize_grads:
                for k, g in enumerate(grads):
                    if g is None:  # an output nobody used: its gradient is zero
                        shape, dtype = node.output_meta[k]
                        grads[k] = np.zeros(shape, dtype=dtype) if on_arrays else Tensor._make(np.zeros(shape, dtype))
            # The chain rule at this node: its outputs' adjoints in, its inputs' adjoints out.
            if on_arrays and not node.array_backward:  # a formula written for Tensors only: wrap, run, unwrap
                input_grads = _unwrap(node.backward(node, *[_wrap(g) for g in grads]))
            else:
                input_grads = node.backward(node, *grads)
            if input_grads.__class__ is not tuple:
                input_grads = (input_grads,)
            args = node.args
            if len(input_grads) != len(args):
                raise RuntimeError(f"{node.name()} returned {len(input_grads)} gradients; expected "
                                   f"{len(args)}, one per forward argument (None where there is none)")
            if not retain_graph:
                node._freed = True
                node._saved = ()
            if anomaly:
                _check_backward(node, input_grads)
            for arg, g, needed, producer, i in zip(args, input_grads, node.needs_input_grad, node._producers,
                                                   node._output_nrs):
                if g is None or not needed:
                    continue
                # Each input's adjoint must have its shape and dtype (an array when on arrays, else a Tensor).
                data = arg.array
                if on_arrays:
                    if g.shape != data.shape or g.dtype is not data.dtype:
                        g = _reduce_to(g, arg, node, on_arrays)
                elif g.__class__ is not Tensor or g.array.shape != data.shape or g.array.dtype is not data.dtype:
                    g = _reduce_to(g, arg, node, on_arrays)
                deliver(arg, g, producer, i)
        if capture is not None:  # autograd.grad: return the inputs' gradients, leave every .grad alone
            for t, g in leaves.items():
                if id(t) in capture:
                    found[id(t)] = g
        else:
            for t, g in leaves.items():
                if only is None or id(t) in only:
                    _accumulate_leaf(t, g, on_arrays, foreign)
    finally:
        _state.enabled, _state.anomaly = prev, anomaly
        if gc_was_enabled:
            gc.enable()
    if on_arrays:
        return {k: Tensor._make(np.asarray(g)) for k, g in found.items()}
    return found


def _wrap(g: Any) -> Tensor | None:
    return None if g is None else Tensor._make(np.asarray(g))


def _unwrap(gs: Any) -> Any:
    if isinstance(gs, tuple):
        return tuple([_unwrap(g) for g in gs])
    return gs.array if isinstance(gs, Tensor) else gs if gs is None else np.asarray(gs)


def _reduce_to(g: Any, inp: Tensor, node: Function, on_arrays: bool) -> Any:
    """Make ``g`` a gradient for ``inp``: undo broadcasting by summing, and cast to inp's dtype.

    This is the one place broadcasting is undone: if y = f(x) broadcast x's dims, then every copy of x contributed to
    y, so x's adjoint is the sum of the copies' adjoints. ``g`` is a Tensor (recording) or an array; so is the result.
    """
    tensor = not on_arrays
    if on_arrays:
        g = np.asarray(g.array if isinstance(g, Tensor) else g)
    elif not isinstance(g, Tensor):
        g = Tensor._make(np.asarray(g, dtype=inp.array.dtype))
    shape = inp.array.shape
    if g.shape != shape:
        lead = g.ndim - len(shape)
        if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, g.shape[lead:])):
            raise RuntimeError(f"{node.name()} returned a gradient of shape {tuple(g.shape)}, which cannot be reduced "
                               f"to its input's shape {shape}")
        dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
        if dims:
            g = g.sum(dims, keepdim=True) if tensor else g.sum(dims, keepdims=True)
        g = g.reshape(shape)
    if g.dtype != inp.array.dtype:
        g = g.to(inp.array.dtype) if tensor else g.astype(inp.array.dtype)
    return g


def _accumulate_leaf(t: Tensor, g: Any, on_arrays: bool, foreign: set) -> None:
    """Add a leaf's gradient (the sum over all paths to it) into ``t.grad``, after the leaf's hooks."""
    if t._hooks:
        for hook in t._hooks:
            r = hook(_wrap(g) if on_arrays else g)
            if r is not None:
                g = r.array if on_arrays and isinstance(r, Tensor) else r
        foreign.add(id(g))  # a hook may have kept it
    if not on_arrays:  # a recorded gradient: keep it as is, history included
        t.grad = g if t.grad is None else t.grad + g
    elif t.grad is not None:
        t.grad = Tensor._make(np.asarray(t.grad.array + g))
    elif g.__class__ is np.ndarray and g.base is None and id(g) not in foreign and g.flags.carray:
        # A fresh array this sweep computed and nobody else holds (and carray: C-contiguous, aligned, writeable):
        # the leaf can own it without a copy.
        foreign.add(id(g))  # (Add's backward hands one array to both inputs: the second leaf copies it)
        t.grad = Tensor._make(g)
    else:
        # Users and optimisers modify .grad in place, so the leaf gets its own copy, in C order so that those
        # in-place updates run at full speed even when backward produced a transposed view.
        t.grad = Tensor._make(np.array(g, order="C"))


def _output_hooks(node: Function, grads: list, capture: dict | None, found: dict, on_arrays: bool,
                  foreign: set) -> None:
    if node.output_hooks:
        for i, fns in node.output_hooks.items():
            if grads[i] is None:
                continue
            for fn in fns:
                r = fn(_wrap(grads[i]) if on_arrays else grads[i])
                if r is not None:
                    grads[i] = r.array if on_arrays and isinstance(r, Tensor) else r
            foreign.add(id(grads[i]))  # a hook (retain_grad) may keep it
    if capture:
        for t in capture.values():
            if t.grad_fn is node and grads[t._output_nr] is not None:
                found[id(t)] = grads[t._output_nr]


def _check_backward(node: Function, grads: tuple) -> None:
    for i, g in enumerate(grads):
        g = g.array if isinstance(g, Tensor) else g
        if g is not None and np.asarray(g).dtype.kind == "f" and not np.isfinite(g).all():
            where = f"\nThe forward op was called from:\n{node._creation}" if node._creation else ""
            raise RuntimeError(f"detect_anomaly: function {node.name()} returned NaN/Inf values in its gradient "
                               f"for input {i}.{where}")
