"""Elementwise math, rounding, predicates and bitwise ops (ops/pointwise.py, ops/rounding.py, ops/bitwise.py): values
against NumPy and hand-computed numbers, result dtypes, bad input, and for every differentiable op a finite-difference
gradcheck with forward mode and a gradgradcheck over random shapes (with broadcasting), on a transposed view, and in
place on a non-leaf."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import autograd as ag
from autograd import gradcheck, gradgradcheck

SETTINGS = settings(max_examples=5, deadline=None, derandomize=True)

# Where each op's inputs are drawn from: inside its domain, away from its kinks.
DOMAINS = {
    "any": lambda r, s: r.standard_normal(s),
    "unit": lambda r, s: r.uniform(-0.9, 0.9, s),  # |x| < 1
    "prob": lambda r, s: r.uniform(0.1, 0.9, s),  # 0 < x < 1
    "pos": lambda r, s: r.uniform(0.5, 2.0, s),
    "gt1": lambda r, s: r.uniform(1.2, 3.0, s),
    "away0": lambda r, s: r.choice([-1, 1], s) * r.uniform(0.5, 2.0, s),  # |x| ≥ 0.5: no sign change nearby
}


def leaf(shape, seed=0, domain="any"):
    r = np.random.default_rng(seed)
    return ag.tensor(DOMAINS[domain](r, shape), dtype=ag.float64, requires_grad=True)


def check(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


# name -> (function of x, domain); the rounding ops appear multiplied by x, so that their zero derivative is checked
# inside a product rule.
UNARY = {
    "tan": (ag.tan, "unit"),
    "asin": (ag.asin, "unit"),
    "acos": (ag.acos, "unit"),
    "atan": (ag.atan, "any"),
    "sinh": (ag.sinh, "any"),
    "cosh": (ag.cosh, "any"),
    "asinh": (ag.asinh, "any"),
    "acosh": (ag.acosh, "gt1"),
    "atanh": (ag.atanh, "unit"),
    "exp2": (ag.exp2, "any"),
    "expm1": (ag.expm1, "any"),
    "log2": (ag.log2, "pos"),
    "log10": (ag.log10, "pos"),
    "rsqrt": (ag.rsqrt, "pos"),
    "square": (ag.square, "any"),
    "reciprocal": (ag.reciprocal, "away0"),
    "erfc": (ag.erfc, "any"),
    "erfinv": (ag.erfinv, "unit"),
    "sinc": (ag.sinc, "any"),
    "deg2rad": (ag.deg2rad, "any"),
    "rad2deg": (ag.rad2deg, "any"),
    "logit": (ag.logit, "prob"),
    "logit_eps": (lambda x: ag.logit(x, eps=0.2), "unit"),  # values on both sides of the clamp
    "nan_to_num": (ag.nan_to_num, "any"),
    "negative": (ag.negative, "any"),
    "positive": (lambda x: ag.positive(x) * 1, "any"),
    "clamp_min": (lambda x: ag.clamp_min(x, 0.1), "any"),
    "clamp_max": (lambda x: ag.clamp_max(x, 0.1), "any"),
    "copysign_scalar": (lambda x: ag.copysign(x, -1.0), "away0"),
    "float_power_scalar": (lambda x: ag.float_power(x, 2.5), "pos"),
    "xlogy_scalar_y": (lambda x: ag.xlogy(x, 3.0), "any"),
    "xlogy_scalar_x": (lambda x: ag.xlogy(3.0, x), "pos"),
    "lerp_scalar_weight": (lambda x: ag.lerp(x, x * x, 0.3), "any"),
    "lerp_weight_high": (lambda x: ag.lerp(x, x.sin(), 0.8), "any"),  # torch's second formula, w ≥ 0.5
    "remainder_scalar": (lambda x: ag.remainder(x, 0.7), "any"),
    "rremainder_scalar": (lambda x: ag.remainder(2.5, x), "away0"),
    "fmod_scalar": (lambda x: ag.fmod(x, -0.7), "any"),
    "frac": (ag.frac, "any"),
    "floor": (lambda x: ag.floor(x) * x, "any"),
    "ceil": (lambda x: ag.ceil(x) * x, "any"),
    "round": (lambda x: ag.round(x) * x, "any"),
    "round_decimals": (lambda x: ag.round(x, decimals=1) * x, "any"),
    "trunc": (lambda x: ag.trunc(x) * x, "any"),
    "sgn": (lambda x: ag.sgn(x) * x, "away0"),
    "div_floor": (lambda x: ag.div(x, 0.3, rounding_mode="floor") * x, "any"),
    "div_trunc": (lambda x: ag.div(x, 0.3, rounding_mode="trunc") * x, "any"),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@SETTINGS
@given(shape=array_shapes(min_dims=0, max_dims=3, max_side=3))
def test_unary_gradients(name, shape):
    fn, domain = UNARY[name]
    check(fn, leaf(shape, 4, domain))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradients_on_a_transposed_view(name):
    fn, domain = UNARY[name]
    x = leaf((3, 2), 5, domain)
    check(lambda x: fn(x.t()), x)


# name -> (function of the operands, domain of each)
BINARY = {
    "atan2": (ag.atan2, ("any", "any")),
    "hypot": (ag.hypot, ("any", "any")),
    "logaddexp": (ag.logaddexp, ("any", "any")),
    "xlogy": (ag.xlogy, ("any", "pos")),
    "copysign": (ag.copysign, ("away0", "away0")),
    "float_power": (ag.float_power, ("pos", "any")),
    "clamp_min": (ag.clamp_min, ("any", "any")),
    "clamp_max": (ag.clamp_max, ("any", "any")),
    "remainder": (ag.remainder, ("any", "away0")),
    "fmod": (ag.fmod, ("any", "away0")),
    "true_divide": (ag.true_divide, ("any", "away0")),
    "div_floor": (lambda a, b: ag.div(a, b, rounding_mode="floor") * a * b, ("any", "away0")),
    "lerp": (lambda a, b: ag.lerp(a, b, 0.3), ("any", "any")),
    "addcmul": (lambda a, b: ag.addcmul(a, a, b, value=0.5), ("any", "any")),
    "addcdiv": (lambda a, b: ag.addcdiv(b, a, b, value=2), ("any", "away0")),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
def test_binary_gradients_with_broadcasting(name, shapes):
    fn, (da, db) = BINARY[name]
    check(fn, leaf(shapes.input_shapes[0], 1, da), leaf(shapes.input_shapes[1], 2, db))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_gradients_on_a_transposed_view(name):
    fn, (da, db) = BINARY[name]
    check(lambda a, b: fn(a.t(), b), leaf((3, 2), 1, da), leaf((2, 3), 2, db))


TERNARY = {
    "lerp": (lambda a, b, w: ag.lerp(a, b, w), ("any", "any", "unit")),
    "addcmul": (lambda a, b, c: ag.addcmul(a, b, c, value=-1.5), ("any", "any", "any")),
    "addcdiv": (lambda a, b, c: ag.addcdiv(a, b, c, value=0.5), ("any", "any", "away0")),
}


@pytest.mark.parametrize("name", sorted(TERNARY))
@SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
def test_ternary_gradients_with_broadcasting(name, shapes):
    fn, domains = TERNARY[name]
    check(fn, *[leaf(s, i, d) for i, (s, d) in enumerate(zip(shapes.input_shapes, domains))])


# ---- in place: a non-leaf, and a view of one ----------------------------------------------------------------------
# name -> (in-place call, its out-of-place twin, domain)
INPLACE = {
    "tan_": (lambda y: y.tan_(), ag.tan, "unit"),
    "asin_": (lambda y: y.asin_(), ag.asin, "unit"),
    "arccos_": (lambda y: y.arccos_(), ag.acos, "unit"),
    "atan_": (lambda y: y.atan_(), ag.atan, "any"),
    "atan2_": (lambda y: y.atan2_(y * 2 + 1), lambda y: ag.atan2(y, y * 2 + 1), "any"),
    "sinh_": (lambda y: y.sinh_(), ag.sinh, "any"),
    "cosh_": (lambda y: y.cosh_(), ag.cosh, "any"),
    "asinh_": (lambda y: y.asinh_(), ag.asinh, "any"),
    "acosh_": (lambda y: y.acosh_(), ag.acosh, "gt1"),
    "arctanh_": (lambda y: y.arctanh_(), ag.atanh, "unit"),
    "sin_": (lambda y: y.sin_(), ag.sin, "any"),
    "cos_": (lambda y: y.cos_(), ag.cos, "any"),
    "exp2_": (lambda y: y.exp2_(), ag.exp2, "any"),
    "expm1_": (lambda y: y.expm1_(), ag.expm1, "any"),
    "log2_": (lambda y: y.log2_(), ag.log2, "pos"),
    "log10_": (lambda y: y.log10_(), ag.log10, "pos"),
    "log1p_": (lambda y: y.log1p_(), ag.log1p, "pos"),
    "rsqrt_": (lambda y: y.rsqrt_(), ag.rsqrt, "pos"),
    "square_": (lambda y: y.square_(), ag.square, "any"),
    "reciprocal_": (lambda y: y.reciprocal_(), ag.reciprocal, "away0"),
    "erf_": (lambda y: y.erf_(), ag.erf, "any"),
    "erfc_": (lambda y: y.erfc_(), ag.erfc, "any"),
    "erfinv_": (lambda y: y.erfinv_(), ag.erfinv, "unit"),
    "sinc_": (lambda y: y.sinc_(), ag.sinc, "any"),
    "deg2rad_": (lambda y: y.deg2rad_(), ag.deg2rad, "any"),
    "rad2deg_": (lambda y: y.rad2deg_(), ag.rad2deg, "any"),
    "logit_": (lambda y: y.logit_(0.25), lambda y: ag.logit(y, 0.25), "prob"),
    "xlogy_": (lambda y: y.xlogy_(y.exp()), lambda y: ag.xlogy(y, y.exp()), "any"),
    "hypot_": (lambda y: y.hypot_(y + 3), lambda y: ag.hypot(y, y + 3), "any"),
    "lerp_": (lambda y: y.lerp_(y.exp(), 0.7), lambda y: ag.lerp(y, y.exp(), 0.7), "any"),
    # (the other operands are made from y by ops that do not keep y: changing y in place would otherwise make
    # their backward fail, in torch as here)
    "addcmul_": (lambda y: y.addcmul_(y + 1, y * 2, value=2), lambda y: ag.addcmul(y, y + 1, y * 2, value=2), "any"),
    "addcdiv_": (lambda y: y.addcdiv_(y + 1, y * 0.5 + 3, value=-1),
                 lambda y: ag.addcdiv(y, y + 1, y * 0.5 + 3, value=-1), "any"),
    "clamp_min_": (lambda y: y.clamp_min_(0.2), lambda y: ag.clamp_min(y, 0.2), "any"),
    "clamp_max_": (lambda y: y.clamp_max_(0.2), lambda y: ag.clamp_max(y, 0.2), "any"),
    "copysign_": (lambda y: y.copysign_(-1), lambda y: ag.copysign(y, -1), "away0"),
    "float_power_": (lambda y: y.float_power_(3), lambda y: ag.float_power(y, 3), "any"),
    "nan_to_num_": (lambda y: y.nan_to_num_(), ag.nan_to_num, "any"),
    "negative_": (lambda y: y.negative_(), ag.negative, "any"),
    "true_divide_": (lambda y: y.true_divide_(1.5), lambda y: ag.true_divide(y, 1.5), "any"),
    "remainder_": (lambda y: y.remainder_(0.6), lambda y: ag.remainder(y, 0.6), "any"),
    "imod": (lambda y: _imod(y, 0.6), lambda y: ag.remainder(y, 0.6), "any"),
    "fmod_": (lambda y: y.fmod_(0.6), lambda y: ag.fmod(y, 0.6), "any"),
    "frac_": (lambda y: y.frac_(), ag.frac, "any"),
    "floor_": (lambda y: y.floor_(), ag.floor, "any"),
    "ceil_": (lambda y: y.ceil_(), ag.ceil, "any"),
    "round_": (lambda y: y.round_(decimals=1), lambda y: ag.round(y, decimals=1), "any"),
    "trunc_": (lambda y: y.trunc_(), ag.trunc, "any"),
    "fix_": (lambda y: y.fix_(), ag.fix, "any"),
    "sgn_": (lambda y: y.sgn_(), ag.sgn, "any"),
    "sign_": (lambda y: y.sign_(), ag.sign, "any"),
    "div_floor_": (lambda y: y.div_(0.4, rounding_mode="floor"), lambda y: ag.div(y, 0.4, rounding_mode="floor"),
                   "any"),
}


def _imod(y, other):
    y %= other
    return y


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_in_place_on_a_non_leaf(name):
    inplace, twin, domain = INPLACE[name]
    x = leaf((2, 3), 6, domain)

    def fn(x):
        y = x * 1  # a non-leaf
        out = inplace(y)
        assert out is y
        return y * x  # uses y after the in-place op, and x again

    np.testing.assert_allclose(fn(x).array, (twin(x * 1) * x).array, rtol=1e-12)
    check(fn, x)


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_in_place_on_a_view_of_a_non_leaf(name):
    inplace, twin, domain = INPLACE[name]
    x = leaf((3, 2), 7, domain)

    def fn(x):
        y = x * 1
        inplace(y.t()[1])  # the second column of y, through a view of a view
        return y

    expected = x.detach().array.copy()
    expected[:, 1] = twin(x.detach()[:, 1]).array
    np.testing.assert_allclose(fn(x).array, expected, rtol=1e-12)
    check(fn, x)


def test_in_place_keeps_integer_dtype_and_refuses_a_float_result():
    i = ag.tensor([7, -7, 2])
    assert i.floor_() is i and i.tolist() == [7, -7, 2]
    i //= 2
    assert i.dtype == ag.int64 and i.tolist() == [3, -4, 1]
    i %= 3
    assert i.tolist() == [0, 2, 1]
    i.div_(-2, rounding_mode="trunc")
    assert i.tolist() == [0, -1, 0]
    with pytest.raises(RuntimeError, match="can't be cast"):
        ag.tensor([1, 2]).sin_()
    with pytest.raises(RuntimeError, match="float64"):
        ag.tensor([1.0, 2.0]).float_power_(2)
    with pytest.raises(RuntimeError, match="broadcast shape"):
        ag.tensor([1.0, 2.0]).lerp_(ag.tensor([[2.0, 3.0]]), 0.5)


def test_in_place_on_a_leaf_that_requires_grad_is_refused():
    with pytest.raises(RuntimeError, match="leaf"):
        leaf((2,)).floor_()


# ---- values --------------------------------------------------------------------------------------------------------
X = np.array([-0.9, -0.35, 0.0, 0.2, 0.75])
NUMPY_UNARY = {
    "tan": np.tan, "asin": np.arcsin, "arcsin": np.arcsin, "acos": np.arccos, "arccos": np.arccos,
    "atan": np.arctan, "arctan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "asinh": np.arcsinh,
    "arcsinh": np.arcsinh, "atanh": np.arctanh, "arctanh": np.arctanh, "exp2": np.exp2, "expm1": np.expm1,
    "square": np.square, "sinc": np.sinc, "deg2rad": np.deg2rad, "rad2deg": np.rad2deg, "negative": np.negative,
    "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc, "fix": np.fix, "sgn": np.sign,
    "erfc": np.frompyfunc(math.erfc, 1, 1), "frac": lambda x: x - np.trunc(x), "positive": lambda x: x,
    "nan_to_num": np.nan_to_num, "signbit": np.signbit, "isnan": np.isnan, "isinf": np.isinf,
    "isfinite": np.isfinite, "isposinf": np.isposinf, "isneginf": np.isneginf, "isreal": np.isreal,
}


@pytest.mark.parametrize("name", sorted(NUMPY_UNARY))
def test_unary_values_against_numpy(name):
    x = ag.tensor(X, dtype=ag.float64)
    expected = np.asarray(NUMPY_UNARY[name](X), dtype=np.float64 if name != "signbit" else bool)
    for out in (getattr(ag, name)(x), getattr(x, name)()):  # the function and the Tensor method
        np.testing.assert_allclose(out.array.astype(np.float64), expected.astype(np.float64), rtol=1e-14,
                                   atol=1e-15)


@pytest.mark.parametrize("name, fn, x", [
    ("acosh", np.arccosh, [1.0, 1.5, 4.0]), ("log2", np.log2, [0.5, 1.0, 8.0]), ("log10", np.log10, [0.1, 1.0, 1e3]),
    ("rsqrt", lambda x: 1 / np.sqrt(x), [0.25, 1.0, 4.0]), ("reciprocal", np.reciprocal, [-2.0, 0.5, 4.0]),
    ("logit", lambda p: np.log(p / (1 - p)), [0.1, 0.5, 0.8]),
])
def test_unary_values_on_their_domains(name, fn, x):
    np.testing.assert_allclose(getattr(ag, name)(ag.tensor(x, dtype=ag.float64)).array, fn(np.array(x)), rtol=1e-14)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns about the NaN/inf these make; torch does not
def test_hand_computed_values():
    t = ag.tensor
    assert ag.log2(t([8.0])).item() == 3.0 and ag.log10(t([1000.0], dtype=ag.float64)).item() == 3.0
    assert ag.exp2(t([10.0])).item() == 1024.0 and ag.rsqrt(t([4.0])).item() == 0.5
    assert ag.sinc(t([0.0, 1.0, 0.5], dtype=ag.float64)).array == pytest.approx([1.0, 0.0, 2 / math.pi], abs=1e-15)
    assert ag.erfinv(t([0.0, 0.5, -0.5], dtype=ag.float64)).tolist() == pytest.approx(
        [0.0, 0.4769362762044699, -0.4769362762044699], rel=1e-15)
    assert ag.erfinv(t([1.0, -1.0, 1.5, math.nan])).tolist()[:2] == [math.inf, -math.inf]
    assert np.isnan(ag.erfinv(t([1.5, math.nan])).array).all()
    y = np.array([-0.999999, -0.3, 1e-12, 0.6, 0.99999999])  # erf undoes erfinv, in the tails too
    assert ag.erf(ag.erfinv(t(y, dtype=ag.float64))).array == pytest.approx(y, rel=1e-15, abs=1e-20)
    assert ag.logit(t([0.0, 1.0, 0.05, 0.5]), eps=0.1).array == pytest.approx(
        [math.log(1 / 9), math.log(9), math.log(1 / 9), 0.0], rel=1e-6)
    assert ag.hypot(t([3.0]), t([4.0])).item() == 5.0
    assert ag.logaddexp(t([1000.0]), t([1000.0])).item() == pytest.approx(1000 + math.log(2))  # no overflow
    assert ag.xlogy(t([0.0, 0.0, 2.0, 0.0]), t([0.0, 5.0, math.e, math.nan])).array[:3] == pytest.approx(
        [0.0, 0.0, 2.0])
    assert math.isnan(ag.xlogy(t([0.0]), t([math.nan])).item())
    assert ag.copysign(t([1.0, 2.0, -3.0]), t([-0.0, -1.0, 0.0])).tolist() == [-1.0, -2.0, 3.0]
    assert ag.float_power(t([2]), 10).item() == 1024.0
    assert ag.lerp(t([1.0, 0.1]), t([3.0, 0.3]), 1.0).tolist() == t([3.0, 0.3]).tolist()  # exact at w = 1
    assert ag.lerp(t([1.0]), t([3.0]), t([0.25])).item() == 1.5
    assert ag.addcmul(t([1.0]), t([2.0]), t([3.0]), value=0.5).item() == 4.0
    assert ag.addcdiv(t([1.0]), t([2.0]), t([4.0]), value=-2).item() == 0.0
    assert ag.clamp_min(t([-1.0, 2.0]), t([0.0, 3.0])).tolist() == [0.0, 3.0]
    assert ag.clamp_max(t([-1.0, 2.0]), 0.5).tolist() == [-1.0, 0.5]
    assert ag.atan2(t([1.0, 1.0]), t([1.0, -1.0])).array == pytest.approx([math.pi / 4, 3 * math.pi / 4])
    assert ag.heaviside(t([-1.0, 0.0, 2.0, math.nan]), t([0.5])).tolist() == [0.0, 0.5, 1.0, 0.0]
    assert ag.heaviside(t([-1, 0, 3]), t([7])).tolist() == [0, 7, 1]


def test_atan2_at_the_origin_and_its_signed_zeros():
    a = ag.tensor([0.0, 0.0, -0.0, -0.0], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([0.0, -0.0, 0.0, -0.0], dtype=ag.float64, requires_grad=True)
    out = ag.atan2(a, b)
    assert out.tolist() == [0.0, math.pi, -0.0, -math.pi]
    out.sum().backward()
    assert a.grad.tolist() == [0.0] * 4 and b.grad.tolist() == [0.0] * 4  # 0 at the origin, as torch


def test_round_half_to_even_and_decimals():
    x = ag.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49])
    assert ag.round(x).tolist() == [0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 0.0]
    assert x.round(decimals=1).tolist() == pytest.approx([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.5])
    assert ag.round(ag.tensor([1.25, 1.35, -0.125], dtype=ag.float64), decimals=2).tolist() == [1.25, 1.35, -0.12]
    assert ag.round(ag.tensor([1250.0, 1350.0, -150.0]), decimals=-2).tolist() == [1200.0, 1400.0, -200.0]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns about the NaN/inf these make; torch does not
def test_remainder_fmod_and_rounded_division_with_negative_operands():
    a = ag.tensor([5.0, -5.0, 5.0, -5.0, 5.5, -5.5])
    b = ag.tensor([3.0, 3.0, -3.0, -3.0, -2.0, 2.0])
    assert ag.remainder(a, b).tolist() == [2.0, 1.0, -1.0, -2.0, -0.5, 0.5]  # the sign of b (Python's %)
    assert ag.fmod(a, b).tolist() == [2.0, -2.0, 2.0, -2.0, 1.5, -1.5]  # the sign of a (C's fmod)
    assert (a % b).tolist() == ag.remainder(a, b).tolist()
    assert ag.floor_divide(a, b).tolist() == [1.0, -2.0, -2.0, 1.0, -3.0, -3.0]
    assert (a // b).tolist() == ag.floor_divide(a, b).tolist()
    assert ag.div(a, b, rounding_mode="trunc").tolist() == [1.0, -1.0, -1.0, 1.0, -2.0, -2.0]
    assert ag.div(a, b, rounding_mode="floor").tolist() == [1.0, -2.0, -2.0, 1.0, -3.0, -3.0]
    i, j = ag.tensor([7, -7, 7, -7, 6]), ag.tensor([2, 2, -2, -2, -3])
    assert ag.remainder(i, j).tolist() == [1, 1, -1, -1, 0]
    assert ag.fmod(i, j).tolist() == [1, -1, 1, -1, 0]
    assert (i // j).tolist() == [3, -4, -4, 3, -2]
    assert ag.div(i, j, rounding_mode="trunc").tolist() == [3, -3, -3, 3, -2]
    assert (7 // ag.tensor([2, -2])).tolist() == [3, -4] and (7 % ag.tensor([2, -2])).tolist() == [1, -1]
    big = ag.tensor([2**62 + 1])  # integer division stays exact beyond float64's 53 bits
    assert ag.div(big, -1, rounding_mode="trunc").item() == -(2**62 + 1)
    assert ag.div(a, 0.0, rounding_mode="floor").tolist()[:2] == [math.inf, -math.inf]


def test_gradients_of_remainder_and_fmod_in_b():
    a = ag.tensor([5.5, -5.5], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([-2.0, 2.0], dtype=ag.float64, requires_grad=True)
    ag.remainder(a, b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [3.0, 3.0]  # −⌊a/b⌋
    a.grad = b.grad = None
    ag.fmod(a, b).sum().backward()
    assert b.grad.tolist() == [2.0, 2.0]  # −trunc(a/b)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns about the NaN/inf these make; torch does not
def test_nan_to_num_defaults_and_arguments():
    x = ag.tensor([math.nan, math.inf, -math.inf, 1.5])
    assert ag.nan_to_num(x).tolist() == [0.0, np.finfo(np.float32).max, np.finfo(np.float32).min, 1.5]
    assert x.double().nan_to_num().tolist()[1] == np.finfo(np.float64).max
    assert x.nan_to_num(nan=-1.0, posinf=9.0, neginf=-9.0).tolist() == [-1.0, 9.0, -9.0, 1.5]
    assert ag.nan_to_num(ag.tensor([1, 2]), nan=1.5).tolist() == [1, 2]
    y = ag.tensor([math.nan, math.inf, 2.0], dtype=ag.float64, requires_grad=True)
    ag.nan_to_num(y).sum().backward()
    assert y.grad.tolist() == [0.0, 0.0, 1.0]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns about the NaN/inf these make; torch does not
def test_edge_gradients_follow_torch():
    def grads(fn, *values):
        xs = [ag.tensor(v, dtype=ag.float64, requires_grad=True) for v in values]
        fn(*xs).sum().backward()
        return [x.grad.tolist() for x in xs]

    assert grads(lambda x: ag.logit(x, 0.1), [0.05, 0.1, 0.5, 0.95])[0] == pytest.approx([0, 1 / 0.09, 4, 0])
    g = grads(ag.logit, [0.5, 1.5, -0.5])[0]
    assert g[0] == 4 and math.isnan(g[1]) and math.isnan(g[2])  # no eps: outside [0, 1] the gradient is NaN
    assert grads(ag.sinc, [0.0]) == [[0.0]]
    assert grads(ag.copysign, [0.0, 2.0], [-1.0, -1.0]) == [[0.0, -1.0], [0.0, 0.0]]
    assert grads(ag.xlogy, [0.0, 0.0], [0.0, -1.0])[0] == [0.0, 0.0]
    assert grads(ag.clamp_min, [1.0, 0.0], [1.0, 1.0]) == [[1.0, 0.0], [0.0, 1.0]]  # a tie goes to x
    assert grads(ag.clamp_max, [1.0, 2.0], [1.0, 1.0]) == [[1.0, 0.0], [0.0, 1.0]]
    assert grads(ag.lerp, [1.0], [3.0], [0.25]) == [[0.75], [0.25], [2.0]]
    assert grads(lambda x: ag.frac(x) + ag.floor(x) + ag.round(x), [1.5, -2.5]) == [[1.0, 1.0]]
    assert all(math.isnan(v) for v in sum(grads(ag.hypot, [0.0], [0.0]), []))


def test_floor_divide_and_heaviside_have_no_derivative_as_in_torch():
    x = leaf((3,))
    y = ag.floor_divide(x, 2)
    assert y.requires_grad
    with pytest.raises(RuntimeError, match="floor_divide"):
        y.sum().backward()
    with pytest.raises(RuntimeError, match="heaviside"):
        (ag.heaviside(x, ag.tensor([0.5], dtype=ag.float64)) * x).sum().backward()


def test_bitwise_ops_and_operators():
    i, j = ag.tensor([12, 10, -1]), ag.tensor([10, 6, 3])
    assert ag.bitwise_and(i, j).tolist() == [8, 2, 3] and (i & j).tolist() == [8, 2, 3]
    assert ag.bitwise_or(i, j).tolist() == [14, 14, -1] and (i | j).tolist() == [14, 14, -1]
    assert ag.bitwise_xor(i, j).tolist() == [6, 12, -4] and (i ^ j).tolist() == [6, 12, -4]
    assert ag.bitwise_not(i).tolist() == [-13, -11, 0] and (~i).tolist() == [-13, -11, 0]
    assert (5 & i).tolist() == [4, 0, 5] and (1 | j).tolist() == [11, 7, 3] and (3 ^ j).tolist() == [9, 5, 0]
    m = ag.tensor([True, False, True])
    assert (~m).tolist() == [False, True, False] and (m & ag.tensor([True, True, False])).tolist() == [True, False,
                                                                                                      False]
    k = ag.tensor([1, 2, 3])
    memory = k.array
    k &= 2
    k |= 8
    k ^= 1
    assert k.tolist() == [9, 11, 11] and k.array is memory  # in place
    assert k.bitwise_not_() is k and k.tolist() == [-10, -12, -12]


# ---- dtypes --------------------------------------------------------------------------------------------------------
FLOAT_RESULT = ["tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "exp2", "expm1", "log2",
                "log10", "rsqrt", "reciprocal", "erfc", "erfinv", "sinc", "deg2rad", "rad2deg", "logit"]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns about the NaN/inf these make; torch does not
@pytest.mark.parametrize("name", FLOAT_RESULT)
def test_float_functions_promote_integers_and_keep_float_dtypes(name):
    fn = getattr(ag, name)
    assert fn(ag.tensor([1, 2])).dtype == ag.float32
    assert fn(ag.tensor([True, False])).dtype == ag.float32
    assert fn(ag.tensor([0.5], dtype=ag.float64)).dtype == ag.float64
    assert fn(ag.tensor([0.5], dtype=ag.float32)).dtype == ag.float32
    ag.set_default_dtype(ag.float64)
    assert fn(ag.tensor([1, 2])).dtype == ag.float64


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "fix", "square", "sgn", "nan_to_num",
                                  "negative", "positive"])
@pytest.mark.parametrize("dtype", [ag.int64, ag.int32, ag.uint8])
def test_integer_results_where_torch_keeps_integers(name, dtype):
    x = ag.tensor([1, 2, 3], dtype=dtype)
    out = getattr(ag, name)(x)
    assert out.dtype == dtype
    negated = np.negative(np.array([1, 2, 3], dtype=dtype)).tolist()  # (uint8 wraps around)
    special = {"square": [1, 4, 9], "sgn": [1, 1, 1], "negative": negated}
    assert out.tolist() == special.get(name, [1, 2, 3])
    if name != "positive":
        assert not np.shares_memory(out.array, x.array)  # a new tensor, as torch's


def test_result_dtypes():
    i, f, b = ag.tensor([3, 4]), ag.tensor([3.0, 4.0]), ag.tensor([True, False])
    assert ag.square(b).dtype == ag.int64 and ag.sgn(b).dtype == ag.bool
    for fn in (ag.isnan, ag.isinf, ag.isposinf, ag.isneginf, ag.isfinite, ag.isreal, ag.signbit):
        assert fn(i).dtype == ag.bool and fn(f).dtype == ag.bool
    assert ag.remainder(i, i).dtype == ag.int64 and ag.remainder(i, 2.5).dtype == ag.float32
    assert ag.fmod(ag.tensor([3], dtype=ag.int32), 2).dtype == ag.int32
    assert ag.floor_divide(i, 2).dtype == ag.int64 and ag.div(i, 2, rounding_mode="floor").dtype == ag.int64
    assert ag.true_divide(i, 2).dtype == ag.float32
    assert ag.float_power(i, 2).dtype == ag.float64 and ag.float_power(2, f).dtype == ag.float64
    assert ag.xlogy(i, i).dtype == ag.float32 and ag.xlogy(f.double(), f).dtype == ag.float64
    assert ag.xlogy(f, 2).dtype == ag.float32 and ag.xlogy(2, f).dtype == ag.float32
    assert ag.copysign(i, -1).dtype == ag.float32 and ag.atan2(i, i).dtype == ag.float32
    assert ag.clamp_min(i, 2).dtype == ag.int64 and ag.clamp_min(i, 2.5).dtype == ag.float32
    assert ag.clamp_max(f, ag.tensor([1.0], dtype=ag.float64)).dtype == ag.float64
    assert ag.hypot(f, f.double()).dtype == ag.float64
    assert ag.heaviside(i, ag.tensor([5])).dtype == ag.int64 and ag.heaviside(b, b).dtype == ag.bool
    assert ag.bitwise_and(ag.tensor([3], dtype=ag.int32), ag.tensor([5], dtype=ag.uint8)).dtype == ag.int32
    assert ag.bitwise_and(b, 3).dtype == ag.int64 and (b & True).dtype == ag.bool
    assert ag.addcmul(f, i, i).dtype == ag.float32 and ag.addcdiv(f, f.double(), f).dtype == ag.float64
    assert ag.lerp(f, f, ag.tensor(0.5)).dtype == ag.float32
    assert ag.positive(f) is f


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns about the NaN/inf these make; torch does not
# ---- bad input ----------------------------------------------------------------------------------------------------
def test_bad_input_raises_torchs_error_types():
    i, f, b = ag.tensor([3, 4]), ag.tensor([3.0, 4.0]), ag.tensor([True, False])
    cases = [
        (NotImplementedError, "bool", lambda: ag.floor(b)),
        (NotImplementedError, "decimals", lambda: ag.round(i, decimals=1)),
        (NotImplementedError, "frac", lambda: ag.frac(i)),
        (NotImplementedError, "hypot", lambda: ag.hypot(i, i)),
        (NotImplementedError, "logaddexp", lambda: ag.logaddexp(i, i)),
        (NotImplementedError, "lerp", lambda: ag.lerp(i, i, 0.5)),
        (NotImplementedError, "remainder", lambda: ag.remainder(b, b)),
        (NotImplementedError, "bitwise_and", lambda: ag.bitwise_and(f, f)),
        (NotImplementedError, "bitwise_or", lambda: f | 1),
        (NotImplementedError, "bitwise_not", lambda: ag.bitwise_not(f)),
        (TypeError, "invert", lambda: ~f),
        (TypeError, "'other'", lambda: ag.atan2(f, 2.0)),
        (TypeError, "'input'", lambda: ag.hypot(3.0, f)),
        (TypeError, "'end'", lambda: ag.lerp(f, 2.0, 0.5)),
        (TypeError, "'tensor2'", lambda: ag.addcmul(f, f, 2.0)),
        (TypeError, "'values'", lambda: ag.heaviside(f, 0.5)),
        (TypeError, "'input'", lambda: ag.fmod(2.0, f)),
        (TypeError, "Tensor", lambda: ag.xlogy(2.0, 3.0)),
        (RuntimeError, "`end`", lambda: ag.lerp(f, f.double(), 0.5)),
        (RuntimeError, "`weight`", lambda: ag.lerp(f, f, ag.tensor([0.5], dtype=ag.float64))),
        (RuntimeError, "different dtypes", lambda: ag.heaviside(f, ag.tensor([1], dtype=ag.int64))),
        (RuntimeError, "integer division", lambda: ag.addcdiv(f, i, i)),
        (RuntimeError, "rounding_mode", lambda: ag.div(f, f, rounding_mode="round")),
        (RuntimeError, "ZeroDivisionError", lambda: ag.remainder(i, 0)),
        (RuntimeError, "ZeroDivisionError", lambda: ag.fmod(i, ag.tensor([1, 0]))),
        (RuntimeError, "ZeroDivisionError", lambda: i // 0),
        (RuntimeError, "ZeroDivisionError", lambda: ag.div(i, 0, rounding_mode="trunc")),
        (RuntimeError, "bool", lambda: ag.positive(b)),
        (RuntimeError, "bool", lambda: ag.negative(b)),
    ]
    for error, words, call in cases:
        with pytest.raises(error, match=words):
            call()
    assert np.isnan(ag.remainder(f, 0).array).all()  # floats divide by zero without an error: NaN, as torch


def test_clamp_ties_dtypes_and_sign_of_bool():
    """Fixed alongside: a tensor bound's tie gives the gradient to x (as torch), an int tensor clamped to a float
    bound becomes the default float dtype, and sign of a bool tensor is itself."""
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    m = ag.tensor([1.0, 0.0], requires_grad=True)
    ag.clamp(x, min=m).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0] and m.grad.tolist() == [0.0, 0.0]
    assert ag.clamp(ag.tensor([1, 5, 9]), 2.5).dtype == ag.float32
    assert ag.clamp(ag.tensor([1, 5, 9]), 2, 6).dtype == ag.int64
    assert ag.sign(ag.tensor([True, False])).tolist() == [True, False]
