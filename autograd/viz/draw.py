"""``draw_graph``: the recorded graph as a Graphviz drawing, with every tensor's adjoint after ``backward()``.

Tensors are boxes (name, value or shape, adjoint ∂out/∂t), ops are ellipses labelled with their maths (``+``, ``·``,
``matmul``, ``conv2d 3×3 s1``), Python numbers the op was given are small dashed boxes. Data flows left to right; on
a scalar graph each tensor → op edge carries the op's local derivative ∂out/∂in, so the drawing is the lecture's
figure: multiply along a path, add over paths. The adjoints are computed by the drawing, by a reverse sweep over the
recorded ops (``explain.backward_steps``): training keeps nothing extra for them.

Reshape-like ops (reshape, view, flatten, squeeze, unsqueeze, permute, transpose, expand) are folded into the edge
they sit on; a model's graph is drawn as one box per top-level Module (see ``modules``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import graphviz
import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._builder import Builder, Drawing
from ._graph import GraphWalk, TensorKey, tensor_key
from .executable import ensure_renderer
from .explain import final_adjoints
from .modules import Modules

if TYPE_CHECKING:
    from .explain import BackwardStep


def draw_graph(root: Tensor, names: Mapping[Any, Any] | None = None, *, show_data: bool = True,
               show_grad: bool | None = None, show_local_grads: bool = True, show_reshapes: bool = False,
               rankdir: str = "LR", max_nodes: int | None = 4000, number_backward: bool = False,
               module: Any = None, collapse_modules: bool = True, expand: Iterable[str] = (),
               highlight: BackwardStep | None = None) -> graphviz.Digraph:
    """Draw the graph that produced ``root``; returns a ``graphviz.Digraph`` (shown inline in Jupyter).

    names:            what to call tensors: a mapping from names to tensors such as ``locals()`` (names starting
                      with ``_`` are skipped), or from tensors to names. Else a tensor's ``.name``, a parameter's
                      name in the model, else t1, t2, ... (``root`` is "out").
    show_data:        each tensor's value (one number) or shape and dtype.
    show_grad:        each tensor's adjoint ∂root/∂t (the norm for arrays); None: once ``backward()`` has run
                      through ``root`` (it freed the graph, or ``root`` is one number and a leaf has a ``.grad``).
    show_local_grads: on graphs of single numbers, label each input edge with ∂out/∂in.
    show_reshapes:    draw reshape-like ops as ops instead of folding them into their edge.
    max_nodes:        draw at most about this many nodes, those nearest the output; a note counts the rest.
    number_backward:  number the ops in the order backward visits them (1 = first).
    module:           the model whose Modules are drawn (default: found from the ops' recorded Modules).
    collapse_modules: draw each top-level Module as one box; False: every op, in a cluster per Module.
    expand:           names of Modules to open (``expand=["features"]``): their submodules become the boxes.
    highlight:        a step of ``backward_steps(root)``: mark its op and show the adjoints as they stand after it,
                      what it adds to each (``3 + 2 = 5``) and, on its input edges, local derivative × ē.

    Raises GraphvizNotFoundError if no renderer (``dot`` or ``graphviz-pure``) is installed.
    """
    ensure_renderer()
    walk = GraphWalk(root)
    kept = _keep(walk, max_nodes)
    mods = Modules.for_graph(kept, module, collapse_modules, expand)
    naming = _Naming(names, mods)
    if highlight is not None:
        adjoints: Mapping[TensorKey, np.ndarray] | None = highlight.adjoints
    elif show_grad or (show_grad is None and _backward_ran(walk)):
        adjoints = final_adjoints(root)
    else:
        adjoints = None
    b = Builder(walk, kept, mods, naming, adjoints, highlight, show_data, show_reshapes)
    b.draw(show_local_grads, number_backward, max_nodes)
    return _emit(b.d, mods, rankdir, b.large)


def _backward_ran(walk: GraphWalk) -> bool:
    """Whether backward() went through this graph: it freed the output's node, or (retain_graph=True) the output
    is one number and a leaf of the graph has a ``.grad``."""
    if walk.root.grad_fn is not None and walk.root.grad_fn._saved is None:
        return True
    return walk.root.array.size == 1 and any(
        key[0] == "leaf" and t is not None and t.grad is not None for key, t in walk.tensors.items())


class _Naming:
    """A tensor's name in the drawing: the user's variable name, its ``.name``, its parameter name, or its id."""

    def __init__(self, names: Mapping[Any, Any] | None, mods: Modules | None) -> None:
        if names is not None and not isinstance(names, Mapping):
            raise TypeError(f"draw_graph: names must be a mapping such as locals() or {{'a': a}}, got "
                            f"{type(names).__name__}")
        self.by_id: dict[int, str] = {}
        for k, v in (names or {}).items():
            name, t = (k, v) if isinstance(k, str) else (v, k)
            if isinstance(t, Tensor) and isinstance(name, str) and not name.startswith("_"):
                self.by_id.setdefault(id(t), name)
        self.params = mods.param_names if mods is not None else {}

    def of(self, t: Tensor | None, tid: str) -> str:
        if t is None:
            return tid
        return self.by_id.get(id(t)) or t.name or self.params.get(id(t)) or tid


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


class QuietDigraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering keeps the renderer's warnings off stderr (graphviz-pure warns that it
    has no width for non-ASCII glyphs such as × and ∂, in every notebook cell that displays a graph)."""

    def pipe(self, *args: Any, quiet: bool = True, **kwargs: Any) -> Any:
        return super().pipe(*args, quiet=quiet, **kwargs)


def _emit(d: Drawing, mods: Modules | None, rankdir: str, large: bool) -> graphviz.Digraph:
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
