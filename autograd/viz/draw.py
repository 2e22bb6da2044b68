"""``draw_graph``: the recorded graph as a Graphviz drawing, and ``save`` to write it as SVG or PNG.

Tensors are boxes (name, value or shape, gradient), ops are ellipses (+, −, ×, tanh, @, ...), Python numbers the op
was given are small dashed boxes. Data flows left to right; on a scalar graph each tensor → op edge carries the op's
local derivative ∂out/∂in, so the drawing is the lecture's figure: multiply along a path, add over paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import graphviz
import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._graph import (
    GraphWalk,
    TensorKey,
    arg_names,
    is_scalar_graph_node,
    is_setting,
    local_derivatives,
    tensor_key,
)
from .executable import ensure_renderer

if TYPE_CHECKING:
    from .explain import BackwardStep

# Past this many drawn nodes the layout switches to cheap settings and drops edge labels: dot's edge labels and its
# exact x-placement (network simplex) make layout time grow much faster than the graph.
LARGE_GRAPH = 300

_SYMBOLS = {"Add": "+", "Sub": "−", "Mul": "×", "Div": "÷", "Pow": "^", "Neg": "−x", "MatMul": "@ matmul"}


def op_symbol(node: Function) -> str:
    """The short label of an op: ``×`` for Mul, ``tanh`` for Tanh, ``log_softmax`` for LogSoftmax."""
    cls = type(node).__name__
    return _SYMBOLS.get(cls) or re.sub(r"(?<!^)(?=[A-Z])", "_", cls).lower()


def fmt(x: Any) -> str:
    """A number, short: 4 significant digits (``2``, ``0.7616``, ``1.2e-05``)."""
    return f"{float(x):.4g}"


def _record_escape(s: str) -> str:
    # Characters with a meaning inside a Graphviz record label.
    return re.sub(r'([{}|<>"\\])', r"\\\1", s)


def _summary(a: np.ndarray) -> str:
    return fmt(a.reshape(-1)[0]) if a.size == 1 else f"norm {fmt(np.linalg.norm(a.astype(np.float64)))}"


@dataclass
class _Drawing:
    """What will be emitted: node statements per cluster, edges in order; everything in traversal order."""

    nodes: dict[tuple, list[tuple[str, dict]]] = field(default_factory=dict)  # cluster path -> [(id, attrs)]
    edges: list[tuple[str, str, dict]] = field(default_factory=list)
    edge_seen: set = field(default_factory=set)

    def node(self, cluster: tuple, node_id: str, **attrs: str) -> None:
        for depth in range(1, len(cluster) + 1):
            self.nodes.setdefault(cluster[:depth], [])
        self.nodes.setdefault(cluster, []).append((node_id, attrs))

    def edge(self, src: str, dst: str, **attrs: str) -> None:
        if src == dst:
            return  # an edge inside a collapsed module box
        if not attrs and (src, dst) in self.edge_seen:
            return  # collapsed modules: one arrow per pair of boxes
        self.edge_seen.add((src, dst))
        self.edges.append((src, dst, attrs))

    def count(self) -> int:
        return sum(len(v) for v in self.nodes.values())


class _Modules:
    """Names the Modules recorded in ``node.scope`` by the root model's ``named_modules()``."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.names: dict[int, str] = {}
        self.objects: dict[int, Any] = {}
        for name, m in model.named_modules():
            self.names.setdefault(id(m), name)
            self.objects.setdefault(id(m), m)
        self.param_owner: dict[int, str] = {}  # parameter -> the name of the module holding it
        self.param_names: dict[int, str] = {}  # parameter -> its name in the model ("0.weight")
        if hasattr(model, "named_parameters"):
            for name, p in model.named_parameters():
                self.param_owner.setdefault(id(p), name.rpartition(".")[0])
                self.param_names.setdefault(id(p), name)

    def name(self, m: Any) -> str:
        return self.names.get(id(m), type(m).__name__)

    def path(self, scope: tuple) -> tuple[str, ...]:
        """The cluster path of a node: the names of its modules, outermost first, without the root model."""
        return tuple(self.name(m) for m in scope if m is not self.model)

    def path_of_name(self, name: str) -> tuple[str, ...]:
        parts = name.split(".") if name else []
        known = set(self.names.values())
        return tuple(p for p in (".".join(parts[:i]) for i in range(1, len(parts) + 1)) if p in known)

    def label(self, name: str) -> str:
        obj = next((self.objects[i] for i, n in self.names.items() if n == name), None)
        return f"{name}: {type(obj).__name__}" if obj is not None else name


