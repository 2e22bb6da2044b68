"""pathgrad.nn: modules, layers, losses, init, save/load and data loading, with torch.nn's names."""

from . import data, functional, init, utils
from .module import Module
from .modules.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Step, Tanh
from .modules.container import ModuleDict, ModuleList, Sequential
from .modules.dropout import Dropout
from .modules.linear import Flatten, Identity, Linear, Unflatten
from .modules.sparse import Embedding
from .parameter import Parameter
from .serialization import load, save
