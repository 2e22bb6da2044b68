"""Backprop explained on the recorded graph: the sum over paths, why it explodes, and the sweep step by step.

The chain rule says ∂e/∂x = Σ over paths from x to e of the product of the local derivatives along the path.
``paths`` lists those paths (for e = (a+b)(b+1): two from b, worth 2 and 3, so ∂e/∂b = 5). ``path_stats`` counts
them without listing them: on a deep graph they multiply, while backprop's reverse sweep (``backward_steps``) uses
every edge once.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import topological_order
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

    def __repr__(self) -> str:
        return f"GraphPath({self})"


def paths(output: Tensor, input: Tensor, max_paths: int = 100_000) -> list[GraphPath]:
    """Every path from ``input`` to ``output`` along differentiable edges, in a fixed order.

    Their values sum to ∂output/∂input. An op that uses a tensor twice (``x * x``) gives two paths. The paths are
    counted first (as in ``path_stats``): past ``max_paths`` this raises a ValueError before listing any, since their
    number grows exponentially with depth. Listing costs time in proportion to the paths' total length (one path of
    a million edges is fine); each op's local derivatives are computed once.
    """
    ops = _ops(output)
    if not isinstance(input, Tensor):
        raise TypeError(f"paths: expected the input Tensor, got {type(input).__name__}")
    target = tensor_key(input)
    if tensor_key(output) == target:
        return [_graph_path([output], [], [])]
    ways, into = _ways_from(ops, target)
    total = 0 if output.grad_fn is None else ways.get(id(output.grad_fn), 0)
    if total > max_paths:
        raise ValueError(f"paths: {total:,} paths lead from the input to the output, more than max_paths="
                         f"{max_paths:,}; path_stats(output, [input]) counts them without listing them, or raise "
                         "max_paths")
    if total == 0:
        return []
    derivs: dict[int, list[float | None] | None] = {}

    def factors_of(node: Function) -> list[float | None] | None:
        if id(node) not in derivs:
            derivs[id(node)] = local_derivatives(node) if is_scalar_graph_node(node) else None
        return derivs[id(node)]

    found: list[GraphPath] = []
    # Depth-first from the output without recursion (a chain may be a million ops deep): one (op, its derivatives,
    # iterator over its arguments) per level, and the current path from the output kept in three lists that grow
    # and shrink by one step, so a path is copied once, when it reaches the input.
    path_nodes: list[Tensor] = [output]
    path_ops: list[Function] = []
    path_factors: list[float | None] = []
    stack = [(output.grad_fn, factors_of(output.grad_fn), iter(into[id(output.grad_fn)]))]
    while stack:
        node, local, it = stack[-1]
        step = next(it, None)
        if step is None:  # every argument of this op walked: back up one step
            stack.pop()
            if path_ops:
                path_nodes.pop()
                path_ops.pop()
                path_factors.pop()
            continue
        i, a, producer = step
        path_nodes.append(a)
        path_ops.append(node)
        path_factors.append(None if local is None else local[i])
        if producer is None:  # reached the input
            found.append(_graph_path(path_nodes, path_ops, path_factors))
            path_nodes.pop()
            path_ops.pop()
            path_factors.pop()
        else:
            stack.append((producer, factors_of(producer), iter(into[id(producer)])))
    return found


def _ops(output: Tensor) -> list[Function]:
    """The ops reachable from ``output``, newest first (``GraphWalk(output).ops``, without its map of tensors)."""
    if not isinstance(output, Tensor):
        raise TypeError(f"viz: expected the output Tensor of a computation, got {type(output).__name__}")
    return topological_order([output.grad_fn]) if output.grad_fn is not None else []


def _graph_path(nodes: list[Tensor], ops: list[Function], factors: list[float | None]) -> GraphPath:
    """The path from steps listed output first."""
    fs = tuple(reversed(factors))
    scalar = all(f is not None for f in fs)
    return GraphPath(tuple(reversed(nodes)), tuple(reversed(ops)), fs if scalar else None,
                     math.prod(fs) if scalar else None)


def _key(a: Any, producer: Function | None, nr: int) -> TensorKey:
    """The key of an op's argument: by the producer recorded when the op ran (``next_functions``), which stays right
    after an in-place op gives the tensor object a newer history."""
    return ("out", id(producer), nr) if producer is not None else ("leaf", id(a))


def _ways_from(ops: list[Function], target: TensorKey) -> tuple[dict[int, int], dict[int, list[tuple]]]:
    """The ops that differentiable paths from the ``target`` tensor reach, by id: how many paths reach each, and
    the arguments a path into it continues through, as (position, tensor, its producer, or None for the target).

    One pass, inputs' producers first: an op's count is the sum over its differentiable arguments of 1 (the target
    itself, where a path stops) or their producer's count.
    """
    ways: dict[int, int] = {}
    into: dict[int, list[tuple]] = {}
    for node in reversed(ops):
        n = 0
        steps = []
        for i, (a, (producer, nr), needed) in enumerate(zip(node.args, node.next_functions, node.needs_input_grad)):
            if not needed:
                continue
            if _key(a, producer, nr) == target:
                n += 1
                steps.append((i, a, None))
            elif producer is not None and id(producer) in ways:
                n += ways[id(producer)]
                steps.append((i, a, producer))
        if n:
            ways[id(node)], into[id(node)] = n, steps
    return ways, into


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

    def __repr__(self) -> str:
        inputs = ", ".join(f"{t.name or tuple(t.shape)}: {n:,}" for t, n in self.per_input[:8])
        more = ", …" if len(self.per_input) > 8 else ""
        return f"PathStats(paths={self.paths:,}, edges={self.edges:,}, ops={self.ops:,}, per input {{{inputs}{more}}})"


def path_stats(output: Tensor, inputs: list[Tensor] | None = None) -> PathStats:
    """Count the paths into ``output`` by dynamic programming (no listing), so deep graphs are fine.

    paths(t) = Σ over the edges t → op of paths(op's output), with paths(output) = 1: one pass over the graph in
    backward order, like backprop itself, but adding counts instead of multiplying derivatives (Python ints: no
    overflow however many there are). Time and memory are linear in the size of the graph.
    """
    ops = _ops(output)
    count: dict[TensorKey, int] = {tensor_key(output): 1}
    keep = set() if inputs is None else {tensor_key(t) for t in inputs}
    leaves: dict[TensorKey, Tensor] = {}
    edges = 0
    for node in ops:
        through = 0
        for i in range(len(node.output_meta)):  # complete now: every consumer is newer, so came earlier
            key = ("out", id(node), i)
            through += count.get(key, 0) if key in keep else count.pop(key, 0)
        for a, (producer, nr), needed in zip(node.args, node.next_functions, node.needs_input_grad):
            if not needed:
                continue
            edges += 1
            key = _key(a, producer, nr)
            count[key] = count.get(key, 0) + through
            if producer is None:
                leaves.setdefault(key, a)
    chosen = list(leaves.values()) if inputs is None else list(inputs)
    per_input = tuple((t, count.get(tensor_key(t), 0)) for t in chosen)
    return PathStats(sum(n for _, n in per_input), edges, len(ops), per_input)


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

    def __repr__(self) -> str:
        return f"BackwardStep({self})"

    @property
    def before(self) -> Mapping[TensorKey, np.ndarray]:
        """Every tensor's adjoint as it stood just before this step."""
        if isinstance(self.adjoints, _AdjointsAt):
            return _AdjointsAt(self.adjoints._history, self.index - 1)
        return {}

    def sent(self) -> dict[TensorKey, np.ndarray]:
        """What this step adds to each input's adjoint (an input used twice, as in x * x, gets the sum)."""
        out: dict[TensorKey, np.ndarray] = {}
        for a, (producer, nr), g in zip(self.node.args, self.node.next_functions, self.grad_inputs):
            if g is not None:
                key = _key(a, producer, nr)
                out[key] = out[key] + g if key in out else g
        return out


def _short(g: Any) -> str:
    if g is None:
        return "·"
    g = np.asarray(g)
    return f"{float(g.reshape(-1)[0]):.4g}" if g.size == 1 else f"array{g.shape}"


def backward_steps(output: Tensor, grad_output: Any = None) -> Iterator[BackwardStep]:
    """Run backprop one op at a time, yielding each step; the real graph and every ``.grad`` stay untouched.

    The ops come in the order ``backward()`` visits them (reverse topological, output first). Each op is re-run on
    detached copies of its inputs and differentiated there, so this works after ``backward()`` freed the graph.
    After the last step, ``step.adjoint(leaf)`` equals the gradient ``backward()`` would give ``leaf``. A step's
    ``adjoints`` is a view of the sweep's history at that step, not a copy: the whole sweep is linear in graph size.
    """
    walk = GraphWalk(output)
    seed = np.ones(output.shape, dtype=output.dtype) if grad_output is None else np.asarray(
        grad_output.array if isinstance(grad_output, Tensor) else grad_output, dtype=output.dtype)
    history = _AdjointHistory(tensor_key(output), seed)
    index = 0
    for node in walk.ops:
        grad_outputs = tuple(history.latest(("out", id(node), i)) for i in range(len(node.output_meta)))
        if all(g is None for g in grad_outputs):
            continue  # nothing differentiable flows into this op, as in the engine
        grad_inputs = vjp(node, grad_outputs)
        for a, (producer, nr), g in zip(node.args, node.next_functions, grad_inputs):
            if g is not None:
                history.add(_key(a, producer, nr), g, index)
        yield BackwardStep(index, node, grad_outputs, tuple(grad_inputs), _AdjointsAt(history, index))
        index += 1


def final_adjoints(output: Tensor) -> dict[TensorKey, np.ndarray]:
    """Every tensor's adjoint ∂output/∂t once the sweep is over (the output's own is the seed, ones)."""
    last = None
    for step in backward_steps(output):
        last = step
    if last is None:
        return {tensor_key(output): np.ones(output.shape, dtype=output.dtype)}
    return dict(last.adjoints)


class _AdjointHistory:
    """Every value each tensor's adjoint took during the sweep, with the step that set it (the seed at step -1)."""

    def __init__(self, key: TensorKey, seed: np.ndarray) -> None:
        self.steps: dict[TensorKey, list[int]] = {key: [-1]}
        self.values: dict[TensorKey, list[np.ndarray]] = {key: [seed]}
        self.order: list[TensorKey] = [key]  # the keys in the order their adjoints appeared ...
        self.first: list[int] = [-1]  # ... and the step of each: non-decreasing

    def latest(self, key: TensorKey) -> np.ndarray | None:
        values = self.values.get(key)
        return None if values is None else values[-1]

    def add(self, key: TensorKey, g: np.ndarray, step: int) -> None:
        steps = self.steps.get(key)
        if steps is None:
            self.steps[key], self.values[key] = [step], [g]
            self.order.append(key)
            self.first.append(step)
            return
        values = self.values[key]
        total = values[-1] + g  # a new array, never +=: earlier steps keep the adjoints they showed
        if steps[-1] == step:  # a second edge into the same tensor in this step (x * x)
            values[-1] = total
        else:
            steps.append(step)
            values.append(total)


class _AdjointsAt(Mapping):
    """The adjoints as they stood after step ``step``: read from the history by bisection, so no step copies them."""

    __slots__ = ("_history", "_step")

    def __init__(self, history: _AdjointHistory, step: int) -> None:
        self._history, self._step = history, step

    def __getitem__(self, key: TensorKey) -> np.ndarray:
        steps = self._history.steps.get(key)
        j = -1 if steps is None else bisect_right(steps, self._step) - 1
        if j < 0:
            raise KeyError(key)
        return self._history.values[key][j]

    def __len__(self) -> int:
        return bisect_right(self._history.first, self._step)

    def __iter__(self) -> Iterator[TensorKey]:
        return iter(self._history.order[:len(self)])

    def __repr__(self) -> str:
        return f"adjoints({dict(self)!r})"
