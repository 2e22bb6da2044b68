"""``torch.utils``: ``data`` is the ``nn.data`` package (datasets, samplers, DataLoader)."""

import nn.data as data  # noqa: F401 (``pathgrad.utils.data`` is nn.data, one module under two names)
