"""Attention and Transformers: scaled_dot_product_attention against the formula in NumPy (masks, causal, GQA,
dropout), MultiheadAttention against a per-head NumPy computation, gradcheck + gradgradcheck in float64 of
attention, MultiheadAttention and the encoder/decoder layers, parameters and initialisation, and errors."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import autograd as ag
import nn
import nn.functional as F
from autograd import gradcheck, gradgradcheck

sdpa = F.scaled_dot_product_attention


def leaf(shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=ag.float64, requires_grad=True)


def check(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def softmax_np(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def attention_np(q, k, v, bias=None, scale=None):
    """softmax(q kᵀ · scale + bias) v, the textbook formula."""
    s = q @ np.swapaxes(k, -1, -2) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    return softmax_np(s if bias is None else s + bias) @ v


# ---- scaled_dot_product_attention: values ------------------------------------------------------------------------

def test_sdpa_is_the_formula_with_broadcast_batch_dims_and_scale():
    q, k, v = leaf((2, 3, 4, 5), 1), leaf((1, 3, 6, 5), 2), leaf((2, 1, 6, 7), 3)
    out = sdpa(q, k, v)
    assert out.shape == (2, 3, 4, 7)
    np.testing.assert_allclose(out.array, attention_np(q.array, k.array, v.array), rtol=1e-12)
    np.testing.assert_allclose(sdpa(q, k, v, scale=0.3).array, attention_np(q.array, k.array, v.array, scale=0.3),
                               rtol=1e-12)
    q2, k2, v2 = leaf((4, 5), 4), leaf((6, 5), 5), leaf((6, 2), 6)  # no batch dims at all
    np.testing.assert_allclose(sdpa(q2, k2, v2).array, attention_np(q2.array, k2.array, v2.array), rtol=1e-12)


def test_sdpa_masks_bool_keeps_true_and_float_is_added():
    q, k, v = leaf((2, 4, 3), 1), leaf((2, 5, 3), 2), leaf((2, 5, 2), 3)
    allowed = np.random.default_rng(0).random((4, 5)) > 0.4
    allowed[:, 0] = True
    expected = attention_np(q.array, k.array, v.array, np.where(allowed, 0, -np.inf))
    np.testing.assert_allclose(sdpa(q, k, v, attn_mask=ag.tensor(allowed)).array, expected, rtol=1e-12)
    bias = np.random.default_rng(1).standard_normal((2, 1, 5))
    np.testing.assert_allclose(sdpa(q, k, v, attn_mask=ag.tensor(bias)).array,
                               attention_np(q.array, k.array, v.array, bias), rtol=1e-12)
    # a float32 mask with a float64 query is accepted, as in torch, and computed in float64
    out = sdpa(q, k, v, attn_mask=ag.tensor(bias, dtype=ag.float32))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.array, attention_np(q.array, k.array, v.array, bias.astype(np.float32)), rtol=1e-12)


@pytest.mark.parametrize("L,S", [(4, 4), (3, 5), (5, 3)])
def test_sdpa_causal_is_top_left_aligned(L, S):
    q, k, v = leaf((2, L, 3), 1), leaf((2, S, 3), 2), leaf((2, S, 2), 3)
    bias = np.where(np.arange(S)[None, :] <= np.arange(L)[:, None], 0, -np.inf)
    np.testing.assert_allclose(sdpa(q, k, v, is_causal=True).array, attention_np(q.array, k.array, v.array, bias),
                               rtol=1e-12)


def test_sdpa_query_with_nothing_to_attend_to_gives_zeros_and_zero_gradient():
    q, k, v = leaf((2, 3, 4), 1), leaf((2, 5, 4), 2), leaf((2, 5, 3), 3)
    allowed = np.ones((3, 5), bool)
    allowed[1] = False
    out = sdpa(q, k, v, attn_mask=ag.tensor(allowed))
    assert np.all(out.array[:, 1] == 0) and np.isfinite(out.array).all()
    np.testing.assert_allclose(out.array[:, [0, 2]], attention_np(q.array, k.array, v.array)[:, [0, 2]], rtol=1e-12)
    out.sum().backward()
    assert np.all(q.grad.array[:, 1] == 0) and np.isfinite(k.grad.array).all()
    fmask = ag.tensor(np.where(allowed, 0.0, -np.inf), requires_grad=True)
    out = sdpa(q, k, v, attn_mask=fmask)
    assert np.all(out.array[:, 1] == 0)
    out.sum().backward()
    assert np.all(fmask.grad.array[1] == 0) and np.isfinite(fmask.grad.array).all()


def test_sdpa_no_keys_gives_zeros():
    out = sdpa(leaf((2, 3, 4)), leaf((2, 0, 4)), leaf((2, 0, 5)))
    assert out.shape == (2, 3, 5) and np.all(out.array == 0)


def test_sdpa_grouped_query_attention_shares_each_kv_head_among_consecutive_query_heads():
    q, k, v = leaf((2, 6, 4, 3), 1), leaf((2, 2, 5, 3), 2), leaf((2, 2, 5, 4), 3)
    out = sdpa(q, k, v, enable_gqa=True)
    expected = attention_np(q.array, np.repeat(k.array, 3, axis=1), np.repeat(v.array, 3, axis=1))
    np.testing.assert_allclose(out.array, expected, rtol=1e-12)


def test_sdpa_dropout_zeroes_weights_and_rescales_the_rest():
    ag.manual_seed(0)
    q, k = leaf((64, 4, 3), 1), leaf((64, 6, 3), 2)
    eye = ag.tensor(np.broadcast_to(np.eye(6), (64, 6, 6)).copy())  # V = I: the output is the weights themselves
    out = sdpa(q, k, eye, dropout_p=0.25).array
    weights = softmax_np(q.array @ np.swapaxes(k.array, -1, -2) / math.sqrt(3))
    dropped = out == 0
    np.testing.assert_allclose(out[~dropped], weights[~dropped] / 0.75, rtol=1e-12)
    assert 0.2 < dropped.mean() < 0.3
    assert np.all(sdpa(q, k, eye, dropout_p=1.0).array == 0)
    ag.manual_seed(0)
    np.testing.assert_array_equal(sdpa(q, k, eye, dropout_p=0.25).array, out)  # reproducible from the seed


# ---- scaled_dot_product_attention: derivatives -------------------------------------------------------------------

def test_sdpa_gradcheck_plain_broadcast_and_scale():
    check(lambda q, k, v: sdpa(q, k, v), leaf((2, 3, 2), 1), leaf((2, 4, 2), 2), leaf((2, 4, 3), 3))
    check(lambda q, k, v: sdpa(q, k, v, scale=0.7), leaf((2, 2, 3, 2), 1), leaf((1, 2, 4, 2), 2), leaf((4, 3), 3))


@settings(max_examples=6, deadline=None, derandomize=True)
@given(batch=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=2, max_side=2),
       sizes=st.tuples(*[st.integers(1, 3)] * 4), mask=st.sampled_from(["none", "float", "causal"]))
def test_sdpa_gradcheck_random_shapes(batch, sizes, mask):
    L, S, E, Ev = sizes
    qb, kb, vb = batch.input_shapes
    q, k, v = leaf(qb + (L, E), 1), leaf(kb + (S, E), 2), leaf(vb + (S, Ev), 3)
    np.testing.assert_allclose(sdpa(q, k, v, is_causal=mask == "causal").array, attention_np(
        q.array, k.array, v.array, np.triu(np.full((L, S), -np.inf), 1) if mask == "causal" else None), rtol=1e-12)
    if mask == "float":
        check(lambda q, k, v, m: sdpa(q, k, v, attn_mask=m), q, k, v, leaf((L, S), 4))
    else:
        check(lambda q, k, v: sdpa(q, k, v, is_causal=mask == "causal"), q, k, v)


def test_sdpa_gradcheck_float_mask_is_differentiable_and_bool_mask_and_causal():
    q, k, v, m = leaf((2, 3, 2), 1), leaf((2, 4, 2), 2), leaf((2, 4, 2), 3), leaf((3, 4), 4)
    check(lambda q, k, v, m: sdpa(q, k, v, attn_mask=m), q, k, v, m)
    allowed = ag.tensor(np.array([[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 1, 1]], bool))
    check(lambda q, k, v: sdpa(q, k, v, attn_mask=allowed), q, k, v)
    check(lambda q, k, v: sdpa(q, k, v, is_causal=True), q, k, v)


def test_sdpa_gradcheck_fully_masked_rows_gqa_and_non_contiguous_inputs():
    q, k, v = leaf((2, 3, 2), 1), leaf((2, 4, 2), 2), leaf((2, 4, 2), 3)
    allowed = ag.tensor(np.array([[1, 0, 1, 1], [0, 0, 0, 0], [1, 1, 0, 1]], bool))
    check(lambda q, k, v: sdpa(q, k, v, attn_mask=allowed), q, k, v)
    check(lambda q, k, v: sdpa(q, k, v, enable_gqa=True), leaf((1, 4, 2, 2), 4), leaf((1, 2, 3, 2), 5),
          leaf((1, 2, 3, 2), 6))
    base = leaf((2, 3, 4), 7)  # q and k as transposed views of one tensor, v a slice
    check(lambda b, v: sdpa(b.transpose(-1, -2), b.transpose(-1, -2)[:, 1:], v[:, ::2]), base, leaf((2, 6, 2), 8))


# ---- MultiheadAttention ------------------------------------------------------------------------------------------

def mha_np(m, q, k, v, kpm=None, attn_mask=None):
    """Per-head loop in NumPy (sequence-first, batched): the reference for the batched implementation."""
    E, H = m.embed_dim, m.num_heads
    D = E // H
    if m._qkv_same_embed_dim:
        wq, wk, wv = np.split(m.in_proj_weight.array, 3)
    else:
        wq, wk, wv = m.q_proj_weight.array, m.k_proj_weight.array, m.v_proj_weight.array
    bq, bk, bv = np.split(m.in_proj_bias.array, 3) if m.in_proj_bias is not None else (0, 0, 0)
    Q, K, V = q @ wq.T + bq, k @ wk.T + bk, v @ wv.T + bv  # (T, N, E)
    if m.bias_k is not None:
        K = np.concatenate([K, np.broadcast_to(m.bias_k.array, (1,) + K.shape[1:])])
        V = np.concatenate([V, np.broadcast_to(m.bias_v.array, (1,) + V.shape[1:])])
    if m.add_zero_attn:
        K = np.concatenate([K, np.zeros((1,) + K.shape[1:])])
        V = np.concatenate([V, np.zeros((1,) + V.shape[1:])])
    L, N, S = q.shape[0], q.shape[1], K.shape[0]
    out = np.zeros((L, N, E))
    weights = np.zeros((N, H, L, S))
    for n in range(N):
        for h in range(H):
            cols = slice(h * D, (h + 1) * D)
            s = Q[:, n, cols] @ K[:, n, cols].T / math.sqrt(D)
            if attn_mask is not None:
                s = s + np.pad(attn_mask, ((0, 0), (0, S - attn_mask.shape[1])))
            if kpm is not None:
                s = s + np.where(np.pad(kpm[n], (0, S - kpm.shape[1])), -np.inf, 0)
            weights[n, h] = softmax_np(s)
            out[:, n, cols] = weights[n, h] @ V[:, n, cols]
    out = out @ m.out_proj.weight.array.T + (0 if m.out_proj.bias is None else m.out_proj.bias.array)
    return out, weights


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")  # bool padding, float mask
@pytest.mark.parametrize("kw", [{}, {"add_bias_kv": True}, {"add_zero_attn": True}, {"kdim": 3, "vdim": 5},
                                {"bias": False}, {"add_bias_kv": True, "add_zero_attn": True, "kdim": 2}])
def test_mha_matches_a_per_head_numpy_loop(kw):
    ag.manual_seed(0)
    m = nn.MultiheadAttention(6, 3, **kw).double()
    if m.bias_k is None and m.in_proj_bias is not None:
        m.in_proj_bias.array[:] = np.random.default_rng(9).standard_normal(18)  # torch's init makes them zero
    q, k, v = leaf((4, 2, 6), 1), leaf((5, 2, m.kdim), 2), leaf((5, 2, m.vdim), 3)
    kpm = np.zeros((2, 5), bool)
    kpm[1, 3:] = True
    am = np.random.default_rng(4).standard_normal((4, 5))
    out, w = m(q, k, v, key_padding_mask=ag.tensor(kpm), attn_mask=ag.tensor(am), average_attn_weights=False)
    ref_out, ref_w = mha_np(m, q.array, k.array, v.array, kpm, am)
    np.testing.assert_allclose(out.array, ref_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.array, ref_w, rtol=1e-10, atol=1e-12)
    out2, w2 = m(q, k, v, key_padding_mask=ag.tensor(kpm), attn_mask=ag.tensor(am))  # averaged over heads
    np.testing.assert_allclose(w2.array, ref_w.mean(1), rtol=1e-10, atol=1e-12)
    out3, w3 = m(q, k, v, key_padding_mask=ag.tensor(kpm), attn_mask=ag.tensor(am), need_weights=False)
    assert w3 is None
    np.testing.assert_allclose(out3.array, ref_out, rtol=1e-10, atol=1e-12)


def test_mha_batch_first_unbatched_and_3d_masks_agree_with_sequence_first():
    m = nn.MultiheadAttention(4, 2).double()
    x = leaf((3, 2, 4), 1)
    out, w = m(x, x, x)
    mb = nn.MultiheadAttention(4, 2, batch_first=True).double()
    mb.load_state_dict(m.state_dict())
    outb, wb = mb(x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1))
    np.testing.assert_allclose(outb.array, out.array.transpose(1, 0, 2), rtol=1e-12)
    np.testing.assert_allclose(wb.array, w.array, rtol=1e-12)
    out1, w1 = m(x[:, 1], x[:, 1], x[:, 1])  # unbatched (L, E)
    np.testing.assert_allclose(out1.array, out.array[:, 1], rtol=1e-12)
    np.testing.assert_allclose(w1.array, w.array[1], rtol=1e-12)
    mask3 = np.random.default_rng(0).standard_normal((2 * 2, 3, 3))  # (N·H, L, S): one mask per batch and head
    out3, w3 = m(x, x, x, attn_mask=ag.tensor(mask3), average_attn_weights=False)
    per_batch = [m(x[:, [n]], x[:, [n]], x[:, [n]], attn_mask=ag.tensor(mask3[2 * n:2 * n + 2]),
                      average_attn_weights=False) for n in range(2)]
    for n, (o, wn) in enumerate(per_batch):
        np.testing.assert_allclose(out3.array[:, n], o.array[:, 0], rtol=1e-12)
        np.testing.assert_allclose(w3.array[n], wn.array[0], rtol=1e-12)


@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_mha_fully_padded_query_nan_with_weights_finite_without():
    m = nn.MultiheadAttention(4, 2).double()
    x = leaf((3, 2, 4), 1)
    kpm = ag.tensor(np.array([[True] * 3, [False] * 3]))
    out, w = m(x, x, x, key_padding_mask=kpm)  # torch's explicit path: a plain softmax over nothing
    assert np.isnan(out.array[:, 0]).all() and np.isfinite(out.array[:, 1]).all()
    out, _ = m(x, x, x, key_padding_mask=kpm, need_weights=False)  # torch's fused path: zeros, then out_proj
    np.testing.assert_allclose(out.array[:, 0], np.broadcast_to(m.out_proj.bias.array, (3, 4)))


def functional_call(module, params, args, kwargs):
    """module(*args, **kwargs) with its parameters replaced by ``params`` (in named_parameters order), so that
    the checks' perturbed copies and forward-mode duals are what the module computes with."""
    slots = [(module.get_submodule(name.rpartition(".")[0]), name.rpartition(".")[2])
             for name, _ in module.named_parameters()]
    saved = [mod._parameters[name] for mod, name in slots]
    for (mod, name), p in zip(slots, params):
        mod._parameters[name] = p
    try:
        return module(*args, **kwargs)
    finally:
        for (mod, name), p in zip(slots, saved):
            mod._parameters[name] = p


