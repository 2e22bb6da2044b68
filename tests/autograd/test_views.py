"""Tensor core v2, the storage model: which ops return views that share memory with their base (as in torch), which
copy, writes through views, chained indexing, and memory sharing with NumPy (numpy(), from_numpy), .data and detach().

Every expectation here was checked against torch 2.13 (see test_views_vs_torch.py for the same scenarios run side by
side); none needs torch to run."""

import numpy as np
import pytest

import autograd as ag


def base():
    """A (3, 4) float64 tensor whose values 0..11 name their own positions."""
    return ag.tensor(np.arange(12.0).reshape(3, 4))


# op on the tensor, the same view taken of the NumPy array (the values it must show)
VIEWS = {
    "index_int": (lambda t: t[0], lambda a: a[0]),
    "index_column": (lambda t: t[:, 1], lambda a: a[:, 1]),
    "slice": (lambda t: t[1:3], lambda a: a[1:3]),
    "ellipsis_none": (lambda t: t[..., None], lambda a: a[..., None]),
    "step_slice": (lambda t: t[::2, 1::2], lambda a: a[::2, 1::2]),
    "view": (lambda t: t.view(12), lambda a: a.reshape(12)),
    "view_infer": (lambda t: t.view(2, -1), lambda a: a.reshape(2, 6)),
    "reshape_contiguous": (lambda t: t.reshape(4, 3), lambda a: a.reshape(4, 3)),
    "t": (lambda t: t.t(), lambda a: a.T),
    "T": (lambda t: t.T, lambda a: a.T),
    "mT": (lambda t: t.mT, lambda a: a.T),
    "transpose": (lambda t: t.transpose(0, 1), lambda a: a.T),
    "permute": (lambda t: t.permute(1, 0), lambda a: a.T),
    "unsqueeze": (lambda t: t.unsqueeze(0), lambda a: a[None]),
    "squeeze": (lambda t: t.unsqueeze(1).squeeze(1), lambda a: a),
    "flatten": (lambda t: t.flatten(), lambda a: a.reshape(-1)),
    "unflatten": (lambda t: t.unflatten(1, (2, 2)), lambda a: a.reshape(3, 2, 2)),
    "narrow": (lambda t: t.narrow(1, 1, 2), lambda a: a[:, 1:3]),
    "select": (lambda t: t.select(1, 2), lambda a: a[:, 2]),
    "unbind": (lambda t: t.unbind(0)[1], lambda a: a[1]),
    "split": (lambda t: t.split(2, 1)[1], lambda a: a[:, 2:]),
    "chunk": (lambda t: t.chunk(2, 0)[1], lambda a: a[2:]),
    "diagonal": (lambda t: t.diagonal(), lambda a: np.diagonal(a)),
    "as_strided": (lambda t: t.as_strided((2, 2), (4, 1), 1), lambda a: np.array([[1.0, 2.0], [5.0, 6.0]])),
    "view_as": (lambda t: t.view_as(ag.zeros(2, 6)), lambda a: a.reshape(2, 6)),
    "view_of_view": (lambda t: t[1:][:, 2:].t(), lambda a: a[1:, 2:].T),
}
# expanded views repeat memory locations: they can be read through but not written to (torch refuses)
EXPANDED = {
    "expand": (lambda t: t[:, :1].expand(3, 4), lambda a: np.broadcast_to(a[:, :1], (3, 4))),
    "expand_as": (lambda t: t[:1].expand_as(ag.zeros(3, 4)), lambda a: np.broadcast_to(a[:1], (3, 4))),
}
COPIES = {
    "index_list": lambda t: t[[0, 2]],
    "index_bool_mask": lambda t: t[t > 5],
    "index_tensor": lambda t: t[ag.tensor([2, 0])],
    "reshape_non_contiguous": lambda t: t.t().reshape(-1),
    "flatten_non_contiguous": lambda t: t.t().flatten(),
    "contiguous_of_transpose": lambda t: t.t().contiguous(),
    "clone": lambda t: t.clone(),
}


@pytest.mark.parametrize("name", sorted(VIEWS) + sorted(EXPANDED))
def test_view_ops_return_views_of_the_root_base(name):
    op, ref = {**VIEWS, **EXPANDED}[name]
    x = base()
    v = op(x)
    np.testing.assert_array_equal(v.numpy(), ref(np.arange(12.0).reshape(3, 4)))
    assert v._is_view() and v._base is x  # the root, also for a view of a view
    assert not x._is_view() and x._base is None
    assert np.shares_memory(v.array, x.array)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_writes_through_a_view_reach_the_base(name):
    op, _ = VIEWS[name]
    x = base()
    v = op(x)
    covered = np.isin(np.arange(12.0), op(base()).numpy()).reshape(3, 4)  # values 0..11 name their positions
    v.add_(1000)
    np.testing.assert_array_equal(x.numpy(), np.arange(12.0).reshape(3, 4) + 1000 * covered)
    assert covered.any() and v.numpy().min() >= 1000


