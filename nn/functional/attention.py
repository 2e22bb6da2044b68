"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``, with torch's signatures.

Both are composites of engine ops (matmul, softmax, where, reshape, ...), so their gradients come from the engine
and are differentiable again (create_graph=True). All heads go through one batched matmul: the head dim is a batch
dim, never a Python loop.

Masks come in two conventions, as in torch: ``scaled_dot_product_attention`` takes a bool mask where True means
"may attend"; ``multi_head_attention_forward`` (and the Transformer layers) take bool masks where True means
"masked out". Float masks are added to the scores in both (−inf removes a position).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, from_numpy

from .linear import dropout, linear

_SDPA = "scaled_dot_product_attention"


def _check_tensors(op: str, **tensors: Any) -> None:
    for name, t in tensors.items():
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")


def _bias_from_bool(allowed: np.ndarray, dtype: Any) -> Tensor:
    """0 where attending is allowed, −inf elsewhere: a constant added to the scores."""
    return from_numpy(np.where(allowed, 0.0, -np.inf).astype(dtype))


def _safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dim, with rows that are −inf throughout (nothing to attend to) giving zeros, not NaN,
    as torch's scaled_dot_product_attention does. Those rows also pass back a zero gradient."""
    dead = np.isneginf(scores.array).all(-1, keepdims=True)
    if not dead.any():
        return autograd.softmax(scores, -1)
    dead_t = from_numpy(dead)
    # the rows are made finite before the softmax so that no NaN reaches the chain rule through `where`
    return autograd.where(dead_t, 0.0, autograd.softmax(autograd.where(dead_t, 0.0, scores), -1))


def _check_sdpa(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None, dropout_p: float,
                is_causal: bool, enable_gqa: bool) -> None:
    _check_tensors(_SDPA, query=query, key=key, value=value, attn_mask=attn_mask)
    q, k, v = query.shape, key.shape, value.shape
    if min(len(q), len(k), len(v)) < 2:
        raise RuntimeError(f"{_SDPA}: expected query, key and value to all be at least 2-dimensional (..., L, E), "
                           f"but got query.dim: {len(q)}, key.dim: {len(k)} and value.dim: {len(v)}")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(f"{_SDPA}: expected query, key and value to have the same dtype, but got query.dtype: "
                           f"{query.dtype}, key.dtype: {key.dtype} and value.dtype: {value.dtype}")
    if query.dtype.kind != "f":
        raise RuntimeError(f"{_SDPA}: expected floating-point query, key and value, got {query.dtype}")
    if q[-1] != k[-1] or k[-2] != v[-2]:
        raise RuntimeError(f"{_SDPA}: query (..., L, E) {tuple(q)}, key (..., S, E) {tuple(k)} and value "
                           f"(..., S, Ev) {tuple(v)} must agree on E (query and key) and S (key and value)")
    if enable_gqa and min(len(q), len(k), len(v)) >= 3 and (q[-3] % k[-3] or q[-3] % v[-3]):
        raise RuntimeError(f"{_SDPA}: with enable_gqa, the number of heads in key ({k[-3]}) and value ({v[-3]}) "
                           f"must divide the number of heads in query ({q[-3]}) (dim -3)")
    if attn_mask is not None:
        if attn_mask.dtype != np.bool_ and attn_mask.dtype not in (np.float32, query.dtype):
            raise RuntimeError(f"{_SDPA}: expected attn_mask dtype to be bool or float32 or to match query dtype, "
                               f"but got attn_mask.dtype: {attn_mask.dtype} and query.dtype: {query.dtype}")
        if is_causal:
            raise RuntimeError(f"{_SDPA}: explicit attn_mask should not be set when is_causal=True (pass one or "
                               "the other)")
    if dropout_p > 1:
        raise RuntimeError(f"{_SDPA}: dropout probability has to be between 0 and 1, but got {dropout_p}")


