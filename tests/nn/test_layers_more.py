"""The remaining common layers: transposed and 3-D convolution, fold/unfold, interpolate/Upsample, F.pad's modes and
the padding layers, GroupNorm/InstanceNorm/RMSNorm, channel dropout, pixel shuffle, adaptive pools, Bilinear,
Embedding's extras and EmbeddingBag. Each: one small case computed by hand, finite-difference gradcheck (with the
forward mode) and gradgradcheck in float64 over random shapes, and its errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F
from autograd import gradcheck, gradgradcheck

SETTINGS = settings(max_examples=4, deadline=None, derandomize=True)


def leaf(shape, seed=0, spread=False):
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape)
    if spread:  # distinct values far apart: no finite-difference step crosses a tie of a max
        x = r.permutation(np.arange(int(np.prod(shape)), dtype=float)).reshape(shape) * 0.37 - 1.1
    return ag.tensor(x, dtype=ag.float64, requires_grad=True)


def check(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def close(t, expected, tol=1e-12):
    tol = max(tol, 1e-6) if t.dtype == np.float32 else tol
    np.testing.assert_allclose(t.detach().numpy(), np.asarray(expected, dtype=float), rtol=tol, atol=tol)


# ---- transposed convolution -----------------------------------------------------------------------------------------
def test_conv_transpose_by_hand():
    # each input value spreads the kernel onto the output, stride apart; overlaps add
    y = F.conv_transpose1d(ag.tensor([[[1.0, 2.0]]]), ag.tensor([[[1.0, 1.0, 1.0]]]), stride=2)
    close(y, [[[1, 1, 3, 2, 2]]])
    x = ag.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    y = F.conv_transpose2d(x, ag.ones(1, 1, 2, 2), ag.tensor([0.5]), stride=2)
    close(y, np.kron([[1, 2], [3, 4]], np.ones((2, 2)))[None, None] + 0.5)
    # padding crops both ends; output_padding gives back one row/column at the far end
    y = F.conv_transpose2d(x, ag.ones(1, 1, 2, 2), ag.tensor([0.5]), stride=2, padding=1, output_padding=1)
    close(y, np.kron([[1, 2], [3, 4]], np.ones((2, 2)))[1:, 1:][None, None] + 0.5)


def test_conv_transpose_is_the_adjoint_of_conv():
    """<conv(x, w), y> = <x, conv_transpose(y, w)> for the same stride/padding/dilation/groups."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((6, 2, 3, 2))
    kw = dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)
    cx = F.conv2d(ag.tensor(x), ag.tensor(w), **kw).array
    y = rng.standard_normal(cx.shape)
    op = tuple(n - ((m - 1) * s - 2 * p + d * (k - 1) + 1) for n, m, s, p, d, k in
               zip(x.shape[2:], y.shape[2:], (2, 1), (1, 0), (1, 2), (3, 2)))
    ty = F.conv_transpose2d(ag.tensor(y), ag.tensor(w), output_padding=op, **kw).array
    assert ty.shape == x.shape
    np.testing.assert_allclose(np.sum(cx * y), np.sum(x * ty), rtol=1e-12)


@SETTINGS
@given(data=st.data())
def test_conv_transpose2d_gradients(data):
    g = data.draw(st.sampled_from([1, 2]))
    s, d = data.draw(st.sampled_from([(1, 1), (2, 1), (1, 2), (3, 2)]))
    k, p = data.draw(st.integers(1, 3)), data.draw(st.integers(0, 1))
    op = data.draw(st.integers(0, max(s, d) - 1))
    x, w, b = leaf((data.draw(st.integers(1, 2)), 2 * g, 3, 2), 1), leaf((2 * g, 1, k, 2), 2), leaf((g,), 3)
    check(lambda x, w, b: F.conv_transpose2d(x, w, b, s, (p, 0), (op, 0), g, (d, 1)), x, w, b)


def test_conv_transpose_output_padding_beyond_stride():
    # output_padding may reach dilation − 1 when that exceeds stride − 1: the adjoint then has windows x lacks
    x, w = leaf((1, 2, 3, 3), 4), leaf((2, 1, 2, 2), 5)
    check(lambda x, w: F.conv_transpose2d(x, w, stride=1, padding=1, output_padding=1, dilation=2), x, w)


def test_conv_transpose1d_gradients_unbatched_and_view_input():
    x = leaf((5, 3), 1).mT  # a non-contiguous (3, 5) view: unbatched input
    w = leaf((3, 2, 3), 2)
    check(lambda x, w: F.conv_transpose1d(x, w, None, 2, 1, 1), x, w)


def test_conv_transpose_module_output_size_and_init():
    m = nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2, dilation=(1, 2), bias=True)
    assert m.weight.shape == (4, 3, 3, 3) and m.bias.shape == (6,)
    bound = 1 / np.sqrt(3 * 9)  # fan_in = weight.shape[1] · kernel
    assert np.abs(m.weight.array).max() <= bound and np.abs(m.bias.array).max() <= bound
    x = ag.randn(1, 4, 5, 5)
    assert m(x).shape == (1, 6, 11, 13)
    assert m(x, output_size=[12, 14]).shape == (1, 6, 12, 14)
    assert m(x, output_size=(1, 6, 12, 13)).shape == (1, 6, 12, 13)
    with pytest.raises(ValueError, match=r"valid sizes range from \[11, 13\] to \[12, 14\]"):
        m(x, output_size=[13, 13])
    with pytest.raises(ValueError, match="output_size must have 2 or 4 elements"):
        m(x, output_size=[1, 12, 12])
    assert repr(m) == "ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), dilation=(1, 2), groups=2)"
    m1 = nn.ConvTranspose1d(2, 3, 3, stride=2, bias=False)
    assert m1(ag.randn(2, 4), output_size=[10]).shape == (3, 10) and m1.bias is None


