"""Optional: attention and Transformers against PyTorch (skipped without it). Torch state_dicts load into ours;
outputs, attention weights (averaged and per head) and the gradients of every input, float mask and parameter
agree to 1e-8 relative in float64, for every configuration; error types match."""

import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RTOL, ATOL = 1e-8, 1e-12


def to_ours(state_dict):
    return {k: v.detach().numpy() for k, v in state_dict.items()}


def assert_same(ours, theirs, what=""):
    assert (ours is None) == (theirs is None), what
    if ours is not None:
        a, b = ours.detach().numpy(), theirs.detach().numpy()
        assert a.shape == b.shape, what
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=what)


def pairs(*arrays):
    """float64 leaves (or bool masks) with the same values, ours and torch's."""
    ours = [None if a is None else ag.tensor(a, requires_grad=a.dtype == np.float64) for a in arrays]
    theirs = [None if a is None else torch.tensor(a, requires_grad=a.dtype == np.float64) for a in arrays]
    return ours, theirs


def backward_and_compare(outs, touts, leaves, tleaves, ours_module=None, torch_module=None, seed=0):
    """Values of every output, then one backward with the same random upstream gradient, then every leaf's and
    every parameter's gradient."""
    rng = np.random.default_rng(seed)
    total, ttotal = 0, 0
    for i, (o, t) in enumerate(zip(outs, touts)):
        assert_same(o, t, f"output {i}")
        if o is not None:
            g = rng.standard_normal(tuple(t.shape))
            total = total + (o * ag.tensor(g)).sum()
            ttotal = ttotal + (t * torch.tensor(g)).sum()
    total.backward()
    ttotal.backward()
    for i, (x, tx) in enumerate(zip(leaves, tleaves)):
        if x is not None and tx.requires_grad:
            assert_same(x.grad, tx.grad, f"grad of input {i}")
    if ours_module is not None:
        ours, theirs = dict(ours_module.named_parameters()), dict(torch_module.named_parameters())
        assert list(ours) == list(theirs)
        for name in ours:
            assert_same(ours[name].grad, theirs[name].grad, f"grad of {name}")


def twin(torch_cls, ours_cls, *args, **kwargs):
    """The torch module (float64, its own init) and ours with its state_dict loaded strictly."""
    theirs = torch_cls(*args, **kwargs).double()
    ours = ours_cls(*args, **kwargs).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(to_ours(theirs.state_dict()))
    return ours, theirs


# ---- scaled_dot_product_attention --------------------------------------------------------------------------------

def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


SDPA_CASES = {
    "plain_4d": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), None, {}),
    "unbatched_2d": ((4, 5), (6, 5), (6, 3), None, {}),
    "broadcast_batch": ((2, 3, 4, 5), (1, 3, 6, 5), (2, 1, 6, 2), None, {}),
    "scale": ((2, 4, 5), (2, 6, 5), (2, 6, 3), None, {"scale": 0.37}),
    "bool_mask": ((2, 4, 5), (2, 6, 5), (2, 6, 3), "bool", {}),
    "float_mask": ((2, 4, 5), (2, 6, 5), (2, 6, 3), "float", {}),
    "float32_mask": ((2, 4, 5), (2, 6, 5), (2, 6, 3), "float32", {}),
    "fully_masked_row": ((2, 4, 5), (2, 6, 5), (2, 6, 3), "dead_row", {}),
    "causal_square": ((2, 5, 3), (2, 5, 3), (2, 5, 2), None, {"is_causal": True}),
    "causal_L_lt_S": ((2, 3, 3), (2, 5, 3), (2, 5, 2), None, {"is_causal": True}),
    "causal_L_gt_S": ((2, 6, 3), (2, 4, 3), (2, 4, 2), None, {"is_causal": True}),
    "gqa": ((2, 6, 4, 3), (2, 2, 5, 3), (2, 3, 5, 4), None, {"enable_gqa": True}),
}


@pytest.mark.parametrize("name", sorted(SDPA_CASES))
def test_sdpa_values_and_gradients(name):
    qs, ks, vs, mask, kw = SDPA_CASES[name]
    L, S = qs[-2], ks[-2]
    m = None
    if mask == "bool":
        m = np.random.default_rng(5).random((L, S)) > 0.3
        m[:, 0] = True
    elif mask in ("float", "float32"):
        m = rand(2, 1, S, seed=6).astype(np.float32 if mask == "float32" else np.float64)
    elif mask == "dead_row":
        m = np.ones((2, L, S), bool)
        m[1, 2] = False
    (q, k, v, am), (tq, tk, tv, tam) = pairs(rand(*qs, seed=1), rand(*ks, seed=2), rand(*vs, seed=3), m)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=am, **kw)
    tout = TF.scaled_dot_product_attention(tq, tk, tv, attn_mask=tam, **kw)
    backward_and_compare([out], [tout], [q, k, v, am], [tq, tk, tv, tam])


