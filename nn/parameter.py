"""``Parameter``: a Tensor that a Module registers as one of its learnable weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, from_numpy, get_default_dtype


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default; assigning one to a Module attribute registers it.

    ``Parameter(t)`` shares ``t``'s array (no copy), like torch. Results of ops on a Parameter are plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty((0,), dtype=get_default_dtype())
        if isinstance(data, Tensor):
            super().__init__(0.0)
            # share, don't copy: Parameter(t) has t's storage and version counter in torch
            self.array, self._counter = data.array, data._shared_counter()
        else:
            super().__init__(data)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: Any) -> tuple:
        # copy.deepcopy(model) must give Parameters back (not plain Tensors), with their own arrays and grads
        return (_rebuild_parameter, (self.array, self.requires_grad, self.grad))


def _rebuild_parameter(data: np.ndarray, requires_grad: bool, grad: Tensor | None) -> Parameter:
    p = Parameter(from_numpy(data), requires_grad)
    p.grad = grad
    return p
