"""``torch.accelerator``: there is none; code written as ``device = torch.accelerator.current_accelerator() if
torch.accelerator.is_available() else "cpu"`` picks the CPU."""

from __future__ import annotations

from autograd.device import device


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False) -> device | None:
    return None


def device_count() -> int:
    return 0