@pytest.mark.parametrize("name", sorted(VIEWS) + sorted(EXPANDED))
def test_writes_to_the_base_show_in_a_view_taken_before(name):
    op, ref = {**VIEWS, **EXPANDED}[name]
    x = base()
    v = op(x)
    x.mul_(-1)
    np.testing.assert_array_equal(v.numpy(), -ref(np.arange(12.0).reshape(3, 4)))


def _iadd(v):
    v += 2


def _isub(v):
    v -= 2


def _imul(v):
    v *= 2


def _idiv(v):
    v /= 2


# in-place op on the tensor, the same result computed on a NumPy block
IN_PLACE = {
    "add_": (lambda v: v.add_(2), lambda b: b + 2),
    "add_alpha": (lambda v: v.add_(ag.ones(2), alpha=3), lambda b: b + 3),
    "sub_": (lambda v: v.sub_(2), lambda b: b - 2),
    "mul_": (lambda v: v.mul_(ag.tensor([2.0, 3.0], dtype=ag.float64)), lambda b: b * [2.0, 3.0]),
    "div_": (lambda v: v.div_(4), lambda b: b / 4),
    "pow_": (lambda v: v.pow_(2), lambda b: b**2),
    "exp_": (lambda v: v.exp_(), np.exp),
    "clamp_": (lambda v: v.clamp_(0.7, 1.0), lambda b: np.clip(b, 0.7, 1.0)),
    "relu_": (lambda v: v.sub_(1).relu_(), lambda b: np.maximum(b - 1, 0)),
    "copy_": (lambda v: v.copy_(ag.tensor([[7.0], [8.0], [9.0]])), lambda b: np.repeat([[7.0], [8.0], [9.0]], 2, 1)),
    "fill_": (lambda v: v.fill_(-3), lambda b: np.full_like(b, -3)),
    "zero_": (lambda v: v.zero_(), np.zeros_like),
    "setitem": (lambda v: v.__setitem__((slice(None), 0), 5.0), lambda b: np.stack([np.full(3, 5.0), b[:, 1]], 1)),
    "setitem_mask": (lambda v: v.__setitem__(v > 1.0, 0.0), lambda b: np.where(b > 1.0, 0.0, b)),
    "iadd": (_iadd, lambda b: b + 2),
    "isub": (_isub, lambda b: b - 2),
    "imul": (_imul, lambda b: b * 2),
    "itruediv": (_idiv, lambda b: b / 2),
}


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_every_in_place_op_writes_through_a_strided_view(name):
    op, ref = IN_PLACE[name]
    start = np.arange(12.0).reshape(3, 4) / 12 + 0.5
    x = ag.tensor(start)
    v = x[:, 1:3]  # not contiguous
    op(v)
    expected = start.copy()
    expected[:, 1:3] = ref(start[:, 1:3])
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-15)
    assert x._version == v._version >= 1


def test_writes_through_one_view_show_in_another():
    x = base()
    row, col = x[1], x[:, 2]
    row.fill_(-1)
    assert col.tolist() == [2.0, -1.0, 10.0]
    col.zero_()
    assert x[1].tolist() == [-1.0, -1.0, 0.0, -1.0]
    assert x.numpy()[0].tolist() == [0.0, 1.0, 0.0, 3.0]


def test_split_chunk_unbind_give_views_of_every_piece():
    x = base()
    for i, piece in enumerate(x.unbind(0)):
        piece.add_(100 * (i + 1))
    for piece in x.split(2, dim=1):
        piece.mul_(2)
    for piece in x.chunk(3, dim=0):
        assert piece._base is x
    expected = (np.arange(12.0).reshape(3, 4) + np.array([[100.0], [200.0], [300.0]])) * 2
    np.testing.assert_array_equal(x.numpy(), expected)


@pytest.mark.parametrize("name", sorted(COPIES))
def test_advanced_indexing_and_non_viewable_reshapes_copy(name):
    x = base()
    c = COPIES[name](x)
    assert not c._is_view() and c._base is None
    assert not np.shares_memory(c.array, x.array)
    c.add_(1000)
    np.testing.assert_array_equal(x.numpy(), np.arange(12.0).reshape(3, 4))


def test_view_of_a_non_contiguous_tensor_is_an_error_and_reshape_copies():
    x = base()
    with pytest.raises(RuntimeError, match=r"view size is not compatible with input tensor's size and stride.*"
                                           r"Use \.reshape\(\.\.\.\) instead"):
        x.t().view(12)
    assert x.t().reshape(12).tolist() == [0.0, 4.0, 8.0, 1.0, 5.0, 9.0, 2.0, 6.0, 10.0, 3.0, 7.0, 11.0]
    assert x.t().contiguous().view(12).tolist() == x.t().reshape(12).tolist()
    assert x.contiguous() is x
    # a transposed view is still viewable along the dimensions it keeps
    assert x.t().view(4, 3, 1)._base is x
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        x[:, 1:3].view(6)