def module_check(module, *inputs, second_order=lambda name: True, **kwargs):
    """gradcheck of module(*inputs) with respect to the inputs and every parameter, and gradgradcheck with respect
    to the inputs and the parameters ``second_order`` selects (by name: second derivatives cost the most)."""
    n = len(inputs)

    def fn(*args):
        return functional_call(module, args[n:], args[:n], kwargs)

    params = dict(module.named_parameters())
    assert gradcheck(fn, inputs + tuple(params.values()), check_forward_ad=True)
    chosen = tuple(p if second_order(name) else p.detach() for name, p in params.items())
    assert gradgradcheck(fn, inputs + chosen)


@pytest.mark.parametrize("kw,masks", [
    ({}, {}),
    ({"kdim": 3, "vdim": 2}, {"key_padding_mask": [[False, False, True], [False, False, False]]}),
    ({"add_bias_kv": True}, {"attn_mask": [[False, True, False], [False, False, True]]}),
    ({"add_zero_attn": True, "bias": False}, {"key_padding_mask": [[False, True, True], [False, False, False]]}),
])
def test_mha_gradcheck(kw, masks):
    m = nn.MultiheadAttention(4, 2, **kw).double()
    if m.in_proj_bias is not None:
        m.in_proj_bias.array[:] = np.random.default_rng(9).standard_normal(12)
    q, k, v = leaf((2, 2, 4), 1), leaf((3, 2, m.kdim), 2), leaf((3, 2, m.vdim), 3)
    mk = {name: ag.tensor(np.array(val)) for name, val in masks.items()}
    second = lambda name: name != "out_proj.weight"  # noqa: E731  (out_proj: a Linear, checked elsewhere)
    module_check(m, q, k, v, second_order=second, **mk)  # output and averaged weights
    module_check(m, q, k, v, need_weights=False, second_order=second, **mk)  # the scaled_dot_product_attention path


