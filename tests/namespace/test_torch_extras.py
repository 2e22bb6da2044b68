"""The smaller torch names the namespace needed: Tensor.unfold (a view, with its gradient), vmap, checkpoint,
bincount, broadcast_tensors, finfo/iinfo, set_printoptions, strides and legacy type names."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
import pathgrad as torch
from autograd import gradcheck, gradgradcheck
from autograd.checkpoint import checkpoint, checkpoint_sequential
from autograd.printing import set_printoptions


def leaf(*shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=ag.float64, requires_grad=True)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(n=st.integers(1, 7), m=st.integers(1, 4), size=st.integers(1, 4), step=st.integers(1, 3), dim=st.integers(0, 1))
def test_unfold_gradients(n, m, size, step, dim):
    x = leaf(n, m)
    size = min(size, x.shape[dim])
    f = lambda x: x.unfold(dim, size, step) * 1.5  # noqa: E731
    assert gradcheck(f, (x,), check_forward_ad=True)
    assert gradgradcheck(f, (x,))
    assert gradcheck(lambda x: x.t().unfold(1 - dim, size, step), (x,))  # a non-contiguous input


def test_unfold_values_view_and_in_place():
    a = ag.arange(10.0).reshape(2, 5)
    u = a.unfold(1, 2, 2)
    assert u.shape == (2, 2, 2) and u.tolist() == [[[0, 1], [2, 3]], [[5, 6], [7, 8]]]
    assert np.shares_memory(u.array, a.array) and u._base is a._base
    u[0, 0, 0] = 100.0  # writes through to the base
    assert a[0, 0].item() == 100.0
    x = leaf(6)
    y = x.clone()
    w = y.unfold(0, 2, 2)  # non-overlapping windows: an in-place op on them is well defined
    w.mul_(3)
    y.sum().backward()
    assert x.grad.tolist() == [3.0] * 6
    with pytest.raises(RuntimeError, match="maximum size for tensor at dimension 0 is 6 but size is 7"):
        x.unfold(0, 7, 1)
    with pytest.raises(RuntimeError, match="step is 0"):
        x.unfold(0, 2, 0)


def test_overlapping_windows_add_their_gradients():
    x = leaf(5)
    x.unfold(0, 3, 1).sum().backward()  # element i is in min(i+1, 3, 5-i) windows
    assert x.grad.tolist() == [1.0, 2.0, 3.0, 2.0, 1.0]


def test_vmap_maps_and_differentiates():
    x, w = leaf(4, 3), leaf(3, seed=1)
    out = ag.vmap(lambda row, w: (row * w).sum(), in_dims=(0, None))(x, w)
    assert np.allclose(out.array, x.array @ w.array)
    out.sum().backward()
    assert np.allclose(w.grad.array, x.array.sum(0))
    pair = ag.vmap(lambda r: (r.sum(), r * 2), out_dims=(0, 1))(x)
    assert pair[0].shape == (4,) and pair[1].shape == (3, 4)
    with pytest.raises(ValueError, match="same size in the mapped dimension, got sizes \\[3, 4\\]"):
        ag.vmap(lambda a, b: a + b)(x, leaf(3, 3))
    with pytest.raises(ValueError, match="in_dims has 1 entries"):
        ag.vmap(lambda a, b: a + b, in_dims=(0,))(x, x)


def test_checkpoint_gives_the_same_gradients_with_dropout():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(0.3), nn.Linear(8, 2))
    x = ag.randn(5, 4, requires_grad=True)

    def grads(run):
        model.zero_grad()
        x.grad = None
        ag.manual_seed(1)
        run().pow(2).sum().backward()
        return [p.grad.array.copy() for p in model.parameters()] + [x.grad.array.copy()]

    plain = grads(lambda: model(x))
    for run in (lambda: checkpoint(model, x), lambda: checkpoint_sequential(model, 2, x)):
        assert all(np.allclose(a, b) for a, b in zip(plain, grads(run)))
    # no intermediate of the checkpointed part is kept: the graph above the input is one node
    y = checkpoint(model, x)
    assert type(y.grad_fn).__name__ == "_Checkpoint"


def test_bincount():
    x = ag.tensor([1, 2, 2, 5])
    assert ag.bincount(x).tolist() == [0, 1, 2, 0, 0, 1] and ag.bincount(x).dtype == np.int64
    assert ag.bincount(x, minlength=8).shape == (8,)
    assert ag.bincount(x, weights=ag.tensor([0.5, 1.0, 1.0, 2.0])).tolist() == [0, 0.5, 2.0, 0, 0, 2.0]
    assert ag.bincount(x, weights=ag.ones(4)).dtype == np.float32
    assert ag.bincount(x, weights=ag.tensor([1, 1, 1, 1])).dtype == np.float64
    for bad in (ag.tensor([-1]), ag.tensor([[1]]), ag.tensor([1.0])):
        with pytest.raises(RuntimeError, match="1-d non-negative integral"):
            ag.bincount(bad)


def test_broadcast_tensors_are_views():
    a, b = ag.ones(2, 1), ag.zeros(3)
    x, y = ag.broadcast_tensors(a, b)
    assert x.shape == y.shape == (2, 3) and np.shares_memory(x.array, a.array)
    assert ag.broadcast_shapes((2, 1), (3,), 1) == (2, 3) and isinstance(ag.broadcast_shapes((1,)), ag.Size)
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        ag.broadcast_shapes((2,), (3,))
    p, q = leaf(2, 1), leaf(3, seed=1)
    assert gradcheck(lambda p, q: ag.broadcast_tensors(p, q)[0] * ag.broadcast_tensors(p, q)[1], (p, q))


def test_finfo_iinfo_and_determinism_flag():
    assert ag.finfo(ag.float32).eps == np.finfo(np.float32).eps and ag.finfo().eps == np.finfo(np.float32).eps
    assert ag.finfo(ag.float64).tiny > 0 and ag.iinfo(ag.int64).max == 2**63 - 1
    with pytest.raises(TypeError, match="iinfo"):
        ag.finfo(ag.int32)
    with pytest.raises(TypeError, match="finfo"):
        ag.iinfo(ag.float32)
    assert not ag.are_deterministic_algorithms_enabled()
    ag.use_deterministic_algorithms(True)
    assert ag.are_deterministic_algorithms_enabled()
    ag.use_deterministic_algorithms(False)


def test_set_printoptions():
    try:
        assert repr(ag.tensor([1.23456, 2.5])) == "tensor([1.2346, 2.5000])"
        set_printoptions(precision=2)
        assert repr(ag.tensor([1.23456, 2.5])) == "tensor([1.23, 2.50])"
        set_printoptions(profile="default", threshold=5)
        assert repr(ag.arange(10.0)) == "tensor([0., 1., 2., ..., 7., 8., 9.])"
        set_printoptions(profile="default", sci_mode=True)
        assert repr(ag.tensor([1.5, 200.0])) == "tensor([1.5000e+00, 2.0000e+02])"
        set_printoptions(profile="default")
        assert repr(ag.tensor([1e-8, 1.0])) == "tensor([1.0000e-08, 1.0000e+00])"
        with pytest.raises(ValueError, match="profile"):
            set_printoptions(profile="long")
    finally:
        set_printoptions(profile="default")


def test_layout_questions_and_legacy_type_names():
    a = ag.arange(10.0).reshape(2, 5)
    assert a.stride() == (5, 1) and a.stride(0) == 5 and a.t().stride() == (1, 5)
    assert a.is_contiguous() and not a.t().is_contiguous()
    assert a[:, 1:].storage_offset() == 1 and a.element_size() == 4
    assert a[0, 1:].data_ptr() == a.data_ptr() + 4
    assert a.type() == "pathgrad.FloatTensor" and a.type(torch.LongTensor).dtype == np.int64
    assert a.type("torch.DoubleTensor").dtype == np.float64 and a.half().dtype == np.float16
    y = leaf(2) * 2
    y.retain_grad()
    assert y.retains_grad and not leaf(2).retains_grad
    assert a.pin_memory() is a and not a.is_pinned()