def _batch_shape(query: Tensor, key: Tensor, value: Tensor) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except ValueError:
        hint = " (for grouped-query attention pass enable_gqa=True)" if query.ndim >= 3 else ""
        raise RuntimeError(f"{_SDPA}: the batch dims of query {tuple(query.shape)}, key {tuple(key.shape)} and value "
                           f"{tuple(value.shape)} (all but the last two) do not broadcast{hint}") from None


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q Kᵀ · scale + B) V, with scale = 1/√E by default; Q (..., L, E), K (..., S, E), V (..., S, Ev).

    B comes from ``attn_mask`` (bool: True = may attend, else −inf; float: added) or from ``is_causal`` (query i
    attends to keys j ≤ i, top-left aligned). A query that may attend to nothing gets zeros. Dropout (probability
    ``dropout_p``, always applied when > 0) acts on the attention weights. ``enable_gqa``: key and value may have
    fewer heads (dim −3), each shared by consecutive query heads.

    With P = softmax(S), O = P V:  V̄ = Pᵀ Ō,  S̄ = P ⊙ (Ō Vᵀ − rowsum(P ⊙ Ō Vᵀ)),  Q̄ = S̄ K · scale,  K̄ = S̄ᵀ Q · scale.
    """
    _check_sdpa(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa)
    if enable_gqa and query.ndim >= 3 and key.ndim >= 3 and value.ndim >= 3:
        key = key.repeat_interleave(query.shape[-3] // key.shape[-3], -3)
        value = value.repeat_interleave(query.shape[-3] // value.shape[-3], -3)
    batch = _batch_shape(query, key, value)
    L, S = query.shape[-2], key.shape[-2]
    scale_factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query * scale_factor) @ key.mT  # scaling Q (L × E), not the scores (L × S)
    if attn_mask is not None:
        if not _broadcasts_to(tuple(attn_mask.shape), batch + (L, S)):
            raise RuntimeError(f"{_SDPA}: attn_mask of shape {tuple(attn_mask.shape)} does not broadcast to the "
                               f"scores' shape {batch + (L, S)} (batch..., L, S)")
        if attn_mask.dtype == np.bool_:
            scores = scores + _bias_from_bool(attn_mask.array, query.dtype)
        else:
            scores = scores + (attn_mask if attn_mask.dtype == query.dtype else attn_mask.to(query.dtype))
    elif is_causal:
        scores = scores + _bias_from_bool(np.tri(L, S, dtype=bool), query.dtype)
    weights = _safe_softmax(scores) if S else scores  # with no keys the output is zeros
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ value


# ---- multi-head attention -------------------------------------------------------------------------------------------

_MHA = "multi_head_attention_forward"


def _canonical_mask(mask: Tensor | None, mask_name: str, other_type: Any, other_name: str, target_type: Any,
                    check_other: bool = True) -> Tensor | None:
    """A bool mask (True = masked out) becomes a float one of ``target_type`` (0 or −inf); a float mask is kept."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"{mask_name} must be a bool or float Tensor or None, not {type(mask).__name__}")
    if mask.dtype != np.bool_ and mask.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {mask_name} are supported (got {mask.dtype})")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    return _bias_from_bool(~mask.array, target_type) if mask.dtype == np.bool_ else mask


def _none_or_dtype(input: Tensor | None) -> Any:
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or Tensor")


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                     attn_mask: Tensor | None, num_heads: int) -> bool:
    """torch's checks (AssertionError), returning whether the input is batched."""
    if query.ndim not in (2, 3):
        raise AssertionError(f"{_MHA}: query should be unbatched 2D (L, E) or batched 3D (L, N, E) tensor but "
                             f"received {query.ndim}-D query tensor")
    batched = query.ndim == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {query.ndim}-D but found "
                             f"{key.ndim}-D and {value.ndim}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
                             f"{query.ndim - 1}-D but found {key_padding_mask.ndim}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.ndim}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}")
    return batched


def _project(x: Tensor, w: Tensor, b: Tensor | None, parts: int, num_heads: int) -> tuple[Tensor, ...]:
    """x (T, N, E_in) @ wᵀ (+ b), split into ``parts`` outputs of shape (N, H, T, D): one matmul for all heads."""
    t, n = x.shape[:2]
    out = linear(x, w, b).reshape(t, n, parts, num_heads, w.shape[0] // (parts * num_heads)).permute(2, 1, 3, 0, 4)
    return tuple(out[i] for i in range(parts))


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """One more key: a zero (attend) column appended to a float mask."""
    if mask is None:
        return None
    return autograd.cat([mask, autograd.zeros(*mask.shape[:-1], 1, dtype=mask.dtype)], -1)


def _in_projection(query: Tensor, key: Tensor, value: Tensor, num_heads: int, in_proj_weight: Tensor | None,
                   in_proj_bias: Tensor | None, separate: bool, q_w: Tensor | None, k_w: Tensor | None,
                   v_w: Tensor | None) -> tuple[Tensor, ...]:
    """Q, K, V of shape (N, H, T, D). Packed weights are used whole where inputs are shared (self-attention:
    one matmul; encoder-decoder: two), as torch does."""
    E = query.shape[-1]
    b = [None] * 3 if in_proj_bias is None else [in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:]]
    if separate:
        for name, w in (("q_proj_weight", q_w), ("k_proj_weight", k_w), ("v_proj_weight", v_w)):
            if w is None:
                raise AssertionError(f"{_MHA}: use_separate_proj_weight is True but {name} is None")
        return (_project(query, q_w, b[0], 1, num_heads) + _project(key, k_w, b[1], 1, num_heads)
                + _project(value, v_w, b[2], 1, num_heads))
    if in_proj_weight is None:
        raise AssertionError(f"{_MHA}: use_separate_proj_weight is False but in_proj_weight is None")
    w = in_proj_weight
    if key is value:
        if query is key:
            return _project(query, w, in_proj_bias, 3, num_heads)
        kv_b = None if in_proj_bias is None else in_proj_bias[E:]
        return _project(query, w[:E], b[0], 1, num_heads) + _project(key, w[E:], kv_b, 2, num_heads)
    return (_project(query, w[:E], b[0], 1, num_heads) + _project(key, w[E:2 * E], b[1], 1, num_heads)
            + _project(value, w[2 * E:], b[2], 1, num_heads))


