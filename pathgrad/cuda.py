"""``torch.cuda`` as a CPU-only build answers it: no device is available, seeding is a no-op (as torch's is without
CUDA), and anything that needs a GPU raises ``DeviceError``."""

from __future__ import annotations

from typing import Any

from autograd.device import DeviceError


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """A no-op, as in torch without CUDA: ``torch.cuda.manual_seed`` seeds GPUs only."""


manual_seed_all = manual_seed


def empty_cache() -> None:
    """Nothing cached: nothing to free."""


def synchronize(device: Any = None) -> None:
    """Nothing runs asynchronously on the CPU: returns at once."""


def _unavailable(name: str) -> Any:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise DeviceError(f"torch.cuda.{name}: no CUDA device: pathgrad computes on the CPU with NumPy")

    fail.__name__ = name
    return fail


current_device = _unavailable("current_device")
get_device_name = _unavailable("get_device_name")
set_device = _unavailable("set_device")


def memory_allocated(device: Any = None) -> int:
    """0, as torch answers on a CPU-only build: no GPU memory is in use."""
    return 0


max_memory_allocated = memory_reserved = memory_allocated
