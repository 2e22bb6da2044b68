"""pathgrad.nn.functional: the stateless forms of the layers, with torch.nn.functional's names."""

from autograd import pad

from .activation import elu, gelu, leaky_relu, log_softmax, relu, sigmoid, silu, softmax, softplus, step, tanh
from .linear import dropout, embedding, linear
