"""The drawing's walk: ``Builder`` goes over the kept ops output first and says what ``draw_graph`` draws (tensor
records with their adjoints, op ellipses, module boxes, folded reshapes on edges, constants); ``Drawing`` holds it,
grouped by cluster, until ``draw._emit`` writes the DOT.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._graph import (
    GraphWalk,
    TensorKey,
    arg_key,
    arg_names,
    is_scalar_graph_node,
    is_setting,
    local_derivatives,
    tensor_key,
)
from .labels import RESHAPE_LIKE, fmt, fold_label, grad_text, op_label
from .modules import Modules

if TYPE_CHECKING:
    from .draw import _Naming
    from .explain import BackwardStep

# Past this many drawn nodes the layout switches to cheap settings and drops edge labels: dot's edge labels and its
# exact x-placement (network simplex) make layout time grow much faster than the graph.
LARGE_GRAPH = 300


@dataclass
class Drawing:
    """What will be emitted: node statements per cluster, edges in order; everything in traversal order."""

    nodes: dict[tuple, list[tuple[str, dict]]] = field(default_factory=dict)  # cluster path -> [(id, attrs)]
    edges: list[tuple[str, str, dict]] = field(default_factory=list)
    edge_seen: set = field(default_factory=set)

    def node(self, cluster: tuple, node_id: str, **attrs: str) -> None:
        for depth in range(1, len(cluster) + 1):
            self.nodes.setdefault(cluster[:depth], [])
        self.nodes.setdefault(cluster, []).append((node_id, attrs))

    def edge(self, src: str, dst: str, dedupe: bool = False, **attrs: str) -> None:
        if src == dst:
            return  # an edge inside a collapsed module box
        if dedupe:  # module boxes: one arrow per pair of boxes and tensor shape
            key = (src, dst, attrs.get("label"))
            if key in self.edge_seen:
                return
            self.edge_seen.add(key)
        self.edges.append((src, dst, attrs))

    def count(self) -> int:
        return sum(len(v) for v in self.nodes.values())


class Builder:
    """Walks the kept ops output first and fills a ``Drawing``; see ``draw_graph`` for what is drawn."""

    def __init__(self, walk: GraphWalk, kept: list[Function], mods: Modules | None, naming: _Naming,
                 adjoints: Mapping[TensorKey, np.ndarray] | None, step: BackwardStep | None, show_data: bool,
                 show_reshapes: bool) -> None:
        self.walk, self.kept, self.mods, self.naming = walk, kept, mods, naming
        self.adjoints, self.step, self.show_data = adjoints, step, show_data
        self.d = Drawing()
        self.kept_ids = {id(n) for n in kept}
        self.large = 1 + sum(1 + len(n.args) for n in kept) > LARGE_GRAPH
        self.root_key = tensor_key(walk.root)
        # Where each op goes, decided up front: an op's input edges are drawn before the op that made the input.
        self.place = {id(n): mods.place(n) if mods is not None else ((), None) for n in kept}
        self.folded = set() if show_reshapes else {
            id(n) for n in kept if type(n).__name__ in RESHAPE_LIKE and self.place[id(n)][1] is None
            and ("out", id(n), 0) != self.root_key}
        # A folded chain of reshapes is one tensor node. Where only a tensor further along the chain has a name
        # (``r = x @ V``: a 1-D matmul squeezes its result), the node is drawn as that tensor: name, shape, adjoint.
        self.alias: dict[TensorKey, TensorKey] = {}
        for n in kept:  # output first: the outermost named tensor wins
            if id(n) in self.folded:
                out = ("out", id(n), 0)
                named = out if naming.of(walk.tensors.get(out), "") else self.alias.get(out)
                if named is not None:
                    self.alias.setdefault(arg_key(n, 0), named)
        self.inside: dict[str, list[Function]] = {}  # box id -> its ops
        for n in kept:
            box = self.place[id(n)][1]
            if box is not None:
                self.inside.setdefault(box, []).append(n)
        self.internal = self._internal_constants()
        self.ids: dict[TensorKey, str] = {}  # tensor -> DOT id, in order of first sight: t0 is the output
        self.drawn: set[str] = set()
        self.boundary: list[str] = []  # tensors whose producing op was cut by max_nodes
        self.done, self.current = _progress(walk, step)
        self.sent = step.sent() if step is not None else {}
        self.before = step.before if step is not None else {}
        self.root_name = naming.of(walk.root, "out")

    def _internal_constants(self) -> dict[TensorKey, str]:
        """Constant tensors a collapsed Module made for itself (a dropout mask): leaves without grad, unnamed, read
        only inside one box, and not by the first op that ran (which reads the model's input). They go in the box."""
        first = min((n.sequence_nr for n in self.walk.ops), default=None)
        boxes: dict[TensorKey, set] = {}
        for n in self.kept:
            box = self.place[id(n)][1]
            for i, a in enumerate(n.args):
                if isinstance(a, Tensor) and n.next_functions[i][0] is None and not a.requires_grad:
                    boxes.setdefault(arg_key(n, i), set()).add(None if n.sequence_nr == first else box)
        return {key: next(iter(b)) for key, b in boxes.items() if len(b) == 1 and None not in b
                and self.naming.of(self.walk.tensors.get(key), "") == ""}

    # ---- tensors ---------------------------------------------------------------------------------------------------
    def tensor(self, key: TensorKey, cluster: tuple, meta: tuple | None = None) -> str:
        """The DOT id of a tensor's node, drawn in ``cluster`` at first sight; ``meta``: (shape, dtype) of a value
        an in-place op overwrote (no Tensor object holds it any more)."""
        tid = self.ids.setdefault(key, f"t{len(self.ids)}")
        if tid in self.drawn:
            return tid
        self.drawn.add(tid)
        key = self.shown(key)
        t = self.walk.tensors.get(key)
        name = self.root_name if key == self.root_key else self.naming.of(t, tid)
        fields = [name if t is not None else f"{name} (before an in-place change)"]
        if self.show_data:
            if t is not None:
                fields.append(("data " + fmt(t.array.reshape(-1)[0])) if t.array.size == 1
                              else f"{tuple(t.shape)} {t.dtype}")
            elif meta is not None:
                fields.append(f"{tuple(meta[0])} {meta[1]}")
        adjoint = self.adjoint_text(key, name, t is None or t.requires_grad)
        if adjoint:
            fields.append(adjoint)
        style = {"style": "filled", "fillcolor": "#dbe9f6"} if t is not None and t.grad_fn is None and \
            t.requires_grad else {}
        label = "{" + " | ".join(_record_escape(f) for f in fields) + "}"
        self.d.node(cluster, tid, label=label, shape="record", **style)
        return tid

    def shown(self, key: TensorKey) -> TensorKey:
        """The tensor whose name, value and adjoint the node of ``key`` shows: itself, or its named alias."""
        alias = self.alias.get(key)
        return key if alias is None or self.naming.of(self.walk.tensors.get(key), "") else alias

    def adjoint_text(self, key: TensorKey, name: str, differentiable: bool) -> str | None:
        """``∂e/∂c = 2``; ``‖∂L/∂W‖ = 1.2`` for arrays; at a step, ``∂e/∂b = 3 + 2 = 5`` where it just grew."""
        if self.adjoints is None:
            return None
        d = f"∂{self.root_name}/∂{name}"
        g = self.adjoints.get(key)
        if g is None:
            return f"{d} = ?" if self.step is not None and differentiable else None
        g = np.asarray(g)
        if g.size != 1:
            return f"‖{d}‖ = {fmt(np.linalg.norm(g.astype(np.float64)))}" + (" (new)" if key in self.sent else "")
        previous = self.before.get(key) if key in self.sent else None
        if previous is not None:
            return f"{d} = {fmt(np.asarray(previous).reshape(-1)[0])} + {fmt(self.sent[key].reshape(-1)[0])} " \
                   f"= {fmt(g.reshape(-1)[0])}"
        return f"{d} = {fmt(g.reshape(-1)[0])}"

    # ---- the walk --------------------------------------------------------------------------------------------------
    def draw(self, show_local_grads: bool, number_backward: bool, max_nodes: int | None) -> None:
        walk, d = self.walk, self.d
        root = walk.root
        out_cluster, out_box = self.place[id(root.grad_fn)] if root.grad_fn is not None and self.kept else ((), None)
        self.tensor(self.root_key, out_cluster)  # the output first, so that it is t0
        number = 0
        for k, node in enumerate(self.kept):
            if id(node) in self.folded:
                continue
            cluster, box = self.place[id(node)]
            if box is not None:
                target = self.box(cluster, box)
            else:
                number += 1
                target = self.op_node(k, node, cluster, f"#{number}  " if number_backward else "")
            for key in walk.used_outputs(node):
                if box is None:
                    d.edge(target, self.tensor(key, cluster))
                elif key == self.root_key:
                    d.edge(target, self.ids[key])
            derivs = (local_derivatives(node) if show_local_grads and not self.large and box is None
                      and is_scalar_graph_node(node) else None)
            self.inputs(k, node, cluster, box, target, derivs)
        if len(self.kept) < len(walk.ops):
            d.node((), "more", label=f"… {len(walk.ops) - len(self.kept)} more ops not drawn\n(max_nodes={max_nodes})",
                   shape="note", style="filled", fillcolor="#fde2e2")
            for tid in dict.fromkeys(self.boundary):
                d.edge("more", tid, style="dashed")

    def box(self, cluster: tuple, box: str) -> str:
        if box not in self.drawn:
            self.drawn.add(box)
            ops = self.inside[box]
            attrs = {"style": "filled", "fillcolor": "#f3ecd9"}
            if self.current is not None and any(n is self.current for n in ops):
                attrs.update(fillcolor="gold", penwidth="2")
            elif self.step is not None and all(id(n) in self.done for n in ops):
                attrs.update(fillcolor="#e2f0d9")
            assert self.mods is not None
            label = self.mods.box_label(box[2:], [op_label(n) for n in ops if id(n) not in self.folded])
            self.d.node(cluster, box, label=label, shape="box3d", **attrs)
        return box

    def op_node(self, k: int, node: Function, cluster: tuple, prefix: str) -> str:
        op_id = f"op{k}"
        label = op_label(node)
        attrs = {"label": prefix + label, "shape": "ellipse", "tooltip": node.name()}
        if len(label) == 1:
            attrs["fontsize"] = "22"  # a lone +, ·, ÷ is hard to see at the text size
        if node is self.current:
            attrs.update(style="filled", fillcolor="gold", penwidth="2")
        elif id(node) in self.done:
            attrs.update(style="filled", fillcolor="#e2f0d9")
        self.d.node(cluster, op_id, **attrs)
        return op_id

    def inputs(self, k: int, node: Function, cluster: tuple, box: str | None, target: str,
               derivs: list[float | None] | None) -> None:
        """The edges into an op (or its box): from each input tensor, through folded reshapes, and constants."""
        names = arg_names(node)
        for i, a in enumerate(node.args):
            if isinstance(a, Tensor):
                src, lines, hot = self.source(node, i, cluster)
                attrs: dict[str, str] = {}
                if hot is not None:  # the current step is a reshape folded into this edge
                    attrs.update(color="goldenrod", penwidth="3")
                    lines.append(self.flow_text(hot, 0, None))
                elif self.current is node and not self.large:
                    lines.append(self.flow_text(node, i, derivs))
                elif derivs is not None and derivs[i] is not None:
                    lines.append(fmt(derivs[i]))
                lines = [x for x in lines if x]
                if lines and not self.large:
                    attrs["label"] = "\n".join(lines)
                if not node.needs_input_grad[i]:
                    attrs.update(style="dashed", color="gray50")
                self.d.edge(src, target, dedupe=src.startswith("m_") or target.startswith("m_"), **attrs)
            elif box is None and not is_setting(node, i, names):
                cid = f"c{k}_{i}"
                self.d.node(cluster, cid, label=fmt(a) if isinstance(a, float) else str(a), shape="box",
                            style="rounded,dashed", fontsize="10", height="0.3", width="0.3")
                self.d.edge(cid, target, style="dashed", color="gray50")

    def source(self, node: Function, i: int, cluster: tuple) -> tuple[str, list[str], Function | None]:
        """The node an input edge starts from, the edge's label lines (folded reshapes, a box's tensor shape), and
        the folded reshape on it whose backward is the current step, if any."""
        folds = []
        hot = None
        key = arg_key(node, i)
        chain = [key]
        producer, nr = node.next_functions[i]
        while producer is not None and id(producer) in self.folded:
            folds.append(fold_label(producer))
            if producer is self.current:
                hot = producer
            node, i = producer, 0
            key = arg_key(node, 0)
            chain.append(key)
            producer, nr = node.next_functions[0]
        folds.reverse()
        meta = producer.output_meta[nr] if producer is not None and getattr(producer, "output_meta", None) else None
        if producer is not None and id(producer) in self.place and self.place[id(producer)][1] is not None:
            box = self.place[id(producer)][1]
            lines = folds + ([str(tuple(meta[0]))] if meta is not None else [])
            adjoint = self.adjoints.get(key) if self.adjoints is not None else None
            if adjoint is not None:
                lines.append(grad_text(adjoint))
            return box, lines, hot
        if self.shown(key) in chain:  # drawn as a later tensor of the chain: the reshapes before it are not on the edge
            folds = folds[len(folds) - chain.index(self.shown(key)):]
        a = node.args[i]
        if key in self.internal:
            return self.internal[key], folds, hot
        if producer is None and self.mods is not None:
            placed = self.mods.place_parameter(a)
            if placed is not None:
                home, box = placed
                return (box if box is not None else self.tensor(key, home)), folds, hot
            return self.tensor(key, ()), folds, hot
        if producer is None:
            return self.tensor(key, ()), folds, hot
        home = self.place[id(producer)][0] if id(producer) in self.place else cluster
        tid = self.tensor(key, home, meta)
        if id(producer) not in self.kept_ids:
            self.boundary.append(tid)
        return tid, folds, hot

    def flow_text(self, node: Function, i: int, derivs: list[float | None] | None) -> str:
        """On the current step's input edges: local derivative × the output's adjoint = what flows back."""
        assert self.step is not None
        g = self.step.grad_inputs[i]
        if g is None:
            return ""
        out = self.step.grad_outputs[0] if len(self.step.grad_outputs) == 1 else None
        if derivs is not None and derivs[i] is not None and out is not None:
            return f"{fmt(derivs[i])} × {fmt(np.asarray(out).reshape(-1)[0])} = {fmt(np.asarray(g).reshape(-1)[0])}"
        return grad_text(g)


def _record_escape(s: str) -> str:
    # Characters with a meaning inside a Graphviz record label.
    return re.sub(r'([{}|<>"\\])', r"\\\1", s)


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
