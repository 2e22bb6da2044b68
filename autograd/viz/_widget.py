"""The step-through widget (imported only when ipywidgets is installed): a play button and a slider over backward's
steps, the step's caption, and ``draw_graph(root, highlight=step)`` for the chosen step, drawn when first shown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from ..tensor import Tensor
from .draw import draw_graph
from .explain import BackwardStep
from .steps import StepStrip, _caption, _escape


class StepThrough(widgets.VBox):
    """A slider over the frames of backward through ``root``; ``steps`` holds them, ``show(k)`` moves to frame k.

    Its display data also carries the whole strip as an SVG picture, which frontends without widgets (GitHub,
    nbconvert) show instead of the slider.
    """

    def __init__(self, root: Tensor, names: Mapping[Any, Any] | None, steps: list[BackwardStep],
                 options: dict, columns: int | None = None, scale: float = 0.8) -> None:
        self.steps, self.strip_layout = steps, (columns, scale)
        self._draw = lambda step: draw_graph(root, names, highlight=step, **options).pipe(
            format="svg", quiet=True).decode("utf-8")
        self._pictures: dict[int, str] = {}
        last = max(len(steps) - 1, 0)
        self.slider = widgets.IntSlider(value=0, min=0, max=last, description="step", readout=False)
        play = widgets.Play(value=0, min=0, max=last, interval=1500, description="play")
        widgets.jslink((play, "value"), (self.slider, "value"))
        self.caption = widgets.HTML()
        self.picture = widgets.HTML()
        super().__init__([widgets.HBox([play, self.slider]), self.caption, self.picture])
        self.slider.observe(lambda change: self.show(change["new"]), names="value")
        self.show(0)

    def __repr__(self) -> str:
        return f"StepThrough({len(self.steps)} steps of backward: a slider in Jupyter)"

    def picture_of(self, k: int) -> str:
        if k not in self._pictures:
            self._pictures[k] = self._draw(self.steps[k])
        return self._pictures[k]

    def show(self, k: int) -> None:
        if not self.steps:
            self.caption.value = "<b>nothing to step through</b>: the output was not computed from tensors that " \
                                 "require grad"
            self.picture.value = ""
            return
        svg = self.picture_of(k)
        self.caption.value = f"<b>{_escape(_caption(k, self.steps[k]))}</b> &nbsp;({k + 1} of {len(self.steps)})"
        self.picture.value = svg[svg.index("<svg"):]
        if self.slider.value != k:
            self.slider.value = k

    def strip(self, columns: int | None = None, scale: float | None = None) -> StepStrip:
        """The static strip (``step_strip``'s picture), laid out as given here or as ``step_through`` was asked."""
        columns = self.strip_layout[0] if columns is None else columns
        return StepStrip(self.steps, [self.picture_of(k) for k in range(len(self.steps))], columns,
                         self.strip_layout[1] if scale is None else scale)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None and self.steps:
            bundle["image/svg+xml"] = self.strip().svg
        return bundle
