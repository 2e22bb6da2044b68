"""Scatter and index ops (autograd/ops/scatter.py), random sampling (autograd/sampling.py) and the factories
(autograd/factories.py, Tensor.new_*): values against NumPy, torch's errors, gradcheck + forward AD + gradgradcheck
over random shapes (hypothesis), in-place use on non-leaf tensors and views, reproducibility under manual_seed and
sample statistics for a fixed seed."""

from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import autograd as ag
from autograd import gradcheck, gradgradcheck
from autograd.device import DeviceError

SETTINGS = settings(max_examples=5, deadline=None, derandomize=True)
SHAPES = array_shapes(min_dims=1, max_dims=3, max_side=3)
REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]


def check(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def leaf(values):
    return ag.tensor(np.asarray(values, dtype=np.float64), dtype=ag.float64, requires_grad=True)


def flip(t):
    """t with its dims reversed: a non-contiguous view."""
    return t.permute(tuple(range(t.ndim))[::-1])


# ---- cases: an input, a dim, an index of the input's rank, a src at least as large as the index ---------------------
def scatter_case(shape, seed, unique=False):
    r = np.random.default_rng(seed)
    d = int(r.integers(len(shape)))
    ishape = tuple(int(r.integers(1, n + 1)) for n in shape)
    if unique:  # distinct positions along d in each column: a plain scatter's result is then well defined
        order = np.argsort(r.random(ishape[:d] + (shape[d],) + ishape[d + 1:]), axis=d)
        idx = np.take(order, range(ishape[d]), axis=d)
    else:
        idx = r.integers(0, shape[d], ishape)
    sshape = tuple(n + int(r.integers(0, 2)) for n in ishape)
    # distinct values (no ties in amax/amin, no finite-difference step across one), away from 0 (prod)
    values = r.permutation(np.prod(shape) + np.prod(sshape)) * 0.29 + 0.6
    values *= r.choice([-1, 1], values.size)
    x, src = values[:np.prod(shape)].reshape(shape), values[np.prod(shape):].reshape(sshape)
    return x, d, idx, src


def ref_scatter(x, d, idx, src, reduce=None, include_self=True):
    """Torch's scatter family, one element at a time: reduce None assigns, else the named reduction."""
    out, groups = np.array(x, dtype=np.float64), defaultdict(list)
    for j in np.ndindex(idx.shape):
        p = list(j)
        p[d] = idx[j]
        groups[tuple(p)].append(src[j])
    fns = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}
    for p, vals in groups.items():
        out[p] = vals[-1] if reduce is None else fns[reduce](([x[p]] if include_self else []) + vals)
    return out


# ---- values against NumPy ------------------------------------------------------------------------------------------
@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16))
def test_scatter_family_values(shape, seed):
    x, d, idx, src = scatter_case(shape, seed)
    X, I, S = ag.tensor(x), ag.tensor(idx), ag.tensor(src)
    xu, du, iu, su = scatter_case(shape, seed, unique=True)
    np.testing.assert_allclose(ag.scatter(ag.tensor(xu), du, ag.tensor(iu), ag.tensor(su)).numpy(),
                               ref_scatter(xu, du, iu, su), rtol=1e-6)
    np.testing.assert_allclose(ag.scatter(X, d, I, 2.5).numpy(), ref_scatter(x, d, idx, np.full(idx.shape, 2.5)),
                               rtol=1e-6)
    np.testing.assert_allclose(ag.scatter_add(X, d, I, S).numpy(), ref_scatter(x, d, idx, src, "sum"), rtol=1e-5)
    for reduce in REDUCTIONS:
        for include_self in (True, False):
            np.testing.assert_allclose(ag.scatter_reduce(X, d, I, S, reduce, include_self=include_self).numpy(),
                                       ref_scatter(x, d, idx, src, reduce, include_self), rtol=1e-5)


def test_scatter_by_hand():
    x = ag.zeros(3, 4)
    idx = ag.tensor([[0, 1, 2, 0]])
    assert x.scatter(0, idx, ag.tensor([[1.0, 2.0, 3.0, 4.0]])).tolist() == [[1, 0, 0, 4], [0, 2, 0, 0], [0, 0, 3, 0]]
    assert x.scatter(1, ag.tensor([[3], [0]]), value=7.0).tolist() == [[0, 0, 0, 7], [7, 0, 0, 0], [0, 0, 0, 0]]
    with pytest.warns(UserWarning, match="scatter_reduce"):
        added = ag.ones(2, 2).scatter(0, ag.tensor([[1, 1]]), ag.tensor([[2.0, 3.0]]), reduce="add")
    assert added.tolist() == [[1, 1], [3, 4]]
    assert ag.ones(2, 2).scatter(0, ag.tensor([[1, 1]]), 3.0, reduce="multiply").tolist() == [[1, 1], [3, 3]]
    # integer self: a float value is truncated, as in torch
    assert ag.tensor([1, 5, 2]).scatter(0, ag.tensor([0]), 7.5).tolist() == [7, 5, 2]
    # integer mean rounds down
    out = ag.tensor([0, 1]).scatter_reduce(0, ag.tensor([0, 0]), ag.tensor([3, 4]), "mean")
    assert out.tolist() == [2, 1] and out.dtype == ag.int64
    # an empty index changes nothing, whatever its shape
    assert ag.arange(3.0).scatter(0, ag.tensor([], dtype=ag.int64), 1.0).tolist() == [0, 1, 2]


