"""Issue 17: the commonly used torch names (tests/namespace/torch_names.py), each present in ``import pathgrad as
torch`` or deliberately absent with a reason; at least 95% present. ``-s`` shows the coverage table, and so does
``python tests/namespace/test_torch_checklist.py``."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

NAMES_PY = Path(__file__).resolve().parent / "torch_names.py"


def _load_names() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_torch_names", NAMES_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


names = _load_names()


@pytest.fixture(scope="module")
def present() -> set[str]:
    """The names a freshly imported pathgrad has. Not this process's pathgrad: a submodule that another test
    imported (``import pathgrad.linalg``) becomes an attribute of its parent, which plain ``import pathgrad``
    would not give."""
    run = subprocess.run([sys.executable, str(NAMES_PY), "--json"], capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        pytest.fail(f"importing pathgrad in a fresh interpreter failed:\n{run.stderr}")
    return set(json.loads(run.stdout.strip().splitlines()[-1]))


def _by_category(selected: set[str]) -> str:
    return "\n".join(f"  {cat}: {' '.join(n for n in group if n in selected)}"
                     for cat, group in names.CHECKLIST.items() if selected.intersection(group))


def test_the_checklist_is_large_unique_and_its_absences_explained() -> None:
    assert len(names.ALL_NAMES) >= 400
    assert len(set(names.ALL_NAMES)) == len(names.ALL_NAMES), "a name is listed twice"
    assert set(names.DELIBERATELY_ABSENT) <= set(names.ALL_NAMES), "an absent name must be a checklist name"
    for name, reason in names.DELIBERATELY_ABSENT.items():
        assert reason.strip() and "\n" not in reason, f"{name}: the reason is one line"


def test_resolve_walks_attributes() -> None:
    root = SimpleNamespace(nn=SimpleNamespace(functional=SimpleNamespace(relu=abs)), Tensor=int)
    assert names.resolve(root, "nn.functional.relu") and names.resolve(root, "Tensor.bit_length")
    assert not names.resolve(root, "nn.functional.gelu") and not names.resolve(root, "nn.init.zeros_")
    assert not names.resolve(root, "Tensor.topk") and not names.resolve(root, "nn.functional.relu.x")


def test_every_name_is_present_or_deliberately_absent(present: set[str]) -> None:
    missing = set(names.ALL_NAMES) - present - set(names.DELIBERATELY_ABSENT)
    assert not missing, f"{len(missing)} names neither present nor deliberately absent:\n{_by_category(missing)}"


def test_no_deliberately_absent_name_is_present(present: set[str]) -> None:
    stale = present.intersection(names.DELIBERATELY_ABSENT)
    assert not stale, f"present, so remove them from DELIBERATELY_ABSENT: {sorted(stale)}"


def test_coverage_is_at_least_95_percent(present: set[str]) -> None:
    print("\n" + names.coverage_table(present))
    covered = len(present.intersection(names.ALL_NAMES)) / len(names.ALL_NAMES)
    assert covered >= 0.95, f"coverage {covered:.1%} < 95%"


if __name__ == "__main__":
    sys.exit(names.main([]))
