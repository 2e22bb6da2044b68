"""Execute every notebook in notebooks/ in a fresh kernel; any error in any cell fails the test.

The notebooks assert the lectures' numbers in their code cells, so this is a test of pathgrad, not only of the
notebooks. The kernel is this interpreter (a temporary ``python3`` kernelspec pointing at ``sys.executable``,
found first via JUPYTER_PATH), so it imports the same, editable-installed pathgrad as the test run.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def kernel_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    d = tmp_path_factory.mktemp("jupyter")
    spec = d / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (pathgrad tests)",
        "language": "python",
        # One BLAS thread per kernel: on a shared 2-core machine, BLAS threads fighting other jobs slow the small
        # matrix products of these notebooks several times over.
        "env": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    }))
    return str(d)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, kernel_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("JUPYTER_PATH", kernel_path)
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    client.execute()            # raises CellExecutionError, with the failing cell and traceback, on any error
    elapsed = time.perf_counter() - t0
    assert elapsed < 120, f"{path.name} took {elapsed:.0f} s; notebooks should run in well under a minute"


def test_notebooks_found() -> None:
    assert NOTEBOOKS, "no notebooks found in notebooks/"
