"""Hooks into the graph machinery that torch exposes as ``torch.autograd.graph``."""

from __future__ import annotations

from .tensor import Tensor


def increment_version(tensor: Tensor) -> None:
    """Record that ``tensor``'s memory was changed in place by code autograd does not see (an optimiser's update on
    its array): backward then refuses to use an older saved copy of it, as for any in-place op."""
    tensor._shared_counter()[0] += 1
