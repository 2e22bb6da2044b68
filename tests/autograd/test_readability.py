"""The readability budget: the lecture example (lecture 003) runs through at most 150 distinct lines of autograd/.

The figure comes from bench/lines.py (sys.settrace over the four statements, 'line' events in autograd/ outside
autograd/viz; `python bench/lines.py --show` lists the lines)."""

import importlib.util
import sys
from pathlib import Path

import pytest

LINES_PY = Path(__file__).resolve().parents[2] / "bench" / "lines.py"


@pytest.fixture(scope="module")
def lines():
    """bench/lines.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("_bench_lines", LINES_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lecture_example_runs_through_at_most_150_lines(lines):
    report = lines.count_lines(fresh=True)  # the first run in a new interpreter, whatever this session ran before
    assert report["values"] == [6.0, 2.0, 5.0]
    assert report["total"] > 20, f"only {report['total']} lines traced: is the tracing broken? {report['per_file']}"
    assert report["total"] <= lines.BUDGET == 150, (
        f"the lecture example runs through {report['total']} distinct lines of autograd/ (budget {lines.BUDGET}): "
        f"{report['per_file']}; `python bench/lines.py --show` lists them"
    )


def test_count_in_process_gives_the_lecture_numbers_and_restores_the_tracer(lines):
    def outer(frame, event, arg):  # a stand-in for a debugger's or coverage's tracer
        return None

    previous = sys.gettrace()
    sys.settrace(outer)
    try:
        report = lines.count_lines()
        assert sys.gettrace() is outer
    finally:
        sys.settrace(previous)
    assert report["values"] == (6.0, 2.0, 5.0)
    assert report["total"] > 20 and report["warm_total"] > 20
    assert all(Path(p).parts[0] == "autograd" and Path(p).parts[1] != "viz" for p in report["per_file"])