def test_mha_gradcheck_self_attention_batch_first_per_head_weights():
    m = nn.MultiheadAttention(4, 2, batch_first=True).double()
    x = leaf((2, 3, 4), 1)
    module_check(m, x, x, x, average_attn_weights=False)
    causal = nn.Transformer.generate_square_subsequent_mask(3, dtype=ag.float64)
    check(lambda x, *p: functional_call(m, p, (x, x, x), {"attn_mask": causal, "is_causal": True,
                                                          "need_weights": False}), x, *m.parameters())


# ---- Transformer layers ------------------------------------------------------------------------------------------

IN_PROJ = lambda name: name.endswith("in_proj_weight")  # noqa: E731  (second order through the inputs and these)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_gradcheck(norm_first):
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, norm_first=norm_first).double()
    kpm = ag.tensor(np.array([[False, False, True], [False, False, False]]))
    module_check(layer, leaf((3, 2, 4), 1), src_key_padding_mask=kpm, second_order=IN_PROJ)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_gradcheck(norm_first):
    # d_model 2 in 2 heads keeps the ~70 parameters' finite differences quick
    layer = nn.TransformerDecoderLayer(2, 2, 3, dropout=0.0, norm_first=norm_first, activation="gelu",
                                       batch_first=True).double()
    mask = nn.Transformer.generate_square_subsequent_mask(2, dtype=ag.float64)
    mkpm = ag.tensor(np.array([[False, True, False], [False, False, False]]))
    module_check(layer, leaf((2, 2, 2), 1), leaf((2, 3, 2), 2), tgt_mask=mask, memory_key_padding_mask=mkpm,
                 second_order=IN_PROJ)