def test_conv_transpose_errors():
    x, w = ag.randn(2, 4, 5, 5), ag.randn(4, 3, 3, 3)
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride or dilation"):
        F.conv_transpose2d(x, w, stride=2, output_padding=2)
    with pytest.raises(RuntimeError, match="expected input.* to have 4 channels, but got 3"):
        F.conv_transpose2d(ag.randn(2, 3, 5, 5), w)
    with pytest.raises(RuntimeError, match="expected bias to be 1-dimensional with 3 elements"):
        F.conv_transpose2d(x, w, ag.randn(4))
    with pytest.raises(TypeError, match="padding"):
        F.conv_transpose2d(x, w, padding="same")
    with pytest.raises(RuntimeError, match="Output size is too small"):
        F.conv_transpose2d(ag.randn(1, 4, 1, 1), w, padding=3)
    with pytest.raises(RuntimeError, match="Expected 3D .unbatched. or 4D .batched. input"):
        F.conv_transpose2d(ag.randn(4, 5), w)
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        nn.ConvTranspose2d(4, 3, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.ConvTranspose2d(4, 3, 3, groups=2)


# ---- conv3d --------------------------------------------------------------------------------------------------------
def _conv3d_direct(x, w, s, p):
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple((v, v) for v in p))
    k = w.shape[2:]
    out = [(n - kk) // ss + 1 for n, kk, ss in zip(xp.shape[2:], k, s)]
    y = np.zeros((x.shape[0], w.shape[0], *out))
    for i, j, m in np.ndindex(*out):
        patch = xp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1], m * s[2]:m * s[2] + k[2]]
        y[:, :, i, j, m] = np.einsum("ncdhw,ocdhw->no", patch, w)
    return y


def test_conv3d_matches_direct_sum():
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((2, 3, 4, 5, 4)), rng.standard_normal((2, 3, 2, 3, 2))
    y = F.conv3d(ag.tensor(x), ag.tensor(w), stride=(1, 2, 1), padding=(1, 0, 1))
    close(y, _conv3d_direct(x, w, (1, 2, 1), (1, 0, 1)))


@SETTINGS
@given(data=st.data())
def test_conv3d_gradients(data):
    g = data.draw(st.sampled_from([1, 2]))
    s, d = data.draw(st.sampled_from([1, (2, 1, 1), (1, 1, 2)])), data.draw(st.sampled_from([1, (2, 1, 1)]))
    p = data.draw(st.sampled_from([0, 1, "same"])) if s == 1 else data.draw(st.sampled_from([0, 1]))
    x, w, b = leaf((1, 2 * g, 4, 3, 3), 1), leaf((2 * g, 2, 2, 2, 1), 2), leaf((2 * g,), 3)
    check(lambda x, w, b: F.conv3d(x, w, b, s, p, d, g), x, w, b)


def test_conv3d_module_and_errors():
    m = nn.Conv3d(2, 4, (1, 2, 3), stride=(1, 2, 1), padding=1, groups=2)
    assert m.weight.shape == (4, 1, 1, 2, 3)
    assert repr(m) == "Conv3d(2, 4, kernel_size=(1, 2, 3), stride=(1, 2, 1), padding=(1, 1, 1), groups=2)"
    assert m(ag.randn(2, 3, 4, 5)).shape == (4, 5, 3, 5)  # unbatched
    with pytest.raises(RuntimeError, match="to have 2 channels, but got 3 channels"):
        F.conv3d(ag.randn(1, 3, 4, 5, 6), ag.randn(4, 2, 2, 2, 2))
    with pytest.raises(RuntimeError, match="Expected 4D .unbatched. or 5D .batched. input to conv3d"):
        F.conv3d(ag.randn(4, 5, 6), ag.randn(4, 2, 2, 2, 2))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        F.conv3d(ag.randn(1, 2, 1, 5, 6), ag.randn(4, 2, 2, 2, 2))
    with pytest.raises(RuntimeError, match="not supported for strided convolutions"):
        F.conv3d(ag.randn(1, 2, 4, 5, 6), ag.randn(4, 2, 2, 2, 2), stride=2, padding="same")


