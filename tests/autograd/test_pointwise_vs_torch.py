"""Optional: elementwise math, rounding, predicates and bitwise ops give torch's values, gradients, result dtypes and
error types, on random inputs and on the edge cases (skipped without torch)."""

import math

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns where torch silently makes NaN/inf

DOMAINS = {
    "any": lambda r, s: r.standard_normal(s) * 2,
    "unit": lambda r, s: r.uniform(-0.95, 0.95, s),
    "prob": lambda r, s: r.uniform(0.02, 0.98, s),
    "pos": lambda r, s: r.uniform(0.05, 5.0, s),
    "gt1": lambda r, s: r.uniform(1.01, 5.0, s),
    "away0": lambda r, s: r.choice([-1, 1], s) * r.uniform(0.3, 3.0, s),
}


def both(values, dtype="float64", requires_grad=True):
    """The same data as a pathgrad tensor and a torch tensor."""
    arr = np.asarray(values, dtype=dtype)
    ours = ag.tensor(arr, dtype=arr.dtype, requires_grad=requires_grad and arr.dtype.kind == "f")
    theirs = torch.tensor(arr, requires_grad=requires_grad and arr.dtype.kind == "f")
    return ours, theirs


def same_dtype(ours, theirs):
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", ""), (ours.dtype, theirs.dtype)


def assert_values(ours, theirs, rtol=1e-12, atol=1e-14):
    same_dtype(ours, theirs)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.array.astype(np.float64), theirs.detach().numpy().astype(np.float64),
                               rtol=rtol, atol=atol, equal_nan=True)


def compare(fn_ours, fn_theirs, arrays, rtol=1e-12, atol=1e-14):
    """Values and the gradients of (out · g).sum() for random g, for every float input."""
    pairs = [both(a) for a in arrays]
    out, ref = fn_ours(*[p[0] for p in pairs]), fn_theirs(*[p[1] for p in pairs])
    assert_values(out, ref, rtol, atol)
    if not ref.requires_grad:
        return
    g = np.random.default_rng(9).standard_normal(ref.shape)
    (out * ag.tensor(g, dtype=ag.float64)).sum().backward()
    (ref * torch.tensor(g)).sum().backward()
    for ours, theirs in pairs:
        expected = torch.zeros_like(theirs) + (0 if theirs.grad is None else theirs.grad)  # (a ZeroTensor too)
        assert_values(ours.grad, expected, rtol, atol)