def layer_np(layer, x, norm_first):
    """A post-norm or pre-norm encoder layer from its parts, sequence-first."""
    def ln(y, norm):
        mu, var = y.mean(-1, keepdims=True), y.var(-1, keepdims=True)
        return (y - mu) / np.sqrt(var + norm.eps) * norm.weight.array + norm.bias.array

    def sa(y):
        return mha_np(layer.self_attn, y, y, y)[0]

    def ff(y):
        h = np.maximum(y @ layer.linear1.weight.array.T + layer.linear1.bias.array, 0)
        return h @ layer.linear2.weight.array.T + layer.linear2.bias.array

    if norm_first:
        x = x + sa(ln(x, layer.norm1))
        return x + ff(ln(x, layer.norm2))
    x = ln(x + sa(x), layer.norm1)
    return ln(x + ff(x), layer.norm2)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_is_attention_then_feed_forward_with_residuals(norm_first):
    layer = nn.TransformerEncoderLayer(6, 2, 10, dropout=0.0, norm_first=norm_first).double()
    for p in (layer.norm1.weight, layer.norm1.bias, layer.norm2.bias, layer.self_attn.in_proj_bias):
        p.array[:] = np.random.default_rng(p.array.size).standard_normal(p.shape)
    x = leaf((4, 3, 6), 1)
    np.testing.assert_allclose(layer(x).array, layer_np(layer, x.array, norm_first), rtol=1e-10, atol=1e-12)


