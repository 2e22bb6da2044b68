"""``torch.utils``: ``data`` is the ``nn.data`` package (datasets, samplers, DataLoader); ``checkpoint`` is
``autograd.checkpoint`` (gradient checkpointing)."""

import autograd.checkpoint as checkpoint  # noqa: F401 (one module under two names)
import nn.data as data  # noqa: F401

from . import hooks  # noqa: F401