def test_chained_indexing_writes_reach_the_base():
    t = ag.zeros(3, 4, 5)
    t[1][0][2] = 1
    assert t[1, 0, 2].item() == 1.0 and t.sum().item() == 1.0
    t[2][1:3][:, 4] = 7
    assert t[2, 1, 4].item() == 7.0 and t[2, 2, 4].item() == 7.0 and t.sum().item() == 15.0
    t[0][3] += 2
    assert t[0, 3].tolist() == [2.0] * 5


def test_one_hot_loop_through_chained_indexing():
    labels = [2, 0, 3, 1, 2]
    y = ag.zeros(len(labels), 4)
    for i, c in enumerate(labels):
        y[i][c] = 1
    np.testing.assert_array_equal(y.numpy(), np.eye(4)[labels])


def test_setitem_with_basic_advanced_and_mask_indices_writes_the_tensor_itself():
    x = base()
    x[0] = -1.0
    x[[1, 2], [0, 3]] = ag.tensor([-2.0, -3.0], dtype=ag.float64)
    x[x > 8] = 0.0
    assert x.tolist() == [[-1.0] * 4, [-2.0, 5.0, 6.0, 7.0], [8.0, 0.0, 0.0, -3.0]]


def test_numpy_shares_memory_both_ways():
    t = ag.zeros(3)
    n = t.numpy()
    n[0] = 7.0
    assert t.tolist() == [7.0, 0.0, 0.0]
    t.add_(1)
    assert n.tolist() == [8.0, 1.0, 1.0]
    x = ag.zeros(3, 4)
    x[1].numpy()[:] = 3.0  # numpy() of a view is a NumPy view of the base's memory
    assert x.sum().item() == 12.0 and x[1].tolist() == [3.0] * 4


def test_numpy_on_a_tensor_that_requires_grad_is_an_error():
    w = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad\. "
                                           r"Use tensor\.detach\(\)\.numpy\(\) instead\."):
        w.numpy()
    w.detach().numpy()[0] = 5.0
    assert w.tolist() == [5.0, 1.0]


def test_from_numpy_shares_and_tensor_copies():
    a = np.zeros(3)
    t = ag.from_numpy(a)
    assert t.dtype == ag.float64
    t.add_(1)
    assert a.tolist() == [1.0, 1.0, 1.0]
    a[2] = 9.0
    assert t.tolist() == [1.0, 1.0, 9.0]
    c = ag.tensor(a)
    c.add_(1)
    assert a.tolist() == [1.0, 1.0, 9.0] and not np.shares_memory(c.array, a)


def test_array_of_a_view_is_a_numpy_view_of_the_storage():
    x = base()
    v = x[:, 1:3]
    assert v.array.shape == (3, 2) and np.shares_memory(v.array, x.array)
    v.array[0, 0] = -5.0
    assert x[0, 1].item() == -5.0


def test_data_is_a_detached_tensor_sharing_memory():
    w = ag.ones(3, requires_grad=True)
    d = w.data
    assert isinstance(d, ag.Tensor)
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    d.add_(1)
    assert w.detach().tolist() == [2.0, 2.0, 2.0] and w.requires_grad
    h = w * 2
    assert not h.data.requires_grad and h.data.grad_fn is None and h.data.tolist() == [4.0, 4.0, 4.0]


def test_data_of_a_view_writes_to_the_base():
    b = ag.zeros(4)
    b[1:3].data.fill_(5)
    assert b.tolist() == [0.0, 5.0, 5.0, 0.0]


def test_assigning_data_replaces_values_and_shape():
    w = ag.ones(3, requires_grad=True)
    w.data = ag.arange(4.0).reshape(2, 2)
    assert w.shape == (2, 2) and w.detach().tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert w.requires_grad and w.is_leaf
    (w * w).sum().backward()
    assert w.grad.tolist() == [[0.0, 2.0], [4.0, 6.0]]
    with pytest.raises(TypeError):
        w.data = np.zeros(2)


def test_detach_shares_memory_and_version_counter():
    a = ag.ones(3, requires_grad=True)
    d = a.detach()
    assert not d.requires_grad and d.grad_fn is None
    d.mul_(4)
    assert a.detach().tolist() == [4.0, 4.0, 4.0]
    assert a._version == d._version == 1
    v = (a * 1)[1:]
    dv = v.detach()
    dv.fill_(0)
    assert v.tolist() == [0.0, 0.0]


def test_detach_in_place_and_requires_grad_in_place():
    x = ag.ones(2, requires_grad=True)
    h = x * 2
    assert h.detach_() is h
    assert not h.requires_grad and h.grad_fn is None and h.is_leaf
    g = x * 3
    with pytest.raises(RuntimeError):
        g.requires_grad_(False)  # only leaves can change it
    leaf = ag.zeros(2)
    assert leaf.requires_grad_() is leaf and leaf.requires_grad


def test_views_of_a_leaf_that_requires_grad_require_grad_and_are_not_leaves():
    w = ag.ones(2, 3, requires_grad=True)
    v = w[0]
    assert v.requires_grad and not v.is_leaf and v.grad_fn is not None and v._base is w
    (v * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert w.grad.tolist() == [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]
