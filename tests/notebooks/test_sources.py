"""The notebooks' sources and what GitHub shows cannot drift apart, and their prose states the code's numbers.

Each ``notebooks/NN_name.ipynb`` (with outputs) is paired with a jupytext percent script ``NN_name.py``, the source a
teacher edits; ``python notebooks/sync.py NN`` regenerates and executes the .ipynb. These tests check that the two
hold the same cells, that every committed .ipynb was executed top to bottom, and that numbers stated in the prose
(steps, epochs, data sizes, layer widths, …) are the ones the code uses.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import autograd
from nn.data import load_digits

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
IPYNBS = sorted(NOTEBOOKS.glob("*.ipynb"))
SOURCES = sorted(NOTEBOOKS.glob("[0-9]*.py"))
SYNC = "run `python notebooks/sync.py {}` after editing the .py source"


def load(name: str) -> dict:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))


def text(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


# ---- the pair: .py source and .ipynb hold the same cells ----------------------------------------------------------

def test_every_notebook_has_a_source() -> None:
    assert IPYNBS, "no notebooks found in notebooks/"
    assert [p.stem for p in IPYNBS] == [p.stem for p in SOURCES], "each NN_name.ipynb needs its NN_name.py source"


@pytest.mark.parametrize("ipynb", IPYNBS, ids=[p.stem for p in IPYNBS])
def test_ipynb_cells_equal_source(ipynb: Path) -> None:
    jupytext = pytest.importorskip("jupytext")
    source = jupytext.read(ipynb.with_suffix(".py"))
    nb = load(ipynb.stem)
    assert nb["metadata"].get("jupytext", {}).get("formats") == "ipynb,py:percent", "the pair is declared in both"
    assert source.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent", "the pair is declared in both"
    want = [(c.cell_type, c.source) for c in source.cells]
    got = [(c["cell_type"], text(c)) for c in nb["cells"]]
    for i, (w, g) in enumerate(zip(want, got)):
        assert g == w, f"{ipynb.name}, cell {i}: differs from {ipynb.stem}.py; " + SYNC.format(ipynb.stem[:2])
    assert len(got) == len(want), f"{ipynb.name} has {len(got)} cells, its .py {len(want)}; " + SYNC.format(
        ipynb.stem[:2])


@pytest.mark.parametrize("ipynb", IPYNBS, ids=[p.stem for p in IPYNBS])
def test_ipynb_was_executed(ipynb: Path) -> None:
    codes = [c for c in load(ipynb.stem)["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in codes]
    assert counts == list(range(1, len(codes) + 1)), f"{ipynb.name} is not executed top to bottom in one kernel; " \
        + SYNC.format(ipynb.stem[:2])
    errors = [o for c in codes for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"{ipynb.name} was saved with an error output"


# ---- prose numbers: each claim ties a number in a markdown cell to the code (or outputs) of its section ----------

@dataclass(frozen=True)
class Section:
    code: str       # the code cells after the markdown cell, up to the next markdown cell
    output: str     # their saved stdout
    notebook: str   # all code of the notebook


Extract = Callable[[Section], object]

WORDS = {"eleven": 11, "a thousand": 1000}


def number(s: str) -> int:
    return WORDS[s.lower()] if s.lower() in WORDS else int(s.replace(",", ""))


def first(rx: str, where: str = "code") -> Extract:
    def get(s: Section) -> object:
        m = re.search(rx, getattr(s, where), re.M)
        return number(m[1]) if m else f"nothing matches {rx!r}"
    return get


def every(rx: str) -> Extract:
    """The value all matches in the section's code share (all of them, if they differ)."""
    def get(s: Section) -> object:
        values = sorted({number(v) for v in re.findall(rx, s.code)})
        return values[0] if len(values) == 1 else values
    return get


def count(rx: str) -> Extract:
    return lambda s: len(re.findall(rx, s.code, re.M))


def widths(code: str) -> list[int]:
    """Layer widths of the chain of ``nn.Linear(i, o)`` layers in ``code``, in order: [i0, o0, o1, ...]."""
    layers = [(int(i), int(o)) for i, o in re.findall(r"nn\.Linear\((\d+), (\d+)\)", code)]
    assert all(o == i for (_, o), (i, _) in zip(layers, layers[1:])), f"not one chain of layers: {layers}"
    return [layers[0][0]] + [o for _, o in layers]


def linear_parameters(s: Section) -> int:
    return sum(int(i) * int(o) + int(o) for i, o in re.findall(r"nn\.Linear\((\d+), (\d+)\)", s.code))


def digits(s: Section) -> int:
    return len(load_digits()[0])


