"""autograd.viz.save: PNG at twice Graphviz's default density, PDF through a system Graphviz or a one-line error
naming the fix."""

import os
import shutil
import struct
from pathlib import Path

import pytest
from graphviz.backend import dot_command

import autograd
from autograd import viz
from autograd.viz import executable, export


def graph():
    a = autograd.tensor(2.0, requires_grad=True)
    e = (a + 1) * a
    e.backward()
    return viz.draw_graph(e)


def png_width(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]


def test_png_is_drawn_at_twice_the_default_density(tmp_path):
    g = graph()
    points = float(g.pipe(format="svg", quiet=True).decode().split('<svg width="')[1].split("pt")[0])
    sharp = png_width(viz.save(g, tmp_path / "g.png"))
    assert sharp >= 2 * points  # 192 dpi: 2.67 pixels per point, 2× Graphviz's default 96 dpi
    assert png_width(viz.save(g, tmp_path / "g1.png", dpi=96)) < 0.6 * sharp
    assert "dpi" not in g.source  # the drawing itself is unchanged


def hide_dot(monkeypatch):
    real = shutil.which

    def which(cmd, mode=os.F_OK | os.X_OK, path=None):
        return None if Path(str(cmd)).name == "dot" else real(cmd, mode, path)

    monkeypatch.setattr(executable.shutil, "which", which)
    monkeypatch.setattr(dot_command, "DOT_BINARY", Path("dot"))


def test_pdf_without_a_system_graphviz_is_a_one_line_error_naming_the_fix(tmp_path, monkeypatch):
    hide_dot(monkeypatch)
    with pytest.raises(viz.GraphvizNotFoundError) as info:
        viz.save(graph(), tmp_path / "g.pdf")
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"save: {str(tmp_path / 'g.pdf')!r}: writing .pdf needs a "
                                                      "system Graphviz")
    assert "install Graphviz (apt install graphviz" in message and message.endswith("or write .svg or .png")
    assert not (tmp_path / "g.pdf").exists()


def test_pdf_goes_through_a_system_dot(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "dot"  # stands in for a system Graphviz: lists pdf, writes a PDF header
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nfor a in "$@"; do [ "$a" = "-T?" ] && { echo \'Format: "?" not recognized. Use one '
                    'of: dot pdf png svg\' >&2; exit 1; }; done\ncat > /dev/null\nprintf "%%PDF-1.7 fake"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(dot_command, "DOT_BINARY", Path("dot"))
    assert export.renderer_formats() == (str(fake), frozenset({"dot", "pdf", "png", "svg"}))
    assert viz.save(graph(), tmp_path / "g.pdf").read_bytes() == b"%PDF-1.7 fake"


def test_unknown_formats_and_missing_extensions(tmp_path):
    with pytest.raises(ValueError, match=r"cannot write \.nope; use \.svg, \.png or \.dot"):
        viz.save(graph(), tmp_path / "g.nope")
    with pytest.raises(ValueError, match="no extension"):
        viz.save(graph(), tmp_path / "g")


def test_the_docs_figures_are_current():
    """docs/*.svg are what docs/make_figures.py draws now (with graphviz-pure, the renderer that drew them)."""
    if Path(executable.ensure_renderer()).name != "graphviz-pure":
        pytest.skip("the committed figures were drawn by graphviz-pure; another renderer lays out differently")
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "docs" / "make_figures.py"
    spec = importlib.util.spec_from_file_location("make_figures", script)
    make_figures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_figures)
    for name, svg in make_figures.figures().items():
        assert (script.parent / name).read_text(encoding="utf-8") == svg, f"{name} is stale: run {script}"
    assert "∂e/∂c = 2" in (script.parent / "lecture_graph.svg").read_text(encoding="utf-8")
