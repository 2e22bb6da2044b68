"""Optional: the remaining common layers against PyTorch (skipped without it). For each configuration, torch's layer
(float64) is built, its state_dict loaded into ours, and outputs, input gradients and parameter gradients compared
to 1e-8 relative; running buffers and in-place renormalised weights too."""

import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
TF, TN = torch.nn.functional, torch.nn
RTOL = 1e-8


def same(ours, theirs, rtol=RTOL):
    a, b = np.asarray(ours.detach().numpy()), theirs.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(1.0, np.abs(b).max(initial=0.0)))


def compare(ours, theirs, *arrays, ints=(), kwargs=None, seed=0):
    """Load theirs' state into ours; run both on the same float64 inputs (``ints``: positions of index inputs); compare
    the output, then every input's and parameter's gradient for one random upstream gradient."""
    theirs = theirs.double()
    ours = ours.double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    xs, txs = [], []
    for i, a in enumerate(arrays):
        if a is None:
            xs.append(None)
            txs.append(None)
        elif i in ints:
            xs.append(ag.tensor(a))
            txs.append(torch.tensor(a))
        else:
            xs.append(ag.tensor(a, dtype=ag.float64, requires_grad=True))
            txs.append(torch.tensor(a, dtype=torch.float64, requires_grad=True))
    y, ty = ours(*xs, **(kwargs or {})), theirs(*txs, **(kwargs or {}))
    same(y, ty)
    g = np.random.default_rng(seed).standard_normal(tuple(ty.shape))
    y.backward(ag.tensor(g, dtype=ag.float64))
    ty.backward(torch.tensor(g))
    for x, tx in zip(xs, txs):
        if tx is not None and tx.grad is not None:
            same(x.grad, tx.grad)
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        if tp.grad is not None:
            same(p.grad, tp.grad)
    for (_, b), (_, tb) in zip(ours.named_buffers(), theirs.named_buffers()):
        same(b, tb)
    return ours, theirs


def randn(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


# ---- transposed and 3-D convolution, fold ---------------------------------------------------------------------------
CONVT = [  # (in, out, kernel, stride, padding, output_padding, groups, bias, dilation)
    (2, 3, 3, 1, 0, 0, 1, True, 1),
    (4, 6, (3, 2), (2, 3), (1, 0), (1, 2), 2, True, 1),
    (2, 4, 3, 2, 1, 1, 2, False, 2),
    (3, 3, 2, 1, 1, 1, 3, True, 2),  # output_padding < dilation with stride 1
]


@pytest.mark.parametrize("cfg", CONVT)
def test_conv_transpose2d(cfg):
    i, o, k, s, p, op, g, b, d = cfg
    torch.manual_seed(0)
    compare(nn.ConvTranspose2d(i, o, k, s, p, op, g, b, d), TN.ConvTranspose2d(i, o, k, s, p, op, g, b, d),
            randn(2, i, 4, 5))


@pytest.mark.parametrize("cfg", CONVT)
def test_conv_transpose1d(cfg):
    i, o, k, s, p, op, g, b, d = cfg
    k, s, p, op, d = (v[0] if isinstance(v, tuple) else v for v in (k, s, p, op, d))
    args = (i, o, k, s, p, op, g, b, d)
    torch.manual_seed(0)
    compare(nn.ConvTranspose1d(*args), TN.ConvTranspose1d(*args), randn(2, i, 6))
    compare(nn.ConvTranspose1d(*args), TN.ConvTranspose1d(*args), randn(i, 6))  # unbatched


def test_conv_transpose_output_size():
    torch.manual_seed(0)
    compare(nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1), TN.ConvTranspose2d(2, 3, 3, stride=2, padding=1),
            randn(1, 2, 4, 5), kwargs={"output_size": [8, 10]})
    compare(nn.ConvTranspose1d(2, 3, 3, stride=3), TN.ConvTranspose1d(2, 3, 3, stride=3), randn(2, 2, 4),
            kwargs={"output_size": [2, 3, 12]})


@pytest.mark.parametrize("cfg", [
    (2, 4, 3, 1, 0, 1, 1, True), (4, 6, (1, 2, 3), (1, 2, 1), 1, 1, 2, True), (2, 2, 2, 1, "same", (2, 1, 1), 1, False),
    (3, 3, (2, 1, 2), 2, (1, 0, 0), 1, 3, True), (2, 4, 2, 1, "valid", 1, 2, True),
])
def test_conv3d(cfg):
    i, o, k, s, p, d, g, b = cfg
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note on 'same' with an even kernel
        compare(nn.Conv3d(i, o, k, s, p, d, g, b), TN.Conv3d(i, o, k, s, p, d, g, b), randn(2, i, 4, 5, 4))
        compare(nn.Conv3d(i, o, k, s, p, d, g, b), TN.Conv3d(i, o, k, s, p, d, g, b), randn(i, 4, 5, 4))


