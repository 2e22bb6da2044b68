"""More elementwise math: trigonometric and hyperbolic functions and their inverses, exp2, expm1, log2, log10,
rsqrt, erfc, erfinv, sinc, logit, nan_to_num; binary ones (atan2, hypot, logaddexp, xlogy, copysign, clamp_min,
clamp_max, float_power); lerp, addcmul and addcdiv; and the small aliases torch has (square, reciprocal, positive, ...).

As in ``elementwise``, each op's backward and jvp are one formula written with operators and autograd's functions, so
it runs on arrays (a plain ``backward()``) and on Tensors (``create_graph=True``). Integer inputs of float functions
are promoted to the default float dtype, as in torch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import float64, int64
from ..function import Op
from ..tensor import Tensor
from ._util import add_tangents, binary, cast
from .arithmetic import div, mul, neg, pow
from .elementwise import _float, cos, erf, exp, log, sigmoid, sign, sqrt, where

LN2, LN10 = math.log(2), math.log(10)


# ---- argument checks shared with rounding.py and bitwise.py ----------------------------------------------------------
def _tensor_arg(op: str, name: str, position: int, x: Any) -> None:
    """torch takes only tensors for some arguments (atan2's ``other``, lerp's ``end``, ...)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not {type(x).__name__}; "
                        f"wrap it with autograd.tensor(...)")


def _kinds(op: str, x: Any, kinds: str, what: str) -> None:
    """NotImplementedError, as torch's, when x's dtype is not of one of ``kinds`` (numpy kind letters)."""
    if x.dtype.kind not in kinds:
        raise NotImplementedError(f"{op}: not implemented for {x.dtype} tensors, only for {what}; "
                                  f"convert the input first (e.g. .float() or .long())")


def _float_pair(op: str, a: Any, b: Any) -> tuple[Any, Any]:
    """Two operands in their common floating dtype (integers promote to the default float dtype). A Python number
    becomes a 0-d array of that dtype: NumPy would compute np.log(2) and the like in float64."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{op}(): expected at least one Tensor argument, got {type(a).__name__} and "
                        f"{type(b).__name__}")
    a, b = binary(a, b)
    a, b = (_float(x) if isinstance(x, Tensor) else x for x in (a, b))
    dtype = a.dtype if isinstance(a, Tensor) else b.dtype
    return tuple(np.asarray(x, dtype=dtype) if not isinstance(x, Tensor) else x for x in (a, b))


# ---- trigonometric and hyperbolic ------------------------------------------------------------------------------------
class Tan(Op):
    """z = tan x.   dz/dx = 1 + tan² x = 1 + z²."""

    @staticmethod
    def forward(ctx, x):
        out = np.tan(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 + out * out)

    jvp = backward


class Asin(Op):
    """z = asin x.   dz/dx = 1/√(1 − x²)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / sqrt(1 - x * x)

    jvp = backward


class Acos(Op):
    """z = acos x.   dz/dx = −1/√(1 − x²)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad / sqrt(1 - x * x)

    jvp = backward


class Atan(Op):
    """z = atan x.   dz/dx = 1/(1 + x²)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + x * x)

    jvp = backward


class Sinh(Op):
    """z = sinh x.   dz/dx = cosh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sinh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * cosh(x)

    jvp = backward


class Cosh(Op):
    """z = cosh x.   dz/dx = sinh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * sinh(x)

    jvp = backward


