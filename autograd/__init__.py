"""pathgrad's autograd: Tensors that record a dynamic graph, and reverse- and forward-mode differentiation.

    >>> import autograd
    >>> a = autograd.tensor(2.0, requires_grad=True)
    >>> b = autograd.tensor(1.0, requires_grad=True)
    >>> e = (a + b) * (b + 1)
    >>> e.backward()
    >>> e.item(), a.grad.item(), b.grad.item()
    (6.0, 2.0, 5.0)
"""

import numpy as _np

from . import forward_ad, functional, graph
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .device import DeviceError, device
from .dtypes import (
    bool_ as bool,
)
from .dtypes import (
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .engine import backward, grad
from .factories import (
    arange,
    as_tensor,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .function import Function, Op
from .grad_mode import (
    enable_grad,
    graph_scope,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .info import equal, is_complex, is_floating_point, is_nonzero, is_tensor, numel
from .legacy import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    Variable,
)
from .ops import (
    abs,
    add,
    allclose,
    amax,
    amin,
    argmax,
    argmin,
    as_strided,
    broadcast_to,
    cat,
    chunk,
    clamp,
    clip,
    cos,
    diagonal,
    div,
    dot,
    eq,
    erf,
    exp,
    flatten,
    gather,
    ge,
    gt,
    isclose,
    le,
    leaky_relu,
    log,
    log1p,
    log_softmax,
    logsumexp,
    lt,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    narrow,
    ne,
    neg,
    norm,
    outer,
    pad,
    permute,
    pow,
    relu,
    reshape,
    select,
    sigmoid,
    sign,
    sin,
    softmax,
    split,
    sqrt,
    squeeze,
    stack,
    std,
    step,
    sub,
    sum,
    tanh,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
    var,
    where,
)
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .size import Size
from .tensor import Tensor

# torch's other names for the dtypes; ``dtype`` is their type, as torch.dtype (NumPy's, here)
dtype = _np.dtype
double = float64
long = int64
float = float32  # noqa: A001 (torch's names shadow Python's here, as they do in torch's namespace)
half = float16
int = int32  # noqa: A001
short = int16

__all__ = [name for name in dir() if not name.startswith("_")]
