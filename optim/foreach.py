"""Multi-tensor ("foreach") steps: one parameter group's state as one flat array per buffer.

An elementwise update such as Adam's is about a dozen numpy calls per parameter, and for a small network the fixed
cost of each call dominates the step. Here each state buffer of a group (``exp_avg``, ``exp_avg_sq``, ...) is one
contiguous array, and each ``state[p][name]`` is a view of its slice (the ``step`` counters too: one number per
parameter, all incremented at once); the parameters and gradients are gathered end to end, the update runs once over
the whole group, and each parameter takes its slice back. It is the same elementwise arithmetic on the same numbers,
so the result is identical to the per-parameter loop. torch's ``foreach=True`` does the same with multi-tensor
kernels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, from_numpy

from .optimizer import step_tensor


class FlatGroup:
    """The parameters of a group laid end to end, with flat state buffers whose slices are their state tensors."""

    def __init__(self, params: list[Tensor]) -> None:
        self.params = params
        self.shapes = [p.array.shape for p in params]
        self.dtype = params[0].array.dtype
        self.bounds = np.cumsum([0] + [p.array.size for p in params]).tolist()
        self.buffers: dict[str, np.ndarray] = {}
        # work space for one step, reused: the parameters and the gradients end to end
        self.param = np.empty(self.bounds[-1], dtype=self.dtype)
        self.grad = np.empty(self.bounds[-1], dtype=self.dtype)
        self.param_views = self.views(self.param)

    def views(self, flat: np.ndarray) -> list[np.ndarray]:
        """Each parameter's slice of ``flat``, in the parameter's shape."""
        return [flat[lo:hi].reshape(shape) for shape, lo, hi in zip(self.shapes, self.bounds, self.bounds[1:])]

    def matches(self, params: list[Tensor]) -> bool:
        """Whether these are still this group's parameters, in its shapes and dtype, with gradients of that dtype."""
        if len(params) != len(self.params):
            return False
        dtype = self.dtype
        for p, q, shape in zip(params, self.params, self.shapes):
            data = p.array
            if p is not q or data.shape != shape or data.dtype != dtype or p.grad.array.dtype != dtype:
                return False
        return True

    def gather(self, arrays: list[np.ndarray], out: np.ndarray) -> np.ndarray:
        """The arrays (one per parameter) end to end, written into ``out``."""
        return np.concatenate(arrays, axis=None, out=out)  # (axis=None: each array flattened)

    def scatter(self) -> None:
        """Write the (updated) gathered parameters back into each parameter, in place."""
        for p, view in zip(self.params, self.param_views):
            p.array[...] = view

    def buffer(self, states: list[dict[str, Any]], name: str, scalar: bool = False) -> np.ndarray:
        """The flat array behind ``states[i][name]`` (the state of parameter i), zeros at first: the parameters' shapes
        end to end, or with ``scalar`` one 0-d counter per parameter (``step``). Rebuilt from the current state tensors
        whenever one is not a view of it (first use, or after ``load_state_dict``)."""
        flat = self.buffers.get(name)
        if flat is not None and all(name in s and s[name].array.base is flat for s in states):
            return flat

        def initial(p: Tensor) -> np.ndarray:
            return step_tensor().array if scalar else np.zeros_like(p.array)

        for i, (p, s) in enumerate(zip(self.params, states)):
            # laid end to end, a buffer of another shape but the same size would be taken silently: refuse it
            # (load_state_dict checks what it loads; this catches state edited by hand)
            shape = () if scalar else p.array.shape
            if name in s and s[name].array.shape != shape:
                raise ValueError(
                    f"foreach update: state[{name!r}] of the group's parameter {i} (with a gradient) has shape "
                    f"{s[name].array.shape}, but it must be {shape}, {'a scalar' if scalar else 'the parameter shape'};"
                    " put back a tensor of that shape, or delete the parameter's state to start it afresh"
                )

        flat = np.concatenate([(s[name].array if name in s else initial(p)).reshape(-1)
                               for p, s in zip(self.params, states)])
        views = [flat[i:i + 1].reshape(()) for i in range(len(states))] if scalar else self.views(flat)
        for s, view in zip(states, views):
            if name in s:
                s[name].array = view  # the same values, now living in the flat buffer
            else:
                s[name] = from_numpy(view)  # (as_tensor would copy)
        self.buffers[name] = flat
        return flat


def flat_group(cache: dict[int, Any], index: int, params: list[Tensor]) -> FlatGroup | None:
    """The cached ``FlatGroup`` of group ``index``, made anew if its parameters changed; None where one flat update
    cannot serve these parameters (those with a gradient): fewer than two, or not all of one dtype."""
    flat = cache.get(index)
    if flat is not None and flat.matches(params):
        return flat
    if len(params) < 2:
        return None
    dtype = params[0].array.dtype
    for p in params:
        if p.array.dtype != dtype or p.grad.array.dtype != dtype:
            return None
    flat = cache[index] = FlatGroup(params)
    return flat
