"""autograd.viz: drawing the graph, the sum over paths (lecture 003), stepping through backward, finding a renderer."""

import math
import os
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from graphviz.backend import dot_command

import autograd
from autograd import viz
from autograd.viz import executable

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _float64():
    autograd.set_default_dtype(autograd.float64)


def leaf(value, name=None):
    t = autograd.tensor(value, requires_grad=True)
    t.name = name
    return t


def lecture_graph():
    """e = (a + b)(b + 1) at a = 2, b = 1, with c = a + b and d = b + 1 (lecture 003)."""
    a, b = leaf(2.0, "a"), leaf(1.0, "b")
    c = a + b
    c.name = "c"
    d = b + 1
    d.name = "d"
    e = c * d
    e.name = "e"
    return a, b, c, d, e


def svg_of(graph):
    return ET.fromstring(graph.pipe(format="svg", quiet=True))


def groups(root, cls):
    """(title, text lines) of each SVG group of a class ("node", "edge", "cluster"), in document order."""
    return [(g.find(SVG + "title").text, [t.text for t in g.iter(SVG + "text")])
            for g in root.iter(SVG + "g") if g.get("class") == cls]


def texts(root, cls):
    """The text lines of each SVG group of a class, keyed by the group's title (node and cluster titles are ids)."""
    return dict(groups(root, cls))


def edge_labels(root):
    return sorted(line for _, lines in groups(root, "edge") for line in lines)


# ---- the lecture's figure ------------------------------------------------------------------------------------------
def test_lecture_graph_shows_values_grads_and_local_derivatives():
    a, b, c, d, e = lecture_graph()
    e.backward()
    svg = svg_of(viz.draw_graph(e))
    nodes = texts(svg, "node")
    labels = [line for lines in nodes.values() for line in lines]
    for expected in ["a", "data 2", "∂e/∂a = 2", "b", "data 1", "∂e/∂b = 5", "c", "data 3", "∂e/∂c = 2", "d",
                     "∂e/∂d = 3", "e", "data 6", "∂e/∂e = 1", "+", "·"]:
        assert expected in labels
    # The constant 1 of b + 1 is a node of its own.
    assert any(title.startswith("c") and lines == ["1"] for title, lines in nodes.items())
    # Edge labels: ∂c/∂a = 1, ∂c/∂b = 1, ∂d/∂b = 1, ∂e/∂c = d = 2, ∂e/∂d = c = 3.
    assert edge_labels(svg) == ["1", "1", "1", "2", "3"]


def test_local_derivatives_of_x_times_x_are_one_per_edge():
    x = leaf(3.0, "x")
    y = x * x
    assert edge_labels(svg_of(viz.draw_graph(y))) == ["3", "3"]  # ∂(ab)/∂a = b = x, twice
    assert sum(p.value for p in viz.paths(y, x)) == 6.0


def test_op_symbols_and_array_labels():
    w, x = leaf(np.ones((3, 4)), "W"), autograd.tensor(np.ones((4, 2)))
    loss = (w @ x).tanh().exp().sum()
    loss.backward()
    source = viz.draw_graph(loss).source
    for expected in ["matmul", "tanh", "exp", "sum", "(3, 4) float64", "‖∂out/∂W‖ = "]:
        assert expected in source
    assert "label=" not in "".join(line for line in source.splitlines() if "->" in line)  # no scalar derivatives
    assert [viz.op_symbol(n) for n in (autograd.ops.arithmetic.Sub(), autograd.ops.arithmetic.Div())] == ["−", "÷"]


def test_number_backward_and_no_data_or_grad():
    *_, e = lecture_graph()
    e.backward()
    source = viz.draw_graph(e, number_backward=True, show_data=False, show_grad=False).source
    assert "#1  ·" in source and "#3  +" in source
    assert "data" not in source and "∂" not in source


# ---- the sum over paths ---------------------------------------------------------------------------------------------
def test_paths_of_the_lecture_graph():
    a, b, c, d, e = lecture_graph()
    e.backward()
    from_b = viz.paths(e, b)
    assert [[t.name for t in p.nodes] for p in from_b] == [["b", "c", "e"], ["b", "d", "e"]]
    assert [p.value for p in from_b] == [2.0, 3.0]
    assert sum(p.value for p in from_b) == b.grad.item() == 5.0
    assert [p.value for p in viz.paths(e, a)] == [2.0]
    assert "1 × 2 = 2" in str(from_b[0])


