"""Stepping through backward: ``step_strip`` (a strip of small graphs, one per step) and ``step_through`` (a slider
over the steps, when ipywidgets is installed; otherwise the strip).

Each frame is ``draw_graph(root, highlight=step)``: the current op in gold, the ops already done in green, on the
current op's input edges local derivative × the output's adjoint = what flows back, and on every tensor the adjoint
summed so far (``∂e/∂b = 3 + 2 = 5`` where this step adds to it). Both work headless (a notebook executed without a
browser): the strip is plain SVG, which GitHub shows, and the widget carries the strip as its static fallback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..tensor import Tensor
from ._graph import GraphWalk
from .draw import draw_graph
from .explain import BackwardStep, backward_steps
from .labels import op_label
from .modules import Modules

STRIP_WIDTH = 1000.0  # pt: how wide a strip grows before it starts a new row


def frames(root: Tensor, module: Any = None, collapse_modules: bool = True, expand: tuple = ()) -> list[BackwardStep]:
    """The steps of ``backward_steps(root)`` worth a picture: all of them, except that consecutive steps inside one
    collapsed Module make one frame (its last)."""
    steps = list(backward_steps(root))
    mods = Modules.for_graph(GraphWalk(root).ops, module, collapse_modules, expand)
    chosen: list[BackwardStep] = []
    last_box = None
    for step in steps:
        box = mods.place(step.node)[1] if mods is not None else None
        if box is not None and box == last_box and chosen:
            chosen[-1] = step
        else:
            chosen.append(step)
        last_box = box
    return chosen


def _caption(k: int, step: BackwardStep) -> str:
    return f"step {k + 1}: backward of {op_label(step.node)}"


class StepStrip:
    """Backward, one small graph per step, side by side in rows: shown as SVG in Jupyter and on GitHub.

    steps: the steps drawn; svg: the whole strip; ``save(path)`` writes it (.svg).
    """

    def __init__(self, steps: list[BackwardStep], pictures: list[str], columns: int | None, scale: float) -> None:
        self.steps = steps
        self.svg = _compose(pictures, [_caption(k, s) for k, s in enumerate(steps)], columns, scale)

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return f"StepStrip({len(self.steps)} steps of backward; shown as SVG in Jupyter, .save(path) writes it)"

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        if path.suffix.lower() != ".svg":
            raise ValueError(f"StepStrip.save: {str(path)!r}: a strip is written as .svg")
        path.write_text(self.svg, encoding="utf-8")
        return path


def _pictures(root: Tensor, names: Mapping[Any, Any] | None, steps: list[BackwardStep], options: dict) -> list[str]:
    return [draw_graph(root, names, highlight=s, **options).pipe(format="svg", quiet=True).decode("utf-8")
            for s in steps]


def step_strip(root: Tensor, names: Mapping[Any, Any] | None = None, *, columns: int | None = None,
               scale: float = 0.8, **options: Any) -> StepStrip:
    """Backward through ``root`` as a strip of small graphs, one per step, each drawn at ``scale``, ``columns`` to a
    row (default: as many as fit in about 1000 pt). ``names`` and ``options`` (module, expand, show_local_grads,
    rankdir, ...) are ``draw_graph``'s."""
    if columns is not None and columns < 1 or scale <= 0:
        raise ValueError(f"step_strip: columns must be at least 1 and scale above 0, got columns={columns}, "
                         f"scale={scale}")
    steps = frames(root, options.get("module"), options.get("collapse_modules", True), tuple(options.get("expand", ())))
    return StepStrip(steps, _pictures(root, names, steps, options), columns, scale)


def step_through(root: Tensor, names: Mapping[Any, Any] | None = None, **options: Any) -> Any:
    """A slider over backward's steps through ``root`` (an ipywidgets widget), each showing
    ``draw_graph(root, highlight=step)``. Without ipywidgets, the static ``step_strip(root)`` instead.

    The widget carries the strip too, as a picture for places that cannot run widgets (GitHub, nbconvert).
    """
    try:
        from ._widget import StepThrough
    except ImportError:  # ipywidgets is an optional extra
        return step_strip(root, names, **options)

    layout = {k: options.pop(k) for k in ("columns", "scale") if k in options}  # the strip's, not draw_graph's
    steps = frames(root, options.get("module"), options.get("collapse_modules", True), tuple(options.get("expand", ())))
    return StepThrough(root, names, steps, options, **layout)


def _size(svg: str) -> tuple[float, float]:
    m = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return (float(m.group(1)), float(m.group(2))) if m else (200.0, 100.0)


def _compose(pictures: list[str], captions: list[str], columns: int | None, scale: float) -> str:
    """One SVG holding each picture scaled, with its caption above it, ``columns`` to a row."""
    gap, caption_h = 16.0, 18.0
    sizes = [(w * scale, h * scale) for w, h in map(_size, pictures)]
    if columns is None:
        widest = max((w for w, _ in sizes), default=1.0)
        columns = max(1, int(STRIP_WIDTH // (widest + gap)))
    rows = [list(range(i, min(i + columns, len(pictures)))) for i in range(0, len(pictures), columns)]
    parts, y, width = [], gap, 0.0
    for row in rows:
        x = gap
        row_h = max(sizes[i][1] for i in row) + caption_h
        for i in row:
            w, h = sizes[i]
            parts.append(f'<text x="{x:.1f}" y="{y + 12:.1f}" font-family="Helvetica,Arial,sans-serif" '
                         f'font-size="12">{_escape(captions[i])}</text>')
            parts.append(_nested(pictures[i], i, x, y + caption_h, w, h))
            x += w + gap
        width = max(width, x)
        y += row_h + gap
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            f'<svg width="{width:.0f}pt" height="{y:.0f}pt" viewBox="0 0 {width:.0f} {y:.0f}" '
            'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
            '<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(parts) + "\n</svg>\n")


def _nested(svg: str, k: int, x: float, y: float, w: float, h: float) -> str:
    """A rendered graph as an <svg> element placed at (x, y) and scaled to w × h; its ids made unique."""
    body = svg[svg.index("<svg"):]
    body = re.sub(r'<svg width="[\d.]+pt" height="[\d.]+pt"', f'<svg x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
                  f'height="{h:.1f}"', body, count=1)
    return re.sub(r'\bid="([^"]*)"', lambda m: f'id="s{k}_{m.group(1)}"', body)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
