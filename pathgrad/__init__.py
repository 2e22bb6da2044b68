"""pathgrad, shaped like torch: ``import pathgrad as torch`` runs tutorial code on pathgrad.

Nothing is implemented here. The code lives in three packages, and this namespace hands out their objects under
torch's names: ``pathgrad.tensor``, the factories, ops, dtypes, ``no_grad`` ... come from ``autograd``;
``pathgrad.nn`` *is* the ``nn`` package (and ``pathgrad.nn.functional`` is ``nn.functional``), ``pathgrad.optim``
is ``optim``, ``pathgrad.autograd`` is ``autograd``, ``pathgrad.utils.data`` is ``nn.data``,
``pathgrad.linalg`` and ``pathgrad.distributions`` are ``autograd.linalg`` and ``autograd.distributions``.
``save``/``load`` are ``nn.save``/``nn.load`` (a checkpoint never unpickles). Devices: "cpu" only; ``cuda``,
``backends.mps`` and ``accelerator`` say that nothing else is available.

The command line (``pathgrad demo``, ``pathgrad graph``) is ``pathgrad.cli``.
"""

from typing import Any as _Any

import autograd
import nn
import optim
from autograd import *  # noqa: F403 (the torch-shaped core: tensor, factories, ops, dtypes, modes, Tensor, ...)
from nn import load, save

from . import _aliases, accelerator, backends, cuda, func, utils

_aliases.install()  # so that ``import pathgrad.nn.functional`` finds nn.functional itself


def __getattr__(name: str) -> str:
    # __version__ comes from the installed package's metadata, so that it is pyproject.toml's version; it is read
    # on first use only (importlib.metadata scans sys.path)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("pathgrad")
        except PackageNotFoundError:  # a source tree that was never pip-installed
            return "0+unknown"
    raise AttributeError(f"module 'pathgrad' has no attribute {name!r}")


def compile(model: _Any = None, **options: _Any) -> _Any:  # noqa: A001 (torch's name)
    """torch.compile's place: returns ``model`` unchanged (pathgrad runs eagerly; there is nothing to compile).
    Works as ``compile(model)`` and as a decorator, with or without options."""
    return model if model is not None else (lambda fn: fn)
