"""Anomaly detection: find the op whose forward or backward first produced NaN or Inf."""

from __future__ import annotations

from typing import Any

from .grad_mode import _state


class detect_anomaly:
    """Inside this context every op records where it was created and checks its outputs; the first NaN/Inf in a
    forward output or in a gradient raises a RuntimeError naming the op and the line that created it. Slow: for
    debugging only. Also usable as a decorator."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self.prev = _state.anomaly
        _state.anomaly = self.check_nan

    def __exit__(self, *exc: Any) -> None:
        _state.anomaly = self.prev

    def __call__(self, fn: Any) -> Any:
        import functools

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


def set_detect_anomaly(mode: bool) -> None:
    _state.anomaly = bool(mode)


def is_anomaly_enabled() -> bool:
    return _state.anomaly