@pytest.mark.parametrize("k,d,p,s", [(2, 1, 0, 1), ((3, 2), (1, 2), (1, 0), (2, 1)), (3, 2, 1, 3)])
def test_unfold_fold(k, d, p, s):
    compare(nn.Unfold(k, d, p, s), TN.Unfold(k, d, p, s), randn(2, 3, 7, 6))
    compare(nn.Unfold(k, d, p, s), TN.Unfold(k, d, p, s), randn(3, 7, 6))
    blocks = TF.unfold(torch.zeros(2, 3, 7, 6), k, d, p, s).shape
    compare(nn.Fold((7, 6), k, d, p, s), TN.Fold((7, 6), k, d, p, s), randn(*blocks))


# ---- interpolate / Upsample ----------------------------------------------------------------------------------------
UPSAMPLE = [  # (spatial dims, kwargs)
    (1, {"size": 9, "mode": "nearest"}), (1, {"scale_factor": 1.7, "mode": "nearest"}),
    (1, {"scale_factor": 0.6, "mode": "nearest"}), (1, {"size": 9, "mode": "linear"}),
    (1, {"size": 4, "mode": "linear", "align_corners": True}), (1, {"scale_factor": 2.5, "mode": "linear"}),
    (1, {"scale_factor": 2.3, "mode": "linear", "recompute_scale_factor": True}),
    (1, {"size": 3, "mode": "area"}), (1, {"size": 9, "mode": "nearest-exact"}),
    (2, {"size": (7, 3), "mode": "nearest"}), (2, {"scale_factor": (1.5, 2.0), "mode": "nearest"}),
    (2, {"size": (7, 9), "mode": "bilinear"}), (2, {"size": (3, 9), "mode": "bilinear", "align_corners": True}),
    (2, {"scale_factor": 1.7, "mode": "bilinear"}),
    (2, {"scale_factor": 1.7, "mode": "bilinear", "recompute_scale_factor": True}),
    (2, {"scale_factor": (0.5, 1.3), "mode": "bilinear", "align_corners": True}),
    (2, {"size": (7, 8), "mode": "bicubic"}), (2, {"scale_factor": 2, "mode": "bicubic", "align_corners": True}),
    (2, {"size": (3, 2), "mode": "area"}), (2, {"scale_factor": 1.4, "mode": "nearest-exact"}),
    (3, {"size": (3, 5, 4), "mode": "trilinear"}), (3, {"scale_factor": 1.5, "mode": "nearest"}),
]


@pytest.mark.parametrize("nd,kw", UPSAMPLE, ids=[f"{nd}d-{kw}" for nd, kw in UPSAMPLE])
def test_upsample(nd, kw):
    x = randn(2, 3, *(5, 4, 3)[:nd])
    compare(nn.Upsample(**kw), TN.Upsample(**kw), x)
    assert repr(nn.Upsample(**kw)) == repr(TN.Upsample(**kw))


def test_upsampling_aliases_and_float32_positions():
    compare(nn.UpsamplingBilinear2d(scale_factor=2), TN.UpsamplingBilinear2d(scale_factor=2), randn(1, 2, 3, 4))
    compare(nn.UpsamplingNearest2d(size=(5, 7)), TN.UpsamplingNearest2d(size=(5, 7)), randn(1, 2, 3, 4))
    # nearest indices are computed in float32 by torch whatever the dtype; they must agree on awkward ratios
    x = np.arange(97.0).reshape(1, 1, 97)
    for size in (13, 101, 193, 211):
        same(F.interpolate(ag.tensor(x), size=size), TF.interpolate(torch.tensor(x), size=size), rtol=0)
    x32 = randn(1, 2, 5, 6).astype(np.float32)
    same(F.interpolate(ag.tensor(x32), scale_factor=1.3, mode="bilinear"),
         TF.interpolate(torch.tensor(x32), scale_factor=1.3, mode="bilinear"), rtol=1e-6)