def draw_graph(root: Tensor, show_data: bool = True, show_grad: bool = True, show_local_grads: bool = True,
               rankdir: str = "LR", max_nodes: int | None = 4000, number_backward: bool = False,
               module: Any = None, collapse_modules: bool = False,
               highlight: BackwardStep | None = None) -> graphviz.Digraph:
    """Draw the graph that produced ``root``; returns a ``graphviz.Digraph`` (shown inline in Jupyter).

    show_data:        each tensor's value (one number) or shape and dtype.
    show_grad:        each tensor's ``.grad`` where set (after ``backward()``; the norm for arrays).
    show_local_grads: on graphs of single numbers, label each input edge with ∂out/∂in.
    max_nodes:        draw at most about this many nodes, those nearest the output; a note counts the rest.
    number_backward:  number the ops in the order backward visits them (1 = first).
    module:           the model whose Modules (``node.scope``) are drawn as labelled clusters.
    collapse_modules: draw each innermost Module as one box instead of its ops.
    highlight:        a step of ``backward_steps(root)``: mark its op and show the adjoints known at that step.

    Raises GraphvizNotFoundError if no renderer (``dot`` or ``graphviz-pure``) is installed.
    """
    ensure_renderer()
    walk = GraphWalk(root)
    mods = _Modules(module) if module is not None else None
    kept = _keep(walk, max_nodes)
    kept_ids = {id(n) for n in kept}
    large = _estimate(walk, kept) > LARGE_GRAPH
    d = _Drawing()

    ids: dict[TensorKey, str] = {}  # tensor -> DOT id, in order of first sight: t0 is the output
    done, current = _progress(walk, highlight)
    # Where each op goes: its cluster path, and the module box that hides it (collapse_modules), or None. Decided
    # up front, because an op's input edges are drawn before the op that produced the input is visited.
    place: dict[int, tuple[tuple[str, ...], str | None]] = {id(n): _place(n, mods, collapse_modules) for n in kept}
    box_of = {k: box for k, (_, box) in place.items() if box is not None}

    def tensor_id(t: Tensor) -> str:
        key = tensor_key(t)
        if key not in ids:
            ids[key] = f"t{len(ids)}"
        return ids[key]

    def tensor_label(t: Tensor, tid: str) -> str:
        fields = [t.name or (mods.param_names.get(id(t)) if mods is not None else None) or tid]
        if show_data:
            fields.append(("data " + fmt(t.array.reshape(-1)[0])) if t.array.size == 1
                          else f"{tuple(t.shape)} {t.dtype}")
        if highlight is not None:
            adj = highlight.adjoints.get(tensor_key(t))
            fields.append("grad ?" if adj is None else "grad " + _summary(np.asarray(adj)))
        elif show_grad and t.grad is not None:
            fields.append("grad " + _summary(t.grad.array))
        return "{" + " | ".join(_record_escape(f) for f in fields) + "}"

    def draw_tensor(t: Tensor, cluster: tuple, box: str | None) -> str:
        if box is not None:
            return box
        tid = tensor_id(t)
        if tid not in drawn:
            drawn.add(tid)
            style = {"style": "filled", "fillcolor": "#dbe9f6"} if t.grad_fn is None and t.requires_grad else {}
            d.node(cluster, tid, label=tensor_label(t, tid), shape="record", **style)
        return tid

    drawn: set[str] = set()
    # The output first, so that it is t0 and sits in its op's cluster.
    out_cluster, out_box = place[id(root.grad_fn)] if root.grad_fn is not None and kept else ((), None)
    draw_tensor(root, out_cluster, out_box)

    boundary: list[str] = []  # tensors whose producing op was cut by max_nodes
    for k, node in enumerate(kept):
        cluster, box = place[id(node)]
        op_id = f"op{k}"
        names = arg_names(node)
        if box is not None:
            if box not in drawn:
                drawn.add(box)
                d.node(cluster, box, label=_box_label(box[2:], node.scope[-1]),
                       shape="box3d", style="filled", fillcolor="#f3ecd9")
            target = box
        else:
            settings = [f"{names[i]}={a}" for i, a in enumerate(node.args) if is_setting(node, i, names)
                        and a is not None and a is not False]
            label = op_symbol(node) + ("\n" + " ".join(settings)[:40] if settings else "")
            if number_backward:
                label = f"#{k + 1}  {label}"
            attrs = {"label": label, "shape": "ellipse", "tooltip": node.name()}
            if node is current:
                attrs.update(style="filled", fillcolor="gold", penwidth="2")
            elif id(node) in done:
                attrs.update(style="filled", fillcolor="#e2f0d9")
            d.node(cluster, op_id, **attrs)
            target = op_id
        # op -> its outputs
        for t in walk.used_outputs(node):
            tid = draw_tensor(t, cluster, box)
            d.edge(target, tid)
        # inputs -> op, with the local derivative on scalar graphs
        derivs = (local_derivatives(node) if show_local_grads and not large and box is None
                  and is_scalar_graph_node(node) else None)
        for i, a in enumerate(node.args):
            if isinstance(a, Tensor):
                producer = a.grad_fn
                if producer is not None and id(producer) in box_of:
                    src = box_of[id(producer)]
                elif producer is None and mods is not None:
                    owner = mods.param_owner.get(id(a))
                    src_cluster = mods.path_of_name(owner) if owner is not None else ()
                    src_box = "m_" + src_cluster[-1] if collapse_modules and src_cluster else None
                    src = draw_tensor(a, src_cluster[:-1] if src_box else src_cluster, src_box)
                else:
                    # An intermediate sits with the op that made it; a cut one (max_nodes) with its consumer.
                    home = place[id(producer)][0] if producer is not None and id(producer) in place else cluster
                    src = draw_tensor(a, home if producer is not None else (), None)
                    if producer is not None and id(producer) not in kept_ids:
                        boundary.append(src)
                attrs = {}
                if derivs is not None and derivs[i] is not None:
                    attrs["label"] = fmt(derivs[i])
                if not node.needs_input_grad[i]:
                    attrs.update(style="dashed", color="gray50")
                d.edge(src, target, **attrs)
            elif not is_setting(node, i, names):
                if box is not None:
                    continue
                cid = f"c{k}_{i}"
                d.node(cluster, cid, label=fmt(a) if isinstance(a, float) else str(a), shape="box",
                       style="rounded,dashed", fontsize="10", height="0.3", width="0.3")
                d.edge(cid, target, style="dashed", color="gray50")

    if len(kept) < len(walk.ops):
        d.node((), "more", label=f"… {len(walk.ops) - len(kept)} more ops not drawn\n(max_nodes={max_nodes})",
               shape="note", style="filled", fillcolor="#fde2e2")
        for tid in dict.fromkeys(boundary):
            d.edge("more", tid, style="dashed")
    return _emit(d, mods, rankdir, large)