# ---- MultiheadAttention ------------------------------------------------------------------------------------------

MHA_CONFIGS = {
    "default": {},
    "no_bias": {"bias": False},
    "add_bias_kv": {"add_bias_kv": True},
    "add_zero_attn": {"add_zero_attn": True},
    "kdim_vdim": {"kdim": 3, "vdim": 5},
    "everything": {"add_bias_kv": True, "add_zero_attn": True, "kdim": 3, "vdim": 5, "batch_first": True},
    "batch_first": {"batch_first": True},
}

MASKS = {
    "none": lambda L, S, N, H: {},
    "key_padding": lambda L, S, N, H: {"key_padding_mask": np.arange(S)[None, :] >= np.array([[S - 2], [S]])},
    "attn_bool_2d": lambda L, S, N, H: {"attn_mask": np.triu(np.ones((L, S), bool), 2)},
    "attn_float_3d": lambda L, S, N, H: {"attn_mask": rand(N * H, L, S, seed=7)},
    "both_float": lambda L, S, N, H: {"attn_mask": rand(L, S, seed=8),
                                      "key_padding_mask": np.where(np.arange(S)[None, :] >= np.array([[S - 1], [S]]),
                                                                   -np.inf, 0.0)},
}


@pytest.mark.parametrize("config", sorted(MHA_CONFIGS))
@pytest.mark.parametrize("masks", sorted(MASKS))
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_mha_outputs_weights_and_gradients(config, masks, need_weights, average):
    kw = MHA_CONFIGS[config]
    ours, theirs = twin(torch.nn.MultiheadAttention, nn.MultiheadAttention, 6, 2, **kw)
    if ours.in_proj_bias is not None:  # torch initialises it to zero; give it values that matter
        b = rand(18, seed=9)
        ours.in_proj_bias.array[:] = b
        with torch.no_grad():
            theirs.in_proj_bias.copy_(torch.tensor(b))
    L, S, N = 4, 5, 2
    bf = kw.get("batch_first", False)
    shape = (lambda t, e: (N, t, e)) if bf else (lambda t, e: (t, N, e))
    arrays = rand(*shape(L, 6), seed=1), rand(*shape(S, ours.kdim), seed=2), rand(*shape(S, ours.vdim), seed=3)
    mk = MASKS[masks](L, S, N, 2)
    (q, k, v, *om), (tq, tk, tv, *tm) = pairs(*arrays, *mk.values())
    out = ours(q, k, v, need_weights=need_weights, average_attn_weights=average, **dict(zip(mk, om)))
    tout = theirs(tq, tk, tv, need_weights=need_weights, average_attn_weights=average, **dict(zip(mk, tm)))
    backward_and_compare(out, tout, [q, k, v, *om], [tq, tk, tv, *tm], ours, theirs)


@pytest.mark.parametrize("form", ["self", "encoder_decoder", "unbatched", "causal_hint", "causal_hint_weights"])
def test_mha_input_forms(form):
    ours, theirs = twin(torch.nn.MultiheadAttention, nn.MultiheadAttention, 4, 2)
    (x, m), (tx, tm) = pairs(rand(3, 2, 4, seed=1), rand(5, 2, 4, seed=2))
    causal = np.triu(np.full((3, 3), -np.inf), 1)
    if form == "self":
        out, tout = ours(x, x, x), theirs(tx, tx, tx)
    elif form == "encoder_decoder":
        out, tout = ours(x, m, m), theirs(tx, tm, tm)
    elif form == "unbatched":
        xs, txs = x[:, 0], tx[:, 0]
        kpm = np.array([False, False, True])
        out = ours(xs, xs, xs, key_padding_mask=ag.tensor(kpm), average_attn_weights=False)
        tout = theirs(txs, txs, txs, key_padding_mask=torch.tensor(kpm), average_attn_weights=False)
    else:
        nw = form == "causal_hint_weights"
        out = ours(x, x, x, attn_mask=ag.tensor(causal), is_causal=True, need_weights=nw)
        tout = theirs(tx, tx, tx, attn_mask=torch.tensor(causal), is_causal=True, need_weights=nw)
    backward_and_compare(out, tout, [x, m], [tx, tm], ours, theirs)