def test_dropout_acts_in_training_only():
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.5).double()
    x = leaf((3, 2, 4), 1)
    ag.manual_seed(0)
    a = layer(x).array
    ag.manual_seed(1)
    assert not np.allclose(a, layer(x).array)
    layer.eval()
    np.testing.assert_array_equal(layer(x).array, layer(x).array)
    m = nn.MultiheadAttention(4, 2, dropout=0.5).double()
    _, w = m(x, x, x, average_attn_weights=False)
    assert (w.array == 0).any()  # dropout on the attention weights
    m.eval()
    _, w = m(x, x, x, average_attn_weights=False)
    np.testing.assert_allclose(w.array.sum(-1), 1, rtol=1e-12)


def test_encoder_and_decoder_stacks_are_deep_copies_then_norm():
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0).double()
    enc = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(4).double(), enable_nested_tensor=False)
    assert len(enc.layers) == 3 and enc.layers[0] is not layer
    w = [lay.linear1.weight for lay in enc.layers]
    assert w[0] is not w[1] and np.array_equal(w[0].array, w[1].array)
    x = leaf((3, 2, 4), 1)
    y = x
    for lay in enc.layers:
        y = lay(y)
    np.testing.assert_allclose(enc(x).array, enc.norm(y).array, rtol=1e-12)
    keys = list(enc.state_dict())
    assert keys[0] == "layers.0.self_attn.in_proj_weight" and keys[-1] == "norm.bias"


