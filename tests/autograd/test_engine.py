"""The graph and the backward pass: accumulation, fan-out, freeing, in-place safety, hooks, grad modes, higher
order, autograd.grad, custom Functions, anomaly detection, errors."""

import gc
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

import autograd as ag
from autograd import Function, gradcheck, gradgradcheck


def scalar(v, grad=True):
    return ag.tensor(v, dtype=ag.float64, requires_grad=grad)


def test_fan_out_sums_paths_and_grad_accumulates_across_calls():
    x = scalar(3.0)
    y = x * x + x  # x reaches y by three paths
    y.backward()
    assert x.grad.item() == 7.0
    (x * 2).backward()
    assert x.grad.item() == 9.0  # accumulated, like torch


def test_inputs_are_recorded_in_order():
    a, b = scalar(1.0), scalar(2.0)
    out = b - a
    assert out.grad_fn.args[0] is b and out.grad_fn.args[1] is a
    assert isinstance(out.grad_fn.args, tuple)


def test_second_backward_through_freed_graph_is_a_clear_error():
    x = scalar(2.0)
    y = x.exp() * x
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = scalar(2.0)
    y = x.exp() * x
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 2 * (np.exp(2) * 3))


def test_long_chain_has_no_recursion_limit():
    x = ag.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(600_000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0
    assert y.item() == 600_001.0


def test_repeated_steps_do_not_grow_memory():
    w = ag.randn(64, 64, requires_grad=True)
    x = ag.randn(32, 64)

    def step():
        loss = ((x @ w).tanh() @ w).sigmoid().mean()
        loss.backward()
        w.grad = None

    for _ in range(5):
        step()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(50):
        step()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert grown < 200_000, f"memory grew by {grown} bytes over 50 steps"


def test_a_recorded_op_keeps_three_collector_tracked_objects():
    # The cyclic GC's cost grows with the number of objects it tracks, and large scalar graphs are dominated by it:
    # a binary op keeps its output Tensor, its node and the node's one tuple of inputs and edges (its small tuples of
    # constants are shared: function._shared; an empty kwargs dict is not kept). Counted in a fresh interpreter:
    # CPython 3.11 gives a class's instances a dict of their own once many instances set fewer attributes (ops run
    # without recording, in other tests), 4 objects an op instead of 3; measured, that costs no time (0.99 s vs
    # 0.97 s for a 20000-op scalar graph and its backward).
    code = """
import gc
import autograd as ag
x = ag.tensor(1.5, dtype=ag.float64, requires_grad=True)
w = ag.tensor(0.5, dtype=ag.float64, requires_grad=True)
gc.collect()
before = len(gc.get_objects())
y = x
for _ in range(1000):
    y = y * w + x
gc.collect()
print(len(gc.get_objects()) - before)
y.backward()
assert w.grad is not None and x.grad is not None
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    kept = int(out.stdout)
    assert kept <= 3 * 2000 + 50, f"{kept} tracked objects for 2000 recorded ops"


def test_backward_on_non_scalar_needs_gradient():
    x = ag.ones(3, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        y.backward()
    y.backward(ag.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2, 4, 6])


def test_backward_on_tensor_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.ones(2).sum().backward()


def test_broadcast_gradients_reduce_to_input_shape():
    a = ag.ones(2, 1, 3, requires_grad=True)
    b = ag.ones(4, 1, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (2, 1, 3) and b.grad.shape == (4, 1)
    np.testing.assert_allclose(a.grad.numpy(), 4.0)
    np.testing.assert_allclose(b.grad.numpy(), 6.0)


def test_shared_gradients_are_not_aliased_between_leaves():
    a, b = ag.ones(3, requires_grad=True), ag.ones(3, requires_grad=True)
    (a + b).sum().backward()
    a.grad.array *= 10  # an optimiser or a clipping utility writes in place
    np.testing.assert_allclose(b.grad.numpy(), 1.0)


def test_no_grad_records_nothing_and_works_as_decorator():
    x = ag.ones(2, requires_grad=True)
    with ag.no_grad():
        y = x * 2
        with ag.enable_grad():
            z = x * 3
    assert y.grad_fn is None and not y.requires_grad
    assert z.requires_grad

    @ag.no_grad()
    def f(t):
        return t * 2

    assert f(x).grad_fn is None
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_inplace_on_non_leaf_keeps_working_like_torch():
    x = scalar(2.0)
    c = x * 1
    c += c + 1  # c = 2c + 1
    d = x * 3
    d += d * 2 + x  # d = 3d + x = 10x
    assert c.grad_fn.next_functions[0][0].name() == "MulBackward"  # edges point at the old history
    (c + d).backward()
    assert c.item() == 5.0 and d.item() == 20.0
    assert x.grad.item() == 2.0 + 10.0


def test_inplace_on_leaf_requiring_grad_is_an_error_outside_no_grad():
    w = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w += 1
    with ag.no_grad():
        w -= 0.5 * ag.ones(3)
    np.testing.assert_allclose(w.numpy() if not w.requires_grad else w.detach().numpy(), 0.5)
    assert w.is_leaf and w.requires_grad


def test_modifying_a_saved_tensor_is_detected():
    x = scalar(2.0)
    h = x * 1
    y = h * h  # saves h
    h += 1
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*MulBackward"):
        y.backward()


def test_hooks_can_observe_and_replace_gradients():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    h = x * 3
    handle = h.register_hook(lambda g: g * 10)
    h.sum().backward()
    np.testing.assert_allclose(seen[0], [30.0, 30.0])
    np.testing.assert_allclose(x.grad.numpy(), [30.0, 30.0])
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_retain_grad_keeps_non_leaf_grad():
    x = scalar(2.0)
    h = x * x
    h.retain_grad()
    (h * 3).backward()
    assert h.grad.item() == 3.0 and x.grad.item() == 12.0


def test_create_graph_gives_differentiable_gradients():
    x = scalar(1.5)
    y = x**3
    (g,) = ag.grad(y, x, create_graph=True)
    (h,) = ag.grad(g, x, create_graph=True)
    (t,) = ag.grad(h, x)
    assert g.item() == pytest.approx(3 * 1.5**2)
    assert h.item() == pytest.approx(6 * 1.5)
    assert t.item() == pytest.approx(6.0)


def test_grad_does_not_touch_dot_grad_and_reports_unused_inputs():
    x, unused = scalar(1.0), scalar(2.0)
    y = (x * 4).exp()
    (g,) = ag.grad(y, x, retain_graph=True)
    assert x.grad is None
    assert g.item() == pytest.approx(4 * np.exp(4))
    with pytest.raises(RuntimeError, match="not used"):
        ag.grad(y, [x, unused], retain_graph=True)
    assert ag.grad(y, [x, unused], allow_unused=True)[1] is None


def test_grad_with_respect_to_an_intermediate_tensor():
    x = scalar(2.0)
    h = x * 3
    y = h * h
    (gh,) = ag.grad(y, h)
    assert gh.item() == 12.0


def test_custom_function_follows_torch_contract():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return scale * x.array**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return grad * ctx.scale * 3 * x * x, None

    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 24.0])
    assert ag.gradcheck(lambda t: Cube.apply(t, 2.0), (x,))
    assert ag.gradgradcheck(lambda t: Cube.apply(t, 2.0), (x,))


def test_gradcheck_reports_the_worst_mismatch():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            return x.array**2

        @staticmethod
        def backward(ctx, grad):
            return grad * 3.0

    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    with pytest.raises(ag.GradcheckError, match="worst is at"):
        ag.gradcheck(Wrong.apply, (x,))
    assert ag.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


def test_detect_anomaly_names_the_op_in_forward_and_backward():
    x = ag.tensor([-1.0, 1.0], requires_grad=True)
    with ag.detect_anomaly():
        with pytest.raises(RuntimeError, match="Log produced NaN/Inf"):
            x.log()
    y = ag.tensor([0.0, 1.0], requires_grad=True)
    out = y.sqrt().sum()  # forward finite, backward 1/(2·0) = inf
    with ag.detect_anomaly():
        out2 = y.sqrt().sum()
        with pytest.raises(RuntimeError, match=r"(?s)SqrtBackward returned NaN/Inf.*called from.*test_engine.py"):
            out2.backward()
    out.backward()  # outside the context: no check
    assert np.isinf(y.grad.numpy()[0])


def test_shape_errors_name_the_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) are not aligned"):
        ag.ones(2, 3) @ ag.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        ag.ones(2, 3) + ag.ones(4)
    with pytest.raises(RuntimeError, match="reshape: shape"):
        ag.ones(2, 3).reshape(4, 2)


def test_max_min_ties_follow_torch():
    x = ag.tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()  # full reduction: ties share the gradient
    np.testing.assert_allclose(x.grad.numpy(), [0, 0.5, 0.5, 0])
    x.grad = None
    m = ag.tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    values, indices = m.max(dim=1)
    assert indices.tolist() == [1] and values.tolist() == [3.0]
    values.sum().backward()  # with dim: the gradient goes to the returned index
    np.testing.assert_allclose(m.grad.numpy(), [[0, 1, 0]])


def test_log_softmax_and_logsumexp_are_stable_at_large_logits():
    x = ag.tensor([[1e4, 0.0, -1e4]], requires_grad=True)
    ls = x.log_softmax(1)
    assert np.isfinite(ls.numpy() if not ls.requires_grad else ls.detach().numpy()).all()
    ls[0, 0].backward()
    assert np.isfinite(x.grad.numpy()).all()
    assert ag.logsumexp(ag.tensor([1e4, 1e4]), 0).item() == pytest.approx(1e4 + np.log(2))


def test_getitem_with_repeated_indices_scatter_adds():
    x = ag.arange(4.0, requires_grad=True)
    x[[0, 0, 3]].sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2, 0, 0, 1])


def test_comparisons_are_bool_and_not_differentiable():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype == np.bool_ and not m.requires_grad
    assert m.tolist() == [False, True]


# ---- the sweep on arrays (no create_graph) and on Tensors (create_graph) ---------------------------------------------
def test_array_sweep_and_recorded_sweep_give_the_same_gradients():
    """backward() runs the formulas on numpy arrays; create_graph=True runs the same formulas as Tensor ops. Mix ops
    that have an array backward (mul, matmul, tanh, sum, reshape, ...) with ops that only have a Tensor one (sin,
    where, getitem, pow), with broadcasting and fan-out."""
    rng = np.random.default_rng(5)
    x = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((4, 2)), requires_grad=True)
    b = ag.tensor(rng.standard_normal(2), requires_grad=True)

    def f():
        h = (x @ w + b).tanh()
        g = ag.where(h > 0, h.sin(), h ** 2) * h
        return (g[[0, 2, 2]].reshape(-1).softmax(0) * 3 - x.mean()).sum() / x.exp().sum().log()

    f().backward()
    on_arrays = [t.grad.array.copy() for t in (x, w, b)]
    recorded = ag.grad(f(), (x, w, b), create_graph=True)
    for a, r in zip(on_arrays, recorded):
        assert r.requires_grad  # a recorded gradient has a history
        np.testing.assert_allclose(a, r.array, rtol=1e-12, atol=1e-14)


def test_leaf_hook_runs_once_with_the_total_gradient():
    x = scalar(3.0)
    seen = []
    x.register_hook(lambda g: seen.append(g.item()))
    (x * x + x * 2).backward()  # x reaches the output by three paths
    assert seen == [2 * 3.0 + 2.0] and x.grad.item() == 8.0  # once, with the sum, as torch's AccumulateGrad


def test_leaf_gradients_never_alias_the_callers_arrays():
    x = ag.ones(3, dtype=ag.float64, requires_grad=True)
    seed = np.array([1.0, 2.0, 3.0])
    (x + 0.0).backward(seed)  # Add hands the seed through unchanged
    x.grad.array[...] = 0.0
    np.testing.assert_array_equal(seed, [1.0, 2.0, 3.0])
    x.grad = None
    h = x + 0.0
    h.retain_grad()  # keeps the very gradient array that Add then passes on to x
    (h * ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)).sum().backward()
    x.grad.array *= 100
    np.testing.assert_allclose(h.grad.numpy(), [1.0, 2.0, 3.0])
    a, b = ag.ones(2, requires_grad=True), ag.ones(2, requires_grad=True)
    ((a + b) * ag.tensor([2.0, 3.0])).sum().backward()  # one fresh array, handed to both leaves by Add
    a.grad.array[...] = 0.0
    np.testing.assert_allclose(b.grad.numpy(), [2.0, 3.0])


def test_custom_function_gets_tensors_in_either_sweep():
    kinds = []

    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            return x.array * 2

        @staticmethod
        def backward(ctx, grad):
            kinds.append(type(grad))
            return grad * 2

    x = ag.ones(2, dtype=ag.float64, requires_grad=True)
    Twice.apply(x).sum().backward()
    ag.grad(Twice.apply(x).sum(), x, create_graph=True)
    assert kinds == [ag.Tensor, ag.Tensor]
    np.testing.assert_allclose(x.grad.numpy(), 2.0)


def test_forward_returning_a_tensor_with_another_output_number_makes_it_output_zero():
    # A forward may return a tensor it did not make, one that was, say, the second output of another node. As the
    # only output of the new node it is output 0, or the sweep would look for a gradient slot the node does not have.
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    kept = ag.zeros(2, dtype=ag.float64)

    class Thrice(Function):
        @staticmethod
        def forward(ctx, t):
            kept.array = t.array * 3
            kept._output_nr = 1
            return kept

        @staticmethod
        def backward(ctx, grad):
            return grad * 3

    y = Thrice.apply(x)
    assert y is kept and y._output_nr == 0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3.0)


def test_edges_survive_repeated_in_place_rebasing():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    d = x * 2
    e = d * 3  # uses d's first history: 6x
    d += 1
    f = d * 4  # uses the second: 8x + 4
    d *= 5  # the third: 10x + 5
    g = d.detach()
    g.detach_()  # a rebase of a tensor outside the graph changes nothing in it
    (e + f + d).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6.0 + 8.0 + 10.0)
    assert [n[0].name() for n in (e + f).grad_fn.next_functions] == ["MulBackward", "MulBackward"]


def test_nodes_run_newest_first_whatever_order_they_were_built_in():
    x = scalar(2.0)
    a = x * 3  # recorded first, used last
    b = x * x
    c = b * a + a  # a reaches c directly and through the product
    d = c * b
    d.backward()
    # d = (x²·3x + 3x)·x² = 3x⁵ + 3x³ → 15x⁴ + 9x² at x = 2
    assert x.grad.item() == 15 * 16 + 9 * 4


def test_saved_tensor_versions_are_checked_from_the_version_at_saving():
    x = scalar(2.0)
    h = x * 1
    h += 1  # version 1 before it is saved
    y = h * h
    y.backward()  # unchanged since saved: fine
    assert x.grad.item() == 2 * 3.0
    z = h * h
    h += 1  # version 2 after it was saved at version 1
    with pytest.raises(RuntimeError, match="is at version 2; expected version 1"):
        z.backward()


def test_a_fresh_leaf_gradient_is_adopted_not_copied(monkeypatch):
    # engine._own lets a leaf keep the gradient array the sweep made when nothing else references it (a copy of each
    # weight gradient would cost ~8% of the MLP benchmark's step). It decides by reference count; a change in how the
    # sweep holds gradients can silently turn adoption into copies, so check what it sees and what it does.
    import sys
    import types

    from autograd import engine

    counts = []

    def getrefcount(x):  # the count _own would see: minus this function's own reference to x
        counts.append(sys.getrefcount(x) - 1)
        return counts[-1]

    monkeypatch.setattr(engine, "sys", types.SimpleNamespace(getrefcount=getrefcount))
    x = ag.tensor(np.ones((4, 3)), dtype=ag.float64)
    w = ag.tensor(np.ones((3, 2)), dtype=ag.float64, requires_grad=True)
    (x @ w).sum().backward()
    assert counts == [4]  # backward's, _accumulate's and _own's variables, and getrefcount's argument: adopted
    shared = ag.tensor(np.ones(3), dtype=ag.float64, requires_grad=True)
    counts.clear()
    (shared + shared).sum().backward()  # Add hands one array to both inputs: the leaf's sum is fresh, adopted
    assert shared.grad.tolist() == [2.0, 2.0, 2.0]


def test_gradcheck_handles_empty_outputs_and_inputs():
    x = ag.tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    assert gradcheck(lambda x: x[:, :0] * 2, (x,), check_forward_ad=True)
    assert gradgradcheck(lambda x: x[:, :0] * 2, (x,))
    e = ag.zeros(0, dtype=ag.float64, requires_grad=True)
    assert gradcheck(lambda e: e * 2, (e,), check_forward_ad=True)


def test_a_zero_dim_tensor_index_gives_a_zero_dim_result():
    x = ag.arange(5.0, requires_grad=True)
    y = x[ag.tensor(3)]
    assert y.shape == () and y.item() == 3.0
    y.backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 1.0, 0.0]


def test_a_function_whose_forward_returns_none_returns_none():
    class Nothing(Function):
        @staticmethod
        def forward(ctx, x):
            return None

        @staticmethod
        def backward(ctx, g):
            return g

    assert Nothing.apply(ag.ones(2, requires_grad=True)) is None
