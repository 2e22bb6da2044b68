"""``Bilinear``: y = x₁ᵀ A x₂ + b with torch.nn's constructor and initialisation."""

from __future__ import annotations

import math
from typing import Any

import autograd
from autograd import Tensor
from autograd.device import check_device
from autograd.dtypes import to_dtype

from .. import init
from ..functional.linear_extra import bilinear
from ..module import Module
from ..parameter import Parameter


class Bilinear(Module):
    """y = x₁ᵀ A x₂ + b, A of shape (out_features, in1_features, in2_features), b (out_features,); both
    ~ U(−1/√in1, 1/√in1), as torch initialises them."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        dt = to_dtype(dtype)
        self.weight = Parameter(autograd.empty(out_features, in1_features, in2_features, dtype=dt))
        if bias:
            self.bias = Parameter(autograd.empty(out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features={self.in1_features})")
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
