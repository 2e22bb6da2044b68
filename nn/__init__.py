"""pathgrad.nn: modules, layers, losses, init, save/load and data loading, with torch.nn's names."""

from . import data, functional, init, utils
from .module import Module
from .modules.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Step, Tanh
from .modules.container import ModuleDict, ModuleList, Sequential
from .modules.dropout import Dropout
from .modules.linear import Flatten, Identity, Linear, Unflatten
from .modules.sparse import Embedding
from .parameter import Parameter
from .serialization import CheckpointError, load, save

# isort: split
# ---- conv, pooling, normalisation, losses (nn/modules/{conv,pooling,normalization,loss}.py) ----
from .modules.conv import Conv1d, Conv2d
from .modules.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .modules.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .modules.pooling import AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d

# ---- end conv, pooling, normalisation, losses ----

# isort: split
# ---- more activations, distances, losses, parameter containers (nn/modules/{activation,loss}_extra.py, ...) ----
from .modules.activation_extra import (
    CELU,
    GLU,
    SELU,
    AlphaDropout,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    PReLU,
    ReLU6,
    RReLU,
    Softmin,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)
from .modules.container import ParameterDict, ParameterList
from .modules.distance import CosineSimilarity, PairwiseDistance
from .modules.loss_extra import (
    CosineEmbeddingLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    MarginRankingLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    PoissonNLLLoss,
    SoftMarginLoss,
    TripletMarginLoss,
)
# ---- end more activations, distances, losses, parameter containers ----
