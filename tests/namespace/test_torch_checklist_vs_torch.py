"""Issue 17's checklist holds torch's names only: every one (the deliberately absent ones too) exists in torch 2.13,
found by the same attribute walk from ``import torch``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

spec = importlib.util.spec_from_file_location("_torch_names", Path(__file__).resolve().parent / "torch_names.py")
names = importlib.util.module_from_spec(spec)
spec.loader.exec_module(names)


def test_every_listed_name_exists_in_torch() -> None:
    major, minor = (int(part) for part in torch.__version__.split("+")[0].split(".")[:2])
    if (major, minor) < (2, 13):
        pytest.skip(f"the checklist was compiled from torch 2.13's documentation; torch {torch.__version__} is older")
    unknown = [name for name in names.ALL_NAMES if not names.resolve(torch, name)]
    assert not unknown, f"not torch names: {unknown}"
