"""All differentiable ops, one family per file. ``Tensor`` methods and the ``autograd.*`` functions call these."""

from .arithmetic import Add, Cast, Clone, Div, Mul, Neg, Pow, Sub, add, cast, clone, div, mul, neg, pow, sub
from .elementwise import (
    Abs, Clamp, Cos, Erf, Exp, LeakyRelu, Log, Log1p, Maximum, Minimum, Relu, Sigmoid, Sign, Sin, Sqrt, Step, Tanh,
    Where, abs, allclose, clamp, clip, cos, eq, erf, exp, ge, gt, isclose, le, leaky_relu, log, log1p, logical_and,
    logical_not, logical_or, logical_xor, lt, maximum, minimum, ne, relu, sigmoid, sign, sin, sqrt, step, tanh, where,
)
from .linalg import MatMul, dot, matmul, outer
from .reduce import (
    Amax, Amin, Logsumexp, Mean, Norm2, Sum, amax, amin, argmax, argmin, logsumexp, max, mean, min, norm, std, sum,
    var,
)
from .shape import (
    Cat, Expand, Gather, GetItem, IndexAdd, IndexPut, Pad, Permute, Reshape, broadcast_to, cat, chunk, expand,
    flatten, gather, getitem, index_put, narrow, pad, permute, repeat, reshape, split, squeeze, stack, transpose,
    unflatten, unsqueeze,
)
from .softmax import LogSoftmax, Softmax, log_softmax, softmax

__all__ = [name for name in dir() if not name.startswith("_")]