@pytest.mark.parametrize("need_weights", [True, False])
def test_functional_mha_with_static_keys_and_values(need_weights):
    """multi_head_attention_forward called directly: separate projection weights and static_k / static_v
    (N·H, S, head_dim), which replace the projected keys and values."""
    arrays = [rand(3, 2, 4, seed=1), rand(5, 2, 4, seed=2), rand(5, 2, 4, seed=2), rand(12, seed=3),
              rand(4, 4, seed=4), rand(4, 4, seed=5), rand(4, 4, seed=6), rand(4, 4, seed=7), rand(4, seed=8),
              rand(4, 6, 2, seed=9), rand(4, 6, 2, seed=10)]
    ours, theirs = pairs(*arrays)

    def run(fn, q, k, v, b, wq, wk, wv, wo, bo, sk, sv):
        return fn(q, k, v, 4, 2, None, b, None, None, True, 0.0, wo, bo, training=False, need_weights=need_weights,
                  use_separate_proj_weight=True, q_proj_weight=wq, k_proj_weight=wk, v_proj_weight=wv, static_k=sk,
                  static_v=sv, average_attn_weights=False)

    out, tout = run(F.multi_head_attention_forward, *ours), run(TF.multi_head_attention_forward, *theirs)
    backward_and_compare(out, tout, ours, theirs)


def test_mha_fully_padded_sequence_nan_and_zero_paths_as_torch():
    ours, theirs = twin(torch.nn.MultiheadAttention, nn.MultiheadAttention, 4, 2)
    (x,), (tx,) = pairs(rand(3, 2, 4, seed=1))
    kpm = np.array([[True] * 3, [False, False, True]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for nw in (True, False):
            out, w = ours(x, x, x, key_padding_mask=ag.tensor(kpm), need_weights=nw)
            tout, tw = theirs(tx, tx, tx, key_padding_mask=torch.tensor(kpm), need_weights=nw)
            np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=RTOL, atol=ATOL)  # NaN where torch's
            if nw:
                np.testing.assert_allclose(w.array, tw.detach().numpy(), rtol=RTOL, atol=ATOL)


# ---- Transformer layers and models -------------------------------------------------------------------------------

LAYER_CONFIGS = {
    "post_norm_relu": {},
    "pre_norm_gelu": {"norm_first": True, "activation": "gelu"},
    "batch_first_no_bias": {"batch_first": True, "bias": False},
    "pre_norm_batch_first_callable": {"norm_first": True, "batch_first": True, "activation": "callable"},
}


def layer_kwargs(config, torch_side):
    kw = dict(LAYER_CONFIGS[config], dropout=0.0, layer_norm_eps=1e-6)
    if kw.get("activation") == "callable":
        kw["activation"] = torch.tanh if torch_side else ag.tanh
    return kw


def seq(batch_first, t, n=2, e=8, seed=0):
    return rand(n, t, e, seed=seed) if batch_first else rand(t, n, e, seed=seed)


@pytest.mark.parametrize("config", sorted(LAYER_CONFIGS))
@pytest.mark.parametrize("masks", ["none", "both"])
def test_encoder_layer(config, masks):
    theirs = torch.nn.TransformerEncoderLayer(8, 2, 12, **layer_kwargs(config, True)).double()
    ours = nn.TransformerEncoderLayer(8, 2, 12, **layer_kwargs(config, False)).double()
    ours.load_state_dict(to_ours(theirs.state_dict()))
    bf = LAYER_CONFIGS[config].get("batch_first", False)
    mk = {} if masks == "none" else {"src_mask": rand(5, 5, seed=4),
                                     "src_key_padding_mask": np.where(np.arange(5) >= np.array([[3], [5]]), -np.inf, 0)}
    (x, *om), (tx, *tm) = pairs(seq(bf, 5, seed=1), *mk.values())
    out, tout = ours(x, **dict(zip(mk, om))), theirs(tx, **dict(zip(mk, tm)))
    backward_and_compare([out], [tout], [x, *om], [tx, *tm], ours, theirs)


@pytest.mark.parametrize("config", sorted(LAYER_CONFIGS))
def test_decoder_layer(config):
    theirs = torch.nn.TransformerDecoderLayer(8, 2, 12, **layer_kwargs(config, True)).double()
    ours = nn.TransformerDecoderLayer(8, 2, 12, **layer_kwargs(config, False)).double()
    ours.load_state_dict(to_ours(theirs.state_dict()))
    bf = LAYER_CONFIGS[config].get("batch_first", False)
    causal = np.triu(np.ones((4, 4), bool), 1)
    mpad = np.arange(6) >= np.array([[4], [6]])
    (x, mem), (tx, tmem) = pairs(seq(bf, 4, seed=1), seq(bf, 6, seed=2))
    kw = {"tgt_mask": causal, "memory_key_padding_mask": mpad, "memory_mask": rand(4, 6, seed=3) > 1.0}
    out = ours(x, mem, **{k: ag.tensor(v) for k, v in kw.items()}, tgt_is_causal=True)
    tout = theirs(tx, tmem, **{k: torch.tensor(v) for k, v in kw.items()}, tgt_is_causal=True)
    backward_and_compare([out], [tout], [x, mem], [tx, tmem], ours, theirs)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_and_decoder_stacks(norm_first):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's enable_nested_tensor notice
        theirs = torch.nn.TransformerEncoder(
            torch.nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, norm_first=norm_first), 2,
            norm=torch.nn.LayerNorm(8)).double()
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, norm_first=norm_first), 2,
                                 norm=nn.LayerNorm(8)).double()
    ours.load_state_dict(to_ours(theirs.state_dict()))
    causal = np.triu(np.full((5, 5), -np.inf), 1)  # detected as causal by both
    (x,), (tx,) = pairs(seq(False, 5, seed=1))
    out, tout = ours(x, mask=ag.tensor(causal)), theirs(tx, mask=torch.tensor(causal))
    backward_and_compare([out], [tout], [x], [tx], ours, theirs)

    theirs = torch.nn.TransformerDecoder(
        torch.nn.TransformerDecoderLayer(8, 2, 12, dropout=0.0, norm_first=norm_first), 2).double()
    ours = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 12, dropout=0.0, norm_first=norm_first), 2).double()
    ours.load_state_dict(to_ours(theirs.state_dict()))
    (x, mem), (tx, tmem) = pairs(seq(False, 4, seed=2), seq(False, 5, seed=3))
    mask = np.triu(np.full((4, 4), -np.inf), 1)
    out, tout = ours(x, mem, tgt_mask=ag.tensor(mask)), theirs(tx, tmem, tgt_mask=torch.tensor(mask))
    backward_and_compare([out], [tout], [x, mem], [tx, tmem], ours, theirs)


