"""Gradient recording switches: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``, as in torch.

Each works as a context manager and as a function decorator (``set_grad_enabled(False)`` also as a plain call). The
flags live in ``_state``, one copy per thread as in torch: a thread inside ``no_grad()`` never switches recording off
in another thread that is training. ``Function.apply`` reads them on every op.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any


class _State(threading.local):
    """The per-thread modes. Class attributes are each new thread's starting values."""

    enabled = True  # record a graph (grad mode)
    inference = False  # inside inference_mode()
    fw_level = 0  # > 0 inside forward_ad.dual_level(): ops propagate tangents
    anomaly = False  # inside detect_anomaly(): ops record where they were created and check for NaN/Inf
    scope: tuple = ()  # the Modules whose forward is running, outermost first (see graph_scope)


_state = _State()


def is_grad_enabled() -> bool:
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    return _state.inference


class _Mode:
    """A switch of grad mode (and inference mode): a context manager, and a decorator when called on a function."""

    def __init__(self, enabled: bool, inference: bool | None = None) -> None:
        self.enabled, self.inference = enabled, inference

    def __enter__(self) -> None:
        self.prev = _state.enabled, _state.inference
        _state.enabled = self.enabled
        if self.inference is not None:
            _state.inference = self.inference

    def __exit__(self, *exc: Any) -> None:
        _state.enabled, _state.inference = self.prev

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _Mode(self.enabled, self.inference):  # a fresh switch per call: calls may nest, or run in threads
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_Mode):
    """Compute without recording a graph (inference, optimiser updates). ``with no_grad():`` or ``@no_grad()``."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(_Mode):
    """Record a graph again inside a ``no_grad`` region."""

    def __init__(self) -> None:
        super().__init__(True)


class set_grad_enabled(_Mode):
    """Turn recording on or off: at once when called (``set_grad_enabled(False)``), and restored on leaving it when
    used as a context manager (``with set_grad_enabled(is_train):``)."""

    def __init__(self, mode: bool) -> None:
        super().__init__(bool(mode))
        self.prev = _state.enabled, _state.inference
        _state.enabled = self.enabled

    def __enter__(self) -> None:  # the switch happened in __init__; leaving restores what was there before it
        _state.enabled = self.enabled

    def __call__(self, fn: Callable) -> Callable:
        _state.enabled = self.prev[0]  # used as a decorator: do not leave the mode switched
        return super().__call__(fn)


class inference_mode(_Mode):
    """``no_grad`` for pure inference, as torch's: nothing is recorded and ``is_inference_mode_enabled()`` is True.
    ``inference_mode(False)`` switches it off again inside."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__(not mode, bool(mode))


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