def random_op(op, x, y):
    if op == 0:
        return x + y
    if op == 1:
        return x * y
    if op == 2:
        return x.tanh()
    if op == 3:
        return (x * 0.5).exp()
    if op == 4:
        return x - y
    if op == 5:
        return x.sin() * 2.0
    return x * x


def random_graph(rng, n_leaves=3, n_ops=10):
    leaves = [leaf(float(v)) for v in rng.uniform(-1, 1, n_leaves)]
    pool = list(leaves)
    for _ in range(n_ops):
        x, y = pool[rng.integers(len(pool))], pool[max(0, len(pool) - 1 - rng.integers(3))]
        pool.append(random_op(int(rng.integers(7)), x, y))
    return leaves, pool[-1] + pool[-2]


@pytest.mark.parametrize("seed", range(20))
def test_paths_sum_to_the_gradient_on_random_graphs(seed):
    leaves, out = random_graph(np.random.default_rng(seed))
    grads = autograd.grad(out, leaves, allow_unused=True)
    for x, g in zip(leaves, grads):
        total = sum(p.value for p in viz.paths(out, x))
        np.testing.assert_allclose(total, 0.0 if g is None else g.item(), rtol=1e-12, atol=1e-12)


def test_path_stats_counts_exponentially_many_paths_without_listing_them():
    x = leaf(1.0, "x")
    y = x
    for _ in range(200):  # y = y·y: each layer doubles the paths and adds 2 edges
        y = y * y
    stats = viz.path_stats(y)
    assert stats.paths == 2**200 and stats.edges == 400 and stats.ops == 200
    assert stats.per_input == ((x, 2**200),)
    small = x
    for _ in range(5):
        small = small * small
    assert len(viz.paths(small, x)) == viz.path_stats(small).paths == 32
    with pytest.raises(ValueError, match="path_stats"):
        viz.paths(y, x, max_paths=1000)


def test_paths_on_a_50k_deep_chain_without_recursion_or_quadratic_copies():
    x = leaf(np.ones(2), "x")  # arrays: no local derivatives to compute, so this is the walk alone
    y = x
    for _ in range(50_000):
        y = y * 1.0001
    stats = viz.path_stats(y)
    assert (stats.paths, stats.edges, stats.ops) == (1, 50_000, 50_000) and stats.per_input == ((x, 1),)
    (path,) = viz.paths(y, x)
    assert len(path.nodes) == 50_001 and len(path.ops) == 50_000 and path.nodes[0] is x and path.nodes[-1] is y
    assert path.ops[-1] is y.grad_fn and all(t.grad_fn is op for t, op in zip(path.nodes[1:], path.ops))
    assert path.factors is None and path.value is None
    assert viz.paths(y, path.nodes[25_000])[0].ops == path.ops[25_000:]  # from an intermediate tensor
    s = leaf(1.0, "s")  # on numbers, each of the 2,000 steps has its factor
    t = s
    for _ in range(2_000):
        t = t * 1.0001
    (path,) = viz.paths(t, s)
    assert path.factors == (1.0001,) * 2_000 and path.value == math.prod(path.factors)


def diamonds(x, n):
    """h -> h/2 + h/2, n times: 2**n paths, 4n edges (notebook 01's diamonds)."""
    h = x
    for _ in range(n):
        h = 0.5 * h + 0.5 * h
    return h


def test_too_many_paths_raise_before_any_is_listed():
    x = leaf(1.0, "x")
    h = diamonds(x, 2_000)
    stats = viz.path_stats(h, [x])
    assert stats.paths == 2**2_000 and stats.edges == 8_000
    with pytest.raises(ValueError, match=f"paths: {2**2_000:,} paths .* max_paths=100,000; path_stats"):
        viz.paths(h, x)
    small = diamonds(x, 10)
    assert len(viz.paths(small, x, max_paths=1024)) == 1024  # the limit itself is allowed
    with pytest.raises(ValueError, match="1,024 paths .* max_paths=1,023"):
        viz.paths(small, x, max_paths=1023)
    assert viz.paths(small, leaf(1.0)) == []  # no path from an unrelated tensor
    (only,) = viz.paths(small, small)  # the output itself: one path of no steps
    assert only.nodes == (small,) and only.ops == () and only.value == 1