@pytest.mark.parametrize("batch_first,norm_first", [(False, False), (True, True)])
def test_full_transformer_with_masks(batch_first, norm_first):
    kw = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16, dropout=0.0,
              batch_first=batch_first, norm_first=norm_first)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.Transformer(**kw).double()
    ours = nn.Transformer(**kw).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(to_ours(theirs.state_dict()))
    S, T = 6, 4
    spad = np.arange(S) >= np.array([[4], [S]])
    tpad = np.arange(T) >= np.array([[T], [3]])
    masks = {"src_mask": np.triu(np.ones((S, S), bool), 3), "tgt_mask": np.triu(np.ones((T, T), bool), 1),
             "memory_mask": rand(T, S, seed=5) > 1.0, "src_key_padding_mask": spad, "tgt_key_padding_mask": tpad,
             "memory_key_padding_mask": spad}
    (src, tgt), (tsrc, ttgt) = pairs(seq(batch_first, S, seed=1), seq(batch_first, T, seed=2))
    out = ours(src, tgt, **{k: ag.tensor(v) for k, v in masks.items()}, tgt_is_causal=True)
    tout = theirs(tsrc, ttgt, **{k: torch.tensor(v) for k, v in masks.items()}, tgt_is_causal=True)
    backward_and_compare([out], [tout], [src, tgt], [tsrc, ttgt], ours, theirs)


