"""autograd.viz.draw_graph after backward: every drawn tensor shows its adjoint ∂out/∂t, equal to autograd.grad; the
names come from the user's variables."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import viz

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _float64():
    autograd.set_default_dtype(autograd.float64)


def node_fields(graph):
    """The text lines of each node in the rendered SVG."""
    root = ET.fromstring(graph.pipe(format="svg", quiet=True))
    return [[t.text for t in g.iter(SVG + "text")] for g in root.iter(SVG + "g") if g.get("class") == "node"]


def drawn_adjoints(graph, out):
    """{tensor name: (shown number, is it a norm)} from the ∂out/∂name fields of the drawing."""
    found = {}
    for lines in node_fields(graph):
        for line in lines:
            m = re.fullmatch(rf"(‖)?∂{re.escape(out)}/∂(.+?)(‖)? = (\S+)", line or "")
            if m:
                found[m.group(2)] = (float(m.group(4)), m.group(1) is not None)
    return found


def assert_adjoints_match(graph, out_name, out, named):
    """Every named tensor's drawn adjoint is autograd.grad(out, tensor) to the 4 digits shown."""
    drawn = drawn_adjoints(graph, out_name)
    grads = autograd.grad(out, list(named.values()), retain_graph=True, allow_unused=True)
    for (name, t), g in zip(named.items(), grads):
        assert name in drawn, f"{name} has no adjoint drawn; drawn: {sorted(drawn)}"
        value, is_norm = drawn[name]
        want = np.linalg.norm(g.numpy()) if t.numel() > 1 else g.item()
        assert is_norm == (t.numel() > 1)
        assert value == pytest.approx(want, rel=6e-4, abs=1e-12), name


def lecture():
    a = autograd.tensor(2.0, requires_grad=True)
    b = autograd.tensor(1.0, requires_grad=True)
    c = a + b
    d = b + 1
    e = c * d
    return locals()


def test_lecture_graph_shows_every_adjoint_by_the_users_names():
    v = lecture()
    v["e"].backward(retain_graph=True)  # (to compare with autograd.grad below)
    graph = viz.draw_graph(v["e"], names=v)
    assert drawn_adjoints(graph, "e") == {"e": (1.0, False), "c": (2.0, False), "d": (3.0, False),
                                          "b": (5.0, False), "a": (2.0, False)}
    assert_adjoints_match(graph, "e", v["e"], {k: v[k] for k in "abcd"})
    assert v["c"].grad is None and v["d"].grad is None  # computed by the drawing: nothing retained on the graph


def test_adjoints_are_computed_by_the_drawing_after_backward_freed_the_graph():
    v = lecture()
    v["e"].backward()  # frees the saved tensors
    with pytest.raises(RuntimeError, match="second time"):
        v["e"].backward()
    assert drawn_adjoints(viz.draw_graph(v["e"], v), "e")["c"] == (2.0, False)
    assert v["a"].grad.item() == 2.0 and v["b"].grad.item() == 5.0  # .grad untouched by drawing


def test_adjoints_only_once_backward_ran_unless_asked():
    v = lecture()
    assert drawn_adjoints(viz.draw_graph(v["e"], v), "e") == {}
    assert drawn_adjoints(viz.draw_graph(v["e"], v, show_grad=True), "e")["b"] == (5.0, False)
    v["e"].backward(retain_graph=True)
    assert drawn_adjoints(viz.draw_graph(v["e"], v), "e")["b"] == (5.0, False)
    assert drawn_adjoints(viz.draw_graph(v["e"], v, show_grad=False), "e") == {}


def mlp():
    rng = np.random.default_rng(0)
    x = autograd.tensor(rng.normal(size=(5, 3)))
    W1 = autograd.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    b1 = autograd.tensor(rng.normal(size=4), requires_grad=True)
    W2 = autograd.tensor(rng.normal(size=(4, 1)), requires_grad=True)
    h = x @ W1 + b1
    z = h.tanh()
    out = z @ W2
    loss = (out * out).mean()
    return locals()


def test_mlp_adjoints_equal_autograd_grad():
    v = mlp()
    v["loss"].backward(retain_graph=True)
    graph = viz.draw_graph(v["loss"], names=v)
    assert_adjoints_match(graph, "loss", v["loss"], {k: v[k] for k in ("W1", "b1", "W2", "h", "z", "out")})
    assert "x" in [line for lines in node_fields(graph) for line in lines]  # drawn, without an adjoint
    assert "x" not in drawn_adjoints(graph, "loss")


def cnn():
    autograd.manual_seed(0)
    x = autograd.randn(2, 1, 6, 6)
    w = autograd.randn(3, 1, 3, 3, requires_grad=True)
    bias = autograd.randn(3, requires_grad=True)
    W = autograd.randn(4, 27, requires_grad=True)
    conv = F.conv2d(x, w, bias, padding=1)
    act = F.relu(conv)
    pooled = F.max_pool2d(act, 2)
    flat = pooled.flatten(1)
    logits = F.linear(flat, W)
    loss = F.cross_entropy(logits, autograd.tensor([1, 3]))
    return locals()


def test_cnn_adjoints_equal_autograd_grad():
    v = cnn()
    v["loss"].backward(retain_graph=True)
    graph = viz.draw_graph(v["loss"], names=v)
    assert_adjoints_match(graph, "loss", v["loss"], {k: v[k] for k in ("w", "bias", "W", "conv", "act", "pooled",
                                                                       "logits")})
    assert "flat" not in drawn_adjoints(graph, "loss")  # the flatten is folded into an edge


def test_the_drawn_sweep_matches_autograd_grad_to_the_last_bit():
    v = cnn()
    named = {k: v[k] for k in ("w", "bias", "W", "conv", "act", "pooled", "flat", "logits")}
    grads = autograd.grad(v["loss"], list(named.values()), retain_graph=True)
    swept = viz.explain.final_adjoints(v["loss"])
    for t, g in zip(named.values(), grads):
        np.testing.assert_allclose(swept[viz.explain.tensor_key(t)], g.numpy(), rtol=1e-12, atol=1e-15)


def test_names_from_a_mapping_either_way_and_fallbacks():
    v = lecture()
    v["e"].backward()
    a, c = v["a"], v["c"]
    c.name = "from_attribute"
    fields = [line for lines in node_fields(viz.draw_graph(v["e"], {a: "alpha", "_": v["b"]})) for line in lines]
    assert "alpha" in fields and "from_attribute" in fields  # tensor -> name, and .name
    assert "_" not in fields and "out" in fields  # underscore names (IPython's _, _1) skipped; the root is "out"
    assert "∂out/∂alpha = 2" in fields and any(re.fullmatch(r"t\d+", f or "") for f in fields)  # b: an id
    with pytest.raises(TypeError, match="names must be a mapping"):
        viz.draw_graph(v["e"], ["a", "b"])


def test_the_first_name_in_the_mapping_wins():
    v = lecture()
    v["e"].backward()
    fields = [line for lines in node_fields(viz.draw_graph(v["e"], {"a": v["a"], "alias": v["a"]}))
              for line in lines]
    assert "a" in fields and "alias" not in fields