def test_paths_and_steps_follow_the_recorded_producer_after_an_in_place_op():
    a = leaf(2.0, "a")
    x = a * 2
    y = x * 3  # uses x before the in-place change ...
    x.add_(1)
    z = y + x  # ... and after it: ∂z/∂a = 2·3 + 2·1 = 8
    z.backward()
    assert sorted(p.value for p in viz.paths(z, a)) == [2.0, 6.0] and a.grad.item() == 8.0
    assert viz.path_stats(z).per_input == ((a, 2),)
    assert list(viz.backward_steps(z))[-1].adjoint(a) == 8.0


# ---- backward one step at a time -----------------------------------------------------------------------------------
def test_backward_steps_on_the_lecture_graph_leave_grads_alone():
    a, b, c, d, e = lecture_graph()
    steps = list(viz.backward_steps(e))
    assert [s.node for s in steps] == [e.grad_fn, d.grad_fn, c.grad_fn]
    assert steps[0].adjoint(c) == 2.0 and steps[0].adjoint(d) == 3.0 and steps[0].adjoint(b) is None
    assert steps[1].adjoint(b) == 3.0 and steps[2].adjoint(b) == 5.0 and steps[2].adjoint(a) == 2.0
    assert len(steps[0].adjoints) == 3 and len(steps[-1].adjoints) == 5  # e, c, d; then b and a
    assert list(steps[0].adjoints) == [viz.explain.tensor_key(t) for t in (e, c, d)]
    assert a.grad is None and b.grad is None  # the real graph is untouched ...
    e.backward()  # ... and still works, and stepping works after backward freed the saved tensors
    assert [s.adjoint(b) for s in viz.backward_steps(e)][-1] == b.grad.item()


@pytest.mark.parametrize("seed", range(5))
def test_backward_steps_end_at_the_gradients(seed):
    leaves, out = random_graph(np.random.default_rng(100 + seed))
    grads = autograd.grad(out, leaves, allow_unused=True, retain_graph=True)
    last = list(viz.backward_steps(out))[-1]
    for x, g in zip(leaves, grads):
        got = last.adjoint(x)
        np.testing.assert_allclose(0.0 if got is None else got, 0.0 if g is None else g.item(), rtol=1e-12)


def test_highlight_a_step():
    *_, e = lecture_graph()
    first = next(viz.backward_steps(e))
    source = viz.draw_graph(e, highlight=first).source
    assert "gold" in source  # the op of this step
    assert "∂e/∂a = ?" in source and "∂e/∂b = ?" in source  # no adjoint yet
    assert "∂e/∂c = 2" in source and "∂e/∂d = 3" in source  # c and d just got theirs
    svg_of(viz.draw_graph(e, highlight=first))  # renders


# ---- determinism, size ---------------------------------------------------------------------------------------------
def test_same_graph_same_bytes():
    *_, e1 = lecture_graph()
    *_, e2 = lecture_graph()
    first = viz.draw_graph(e1).pipe(format="svg", quiet=True)
    assert viz.draw_graph(e1).pipe(format="svg", quiet=True) == first
    assert viz.draw_graph(e2).pipe(format="svg", quiet=True) == first  # built separately


def chain(n_steps):
    xs = [leaf(0.1 * i) for i in range(4)]
    for _ in range(n_steps):
        xs.append((xs[-1] * xs[-3]).tanh() + xs[-4] * 0.5)
    return xs[-1]


def test_a_3000_node_graph_renders_in_seconds():
    y = chain(340)
    start = time.perf_counter()
    graph = viz.draw_graph(y)
    svg = svg_of(graph)
    seconds = time.perf_counter() - start
    drawn = len(texts(svg, "node"))
    print(f"\n{drawn} nodes drawn and rendered in {seconds:.2f} s")
    assert drawn >= 3000
    assert seconds < 20


def test_max_nodes_truncates_with_a_note():
    y = chain(100)
    svg = svg_of(viz.draw_graph(y, max_nodes=50))
    nodes = texts(svg, "node")
    assert 40 <= len(nodes) <= 51  # 50 and the note
    note = nodes["more"]
    assert any("more ops not drawn" in line for line in note) and any("max_nodes=50" in line for line in note)
    assert any(title.startswith("more->") for title in texts(svg, "edge"))


# ---- modules -------------------------------------------------------------------------------------------------------
class Stand:
    """A stand-in for nn.Module: enters graph_scope around its ops and lists its submodules."""

    def __init__(self, **children):
        self.children = children

    def named_modules(self):
        yield "", self
        yield from self.children.items()


class Lin(Stand):
    pass


class Act(Stand):
    pass


