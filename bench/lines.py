"""How many distinct lines of autograd/ the lecture example runs through (the readability budget: <= 150).

The lecture example (lecture 003, tests/autograd/test_lectures.py) is these four statements:

    a = autograd.tensor(2.0, requires_grad=True)
    b = autograd.tensor(1.0, requires_grad=True)
    e = (a + b) * (b + 1)
    e.backward()

autograd is imported first, so its import-time lines are not counted; then the four statements run once under
sys.settrace. What is counted: every distinct (file, line) that fires a 'line' event in a file of the autograd/
package (resolved from autograd.__file__; autograd/viz excluded), i.e. the executed lines, the ones a reader has
to read to follow the path. A function's `def` line (or its first decorator line) is reported by the 'call' event,
not by a 'line' event, and it is not counted: it ran at import, not here. The functions entered (distinct code
objects seen by 'call' events) are reported beside the figure, not in it. The run measured is the first one after
import, so any one-time work done on first use (caches, lazy imports) is counted; a second, warm run is measured
too and shown when it differs.

The four statements must give the lecture's numbers, e = 6, a.grad = 2, b.grad = 5; anything else is an error.

    python bench/lines.py           # total, and distinct lines per file
    python bench/lines.py --show    # also every distinct line's text, by file, in the order first visited
    python bench/lines.py --json    # the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import linecache
import os
import subprocess
import sys
from pathlib import Path

# Measure the checkout this script lives in, ahead of whatever copy of the package is installed.
REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import autograd  # noqa: E402  (imported here, before any tracing: import-time lines are not counted)

BUDGET = 150
LECTURE = (
    "a = autograd.tensor(2.0, requires_grad=True)",
    "b = autograd.tensor(1.0, requires_grad=True)",
    "e = (a + b) * (b + 1)",
    "e.backward()",
)

PACKAGE_DIR = os.path.dirname(os.path.realpath(autograd.__file__))
EXCLUDED_DIRS = (os.path.join(PACKAGE_DIR, "viz"),)


def _in_package(filename: str, _cache: dict[str, bool] = {}) -> bool:  # noqa: B006  (a deliberate memo)
    """Whether a code object's file is part of autograd/ (and not autograd/viz)."""
    hit = _cache.get(filename)
    if hit is None:
        path = os.path.realpath(filename)
        hit = path.startswith(PACKAGE_DIR + os.sep) and not any(path.startswith(d + os.sep) for d in EXCLUDED_DIRS)
        _cache[filename] = hit
    return hit


def _lecture() -> tuple[float, float, float]:
    """The four statements, exactly; returns (e, a.grad, b.grad)."""
    a = autograd.tensor(2.0, requires_grad=True)
    b = autograd.tensor(1.0, requires_grad=True)
    e = (a + b) * (b + 1)
    e.backward()
    return e, a, b


def _trace_run() -> tuple[list[tuple[str, int]], list[tuple[str, int, str]], tuple]:
    """Run the four statements under sys.settrace; returns (lines in order of first visit, functions entered in
    order of first call, the statements' results). The previous trace function is restored afterwards."""
    lines: dict[tuple[str, int], None] = {}  # insertion-ordered set: order of first visit
    calls: dict[tuple[str, int, str], None] = {}

    def local(frame, event, arg):
        if event == "line":
            lines[(frame.f_code.co_filename, frame.f_lineno)] = None
        return local

    def global_(frame, event, arg):
        # Called on 'call' for every new frame; only autograd/ frames get the local (line) tracer.
        code = frame.f_code
        if not _in_package(code.co_filename):
            return None
        calls[(code.co_filename, code.co_firstlineno, code.co_qualname)] = None
        return local

    previous = sys.gettrace()
    sys.settrace(global_)
    try:
        result = _lecture()
    finally:
        sys.settrace(previous)
    return list(lines), list(calls), result


def _check(result) -> tuple[float, float, float]:
    e, a, b = result
    got = (float(e.item()), float(a.grad.item()), float(b.grad.item()))
    if got != (6.0, 2.0, 5.0):
        raise AssertionError(f"the lecture example gave e, a.grad, b.grad = {got}; the lecture's numbers are (6, 2, 5)")
    return got


def _rel(filename: str) -> str:
    return os.path.relpath(os.path.realpath(filename), os.path.dirname(PACKAGE_DIR))


def count_lines(fresh: bool = False) -> dict:
    """Trace the lecture example (first run after import, then a warm run) and return:

    total        distinct executed lines of autograd/ (first run): the figure held to BUDGET
    per_file     {relative path: distinct lines}, largest first
    lines        [(relative path, lineno, text)] in order of first visit
    functions    [(relative path, def line, qualified name)] entered, in order of first call
    warm_total   the same figure for a second run in the same process
    values       (e, a.grad, b.grad), checked to be (6, 2, 5); AssertionError otherwise
    budget, package

    In a process that has already run autograd code (a test session, a second call) the "first" run is warm too.
    fresh=True measures in a new interpreter (this file with --json), so the figure does not depend on what ran
    before; the result is then the JSON round trip (tuples become lists).
    """
    if fresh:
        out = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--json"], capture_output=True, text=True, cwd=REPO_ROOT
        )
        if out.returncode:
            raise RuntimeError(f"{Path(__file__).name} --json failed:\n{out.stdout}{out.stderr}")
        return json.loads(out.stdout)
    lines, calls, result = _trace_run()
    values = _check(result)
    warm_lines, _, warm_result = _trace_run()
    _check(warm_result)

    per_file: dict[str, int] = {}
    for filename, _ in lines:
        per_file[_rel(filename)] = per_file.get(_rel(filename), 0) + 1
    per_file = dict(sorted(per_file.items(), key=lambda kv: (-kv[1], kv[0])))
    return {
        "total": len(lines),
        "warm_total": len(warm_lines),
        "budget": BUDGET,
        "per_file": per_file,
        "lines": [(_rel(f), n, linecache.getline(f, n).rstrip()) for f, n in lines],
        "functions": [(_rel(f), n, name) for f, n, name in calls],
        "values": values,
        "package": PACKAGE_DIR,
    }


def _show(report: dict) -> None:
    """Each distinct line's text grouped by file, files in the order first entered, lines in the order first
    visited (so a file's lines read as the path through it, not in source order)."""
    by_file: dict[str, list[tuple[int, str]]] = {}
    for path, lineno, text in report["lines"]:
        by_file.setdefault(path, []).append((lineno, text))
    for path, rows in by_file.items():
        print(f"\n{path}  ({len(rows)} lines)")
        for lineno, text in rows:
            print(f"  {lineno:5d} | {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print each distinct line's text, by file")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    report = count_lines()
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print("lecture example:\n" + "\n".join(f"    {s}" for s in LECTURE))
    e, ga, gb = report["values"]
    print(f"e = {e:g}, a.grad = {ga:g}, b.grad = {gb:g} (the lecture's numbers)")
    print(f"package: {report['package']} (viz excluded)")
    verdict = "within" if report["total"] <= BUDGET else "OVER"
    print(f"\ndistinct executed lines of autograd/: {report['total']}  ({verdict} the budget of {BUDGET})")
    if report["warm_total"] != report["total"]:
        print(f"  a second, warm run: {report['warm_total']}")
    print(f"functions entered: {len(report['functions'])} (their def lines not counted)\n")
    width = max(len(p) for p in report["per_file"])
    for path, n in report["per_file"].items():
        print(f"  {path:<{width}}  {n:4d}")
    if args.show:
        _show(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
