"""More activation layers, thin Modules over ``nn.functional``'s (see ``nn/functional/activation_extra.py`` for each
formula and derivative), with torch's constructor arguments and reprs."""

from __future__ import annotations

import warnings
from typing import Any

import autograd
from autograd import Tensor
from autograd.device import check_device
from autograd.dtypes import to_dtype

from .. import init as nn_init
from ..functional import activation_extra as FX
from ..module import Module
from ..parameter import Parameter
from .activation import _inplace_str


class Hardtanh(Module):
    """x clamped to [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and rename to `min_val`", FutureWarning,
                          stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and rename to `max_val`", FutureWarning,
                          stacklevel=2)
            max_val = max_value
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace
        if not max_val > min_val:
            raise AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val})")

    def forward(self, input: Tensor) -> Tensor:
        return FX.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + _inplace_str(self.inplace)


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace, sep="")


class _Inplace(Module):
    """An activation whose only argument is ``inplace``: its function is ``fn``."""

    fn: Any

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return type(self).fn(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace, sep="")


class Mish(_Inplace):
    """x·tanh(softplus(x))."""

    fn = staticmethod(FX.mish)


class SELU(_Inplace):
    """scale·elu(x, α), the self-normalising activation."""

    fn = staticmethod(FX.selu)


class Hardswish(_Inplace):
    """x·relu6(x + 3)/6."""

    fn = staticmethod(FX.hardswish)

    def extra_repr(self) -> str:  # torch prints no arguments for these two
        return ""


class Hardsigmoid(_Inplace):
    """relu6(x + 3)/6."""

    fn = staticmethod(FX.hardsigmoid)

    def extra_repr(self) -> str:
        return ""


class CELU(Module):
    """x where x > 0, else α(e^(x/α) − 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return FX.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + _inplace_str(self.inplace)


class Softsign(Module):
    """x/(1 + |x|)."""

    def forward(self, input: Tensor) -> Tensor:
        return FX.softsign(input)


class Tanhshrink(Module):
    """x − tanh x."""

    def forward(self, input: Tensor) -> Tensor:
        return FX.tanhshrink(input)


class LogSigmoid(Module):
    """log σ(x)."""

    def forward(self, input: Tensor) -> Tensor:
        return FX.logsigmoid(input)


class GLU(Module):
    """a·σ(b), a and b the halves of the input along ``dim``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return FX.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(Module):
    """softmax(−x) along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return FX.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Threshold(Module):
    """x where x > threshold, else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return FX.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + _inplace_str(self.inplace)


class Softshrink(Module):
    """x − λ where x > λ, x + λ where x < −λ, else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return FX.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Softshrink):
    """x where |x| > λ, else 0."""

    def forward(self, input: Tensor) -> Tensor:
        return FX.hardshrink(input, self.lambd)


class RReLU(Module):
    """Leaky ReLU with slope ~ U(lower, upper) per element in training, (lower + upper)/2 in eval."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Tensor) -> Tensor:
        return FX.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + _inplace_str(self.inplace)


class PReLU(Module):
    """x where x > 0, else a·x, with a learnt: one slope (``num_parameters=1``) or one per channel (dim 1 of the
    input), each initialised to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        check_device(device, "PReLU")
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(autograd.empty(num_parameters, dtype=to_dtype(dtype)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn_init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return FX.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class AlphaDropout(Module):
    """Dropout that keeps a SELU network's mean and variance (dropped values go to SELU's saturation); the identity
    in eval mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return FX.alpha_dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
