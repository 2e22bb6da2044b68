"""Makes ``pathgrad.nn``, ``pathgrad.optim``, ``pathgrad.autograd``, ``pathgrad.utils.data`` (and their submodules)
the very modules ``nn``, ``optim``, ``autograd`` and ``nn.data``, so that ``import pathgrad.nn.functional as F``
gives the one ``nn.functional`` there is, not a second copy with classes of its own."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

# pathgrad's name → the package where the code lives; longest first, so that utils.data wins over a shorter prefix
PACKAGES = {
    "pathgrad.utils.data": "nn.data",
    "pathgrad.utils.checkpoint": "autograd.checkpoint",
    "pathgrad.linalg": "autograd.linalg",
    "pathgrad.distributions": "autograd.distributions",
    "pathgrad.autograd": "autograd",
    "pathgrad.optim": "optim",
    "pathgrad.nn": "nn",
}


def real_name(fullname: str) -> str | None:
    """The module that ``fullname`` (``pathgrad.nn.functional``) stands for (``nn.functional``), or None."""
    for alias, target in PACKAGES.items():
        if fullname == alias or fullname.startswith(alias + "."):
            return target + fullname[len(alias):]
    return None


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(real_name(spec.name))
        self.real_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run (the real module ran when it was imported under its own name); only give it back its own
        ``__spec__``, which the import system overwrote with the alias's (importlib.resources reads it)."""
        module.__spec__ = self.real_spec


class AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object = None, target: object = None
                  ) -> importlib.machinery.ModuleSpec | None:
        target_name = real_name(fullname)
        if target_name is None or importlib.util.find_spec(target_name) is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader())


def install() -> None:
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())