class Asinh(Op):
    """z = asinh x.   dz/dx = 1/√(x² + 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / sqrt(x * x + 1)

    jvp = backward


class Acosh(Op):
    """z = acosh x (x ≥ 1).   dz/dx = 1/√(x² − 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / sqrt(x * x - 1)

    jvp = backward


class Atanh(Op):
    """z = atanh x (|x| < 1).   dz/dx = 1/(1 − x²)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctanh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)

    jvp = backward


class Atan2(Op):
    """z = atan2(a, b), the angle of the point (b, a).   ∂z/∂a = b/(a² + b²),  ∂z/∂b = −a/(a² + b²); both 0 at the
    origin, as in torch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * b * _inv_r2(a, b) if ctx.needs_input_grad[0] else None,
                -grad * a * _inv_r2(a, b) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return (ta * b - tb * a) * _inv_r2(a, b)


def _inv_r2(a: Any, b: Any) -> Any:
    """1/(a² + b²), and 0 at the origin (the inner where keeps the unused branch finite for second derivatives)."""
    r2 = a * a + b * b
    return where(r2 == 0, 0.0, 1 / where(r2 == 0, 1.0, r2))


class Hypot(Op):
    """z = √(a² + b²).   ∂z/∂a = a/z,  ∂z/∂b = b/z (NaN at the origin, as in torch)."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        return (grad * a / out if ctx.needs_input_grad[0] else None,
                grad * b / out if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b, out = ctx.saved_tensors
        return (ta * a + tb * b) / out


class Sinc(Op):
    """z = sin(πx)/(πx), and 1 at x = 0.   dz/dx = (cos(πx) − z)/x, and 0 at x = 0 (as in torch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        px = x * x.dtype.type(math.pi)  # in x's dtype, as torch computes it
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(x == 0, x.dtype.type(1), np.sin(px) / px)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = where(x == 0, 1.0, x)  # any nonzero value: the result there is replaced by 0 anyway
        return grad * where(x == 0, 0.0, (cos(s * math.pi) - sinc(s)) / s)

    jvp = backward


# ---- exponentials and logarithms -------------------------------------------------------------------------------------
class Exp2(Op):
    """z = 2ˣ.   dz/dx = z·ln 2."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp2(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * LN2

    jvp = backward


class Expm1(Op):
    """z = eˣ − 1 (accurate for small x).   dz/dx = eˣ = z + 1."""

    @staticmethod
    def forward(ctx, x):
        out = np.expm1(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out + 1)

    jvp = backward


class Log2(Op):
    """z = log₂ x.   dz/dx = 1/(x·ln 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log2(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * LN2)

    jvp = backward


class Log10(Op):
    """z = log₁₀ x.   dz/dx = 1/(x·ln 10)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        # (in float64, then rounded: NumPy's float32 log10 is 1 ulp off for half of all inputs, log10(1000) = 3.0000002)
        return np.log10(x.astype(np.float64)).astype(x.dtype) if x.dtype.itemsize < 8 else np.log10(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * LN10)

    jvp = backward


class Rsqrt(Op):
    """z = 1/√x.   dz/dx = −½·x^(−3/2) = −z³/2."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):
            out = 1 / np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out * out * out) * -0.5

    jvp = backward


class LogAddExp(Op):
    """z = ln(eᵃ + eᵇ).   ∂z/∂a = eᵃ/(eᵃ + eᵇ) = σ(a − b),  ∂z/∂b = σ(b − a)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.logaddexp(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * sigmoid(a - b) if ctx.needs_input_grad[0] else None,
                grad * sigmoid(b - a) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors
        return ta * sigmoid(a - b) + tb * sigmoid(b - a)


class Xlogy(Op):
    """z = x·ln y, and 0 where x = 0 (unless y is NaN).   ∂z/∂x = ln y (0 where x = 0 and y ≤ 0, as in torch),
    ∂z/∂y = x/y."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((x == 0) & ~np.isnan(y), 0, x * np.log(y))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return (where((x == 0) & (y <= 0), 0.0, grad * log(y)) if ctx.needs_input_grad[0] else None,
                grad * x / y if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, tx, ty):
        x, y = ctx.saved_tensors
        return add_tangents(None if tx is None else where((x == 0) & (y <= 0), 0.0, tx * log(y)),
                            None if ty is None else ty * x / y)


class Logit(Op):
    """z = ln(x/(1 − x)), x first clamped to [eps, 1 − eps] when eps is given.   dz/dx = 1/(x(1 − x)) inside that
    range; outside it 0 with eps (the clamp is flat there), NaN without (x is outside [0, 1]), as in torch."""

    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        if eps is not None:
            x = np.clip(x, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x / (1 - x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        lo, hi, outside = (0, 1, math.nan) if ctx.eps is None else (ctx.eps, 1 - ctx.eps, 0.0)
        return where((x < lo) | (x > hi), outside, grad / (x * (1 - x))), None

    @staticmethod
    def jvp(ctx, t, _):
        return Logit.backward(ctx, t)[0]


# ---- error functions -------------------------------------------------------------------------------------------------
class Erfc(Op):
    """z = erfc x = 1 − erf x (accurate where erf x is near 1).   dz/dx = −2/√π · e^(−x²)."""

    _erfc = np.frompyfunc(math.erfc, 1, 1)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.asarray(Erfc._erfc(x), dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * exp(-x * x) * (-2 / math.sqrt(math.pi))

    jvp = backward


class Erfinv(Op):
    """z = erf⁻¹ x (|x| ≤ 1).   dz/dx = 1/erf′(z) = √π/2 · e^(z²)."""

    @staticmethod
    def forward(ctx, x):
        out = _erfinv(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * exp(out * out) * (math.sqrt(math.pi) / 2)

    jvp = backward


# Giles, "Approximating the erfinv function" (2010), single-precision version, then Newton steps on erf z = |y|, each
# doubling the correct digits. In the tails (|y| > ½) they solve ln erfc z = ln(1 − |y|) instead: 1 − |y| is exact
# there, erfc keeps its digits where erf z is within an ulp of 1, and ln erfc is nearly quadratic, so Newton converges
# from the guess's 1% error near |y| = 1 − 2⁻⁵³ (beyond the single-precision fit's range) in four steps.
_GILES_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941)
_GILES_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
               0.00943887047, 1.00167406, 2.83297682)


def _erfinv(x: np.ndarray) -> np.ndarray:
    y = np.asarray(x, dtype=np.float64)
    inside = np.abs(y) < 1
    a = np.where(inside, np.abs(y), 0.0)
    c = 1 - a
    w = -np.log(c * (1 + a))
    z = np.where(w < 5, np.polyval(_GILES_CENTRAL, w - 2.5), np.polyval(_GILES_TAIL, np.sqrt(w) - 3)) * a
    tail = a > 0.5
    for _ in range(4):
        slope = 2 / math.sqrt(math.pi) * np.exp(-z * z)  # erf′ z = −erfc′ z
        ec = erfc(z)
        z = np.where(tail, z + (np.log(ec) - np.log(np.where(tail, c, 1))) * ec / slope, z - (erf(z) - a) / slope)
    edge = np.where(np.abs(y) == 1, np.inf, np.nan)  # ±1 → ±∞; beyond, or NaN → NaN
    return np.copysign(np.where(inside, z, edge), y).astype(x.dtype)


# ---- composed of other ops, and small aliases ------------------------------------------------------------------------
def square(input: Tensor) -> Tensor:
    """input². Integer tensors stay integer; bool becomes int64, as in torch."""
    x = cast(input, int64) if input.dtype.kind == "b" else input
    return mul(x, x)


def reciprocal(input: Tensor) -> Tensor:
    return div(1, _float(input))


def deg2rad(input: Tensor) -> Tensor:
    return _float(input) * (math.pi / 180)


def rad2deg(input: Tensor) -> Tensor:
    return _float(input) * (180 / math.pi)


def positive(input: Tensor) -> Tensor:
    """input itself, as torch's positive (for anything but bool)."""
    if input.dtype.kind == "b":
        raise RuntimeError("positive: the `+` operator on a bool tensor is not supported; use .long() first")
    return input


def negative(input: Tensor) -> Tensor:
    if input.dtype.kind == "b":
        raise RuntimeError("negative: negation, the `-` operator, on a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return neg(input)


def true_divide(dividend: Any, divisor: Any) -> Tensor:
    return div(dividend, divisor)


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent computed in float64 (the result is float64 whatever the inputs' dtypes, as in torch)."""
    a, b = (cast(x, float64) if isinstance(x, Tensor) else float(x) for x in (input, exponent))
    return pow(a, b)


def float_power_(input: Tensor, exponent: Any) -> Tensor:
    if input.dtype != float64:
        raise RuntimeError(f"float_power_: the base given to float_power_ has dtype {input.dtype} but the operation's "
                           "result requires dtype float64; use x = x.float_power(...) or x.double() first")
    return input._inplace(float_power, exponent)


def addcmul(input: Any, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value · tensor1 · tensor2."""
    _tensor_arg("addcmul", "tensor1", 2, tensor1)
    _tensor_arg("addcmul", "tensor2", 3, tensor2)
    prod = tensor1 * tensor2
    return input + (prod if value == 1 else value * prod)


def addcdiv(input: Any, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value · tensor1 / tensor2."""
    _tensor_arg("addcdiv", "tensor1", 2, tensor1)
    _tensor_arg("addcdiv", "tensor2", 3, tensor2)
    if tensor1.dtype.kind in "biu" and tensor2.dtype.kind in "biu":
        raise RuntimeError("addcdiv: integer division with addcdiv is not supported (torch removed it); for true "
                           "division cast tensor1 or tensor2 to a floating dtype, for floor division write "
                           "input + value * div(tensor1, tensor2, rounding_mode='floor')")
    quot = tensor1 / tensor2
    return input + (quot if value == 1 else value * quot)


class Lerp(Op):
    """z = a + w·(b − a).   ∂z/∂a = 1 − w,  ∂z/∂b = w,  ∂z/∂w = b − a."""

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        d = b - a
        # torch's two-sided formula: exact at both ends (w = 0 gives a, w = 1 gives b)
        return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))

    @staticmethod
    def backward(ctx, grad):
        a, b, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad * (1 - w) if need[0] else None, grad * w if need[1] else None,
                grad * (b - a) if need[2] else None)

    @staticmethod
    def jvp(ctx, ta, tb, tw):
        a, b, w = ctx.saved_tensors
        return add_tangents(None if ta is None else ta * (1 - w), None if tb is None else tb * w,
                            None if tw is None else tw * (b - a))


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """input + weight · (end − input); weight is a number or a tensor. end and a tensor weight must have input's
    dtype (torch does not promote here)."""
    _tensor_arg("lerp", "end", 2, end)
    _kinds("lerp", input, "f", "floating tensors")
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype != input.dtype:
            raise RuntimeError(f"lerp: expected dtype {input.dtype} for `{name}` but got dtype {t.dtype}; convert it "
                               f"with .to({input.dtype})")
    return Lerp.apply(input, end, weight)


# ---- clamping, sign and non-finite values ----------------------------------------------------------------------------
class ClampMin(Op):
    """z = max(x, m) (NaN propagates).   ∂z/∂x = 1 where x ≥ m, else 0;  ∂z/∂m = 1 where x < m, else 0 (a tie goes
    to x, and where either is NaN neither gets a gradient, as in torch)."""

    @staticmethod
    def forward(ctx, x, m):
        ctx.save_for_backward(x, m)
        return np.maximum(x, m)

    @staticmethod
    def backward(ctx, grad):
        x, m = ctx.saved_tensors
        return (where(x >= m, grad, 0.0) if ctx.needs_input_grad[0] else None,
                where(x < m, grad, 0.0) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, tx, tm):
        x, m = ctx.saved_tensors
        return add_tangents(None if tx is None else where(x >= m, tx, 0.0),
                            None if tm is None else where(x < m, tm, 0.0))


class ClampMax(Op):
    """z = min(x, m) (NaN propagates).   ∂z/∂x = 1 where x ≤ m, else 0;  ∂z/∂m = 1 where x > m, else 0."""

    @staticmethod
    def forward(ctx, x, m):
        ctx.save_for_backward(x, m)
        return np.minimum(x, m)

    @staticmethod
    def backward(ctx, grad):
        x, m = ctx.saved_tensors
        return (where(x <= m, grad, 0.0) if ctx.needs_input_grad[0] else None,
                where(x > m, grad, 0.0) if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, tx, tm):
        x, m = ctx.saved_tensors
        return add_tangents(None if tx is None else where(x <= m, tx, 0.0),
                            None if tm is None else where(x > m, tm, 0.0))


def clamp_min(input: Tensor, min: Any) -> Tensor:
    return ClampMin.apply(*binary(input, min))


def clamp_max(input: Tensor, max: Any) -> Tensor:
    return ClampMax.apply(*binary(input, max))


class Copysign(Op):
    """z = |a| with the sign of b.   ∂z/∂a = sign(a)·sign(z) (0 where a = 0, as in torch),  ∂z/∂b = 0."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.copysign(a, b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        return (grad * (sign(a) * sign(out)) if ctx.needs_input_grad[0] else None,
                grad * 0.0 if ctx.needs_input_grad[1] else None)

    @staticmethod
    def jvp(ctx, ta, _):
        a, out = ctx.saved_tensors
        return ta * (sign(a) * sign(out))


class NanToNum(Op):
    """z = x with NaN, +∞ and −∞ replaced by finite numbers.   dz/dx = 1 where x is finite, else 0."""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.save_for_backward(x)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (abs(x) < math.inf), None, None, None  # |x| < ∞ is false for ±∞ and for NaN

    @staticmethod
    def jvp(ctx, t, *_):
        return NanToNum.backward(ctx, t)[0]


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
    """NaN → ``nan``, +∞ → ``posinf``, −∞ → ``neginf``; by default 0 and the dtype's largest and lowest finite
    values, as in torch. Integer and bool tensors come back as copies."""
    return NanToNum.apply(input, nan, posinf, neginf)


# ---- functions -------------------------------------------------------------------------------------------------------
def tan(input: Tensor) -> Tensor:
    return Tan.apply(_float(input))


def asin(input: Tensor) -> Tensor:
    return Asin.apply(_float(input))


def acos(input: Tensor) -> Tensor:
    return Acos.apply(_float(input))


def atan(input: Tensor) -> Tensor:
    return Atan.apply(_float(input))


def sinh(input: Tensor) -> Tensor:
    return Sinh.apply(_float(input))


def cosh(input: Tensor) -> Tensor:
    return Cosh.apply(_float(input))


def asinh(input: Tensor) -> Tensor:
    return Asinh.apply(_float(input))


def acosh(input: Tensor) -> Tensor:
    return Acosh.apply(_float(input))


def atanh(input: Tensor) -> Tensor:
    return Atanh.apply(_float(input))


def atan2(input: Tensor, other: Tensor) -> Tensor:
    _tensor_arg("atan2", "input", 1, input)
    _tensor_arg("atan2", "other", 2, other)
    return Atan2.apply(*_float_pair("atan2", input, other))


def hypot(input: Tensor, other: Tensor) -> Tensor:
    _tensor_arg("hypot", "input", 1, input)
    _tensor_arg("hypot", "other", 2, other)
    a, b = binary(input, other)
    _kinds("hypot", a, "f", "floating tensors")
    return Hypot.apply(a, b)


def sinc(input: Tensor) -> Tensor:
    return Sinc.apply(_float(input))


def exp2(input: Tensor) -> Tensor:
    return Exp2.apply(_float(input))


def expm1(input: Tensor) -> Tensor:
    return Expm1.apply(_float(input))


def log2(input: Tensor) -> Tensor:
    return Log2.apply(_float(input))


def log10(input: Tensor) -> Tensor:
    return Log10.apply(_float(input))


def rsqrt(input: Tensor) -> Tensor:
    return Rsqrt.apply(_float(input))


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    _tensor_arg("logaddexp", "input", 1, input)
    _tensor_arg("logaddexp", "other", 2, other)
    a, b = binary(input, other)
    _kinds("logaddexp", a, "f", "floating tensors")
    return LogAddExp.apply(a, b)


def xlogy(input: Any, other: Any) -> Tensor:
    return Xlogy.apply(*_float_pair("xlogy", input, other))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    return Logit.apply(_float(input), eps)


def erfc(input: Tensor) -> Tensor:
    return Erfc.apply(_float(input))


def erfinv(input: Tensor) -> Tensor:
    return Erfinv.apply(_float(input))


def copysign(input: Tensor, other: Any) -> Tensor:
    _tensor_arg("copysign", "input", 1, input)
    return Copysign.apply(*_float_pair("copysign", input, other))


arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
arcsinh, arccosh, arctanh = asinh, acosh, atanh