CLAIMS: list[tuple[str, str, Extract]] = [
    # (notebook, regex on the markdown with the stated number as group 1, what the code says)
    ("03_boolean_functions", r"\\mathrm\{step\}\(0\) = (\d)", lambda s: autograd.step(autograd.tensor(0.0)).item()),
    ("03_boolean_functions", r"\\mathrm\{step\}\(0\) = (\d)", first(r"autograd\.step\(0\) = (\d)", "output")),
    ("04_mlp_on_moons", r"mini-batch of (\d+) points", first(r"size=(\d+)")),
    ("04_mlp_on_moons", r"grid of ([\d,]+) points",
     lambda s: math.prod(int(n) for n in re.findall(r"np\.linspace\([^()]*, (\d+)\)", s.code))),
    ("04_mlp_on_moons", r"so (\d+) steps take", first(r"for k in range\((\d+)\)")),
    ("04_mlp_on_moons", r"so (\d+) steps take", first(r'f"(\d+) Adam steps')),
    ("04_mlp_on_moons", r"so (\d+) steps take", first(r"^(\d+) Adam steps in", "output")),
    ("04_mlp_on_moons", r"the scalar graph's (\d+) did", first(r"^steps = (\d+)", "notebook")),
    ("06_optimiser_zoo", r"to (\d+) noisy points", first(r"size=(\d+)")),
    ("06_optimiser_zoo", r"budget of \*\*(\d+) epochs\*\*", first(r"epochs=(\d+)")),
    ("06_optimiser_zoo", r"one update per example: (\d+) noisy updates", first(r"permutation\((\d+)\)")),
    ("06_optimiser_zoo", r"library for (\d+) steps on the ravine", every(r"steps=(\d+)")),
    ("06_optimiser_zoo", r"library for (\d+) steps on the ravine", first(r"over (\d+) steps")),
    ("06_optimiser_zoo", r"(\w+) optimisers, \d+ steps each", count(r'^\s+"[^"]+":\s+lambda p:')),
    ("06_optimiser_zoo", r"optimisers, (\d+) steps each", first(r"library_path\(make, steps=(\d+)\)")),
    ("06_optimiser_zoo", r"optimisers, (\d+) steps each", first(r"loss after (\d+) steps")),
    ("06_optimiser_zoo", r"(\d+) steps of `optim\.SGD`", first(r"steps=(\d+)")),
    ("06_optimiser_zoo", r"(\d+) steps of `optim\.SGD`", first(r"after (\d+) steps", "output")),
    ("08_cnn_backprop", r"Adam on ([\d,]+) of the", first(r"perm\[:(\d+)\]")),
    ("08_cnn_backprop", r"of the ([\d,]+) digits", digits),
    ("08_cnn_backprop", r"tested on the other ([\d,]+)", lambda s: digits(s) - first(r"perm\[:(\d+)\]")(s)),
    ("11_regularisation", r"([\d,]+) training digits", first(r"perm\[:(\d+)\]")),
    ("11_regularisation", r"parameters for ([\d,]+) examples", first(r"perm\[:(\d+)\]")),
    ("11_regularisation", r"([\d,]+) validation digits",
     lambda s: (lambda m: int(m[2]) - int(m[1]))(re.search(r"perm\[(\d+):(\d+)\]", s.code))),
    ("11_regularisation", r"about ([\d,]+) parameters", lambda s: round(linear_parameters(s), -3)),
    ("11_regularisation", r"Adam for ([\d,]+) epochs", first(r"epochs=(\d+)")),
    ("14_backprop_through_time", r"random windows of (\d+) characters", first(r"length=(\d+)")),
    ("14_backprop_through_time", r"(\d+) windows per batch", first(r"size=(\d+)")),
    ("14_backprop_through_time", r"learning rate 0\.01, (\d+) steps", first(r"steps=(\d+)")),
    ("14_backprop_through_time", r"learning rate 0\.01, (\d+) steps", first(r"^RNN: (\d+) steps", "output")),
    ("14_backprop_through_time", r"a bias of (\d) on the forget gate", first(r"forget_bias=(\d)\.0")),
    ("14_backprop_through_time", r"Take a window of (\d+) characters", first(r"length=(\d+)")),
    ("14_backprop_through_time", r"mean over a batch of (\d+) windows", first(r"size=(\d+)")),
    ("15_transformer", r"Input: (\d+) random digits", first(r"^LENGTH, DIGITS = (\d+)")),
    ("15_transformer", r"([\d,]+) sequences drawn once",
     first(r"reversal_batch\(np\.random\.default_rng\(\d+\), (\d+)\)")),
    ("15_transformer", r"`d_model` = (\d+)", first(r"d_model=(\d+)")),
    ("15_transformer", r"batches of (\d+) sequences", first(r"reversal_batch\(rng, (\d+)\)")),
    ("15_transformer", r"batches of \d+ sequences, (\d+) steps", first(r"for step in range\((\d+)\)")),
    ("15_transformer", r"batches of \d+ sequences, (\d+) steps", first(r"^(\d+) steps in", "output")),
]
CHAINS = [  # (notebook, regex whose group 1 is a chain of widths such as "64 → 32 → 8", where the layers are)
    ("11_regularisation", r"a ([\d→ ]+) ReLU network", "code"),
    ("12_autoencoder", r"a ([\d→ ]+) multilayer perceptron", "notebook"),
]


