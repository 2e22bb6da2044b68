"""pathgrad.nn.functional: the stateless forms of the layers, with torch.nn.functional's names."""

from .activation import elu, gelu, leaky_relu, log_softmax, relu, sigmoid, silu, softmax, softplus, step, tanh
from .linear import dropout, linear

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

# isort: split
# ---- more activations, distances, one_hot, losses (nn/functional/{activation,loss}_extra.py, ...) ----
from .activation_extra import (
    alpha_dropout,
    celu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    logsigmoid,
    mish,
    prelu,
    relu6,
    rrelu,
    rrelu_,
    selu,
    softmin,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
    threshold_,
)
from .distance import cosine_similarity, normalize, pairwise_distance, pdist
from .encoding import one_hot
from .loss_extra import (
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_loss,
)

# ---- end more activations, distances, one_hot, losses ----

# isort: split
# ---- more layers: transposed/3-D conv, fold, resizing, padding, norms, channel dropout, pixel shuffle, adaptive
# pools, bilinear, embeddings (nn/functional/{conv_transpose,conv_3d,folding,upsampling,padding,...}.py) ----
from .channel_dropout import dropout1d, dropout2d, dropout3d
from .conv_3d import conv3d
from .conv_transpose import conv_transpose1d, conv_transpose2d
from .folding import fold, unfold
from .linear_extra import bilinear
from .normalization_extra import group_norm, instance_norm, rms_norm
from .padding import pad
from .pixelshuffle import pixel_shuffle, pixel_unshuffle
from .pooling_extra import adaptive_avg_pool1d, adaptive_max_pool1d, adaptive_max_pool2d
from .sparse import embedding, embedding_bag
from .upsampling import interpolate, upsample, upsample_bilinear, upsample_nearest

# ---- end more layers ----

# isort: split
# ---- attention (nn/functional/attention.py) ----
from .attention import multi_head_attention_forward, scaled_dot_product_attention

# ---- end attention ----