def _place(node: Function, mods: _Modules | None, collapse: bool) -> tuple[tuple[str, ...], str | None]:
    """An op's cluster path, and the id of the module box it is hidden in (or None)."""
    if mods is None:
        return (), None
    path = mods.path(node.scope)
    if collapse and path:
        return path[:-1], "m_" + path[-1]
    return path, None


def _keep(walk: GraphWalk, max_nodes: int | None) -> list[Function]:
    """The ops to draw: the longest prefix of the backward order (output first) that fits in ``max_nodes``.

    Such a prefix is closed under "used by": every kept op's outputs go to kept ops, so the cut is one clean boundary.
    """
    if max_nodes is None:
        return walk.ops
    seen: set[TensorKey] = {tensor_key(walk.root)}
    count, kept = 1, []
    for node in walk.ops:
        new = [tensor_key(a) for a in node.args if isinstance(a, Tensor) and tensor_key(a) not in seen]
        count += 1 + len(set(new)) + sum(1 for a in node.args if not isinstance(a, Tensor))
        if count > max_nodes and kept:
            break
        seen.update(new)
        kept.append(node)
    return kept


def _estimate(walk: GraphWalk, kept: list[Function]) -> int:
    return 1 + sum(1 + len(n.args) for n in kept)


def _progress(walk: GraphWalk, step: BackwardStep | None) -> tuple[set[int], Function | None]:
    """The ops whose backward already ran at ``step``, and the op of the step itself."""
    if step is None:
        return set(), None
    done: set[int] = set()
    for node in walk.ops:
        if node is step.node:
            break
        done.add(id(node))
    return done, step.node


def _box_label(name: str, module: Any) -> str:
    kind = type(module).__name__
    return f"{name}\n{kind}" if name != kind else name


class QuietDigraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering keeps the renderer's warnings off stderr (graphviz-pure warns that it
    has no width for non-ASCII glyphs such as × and ∂, in every notebook cell that displays a graph)."""

    def pipe(self, *args: Any, quiet: bool = True, **kwargs: Any) -> Any:
        return super().pipe(*args, quiet=quiet, **kwargs)


def _emit(d: _Drawing, mods: _Modules | None, rankdir: str, large: bool) -> graphviz.Digraph:
    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica"}
    if large:
        # Trade layout polish for time: bounded crossing reduction and network-simplex passes.
        graph_attr.update(nslimit="0.1", nslimit1="0.1", mclimit="0.1")
    g = QuietDigraph(graph_attr=graph_attr, node_attr={"fontname": "Helvetica", "fontsize": "11"},
                         edge_attr={"fontname": "Helvetica", "fontsize": "10"})

    def emit(target: graphviz.Digraph, path: tuple) -> None:
        for node_id, attrs in d.nodes.get(path, []):
            target.node(node_id, **attrs)
        children = [p for p in d.nodes if len(p) == len(path) + 1 and p[:len(path)] == path]
        for child in children:
            with target.subgraph(name="cluster_" + child[-1]) as sub:
                label = mods.label(child[-1]) if mods is not None else child[-1]
                sub.attr(label=label, style="rounded", color="gray40", fontname="Helvetica")
                emit(sub, child)

    emit(g, ())
    for src, dst, attrs in d.edges:
        g.edge(src, dst, **attrs)
    return g


def save(graph: graphviz.Digraph, path: str | Path) -> Path:
    """Write ``graph`` to ``path``; the extension picks the format (.svg, .png, ...; .dot/.gv write the source)."""
    path = Path(path)
    fmt_ = path.suffix.lstrip(".").lower()
    if not fmt_:
        raise ValueError(f"save: {path} has no extension; use .svg or .png (or .dot for the source)")
    if fmt_ in ("dot", "gv"):
        path.write_text(graph.source, encoding="utf-8")
    else:
        ensure_renderer()
        path.write_bytes(graph.pipe(format=fmt_, quiet=True))
    return path