def section(name: str, stated: str) -> tuple[str, Section]:
    """The stated value (group 1 of ``stated`` in the one markdown cell it matches) and that cell's section."""
    cells = load(name)["cells"]
    hits = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and re.search(stated, " ".join(
        text(c).split()))]
    assert len(hits) == 1, f"{name}: {len(hits)} markdown cells match {stated!r}; update CLAIMS with the prose"
    i = hits[0]
    value = re.search(stated, " ".join(text(cells[i]).split()))[1]
    after = []
    for c in cells[i + 1:]:
        if c["cell_type"] == "markdown":
            break
        after.append(c)
    output = "".join(text({"source": o.get("text", "")}) for c in after for o in c.get("outputs", [])
                     if o.get("name") == "stdout")
    every_code = "\n".join(text(c) for c in cells if c["cell_type"] == "code")
    return value, Section("\n".join(text(c) for c in after), output, every_code)


@pytest.mark.parametrize("name, stated, actual", CLAIMS, ids=[f"{n[:2]}:{s}" for n, s, _ in CLAIMS])
def test_prose_number_is_the_codes(name: str, stated: str, actual: Extract) -> None:
    value, s = section(name, stated)
    assert number(value) == actual(s), f"{name}: the text says {value!r} ({stated!r}), the code {actual(s)!r}"


@pytest.mark.parametrize("name, stated, where", CHAINS, ids=[n for n, _, _ in CHAINS])
def test_prose_layer_widths_are_the_codes(name: str, stated: str, where: str) -> None:
    value, s = section(name, stated)
    code = widths(getattr(s, where))
    assert [int(w) for w in value.split("→")] == code, f"{name}: the text says {value!r}, the nn.Linear layers {code}"


def test_notebook_04_tensor_steps_faster_than_scalar_graph() -> None:
    """The sentence "500 steps take less time than the scalar graph's 60 did" holds in the saved outputs."""
    outputs = "".join(text({"source": o.get("text", "")}) for c in load("04_mlp_on_moons")["cells"]
                      for o in c.get("outputs", []) if o.get("name") == "stdout")
    scalar = float(re.search(r"^\d+ steps in ([\d.]+) s", outputs, re.M)[1])
    tensor = float(re.search(r"^\d+ Adam steps in ([\d.]+) s", outputs, re.M)[1])
    assert tensor < scalar


def test_sync_rewrites_the_ipynb_from_its_source(tmp_path: Path) -> None:
    """notebooks/sync.py (without executing): the .ipynb gets the edited cells, keeps its cell ids, drops outputs."""
    jupytext = pytest.importorskip("jupytext")
    spec = importlib.util.spec_from_file_location("notebooks_sync", NOTEBOOKS / "sync.py")
    sync = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sync)
    for suffix in (".py", ".ipynb"):
        (tmp_path / f"01{suffix}").write_bytes((NOTEBOOKS / f"01_computation_graph{suffix}").read_bytes())
    source = tmp_path / "01.py"
    source.write_text(source.read_text(encoding="utf-8").replace("# # 1 · The computation graph", "# # 1 · Edited", 1),
                      encoding="utf-8")
    before = load("01_computation_graph")["cells"]
    sync.sync(source, execute=False)
    after = json.loads((tmp_path / "01.ipynb").read_text(encoding="utf-8"))["cells"]
    assert [(c.cell_type, c.source) for c in jupytext.read(source).cells] == [(c["cell_type"], text(c)) for c in after]
    assert text(after[0]).startswith("# 1 · Edited") and text(before[0]).startswith("# 1 · The computation graph")
    assert [c["id"] for c in after] == [c["id"] for c in before]
    assert all(c["outputs"] == [] for c in after if c["cell_type"] == "code")   # no stale outputs