# ---- padding ---------------------------------------------------------------------------------------------------------
PADS = [
    (nn.ZeroPad2d, TN.ZeroPad2d, ((1, 0, 2, 3),), (2, 3, 4, 5)), (nn.ZeroPad1d, TN.ZeroPad1d, (2,), (3, 4)),
    (nn.ConstantPad1d, TN.ConstantPad1d, ((2, -1), 3.5), (2, 3, 4)),
    (nn.ConstantPad2d, TN.ConstantPad2d, (1, -2.0), (3, 4, 5)),
    (nn.ReflectionPad1d, TN.ReflectionPad1d, ((3, 1),), (2, 3, 4)),
    (nn.ReflectionPad1d, TN.ReflectionPad1d, (2,), (3, 4)),
    (nn.ReflectionPad2d, TN.ReflectionPad2d, ((1, 2, 3, 0),), (2, 3, 4, 5)),
    (nn.ReflectionPad2d, TN.ReflectionPad2d, ((-1, 2, 1, -1),), (3, 4, 5)),
    (nn.ReplicationPad1d, TN.ReplicationPad1d, ((3, 1),), (2, 3, 4)),
    (nn.ReplicationPad2d, TN.ReplicationPad2d, ((4, 0, 1, 5),), (2, 3, 4, 5)),
    (nn.ReplicationPad2d, TN.ReplicationPad2d, (1,), (3, 4, 5)),
    (nn.CircularPad1d, TN.CircularPad1d, ((3, -2),), (2, 3, 6)),
    (nn.CircularPad2d, TN.CircularPad2d, ((1, 2, 4, 0),), (2, 3, 4, 5)),
    (nn.ReflectionPad3d, TN.ReflectionPad3d, ((1, 0, 2, 1, 1, 1),), (1, 2, 3, 4, 3)),
    (nn.ReplicationPad3d, TN.ReplicationPad3d, (2,), (2, 3, 4, 3)),
]


@pytest.mark.parametrize("ours,theirs,args,shape", PADS, ids=[f"{c[0].__name__}{c[2]}{c[3]}" for c in PADS])
def test_padding_layers(ours, theirs, args, shape):
    compare(ours(*args), theirs(*args), randn(*shape))
    assert repr(ours(*args)) == repr(theirs(*args))


# ---- normalisation ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("groups,channels,affine,bias,shape", [
    (1, 4, True, True, (2, 4)), (2, 4, True, True, (2, 4, 5)), (3, 6, False, True, (2, 6, 3, 2)),
    (2, 6, True, False, (3, 6, 2, 2, 2)), (6, 6, True, True, (2, 6, 3)),
])
def test_group_norm(groups, channels, affine, bias, shape):
    ours, theirs = nn.GroupNorm(groups, channels, 1e-4, affine, bias=bias), TN.GroupNorm(groups, channels, 1e-4, affine,
                                                                                          bias=bias)
    if affine:  # non-trivial parameters
        with torch.no_grad():
            theirs.weight.normal_()
            if bias:
                theirs.bias.normal_()
    compare(ours, theirs, randn(*shape) * 2 + 1)


@pytest.mark.parametrize("cls,tcls,shape", [(nn.InstanceNorm1d, TN.InstanceNorm1d, (2, 3, 5)),
                                            (nn.InstanceNorm1d, TN.InstanceNorm1d, (3, 5)),
                                            (nn.InstanceNorm2d, TN.InstanceNorm2d, (2, 3, 4, 3)),
                                            (nn.InstanceNorm2d, TN.InstanceNorm2d, (3, 4, 3))])
@pytest.mark.parametrize("kw", [{}, {"affine": True}, {"track_running_stats": True},
                                {"affine": True, "track_running_stats": True, "momentum": 0.3},
                                {"affine": True, "bias": False}, {"track_running_stats": True, "momentum": None}])
def test_instance_norm(cls, tcls, shape, kw):
    ours, theirs = cls(3, **kw), tcls(3, **kw)
    if kw.get("affine"):
        with torch.no_grad():
            for p in theirs.parameters():
                p.normal_()
    x = randn(*shape) * 3 + 2
    ours, theirs = compare(ours, theirs, x)  # training: the running stats are updated, compared as buffers
    compare(ours, theirs, x * 0.5 + 1, seed=1)  # a second step
    compare(ours.eval(), theirs.eval(), x, seed=2)  # eval: the running stats, when tracked


@pytest.mark.parametrize("shape,kw", [((3,), {}), ((4, 3), {"eps": 1e-3}), ((3,), {"elementwise_affine": False}),
                                      (4 * 3, {})])
