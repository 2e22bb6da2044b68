"""The ``pathgrad`` console script: ``graph`` (safe expression parsing, SVG output) and ``demo`` (smoke run)."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import numpy as np
import pytest

import nn
from pathgrad.cli import main
from pathgrad.expression import ExpressionError, evaluate, parse_assignments


def svg_texts(path) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text(encoding="utf-8"))


def test_graph_writes_svg_with_values_gradients_and_local_derivatives(tmp_path, capsys):
    out = tmp_path / "e.svg"
    assert main(["graph", "(a+b)*(b+1)", "a=2", "b=1", "-o", str(out)]) == 0
    assert "= 6;" in capsys.readouterr().out
    texts = svg_texts(out)
    for label in ["a", "b", "data 2", "data 1", "data 6", "grad 2", "grad 5", "×", "+"]:
        assert label in texts, label
    # local derivatives on the edges into ×: ∂e/∂c = d = 2 and ∂e/∂d = c = 3
    assert {"2", "3"} <= set(texts)


def test_graph_functions_and_operators(tmp_path, capsys):
    out = tmp_path / "f.svg"
    assert main(["graph", "-x**2 / 2 + tanh(x) - sqrt(abs(x)) * exp(-x)", "x=0.5", "-o", str(out)]) == 0
    x = 0.5
    want = -x + (1 - np.tanh(x) ** 2) - (0.5 / np.sqrt(x) * np.exp(-x) - np.sqrt(x) * np.exp(-x))
    printed = capsys.readouterr().out
    assert float(re.search(r"d/dx = (\S+)", printed).group(1)) == pytest.approx(want, rel=1e-5)
    assert "tanh" in svg_texts(out)


def test_variables_are_named_float64_scalars_requiring_grad():
    result, variables = evaluate("a * b + 1", {"a": 2, "b": 3.5})
    assert result.item() == 8.0
    for name, t in variables.items():
        assert t.name == name and t.shape == () and t.dtype == np.float64 and t.requires_grad


@pytest.mark.parametrize(("expression", "values", "message"), [
    ("__import__('os')", [], "unknown function '__import__'"),
    ("__import__('os').system('true')", [], "calling anything but a function name"),
    ("a.b", ["a=1"], "attribute access not allowed: 'a.b'"),
    ("a[0]", ["a=1"], "subscripts not allowed: 'a[0]'"),
    ("foo(a)", ["a=1"], "unknown function 'foo'"),
    ("(lambda: a)()", ["a=1"], "calling anything but a function name"),
    ("lambda: 1", [], "lambdas not allowed"),
    ("a + c", ["a=1"], "undefined variable 'c'"),
    ("a * b", ["a=1"], "undefined variable 'b'"),
    ("exp(a, a)", ["a=1"], "exactly one argument"),
    ("a < 1", ["a=1"], "comparisons not allowed"),
    ("a // 2", ["a=1"], "operator FloorDiv not allowed"),
    ("'x' * a", ["a=1"], "only real numbers"),
    ("a +", ["a=1"], "not a valid expression"),
    ("a + 1", ["a=1", "z=2"], "value given for z"),
    ("a + 1", ["a"], "expected NAME=VALUE"),
    ("a + 1", ["a=two"], "not a number"),
    ("2 * 3", [], "no variables"),
    ("a / 0", ["a=1"], None),  # inf is a value, as in numpy, not an error
])
def test_graph_rejects_anything_outside_the_whitelist(tmp_path, capsys, expression, values, message):
    out = tmp_path / "x.svg"
    code = main(["graph", expression, *values, "-o", str(out)])
    if message is None:
        assert code == 0 and out.exists()
        return
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_expression_module_raises_expression_error():
    with pytest.raises(ExpressionError, match="attribute access"):
        evaluate("a.__class__", {"a": 1.0})
    assert parse_assignments(["a=2", "b=-1.5e-1"]) == {"a": 2.0, "b": -0.15}


@pytest.mark.parametrize("command", [[], ["demo"], ["graph"]])
def test_help_for_each_subcommand(capsys, command):
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("usage: pathgrad")


def test_module_entry_point_runs():
    done = subprocess.run([sys.executable, "-m", "pathgrad", "graph", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "NAME=VALUE" in done.stdout


def test_demo_smoke_writes_loss_curve_graph_and_checkpoint(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "demo"
    start = time.perf_counter()
    assert main(["demo", "--epochs", "1", "--out", str(out), "--no-progress"]) == 0
    assert time.perf_counter() - start < 20
    printed = capsys.readouterr().out
    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", printed).group(1))
    assert accuracy > 50  # one epoch is far from the full run's 97+%, but far above chance
    assert str(out) in printed
    assert (out / "loss.png").read_bytes()[:4] == b"\x89PNG"
    assert "Conv2d" in svg_texts(out / "model.svg")
    state = nn.load(out / "model.npz")
    assert state["0.weight"].shape == (32, 1, 3, 3) and state["8.weight"].shape == (10, 256)


def test_demo_without_matplotlib_skips_the_png_and_says_how(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "demo"
    assert main(["demo", "--epochs", "1", "--out", str(out), "--no-progress"]) == 0
    assert re.search(r"skipped loss\.png.*pip install", capsys.readouterr().out)
    assert not (out / "loss.png").exists()
    assert (out / "model.svg").exists() and (out / "model.npz").exists()
