"""``torch.utils.hooks``: ``RemovableHandle``, what every ``register_*hook`` returns (it lives in autograd.hooks)."""

from autograd.hooks import RemovableHandle

__all__ = ["RemovableHandle"]