def test_rms_norm(shape, kw):
    ours, theirs = nn.RMSNorm(shape, **kw), TN.RMSNorm(shape, **kw)
    if kw.get("elementwise_affine", True):
        with torch.no_grad():
            theirs.weight.normal_()
    x = randn(2, 4, 3) if shape != 12 else randn(2, 12)
    compare(ours, theirs, x)
    compare(ours, theirs, x * 1e-9)  # where eps matters: eps=None is the dtype's epsilon in both
    assert repr(ours) == repr(theirs)


# ---- dropout, pixel shuffle, adaptive pools, Bilinear, Identity -----------------------------------------------------
def test_channel_dropout_outside_training_and_at_p_one():
    for ours, theirs, shape in [(nn.Dropout1d(0.4), TN.Dropout1d(0.4), (2, 3, 4)),
                                (nn.Dropout2d(0.4), TN.Dropout2d(0.4), (2, 3, 4, 2)),
                                (nn.Dropout3d(0.4), TN.Dropout3d(0.4), (2, 3, 2, 2, 2))]:
        compare(ours.eval(), theirs.eval(), randn(*shape))
        compare(type(ours)(1.0), type(theirs)(1.0), randn(*shape))
        assert repr(ours) == repr(theirs)


def test_channel_dropout_mask_shape_matches_torch():
    """Which elements share one draw (torch's mask is random, ours too: compare the sharing pattern)."""
    cases = [(F.dropout1d, TF.dropout1d, (5, 6)), (F.dropout2d, TF.dropout2d, (3, 4, 5)),
             (F.dropout3d, TF.dropout3d, (3, 2, 2, 2)), (F.dropout2d, TF.dropout2d, (2, 3, 2, 2))]
    for ours, theirs, shape in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y, ty = ours(ag.ones(*shape), 0.5).array, theirs(torch.ones(shape), 0.5).numpy()
        for out in (y, ty):
            lead = 1 if (ours is F.dropout1d and len(shape) == 2) or (ours is F.dropout3d and len(shape) == 4) else 2
            flat = out.reshape(int(np.prod(shape[:lead])), -1)
            assert np.all(flat == flat[:, :1])


@pytest.mark.parametrize("r,shape", [(2, (2, 8, 3, 2)), (3, (9, 2, 2)), (2, (2, 1, 4, 2, 3))])
def test_pixel_shuffle(r, shape):
    compare(nn.PixelShuffle(r), TN.PixelShuffle(r), randn(*shape))
    unshuffled = shape[:-3] + (shape[-3] // r // r, shape[-2] * r, shape[-1] * r)
    compare(nn.PixelUnshuffle(r), TN.PixelUnshuffle(r), randn(*unshuffled))


@pytest.mark.parametrize("ours,theirs,arg,shape", [
    (nn.AdaptiveAvgPool1d, TN.AdaptiveAvgPool1d, 3, (2, 3, 7)), (nn.AdaptiveAvgPool1d, TN.AdaptiveAvgPool1d, 5, (3, 4)),
    (nn.AdaptiveMaxPool1d, TN.AdaptiveMaxPool1d, 3, (2, 3, 7)), (nn.AdaptiveMaxPool1d, TN.AdaptiveMaxPool1d, 9, (3, 4)),
    (nn.AdaptiveMaxPool2d, TN.AdaptiveMaxPool2d, (2, 3), (2, 3, 5, 7)),
    (nn.AdaptiveMaxPool2d, TN.AdaptiveMaxPool2d, (None, 2), (3, 4, 5)),
    (nn.AdaptiveMaxPool2d, TN.AdaptiveMaxPool2d, 4, (1, 2, 3, 3)),
])
def test_adaptive_pools(ours, theirs, arg, shape):
    compare(ours(arg), theirs(arg), randn(*shape))
    assert repr(ours(arg)) == repr(theirs(arg))
    if ours is not nn.AdaptiveAvgPool1d:
        x = np.round(randn(*shape) * 2)  # ties: the first maximum in both
        (_, i), (_, ti) = ours(arg, True)(ag.tensor(x)), theirs(arg, True)(torch.tensor(x))
        assert np.array_equal(i.numpy(), ti.numpy())


@pytest.mark.parametrize("bias,shapes", [(True, ((4, 3), (4, 2))), (False, ((2, 5, 3), (2, 5, 2))),
                                         (True, ((3,), (2,)))])
def test_bilinear(bias, shapes):
    torch.manual_seed(0)
    compare(nn.Bilinear(3, 2, 4, bias), TN.Bilinear(3, 2, 4, bias), randn(*shapes[0]), randn(*shapes[1], seed=2))


def test_identity():
    compare(nn.Identity(54, unused="ignored"), TN.Identity(54, unused="ignored"), randn(2, 3))


# ---- embeddings -----------------------------------------------------------------------------------------------------
IDX = np.array([[0, 2, 2, 5], [4, 2, 1, 5]])


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                {"scale_grad_by_freq": True, "padding_idx": 1}, {"max_norm": 1.0},
                                {"max_norm": 1.5, "norm_type": 1.0}, {"max_norm": 2.0, "padding_idx": 0}])