@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16))
def test_index_ops_values(shape, seed):
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape)
    d = int(r.integers(len(shape)))
    idx = r.integers(0, shape[d], int(r.integers(1, 4)))
    X, I = ag.tensor(x), ag.tensor(idx)
    np.testing.assert_allclose(ag.index_select(X, d, I).numpy(), np.take(x, idx, axis=d), rtol=1e-6)
    src = r.standard_normal(shape[:d] + (idx.size,) + shape[d + 1:])
    added = np.array(x)
    for i, k in enumerate(idx):
        np.moveaxis(added, d, 0)[k] += -2.0 * np.moveaxis(src, d, 0)[i]
    np.testing.assert_allclose(ag.index_add(X, d, I, ag.tensor(src), alpha=-2.0).numpy(), added, rtol=1e-5, atol=1e-6)
    unique = r.permutation(shape[d])[:idx.size] if idx.size <= shape[d] else r.permutation(shape[d])
    copied, part = np.array(x), np.take(src, range(unique.size), axis=d)
    np.moveaxis(copied, d, 0)[unique] = np.moveaxis(part, d, 0)
    np.testing.assert_allclose(ag.index_copy(X, d, ag.tensor(unique), ag.tensor(part)).numpy(), copied, rtol=1e-6)
    filled = np.array(x)
    np.moveaxis(filled, d, 0)[idx - shape[d]] = 4.5  # negative positions count from the end
    np.testing.assert_allclose(ag.index_fill(X, d, ag.tensor(idx - shape[d]), 4.5).numpy(), filled, rtol=1e-6)


@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2**16))
def test_mask_ops_values(shapes, seed):
    r = np.random.default_rng(seed)
    (xs, ms), shape = shapes.input_shapes, shapes.result_shape
    x, m = r.standard_normal(xs), r.random(ms) > 0.5
    expected = np.broadcast_to(x, shape)[np.broadcast_to(m, shape)]
    np.testing.assert_allclose(ag.masked_select(ag.tensor(x), ag.tensor(m)).numpy(), expected, rtol=1e-6)
    source = r.standard_normal(int(np.prod(shape)) + 1)
    scattered = np.array(np.broadcast_to(x, shape))
    scattered[np.broadcast_to(m, shape)] = source[:int(np.broadcast_to(m, shape).sum())]
    np.testing.assert_allclose(ag.masked_scatter(ag.tensor(x), ag.tensor(m), ag.tensor(source)).numpy(), scattered,
                               rtol=1e-6)


def test_put_and_index_put_values():
    x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    put = ag.put(ag.tensor(x), ag.tensor([[0, -1], [5, 0]]), ag.tensor([7.0, 8.0, 9.0, 10.0]))
    expected = x.copy().ravel()
    expected[[0, -1, 5, 0]] = [7, 8, 9, 10]
    assert put.tolist() == expected.reshape(3, 4).tolist()
    acc = ag.tensor(x).put(ag.tensor([0, 0, 11]), ag.tensor([1.0, 2.0, 3.0]), accumulate=True)
    assert acc.numpy().ravel()[[0, 11]].tolist() == [3.0, 14.0]
    rows, cols = ag.tensor([0, 2, 2]), ag.tensor([1, -1, -1])
    assert ag.index_put(ag.tensor(x), (rows, cols), ag.tensor(0.5))[2].tolist() == [8, 9, 10, 0.5]
    acc = ag.index_put(ag.tensor(x), (rows, cols), ag.tensor([1.0, 2.0, 3.0]), accumulate=True)
    assert acc[2, 3].item() == 11 + 2 + 3 and acc[0, 1].item() == 2.0
    masked = ag.tensor(x).index_put((ag.tensor(x > 8),), ag.tensor(-1.0))
    assert masked.numpy().ravel().tolist() == [v if v <= 8 else -1 for v in range(12)]


def test_zero_dim_inputs_act_as_one_element():
    s = ag.tensor(5.0)
    assert s.scatter(0, ag.tensor(0), ag.tensor(2.0)).shape == ()
    assert s.scatter_reduce(0, ag.tensor(0), ag.tensor(2.0), "prod").item() == 10.0
    assert s.index_select(0, ag.tensor(0)).item() == 5.0
    assert s.index_add(0, ag.tensor(0), ag.tensor(2.0)).item() == 7.0
    assert s.index_fill(0, ag.tensor(0), -1.0).item() == -1.0
    assert s.put(ag.tensor(0), ag.tensor(3.0)).item() == 3.0


# ---- gradients: finite differences, forward mode, second order, over random shapes ----------------------------------
@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16), view=st.booleans())
def test_scatter_gradcheck(shape, seed, view):
    x, d, idx, src = scatter_case(shape, seed, unique=True)
    X = leaf(x.T if view else x)  # view: the op gets a transposed (non-contiguous) view
    I = ag.tensor(idx)
    inp = flip if view else (lambda t: t)
    check(lambda a, s: ag.scatter(inp(a), d, I, s), X, leaf(src))
    check(lambda a: inp(a).scatter(d, I, value=-0.5), X)


