"""Regenerate each notebook's .ipynb from its .py source and execute it, saving the outputs (what GitHub shows).

    python notebooks/sync.py               # all thirteen
    python notebooks/sync.py 03 11         # only the notebooks whose names start with 03 or 11
    python notebooks/sync.py --no-execute  # cells only, without outputs

The ``.py`` files (jupytext percent format) are the sources: edit them, or edit the notebook in JupyterLab with
jupytext installed, which saves both files of the pair. Every notebook asserts the lecture's numbers it shows, so
executing it is a test (tests/notebooks/test_notebooks.py executes them again; test_sources.py checks that each
.ipynb has its .py's cells).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs

HERE = Path(__file__).resolve().parent


def kernel_dir() -> str:
    """A temporary Jupyter data dir whose ``python3`` kernel is this interpreter (so it imports this pathgrad)."""
    d = Path(tempfile.mkdtemp(prefix="pathgrad-kernel-"))
    spec = d / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (pathgrad)", "language": "python",
        # small arrays: one BLAS thread is faster than several, and much faster on a busy machine
        "env": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    }))
    return str(d)


def tidy(nb: nbformat.NotebookNode) -> None:
    """Drop what would make every re-run a diff without changing what a reader sees."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            # graphviz-pure's harmless font-metric warning for non-ASCII labels (reported upstream)
            cell.outputs = [o for o in cell.outputs if not (
                o.get("name") == "stderr" and "no value for width of non-ASCII character" in o.get("text", ""))]


def sync(source: Path, execute: bool = True) -> float:
    """Write ``source``'s .ipynb twin from its cells; with ``execute``, run it from notebooks/ and keep outputs."""
    ipynb = source.with_suffix(".ipynb")
    nb = jupytext.read(source)
    if ipynb.exists():  # keep the cell ids (and notebook metadata) of unchanged cells: smaller diffs
        nb = combine_inputs_with_outputs(nb, nbformat.read(ipynb, as_version=4), fmt="py:percent")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    seconds = 0.0
    if execute:
        from nbclient import NotebookClient
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        seconds = time.perf_counter() - t0
        tidy(nb)
    jupytext.write(nb, ipynb)
    return seconds


def main(argv: list[str]) -> None:
    execute = "--no-execute" not in argv
    wanted = [a for a in argv if not a.startswith("-")]
    sources = [p for p in sorted(HERE.glob("[0-9]*.py")) if not wanted or any(p.name.startswith(w) for w in wanted)]
    if not sources:
        sys.exit(f"sync.py: no notebook source in {HERE} matches {wanted}")
    if execute:
        os.environ["JUPYTER_PATH"] = kernel_dir() + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    for source in sources:
        seconds = sync(source, execute)
        ipynb = source.with_suffix(".ipynb")
        print(f"{ipynb.name}: {seconds:.1f} s, {ipynb.stat().st_size / 1024:.0f} KB", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
