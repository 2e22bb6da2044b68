"""Gradient recording switches: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, as in torch.

Each works as a context manager and as a function decorator. The flag is read by ``Function.apply``: while it is off,
ops compute their outputs but record no graph.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


class _State:
    enabled = True


_state = _State()


def is_grad_enabled() -> bool:
    return _state.enabled


class set_grad_enabled:
    """Turn graph recording on or off; effective immediately and, as a context manager, restored on exit."""

    def __init__(self, mode: bool) -> None:
        self.prev = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __enter__(self) -> None:
        _state.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self.prev

    def __call__(self, fn: Callable) -> Callable:
        _state.enabled = self.prev  # used as a decorator: do not leave the mode switched
        return _in_mode(fn, self.mode)


class _GradModeContext:
    mode = True

    def __enter__(self) -> None:
        self.prev = _state.enabled
        _state.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self.prev

    def __call__(self, fn: Callable) -> Callable:
        return _in_mode(fn, self.mode)


def _in_mode(fn: Callable, mode: bool) -> Callable:
    """``fn`` run with recording switched to ``mode`` (a decorator; optimisers' ``step`` runs through one)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        prev = _state.enabled
        _state.enabled = mode
        try:
            return fn(*args, **kwargs)
        finally:
            _state.enabled = prev

    return wrapper


class no_grad(_GradModeContext):
    """Compute without recording a graph (inference, optimiser updates). ``with no_grad():`` or ``@no_grad()``."""

    mode = False


class enable_grad(_GradModeContext):
    """Record a graph again inside a ``no_grad`` region."""

    mode = True


# Flags read by Function.apply on every op; kept here, with the grad flag, so that the op path reads one object.
_state.fw_level = 0  # > 0 inside forward_ad.dual_level(): ops propagate tangents
_state.anomaly = False  # inside detect_anomaly(): ops record where they were created and check for NaN/Inf
_state.scope = ()  # the Modules whose forward is running, outermost first (see graph_scope)


class graph_scope:
    """Tag the graph nodes recorded inside this context with ``owner`` (``node.scope``, a tuple, outermost first).

    ``nn.Module.__call__`` enters one per module, so that the renderer can draw each module as a cluster."""

    __slots__ = ("owner", "prev")

    def __init__(self, owner: Any) -> None:
        self.owner = owner

    def __enter__(self) -> None:
        self.prev = _state.scope
        _state.scope = self.prev + (self.owner,)

    def __exit__(self, *exc: Any) -> None:
        _state.scope = self.prev
