"""Tutorial-style programs (tests/tutorials/programs/*.py), written as PyTorch code, run under pathgrad with only
their import lines changed; where torch is installed, test_tutorials_vs_torch.py runs each under torch too and
compares the numbers."""

import pytest

from .harness import PROGRAMS, run

NAMES = sorted(p.stem for p in PROGRAMS.glob("*.py"))


def test_there_are_at_least_twelve_programs():
    assert len(NAMES) >= 12, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_program_runs_under_pathgrad(name):
    results = run(name, "pathgrad")
    assert results, f"{name} left no RESULTS to compare"