@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16), view=st.booleans())
def test_scatter_add_gradcheck(shape, seed, view):
    x, d, idx, src = scatter_case(shape, seed)
    inp = flip if view else (lambda t: t)
    check(lambda a, s: ag.scatter_add(inp(a), d, ag.tensor(idx), s), leaf(x.T if view else x), leaf(src))


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCTIONS)
@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16), view=st.booleans())
def test_scatter_reduce_gradcheck(reduce, include_self, shape, seed, view):
    x, d, idx, src = scatter_case(shape, seed)
    inp = flip if view else (lambda t: t)
    check(lambda a, s: inp(a).scatter_reduce(d, ag.tensor(idx), s, reduce, include_self=include_self),
          leaf(x.T if view else x), leaf(src))


def test_scatter_reduce_prod_with_zeros():
    """The derivative by a factor is the product of the others, also where factors are 0."""
    x = leaf([0.0, 2.0, 3.0, 4.0])
    src = leaf([4.0, 0.0, 0.0, 5.0, 0.0])
    idx = ag.tensor([0, 1, 1, 2, 3])
    out = ag.scatter_reduce(x, 0, idx, src, "prod")
    assert out.tolist() == [0.0, 0.0, 15.0, 0.0]
    out.backward(ag.tensor([1.0, 10.0, 100.0, 1000.0], dtype=ag.float64))
    assert x.grad.tolist() == [4.0, 0.0, 500.0, 0.0]  # x[3] = 4 times the one zero
    assert src.grad.tolist() == [0.0, 0.0, 0.0, 300.0, 4000.0]
    one_zero = leaf([0.0, 2.0, 3.0]), leaf([4.0, 0.0, 1.5, 5.0])
    check(lambda a, s: ag.scatter_reduce(a, 0, ag.tensor([0, 1, 1, 2]), s, "prod"), *one_zero)
    g, = ag.grad(ag.scatter_reduce(x, 0, idx, src, "prod").sum(), [src], create_graph=True)
    with pytest.raises(RuntimeError, match="double backward"):  # two zeros at position 1, as torch
        ag.grad(g.sum(), [x])


def test_scatter_reduce_ties_share_the_gradient():
    x, src = leaf([1.0, 5.0, 2.0]), leaf([5.0, 5.0, 3.0, 7.0])
    idx = ag.tensor([1, 1, 0, 2])
    ag.scatter_reduce(x, 0, idx, src, "amax").backward(ag.tensor([1.0, 30.0, 100.0], dtype=ag.float64))
    assert x.grad.tolist() == [0.0, 10.0, 0.0] and src.grad.tolist() == [10.0, 10.0, 1.0, 100.0]
    x.grad = src.grad = None
    # without self, the gradient is shared by the src values alone (torch counts self's tie too, and loses some)
    ag.scatter_reduce(x, 0, idx, src, "amax", include_self=False).backward(ag.tensor([1.0, 30.0, 100.0],
                                                                                    dtype=ag.float64))
    assert x.grad.tolist() == [0.0, 0.0, 0.0] and src.grad.tolist() == [15.0, 15.0, 1.0, 100.0]


@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16), view=st.booleans())
def test_index_ops_gradcheck(shape, seed, view):
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape)
    d = int(r.integers(len(shape)))
    X, inp = leaf(x.T if view else x), flip if view else (lambda t: t)
    idx = ag.tensor(r.integers(0, shape[d], int(r.integers(1, 4))))  # repeats allowed
    src = leaf(r.standard_normal(shape[:d] + (len(idx),) + shape[d + 1:]))
    check(lambda a: inp(a).index_select(d, idx), X)
    check(lambda a, s: inp(a).index_add(d, idx, s, alpha=1.5), X, src)
    unique = ag.tensor(r.permutation(shape[d])[:2])
    part = leaf(r.standard_normal(shape[:d] + (len(unique),) + shape[d + 1:]))
    check(lambda a, s: inp(a).index_copy(d, unique, s), X, part)
    check(lambda a, v: inp(a).index_fill(d, idx, v), X, leaf(0.3))


@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2**16))
def test_mask_ops_gradcheck(shapes, seed):
    r = np.random.default_rng(seed)
    (xs, ms), shape = shapes.input_shapes, shapes.result_shape
    m = r.random(ms) > 0.4
    m.flat[0] = True  # (at least one element selected: gradcheck takes no empty output)
    x, m = leaf(r.standard_normal(xs)), ag.tensor(m)
    check(lambda a: ag.masked_select(a, m), x)
    check(lambda a, s: ag.masked_scatter(a, m, s), x, leaf(r.standard_normal(int(np.prod(shape)) + 1)))