# ---- fold / unfold -------------------------------------------------------------------------------------------------
def test_unfold_fold_by_hand():
    x = ag.arange(9.0).reshape(1, 1, 3, 3)
    cols = F.unfold(x, 2)
    close(cols, [[[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]])
    # fold adds each block back: every position times the number of blocks that cover it
    close(F.fold(cols, 3, 2), np.arange(9.0).reshape(1, 1, 3, 3) * [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert F.unfold(ag.randn(3, 5, 5), 2, padding=1, stride=2).shape == (12, 9)  # unbatched


@SETTINGS
@given(k=st.integers(1, 3), d=st.integers(1, 2), p=st.integers(0, 1), s=st.integers(1, 2))
def test_unfold_fold_gradients(k, d, p, s):
    x = leaf((2, 2, 4, 5), 5)
    check(lambda x: F.unfold(x, (k, 2), d, p, s), x)
    blocks = F.unfold(x, (k, 2), d, p, s)
    check(lambda c: F.fold(c, (4, 5), (k, 2), d, p, s), leaf(tuple(blocks.shape), 6))


def test_fold_unfold_modules_and_errors():
    assert repr(nn.Unfold(2, padding=1)) == "Unfold(kernel_size=2, dilation=1, padding=1, stride=1)"
    assert repr(nn.Fold((4, 5), 2, stride=2)) == ("Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=0, "
                                                  "stride=2)")
    assert nn.Fold(5, 2)(ag.randn(2, 12, 16)).shape == (2, 3, 5, 5)
    with pytest.raises(RuntimeError, match="calculated shape of the array of sliding blocks as .0, 0."):
        F.unfold(ag.randn(2, 3, 5, 5), 6)
    with pytest.raises(RuntimeError, match="expected kernel_size equals to 2"):
        F.unfold(ag.randn(2, 3, 5, 5), (2, 2, 2))
    with pytest.raises(RuntimeError, match="Expected 3D or 4D"):
        F.unfold(ag.randn(1, 2, 3, 5, 5), 2)
    with pytest.raises(RuntimeError, match="padding should be non-negative"):
        F.unfold(ag.randn(2, 3, 5, 5), 2, padding=-1)
    with pytest.raises(RuntimeError, match="sliding blocks 4 . 4 = 16, but got input.size.2.=15"):
        F.fold(ag.randn(2, 12, 15), (5, 5), 2)
    with pytest.raises(RuntimeError, match="divisible by the product of kernel_size"):
        F.fold(ag.randn(2, 13, 16), (5, 5), 2)


# ---- interpolate / Upsample ----------------------------------------------------------------------------------------
def test_interpolate_by_hand():
    x = ag.arange(5.0).reshape(1, 1, 5)
    close(F.interpolate(x, scale_factor=1.7), [[[0, 0, 1, 1, 2, 2, 3, 4]]])  # source i·(1/1.7), floored
    close(F.interpolate(x, size=8, mode="nearest-exact"), [[[0, 0, 1, 2, 2, 3, 4, 4]]])
    close(F.interpolate(x, size=3, mode="linear", align_corners=True), [[[0, 2, 4]]])
    # align_corners=False: output i samples (i + ½)·5/8 − ½, clamped at 0
    close(F.interpolate(x, size=8, mode="linear"), [[[0, 0.4375, 1.0625, 1.6875, 2.3125, 2.9375, 3.5625, 4]]])
    close(F.interpolate(x, size=2, mode="area"), [[[1.0, 3.0]]])  # bins [0, 3) and [2, 5)
    sq = ag.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    close(F.interpolate(sq, size=3, mode="bilinear", align_corners=True),
          [[[[1, 1.5, 2], [2, 2.5, 3], [3, 3.5, 4]]]])
    # bicubic on a linear ramp reproduces the ramp away from the borders (Keys' kernel is exact for linear data)
    ramp = ag.tensor(np.tile(np.arange(8.0), (8, 1))[None, None])
    close(F.interpolate(ramp, size=(8, 15), mode="bicubic", align_corners=True)[0, 0, 3, 4:11],
          np.arange(4, 11) * 7 / 14)
    cube = ag.arange(8.0).reshape(1, 1, 2, 2, 2)
    close(F.interpolate(cube, size=3, mode="trilinear", align_corners=True)[0, 0, 1, 1, 1], 3.5)


@pytest.mark.parametrize("mode,nd", [("nearest", 1), ("nearest", 2), ("nearest-exact", 2), ("linear", 1),
                                     ("bilinear", 2), ("bicubic", 2), ("area", 1), ("area", 2), ("trilinear", 3)])
@SETTINGS
@given(data=st.data())
def test_interpolate_gradients(mode, nd, data):
    shape = (1, 2) + tuple(data.draw(st.integers(2, 4)) for _ in range(nd))
    kw = data.draw(st.sampled_from([{"size": 5}, {"size": 2}, {"scale_factor": 1.5}, {"scale_factor": 0.7},
                                    {"scale_factor": 1.6, "recompute_scale_factor": True}]))
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        kw["align_corners"] = data.draw(st.booleans())
    check(lambda x: F.interpolate(x, mode=mode, **kw), leaf(shape, 7))


def test_interpolate_on_a_view_and_upsample_modules():
    x = leaf((1, 2, 4, 3), 8).transpose(2, 3)  # non-contiguous
    check(lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"), x)
    up = nn.Upsample(scale_factor=2, mode="bilinear")
    assert repr(up) == "Upsample(scale_factor=2.0, mode='bilinear')" and up(ag.randn(1, 1, 2, 3)).shape == (1, 1, 4, 6)
    assert repr(nn.Upsample(size=3)) == "Upsample(size=3, mode='nearest')"
    assert repr(nn.Upsample(scale_factor=(2, 3))) == "Upsample(scale_factor=(2.0, 3.0), mode='nearest')"
    sq = ag.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    close(nn.UpsamplingBilinear2d(size=3)(sq), F.interpolate(sq, size=3, mode="bilinear", align_corners=True))
    close(nn.UpsamplingNearest2d(scale_factor=2)(sq), np.kron([[1, 2], [3, 4]], np.ones((2, 2)))[None, None])


def test_interpolate_errors():
    x, x4 = ag.randn(1, 2, 5), ag.randn(1, 2, 5, 4)
    with pytest.raises(ValueError, match="only one of size or scale_factor should be defined"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor should be defined"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="align_corners option can only be set with the interpolating modes"):
        F.interpolate(x, size=3, align_corners=True)
    with pytest.raises(NotImplementedError, match="Got 3D input, but bilinear mode needs 4D input"):
        F.interpolate(x, size=3, mode="bilinear")
    with pytest.raises(NotImplementedError, match=r"Only 3D, 4D and 5D input Tensors supported \(got 4D\)"):
        F.interpolate(x4, size=3, mode="foo")
    with pytest.raises(ValueError, match="Input and output must have the same number of spatial dimensions"):
        F.interpolate(x4, size=(3, 4, 5))
    with pytest.raises(RuntimeError, match=r"output \(H: 0, W: 3\)"):
        F.interpolate(x4, size=(0, 3))
    with pytest.raises(ValueError, match="recompute_scale_factor is not meaningful with an explicit size"):
        F.interpolate(x4, size=3, recompute_scale_factor=True)


# ---- F.pad and the padding layers ----------------------------------------------------------------------------------
def test_pad_modes_by_hand():
    x = ag.arange(4.0).reshape(1, 1, 4)
    close(F.pad(x, (2, 3), mode="reflect"), [[[2, 1, 0, 1, 2, 3, 2, 1, 0]]])
    close(F.pad(x, (2, 3), mode="replicate"), [[[0, 0, 0, 1, 2, 3, 3, 3, 3]]])
    close(F.pad(x, (2, 3), mode="circular"), [[[2, 3, 0, 1, 2, 3, 0, 1, 2]]])
    close(F.pad(x, (-1, 2), value=9.0), [[[1, 2, 3, 9, 9]]])  # negative widths crop
    close(F.pad(ag.arange(6.0).reshape(1, 1, 6), (3, -2), mode="circular"), [[[1, 2, 3, 0, 1, 2, 3]]])
    close(nn.ZeroPad2d((1, 0, 2, 0))(ag.ones(1, 1, 2)), [[[0, 0, 0], [0, 0, 0], [0, 1, 1]]])
    close(nn.ConstantPad1d(1, 3.0)(ag.ones(4)), [3, 1, 1, 1, 1, 3])
    close(nn.ReflectionPad2d(1)(ag.arange(4.0).reshape(1, 2, 2)), [[[3, 2, 3, 2], [1, 0, 1, 0], [3, 2, 3, 2],
                                                                      [1, 0, 1, 0]]])


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@SETTINGS
@given(data=st.data())
def test_pad_gradients(mode, data):
    nd = data.draw(st.integers(1, 3))
    shape = (2, 2) + tuple(data.draw(st.integers(2, 3)) for _ in range(nd))
    widths = [data.draw(st.integers(-1, 2 if mode == "reflect" else 3)) for _ in range(2 * nd)]
    widths = [min(w, shape[-1 - i // 2] - (mode == "reflect")) for i, w in enumerate(widths)]
    for i in range(nd):  # keep at least one element along each padded dim
        if shape[-1 - i] + widths[2 * i] + widths[2 * i + 1] < 1:
            widths[2 * i] = 0
    check(lambda x: F.pad(x, widths, mode=mode), leaf(shape, 9))


def test_padding_layers_reprs_and_views():
    assert repr(nn.ZeroPad2d(1)) == "ZeroPad2d((1, 1, 1, 1))"
    assert repr(nn.ConstantPad1d(2, 3.5)) == "ConstantPad1d(padding=(2, 2), value=3.5)"
    assert repr(nn.ReflectionPad2d((1, 2, 3, 4))) == "ReflectionPad2d((1, 2, 3, 4))"
    assert repr(nn.ReplicationPad1d(1)) == "ReplicationPad1d((1, 1))"
    assert repr(nn.CircularPad2d(1)) == "CircularPad2d((1, 1, 1, 1))"
    assert isinstance(nn.ZeroPad2d(1), nn.ConstantPad2d)
    x = leaf((3, 2, 4), 10).permute(1, 0, 2)  # non-contiguous
    for layer in (nn.ReflectionPad1d((2, 1)), nn.ReplicationPad2d(1), nn.CircularPad1d((1, 2)), nn.ZeroPad1d(1)):
        check(layer, x)


def test_pad_errors():
    x = ag.randn(1, 1, 4)
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding input dimension"):
        F.pad(x, (4, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(x, (5, 0), mode="circular")
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 1D input tensor"):
        F.pad(ag.randn(4), (1, 1), mode="reflect")
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode foo"):
        F.pad(x, (1, 1), mode="foo")
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match="less than or equal to two times the input dimension"):
        F.pad(x, (1,) * 8)
    with pytest.raises(RuntimeError, match="doesn't take in value argument"):
        F.pad(x, (1, 1), mode="reflect", value=2.0)
    with pytest.raises(ValueError, match="expected 2D or 3D input .got 4D input."):
        nn.CircularPad1d(1)(ag.randn(1, 2, 3, 4))


# ---- GroupNorm, InstanceNorm, RMSNorm ------------------------------------------------------------------------------
def test_norms_by_hand():
    x = ag.tensor([[[1.0, 3.0], [5.0, 7.0]]])  # (N=1, C=2, L=2)
    z = (np.array([1, 3, 5, 7]) - 4) / np.sqrt(5 + 1e-5)
    close(F.group_norm(x, 1), z.reshape(1, 2, 2))
    close(F.group_norm(x, 1, ag.tensor([2.0, 1.0]), ag.tensor([0.0, 1.0])),
          (z.reshape(2, 2) * [[2], [1]] + [[0], [1]])[None])
    close(F.instance_norm(x), np.array([[[-1, 1], [-1, 1]]]) / np.sqrt(1 + 1e-5))
    close(F.group_norm(x, 2), F.instance_norm(x))  # one channel per group is instance norm
    close(F.rms_norm(ag.tensor([[3.0, 4.0]]), (2,)), [[3 / np.sqrt(12.5 + 2.0**-52), 4 / np.sqrt(12.5 + 2.0**-52)]])
    # running stats: the batch average of each instance's mean and unbiased variance, with momentum
    rm, rv = ag.zeros(2, dtype=ag.float64), ag.ones(2, dtype=ag.float64)
    F.instance_norm(ag.tensor([[[1.0, 3.0], [0.0, 0.0]], [[3.0, 5.0], [2.0, 6.0]]]), rm, rv, momentum=0.5)
    close(rm, [0.5 * 3, 0.5 * 2])
    close(rv, [0.5 + 0.5 * 2, 0.5 + 0.5 * 4])


@pytest.mark.parametrize("kind", ["group", "instance", "rms"])
@SETTINGS
@given(data=st.data())
def test_norm_gradients(kind, data):
    n, g = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    c = g * data.draw(st.integers(1, 2))
    shape = (n, c) + tuple(data.draw(st.integers(2, 3)) for _ in range(data.draw(st.integers(1, 2))))
    x, w, b = leaf(shape, 11), leaf((c,), 12), leaf((c,), 13)
    if kind == "group":
        check(lambda x, w, b: F.group_norm(x, g, w, b), x, w, b)
    elif kind == "instance":
        check(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), x, w, b)
    else:
        check(lambda x, w: F.rms_norm(x, shape[-1:], w[:1].expand(shape[-1]) * 1.0 + 0.5, eps=1e-6), x, w)
        check(lambda x: F.rms_norm(x, shape[1:]), x)


def test_norm_modules():
    gn = nn.GroupNorm(3, 6)
    assert repr(gn) == "GroupNorm(3, 6, eps=1e-05, affine=True, bias=True)" and list(gn.state_dict()) == ["weight",
                                                                                                          "bias"]
    assert list(nn.GroupNorm(3, 6, bias=False).state_dict()) == ["weight"]
    inorm = nn.InstanceNorm1d(3)
    assert inorm.weight is None and inorm.running_mean is None and list(inorm.state_dict()) == []
    assert repr(inorm) == ("InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, "
                           "track_running_stats=False)")
    tracked = nn.InstanceNorm2d(3, affine=True, track_running_stats=True)
    assert list(tracked.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    x = ag.randn(2, 3, 4, 4) * 2 + 1
    tracked(x)
    tracked.eval()  # eval uses the running statistics
    close(tracked(x), (x.array - tracked.running_mean.array[:, None, None]) /
          np.sqrt(tracked.running_var.array[:, None, None] + 1e-5), tol=1e-6)
    assert nn.InstanceNorm1d(3)(ag.randn(3, 5)).shape == (3, 5)  # unbatched
    rms = nn.RMSNorm([2, 3], eps=1e-3, elementwise_affine=False)
    assert repr(rms) == "RMSNorm((2, 3), eps=0.001, elementwise_affine=False)" and rms.weight is None
    assert repr(nn.RMSNorm(3)) == "RMSNorm((3,), eps=None, elementwise_affine=True)"


def test_norm_errors():
    x = ag.randn(2, 6, 3)
    with pytest.raises(ValueError, match=r"num_channels \(6\) must be divisible by num_groups \(4\)"):
        nn.GroupNorm(4, 6)
    with pytest.raises(RuntimeError, match="Expected number of channels in input to be divisible by num_groups"):
        F.group_norm(x, 4)
    with pytest.raises(RuntimeError, match="Expected weight to be a vector of size equal to the number of channels"):
        nn.GroupNorm(3, 6)(ag.randn(2, 9, 3))
    with pytest.raises(ValueError, match="Expected more than 1 spatial element when training"):
        F.instance_norm(ag.randn(2, 3, 1))
    with pytest.raises(RuntimeError, match="Expected running_mean and running_var to be defined"):
        F.instance_norm(x, use_input_stats=False)
    with pytest.raises(ValueError, match="expected 2D or 3D input .got 4D input."):
        nn.InstanceNorm1d(3)(ag.randn(2, 3, 5, 5))
    with pytest.raises(ValueError, match="expected input's size at dim=1 to match num_features"):
        nn.InstanceNorm1d(3, affine=True)(ag.randn(2, 4, 5))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.InstanceNorm1d(3)(ag.randn(2, 4, 5))
    assert "does not match num_features" in str(caught[0].message)
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with shape \[\*4\]"):
        F.rms_norm(x, (4,))
    with pytest.raises(TypeError, match="must be tuple of ints, not int"):
        F.rms_norm(x, 3)


# ---- channel dropout ------------------------------------------------------------------------------------------------
def test_channel_dropout_drops_whole_channels():
    ag.manual_seed(0)
    y = F.dropout2d(ag.ones(8, 6, 3, 3), 0.5)
    per_channel = y.array.reshape(8, 6, 9)
    assert np.all(per_channel == per_channel[..., :1])  # a channel is all kept (×2) or all zero
    assert set(np.unique(per_channel)) == {0.0, 2.0}
    y1 = F.dropout1d(ag.ones(5, 7), 0.4)  # unbatched (C, L): one draw per channel
    assert np.all(y1.array == y1.array[:, :1]) and np.all(np.isclose(y1.array, 0) | np.isclose(y1.array, 1 / 0.6))
    assert F.dropout2d(ag.ones(2, 3, 2, 2), 0.5, training=False).array.sum() == 24
    close(nn.Dropout3d(1.0)(ag.ones(2, 3, 2, 2, 2)), np.zeros((2, 3, 2, 2, 2)))
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        y3 = F.dropout2d(ag.ones(3, 4, 5), 0.5)  # read as (N, C, L), as torch does
    assert np.all(y3.array == y3.array[..., :1])
    assert repr(nn.Dropout2d(0.3)) == "Dropout2d(p=0.3, inplace=False)"


@pytest.mark.parametrize("fn", [F.dropout1d, F.dropout2d, F.dropout3d])
def test_channel_dropout_gradients_and_inplace(fn):
    shape = {F.dropout1d: (3, 4, 2), F.dropout2d: (2, 4, 2, 2), F.dropout3d: (2, 3, 2, 1, 2)}[fn]
    x = leaf(shape, 14)

    def f(t):
        ag.manual_seed(3)  # every evaluation draws the same channels
        return fn(t, 0.4) * t

    check(f, x)
    ag.manual_seed(5)
    expected = fn(x, 0.3).detach()
    ag.manual_seed(5)
    y = (x * 1.0)
    fn(y, 0.3, inplace=True)
    close(y, expected.array)
    y.sum().backward()
    close(x.grad, expected.array / np.where(x.array == 0, 1, x.array))


def test_channel_dropout_errors():
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout1d(ag.randn(2, 3, 4), 1.5)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input"):
        F.dropout1d(ag.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="dropout probability"):
        nn.Dropout2d(-0.1)


# ---- pixel shuffle --------------------------------------------------------------------------------------------------
def test_pixel_shuffle_by_hand_and_inverse():
    y = F.pixel_shuffle(ag.arange(8.0).reshape(1, 8, 1, 1), 2)
    close(y, [[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]])
    close(F.pixel_unshuffle(ag.arange(16.0).reshape(1, 1, 4, 4), 2).flatten(),
          [0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15])
    x = ag.randn(2, 1, 12, 3, 2)
    close(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2), x.array)
    check(lambda t: F.pixel_shuffle(t, 2), leaf((2, 1, 4, 3, 2), 15).transpose(3, 4))  # a view; 2 batch dims
    check(lambda t: F.pixel_unshuffle(t, 2), leaf((2, 4, 2), 16))
    assert repr(nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)"
    assert repr(nn.PixelUnshuffle(3)) == "PixelUnshuffle(downscale_factor=3)"


def test_pixel_shuffle_errors():
    with pytest.raises(RuntimeError, match="input.size.-3.=6 is not divisible by 4"):
        F.pixel_shuffle(ag.randn(2, 6, 3, 3), 2)
    with pytest.raises(RuntimeError, match="at least 3 dimensions"):
        F.pixel_shuffle(ag.randn(8, 3), 2)
    with pytest.raises(RuntimeError, match="expects a positive upscale_factor, but got 0"):
        F.pixel_shuffle(ag.randn(8, 3, 3), 0)
    with pytest.raises(RuntimeError, match="input.size.-2.=5 is not divisible by 2"):
        F.pixel_unshuffle(ag.randn(2, 2, 5, 6), 2)


# ---- adaptive pools -------------------------------------------------------------------------------------------------
def test_adaptive_pools_by_hand():
    x = ag.tensor([[[1.0, 5.0, 2.0, 5.0, 0.0, 3.0, 3.0]]])  # bins [0, 3), [2, 5), [4, 7)
    y, idx = F.adaptive_max_pool1d(x, 3, return_indices=True)
    close(y, [[[5, 5, 3]]])
    assert idx.tolist() == [[[1, 3, 5]]]  # the first maximum of each bin
    close(F.adaptive_avg_pool1d(x, 3), [[[8 / 3, 7 / 3, 2]]])
    x2 = ag.tensor([[[1.0, 2.0, 3.0], [4.0, 9.0, 6.0], [7.0, 8.0, 0.0]]])
    y2, i2 = F.adaptive_max_pool2d(x2, (2, 1), return_indices=True)
    close(y2, [[[9], [9]]])
    assert i2.tolist() == [[[4], [4]]]
    close(nn.AdaptiveMaxPool2d((None, 2))(x2), [[[2, 3], [9, 9], [8, 8]]])


@pytest.mark.parametrize("name", ["avg1d", "max1d", "max2d"])
@SETTINGS
@given(data=st.data())
def test_adaptive_pool_gradients(name, data):
    nd = 2 if name == "max2d" else 1
    spatial = tuple(data.draw(st.integers(2, 6)) for _ in range(nd))
    out = tuple(data.draw(st.integers(1, 4)) for _ in range(nd))
    x = leaf((2, 2) + spatial, 17, spread=True)
    fn = {"avg1d": F.adaptive_avg_pool1d, "max1d": F.adaptive_max_pool1d, "max2d": F.adaptive_max_pool2d}[name]
    check(lambda t: fn(t, out), x)


def test_adaptive_pool_modules_and_errors():
    assert repr(nn.AdaptiveMaxPool2d((2, None))) == "AdaptiveMaxPool2d(output_size=(2, None))"
    assert repr(nn.AdaptiveAvgPool1d(3)) == "AdaptiveAvgPool1d(output_size=3)"
    y, i = nn.AdaptiveMaxPool1d(3, return_indices=True)(ag.randn(2, 7))
    assert y.shape == i.shape == (2, 3) and i.dtype == np.int64
    with pytest.raises(RuntimeError, match="Expected 3D or 4D tensor"):
        F.adaptive_max_pool2d(ag.randn(1, 2, 3, 7, 5), 2)
    with pytest.raises(RuntimeError, match="Expected 2D or 3D tensor"):
        F.adaptive_avg_pool1d(ag.randn(7), 3)
    with pytest.raises(RuntimeError, match="non-zero size for non-batch dimensions"):
        F.adaptive_max_pool2d(ag.randn(2, 3, 0, 5), 2)


# ---- Bilinear -------------------------------------------------------------------------------------------------------
def test_bilinear_by_hand_and_gradients():
    w = ag.tensor([[[1.0], [2.0]]])  # (out=1, in1=2, in2=1)
    close(F.bilinear(ag.tensor([[1.0, 2.0]]), ag.tensor([[3.0]]), w, ag.tensor([0.5])), [[1 * 1 * 3 + 2 * 2 * 3 + 0.5]])
    check(F.bilinear, leaf((2, 3, 2), 18), leaf((2, 3, 4), 19), leaf((5, 2, 4), 20), leaf((5,), 21))
    check(F.bilinear, leaf((2,), 22), leaf((3,), 23).expand(3), leaf((1, 2, 3), 24))  # unbatched, a view


def test_bilinear_module_and_errors():
    m = nn.Bilinear(3, 4, 5)
    assert m.weight.shape == (5, 3, 4)
    assert repr(m) == "Bilinear(in1_features=3, in2_features=4, out_features=5, bias=True)"
    assert np.abs(m.weight.array).max() <= 1 / np.sqrt(3) and np.abs(m.bias.array).max() <= 1 / np.sqrt(3)
    assert m(ag.randn(6, 2, 3), ag.randn(6, 2, 4)).shape == (6, 2, 5)
    with pytest.raises(RuntimeError, match="input batch dimensions do not match at dim 0: got 3 and 2"):
        m(ag.randn(3, 3), ag.randn(2, 4))
    with pytest.raises(RuntimeError, match="input1 size does not match weight size: got 2 but expected 3"):
        m(ag.randn(2, 2), ag.randn(2, 4))
    with pytest.raises(RuntimeError, match="input dimensions do not match: got 3 and 2"):
        m(ag.randn(2, 2, 3), ag.randn(2, 4))


# ---- Embedding extras and EmbeddingBag ------------------------------------------------------------------------------
def test_embedding_extras_by_hand():
    idx = ag.tensor([[0, 2, 2], [4, 2, 1]])
    w = ag.tensor(np.arange(15.0).reshape(5, 3), requires_grad=True)
    F.embedding(idx, w, padding_idx=2, scale_grad_by_freq=True).sum().backward()
    close(w.grad[:, 0], [1, 1, 0, 0, 1])  # row 2 is padding; each other row's total is divided by its count
    w.grad = None
    F.embedding(idx, w, scale_grad_by_freq=True).sum().backward()
    close(w.grad[:, 0], [1, 1, 1, 0, 1])  # 3 occurrences of row 2, each scaled by 1/3
    table = ag.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]], requires_grad=True)
    version = table._version
    out = F.embedding(ag.tensor([0, 1, 0]), table, max_norm=1.0)
    close(table[:2], [[0.6, 0.8], [0.3, 0.4]], tol=1e-6)  # rows looked up, renormalised in place; row 2 untouched
    close(table[2], [6.0, 8.0])
    close(out, [[0.6, 0.8], [0.3, 0.4], [0.6, 0.8]], tol=1e-6)
    assert table._version == version + 1
    padded = leaf((5, 3), 25)
    padded.array[1] = 0  # (the padding row gets no gradient: checked where the true one is zero too)
    check(lambda w: F.embedding(idx, w, padding_idx=1) ** 2, padded)
    # torch's scaled gradient is not the forward's derivative, but its own derivative (the second order) is exact
    assert gradgradcheck(lambda w: F.embedding(idx, w, scale_grad_by_freq=True), (leaf((3, 5), 26).mT,))


def test_embedding_module_extras():
    emb = nn.Embedding(5, 3, padding_idx=-1, max_norm=2.0, norm_type=1.0, scale_grad_by_freq=True)
    assert emb.padding_idx == 4 and np.all(emb.weight.array[4] == 0)
    assert repr(emb) == "Embedding(5, 3, padding_idx=4, max_norm=2.0, norm_type=1.0, scale_grad_by_freq=True)"
    emb(ag.tensor([0, 1, 1]))
    assert np.all(np.abs(emb.weight.array[:2]).sum(1) <= 2.0 + 1e-6)
    table = ag.randn(4, 2)
    pre = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=1, max_norm=3.0)
    assert pre.weight.requires_grad and pre.max_norm == 3.0 and np.array_equal(pre.weight.array[1], table.array[1])
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 3, padding_idx=5)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        F.embedding(ag.tensor([0]), table, padding_idx=-5)
    with pytest.raises(AssertionError, match="expected to be 2-dimensional"):
        nn.Embedding.from_pretrained(ag.randn(4))
    with pytest.raises(RuntimeError, match="'weight' must be 2-D"):
        F.embedding(ag.tensor([1]), ag.randn(5))
    with pytest.raises(NotImplementedError, match="sparse=True"):
        F.embedding(ag.tensor([1]), table, sparse=True)


W15 = np.arange(15.0).reshape(5, 3)


def test_embedding_bag_by_hand():
    w, inp, off = ag.tensor(W15), ag.tensor([0, 2, 4, 1, 3]), ag.tensor([0, 2, 2])
    close(F.embedding_bag(inp, w, off, mode="sum"), [[6, 8, 10], [0, 0, 0], [24, 27, 30]])  # bag 1 is empty
    close(F.embedding_bag(inp, w, off, mode="mean"), [[3, 4, 5], [0, 0, 0], [8, 9, 10]])
    close(F.embedding_bag(inp, w, off, mode="max"), [[6, 7, 8], [0, 0, 0], [12, 13, 14]])
    close(F.embedding_bag(inp, w, off, mode="mean", padding_idx=2), [[0, 1, 2], [0, 0, 0], [8, 9, 10]])
    close(F.embedding_bag(inp, w, off, mode="max", padding_idx=4), [[6, 7, 8], [0, 0, 0], [9, 10, 11]])
    close(F.embedding_bag(inp, w, off, mode="sum", per_sample_weights=ag.arange(5.0, dtype=ag.float64)),
          [[6, 7, 8], [0, 0, 0], [69, 78, 87]])
    close(F.embedding_bag(inp, w, ag.tensor([0, 2, 5]), mode="sum", include_last_offset=True),
          [[6, 8, 10], [24, 27, 30]])
    close(F.embedding_bag(ag.tensor([[0, 1], [2, 3]]), w), [[1.5, 2.5, 3.5], [7.5, 8.5, 9.5]])  # 2-D: fixed bags
    close(F.embedding_bag(ag.tensor([2, 2, 1]), w, ag.tensor([0, 2]), mode="max", padding_idx=2),
          [[0, 0, 0], [3, 4, 5]])  # a bag of padding only is empty


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@SETTINGS
@given(data=st.data())
def test_embedding_bag_gradients(mode, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 100)))
    inp = ag.tensor(rng.integers(0, 5, data.draw(st.integers(1, 7))))
    off = ag.tensor(np.concatenate([[0], np.sort(rng.integers(0, inp.shape[0] + 1, data.draw(st.integers(0, 2))))]))
    pad = data.draw(st.sampled_from([None, 1]))
    w = leaf((5, 3), 27, spread=True)
    if mode == "sum":
        psw = leaf(tuple(inp.shape), 28)
        check(lambda w, p: F.embedding_bag(inp, w, off, mode="sum", per_sample_weights=p, padding_idx=pad), w, psw)
    else:
        check(lambda w: F.embedding_bag(inp, w, off, mode=mode, padding_idx=pad), w)


def test_embedding_bag_module_and_errors():
    bag = nn.EmbeddingBag(5, 3, mode="sum", padding_idx=1, max_norm=2.0)
    assert repr(bag) == "EmbeddingBag(5, 3, max_norm=2.0, mode='sum', padding_idx=1)"
    assert np.all(bag.weight.array[1] == 0) and repr(nn.EmbeddingBag(5, 3)) == "EmbeddingBag(5, 3, mode='mean')"
    assert bag(ag.tensor([[0, 1], [2, 3]])).shape == (2, 3)
    pre = nn.EmbeddingBag.from_pretrained(ag.tensor(W15), mode="max")
    assert not pre.weight.requires_grad and pre(ag.tensor([0, 4]), ag.tensor([0])).tolist() == [[12, 13, 14]]
    w, inp, off = ag.tensor(W15), ag.tensor([0, 2, 4, 1, 3]), ag.tensor([0, 2, 2])
    with pytest.raises(NotImplementedError, match="per_sample_weights is only supported for mode='sum'"):
        F.embedding_bag(inp, w, off, per_sample_weights=ag.arange(5.0))
    with pytest.raises(ValueError, match="must have the same shape as the input"):
        F.embedding_bag(inp, w, off, mode="sum", per_sample_weights=ag.arange(4.0))
    with pytest.raises(ValueError, match="if input is 2D, then offsets has to be None"):
        F.embedding_bag(ag.tensor([[0, 1]]), w, off)
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor but got None"):
        F.embedding_bag(inp, w)
    with pytest.raises(RuntimeError, match="offsets.0. has to be 0"):
        F.embedding_bag(inp, w, ag.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="can not be greater than input's length 5"):
        F.embedding_bag(inp, w, ag.tensor([0, 7]))
    with pytest.raises(ValueError, match="mode has to be one of sum, mean or max"):
        F.embedding_bag(inp, w, off, mode="min")
    with pytest.raises(RuntimeError, match=r"Index 0 of input takes value 5 which is not in the valid range \[0, 5\)"):
        F.embedding_bag(ag.tensor([5]), w, ag.tensor([0]))
    with pytest.raises(ValueError, match="max mode does not support scaling the gradient by the frequency"):
        F.embedding_bag(inp, w, off, mode="max", scale_grad_by_freq=True)
    with pytest.raises(RuntimeError, match="padding_idx must be within the number of embeddings"):
        F.embedding_bag(inp, w, off, padding_idx=5)