def test_causal_mask_and_is_causal_detection():
    m = nn.Transformer.generate_square_subsequent_mask(3)
    assert m.dtype == np.float32
    np.testing.assert_array_equal(m.array, [[0, -np.inf, -np.inf], [0, 0, -np.inf], [0, 0, 0]])
    assert nn.Transformer.generate_square_subsequent_mask(2, dtype=ag.float64).dtype == np.float64
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0).double(), 2)
    x = leaf((3, 2, 4), 1)
    causal = nn.Transformer.generate_square_subsequent_mask(3, dtype=ag.float64)
    bool_causal = ag.tensor(np.triu(np.ones((3, 3), bool), 1))
    a = enc(x, mask=causal)
    np.testing.assert_allclose(enc(x, mask=bool_causal).array, a.array, rtol=1e-12)
    np.testing.assert_allclose(enc(x, mask=causal, is_causal=True).array, a.array, rtol=1e-12)
    assert not np.allclose(enc(x).array, a.array)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        enc.layers[0](x, is_causal=True)


def test_transformer_shapes_masks_and_xavier_init():
    ag.manual_seed(0)
    model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16,
                           dropout=0.0, batch_first=True).double()
    src, tgt = leaf((2, 5, 8), 1), leaf((2, 3, 8), 2)
    out = model(src, tgt, tgt_mask=model.generate_square_subsequent_mask(3, dtype=ag.float64),
                src_key_padding_mask=ag.tensor(np.array([[False] * 4 + [True], [False] * 5])),
                memory_key_padding_mask=ag.tensor(np.array([[False] * 4 + [True], [False] * 5])))
    assert out.shape == (2, 3, 8)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    for name, p in model.named_parameters():
        if p.ndim > 1:  # xavier_uniform_: U(±√(6/(fan_in + fan_out)))
            bound = math.sqrt(6 / (p.shape[0] + p.shape[1]))
            assert np.abs(p.array).max() <= bound and np.abs(p.array).max() > 0.5 * bound, name
    # a causal decoder: tgt position 0 does not depend on later tgt positions
    tgt2 = ag.tensor(tgt.array.copy())
    tgt2.array[:, 2] += 1.0
    mask = model.generate_square_subsequent_mask(3, dtype=ag.float64)
    a, b = model(src, tgt, tgt_mask=mask), model(src, tgt2, tgt_mask=mask)
    np.testing.assert_allclose(a.array[:, :2], b.array[:, :2], rtol=1e-12)
    assert not np.allclose(a.array[:, 2], b.array[:, 2])


