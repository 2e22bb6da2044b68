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

# isort: split
# ---- more layers: transposed/3-D conv, fold, resizing, padding, norms, channel dropout, pixel shuffle, adaptive
# pools, bilinear, embedding bags (nn/modules/{conv_transpose,conv_3d,fold,upsampling,padding,...}.py) ----
from .modules.bilinear import Bilinear
from .modules.conv_3d import Conv3d
from .modules.conv_transpose import ConvTranspose1d, ConvTranspose2d
from .modules.dropout_extra import Dropout1d, Dropout2d, Dropout3d
from .modules.embedding_bag import EmbeddingBag
from .modules.fold import Fold, Unfold
from .modules.normalization_extra import GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, RMSNorm
from .modules.padding import (
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)
from .modules.pixelshuffle import PixelShuffle, PixelUnshuffle
from .modules.pooling_extra import AdaptiveAvgPool1d, AdaptiveMaxPool1d, AdaptiveMaxPool2d
from .modules.upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

# ---- end more layers ----

# isort: split
# ---- recurrent layers (nn/modules/rnn.py) ----
from .modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase

# ---- end recurrent layers ----

# isort: split
# ---- attention and Transformers (nn/modules/{attention,transformer}.py) ----
from .modules.attention import MultiheadAttention
from .modules.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

# ---- end attention and Transformers ----
