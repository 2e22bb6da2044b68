"""Backprop explained on the recorded graph: the sum over paths, why it explodes, and the sweep step by step.

The chain rule says ∂e/∂x = Σ over paths from x to e of the product of the local derivatives along the path.
``paths`` lists those paths (for e = (a+b)(b+1): two from b, worth 2 and 3, so ∂e/∂b = 5). ``path_stats`` counts
them without listing them: on a deep graph they multiply, while backprop's reverse sweep (``backward_steps``) uses
every edge once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._graph import GraphWalk, TensorKey, is_scalar_graph_node, local_derivatives, tensor_key, vjp


@dataclass(frozen=True)
class GraphPath:
    """One path from an input to the output.

    nodes:   the tensors along the path, input first, output last.
    ops:     the op taking each step (``ops[i]`` maps ``nodes[i]`` to ``nodes[i + 1]``).
    factors: the local derivative of each step, on graphs of single numbers (else None).
    value:   the product of the factors: this path's share of ∂output/∂input (None if factors is None).
    """

    nodes: tuple[Tensor, ...]
    ops: tuple[Function, ...]
    factors: tuple[float, ...] | None
    value: float | None

    def __str__(self) -> str:
        names = " → ".join(t.name or f"<{tuple(t.shape)}>" for t in self.nodes)
        if self.factors is None:
            return names
        prod = " × ".join(f"{f:.4g}" for f in self.factors) or "1"
        return f"{names}:  {prod} = {self.value:.4g}"


def paths(output: Tensor, input: Tensor, max_paths: int = 100_000) -> list[GraphPath]:
    """Every path from ``input`` to ``output`` along differentiable edges, in a fixed order.

    Their values sum to ∂output/∂input. An op that uses a tensor twice (``x * x``) gives two paths. Listing paths
    takes time exponential in depth; past ``max_paths`` this raises, and ``path_stats`` counts them instead.
    """
    walk = GraphWalk(output)
    target = tensor_key(input)
    leads = _leads_to(walk, target)
    derivs: dict[int, list[float | None] | None] = {}

    def factors_of(node: Function) -> list[float | None] | None:
        if id(node) not in derivs:
            derivs[id(node)] = local_derivatives(node) if is_scalar_graph_node(node) else None
        return derivs[id(node)]

    found: list[GraphPath] = []
    # Depth-first from the output with an explicit stack (deep graphs), inputs pushed in reverse to pop in order.
    # Each entry: the tensor reached, and the path so far as (tensor, op, factor) steps from the output.
    stack: list[tuple[Tensor, tuple]] = [(output, ())]
    while stack:
        t, steps = stack.pop()
        if tensor_key(t) == target:
            nodes = (t,) + tuple(s[0] for s in reversed(steps))
            ops = tuple(s[1] for s in reversed(steps))
            fs = tuple(s[2] for s in reversed(steps))
            scalar = all(f is not None for f in fs)
            found.append(GraphPath(nodes, ops, fs if scalar else None, math.prod(fs) if scalar else None))
            if len(found) > max_paths:
                raise ValueError(f"paths: more than {max_paths} paths from the input to the output; use "
                                 "path_stats(output) to count them, or raise max_paths")
            continue
        node = t.grad_fn
        if node is None:
            continue
        local = factors_of(node)
        for i in reversed(range(len(node.args))):
            a = node.args[i]
            if node.needs_input_grad[i] and (tensor_key(a) == target or id(a.grad_fn) in leads):
                stack.append((a, steps + ((t, node, None if local is None else local[i]),)))
    return found


def _leads_to(walk: GraphWalk, target: TensorKey) -> set[int]:
    """The ops from whose outputs a differentiable path leads back to the ``target`` tensor."""
    leads: set[int] = set()
    for node in reversed(walk.ops):  # inputs' producers first
        for a, needed in zip(node.args, node.needs_input_grad):
            if needed and (tensor_key(a) == target or (a.grad_fn is not None and id(a.grad_fn) in leads)):
                leads.add(id(node))
                break
    return leads


@dataclass(frozen=True)
class PathStats:
    """How many input→output paths the chain rule sums over, against the edges the reverse sweep visits.

    paths:     the number of paths from the inputs (leaves requiring grad) to the output.
    edges:     the number of differentiable tensor → op edges: the reverse sweep multiplies along each one once.
    ops:       the number of ops in the graph.
    per_input: (input tensor, its number of paths) for each input, in the order first met from the output.
    """

    paths: int
    edges: int
    ops: int
    per_input: tuple[tuple[Tensor, int], ...]

    def __str__(self) -> str:
        return (f"{self.ops} ops, {self.edges} edges: summing over paths means {self.paths:,} products of local "
                f"derivatives; the reverse sweep visits each of the {self.edges} edges once")


def path_stats(output: Tensor, inputs: list[Tensor] | None = None) -> PathStats:
    """Count the paths into ``output`` by dynamic programming (no listing), so deep graphs are fine.

    paths(t) = Σ over the edges t → op of paths(op's output), with paths(output) = 1: one pass over the graph in
    backward order, like backprop itself, but adding counts instead of multiplying derivatives.
    """
    walk = GraphWalk(output)
    count: dict[TensorKey, int] = {tensor_key(output): 1}
    leaves: dict[TensorKey, Tensor] = {}
    edges = 0
    for node in walk.ops:
        through = sum(count.get(("out", id(node), i), 0) for i in range(len(node.output_meta)))
        for a, needed in zip(node.args, node.needs_input_grad):
            if not needed:
                continue
            edges += 1
            key = tensor_key(a)
            count[key] = count.get(key, 0) + through
            if a.grad_fn is None:
                leaves.setdefault(key, a)
    chosen = list(leaves.values()) if inputs is None else list(inputs)
    per_input = tuple((t, count.get(tensor_key(t), 0)) for t in chosen)
    return PathStats(sum(n for _, n in per_input), edges, len(walk.ops), per_input)


@dataclass(frozen=True)
class BackwardStep:
    """One step of the reverse sweep: ``node``'s backward turns its output adjoints into its inputs' adjoints.

    index:        the step number (0 = the op that produced the output).
    node:         the op whose backward runs at this step.
    grad_outputs: the adjoint of each of the op's outputs, complete at this step (None where nothing flows).
    grad_inputs:  what the op sends to each of ``node.args`` (None for constants and non-differentiable inputs).
    adjoints:     every tensor's adjoint accumulated so far, this step included; read it with ``adjoint(t)``.
    """

    index: int
    node: Function
    grad_outputs: tuple[np.ndarray | None, ...]
    grad_inputs: tuple[np.ndarray | None, ...]
    adjoints: Mapping[TensorKey, np.ndarray]

    def adjoint(self, t: Tensor) -> np.ndarray | None:
        """The adjoint ∂output/∂t accumulated so far (None if nothing has reached ``t`` yet)."""
        return self.adjoints.get(tensor_key(t))

    def __str__(self) -> str:
        received = ", ".join(_short(g) for g in self.grad_outputs)
        sent = ", ".join(_short(g) for g in self.grad_inputs)
        return f"step {self.index}: {self.node.name()}  ē = {received}  → ({sent})"


def _short(g: Any) -> str:
    if g is None:
        return "·"
    g = np.asarray(g)
    return f"{float(g.reshape(-1)[0]):.4g}" if g.size == 1 else f"array{g.shape}"


def backward_steps(output: Tensor, grad_output: Any = None) -> Iterator[BackwardStep]:
    """Run backprop one op at a time, yielding each step; the real graph and every ``.grad`` stay untouched.

    The ops come in the order ``backward()`` visits them (reverse topological, output first). Each op is re-run on
    detached copies of its inputs and differentiated there, so this works after ``backward()`` freed the graph.
    After the last step, ``step.adjoint(leaf)`` equals the gradient ``backward()`` would give ``leaf``.
    """
    walk = GraphWalk(output)
    seed = np.ones(output.shape, dtype=output.dtype) if grad_output is None else np.asarray(
        grad_output.array if isinstance(grad_output, Tensor) else grad_output, dtype=output.dtype)
    adjoints: dict[TensorKey, np.ndarray] = {tensor_key(output): seed}
    index = 0
    for node in walk.ops:
        grad_outputs = tuple(adjoints.get(("out", id(node), i)) for i in range(len(node.output_meta)))
        if all(g is None for g in grad_outputs):
            continue  # nothing differentiable flows into this op, as in the engine
        grad_inputs = vjp(node, grad_outputs)
        for a, g in zip(node.args, grad_inputs):
            if g is not None:
                key = tensor_key(a)
                # A new array, never +=: earlier steps keep the adjoints they showed.
                adjoints[key] = g if key not in adjoints else adjoints[key] + g
        yield BackwardStep(index, node, grad_outputs, tuple(grad_inputs), MappingProxyType(dict(adjoints)))
        index += 1
