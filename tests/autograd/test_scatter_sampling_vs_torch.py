"""Scatter/index ops, sampling and factories against PyTorch: values and gradients (first and second order) of the
deterministic ops over random shapes, error types, and the dtypes and shapes that sampling and factories give."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import autograd as ag

torch = pytest.importorskip("torch")

SETTINGS = settings(max_examples=8, deadline=None, derandomize=True)
SHAPES = array_shapes(min_dims=1, max_dims=3, max_side=4)
REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]


def scatter_case(shape, seed, unique=False):
    r = np.random.default_rng(seed)
    d = int(r.integers(len(shape)))
    ishape = tuple(int(r.integers(1, n + 1)) for n in shape)
    if unique:
        order = np.argsort(r.random(ishape[:d] + (shape[d],) + ishape[d + 1:]), axis=d)
        idx = np.take(order, range(ishape[d]), axis=d)
    else:
        idx = r.integers(0, shape[d], ishape)
    values = r.permutation(np.prod(shape) + np.prod(ishape)) * 0.29 + 0.6  # distinct: no ties
    values *= r.choice([-1, 1], values.size)
    return values[:np.prod(shape)].reshape(shape), d, idx, values[np.prod(shape):].reshape(ishape)


def compare(ours, theirs, *arrays, second_order=False):
    """ours(*tensors) and theirs(*torch tensors) on float64 leaves made from ``arrays``: values, gradients for a
    random upstream gradient, and (second_order) the gradient of a weighted sum of those gradients."""
    ps = [ag.tensor(a, dtype=ag.float64, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    zp, zt = ours(*ps), theirs(*ts)
    np.testing.assert_allclose(zp.detach().numpy(), zt.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(tuple(zt.shape))
    gp = ag.grad(zp, ps, ag.tensor(g, dtype=ag.float64), create_graph=second_order, allow_unused=True)
    gt = torch.autograd.grad(zt, ts, torch.tensor(g), create_graph=second_order, allow_unused=True)
    for a, b in zip(gp, gt):
        np.testing.assert_allclose(0 if a is None else a.detach().numpy(), 0 if b is None else b.detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
    if second_order:
        w = [np.random.default_rng(2 + i).standard_normal(a.shape) for i, a in enumerate(arrays)]
        sp = sum((a * ag.tensor(wi, dtype=ag.float64)).sum() for a, wi in zip(gp, w) if a is not None)
        st_ = sum((b * torch.tensor(wi)).sum() for b, wi in zip(gt, w) if b is not None)
        assert sp.requires_grad == st_.requires_grad
        if not sp.requires_grad:  # a linear op: its gradient does not depend on the inputs
            return
        hp = ag.grad(sp, ps, allow_unused=True)
        ht = torch.autograd.grad(st_, ts, allow_unused=True)
        for a, b in zip(hp, ht):
            np.testing.assert_allclose(0 if a is None else a.numpy(), 0 if b is None else b.numpy(), rtol=1e-9,
                                       atol=1e-12)


@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16))
def test_scatter_and_scatter_add(shape, seed):
    x, d, idx, src = scatter_case(shape, seed, unique=True)
    pi, ti = ag.tensor(idx), torch.tensor(idx)
    compare(lambda a, s: a.scatter(d, pi, s), lambda a, s: a.scatter(d, ti, s), x, src, second_order=True)
    compare(lambda a: a.scatter(d, pi, -1.5), lambda a: a.scatter(d, ti, -1.5), x)
    x, d, idx, src = scatter_case(shape, seed)
    pi, ti = ag.tensor(idx), torch.tensor(idx)
    compare(lambda a, s: a.scatter_add(d, pi, s), lambda a, s: a.scatter_add(d, ti, s), x, src, second_order=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for reduce in ("add", "multiply"):  # values only: torch has no derivative for these
            np.testing.assert_allclose(ag.tensor(x).scatter(d, pi, ag.tensor(src), reduce=reduce).numpy(),
                                       torch.tensor(x).scatter(d, ti, torch.tensor(src), reduce=reduce).numpy())
            np.testing.assert_allclose(ag.tensor(x).scatter(d, pi, 2.0, reduce=reduce).numpy(),
                                       torch.tensor(x).scatter(d, ti, 2.0, reduce=reduce).numpy())


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCTIONS)
@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16))
def test_scatter_reduce(reduce, include_self, shape, seed):
    x, d, idx, src = scatter_case(shape, seed)
    pi, ti = ag.tensor(idx), torch.tensor(idx)
    compare(lambda a, s: a.scatter_reduce(d, pi, s, reduce, include_self=include_self),
            lambda a, s: a.scatter_reduce(d, ti, s, reduce, include_self=include_self), x, src, second_order=True)


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_with_zeros_and_ties(include_self):
    x, src = np.array([0.0, 2.0, 3.0, 4.0]), np.array([4.0, 0.0, 1.5, 5.0, 0.0])
    idx = np.array([0, 1, 1, 2, 3])
    compare(lambda a, s: a.scatter_reduce(0, ag.tensor(idx), s, "prod", include_self=include_self),
            lambda a, s: a.scatter_reduce(0, torch.tensor(idx), s, "prod", include_self=include_self), x, src,
            second_order=True)
    two_zeros = np.array([4.0, 0.0, 0.0, 5.0, 0.0])
    compare(lambda a, s: a.scatter_reduce(0, ag.tensor(idx), s, "prod", include_self=include_self),
            lambda a, s: a.scatter_reduce(0, torch.tensor(idx), s, "prod", include_self=include_self), x, two_zeros)
    x, src, idx = np.array([1.0, 5.0, 2.0]), np.array([5.0, 5.0, 3.0, 7.0]), np.array([1, 1, 0, 2])
    for reduce in ("amax", "amin"):  # with self: ties share the gradient, as in torch
        compare(lambda a, s, r=reduce: a.scatter_reduce(0, ag.tensor(idx), s, r),
                lambda a, s, r=reduce: a.scatter_reduce(0, torch.tensor(idx), s, r), x, src)


@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16))
def test_index_ops(shape, seed):
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape)
    d = int(r.integers(len(shape)))
    idx = r.integers(0, shape[d], int(r.integers(1, 5)))
    src = r.standard_normal(shape[:d] + (idx.size,) + shape[d + 1:])
    pi, ti = ag.tensor(idx), torch.tensor(idx)
    compare(lambda a: a.index_select(d, pi), lambda a: a.index_select(d, ti), x, second_order=True)
    compare(lambda a, s: a.index_add(d, pi, s, alpha=-0.5), lambda a, s: a.index_add(d, ti, s, alpha=-0.5), x, src,
            second_order=True)
    unique = r.permutation(shape[d])[:min(shape[d], 2)]
    part = r.standard_normal(shape[:d] + (unique.size,) + shape[d + 1:])
    compare(lambda a, s: a.index_copy(d, ag.tensor(unique), s), lambda a, s: a.index_copy(d, torch.tensor(unique), s),
            x, part, second_order=True)
    compare(lambda a, v: a.index_fill(d, ag.tensor(unique), v),
            lambda a, v: a.index_fill(d, torch.tensor(unique), v), x, np.array(0.25), second_order=True)
    negative = unique - shape[d]  # (torch's backward for a value tensor fails on negative positions)
    compare(lambda a: a.index_fill(d, ag.tensor(negative), 2.0), lambda a: a.index_fill(d, torch.tensor(negative), 2.0),
            x)


@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2**16))
def test_mask_ops(shapes, seed):
    r = np.random.default_rng(seed)
    (xs, ms), shape = shapes.input_shapes, shapes.result_shape
    x, m = r.standard_normal(xs), r.random(ms) > 0.5
    pm, tm = ag.tensor(m), torch.tensor(m)
    compare(lambda a: a.masked_select(pm), lambda a: a.masked_select(tm), x, second_order=True)
    source = r.standard_normal(int(np.prod(shape)) + 2)
    compare(lambda a, s: a.masked_scatter(pm, s), lambda a, s: a.masked_scatter(tm, s), x, source, second_order=True)


@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16))
def test_put_and_index_put(shape, seed):
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape)
    n = x.size
    flat = r.permutation(n)[:min(n, 3)] - n * r.integers(0, 2)
    compare(lambda a, s: a.put(ag.tensor(flat), s), lambda a, s: a.put(torch.tensor(flat), s), x,
            r.standard_normal(flat.size), second_order=True)
    repeated = r.integers(-n, n, 5)
    compare(lambda a, s: a.put(ag.tensor(repeated), s, accumulate=True),
            lambda a, s: a.put(torch.tensor(repeated), s, accumulate=True), x, r.standard_normal(5))
    rows = r.permutation(shape[0])[:2]
    compare(lambda a, v: a.index_put((ag.tensor(rows),), v), lambda a, v: a.index_put((torch.tensor(rows),), v), x,
            r.standard_normal(shape[1:]), second_order=True)
    many = r.integers(0, shape[0], 4)
    compare(lambda a, v: a.index_put((ag.tensor(many),), v, accumulate=True),
            lambda a, v: a.index_put((torch.tensor(many),), v, accumulate=True), x,
            r.standard_normal((4,) + shape[1:]))
    mask = x > 0
    compare(lambda a, v: a.index_put((ag.tensor(mask),), v), lambda a, v: a.index_put((torch.tensor(mask),), v), x,
            np.array(0.5))


INPLACE = {
    "scatter_": lambda t, s, m: t.scatter_(0, m.tensor([[2, 0, 1]]), s[:1]),
    "scatter_add_": lambda t, s, m: t.scatter_add_(0, m.tensor([[2, 0, 2], [2, 2, 2]]), s),
    "scatter_reduce_": lambda t, s, m: t.scatter_reduce_(0, m.tensor([[2, 0, 2], [2, 2, 2]]), s, "amax"),
    "index_add_": lambda t, s, m: t.index_add_(0, m.tensor([1, 1]), s, alpha=2.0),
    "index_copy_": lambda t, s, m: t.index_copy_(0, m.tensor([2, 0]), s),
    "index_fill_": lambda t, s, m: t.index_fill_(1, m.tensor([0, 2]), s[0, 0]),
    "masked_scatter_": lambda t, s, m: t.masked_scatter_(m.tensor([True, False, True]), s.reshape(-1)),
    "put_": lambda t, s, m: t.put_(m.tensor([7, -1]), s[1, 1:]),
    "index_put_": lambda t, s, m: t.index_put_((m.tensor([0, 0]), m.tensor([1, 2])), s[0, :2], accumulate=True),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_on_non_leaf_views(name):
    op = INPLACE[name]

    def run(m):
        def f(a, s):
            base = a * 1
            op(base[1:], s, m)  # through a view of a non-leaf
            return base * base

        return f

    x, s = np.arange(12.0).reshape(4, 3) * 0.3 - 1.0, np.arange(6.0).reshape(2, 3) * -0.7 + 0.2
    compare(run(ag), run(torch), x, s, second_order=True)


# ---- error types: torch's, for the same bad input -------------------------------------------------------------------
BAD = {
    "scatter index float": lambda m, x: x.scatter(0, m.tensor([[0.0]]), 1.0),
    "scatter out of range": lambda m, x: x.scatter(0, m.tensor([[3]]), 1.0),
    "scatter negative": lambda m, x: x.scatter(1, m.tensor([[-1]]), 1.0),
    "scatter rank": lambda m, x: x.scatter(0, m.tensor([0]), 1.0),
    "scatter too large": lambda m, x: x.scatter(0, m.zeros(2, 5, dtype=m.int64), 1.0),
    "scatter src small": lambda m, x: x.scatter(0, m.zeros(2, 4, dtype=m.int64), m.ones(1, 4)),
    "scatter dtypes": lambda m, x: x.scatter(0, m.tensor([[0]]), m.ones(1, 1, dtype=m.float64)),
    "scatter reduce": lambda m, x: x.scatter(0, m.tensor([[0]]), 1.0, reduce="max"),
    "scatter_reduce name": lambda m, x: x.scatter_reduce(0, m.tensor([[0]]), m.ones(1, 1), "add"),
    "scatter_add dtypes": lambda m, x: x.scatter_add(0, m.tensor([[0]]), m.ones(1, 1, dtype=m.float64)),
    "index_select float": lambda m, x: x.index_select(0, m.tensor([0.0])),
    "index_select range": lambda m, x: x.index_select(0, m.tensor([3])),
    "index_select negative": lambda m, x: x.index_select(0, m.tensor([-1])),
    "index_select matrix": lambda m, x: x.index_select(0, m.tensor([[0]])),
    "index_add range": lambda m, x: x.index_add(0, m.tensor([3]), m.ones(1, 4)),
    "index_add count": lambda m, x: x.index_add(0, m.tensor([0, 1]), m.ones(3, 4)),
    "index_add shape": lambda m, x: x.index_add(0, m.tensor([0, 1]), m.ones(2, 3)),
    "index_add float": lambda m, x: x.index_add(0, m.tensor([0.0]), m.ones(1, 4)),
    "index_add matrix": lambda m, x: x.index_add(0, m.tensor([[0]]), m.ones(1, 4)),
    "index_add dtypes": lambda m, x: x.index_add(0, m.tensor([0]), m.ones(1, 4, dtype=m.float64)),
    "index_copy range": lambda m, x: x.index_copy(1, m.tensor([4]), m.ones(3, 1)),
    "index_copy negative": lambda m, x: x.index_copy(1, m.tensor([-1]), m.ones(3, 1)),
    "index_copy count": lambda m, x: x.index_copy(1, m.tensor([0, 1]), m.ones(3, 3)),
    "index_copy int32": lambda m, x: x.index_copy(1, m.tensor([0], dtype=m.int32), m.ones(3, 1)),
    "index_copy dtypes": lambda m, x: x.index_copy(1, m.tensor([0]), m.ones(3, 1, dtype=m.float64)),
    "index_fill range": lambda m, x: x.index_fill(1, m.tensor([4]), 1.0),
    "index_fill int32": lambda m, x: x.index_fill(1, m.tensor([0], dtype=m.int32), 1.0),
    "index_fill matrix": lambda m, x: x.index_fill(1, m.tensor([[0]]), 1.0),
    "index_fill value": lambda m, x: x.index_fill(1, m.tensor([0]), m.ones(1)),
    "masked_select mask": lambda m, x: x.masked_select(m.ones(3, 4)),
    "masked_select shapes": lambda m, x: x.masked_select(m.ones(3, dtype=m.bool)),
    "masked_scatter mask": lambda m, x: x.masked_scatter(m.ones(3, 4), m.ones(12)),
    "masked_scatter short": lambda m, x: x.masked_scatter(x == 0, m.ones(11)),
    "masked_scatter dtypes": lambda m, x: x.masked_scatter(x == 0, m.ones(12, dtype=m.float64)),
    "put range": lambda m, x: x.put(m.tensor([12]), m.ones(1)),
    "put negative range": lambda m, x: x.put(m.tensor([-13]), m.ones(1)),
    "put count": lambda m, x: x.put(m.tensor([0, 1]), m.ones(3)),
    "put float index": lambda m, x: x.put(m.tensor([0.0]), m.ones(1)),
    "put dtypes": lambda m, x: x.put(m.tensor([0]), m.ones(1, dtype=m.float64)),
    "index_put range": lambda m, x: x.index_put((m.tensor([3]),), m.tensor(1.0)),
    "index_put dtypes": lambda m, x: x.index_put((m.tensor([0]),), m.tensor(1.0, dtype=m.float64)),
    "index_put values": lambda m, x: x.index_put((m.tensor([0, 1]),), m.ones(3)),
    "index_put too many": lambda m, x: x.index_put((m.tensor([0]),) * 3, m.tensor(1.0)),
    "bernoulli p": lambda m, x: m.bernoulli(m.full((2,), 1.5)),
    "bernoulli ints": lambda m, x: m.bernoulli(m.ones(2, dtype=m.int64)),
    "bernoulli_ p": lambda m, x: x.bernoulli_(1.5),
    "normal std": lambda m, x: m.normal(m.zeros(2), -1.0),
    "normal std tensor": lambda m, x: m.normal(m.zeros(2), m.tensor([-1.0, 1.0])),
    "normal shapes": lambda m, x: m.normal(m.zeros(2, 3), m.ones(4)),
    "normal ints": lambda m, x: m.normal(m.zeros(2, dtype=m.int64), 1.0),
    "poisson negative": lambda m, x: m.poisson(m.tensor([-1.0])),
    "poisson ints": lambda m, x: m.poisson(m.ones(2, dtype=m.int64)),
    "multinomial too many": lambda m, x: m.multinomial(m.ones(3), 4),
    "multinomial negative": lambda m, x: m.multinomial(m.tensor([-1.0, 2.0]), 1),
    "multinomial zero sum": lambda m, x: m.multinomial(m.zeros(2), 1),
    "multinomial ints": lambda m, x: m.multinomial(m.ones(2, dtype=m.int64), 1),
    "multinomial rank": lambda m, x: m.multinomial(m.ones(2, 2, 2), 1),
    "multinomial count": lambda m, x: m.multinomial(m.ones(2), 0),
    "exponential_": lambda m, x: x.exponential_(0.0),
    "exponential_ ints": lambda m, x: m.zeros(2, dtype=m.int64).exponential_(),
    "geometric_": lambda m, x: x.geometric_(1.0),
    "cauchy_": lambda m, x: x.cauchy_(0.0, -1.0),
    "log_normal_": lambda m, x: x.log_normal_(0.0, 0.0),
    "random_": lambda m, x: x.random_(5, 5),
    "random_ bool": lambda m, x: m.zeros(2, dtype=m.bool).random_(3),
    "rand ints": lambda m, x: m.rand(2, dtype=m.int64),
    "randn_like ints": lambda m, x: m.randn_like(m.zeros(2, dtype=m.int64)),
    "randint range": lambda m, x: m.randint(3, 1, (2,)),
    "randint_like range": lambda m, x: m.randint_like(x, 5, 2),
    "zeros requires_grad": lambda m, x: m.zeros(2, dtype=m.int64, requires_grad=True),
    "zeros negative": lambda m, x: m.zeros(2, -1),
    "linspace steps": lambda m, x: m.linspace(0, 1, -1),
    "arange step": lambda m, x: m.arange(0, 3, 0),
    "tril_indices row": lambda m, x: m.tril_indices(-1, 3),
    "tril_indices float": lambda m, x: m.tril_indices(3, 3, dtype=m.float32),
    "zeros_like list": lambda m, x: m.zeros_like([1, 2]),
    "asarray copy": lambda m, x: m.asarray(np.arange(3), dtype=m.float32, copy=False),
    "asarray list": lambda m, x: m.asarray([1, 2], copy=False),
    "zeros cuda": lambda m, x: m.zeros(2, device="cuda"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_error_types_match_torch(name):
    bad = BAD[name]
    with pytest.raises(Exception) as theirs:
        bad(torch, torch.zeros(3, 4))
    with pytest.raises(Exception) as ours:
        bad(ag, ag.zeros(3, 4))
    assert isinstance(ours.value, type(theirs.value)), (type(ours.value), type(theirs.value), str(ours.value))


# ---- dtypes and shapes of samples and factories ---------------------------------------------------------------------
def dtype_name(t):
    return str(t.dtype).replace("torch.", "")


LIKE = {
    "bernoulli": lambda m: m.bernoulli(m.full((2, 3), 0.5, dtype=m.float64)),
    "bernoulli_p": lambda m: m.bernoulli(m.zeros(2, 3), 0.5),
    "bernoulli_ int": lambda m: m.zeros(3, dtype=m.int64).bernoulli_(0.5),
    "normal tensor float": lambda m: m.normal(m.zeros(2, 3), 2.0),
    "normal float tensor": lambda m: m.normal(1.0, m.ones(3, dtype=m.float64)),
    "normal tensors": lambda m: m.normal(m.zeros(2, 1), m.ones(3, dtype=m.float64)),
    "normal floats": lambda m: m.normal(0.0, 1.0, (2, 2)),
    "normal floats dtype": lambda m: m.normal(0.0, 1.0, size=(2,), dtype=m.float64),
    "normal mean only": lambda m: m.normal(m.zeros(3)),
    "poisson": lambda m: m.poisson(m.ones(4, dtype=m.float64)),
    "multinomial": lambda m: m.multinomial(m.ones(3, 4), 2),
    "multinomial 1d": lambda m: m.multinomial(m.ones(4), 6, replacement=True),
    "geometric_ int": lambda m: m.zeros(3, dtype=m.int64).geometric_(0.5),
    "random_ int32": lambda m: m.zeros(3, dtype=m.int32).random_(),
    "randint_like": lambda m: m.randint_like(m.zeros(3, dtype=m.float64), 4),
    "rand_like": lambda m: m.rand_like(m.zeros(3, dtype=m.float64)),
    "randperm": lambda m: m.randperm(4, dtype=m.float32),
    "randint": lambda m: m.randint(3, (2,), dtype=m.int32),
    "full bool": lambda m: m.full((2,), True),
    "full int": lambda m: m.full((2,), 3),
    "full float": lambda m: m.full((2,), 2.5),
    "full np float64": lambda m: m.full((2,), np.float64(2.5)),
    "scalar_tensor int": lambda m: m.scalar_tensor(3),
    "scalar_tensor bool": lambda m: m.scalar_tensor(True),
    "scalar_tensor long": lambda m: m.scalar_tensor(1.5, dtype=m.int64),
    "logspace": lambda m: m.logspace(0, 2, 3),
    "logspace base": lambda m: m.logspace(-1, 2, 4, base=2),
    "logspace long": lambda m: m.logspace(0, 2, 3, dtype=m.int64),
    "linspace long": lambda m: m.linspace(0, 4, 5, dtype=m.int64),
    "tril_indices": lambda m: m.tril_indices(3, 4, 1),
    "triu_indices": lambda m: m.triu_indices(4, 3, -1),
    "tril_indices empty": lambda m: m.tril_indices(0, 3),
    "triu_indices int32": lambda m: m.triu_indices(3, 3, dtype=m.int32),
    "empty_like": lambda m: m.empty_like(m.ones(2, 3), dtype=m.int64).zero_(),
    "asarray list": lambda m: m.asarray([1, 2.5]),
    "asarray np": lambda m: m.asarray(np.arange(3)),
    "asarray np scalar": lambda m: m.asarray(np.float64(3)),
    "new_zeros": lambda m: m.ones(2, dtype=m.float64).new_zeros(2, 3),
    "new_ones tuple": lambda m: m.ones(2, dtype=m.int32).new_ones((2,)),
    "new_full": lambda m: m.ones(2, dtype=m.int64).new_full((2,), 2.7),
    "new_empty dtype": lambda m: m.ones(2).new_empty(2, dtype=m.float64).zero_(),
    "new_tensor": lambda m: m.ones(2, dtype=m.float64).new_tensor([1, 2]),
    "new_tensor float": lambda m: m.ones(2).new_tensor(np.array([1.5, 2.0])),
}
DETERMINISTIC = {"full", "scalar", "logspace", "linspace", "tril", "triu", "empty_like", "asarray", "new_"}


@pytest.mark.parametrize("name", sorted(LIKE))
def test_dtypes_and_shapes_match_torch(name):
    ours, theirs = LIKE[name](ag), LIKE[name](torch)
    assert dtype_name(ours) == dtype_name(theirs) and tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    if any(name.startswith(k) for k in DETERMINISTIC):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_sample_gradients_are_zero_as_in_torch():
    for m in (ag, torch):
        p = m.full((3,), 0.5, dtype=m.float64, requires_grad=True)
        for sample in (m.bernoulli(p), m.normal(p, 1.0), m.normal(p, p), m.poisson(p)):
            assert sample.requires_grad and sample.grad_fn is not None
            (grad,) = (ag.grad if m is ag else torch.autograd.grad)(sample.sum(), [p])
            assert grad.tolist() == [0.0, 0.0, 0.0]