def test_generate_square_subsequent_mask():
    for sz, dtype, tdtype in [(1, None, None), (4, None, None), (3, ag.float64, torch.float64)]:
        ours = nn.Transformer.generate_square_subsequent_mask(sz, dtype=dtype)
        theirs = torch.nn.Transformer.generate_square_subsequent_mask(sz, dtype=tdtype)
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.array, theirs.numpy())


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
def test_initialisation_statistics_as_torch():
    """Same init distributions: in_proj xavier_uniform_ on the packed (3E, E) matrix, zero biases, out_proj a
    Linear's kaiming_uniform_, bias_k/v xavier_normal_; Transformer re-draws every matrix xavier_uniform_."""
    ours = nn.MultiheadAttention(256, 4, add_bias_kv=True)
    theirs = torch.nn.MultiheadAttention(256, 4, add_bias_kv=True)
    own = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        a, b = own[name].array, p.detach().numpy()
        np.testing.assert_allclose(a.std(), b.std(), rtol=0.2, atol=1e-12, err_msg=name)
        if name not in ("bias_k", "bias_v"):  # uniform: the same bound
            np.testing.assert_allclose(np.abs(a).max(), np.abs(b).max(), rtol=0.02, atol=1e-12, err_msg=name)
    ours, theirs = nn.Transformer(16, 2, 1, 1, 32), torch.nn.Transformer(16, 2, 1, 1, 32)
    own = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        if p.ndim > 1:
            np.testing.assert_allclose(np.abs(own[name].array).max(), np.abs(p.detach().numpy()).max(), rtol=0.1,
                                       err_msg=name)


def raised(fn, *args):
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001  (the type is what is compared)
        return type(e)
    return None


class _Lib:
    """Our packages under torch's names, so that a call is written once for both."""
    nn = nn
    bool, int64, zeros, ones = ag.bool, ag.int64, ag.zeros, ag.ones
    scaled_dot_product_attention = staticmethod(F.scaled_dot_product_attention)


class _Torch:
    nn = torch.nn
    bool, int64, zeros, ones = torch.bool, torch.int64, torch.zeros, torch.ones
    scaled_dot_product_attention = staticmethod(TF.scaled_dot_product_attention)


def test_error_types_match_torch():
    arrays = rand(2, 3, 4), rand(2, 5, 4), rand(2, 5, 6)
    qkv = {_Lib: [ag.tensor(a) for a in arrays], _Torch: [torch.tensor(a) for a in arrays]}
    x = {_Lib: ag.tensor(rand(3, 2, 4)), _Torch: torch.tensor(rand(3, 2, 4))}
    m = dict(zip((_Lib, _Torch), twin(torch.nn.MultiheadAttention, nn.MultiheadAttention, 4, 2)))
    cases = {
        "sdpa mask shape": lambda L: L.scaled_dot_product_attention(*qkv[L], attn_mask=L.ones(4, 4, dtype=L.bool)),
        "sdpa mask and causal": lambda L: L.scaled_dot_product_attention(
            *qkv[L], attn_mask=L.ones(3, 5, dtype=L.bool), is_causal=True),
        "sdpa int mask": lambda L: L.scaled_dot_product_attention(*qkv[L], attn_mask=L.ones(3, 5, dtype=L.int64)),
        "sdpa 1-d query": lambda L: L.scaled_dot_product_attention(qkv[L][0][0, 0], *qkv[L][1:]),
        "sdpa dropout": lambda L: L.scaled_dot_product_attention(*qkv[L], dropout_p=1.5),
        "sdpa list mask": lambda L: L.scaled_dot_product_attention(*qkv[L], attn_mask=[[True]]),
        "2d mask shape": lambda L: m[L](x[L], x[L], x[L], attn_mask=L.zeros(3, 2, dtype=L.bool)),
        "3d mask shape": lambda L: m[L](x[L], x[L], x[L], attn_mask=L.zeros(2, 3, 3, dtype=L.bool)),
        "padding shape": lambda L: m[L](x[L], x[L], x[L], key_padding_mask=L.zeros(2, 4, dtype=L.bool)),
        "padding dims": lambda L: m[L](x[L], x[L], x[L], key_padding_mask=L.zeros(3, dtype=L.bool)),
        "padding dtype": lambda L: m[L](x[L], x[L], x[L], key_padding_mask=L.zeros(2, 3, dtype=L.int64)),
        "embed dim": lambda L: m[L](x[L][..., :3], x[L], x[L]),
        "causal without mask": lambda L: m[L](x[L], x[L], x[L], is_causal=True),
        "4-d query": lambda L: m[L](x[L].unsqueeze(0), x[L], x[L]),
        "heads do not divide": lambda L: L.nn.MultiheadAttention(6, 4),
        "no heads": lambda L: L.nn.MultiheadAttention(0, 1),
        "activation": lambda L: L.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
    }
    for what, fn in cases.items():
        ours, theirs = raised(fn, _Lib), raised(fn, _Torch)
        assert ours is theirs and ours is not None, what
