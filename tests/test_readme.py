"""The README's Python examples run as printed (the quickstart, and the ported tutorial of "Coming from PyTorch")."""

import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_readme_example_runs(i, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the examples may write files (ckpt.pt)
    scope: dict = {}
    exec(compile(BLOCKS[i], f"README.md python block {i}", "exec"), scope)  # noqa: S102 (our README)
    if "import autograd" in BLOCKS[i] and "e.backward()" in BLOCKS[i]:  # the lecture example's printed numbers
        assert capsys.readouterr().out.split() == ["6.0", "2.0", "5.0"]
