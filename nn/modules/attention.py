"""``MultiheadAttention``, with torch.nn's arguments, parameter names and initialisation (so torch state_dicts load)."""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor
from autograd.device import check_device
from autograd.dtypes import to_dtype

from .. import init
from ..functional.attention import _canonical_mask, _none_or_dtype, multi_head_attention_forward
from ..module import Module
from ..parameter import Parameter
from .linear import Linear


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under torch's name for ``MultiheadAttention.out_proj`` (the name shows in reprs)."""


class MultiheadAttention(Module):
    """Attention with ``num_heads`` heads of size embed_dim / num_heads, run together as one batch.

    Parameters: ``in_proj_weight`` (3E, E) packing W_q, W_k, W_v (or ``q_proj_weight`` (E, E), ``k_proj_weight``
    (E, kdim), ``v_proj_weight`` (E, vdim) when kdim or vdim differ from E), ``in_proj_bias`` (3E), ``out_proj``
    (a Linear E → E), and with ``add_bias_kv`` ``bias_k``, ``bias_v`` (1, 1, E), one more key and value appended.
    ``add_zero_attn`` appends a zero key and value. Inputs are (L, N, E), or (N, L, E) with ``batch_first``, or
    unbatched (L, E). Initialised as torch: xavier_uniform_ projections, zero biases, xavier_normal_ bias_k/v.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None, dtype: Any = None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        check_device(device, type(self).__name__)
        dt = to_dtype(dtype)
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError(f"embed_dim must be divisible by num_heads (got embed_dim={embed_dim}, "
                                 f"num_heads={num_heads})")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(autograd.empty(embed_dim, embed_dim, dtype=dt))
            self.k_proj_weight = Parameter(autograd.empty(embed_dim, self.kdim, dtype=dt))
            self.v_proj_weight = Parameter(autograd.empty(embed_dim, self.vdim, dtype=dt))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(autograd.empty(3 * embed_dim, embed_dim, dtype=dt))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(autograd.empty(3 * embed_dim, dtype=dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dt)
        if add_bias_kv:
            self.bias_k = Parameter(autograd.empty(1, 1, embed_dim, dtype=dt))
            self.bias_v = Parameter(autograd.empty(1, 1, embed_dim, dtype=dt))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """Returns (output, weights): output like query; weights (N, L, S) averaged over heads, or
        (N, num_heads, L, S) with ``average_attn_weights=False``, or None without ``need_weights``. Bool masks:
        True = may not attend. ``is_causal`` is a hint that ``attn_mask`` is the causal mask (it is still needed)."""
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                           "attn_mask", query.dtype)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        batched = query.ndim == 3
        if self.batch_first and batched:
            # to sequence-first, keeping the identities the in-projection uses (self- or encoder-decoder attention)
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = (x.transpose(1, 0) for x in (query, key))
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = not self._qkv_same_embed_dim
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias, self.bias_k,
            self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        return (out.transpose(1, 0) if self.batch_first and batched else out), weights