def test_embedding(kw):
    torch.manual_seed(0)
    ours, theirs = nn.Embedding(6, 3, **kw), TN.Embedding(6, 3, **kw)
    with torch.no_grad():
        theirs.weight.mul_(2)  # some rows above max_norm
    compare(ours, theirs, IDX, ints=(0,))  # weights after the in-place renorm: compared as parameters' values next
    same(ours.weight, theirs.weight)
    assert repr(ours) == repr(theirs)


def test_embedding_from_pretrained():
    table = randn(5, 3)
    for kw in [{}, {"freeze": False, "padding_idx": 1}, {"freeze": False, "max_norm": 0.5, "scale_grad_by_freq": True}]:
        ours = nn.Embedding.from_pretrained(ag.tensor(table.copy()), **kw)
        theirs = TN.Embedding.from_pretrained(torch.tensor(table.copy()), **kw)
        assert ours.weight.requires_grad == theirs.weight.requires_grad and repr(ours) == repr(theirs)
        if theirs.weight.requires_grad:
            compare(ours, theirs, IDX[:, :3] % 5, ints=(0,))
        else:
            same(ours(ag.tensor(IDX % 5)), theirs(torch.tensor(IDX % 5)))


BAG_IDX = np.array([0, 2, 4, 1, 3, 2, 2, 5, 0])
BAG_OFF = np.array([0, 2, 2, 6])


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"include_last_offset": True},
                                {"max_norm": 1.0}, {"max_norm": 1.0, "norm_type": 1.0, "padding_idx": 0}])
def test_embedding_bag_1d(mode, kw):
    torch.manual_seed(0)
    ours, theirs = nn.EmbeddingBag(6, 3, mode=mode, **kw), TN.EmbeddingBag(6, 3, mode=mode, **kw)
    off = np.append(BAG_OFF, len(BAG_IDX)) if kw.get("include_last_offset") else BAG_OFF
    compare(ours, theirs, BAG_IDX, off, ints=(0, 1))
    same(ours.weight, theirs.weight)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d_and_per_sample_weights(mode):
    torch.manual_seed(0)
    compare(nn.EmbeddingBag(6, 3, mode=mode, padding_idx=5), TN.EmbeddingBag(6, 3, mode=mode, padding_idx=5), IDX,
            ints=(0,))
    if mode == "sum":
        compare(nn.EmbeddingBag(6, 3, mode="sum"), TN.EmbeddingBag(6, 3, mode="sum"), BAG_IDX, BAG_OFF,
                randn(len(BAG_IDX)), ints=(0, 1))
        compare(nn.EmbeddingBag(6, 3, mode="sum", padding_idx=2), TN.EmbeddingBag(6, 3, mode="sum", padding_idx=2),
                IDX, None, randn(*IDX.shape), ints=(0, 1))


def test_embedding_bag_scale_grad_by_freq():
    # (each index as frequent as the others: torch's CPU kernel divides by a wrong index's count otherwise, see
    # pytorch/pytorch#190063; ours divides each row by its own count, as torch documents and its CUDA kernel does)
    idx, off = np.array([3, 1, 3, 1, 4, 4]), np.array([0, 1, 4])
    for mode in ("sum", "mean"):
        torch.manual_seed(0)
        compare(nn.EmbeddingBag(6, 3, mode=mode, scale_grad_by_freq=True),
                TN.EmbeddingBag(6, 3, mode=mode, scale_grad_by_freq=True), idx, off, ints=(0, 1))


def test_embedding_bag_from_pretrained():
    table = randn(6, 3)
    ours = nn.EmbeddingBag.from_pretrained(ag.tensor(table), freeze=False, mode="max", padding_idx=2)
    theirs = TN.EmbeddingBag.from_pretrained(torch.tensor(table), freeze=False, mode="max", padding_idx=2)
    compare(ours, theirs, BAG_IDX, BAG_OFF, ints=(0, 1))
    assert repr(ours) == repr(theirs)