@SETTINGS
@given(shape=SHAPES, seed=st.integers(0, 2**16))
def test_put_and_index_put_gradcheck(shape, seed):
    r = np.random.default_rng(seed)
    x = leaf(r.standard_normal(shape))
    n = int(np.prod(shape))
    flat = ag.tensor(r.permutation(n)[:min(n, 3)] - n * r.integers(0, 2))  # distinct, some negative
    check(lambda a, s: a.put(flat, s), x, leaf(r.standard_normal(len(flat))))
    repeated = ag.tensor(r.integers(-n, n, 4))
    check(lambda a, s: a.put(repeated, s, accumulate=True), x, leaf(r.standard_normal(4)))
    rows = ag.tensor(r.permutation(shape[0])[:2])
    rest = shape[1:]
    check(lambda a, v: ag.index_put(a, (rows,), v), x, leaf(r.standard_normal(rest)))  # broadcast over rows
    repeated_rows = ag.tensor(r.integers(0, shape[0], 3))
    check(lambda a, v: ag.index_put(a, (repeated_rows,), v, accumulate=True), x, leaf(r.standard_normal((3,) + rest)))


# ---- in place: on non-leaf tensors and on views, against the out-of-place op ----------------------------------------
INPLACE = {
    "scatter_": lambda t, s: t.scatter_(0, ag.tensor([[2, 0, 1]]), s[:1]),
    "scatter_value": lambda t, s: t.scatter_(1, ag.tensor([[0], [2], [1]]), value=2.0),
    "scatter_add_": lambda t, s: t.scatter_add_(0, ag.tensor([[2, 0, 2], [2, 2, 2]]), s),
    "scatter_reduce_": lambda t, s: t.scatter_reduce_(0, ag.tensor([[2, 0, 2], [2, 2, 2]]), s, "prod"),
    "index_add_": lambda t, s: t.index_add_(0, ag.tensor([1, 1]), s, alpha=-1.0),
    "index_copy_": lambda t, s: t.index_copy_(0, ag.tensor([2, 0]), s),
    "index_fill_": lambda t, s: t.index_fill_(1, ag.tensor([0, 2]), s[0, 0]),
    "masked_scatter_": lambda t, s: t.masked_scatter_(ag.tensor([True, False, True]), s.reshape(-1)),
    "put_": lambda t, s: t.put_(ag.tensor([7, -1]), s[1, 1:]),
    "index_put_": lambda t, s: t.index_put_((ag.tensor([0, 0]), ag.tensor([1, 2])), s[0, :2], accumulate=True),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_on_non_leaf_and_view(name):
    op = INPLACE[name]
    x, s = leaf(np.arange(9.0).reshape(3, 3) * 0.3 + 0.4), leaf(np.arange(6.0).reshape(2, 3) * -0.7 + 0.2)
    check(lambda a, b: op(a * 1, b), x, s)
    big = leaf(np.arange(12.0).reshape(4, 3) * 0.1 + 0.4)

    def on_view(a, b):  # write through rows 1..3 of a non-leaf: the base sees it
        base = a * 1
        op(base[1:], b)
        return base

    check(on_view, big, s)
    before = (x * 1).detach()
    out = op(x * 1, s)
    assert out.grad_fn is not None and np.array_equal(before.numpy(), (x * 1).detach().numpy())
    with pytest.raises(RuntimeError, match="leaf"):
        op(x, s)


# ---- errors: torch's types, naming the op ----------------------------------------------------------------------------
X = ag.zeros(3, 4)
I = ag.tensor([[0, 1]])
ERRORS = {
    "scatter index dtype": (lambda: X.scatter(0, I.float(), 1.0), RuntimeError, "scatter"),
    "scatter out of range": (lambda: X.scatter(0, ag.tensor([[3]]), 1.0), RuntimeError, "out of bounds"),
    "scatter negative": (lambda: X.scatter(0, ag.tensor([[-1]]), 1.0), RuntimeError, "out of bounds"),
    "scatter rank": (lambda: X.scatter(0, ag.tensor([0, 1]), 1.0), RuntimeError, "same number of dimensions"),
    "scatter index too large": (lambda: X.scatter(0, ag.zeros(2, 5, dtype=ag.int64), 1.0), RuntimeError,
                                "no larger than self"),
    "scatter src too small": (lambda: X.scatter(0, ag.zeros(2, 4, dtype=ag.int64), ag.ones(1, 4)), RuntimeError,
                              "no larger than src"),
    "scatter dtypes": (lambda: X.scatter(0, I, ag.ones(1, 2, dtype=ag.float64)), RuntimeError, "same dtype"),
    "scatter reduce name": (lambda: X.scatter(0, I, 1.0, reduce="sum"), RuntimeError, "add or multiply"),
    "scatter index list": (lambda: X.scatter(0, [[0]], 1.0), TypeError, "Tensor"),
    "scatter_reduce name": (lambda: X.scatter_reduce(0, I, ag.ones(1, 2), "add"), RuntimeError, "amax"),
    "scatter_add out of range": (lambda: X.scatter_add(1, ag.tensor([[4]]), ag.ones(1, 1)), RuntimeError,
                                 "dimension 1 with size 4"),
    "index_select dtype": (lambda: X.index_select(0, ag.tensor([0.0])), RuntimeError, "index_select"),
    "index_select range": (lambda: X.index_select(0, ag.tensor([3])), IndexError, "index_select"),
    "index_select matrix": (lambda: X.index_select(0, ag.tensor([[0]])), IndexError, "vector"),
    "index_select dim": (lambda: X.index_select(2, ag.tensor([0])), IndexError, "Dimension out of range"),
    "index_add range": (lambda: X.index_add(0, ag.tensor([3]), ag.ones(1, 4)), RuntimeError, "index_add"),
    "index_add count": (lambda: X.index_add(0, ag.tensor([0, 1]), ag.ones(3, 4)), RuntimeError, "number of indices"),
    "index_add shape": (lambda: X.index_add(0, ag.tensor([0, 1]), ag.ones(2, 3)), RuntimeError, "shape must match"),
    "index_add dtypes": (lambda: X.index_add(0, ag.tensor([0]), ag.ones(1, 4, dtype=ag.float64)), RuntimeError,
                         "same dtype"),
    "index_copy int32": (lambda: X.index_copy(1, ag.tensor([0], dtype=ag.int32), ag.ones(3, 1)), RuntimeError,
                         "int64"),
    "index_copy range": (lambda: X.index_copy(1, ag.tensor([4]), ag.ones(3, 1)), IndexError, "index_copy"),
    "index_copy count": (lambda: X.index_copy(1, ag.tensor([0, 1]), ag.ones(3, 3)), IndexError, "number of indices"),
    "index_fill dtype": (lambda: X.index_fill(1, ag.tensor([0], dtype=ag.int32), 1.0), IndexError, "int64"),
    "index_fill range": (lambda: X.index_fill(1, ag.tensor([-5]), 1.0), IndexError, "index_fill"),
    "index_fill matrix": (lambda: X.index_fill(1, ag.tensor([[0]]), 1.0), RuntimeError, "vector"),
    "index_fill value": (lambda: X.index_fill(1, ag.tensor([0]), ag.ones(1)), RuntimeError, "0-dimensional"),
    "masked_select mask": (lambda: X.masked_select(ag.ones(3, 4)), RuntimeError, "bool"),
    "masked_select shape": (lambda: X.masked_select(ag.ones(3, dtype=ag.bool)), RuntimeError, "broadcast"),
    "masked_scatter short": (lambda: X.masked_scatter(X == 0, ag.ones(11)), RuntimeError, "number of ones"),
    "masked_scatter dtypes": (lambda: X.masked_scatter(X == 0, ag.ones(12, dtype=ag.int64)), RuntimeError,
                              "same dtype"),
    "put range": (lambda: X.put(ag.tensor([12]), ag.ones(1)), IndexError, "out of range"),
    "put count": (lambda: X.put(ag.tensor([0, 1]), ag.ones(3)), IndexError, "same number of elements"),
    "put dtype": (lambda: X.put(ag.tensor([0.0]), ag.ones(1)), RuntimeError, "int64"),
    "index_put range": (lambda: X.index_put((ag.tensor([3]),), ag.tensor(1.0)), IndexError, "out of bounds"),
    "index_put slice": (lambda: X.index_put((slice(None),), ag.tensor(1.0)), TypeError, "Tensor"),
    "index_put dtypes": (lambda: X.index_put((ag.tensor([0]),), ag.tensor(1.0, dtype=ag.float64)), RuntimeError,
                         "dtypes"),
    "index_put values": (lambda: X.index_put((ag.tensor([0]),), ag.ones(3)), RuntimeError, "shape mismatch"),
    "index_put mask": (lambda: X.index_put((ag.ones(4, dtype=ag.bool),), ag.tensor(1.0)), IndexError, "mask"),
    "index_put too many": (lambda: X.index_put((I[0], I[0], I[0]), ag.tensor(1.0)), IndexError, "too many"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    fn, error, words = ERRORS[name]
    with pytest.raises(error, match=words):
        fn()


# ---- sampling ------------------------------------------------------------------------------------------------------
DRAWS = {
    "bernoulli": lambda g: ag.bernoulli(ag.full((50,), 0.3), generator=g),
    "bernoulli_p": lambda g: ag.bernoulli(ag.zeros(50), 0.7, generator=g),
    "multinomial": lambda g: ag.multinomial(ag.tensor([1.0, 2.0, 0.0, 3.0]), 3, generator=g),
    "multinomial_replacement": lambda g: ag.multinomial(ag.ones(2, 5), 9, replacement=True, generator=g),
    "normal_tensors": lambda g: ag.normal(ag.zeros(4, 1), ag.ones(3), generator=g),
    "normal_floats": lambda g: ag.normal(2.0, 3.0, (5,), generator=g),
    "poisson": lambda g: ag.poisson(ag.full((20,), 4.0), generator=g),
    "bernoulli_": lambda g: ag.zeros(20).bernoulli_(0.4, generator=g),
    "exponential_": lambda g: ag.zeros(20).exponential_(2.0, generator=g),
    "geometric_": lambda g: ag.zeros(20).geometric_(0.3, generator=g),
    "random_": lambda g: ag.zeros(20, dtype=ag.int64).random_(3, 9, generator=g),
    "cauchy_": lambda g: ag.zeros(20).cauchy_(generator=g),
    "log_normal_": lambda g: ag.zeros(20).log_normal_(generator=g),
    "rand": lambda g: ag.rand(2, 3, generator=g),
    "randint_like": lambda g: ag.randint_like(ag.zeros(10), 2, 7, generator=g),
    "rand_like": lambda g: ag.rand_like(ag.zeros(5), generator=g),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_draws_follow_manual_seed_and_generator(name):
    draw = DRAWS[name]
    ag.manual_seed(7)
    first, second = draw(None).numpy(), draw(None).numpy()
    ag.manual_seed(7)
    assert np.array_equal(draw(None).numpy(), first) and np.array_equal(draw(None).numpy(), second)
    assert not np.array_equal(first, second) or name == "multinomial"  # (3 of 3 non-zero categories: any order)
    g = ag.Generator(7)
    ag.manual_seed(123)
    assert np.array_equal(draw(g).numpy(), first)  # a generator of its own seed gives the default's draws
    assert np.array_equal(draw(ag.Generator(7)).numpy(), first)


N = 200_000


def test_sample_statistics():
    """Means of large samples within a few standard errors (fixed seed: conftest seeds 0)."""
    p = ag.tensor([0.1, 0.5, 0.9])
    freq = ag.bernoulli(p.expand(N, 3)).numpy().mean(axis=0)
    np.testing.assert_allclose(freq, [0.1, 0.5, 0.9], atol=0.005)
    assert abs(ag.zeros(N).bernoulli_(0.25).numpy().mean() - 0.25) < 0.005
    assert abs(ag.zeros(N).bernoulli_(ag.full((N,), 0.75)).numpy().mean() - 0.75) < 0.005
    z = ag.normal(ag.full((N,), 2.0), ag.full((N,), 3.0)).numpy()
    assert abs(z.mean() - 2.0) < 0.03 and abs(z.std() - 3.0) < 0.03
    z = ag.normal(-1.0, 0.5, (N,), dtype=ag.float64)
    assert z.dtype == ag.float64 and abs(z.numpy().mean() + 1.0) < 0.005 and abs(z.numpy().std() - 0.5) < 0.005
    assert abs(ag.poisson(ag.full((N,), 4.0)).numpy().mean() - 4.0) < 0.02
    weights = np.array([1.0, 0.0, 3.0, 4.0])
    counts = np.bincount(ag.multinomial(ag.tensor(weights), N, replacement=True).numpy(), minlength=4) / N
    np.testing.assert_allclose(counts, weights / weights.sum(), atol=0.005)
    firsts = ag.multinomial(ag.tensor(weights).expand(N // 10, 4), 2).numpy()
    assert (firsts[:, 0] != firsts[:, 1]).all() and (firsts != 1).all()  # no repeats, never the 0-weight category
    np.testing.assert_allclose(np.bincount(firsts[:, 0], minlength=4) / len(firsts), weights / weights.sum(),
                               atol=0.01)
    assert abs(ag.zeros(N).exponential_(4.0).numpy().mean() - 0.25) < 0.003
    g = ag.zeros(N).geometric_(0.2).numpy()
    assert g.min() == 1 and abs(g.mean() - 5.0) < 0.05
    assert abs(np.median(ag.zeros(N).cauchy_(3.0, 2.0).numpy()) - 3.0) < 0.03
    logs = np.log(ag.zeros(N, dtype=ag.float64).log_normal_(0.5, 0.25).numpy())
    assert abs(logs.mean() - 0.5) < 0.003 and abs(logs.std() - 0.25) < 0.003
    ints = ag.zeros(N, dtype=ag.int64).random_(-3, 4).numpy()
    assert ints.min() == -3 and ints.max() == 3 and abs(ints.mean()) < 0.02
    assert set(np.unique(ag.zeros(1000, dtype=ag.bool).random_().numpy())) == {False, True}
    top = ag.zeros(N).random_().numpy()
    assert top.min() >= 0 and top.max() <= 2**24 and top.max() > 2**23  # float32: integers float32 holds exactly


def test_samples_have_zero_gradient_as_in_torch():
    p = ag.full((3,), 0.5, requires_grad=True)
    for sample in (ag.bernoulli(p), ag.normal(p, 1.0), ag.normal(p, p), ag.normal(0.0, p), ag.poisson(p)):
        assert sample.requires_grad
        p.grad = None
        sample.sum().backward()
        assert p.grad.tolist() == [0.0, 0.0, 0.0]
    assert not ag.bernoulli(p, 0.5).requires_grad
    x = ag.ones(3, requires_grad=True)
    y = x * 2
    y.exponential_()  # an in-place fill of a non-leaf: its old value's gradient is zero
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


SAMPLING_ERRORS = {
    "bernoulli p range": (lambda: ag.bernoulli(ag.tensor([1.5])), RuntimeError, r"\[0, 1\]"),
    "bernoulli ints": (lambda: ag.bernoulli(ag.tensor([1, 0])), NotImplementedError, "floating"),
    "bernoulli_ p": (lambda: ag.zeros(2).bernoulli_(-0.1), RuntimeError, "bernoulli_"),
    "normal std": (lambda: ag.normal(ag.zeros(2), -1.0), RuntimeError, "std >= 0"),
    "normal std tensor": (lambda: ag.normal(ag.zeros(2), ag.tensor([1.0, -1.0])), RuntimeError, "std >= 0"),
    "normal shapes": (lambda: ag.normal(ag.zeros(2, 3), ag.ones(4)), RuntimeError, "broadcast"),
    "normal no size": (lambda: ag.normal(0.0, 1.0), TypeError, "size"),
    "normal ints": (lambda: ag.normal(ag.zeros(2, dtype=ag.int64)), NotImplementedError, "floating"),
    "poisson rate": (lambda: ag.poisson(ag.tensor([-1.0])), RuntimeError, "non-negative"),
    "multinomial without replacement": (lambda: ag.multinomial(ag.tensor([0.0, 1.0, 3.0, 0.0]), 3), RuntimeError,
                                        "non-zero"),
    "multinomial too many": (lambda: ag.multinomial(ag.ones(3), 4), RuntimeError, "without replacement"),
    "multinomial negative": (lambda: ag.multinomial(ag.tensor([-1.0, 2.0]), 1), RuntimeError, "element < 0"),
    "multinomial zero sum": (lambda: ag.multinomial(ag.zeros(2), 1, True), RuntimeError, "sum of probabilities"),
    "multinomial rank": (lambda: ag.multinomial(ag.ones(2, 2, 2), 1), RuntimeError, "1 or 2 dim"),
    "multinomial count": (lambda: ag.multinomial(ag.ones(3), 0), RuntimeError, "n_sample <= 0"),
    "exponential_ lambda": (lambda: ag.zeros(2).exponential_(0.0), RuntimeError, "lambda > 0"),
    "exponential_ ints": (lambda: ag.zeros(2, dtype=ag.int64).exponential_(), RuntimeError, "floating"),
    "geometric_ p": (lambda: ag.zeros(2).geometric_(1.0), RuntimeError, r"\(0, 1\)"),
    "cauchy_ sigma": (lambda: ag.zeros(2).cauchy_(0.0, -1.0), RuntimeError, "sigma > 0"),
    "log_normal_ std": (lambda: ag.zeros(2).log_normal_(0.0, 0.0), RuntimeError, "std > 0"),
    "random_ range": (lambda: ag.zeros(2).random_(5, 5), RuntimeError, "from"),
    "random_ bool": (lambda: ag.zeros(2, dtype=ag.bool).random_(3), RuntimeError, "bool"),
    "rand ints": (lambda: ag.rand(2, dtype=ag.int64), NotImplementedError, "floating"),
    "randint_like range": (lambda: ag.randint_like(ag.zeros(2), 5, 2), RuntimeError, "low"),
}


@pytest.mark.parametrize("name", sorted(SAMPLING_ERRORS))
def test_sampling_errors(name):
    fn, error, words = SAMPLING_ERRORS[name]
    with pytest.raises(error, match=words):
        fn()


# ---- factories -----------------------------------------------------------------------------------------------------
FACTORIES = {
    "tensor": lambda **k: ag.tensor([1.0], **k),
    "as_tensor": lambda **k: ag.as_tensor([1.0], **k),
    "asarray": lambda **k: ag.asarray([1.0], **k),
    "scalar_tensor": lambda **k: ag.scalar_tensor(1, **k),
    "zeros": lambda **k: ag.zeros(2, **k),
    "ones": lambda **k: ag.ones(2, **k),
    "empty": lambda **k: ag.empty(2, **k),
    "full": lambda **k: ag.full((2,), 1.0, **k),
    "zeros_like": lambda **k: ag.zeros_like(ag.ones(2), **k),
    "ones_like": lambda **k: ag.ones_like(ag.ones(2), **k),
    "empty_like": lambda **k: ag.empty_like(ag.ones(2), **k),
    "full_like": lambda **k: ag.full_like(ag.ones(2), 3.0, **k),
    "arange": lambda **k: ag.arange(3, **k),
    "linspace": lambda **k: ag.linspace(0, 1, 3, **k),
    "logspace": lambda **k: ag.logspace(0, 1, 3, **k),
    "eye": lambda **k: ag.eye(2, **k),
    "rand": lambda **k: ag.rand(2, **k),
    "randn": lambda **k: ag.randn(2, **k),
    "randint": lambda **k: ag.randint(3, (2,), **k),
    "randperm": lambda **k: ag.randperm(3, **k),
    "rand_like": lambda **k: ag.rand_like(ag.ones(2), **k),
    "randn_like": lambda **k: ag.randn_like(ag.ones(2), **k),
    "randint_like": lambda **k: ag.randint_like(ag.ones(2), 3, **k),
    "tril_indices": lambda **k: ag.tril_indices(3, 3, **k),
    "triu_indices": lambda **k: ag.triu_indices(3, 3, **k),
    "normal": lambda **k: ag.normal(0.0, 1.0, (2,), **k),
    "new_zeros": lambda **k: ag.ones(1).new_zeros(2, **k),
    "new_ones": lambda **k: ag.ones(1).new_ones(2, **k),
    "new_empty": lambda **k: ag.ones(1).new_empty(2, **k),
    "new_full": lambda **k: ag.ones(1).new_full((2,), 5, **k),
    "new_tensor": lambda **k: ag.ones(1).new_tensor([1, 2], **k),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factories_take_device(name):
    make = FACTORIES[name]
    assert make(device="cpu").device == ag.device("cpu")
    assert make(device=ag.device("cpu")).shape == make().shape
    with pytest.raises(DeviceError, match=name.split("new_")[-1] if "new_" not in name else "cuda"):
        make(device="cuda")


def test_factory_dtypes_and_shapes():
    assert [ag.full((2,), v).dtype for v in (True, 3, 2.5, np.float64(1.5), np.int32(3))] == [
        ag.bool, ag.int64, ag.float32, ag.float32, ag.int64]
    assert ag.full([], 1.0).shape == () and ag.full(2, 1, dtype=ag.float64).dtype == ag.float64
    assert ag.scalar_tensor(3).dtype == ag.float32 and ag.scalar_tensor(True).item() == 1.0
    assert ag.scalar_tensor(1.5, dtype=ag.int64).item() == 1 and ag.scalar_tensor(2, requires_grad=True).requires_grad
    for size in ((2, 3), [2, 3], ag.Size([2, 3])):
        assert ag.zeros(size).shape == (2, 3) and ag.ones(size).shape == (2, 3) and ag.rand(size).shape == (2, 3)
    assert ag.zeros(2, 3).shape == (2, 3) and ag.empty(0).shape == (0,)
    with pytest.raises(RuntimeError, match="negative"):
        ag.zeros(2, -1)
    np.testing.assert_allclose(ag.logspace(0, 2, 3).numpy(), [1, 10, 100])
    np.testing.assert_allclose(ag.logspace(-1, 3, 5, base=2.0, dtype=ag.float64).numpy(), np.logspace(-1, 3, 5, base=2))
    with pytest.raises(RuntimeError, match="non-negative"):
        ag.linspace(0, 1, -1)
    for offset in (-2, 0, 1):
        assert ag.tril_indices(3, 4, offset).tolist() == np.stack(np.tril_indices(3, offset, 4)).tolist()
        assert ag.triu_indices(4, 3, offset).tolist() == np.stack(np.triu_indices(4, offset, 3)).tolist()
    assert ag.tril_indices(0, 3).shape == (2, 0) and ag.tril_indices(2, 2, dtype=ag.int32).dtype == ag.int32
    with pytest.raises(RuntimeError, match="non-negative"):
        ag.triu_indices(-1, 3)
    assert ag.empty_like(ag.ones(2, 3), dtype=ag.int64).dtype == ag.int64
    ints = ag.randint_like(ag.ones(100, dtype=ag.float64), 2, 5)
    assert ints.dtype == ag.float64 and set(ints.tolist()) == {2.0, 3.0, 4.0}
    assert ag.randint(3, size=(4,)).shape == (4,) and ag.randint(high=3, size=(2,)).dtype == ag.int64
    with pytest.raises(RuntimeError, match="floating point"):
        ag.zeros(2, dtype=ag.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ag.arange(0, 3, 0)
    assert ag.tensor([1, 2], dtype=ag.float64, requires_grad=True).requires_grad


def test_asarray_shares_memory_where_it_can():
    a = np.arange(3.0)
    t = ag.asarray(a)
    a[0] = 9
    assert t.dtype == ag.float64 and t[0].item() == 9  # NumPy's memory, NumPy's dtype
    assert ag.asarray(a, dtype=ag.float32).dtype == ag.float32
    with pytest.raises(ValueError, match="copy=False"):
        ag.asarray(a, dtype=ag.float32, copy=False)
    with pytest.raises(ValueError, match="copy=False"):
        ag.asarray([1, 2], copy=False)
    x = ag.ones(2, requires_grad=True)
    y = x * 2
    assert ag.asarray(y) is y and ag.asarray(y, copy=True).grad_fn is not None
    copied = ag.asarray(y, copy=True)
    assert not np.shares_memory(copied.array, y.array)
    assert ag.asarray([1, 2.5]).dtype == ag.float32 and ag.asarray(np.float64(3)).dtype == ag.float64
    assert ag.asarray([1.0, 2.0], requires_grad=True).requires_grad
    assert not ag.asarray(x, requires_grad=False).requires_grad and x.requires_grad


def test_new_factories_default_to_self():
    x = ag.ones(2, dtype=ag.float64)
    assert x.new_zeros(2, 3).dtype == ag.float64 and x.new_zeros((2, 3)).shape == (2, 3)
    assert x.new_ones([2]).tolist() == [1.0, 1.0] and x.new_empty(4).shape == (4,)
    assert x.new_full((2,), 7).dtype == ag.float64
    assert ag.ones(2, dtype=ag.int64).new_full((2,), 2.7).tolist() == [2, 2]
    assert x.new_zeros(2, dtype=ag.int32).dtype == ag.int32
    assert x.new_ones(2, requires_grad=True).requires_grad
    source = ag.ones(3, requires_grad=True) * 2
    copy = x.new_tensor(source)
    assert copy.dtype == ag.float64 and copy.grad_fn is None and not copy.requires_grad
    assert not np.shares_memory(copy.array, source.array)
    a = np.arange(3)
    assert x.new_tensor(a).dtype == ag.float64 and not np.shares_memory(x.new_tensor(a).array, a)
    assert ag.ones(1).new_tensor([1, 2.5]).dtype == ag.float32