def test_activation_choices():
    assert nn.TransformerEncoderLayer(4, 2, activation="gelu").activation is F.gelu
    assert nn.TransformerEncoderLayer(4, 2, activation="gelu").activation_relu_or_gelu == 2
    assert nn.TransformerEncoderLayer(4, 2).activation_relu_or_gelu == 1
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, activation=lambda t: t * 2).double()
    assert layer.activation_relu_or_gelu == 0
    x = leaf((2, 1, 4), 1)
    ln2 = layer.norm2
    h = layer.norm1(x + layer.self_attn(x, x, x)[0])
    np.testing.assert_allclose(layer(x).array, ln2(h + layer.linear2(layer.linear1(h) * 2)).array, rtol=1e-12)
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerDecoderLayer(4, 2, activation="tanh")


# ---- parameters and initialisation -------------------------------------------------------------------------------

def test_mha_parameter_names_shapes_and_init():
    m = nn.MultiheadAttention(8, 2)
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == [
        ("in_proj_weight", (24, 8)), ("in_proj_bias", (24,)), ("out_proj.weight", (8, 8)), ("out_proj.bias", (8,))]
    assert np.all(m.in_proj_bias.array == 0) and np.all(m.out_proj.bias.array == 0)
    bound = math.sqrt(6 / (8 + 24))  # xavier_uniform_ on the packed (3E, E) matrix
    assert bound / 2 < np.abs(m.in_proj_weight.array).max() <= bound
    assert m.head_dim == 4 and m._qkv_same_embed_dim and m.bias_k is None
    m = nn.MultiheadAttention(8, 2, add_bias_kv=True, kdim=3, vdim=5, bias=False, dtype=ag.float64)
    assert list(m.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "bias_k", "bias_v",
                                    "out_proj.weight"]
    assert m.in_proj_weight is None and m.in_proj_bias is None and m.out_proj.bias is None
    assert m.k_proj_weight.shape == (8, 3) and m.v_proj_weight.shape == (8, 5) and m.bias_k.shape == (1, 1, 8)
    assert m.q_proj_weight.dtype == np.float64 and "NonDynamicallyQuantizableLinear" in repr(m)


# ---- errors ------------------------------------------------------------------------------------------------------

