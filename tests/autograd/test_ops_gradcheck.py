"""Every differentiable op: finite-difference gradcheck, forward-mode check and second-order check, in float64,
over random shapes with broadcasting (hypothesis)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import autograd as ag
from autograd import gradcheck, gradgradcheck

SETTINGS = settings(max_examples=6, deadline=None, derandomize=True)


def leaf(shape, seed=0, positive=False, spread=False):
    r = np.random.default_rng(seed)
    x = r.random(shape) + 0.5 if positive else r.standard_normal(shape)
    if spread:  # values far apart, so that no finite-difference step crosses a kink or a tie
        x = r.permutation(np.arange(int(np.prod(shape)), dtype=float)).reshape(shape) * 0.37 - 1.1
    return ag.tensor(x, dtype=ag.float64, requires_grad=True)


def check(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


BINARY = {
    "add": (lambda a, b: a + b, False),
    "sub": (lambda a, b: a - b, False),
    "mul": (lambda a, b: a * b, False),
    "div": (lambda a, b: a / b, True),
    "pow": (lambda a, b: a**b, True),
    "maximum": (lambda a, b: ag.maximum(a, b), False),
    "minimum": (lambda a, b: ag.minimum(a, b), False),
    "where": (lambda a, b: ag.where(a.detach() > 0, a, b), False),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
def test_binary_broadcasting(name, shapes):
    fn, positive = BINARY[name]
    a = leaf(shapes.input_shapes[0], 1, positive)
    b = leaf(shapes.input_shapes[1], 2, positive)
    check(fn, a, b)


SCALAR_OPERAND = {
    "radd": lambda a: 2.5 + a,
    "rsub": lambda a: 2.5 - a,
    "rmul": lambda a: 2.5 * a,
    "rdiv": lambda a: 2.5 / a,
    "pow_const": lambda a: a**3,
    "pow_half": lambda a: a**0.5,
    "rpow": lambda a: 1.7**a,
    "neg": lambda a: -a,
}


@pytest.mark.parametrize("name", sorted(SCALAR_OPERAND))
@SETTINGS
@given(shape=array_shapes(min_dims=0, max_dims=3, max_side=3))
def test_ops_with_python_scalars(name, shape):
    check(SCALAR_OPERAND[name], leaf(shape, 3, positive=True))


UNARY = {
    "exp": (lambda x: x.exp(), False),
    "log": (lambda x: x.log(), True),
    "log1p": (lambda x: x.log1p(), True),
    "sqrt": (lambda x: x.sqrt(), True),
    "sin": (lambda x: x.sin(), False),
    "cos": (lambda x: x.cos(), False),
    "tanh": (lambda x: x.tanh(), False),
    "sigmoid": (lambda x: x.sigmoid(), False),
    "erf": (lambda x: x.erf(), False),
    "abs": (lambda x: x.abs(), False),
    "relu": (lambda x: x.relu(), False),
    "leaky_relu": (lambda x: ag.leaky_relu(x, 0.2), False),
    "clamp": (lambda x: x.clamp(-0.3, 0.4), False),
    "clamp_min": (lambda x: x.clamp(min=0.1), False),
    "sign_zero_grad": (lambda x: x.sign() * x, False),
    "step_zero_grad": (lambda x: ag.step(x) * x, False),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@SETTINGS
@given(shape=array_shapes(min_dims=0, max_dims=3, max_side=4))
def test_unary(name, shape):
    fn, positive = UNARY[name]
    check(fn, leaf(shape, 4, positive, spread=not positive and name in ("abs", "relu", "leaky_relu", "clamp",
                                                                          "clamp_min", "sign_zero_grad",
                                                                          "step_zero_grad")))


def dims_for(shape):
    return st.sampled_from([None] + list(range(len(shape))) + ([tuple(range(len(shape)))[::-1]] if shape else []))


REDUCTIONS = {
    "sum": lambda x, d, k: x.sum(d, keepdim=k),
    "mean": lambda x, d, k: x.mean(d, keepdim=k),
    "var": lambda x, d, k: x.var(d, keepdim=k),
    "var_biased": lambda x, d, k: x.var(d, correction=0, keepdim=k),
    "std": lambda x, d, k: x.std(d, keepdim=k),
    "amax": lambda x, d, k: x.amax(() if d is None else d, keepdim=k),
    "amin": lambda x, d, k: x.amin(() if d is None else d, keepdim=k),
    "logsumexp": lambda x, d, k: x.logsumexp(tuple(range(x.ndim)) if d is None else d, keepdim=k),
    "norm": lambda x, d, k: x.norm(dim=d, keepdim=k),
    "norm1": lambda x, d, k: x.norm(1, dim=d, keepdim=k),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@SETTINGS
@given(data=st.data(), shape=array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=3), keepdim=st.booleans())
def test_reductions(name, data, shape, keepdim):
    dim = data.draw(dims_for(shape))
    check(lambda x: REDUCTIONS[name](x, dim, keepdim), leaf(shape, 5, spread=True))


@SETTINGS
@given(data=st.data(), shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), keepdim=st.booleans())
def test_max_min_with_dim(data, shape, keepdim):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = leaf(shape, 6, spread=True)
    check(lambda x: x.max(dim, keepdim=keepdim).values, x)
    check(lambda x: x.min(dim, keepdim=keepdim).values, x)


@pytest.mark.parametrize("fn", [lambda x: x.softmax(-1), lambda x: x.log_softmax(-1), lambda x: x.softmax(0),
                                lambda x: x.log_softmax(1)], ids=["softmax-1", "log_softmax-1", "softmax0",
                                                                   "log_softmax1"])
@SETTINGS
@given(shape=array_shapes(min_dims=2, max_dims=3, max_side=4))
def test_softmax_family(fn, shape):
    check(fn, leaf(shape, 7))


@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3),
       n=st.integers(1, 3), k=st.integers(1, 3), m=st.integers(1, 3))
def test_matmul_batched(shapes, n, k, m):
    a = leaf(shapes.input_shapes[0] + (n, k), 8)
    b = leaf(shapes.input_shapes[1] + (k, m), 9)
    check(lambda a, b: a @ b, a, b)


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((4, 2, 3), (3,)),
                                   ((3,), (4, 3, 2))])
def test_matmul_vectors(sa, sb):
    check(lambda a, b: a @ b, leaf(sa, 10), leaf(sb, 11))


SHAPE_OPS = {
    "reshape": (lambda x: x.reshape(-1), (2, 3)),
    "view": (lambda x: x.view(3, 2), (2, 3)),
    "transpose": (lambda x: x.transpose(0, 2), (2, 3, 4)),
    "T": (lambda x: x.T, (2, 3)),
    "mT": (lambda x: x.mT, (2, 3, 4)),
    "permute": (lambda x: x.permute(1, 2, 0), (2, 3, 4)),
    "flatten": (lambda x: x.flatten(1), (2, 3, 2)),
    "unflatten": (lambda x: x.unflatten(1, (2, 3)), (2, 6)),
    "squeeze": (lambda x: x.squeeze(1), (2, 1, 3)),
    "unsqueeze": (lambda x: x.unsqueeze(-1), (2, 3)),
    "expand": (lambda x: x.expand(4, -1, 3), (2, 1)),
    "broadcast_to": (lambda x: x.broadcast_to((2, 3, 4)), (3, 1)),
    "repeat": (lambda x: x.repeat(2, 1, 3), (2, 2)),
    "getitem_int_slice": (lambda x: x[1, ::2], (3, 4)),
    "getitem_none_ellipsis": (lambda x: x[None, ..., 1], (2, 3)),
    "getitem_repeats": (lambda x: x[[0, 2, 0, 0]], (3, 2)),
    "getitem_tensor_index": (lambda x: x[ag.tensor([1, 1]), ag.tensor([0, 2])], (3, 3)),
    "getitem_mask": (lambda x: x[x.detach() > 0], (3, 4)),
    "split": (lambda x: x.split([1, 3], dim=1)[1], (2, 4)),
    "chunk": (lambda x: x.chunk(2, dim=0)[0] * 2, (5, 2)),
    "pad": (lambda x: ag.pad(x, (1, 2, 0, 1), value=0.5), (2, 3)),
    "gather": (lambda x: x.gather(1, ag.tensor([[0, 0, 2], [1, 0, 1]])), (2, 3)),
    "narrow": (lambda x: ag.narrow(x, 1, 1, 2), (2, 4)),
    "masked_fill": (lambda x: x.masked_fill(x.detach() > 0, 0.0), (3, 3)),
    "clone": (lambda x: x.clone(), (2, 2)),
    "contiguous": (lambda x: x.t().contiguous() * x.t(), (2, 3)),
    "select": (lambda x: x.select(1, -1), (2, 3, 2)),
    "unbind": (lambda x: x.unbind(1)[0] * x.unbind(1)[2], (2, 3)),
    "diagonal": (lambda x: x.diagonal(), (3, 3)),
    "diagonal_offset_dims": (lambda x: x.diagonal(offset=-1, dim1=2, dim2=0), (3, 2, 4)),
    "as_strided_overlapping": (lambda x: x.as_strided((3, 2), (1, 1), 1), (2, 3)),
    "view_of_a_view": (lambda x: x.t()[1:].unsqueeze(0).view(2, 2), (2, 3)),
}


def in_place_on_views(x, z):
    """In-place ops through views of a non-leaf: its base's history is rebased (CopySlices)."""
    y = x * 1
    y[:, 1] += z  # a column view
    y.t()[0].mul_(z)  # a view of a view, multiplied by a tensor
    y[1:, ::2].clamp_(max=0.7)
    d = y.diagonal()
    d.exp_()  # saves its result: nothing may change y afterwards
    return y * d.sum()