def _heads_of(bias: Tensor, n: int, num_heads: int) -> Tensor:
    """bias_k / bias_v (1, 1, E) as one more key of every sequence: (N, H, 1, D)."""
    return bias.reshape(1, num_heads, 1, -1).expand(n, num_heads, 1, bias.shape[-1] // num_heads)


def _static(t: Tensor, name: str, n: int, num_heads: int, head_dim: int) -> Tensor:
    if t.shape[0] != n * num_heads or t.shape[2] != head_dim:
        raise AssertionError(f"{_MHA}: expecting {name} of shape (N·num_heads, S, head_dim) = ({n * num_heads}, S, "
                             f"{head_dim}), but got {tuple(t.shape)}")
    return t.reshape(n, num_heads, t.shape[1], head_dim)


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
                                 bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float,
                                 out_proj_weight: Tensor, out_proj_bias: Tensor | None, training: bool = True,
                                 key_padding_mask: Tensor | None = None, need_weights: bool = True,
                                 attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
                                 q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
                                 v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
                                 static_v: Tensor | None = None, average_attn_weights: bool = True,
                                 is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on sequence-first inputs: query (L, N, E) or (L, E), key/value (S, N, E_k/E_v).

    Each head h attends with Q W_qʰ, K W_kʰ, V W_vʰ (scaled dot products, softmax over keys); the heads' outputs
    are concatenated and projected by ``out_proj_weight``. Masks use True = masked out (bool) or are added
    (float); ``attn_mask`` is (L, S) or (N·num_heads, L, S), ``key_padding_mask`` (N, S). Returns the output
    (L, N, E) and, with ``need_weights``, the attention weights (N, L, S) averaged over heads, or per head
    (N, num_heads, L, S). The gradient is the engine's, through each step (see scaled_dot_product_attention).
    """
    _check_tensors(_MHA, query=query, key=key, value=value, key_padding_mask=key_padding_mask, attn_mask=attn_mask)
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        key_padding_mask = None if key_padding_mask is None else key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the hint alone: scaled_dot_product_attention makes the causal mask
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        is_causal = is_causal and key_padding_mask is None  # merged with padding, the mask is no longer causal
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"{_MHA}: was expecting embedding dimension of {embed_dim_to_check}, but got "
                             f"{embed_dim} (query's last dim)")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight and key.shape[:2] != value.shape[:2]:
        raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                             f"{tuple(value.shape[:2])}")
    if not use_separate_proj_weight and key.shape != value.shape:
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")

    q, k, v = _in_projection(query, key, value, num_heads, in_proj_weight, in_proj_bias, use_separate_proj_weight,
                             q_proj_weight, k_proj_weight, v_proj_weight)
    if attn_mask is not None:  # to (1, 1, L, S) or (N, H, L, S)
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.reshape(1, 1, tgt_len, src_len)
        else:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
            attn_mask = attn_mask.reshape(bsz, num_heads, tgt_len, src_len)
    if (bias_k is None) != (bias_v is None):
        raise AssertionError(f"bias_{'k' if bias_v is None else 'v'} is set but bias_{'v' if bias_v is None else 'k'}"
                             " is None")
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError(f"bias cannot be added to static {'key' if static_k is not None else 'value'}.")
        k = autograd.cat([k, _heads_of(bias_k, bsz, num_heads)], 2)
        v = autograd.cat([v, _heads_of(bias_v, bsz, num_heads)], 2)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    if static_k is not None:
        k = _static(static_k, "static_k", bsz, num_heads, head_dim)
    if static_v is not None:
        v = _static(static_v, "static_v", bsz, num_heads, head_dim)
    if add_zero_attn:
        k = autograd.cat([k, autograd.zeros(bsz, num_heads, 1, head_dim, dtype=k.dtype)], 2)
        v = autograd.cat([v, autograd.zeros(bsz, num_heads, 1, head_dim, dtype=v.dtype)], 2)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    src_len = k.shape[2]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"Expected key_padding_mask of shape (N, S) = {(bsz, src_len)} (S counting any "
                                 f"bias_k / zero-attention key), but got {tuple(key_padding_mask.shape)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        # torch's explicit path: a plain softmax, so a query with nothing to attend to gives NaN here
        scores = (q * math.sqrt(1.0 / head_dim)) @ k.mT
        weights = autograd.softmax(scores if attn_mask is None else scores + attn_mask, -1)
        if dropout_p > 0:
            weights = dropout(weights, dropout_p)
        out = weights @ v
    else:
        weights = None
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = linear(out.permute(2, 0, 1, 3).reshape(tgt_len, bsz, embed_dim), out_proj_weight, out_proj_bias)
    if weights is not None and average_attn_weights:
        weights = weights.mean(1)
    if not batched:
        out = out.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights
