"""autograd.viz step-through: the strip of small graphs, the slider widget and its fallback without ipywidgets, and
how viz objects display."""

import re
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import viz
from autograd.viz import steps as steps_module

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _float64():
    autograd.set_default_dtype(autograd.float64)


def lecture():
    a = autograd.tensor(2.0, requires_grad=True)
    b = autograd.tensor(1.0, requires_grad=True)
    c = a + b
    d = b + 1
    e = c * d
    return locals()


def all_text(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg).iter(SVG + "text") if t.text]


def test_strip_has_one_graph_per_step_and_shows_the_running_sums():
    v = lecture()
    strip = viz.step_strip(v["e"], v)
    assert len(strip) == 3 and strip._repr_svg_() is strip.svg
    lines = all_text(strip.svg)
    assert [x for x in lines if x.startswith("step ")] == ["step 1: backward of ·", "step 2: backward of +",
                                                           "step 3: backward of +"]
    assert lines.count("∂e/∂b = ?") == 1 and "∂e/∂b = 3" in lines and "∂e/∂b = 3 + 2 = 5" in lines
    assert "3 × 1 = 3" in lines and "2 × 1 = 2" in lines  # local derivative × ē on the current op's edges
    ids = re.findall(r'\bid="([^"]*)"', strip.svg)
    assert len(ids) == len(set(ids))  # each small graph's ids made unique


def test_running_sums_end_at_the_final_adjoints():
    autograd.manual_seed(0)
    x = autograd.randn(3, 4)
    W = autograd.randn(4, 2, requires_grad=True)
    h = (x @ W).tanh()
    loss = (h * h).sum() + W.sum()
    frames = steps_module.frames(loss)
    want = autograd.grad(loss, [W, h], retain_graph=True)
    swept = viz.explain.final_adjoints(loss)
    for t, g in zip([W, h], want):
        key = viz.explain.tensor_key(t)
        np.testing.assert_allclose(frames[-1].adjoints[key], g.numpy(), rtol=1e-12)
        np.testing.assert_allclose(swept[key], g.numpy(), rtol=1e-12)
    # W gets its adjoint in two parts: the sum's, then the matmul's; the step in between shows the first
    key = viz.explain.tensor_key(W)
    seen = [f.adjoints.get(key) for f in frames]
    assert seen[0] is None and any(s is not None and not np.allclose(s, want[0].numpy()) for s in seen)


def test_a_folded_reshape_step_lights_its_edge():
    x = autograd.tensor(np.ones((2, 3)), requires_grad=True)
    y = (x.reshape(3, 2) * 2).sum()
    frames = steps_module.frames(y)
    assert [type(s.node).__name__ for s in frames] == ["Sum", "Mul", "Reshape"]
    source = viz.draw_graph(y, highlight=frames[-1]).source
    assert "gold" not in source.replace("goldenrod", "")  # no op node is current ...
    (hot,) = re.findall(r"-> \w+ \[([^\]]*goldenrod[^\]]*)\]", source)  # ... its edge is
    assert "reshape (3, 2)" in hot and "‖ḡ‖ = 4.899" in hot  # what flows back: 2·ones(2, 3), norm 2√6


def test_step_strip_of_a_cnn_with_modules():
    import nn

    autograd.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 2))
    loss = F.cross_entropy(model(autograd.randn(2, 1, 4, 4)), autograd.tensor([0, 1]))
    strip = viz.step_strip(loss, columns=2, scale=0.5)
    assert len(strip) == 5  # cross_entropy, then one frame per layer
    lines = all_text(strip.svg)
    assert "step 1: backward of cross_entropy" in lines and "step 5: backward of conv2d 3×3 s1" in lines


def test_strip_arguments_are_checked(tmp_path):
    v = lecture()
    with pytest.raises(ValueError, match="columns must be at least 1"):
        viz.step_strip(v["e"], columns=0)
    strip = viz.step_strip(v["e"])
    ET.parse(strip.save(tmp_path / "s.svg"))
    with pytest.raises(ValueError, match=r"written as \.svg"):
        strip.save(tmp_path / "s.png")


def test_step_through_falls_back_to_the_strip_without_ipywidgets(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets raises ImportError
    monkeypatch.delitem(sys.modules, "autograd.viz._widget", raising=False)
    v = lecture()
    shown = viz.step_through(v["e"], v)
    assert isinstance(shown, viz.StepStrip) and len(shown) == 3
    assert "∂e/∂b = 3 + 2 = 5" in all_text(shown._repr_svg_())


def test_step_through_widget_when_ipywidgets_is_installed():
    pytest.importorskip("ipywidgets")
    v = lecture()
    w = viz.step_through(v["e"], v)
    assert not isinstance(w, viz.StepStrip) and len(w.steps) == 3
    assert "step 1" in w.caption.value and "gold" in w.picture.value and "∂e/∂b = ?" in w.picture.value
    w.slider.value = 2  # moving the slider draws that step
    assert "step 3" in w.caption.value and "∂e/∂b = 3 + 2 = 5" in w.picture.value
    bundle = w._repr_mimebundle_()
    assert "∂e/∂b = 3 + 2 = 5" in bundle["image/svg+xml"]  # the static strip, for GitHub and nbconvert
    laid_out = viz.step_through(v["e"], v, columns=1, scale=0.5)  # the strip's options, with or without widgets
    assert laid_out.strip().svg == viz.step_strip(v["e"], v, columns=1, scale=0.5).svg


def test_reprs_are_readable():
    v = lecture()
    v["a"].name, v["b"].name, v["e"].name = "a", "b", "e"
    step = next(viz.backward_steps(v["e"]))
    assert repr(step) == "BackwardStep(step 0: MulBackward  ē = 1  → (2, 3))"
    path = viz.paths(v["e"], v["a"])[0]
    assert repr(path) == "GraphPath(a → <()> → e:  1 × 2 = 2)"
    assert repr(viz.path_stats(v["e"])) == "PathStats(paths=3, edges=5, ops=3, per input {b: 2, a: 1})"
    assert repr(viz.step_strip(v["e"])).startswith("StepStrip(3 steps of backward")
    assert repr(v["e"]) == "tensor(6., grad_fn=<MulBackward>)"  # torch's repr