def stand_in_model():
    lin, act = Lin(), Act()
    model = Stand(lin=lin, act=act)
    x, w = autograd.tensor(np.ones((2, 3))), leaf(np.ones((3, 3)), "w")
    with autograd.graph_scope(model):
        with autograd.graph_scope(lin):
            h = x @ w + 1.0
        with autograd.graph_scope(act):
            h = h.tanh()
    return model, (h * h).sum()


def test_modules_are_drawn_as_labelled_clusters():
    model, loss = stand_in_model()
    svg = svg_of(viz.draw_graph(loss, module=model, collapse_modules=False))
    clusters = texts(svg, "cluster")
    assert clusters["cluster_lin"] == ["lin: Lin"] and clusters["cluster_act"] == ["act: Act"]
    assert "cluster_" not in clusters  # the root model is the whole picture, not a box


def test_collapsed_modules_are_one_box_each():
    model, loss = stand_in_model()
    graph = viz.draw_graph(loss, module=model, collapse_modules=True)
    nodes = texts(svg_of(graph), "node")
    assert nodes["m_lin"] == ["lin", "Lin"] and nodes["m_act"] == ["act", "Act", "tanh"]  # its one op
    assert "m_lin -> m_act" in graph.source
    assert "matmul" not in graph.source and "tanh" not in graph.source.split("m_act [")[0]


def test_real_modules_if_available():
    nn = pytest.importorskip("nn")
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    loss = model(autograd.randn(5, 3)).sum()
    graph = viz.draw_graph(loss, module=model, collapse_modules=False)
    clusters = texts(svg_of(graph), "cluster")
    assert clusters["cluster_0"] == ["0: Linear"] and clusters["cluster_1"] == ["1: ReLU"]
    relu_cluster = graph.source.split("subgraph cluster_1")[1].split("subgraph")[0]
    assert "relu" in relu_cluster and "(5, 4)" in relu_cluster  # the ReLU's output sits with it
    assert "0.weight" in graph.source and "2.bias" in graph.source  # parameters go by their names


# ---- saving, and finding a renderer ---------------------------------------------------------------------------------
def test_save_picks_the_format_from_the_extension(tmp_path):
    *_, e = lecture_graph()
    graph = viz.draw_graph(e)
    ET.parse(viz.save(graph, tmp_path / "e.svg"))
    assert viz.save(graph, tmp_path / "e.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert viz.save(graph, tmp_path / "e.dot").read_text() == graph.source
    with pytest.raises(ValueError, match="extension"):
        viz.save(graph, tmp_path / "e")


def hide(monkeypatch, *names):
    real = shutil.which

    def which(cmd, mode=None, path=None):
        if Path(str(cmd)).name in names:
            return None
        return real(cmd, path=path) if mode is None else real(cmd, mode, path)

    monkeypatch.setattr(executable.shutil, "which", which)


def test_without_system_dot_graphviz_pure_renders(monkeypatch):
    hide(monkeypatch, "dot")
    monkeypatch.setattr(dot_command, "DOT_BINARY", Path("dot"))  # as the graphviz package starts out
    assert Path(viz.find_dot()).name.startswith("graphviz-pure")
    *_, e = lecture_graph()
    svg = viz.draw_graph(e).pipe(format="svg", quiet=True)  # without the lookup: ExecutableNotFound: dot
    assert b"graphviz-pure" in svg
    ET.fromstring(svg)


def test_a_dot_on_path_comes_first(monkeypatch, tmp_path):
    pure = shutil.which("graphviz-pure", path=executable.sysconfig.get_path("scripts")) or shutil.which(
        "graphviz-pure")
    fake = tmp_path / "dot"
    fake.symlink_to(pure)  # stands in for a system Graphviz
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(dot_command, "DOT_BINARY", Path("dot"))
    assert viz.find_dot() == str(fake)
    *_, e = lecture_graph()
    ET.fromstring(viz.draw_graph(e).pipe(format="svg", quiet=True))
    assert dot_command.DOT_BINARY == Path("dot")  # a working dot is left as it is


def test_no_renderer_says_how_to_install_one(monkeypatch):
    hide(monkeypatch, "dot", "graphviz-pure", "graphviz-pure.exe")
    monkeypatch.setattr(dot_command, "DOT_BINARY", Path("dot"))
    with pytest.raises(viz.GraphvizNotFoundError, match="pip install graphviz-pure"):
        viz.find_dot()
    *_, e = lecture_graph()
    with pytest.raises(viz.GraphvizNotFoundError, match="apt install graphviz"):
        viz.draw_graph(e)