@pytest.mark.parametrize("shape", [(3, 3), (2, 3)])
def test_in_place_ops_on_views(shape):
    x, z = leaf(shape, 19), leaf((shape[0],), 20)
    check(in_place_on_views, x, z)


def test_in_place_on_a_leaf_without_grad_that_receives_one():
    def f(w):
        b = ag.zeros(3, 2, dtype=ag.float64)
        b[1] = w * 2  # b now depends on w
        b[0].add_(w.sin())
        return b * b

    check(f, leaf((2,), 21))


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_and_indexing(name):
    fn, shape = SHAPE_OPS[name]
    check(fn, leaf(shape, 12))


def test_cat_stack_with_broadcasting_neighbours():
    a, b, c = leaf((2, 3), 13), leaf((2, 1), 14), leaf((3,), 15)
    check(lambda a, b: ag.cat([a, b], dim=1), a, b)
    check(lambda a, c: ag.stack([a, c.expand(2, 3)], dim=1), a, c)


def test_setitem_on_non_leaf():
    def f(a, v):
        c = a * 1
        c[1] = v
        c[0, :2] = 0.0
        return c * a

    check(f, leaf((3, 4), 16), leaf((4,), 17))


def test_float32_inputs_cast_inside_a_float64_graph():
    x = leaf((3,), 18)
    assert gradcheck(lambda x: (x.float() * 2).double() * x, (x,), atol=1e-4, rtol=1e-3, eps=1e-3)