UNARY = {  # name -> domain (the function of the same name in each library)
    "tan": "unit", "asin": "unit", "arcsin": "unit", "acos": "unit", "arccos": "unit", "atan": "any",
    "arctan": "any", "sinh": "any", "cosh": "any", "asinh": "any", "arcsinh": "any", "acosh": "gt1",
    "arccosh": "gt1", "atanh": "unit", "arctanh": "unit", "exp2": "any", "expm1": "any", "log2": "pos",
    "log10": "pos", "rsqrt": "pos", "square": "any", "reciprocal": "away0", "erfc": "any", "erfinv": "unit",
    "sinc": "any", "deg2rad": "any", "rad2deg": "any", "logit": "prob", "nan_to_num": "any", "negative": "any",
    "positive": "any", "frac": "any", "floor": "any", "ceil": "any", "round": "any", "trunc": "any", "fix": "any",
    "sgn": "any", "sign": "any",
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_values_and_gradients(name):
    x = DOMAINS[UNARY[name]](np.random.default_rng(1), (4, 5))
    compare(getattr(ag, name), getattr(torch, name), [x], rtol=1e-10 if name == "erfinv" else 1e-12)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_methods_in_float32(name):
    x = DOMAINS[UNARY[name]](np.random.default_rng(2), (50,))
    ours, theirs = both(x, "float32", requires_grad=False)
    assert_values(getattr(ours, name)(), getattr(theirs, name)(), rtol=3e-6, atol=1e-6)


# torch has these in place, but without a derivative ("the derivative for 'inplace version of asinh' is not
# implemented"); pathgrad's have one: the reference is then torch's out-of-place op copied into the view.
NO_TORCH_INPLACE_DERIVATIVE = {"asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh"}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_in_place_methods(name):
    if not hasattr(torch.Tensor, name + "_"):  # positive has none
        assert not hasattr(ag.Tensor, name + "_")
        return
    x = DOMAINS[UNARY[name]](np.random.default_rng(3), (3, 4))
    a, b = both(x)
    ours, theirs = a * 1, b * 1
    getattr(ours.t()[1], name + "_")()  # a view of a non-leaf
    if name in NO_TORCH_INPLACE_DERIVATIVE:
        theirs.t()[1].copy_(getattr(torch, name)(theirs.t()[1].clone()))
    else:
        getattr(theirs.t()[1], name + "_")()
    assert_values(ours, theirs)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    assert_values(a.grad, b.grad)


BINARY = {  # name -> domains of the two operands
    "atan2": ("any", "any"), "arctan2": ("any", "any"), "hypot": ("any", "any"), "logaddexp": ("any", "any"),
    "xlogy": ("any", "pos"), "copysign": ("any", "away0"), "float_power": ("pos", "any"),
    "clamp_min": ("any", "any"), "clamp_max": ("any", "any"), "remainder": ("any", "away0"),
    "fmod": ("any", "away0"), "true_divide": ("any", "away0"), "heaviside": ("any", "any"),
    "floor_divide": ("any", "away0"),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_values_and_gradients_with_broadcasting(name):
    r = np.random.default_rng(4)
    da, db = BINARY[name]
    a, b = DOMAINS[da](r, (3, 1, 4)), DOMAINS[db](r, (5, 1))
    if name in ("heaviside", "floor_divide"):  # torch defines no derivative: values only
        pa, pb = both(a, requires_grad=False), both(b, requires_grad=False)
        assert_values(getattr(ag, name)(pa[0], pb[0]), getattr(torch, name)(pa[1], pb[1]))
        return
    compare(getattr(ag, name), getattr(torch, name), [a, b])


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_in_place_methods(name):
    if not hasattr(torch.Tensor, name + "_"):  # logaddexp has none
        assert not hasattr(ag.Tensor, name + "_")
        return
    if name in ("heaviside", "floor_divide"):
        return  # no derivative in torch; their values are compared above
    r = np.random.default_rng(5)
    da, db = BINARY[name]
    a, b = DOMAINS[da](r, (3, 4)), DOMAINS[db](r, (4,))
    (x, tx), (y, ty) = both(a), both(b)
    ours, theirs = x * 1, tx * 1
    getattr(ours, name + "_")(y)
    getattr(theirs, name + "_")(ty)
    assert_values(ours, theirs)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    assert_values(x.grad, tx.grad)
    assert_values(y.grad, ty.grad if ty.grad is not None else torch.zeros_like(ty))


@pytest.mark.parametrize("case", ["lerp_scalar", "lerp_scalar_high", "lerp_tensor", "addcmul", "addcdiv",
                                  "div_trunc", "div_floor", "round_decimals", "round_negative_decimals",
                                  "logit_eps", "xlogy_scalar_x", "xlogy_scalar_y", "float_power_scalar_base",
                                  "clamp_min_scalar", "copysign_scalar"])
def test_functions_with_arguments(case):
    r = np.random.default_rng(6)
    x, y, w = DOMAINS["any"](r, (3, 4)), DOMAINS["away0"](r, (4,)), DOMAINS["prob"](r, (3, 1))
    cases = {
        "lerp_scalar": (lambda m, a, b: m.lerp(a, b, 0.3), [x, y]),
        "lerp_scalar_high": (lambda m, a, b: m.lerp(a, b, 0.7), [x, y]),
        "lerp_tensor": (lambda m, a, b, c: m.lerp(a, b, c), [x, y, w]),
        "addcmul": (lambda m, a, b, c: m.addcmul(a, b, c, value=-1.5), [x, y, w]),
        "addcdiv": (lambda m, a, b, c: m.addcdiv(a, c, b, value=0.5), [x, y, w]),
        "div_trunc": (lambda m, a, b: m.div(a, b, rounding_mode="trunc"), [x, y]),
        "div_floor": (lambda m, a, b: m.div(a, b, rounding_mode="floor"), [x, y]),
        "round_decimals": (lambda m, a: m.round(a * 100, decimals=1), [x]),
        "round_negative_decimals": (lambda m, a: m.round(a * 1000, decimals=-2), [x]),
        "logit_eps": (lambda m, a: m.logit(a, eps=0.2), [w * 1.4 - 0.2]),
        "xlogy_scalar_x": (lambda m, b: m.xlogy(2.5, b.abs()), [y]),
        "xlogy_scalar_y": (lambda m, a: m.xlogy(a, 3.0), [x]),
        "float_power_scalar_base": (lambda m, a: m.float_power(2, a), [x]),
        "clamp_min_scalar": (lambda m, a: m.clamp_min(a, 0.2), [x]),
        "copysign_scalar": (lambda m, a: m.copysign(a, -0.0), [x]),
    }
    fn, arrays = cases[case]
    compare(lambda *t: fn(ag, *t), lambda *t: fn(torch, *t), arrays)


def test_remainder_with_a_number_first():
    """torch has no derivative for remainder(number, tensor) ("derivative for aten::remainder is not implemented");
    pathgrad's is −⌊a/b⌋ as for two tensors: values are compared with torch, the gradient with that formula."""
    (b, tb) = both([0.7, -1.3, 2.0, -0.4])
    out = ag.remainder(2.5, b)
    assert_values(out, torch.remainder(2.5, tb.detach()))
    out.sum().backward()
    np.testing.assert_array_equal(b.grad.array, -np.floor(2.5 / b.detach().array))


# ---- edge cases -----------------------------------------------------------------------------------------------------
EDGES = {
    "atan2_at_zeros": (lambda m, a, b: m.atan2(a, b), [[0.0, 0.0, -0.0, -0.0, 1.0], [0.0, -0.0, 0.0, -0.0, 0.0]]),
    "hypot_at_origin": (lambda m, a, b: m.hypot(a, b), [[0.0, 3.0], [0.0, -4.0]]),
    "remainder_negative": (lambda m, a, b: m.remainder(a, b), [[5.0, -5.0, 5.0, -5.0, 5.5, -0.0, 3.0],
                                                               [3.0, 3.0, -3.0, -3.0, -2.0, 2.0, 1.5]]),
    "fmod_negative": (lambda m, a, b: m.fmod(a, b), [[5.0, -5.0, 5.0, -5.0, 5.5, -0.0, 3.0],
                                                     [3.0, 3.0, -3.0, -3.0, -2.0, 2.0, 1.5]]),
    "remainder_by_inf": (lambda m, a: m.remainder(a, math.inf), [[5.0, -5.0]]),
    "fmod_by_zero": (lambda m, a: m.fmod(a, 0.0), [[5.0, -5.0]]),
    "round_half_even": (lambda m, a: m.round(a), [[0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 0.49999999999999994]]),
    "round_decimals_half": (lambda m, a: m.round(a, decimals=2), [[0.125, 0.135, -0.125, 2.675, 1e300]]),
    "nan_to_num_defaults": (lambda m, a: m.nan_to_num(a), [[math.nan, math.inf, -math.inf, 1.0, -0.0]]),
    "nan_to_num_given": (lambda m, a: m.nan_to_num(a, nan=2.0, posinf=-1.0, neginf=1.0), [[math.nan, math.inf,
                                                                                             -math.inf, 3.0]]),
    "logit_eps_edges": (lambda m, a: m.logit(a, eps=0.1), [[0.0, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0, 1.5]]),
    "logit_no_eps_edges": (lambda m, a: m.logit(a), [[0.0, 0.5, 1.0, 1.5, -0.5]]),
    "xlogy_zeros": (lambda m, a, b: m.xlogy(a, b), [[0.0, 0.0, 0.0, 0.0, 1.0, 2.0], [0.0, -1.0, 2.0, math.nan, 0.0,
                                                                                     -1.0]]),
    "copysign_signed_zeros": (lambda m, a, b: m.copysign(a, b), [[0.0, -0.0, 2.0, -2.0, 3.0],
                                                                 [1.0, -1.0, -0.0, 0.0, math.nan]]),
    "logaddexp_infinities": (lambda m, a, b: m.logaddexp(a, b), [[1.0, -math.inf, math.inf, -math.inf, 800.0],
                                                                 [2.0, -math.inf, math.inf, 3.0, 800.0]]),
    "clamp_min_ties": (lambda m, a, b: m.clamp_min(a, b), [[1.0, 0.0, -1.0, math.nan], [1.0, 1.0, -1.0, 0.0]]),
    "clamp_max_ties": (lambda m, a, b: m.clamp_max(a, b), [[1.0, 2.0, -1.0], [1.0, 1.0, -1.0]]),
    "sinc_at_zero": (lambda m, a: m.sinc(a), [[0.0, 1.0, -2.0, 0.5]]),
    "acosh_atanh_at_one": (lambda m, a: m.acosh(a) + m.atanh(a * 0.5), [[1.0, 2.0]]),
    "erfinv_edges": (lambda m, a: m.erfinv(a), [[1.0, -1.0, 0.0, 1.5, 0.999999, -0.9999999999]]),
    "rsqrt_reciprocal_at_zero": (lambda m, a: m.rsqrt(a) + m.reciprocal(a), [[0.0, 4.0]]),
    "frac_signs": (lambda m, a: m.frac(a), [[-1.5, 1.25, -0.0, 3.0]]),
    "sgn_zero": (lambda m, a: m.sgn(a), [[0.0, -0.0, -2.0, 3.0]]),
    "lerp_ends": (lambda m, a, b: m.lerp(a, b, 1.0) + m.lerp(a, b, 0.0), [[0.1, 1e10], [0.3, -1e-10]]),
    "float_power_zero_base": (lambda m, a, b: m.float_power(a, b), [[0.0, 0.0, 2.0], [2.0, 0.0, -1.0]]),
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_edge_cases(name):
    fn, arrays = EDGES[name]
    compare(lambda *t: fn(ag, *t), lambda *t: fn(torch, *t), arrays, rtol=1e-10)


def test_signbit_predicates_and_heaviside():
    data = [-0.0, 0.0, -1.0, 2.0, math.nan, -math.nan, math.inf, -math.inf]
    for dtype in ("float64", "float32"):
        ours, theirs = both(data, dtype, requires_grad=False)
        for name in ("signbit", "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal"):
            assert_values(getattr(ag, name)(ours), getattr(torch, name)(theirs))
            assert_values(getattr(ours, name)(), getattr(theirs, name)())
        v, tv = both([0.5], dtype, requires_grad=False)
        assert_values(ag.heaviside(ours, v), torch.heaviside(theirs, tv))


INTEGER_OPS = {
    "floor": lambda m, i, j: m.floor(i), "ceil": lambda m, i, j: m.ceil(i), "round": lambda m, i, j: m.round(i),
    "trunc": lambda m, i, j: m.trunc(i), "square": lambda m, i, j: m.square(i), "sgn": lambda m, i, j: m.sgn(i),
    "nan_to_num": lambda m, i, j: m.nan_to_num(i), "negative": lambda m, i, j: m.negative(i),
    "remainder": lambda m, i, j: m.remainder(i, j), "fmod": lambda m, i, j: m.fmod(i, j),
    "floor_divide": lambda m, i, j: m.floor_divide(i, j), "floordiv": lambda m, i, j: i // j,
    "mod": lambda m, i, j: i % j, "rfloordiv": lambda m, i, j: 17 // j, "rmod": lambda m, i, j: 17 % j,
    "div_trunc": lambda m, i, j: m.div(i, j, rounding_mode="trunc"),
    "div_floor": lambda m, i, j: m.div(i, j, rounding_mode="floor"), "true_divide": lambda m, i, j: m.true_divide(i, j),
    "xlogy": lambda m, i, j: m.xlogy(i, j), "copysign": lambda m, i, j: m.copysign(i, j),
    "atan2": lambda m, i, j: m.atan2(i, j), "float_power": lambda m, i, j: m.float_power(i, 2),
    "clamp_min": lambda m, i, j: m.clamp_min(i, 2.5), "clamp_max": lambda m, i, j: m.clamp_max(i, j),
    "heaviside": lambda m, i, j: m.heaviside(i, j), "bitwise_and": lambda m, i, j: m.bitwise_and(i, j),
    "bitwise_or": lambda m, i, j: i | j, "bitwise_xor": lambda m, i, j: i ^ j, "bitwise_not": lambda m, i, j: ~i,
    "rand": lambda m, i, j: 6 & i, "sinh": lambda m, i, j: m.sinh(i), "erfinv": lambda m, i, j: m.erfinv(i),
    "logit": lambda m, i, j: m.logit(i), "deg2rad": lambda m, i, j: m.deg2rad(i),
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
@pytest.mark.parametrize("name", sorted(INTEGER_OPS))
def test_integer_inputs_give_torchs_values_and_dtypes(name, dtype):
    i = [7, 0, 3, 12, 5] if dtype == "uint8" else [7, -7, 0, 3, -12]
    j = [2, 3, 5, 7, 3] if dtype == "uint8" else [2, 2, -3, -2, 5]
    (a, ta), (b, tb) = both(i, dtype), both(j, dtype)
    fn = INTEGER_OPS[name]
    assert_values(fn(ag, a, b), fn(torch, ta, tb), rtol=3e-7)  # (float32 results of float functions: an ulp)


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "rand", "sgn",
                                  "square", "heaviside", "xlogy", "nan_to_num"])
def test_bool_inputs_give_torchs_values_and_dtypes(name):
    (a, ta), (b, tb) = both([True, False, True, False], "bool"), both([True, True, False, False], "bool")
    fn = INTEGER_OPS[name]
    assert_values(fn(ag, a, b), fn(torch, ta, tb), rtol=3e-7)


def test_bitwise_mixed_dtypes_and_in_place():
    (a, ta), (b, tb) = both([3, 12], "int32"), both([5, 6], "uint8")
    for op in (lambda x, y: x & y, lambda x, y: x | y, lambda x, y: x ^ y, lambda x, y: x.bitwise_and(True)):
        assert_values(op(a, b), op(ta, tb))
    x, tx = both([1, 2, 3], "int64")
    x &= 2
    tx &= 2
    x.bitwise_or_(8)
    tx.bitwise_or_(8)
    assert_values(x, tx)


def test_in_place_rounding_of_integers_and_floats():
    (i, ti), (f, tf) = both([7, -7, 3], "int64"), both([2.5, -2.5, 1.7], "float32", requires_grad=False)
    for call in (lambda t: t.floor_(), lambda t: t.round_(), lambda t: t.div_(2, rounding_mode="floor"),
                 lambda t: t.remainder_(-3), lambda t: t.fmod_(2), lambda t: t.floor_divide_(2)):
        assert_values(call(i), call(ti))
        assert_values(call(f), call(tf))
    f.round_(decimals=1)
    tf.round_(decimals=1)
    assert_values(f, tf)


def errors(call):
    """The exception type a call raises (None if none)."""
    try:
        call()
    except Exception as e:  # noqa: BLE001  (we compare whatever each library raises)
        return type(e)
    return None


BAD = {
    "floor_bool": lambda m, i, f, b: m.floor(b),
    "round_int_decimals": lambda m, i, f, b: m.round(i, decimals=1),
    "frac_int": lambda m, i, f, b: m.frac(i),
    "hypot_int": lambda m, i, f, b: m.hypot(i, i),
    "logaddexp_int": lambda m, i, f, b: m.logaddexp(i, i),
    "lerp_int": lambda m, i, f, b: m.lerp(i, i, 0.5),
    "remainder_bool": lambda m, i, f, b: m.remainder(b, b),
    "bitwise_float": lambda m, i, f, b: m.bitwise_and(f, f),
    "bitwise_not_float": lambda m, i, f, b: m.bitwise_not(f),
    "or_float": lambda m, i, f, b: f | 1,
    "invert_float": lambda m, i, f, b: ~f,
    "atan2_scalar": lambda m, i, f, b: m.atan2(f, 2.0),
    "hypot_scalar": lambda m, i, f, b: m.hypot(f, 2.0),
    "logaddexp_scalar": lambda m, i, f, b: m.logaddexp(2.0, f),
    "lerp_scalar_end": lambda m, i, f, b: m.lerp(f, 2.0, 0.5),
    "addcmul_scalar": lambda m, i, f, b: m.addcmul(f, f, 2.0),
    "heaviside_scalar": lambda m, i, f, b: m.heaviside(f, 0.5),
    "fmod_scalar_first": lambda m, i, f, b: m.fmod(2.0, f),
    "copysign_scalar_first": lambda m, i, f, b: m.copysign(2.0, f),
    "lerp_dtype_end": lambda m, i, f, b: m.lerp(f, f.double(), 0.5),
    "lerp_dtype_weight": lambda m, i, f, b: m.lerp(f, f, f.double()),
    "heaviside_dtypes": lambda m, i, f, b: m.heaviside(f, i),
    "addcdiv_ints": lambda m, i, f, b: m.addcdiv(f, i, i),
    "div_bad_mode": lambda m, i, f, b: m.div(f, f, rounding_mode="nearest"),
    "remainder_int_zero": lambda m, i, f, b: m.remainder(i, 0),
    "floordiv_int_zero": lambda m, i, f, b: i // 0,
    "fmod_int_zero": lambda m, i, f, b: m.fmod(i, m.zeros_like(i)),
    "div_trunc_int_zero": lambda m, i, f, b: m.div(i, 0, rounding_mode="trunc"),
    "positive_bool": lambda m, i, f, b: m.positive(b),
    "negative_bool": lambda m, i, f, b: m.negative(b),
    "sin_int_in_place": lambda m, i, f, b: i.clone().sin_(),
    "float_power_in_place_float32": lambda m, i, f, b: f.clone().float_power_(2),
    "lerp_in_place_broadcast": lambda m, i, f, b: f.clone().lerp_(f.reshape(1, -1).expand(2, -1), 0.5),
    "bitwise_in_place_bool_by_int": lambda m, i, f, b: b.clone().bitwise_and_(i),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_raises_the_same_error_type_as_torch(name):
    i, f, b = ag.tensor([3, 4]), ag.tensor([3.0, 4.0]), ag.tensor([True, False])
    ti, tf, tb = torch.tensor([3, 4]), torch.tensor([3.0, 4.0]), torch.tensor([True, False])
    theirs = errors(lambda: BAD[name](torch, ti, tf, tb))
    assert theirs is not None
    assert errors(lambda: BAD[name](ag, i, f, b)) is theirs


@pytest.mark.parametrize("name", ["floor_divide", "heaviside"])
def test_no_derivative_raises_in_backward_as_in_torch(name):
    (x, tx), (v, tv) = both([1.5, -2.0, 0.0]), both([0.5, 0.5, 0.5])
    ours = getattr(ag, name)(x, v)
    theirs = getattr(torch, name)(tx, tv)
    assert ours.requires_grad and theirs.requires_grad
    assert errors(lambda: theirs.sum().backward()) is RuntimeError
    assert errors(lambda: ours.sum().backward()) is RuntimeError
