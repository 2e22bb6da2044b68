"""autograd.viz labels: ops are labelled with their maths, never reprs; reshape-like ops fold into their edge; model
graphs collapse to one box per top-level Module, with expand to open one."""

import collections
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import viz

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _float64():
    autograd.set_default_dtype(autograd.float64)


def rendered(graph):
    return ET.fromstring(graph.pipe(format="svg", quiet=True))


def texts(graph, cls):
    """{title: text lines} of the rendered nodes / clusters / edges."""
    return {g.find(SVG + "title").text: [t.text for t in g.iter(SVG + "text")]
            for g in rendered(graph).iter(SVG + "g") if g.get("class") == cls}


def op_labels(graph):
    return [" ".join(lines) for title, lines in texts(graph, "node").items() if title.startswith("op")]


def cnn_loss(**conv):
    autograd.manual_seed(0)
    x = autograd.randn(2, 2, 6, 6)
    w = autograd.randn(4, 2 // conv.get("groups", 1), 3, 3, requires_grad=True)
    h = F.max_pool2d(F.relu(F.conv2d(x, w, **conv)), 2)
    logits = F.linear(h.flatten(1), autograd.randn(3, h[0].numel(), requires_grad=True))
    return F.cross_entropy(logits, autograd.tensor([0, 2]))


def test_op_labels_are_the_maths():
    labels = op_labels(viz.draw_graph(cnn_loss(padding=1)))
    assert labels == ["cross_entropy", "linear", "max_pool 2×2", "relu", "conv2d 3×3 s1 p1"]
    assert op_labels(viz.draw_graph(cnn_loss(stride=2, groups=2))) == [
        "cross_entropy", "linear", "max_pool 2×2", "relu", "conv2d 3×3 s2 g2"]


def test_no_reprs_in_any_label():
    loss = cnn_loss(padding=1, groups=2)
    loss.backward()
    for graph in (viz.draw_graph(loss), viz.draw_graph(loss, show_reshapes=True)):
        nodes = texts(graph, "node")
        assert len(nodes) == len(set(nodes))
        everything = [line for lines in [*nodes.values(), *texts(graph, "edge").values()] for line in lines]
        for line in everything:
            assert not any(bad in line for bad in ("array(", "Geometry", "groups=", "index=", "kernel=")), line
        for label in op_labels(graph):
            assert "=" not in label, label
        assert "2" not in [" ".join(lines) for t, lines in nodes.items() if t.startswith("c")]  # groups: no node


def test_settings_read_as_words_and_operand_numbers_stay_nodes():
    x = autograd.tensor(np.ones((2, 3)), requires_grad=True)
    y = (x.sum(1, keepdim=True) ** 2).softmax(0) * 3.0
    graph = viz.draw_graph(y)
    assert op_labels(graph) == ["·", "softmax dim 0", "^", "sum dim 1 keepdim"]
    constants = sorted(" ".join(lines) for t, lines in texts(graph, "node").items() if t.startswith("c"))
    assert constants == ["2", "3"]  # the exponent and the factor: operands of the maths


def test_op_label_of_an_index():
    x = autograd.tensor(np.ones((4, 5)), requires_grad=True)
    assert viz.op_label(x[1:3, 2].grad_fn) == "[1:3, 2]"
    assert viz.op_label(x[autograd.tensor([0, 2])].grad_fn) == "[…]"


def test_reshapes_fold_into_their_edge():
    a = autograd.tensor(np.arange(6.0), requires_grad=True)
    b = autograd.tensor(np.ones((3, 2)), requires_grad=True)
    y = (a.reshape(2, 3).t() * b).unsqueeze(0).sum()
    y.backward()
    folded, shown = viz.draw_graph(y), viz.draw_graph(y, show_reshapes=True)
    assert len(texts(folded, "node")) == len(texts(shown, "node")) - 6  # 3 ops and their 3 outputs
    assert op_labels(folded) == ["sum", "·"]
    assert op_labels(shown) == ["sum", "reshape (1, 3, 2)", "·", "permute (1, 0)", "reshape (2, 3)"]
    edges = [" ".join(lines) for lines in texts(folded, "edge").values()]
    assert "reshape (2, 3) permute (1, 0)" in edges and "reshape (1, 3, 2)" in edges
    assert "‖∂out/∂t" in folded.source and "‖∂out/∂t" in shown.source  # adjoints on both


def test_a_reshape_that_is_the_output_is_drawn():
    x = autograd.tensor(np.ones((2, 2)), requires_grad=True)
    y = (x * 2).reshape(4)
    assert op_labels(viz.draw_graph(y)) == ["reshape (4,)", "·"]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(8, 3))

    def forward(self, x):
        return self.classifier(self.features(x))


