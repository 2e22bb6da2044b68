"""autograd.viz: a folded reshape chain is drawn as one tensor node, named as the user named it.

``r = x @ V`` with a 1-D ``x`` records matmul on ``x.unsqueeze(0)`` and then a squeeze: the user's ``r`` is the
squeeze's output. Folding the squeeze must not lose the name (nor its shape and adjoint) to the unnamed (1, 4) result.
"""

import xml.etree.ElementTree as ET

import numpy as np

import autograd
from autograd import viz

SVG = "{http://www.w3.org/2000/svg}"


def texts(graph, cls):
    """{title: text lines} of the rendered nodes / edges."""
    root = ET.fromstring(graph.pipe(format="svg", quiet=True))
    return {g.find(SVG + "title").text: [t.text for t in g.iter(SVG + "text")]
            for g in root.iter(SVG + "g") if g.get("class") == cls}


def tensor_fields(graph):
    """{name: fields} of the drawn tensor records."""
    return {lines[0]: lines[1:] for title, lines in texts(graph, "node").items() if title.startswith("t")}


def edge_labels(graph):
    return [" ".join(lines) for lines in texts(graph, "edge").values() if lines]


def one_hidden_layer():
    rng = np.random.default_rng(0)
    x = autograd.tensor(rng.normal(size=4))
    V = autograd.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    r = x @ V
    u = r.tanh()
    L = (u * u).sum()
    L.backward()
    return locals()


def test_the_users_name_wins_over_the_unnamed_tensor_before_a_folded_squeeze():
    v = one_hidden_layer()
    graph = viz.draw_graph(v["L"], names=v)
    fields = tensor_fields(graph)
    assert "r" in fields and fields["r"][0] == "(3,) float64"  # r's own shape, not the matmul's (1, 3)
    u = v["u"].detach().numpy()
    assert np.isclose(float(fields["r"][1].split("= ")[1]), np.linalg.norm(2 * u * (1 - u ** 2)), rtol=1e-3)
    assert not any("reshape" in e for e in edge_labels(graph))  # the squeeze lies before r: not on r's edge
    assert "(1, 3) float64" not in [f[0] for f in fields.values()]


def test_without_a_name_the_reshape_stays_on_the_edge():
    v = one_hidden_layer()
    graph = viz.draw_graph(v["L"])  # no names: r is an anonymous t<k>, drawn as the (1, 3) matmul result
    fields = tensor_fields(graph)
    assert "(1, 3) float64" in [f[0] for f in fields.values()]
    assert "reshape (3,)" in edge_labels(graph)


def test_a_named_input_keeps_its_name_when_its_reshape_is_folded():
    x = autograd.tensor(np.arange(6.0), requires_grad=True)
    y = x.reshape(2, 3)
    z = (y * 2).sum()
    z.backward()
    fields = tensor_fields(viz.draw_graph(z, names={"x": x, "y": y}))
    assert "x" in fields and "y" not in fields  # both named: the first of the chain is drawn, as before
    assert fields["x"][0] == "(6,) float64"