def test_sdpa_errors_name_the_shapes_and_dtypes():
    q, k, v = leaf((2, 3, 4)), leaf((2, 5, 4)), leaf((2, 5, 6))
    with pytest.raises(RuntimeError, match=r"attn_mask of shape \(4, 4\) does not broadcast .*\(2, 3, 5\)"):
        sdpa(q, k, v, attn_mask=ag.ones(4, 4, dtype=ag.bool))
    with pytest.raises(RuntimeError, match="attn_mask dtype to be bool or float32 .* int64"):
        sdpa(q, k, v, attn_mask=ag.ones(3, 5, dtype=ag.int64))
    with pytest.raises(RuntimeError, match="should not be set when is_causal=True"):
        sdpa(q, k, v, attn_mask=ag.ones(3, 5, dtype=ag.bool), is_causal=True)
    with pytest.raises(RuntimeError, match="at least 2-dimensional"):
        sdpa(q[0, 0], k, v)
    with pytest.raises(RuntimeError, match="same dtype.*float32"):
        sdpa(q.float(), k, v)
    with pytest.raises(RuntimeError, match=r"\(2, 3, 4\), key .* \(2, 5, 3\) .* must agree on E"):
        sdpa(q, k[..., :3], v)
    with pytest.raises(RuntimeError, match="batch dims .* do not broadcast"):
        sdpa(leaf((2, 6, 3, 4)), leaf((2, 3, 5, 4)), leaf((2, 3, 5, 4)))
    with pytest.raises(RuntimeError, match="must divide the number of heads in query"):
        sdpa(leaf((2, 6, 3, 4)), leaf((2, 4, 5, 4)), leaf((2, 4, 5, 4)), enable_gqa=True)
    with pytest.raises(RuntimeError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        sdpa(q, k, v, dropout_p=1.5)
    with pytest.raises(TypeError, match="argument 'attn_mask' must be Tensor, not list"):
        sdpa(q, k, v, attn_mask=[[True] * 5] * 3)


def test_mha_errors_as_torch():
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match="must be greater than 0"):
        nn.MultiheadAttention(0, 1)
    m = nn.MultiheadAttention(4, 2).double()
    x = leaf((3, 2, 4))
    with pytest.raises(RuntimeError, match=r"2D attn_mask is \(3, 2\), but should be \(3, 3\)"):
        m(x, x, x, attn_mask=ag.zeros(3, 2, dtype=ag.bool))
    with pytest.raises(RuntimeError, match=r"3D attn_mask is \(2, 3, 3\), but should be \(4, 3, 3\)"):
        m(x, x, x, attn_mask=ag.zeros(2, 3, 3, dtype=ag.bool))
    with pytest.raises(AssertionError, match=r"key_padding_mask of shape \(N, S\) = \(2, 3\).*\(2, 4\)"):
        m(x, x, x, key_padding_mask=ag.zeros(2, 4, dtype=ag.bool))
    with pytest.raises(AssertionError, match="expected `key_padding_mask` to be `None` or 2-D"):
        m(x, x, x, key_padding_mask=ag.zeros(3, dtype=ag.bool))
    with pytest.raises(AssertionError, match="only bool and floating types of key_padding_mask"):
        m(x, x, x, key_padding_mask=ag.zeros(2, 3, dtype=ag.int64))
    with pytest.raises(AssertionError, match="expecting embedding dimension of 4, but got 5"):
        m(leaf((3, 2, 5)), x, x)
    with pytest.raises(AssertionError, match="query should be unbatched 2D"):
        m(leaf((1, 3, 2, 4)), x, x)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(x, x, x, is_causal=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m(x, x, x, key_padding_mask=ag.zeros(2, 3, dtype=ag.bool), attn_mask=ag.zeros(3, 3, dtype=ag.float64))
    assert any("mismatched key_padding_mask and attn_mask is deprecated" in str(w.message) for w in caught)


def test_transformer_errors():
    model = nn.Transformer(8, 2, 1, 1, 16, batch_first=True)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(ag.randn(2, 3, 8), ag.randn(3, 3, 8))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model=8"):
        model(ag.randn(2, 3, 8), ag.randn(2, 3, 6))
    with pytest.raises(ag.DeviceError):
        nn.TransformerEncoderLayer(8, 2, device="cuda")
