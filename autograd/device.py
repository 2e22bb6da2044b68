"""Devices, as torch names them. pathgrad computes on the CPU with NumPy: ``device("cpu")`` is the only one that holds
tensors; ``"cuda"`` and ``"mps"`` parse (so that tutorial boilerplate reads the same) and fail with a clear error the
moment a tensor would be put there."""

from __future__ import annotations

from typing import Any, NoReturn

_KNOWN = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "hpu", "mtia", "ipu", "vulkan", "privateuseone")


class DeviceError(RuntimeError, AssertionError):
    """Raised when a tensor would move to a device other than the CPU. torch raises AssertionError ("Torch not
    compiled with CUDA enabled") on a CPU-only build; this is both that and a RuntimeError."""


class device:  # noqa: N801 (torch's name)
    """``device("cpu")``, ``device("cuda:0")``, ``device("cuda", 0)``: a device type and an optional index."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002 (torch's argument name)
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device() expected a string such as 'cpu' or 'cuda:0', got {type!r}")
        name, _, number = type.partition(":")
        if name not in _KNOWN:
            raise RuntimeError(f"Expected one of {', '.join(_KNOWN)} device type at start of device string: {type}")
        if number:
            if not number.isdigit() or index is not None:
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(number)
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type, self.index = name, index

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:  # as torch: a device never equals a string
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> Any:
        return device, (self.type, self.index)


CPU = device("cpu")


def check_device(where: Any, op: str) -> None:
    """Raise ``DeviceError`` unless ``where`` (None, a string, an int or a ``device``) names the CPU."""
    if where is None:
        return
    if isinstance(where, int) and not isinstance(where, bool):  # torch reads a bare index as a CUDA device
        where = device("cuda", where)
    if device(where).type != "cpu":
        unavailable(where, op)


def unavailable(where: Any, op: str) -> NoReturn:
    if isinstance(where, int) and not isinstance(where, bool):
        where = device("cuda", where)
    raise DeviceError(f"{op}: device '{device(where)}' is not available: pathgrad computes on the CPU with NumPy "
                      "(use device='cpu', or leave device out)")


def is_device(value: Any) -> bool:
    """Whether ``value`` reads as a device (a ``device``, or a string such as 'cpu' or 'cuda:0'), as ``.to`` asks."""
    if isinstance(value, device):
        return True
    return isinstance(value, str) and value.partition(":")[0] in _KNOWN
