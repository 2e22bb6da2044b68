"""Channel-wise dropout: ``dropout1d``, ``dropout2d`` and ``dropout3d`` with torch.nn.functional's signatures.

Each zeroes whole channels — every position of channel c of sample n — with probability p, and scales the kept ones
by 1/(1 − p): y = x·m/(1 − p) with one Bernoulli(1 − p) draw m per (n, c), broadcast over the positions. Neighbouring
positions of a feature map are strongly correlated, so dropping them one by one (plain dropout) barely regularises;
dropping the whole map does. dy/dx = m/(1 − p), as for dropout.
"""

from __future__ import annotations

import warnings

import numpy as np

import autograd
from autograd import Tensor, from_numpy
from autograd.random import get_rng


def _feature_dropout(x: Tensor, p: float, training: bool, inplace: bool, batched: bool) -> Tensor:
    if not training or p == 0.0:
        return x
    lead = 2 if batched else 1  # (N, C) or just C: one draw per channel map
    shape = tuple(x.shape[:lead]) + (1,) * (x.ndim - lead)
    if p == 1.0:
        mask = np.zeros(shape, dtype=x.dtype)
    else:
        mask = (get_rng().random(shape) >= p).astype(x.dtype) * np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
    return x._inplace(autograd.mul, from_numpy(mask)) if inplace else x * from_numpy(mask)


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) with probability p; scale the rest by 1/(1 − p)."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, input.ndim == 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) with probability p. As in torch, a 3D input is read as (N, C, L) (with a
    warning: use dropout1d for that), and other ranks are deprecated (warned) but dropped per (dim 0, dim 1)."""
    _check_p(p)
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).", stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This "
                      "behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, input.ndim >= 2)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p."""
    _check_p(p)
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D "
                      "inputs).", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, input.ndim == 5)
