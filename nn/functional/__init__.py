"""pathgrad.nn.functional: the stateless forms of the layers, with torch.nn.functional's names."""

from autograd import pad

from .activation import elu, gelu, leaky_relu, log_softmax, relu, sigmoid, silu, softmax, softplus, step, tanh
from .linear import dropout, embedding, linear

# isort: split
# ---- conv, pooling, normalisation, losses (nn/functional/{conv,pooling,normalization,loss}.py) ----
from .conv import conv1d, conv2d
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .normalization import batch_norm, layer_norm
from .pooling import adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
# ---- end conv, pooling, normalisation, losses ----
