"""Seeing the graph: draw it, explain the sum over paths, and step through backward.

    >>> import autograd
    >>> from autograd import viz
    >>> a = autograd.tensor(2.0, requires_grad=True); a.name = "a"
    >>> b = autograd.tensor(1.0, requires_grad=True); b.name = "b"
    >>> e = (a + b) * (b + 1)
    >>> [p.value for p in viz.paths(e, b)]      # ∂e/∂b = 2 + 3
    [2.0, 3.0]
    >>> g = viz.draw_graph(e)                   # a graphviz.Digraph: shown inline in Jupyter
    >>> svg = g.pipe(format="svg")              # or viz.save(g, "e.svg")

This package only reads the graph; the engine never imports it. Rendering needs a Graphviz ``dot``: a system one, or
the ``graphviz-pure`` package pathgrad depends on (see ``executable``).
"""

from .draw import draw_graph, op_symbol, save
from .executable import GraphvizNotFoundError, find_dot
from .explain import BackwardStep, GraphPath, PathStats, backward_steps, path_stats, paths

__all__ = [
    "BackwardStep",
    "GraphPath",
    "GraphvizNotFoundError",
    "PathStats",
    "backward_steps",
    "draw_graph",
    "find_dot",
    "op_symbol",
    "path_stats",
    "paths",
    "save",
]
