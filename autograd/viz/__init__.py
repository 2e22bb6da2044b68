"""Seeing the graph: draw it with every adjoint, explain the sum over paths, and step through backward.

    >>> import autograd
    >>> from autograd import viz
    >>> a = autograd.tensor(2.0, requires_grad=True)
    >>> b = autograd.tensor(1.0, requires_grad=True)
    >>> c = a + b; d = b + 1; e = c * d
    >>> [p.value for p in viz.paths(e, b)]      # ∂e/∂b = 2 + 3
    [2.0, 3.0]
    >>> e.backward()
    >>> g = viz.draw_graph(e, names=locals())   # a graphviz.Digraph, shown inline in Jupyter: ∂e/∂c = 2, ∂e/∂d = 3
    >>> strip = viz.step_strip(e, locals())     # backward one step per picture; viz.step_through(e): a slider
    >>> path = viz.save(g, "e.svg")             # .svg, .png (192 dpi), .pdf with a system Graphviz

Model graphs: ``draw_graph(loss)`` draws one box per top-level Module; ``expand=["features"]`` opens one,
``collapse_modules=False`` draws every op. This package only reads the graph; the engine never imports it. Rendering
needs a Graphviz ``dot``: a system one, or the ``graphviz-pure`` package pathgrad depends on (see ``executable``).
"""

from .draw import draw_graph
from .executable import GraphvizNotFoundError, find_dot
from .explain import BackwardStep, GraphPath, PathStats, backward_steps, path_stats, paths
from .export import save
from .labels import op_label, op_symbol
from .steps import StepStrip, step_strip, step_through

__all__ = [
    "BackwardStep",
    "GraphPath",
    "GraphvizNotFoundError",
    "PathStats",
    "StepStrip",
    "backward_steps",
    "draw_graph",
    "find_dot",
    "op_label",
    "op_symbol",
    "path_stats",
    "paths",
    "save",
    "step_strip",
    "step_through",
]