def net_loss():
    autograd.manual_seed(0)
    net = Net()
    x = autograd.randn(2, 1, 4, 4)
    loss = nn.CrossEntropyLoss()(net(x), autograd.tensor([0, 1]))
    loss.backward()
    return net, x, loss


def test_model_graphs_collapse_to_top_level_modules():
    net, x, loss = net_loss()
    graph = viz.draw_graph(loss, {"x": x, "loss": loss})  # the model found from the recorded Modules
    nodes = texts(graph, "node")
    assert nodes["m_features"] == ["features", "Sequential"] and nodes["m_classifier"] == ["classifier", "Sequential"]
    assert nodes["m_CrossEntropyLoss"] == ["CrossEntropyLoss", "cross_entropy"]  # a module outside the model
    assert sorted(nodes) == ["m_CrossEntropyLoss", "m_classifier", "m_features", "t0", "t1"]  # no dropout mask
    edges = texts(graph, "edge")
    assert edges["m_features->m_classifier"][0] == "(2, 2, 2, 2)" and edges["m_features->m_classifier"][1].startswith(
        "‖ḡ‖ = ")
    assert "t1->m_features" in edges and "m_CrossEntropyLoss->t0" in edges
    assert viz.draw_graph(loss, module=net).source.count("box3d") == 3


def test_expand_opens_a_module():
    net, x, loss = net_loss()
    graph = viz.draw_graph(loss, {"x": x}, expand=["features"])
    nodes, clusters = texts(graph, "node"), texts(graph, "cluster")
    assert clusters["cluster_features"] == ["features: Sequential"]
    assert nodes["m_features.0"] == ["features.0", "Conv2d", "conv2d 3×3 s1 p1"]
    assert nodes["m_features.2"] == ["features.2", "MaxPool2d", "max_pool 2×2"] and "m_classifier" in nodes
    assert "m_features" not in nodes
    deeper = texts(viz.draw_graph(loss, expand=["features.0"]), "node")
    assert "op" in "".join(deeper) and any(lines[0] == "features.0.weight" for lines in deeper.values())
    with pytest.raises(ValueError, match="expand names no Module of this graph: 'featurs'; the Modules are "
                                         "'features', 'features.0'"):
        viz.draw_graph(loss, expand=["featurs"])


def test_not_collapsed_every_op_is_drawn_in_its_module():
    net, x, loss = net_loss()
    graph = viz.draw_graph(loss, collapse_modules=False)
    clusters = texts(graph, "cluster")
    assert clusters["cluster_features.0"] == ["features.0: Conv2d"] and "cluster_classifier" in clusters
    assert "conv2d 3×3 s1 p1" in op_labels(graph) and "box3d" not in graph.source


def test_sequential_of_named_layers():
    model = nn.Sequential(collections.OrderedDict(conv=nn.Conv2d(1, 1, 2), act=nn.Tanh()))
    y = model(autograd.randn(1, 1, 3, 3)).sum()
    assert {"m_conv", "m_act"} <= set(texts(viz.draw_graph(y), "node"))


def test_class_names_with_acronyms_read_as_words():
    import nn
    from autograd.viz.labels import op_symbol

    out, _ = nn.RNN(2, 3)(autograd.ones(4, 1, 2, requires_grad=True))
    node = out.grad_fn
    while node is not None and "RNN" not in type(node).__name__:
        node = next((f for f, _ in node.next_functions if f is not None), None)
    assert node is not None and op_symbol(node).startswith("rnn_")
