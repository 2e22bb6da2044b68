"""Sorting, selection, scans and the extra reductions: values against NumPy, dtypes, keepdim shapes, errors, ties as
torch breaks them, and gradcheck + forward AD + gradgradcheck over random shapes (distinct values, and zeros for
prod and cumprod)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import autograd as ag
from autograd import gradcheck, gradgradcheck

SETTINGS = settings(max_examples=5, deadline=None, derandomize=True)


def distinct(shape, seed=0, zeros=0):
    """float64 leaf of distinct values, far enough apart that no finite-difference step reorders them; ``zeros`` of
    them set to 0."""
    r = np.random.default_rng(seed)
    x = r.permutation(np.arange(int(np.prod(shape)), dtype=float)).reshape(shape) * 0.37 - 1.1
    if zeros:
        x.reshape(-1)[r.choice(x.size, min(zeros, x.size), replace=False)] = 0.0
    return ag.tensor(x, dtype=ag.float64, requires_grad=True)


def check(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def t(values, dtype=None):
    return ag.tensor(values, dtype=dtype)


# ---- gradients ---------------------------------------------------------------------------------------------------
ALONG_DIM = {
    "sort": lambda x, d, k: x.sort(d).values,
    "sort_descending": lambda x, d, k: x.sort(d, descending=True).values,
    "topk": lambda x, d, k: x.topk(max(x.shape[d] - 1, 1) if x.ndim else 1, d).values,
    "topk_smallest_unsorted": lambda x, d, k: ag.topk(x, 1, d, largest=False, sorted=False).values,
    "kthvalue": lambda x, d, k: x.kthvalue(1, d, keepdim=k).values,
    "median": lambda x, d, k: x.median(d, keepdim=k).values,
    "nanmedian": lambda x, d, k: x.nanmedian(d, keepdim=k).values,
    "mode": lambda x, d, k: x.mode(d, keepdim=k).values,
    "cummax": lambda x, d, k: x.cummax(d).values,
    "cummin": lambda x, d, k: x.cummin(d).values,
    "cumsum": lambda x, d, k: x.cumsum(d),
    "cumprod": lambda x, d, k: x.cumprod(d),
    "logcumsumexp": lambda x, d, k: x.logcumsumexp(d),
    "diff": lambda x, d, k: x.diff(dim=d) if x.ndim else x * 1,
    "prod": lambda x, d, k: x.prod(d, keepdim=k),
    "nansum": lambda x, d, k: x.nansum(d, keepdim=k),
    "nanmean": lambda x, d, k: x.nanmean(d, keepdim=k),
    "std_mean": lambda x, d, k: ag.std_mean(x, d, keepdim=k)[0] * ag.std_mean(x, d, keepdim=k)[1]
    if x.shape and x.shape[d] > 1 else x.mean(d),
    "var_mean": lambda x, d, k: ag.var_mean(x, d, correction=0, keepdim=k),
    "aminmax": lambda x, d, k: ag.aminmax(x, dim=d, keepdim=k),
}


@pytest.mark.parametrize("name", sorted(ALONG_DIM))
@SETTINGS
@given(data=st.data(), shape=array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), keepdim=st.booleans())
def test_gradients_along_a_dim(name, data, shape, keepdim):
    dim = data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))
    check(lambda x: ALONG_DIM[name](x, dim, keepdim), distinct(shape, len(shape)))


WHOLE = {
    "median": lambda x: x.median(),
    "nanmedian": lambda x: x.nanmedian(),
    "prod": lambda x: x.prod(),
    "nansum": lambda x: ag.nansum(x),
    "nanmean": lambda x: ag.nanmean(x),
    "aminmax": lambda x: ag.aminmax(x),
    "msort": lambda x: ag.msort(x) if x.ndim else x * 1,
}


@pytest.mark.parametrize("name", sorted(WHOLE))
@SETTINGS
@given(shape=array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
def test_gradients_over_all_elements(name, shape):
    check(WHOLE[name], distinct(shape, 1))


@pytest.mark.parametrize("zeros", [1, 2, 3])
@SETTINGS
@given(data=st.data(), shape=array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
def test_prod_and_cumprod_gradients_with_zeros(zeros, data, shape):
    dim = data.draw(st.integers(0, len(shape) - 1))
    x = distinct(shape, zeros, zeros=zeros)
    check(lambda x: x.cumprod(dim), x)
    check(lambda x: x.prod(dim), x)
    check(lambda x: x.prod(), x)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("dim", [0, 1])
def test_linear_scan_behind_cumprod_and_logcumsumexp_gradients(reverse, dim):
    from autograd.ops.scan import LinearScan

    u, a = distinct((3, 4), 11), distinct((3, 4), 12, zeros=2)
    y = LinearScan.apply(u, a, dim, reverse).detach().numpy()
    um, am = np.moveaxis(u.detach().numpy(), dim, 0), np.moveaxis(a.detach().numpy(), dim, 0)
    expected = um.copy()
    if reverse:  # y_i = u_i + a_(i+1)·y_(i+1)
        for i in range(len(um) - 2, -1, -1):
            expected[i] += am[i + 1] * expected[i + 1]
    else:  # y_i = u_i + a_i·y_(i−1)
        for i in range(1, len(um)):
            expected[i] += am[i] * expected[i - 1]
    np.testing.assert_allclose(np.moveaxis(y, dim, 0), expected, rtol=1e-12)
    check(lambda u, a: LinearScan.apply(u, a, dim, reverse), u, a)


def test_prod_gradient_values_with_zeros():
    x = ag.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 1.0], [1.0, 2.0, 3.0]], requires_grad=True)
    x.prod(1).backward(ag.ones(3))
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 6, 0], [0, 0, 0], [6, 3, 2]])  # Π of the others


def test_cumprod_gradient_values_with_zeros():
    x = ag.tensor([2.0, 0.0, 3.0, 0.0, 4.0], requires_grad=True)
    g = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    x.cumprod(0).backward(ag.tensor(g))
    # x̄_k = Σ_{i≥k} g_i Π_{j≤i, j≠k} x_j, by hand
    expected = [sum(g[i] * np.prod([x.array[j] for j in range(i + 1) if j != k]) for i in range(k, 5))
                for k in range(5)]
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    np.testing.assert_array_equal(expected, [1, 22, 0, 0, 0])


def test_logcumsumexp_far_apart_values():
    x = ag.tensor([-1000.0, 0.0, -1000.0], dtype=ag.float64, requires_grad=True)
    y = x.logcumsumexp(0)
    np.testing.assert_allclose(y.detach().numpy(), [-1000, 0, 0], atol=1e-12)
    y.backward(ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64))
    np.testing.assert_allclose(x.grad.numpy(), [1, 5, 0], atol=1e-12)  # every factor e^(x_k − z_i) is 1 or ~0
    check(lambda x: x.logcumsumexp(0), ag.tensor([-50.0, 0.0, -30.0, 2.0], dtype=ag.float64, requires_grad=True))


def test_non_contiguous_inputs_and_in_place_scans():
    x = distinct((3, 4), 5)
    check(lambda x: x.t().sort(1).values * x.t()[:, :1], x)
    check(lambda x: x.t()[::2].cumsum(1), x)
    check(lambda x: x.t()[::-1].cumprod(0), x)
    check(lambda x: x.t().topk(2, 0).values, x)

    def in_place(x):
        y = x * 1
        y.cumsum_(1)
        y[1:].cumprod_(0)  # through a view
        return y

    check(in_place, x)


def test_scans_of_0d_tensors():
    x = ag.tensor(2.5, dtype=ag.float64, requires_grad=True)
    for fn in (lambda x: x.cumsum(0), lambda x: x.cumprod(-1), lambda x: x.logcumsumexp(0),
               lambda x: x.cummax(0).values, lambda x: x.sort().values, lambda x: x.kthvalue(1).values):
        assert fn(x).shape == ()
        check(fn, x)


# ---- values against NumPy ----------------------------------------------------------------------------------------
def test_sort_argsort_msort_values_and_dtypes(rng):
    a = rng.integers(0, 4, (3, 9)).astype(float)
    a[0, 2] = np.nan
    for dim in (0, 1):
        v, i = ag.sort(t(a), dim)
        np.testing.assert_array_equal(v.numpy(), np.sort(a, axis=dim))
        np.testing.assert_array_equal(i.numpy(), np.argsort(a, axis=dim, kind="stable"))
        assert i.dtype == np.int64
        d = ag.argsort(t(a), dim, descending=True)
        np.testing.assert_array_equal(d.numpy(), np.argsort(-np.nan_to_num(a, nan=np.inf), axis=dim, kind="stable"))
    np.testing.assert_array_equal(ag.msort(t(a)).numpy(), np.sort(a, axis=0))
    assert ag.sort(t([3, 1, 2], ag.int32)).values.dtype == np.int32


def test_stable_descending_sort_keeps_equal_elements_in_order():
    v, i = ag.sort(t([3.0, 1.0, 2.0, 1.0, 3.0, 2.0, 1.0]), descending=True, stable=True)
    assert i.tolist() == [0, 4, 2, 5, 1, 3, 6]
    _, i = ag.sort(t([1.0, np.nan, 3.0, np.nan]), descending=True)
    assert i.tolist() == [1, 3, 2, 0]  # NaN is the largest value


def test_topk_kthvalue_values_and_keepdim_shapes(rng):
    a = rng.standard_normal((4, 6, 5))
    v, i = ag.topk(t(a), 3, dim=1)
    np.testing.assert_array_equal(v.numpy(), -np.sort(-a, axis=1)[:, :3])
    assert v.shape == i.shape == (4, 3, 5) and i.dtype == np.int64
    v, i = ag.topk(t(a), 2, largest=False)
    np.testing.assert_array_equal(v.numpy(), np.sort(a, -1)[..., :2])
    v, i = ag.kthvalue(t(a), 4, 1, keepdim=True)
    assert v.shape == i.shape == (4, 1, 5)
    np.testing.assert_array_equal(v.numpy()[:, 0], np.sort(a, 1)[:, 3])
    np.testing.assert_array_equal(np.take_along_axis(a, i.numpy(), 1), v.numpy())
    assert ag.topk(t(a), 0).values.shape == (4, 6, 0)


def test_median_nanmedian_values(rng):
    a = rng.standard_normal((5, 6))
    assert ag.median(t(a)).item() == np.sort(a.reshape(-1))[(a.size - 1) // 2]  # the lower median
    v, i = ag.median(t(a), 1)
    np.testing.assert_array_equal(v.numpy(), np.sort(a, 1)[:, 2])
    assert ag.median(t(a), 0, keepdim=True).values.shape == (1, 6)
    n = a.copy()
    n[0, 1] = np.nan
    assert np.isnan(ag.median(t(n)).item())
    v, i = ag.median(t(n), 1)
    assert np.isnan(v[0].item()) and i[0].item() == 1  # a NaN wins, at its first index
    np.testing.assert_array_equal(ag.nanmedian(t(n), 1).values.numpy()[0], np.sort(n[0])[(5 - 1) // 2])
    assert ag.nanmedian(t(n)).item() == np.sort(n[~np.isnan(n)])[(a.size - 2) // 2]
    assert np.isnan(ag.nanmedian(t([np.nan, np.nan])).item())
    assert np.isnan(ag.median(t([])).item())


def test_median_of_all_shares_the_gradient_among_equal_elements():
    x = ag.tensor([1.0, 2.0, 2.0, 3.0, 2.0], requires_grad=True)
    x.median().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0, 1 / 3, 1 / 3, 0, 1 / 3])


def test_mode_values():
    v, i = ag.mode(t([[2.0, 1.0, 1.0, 2.0, 3.0], [5.0, 4.0, 4.0, 4.0, 5.0]]))
    assert v.tolist() == [1.0, 4.0] and i.tolist() == [2, 3]  # the smallest of equally frequent; its last index
    v, i = ag.mode(t([[1, 1], [2, 3]]), 0, keepdim=True)
    assert v.shape == (1, 2) and v.dtype == np.int64 and i.dtype == np.int64


def test_ties_follow_torchs_kernels():
    """Which equal element torch picks (found by running torch on these inputs): the gradient goes there."""
    x = t([3.0, 1.0, 2.0, 1.0, 3.0, 2.0, 1.0])
    assert ag.topk(x, 3).indices.tolist() == [4, 0, 5]
    assert ag.topk(x, 3, largest=False).indices.tolist() == [3, 6, 1]
    assert ag.topk(t([1.0, 5.0, 3.0, 4.0, 2.0, 0.0, 7.0]), 3, sorted=False).indices.tolist() == [1, 6, 3]
    assert ag.kthvalue(x, 2).indices.item() == 3
    assert ag.kthvalue(x, 5).indices.item() == 2
    assert ag.kthvalue(t([1.0] * 5), 3).indices.item() == 0
    assert ag.median(x, 0).indices.item() == 2  # (value, index) order: rank 3 of [1 1 1 2 2 3 3]
    assert ag.mode(x).indices.item() == 6
    assert ag.cummax(x, 0).indices.tolist() == [0, 0, 0, 0, 4, 4, 4]
    assert ag.cummin(x, 0).indices.tolist() == [0, 1, 1, 3, 3, 3, 6]
    assert ag.nanmedian(t([np.nan] * 7), 0).indices.item() == 5  # all NaN: where std::nth_element leaves them


def test_cummax_cummin_values_and_nans(rng):
    a = rng.standard_normal((3, 7))
    np.testing.assert_array_equal(ag.cummax(t(a), 1).values.numpy(), np.maximum.accumulate(a, 1))
    np.testing.assert_array_equal(ag.cummin(t(a), 0).values.numpy(), np.minimum.accumulate(a, 0))
    v, i = ag.cummax(t([1.0, np.nan, 3.0, np.nan, 2.0]), 0)
    assert i.tolist() == [0, 1, 1, 3, 3] and np.isnan(v.numpy()[1:]).all()


def test_cumsum_cumprod_logcumsumexp_values_and_dtypes(rng):
    a = rng.standard_normal((3, 5))
    for d in (0, 1):
        np.testing.assert_allclose(ag.cumsum(t(a), d).numpy(), np.cumsum(a, d), rtol=1e-6)
        np.testing.assert_allclose(ag.cumprod(t(a), d).numpy(), np.cumprod(a, d), rtol=1e-6)
        np.testing.assert_allclose(ag.logcumsumexp(t(a), d).numpy(), np.log(np.cumsum(np.exp(a), d)), rtol=1e-6)
    assert ag.cumsum(t([1, 2], ag.int32), 0).dtype == np.int64
    assert ag.cumprod(t([True, False]), 0).tolist() == [1, 0]
    assert ag.cumsum(t([1, 2], ag.int32), 0, dtype=ag.float64).dtype == np.float64
    y = t([1, 2, 3], ag.int32)
    y.cumsum_(0)
    assert y.tolist() == [1, 3, 6] and y.dtype == np.int32


def test_diff_values():
    a = np.array([[1.0, 4.0, 9.0, 16.0], [0.0, 1.0, 0.0, 1.0]])
    for n in range(0, 5):
        np.testing.assert_array_equal(ag.diff(t(a), n).numpy(), np.diff(a, n))
    np.testing.assert_array_equal(ag.diff(t(a), dim=0, prepend=t([[0.0] * 4])).numpy(),
                                  np.diff(a, axis=0, prepend=0))
    assert ag.diff(t([True, False, False])).tolist() == [True, False]
    assert ag.diff(t([1.0, 2.0]), append=t([4.0], ag.float64)).dtype == np.float64


def test_prod_values_and_dtypes():
    i = t([[1, 2], [3, 4]], ag.int32)
    assert ag.prod(i).item() == 24 and ag.prod(i).dtype == np.int64
    assert ag.prod(i, 1).tolist() == [2, 12]
    assert ag.prod(i, 1, keepdim=True, dtype=ag.float32).shape == (2, 1)
    assert ag.prod(t([True, False])).dtype == np.int64
    assert ag.prod(t([])).item() == 1.0
    assert ag.prod(t(3.0), 0).shape == ()


def test_unique_and_unique_consecutive_values():
    a = np.array([3, 1, 2, 1, 3, 2, 1])
    u, inv, cnt = ag.unique(t(a), return_inverse=True, return_counts=True)
    ref = np.unique(a, return_inverse=True, return_counts=True)
    for ours, theirs in zip((u, inv, cnt), ref):
        np.testing.assert_array_equal(ours.numpy(), theirs)
    assert inv.dtype == cnt.dtype == np.int64
    m = np.array([[1, 2], [1, 2], [0, 5], [1, 2]])
    u, inv = ag.unique(t(m), dim=0, return_inverse=True)
    assert u.tolist() == [[0, 5], [1, 2]] and inv.tolist() == [1, 1, 0, 1]
    u, inv, cnt = ag.unique_consecutive(t(m), return_inverse=True, return_counts=True, dim=0)
    assert u.tolist() == [[1, 2], [0, 5], [1, 2]] and inv.tolist() == [0, 0, 1, 2] and cnt.tolist() == [2, 1, 1]
    assert ag.unique_consecutive(t([1, 1, 2, 2, 3, 1])).tolist() == [1, 2, 3, 1]
    assert ag.unique(t([1.0, np.nan, np.nan]), return_counts=True)[1].tolist() == [1, 1, 1]  # NaN ≠ NaN


def test_unique_of_a_tensor_that_requires_grad_has_no_derivative():
    x = ag.tensor([1.0, 2.0, 1.0], requires_grad=True)
    u = ag.unique(x)
    assert u.requires_grad
    with pytest.raises(NotImplementedError, match="unique"):
        u.sum().backward()


def test_searchsorted_bucketize_values(rng):
    s = np.sort(rng.integers(0, 10, 12)).astype(float)
    v = rng.integers(-1, 12, (3, 4)).astype(float)
    for side in ("left", "right"):
        np.testing.assert_array_equal(ag.searchsorted(t(s), t(v), side=side).numpy(), np.searchsorted(s, v, side))
    assert ag.searchsorted(t(s), t(v), right=True).tolist() == np.searchsorted(s, v, "right").tolist()
    assert ag.searchsorted(t(s), t(v), out_int32=True).dtype == np.int32
    assert ag.searchsorted(t(s), 3.0).shape == ()
    b = np.sort(rng.standard_normal((3, 5)), 1)
    w = rng.standard_normal((3, 2))
    np.testing.assert_array_equal(ag.searchsorted(t(b), t(w)).numpy(),
                                  [np.searchsorted(b[r], w[r]) for r in range(3)])
    unsorted = np.array([3.0, 1.0, 2.0])
    assert ag.searchsorted(t(unsorted), t([2.5]), sorter=t([1, 2, 0])).tolist() == [2]
    np.testing.assert_array_equal(ag.bucketize(t(v), t(s)).numpy(), np.searchsorted(s, v, "left"))
    np.testing.assert_array_equal(ag.bucketize(t(v), t(s), right=True).numpy(), np.digitize(v, s))


def test_nonzero_argwhere_count_nonzero_values():
    a = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(ag.nonzero(t(a)).numpy(), np.argwhere(a))
    assert ag.nonzero(t(a)).dtype == np.int64
    rows, cols = ag.nonzero(t(a), as_tuple=True)
    assert rows.tolist() == [0, 1, 1] and cols.tolist() == [1, 0, 2]
    np.testing.assert_array_equal(ag.argwhere(t(a)).numpy(), np.argwhere(a))
    assert ag.nonzero(t(5.0)).shape == (1, 0)
    assert ag.count_nonzero(t(a)).item() == 3 and ag.count_nonzero(t(a), 0).tolist() == [1, 1, 1]
    assert ag.count_nonzero(t(a), (0, 1)).dtype == np.int64


def test_histc_values(rng):
    a = rng.standard_normal(500)
    h = ag.histc(t(a, ag.float64), bins=10, min=-2, max=2)
    np.testing.assert_array_equal(h.numpy(), np.histogram(a, 10, (-2, 2))[0])
    assert h.dtype == np.float64
    np.testing.assert_array_equal(ag.histc(t(a, ag.float64), 8).numpy(), np.histogram(a, 8)[0])
    assert ag.histc(t([1.0, 1.0, 1.0]), 4).tolist() == [0, 0, 3, 0]  # one point: the range widens to [0, 2]
    assert ag.histc(t([1.0, 2.0, 1.0]), 4, min=0, max=3).tolist() == [0, 2, 1, 0]


def test_std_var_mean_aminmax_nansum_nanmean_all_any_values(rng):
    a = rng.standard_normal((3, 4))
    s, m = ag.std_mean(t(a, ag.float64), 1)
    np.testing.assert_allclose(s.numpy(), a.std(1, ddof=1))
    np.testing.assert_allclose(m.numpy(), a.mean(1))
    v, m = ag.var_mean(t(a, ag.float64), correction=0, keepdim=True)
    np.testing.assert_allclose(v.numpy(), a.var(keepdims=True))
    lo, hi = ag.aminmax(t(a), dim=0, keepdim=True)
    assert lo.shape == hi.shape == (1, 4)
    np.testing.assert_array_equal(hi.numpy(), a.max(0, keepdims=True))
    assert ag.aminmax(t(a)).max.item() == a.max()
    n = a.copy()
    n[0, [1, 2]] = np.nan
    np.testing.assert_allclose(ag.nansum(t(n), 1).numpy(), np.nansum(n, 1), rtol=1e-6)
    np.testing.assert_allclose(ag.nanmean(t(n), 0, keepdim=True).numpy(), np.nanmean(n, 0, keepdims=True), rtol=1e-6)
    assert ag.nansum(t([1, 2], ag.int32)).dtype == np.int64
    b = np.array([[1, 0], [3, 4]], dtype=np.int32)
    assert ag.all(t(b), 1).tolist() == [False, True] and ag.any(t(b), 0, keepdim=True).shape == (1, 2)
    assert t(b).all(dim=(0, 1)).item() is False
    assert ag.all(t([1, 2], ag.uint8)).dtype == np.uint8


def test_nansum_gradient_is_zero_at_nans():
    x = ag.tensor([1.0, np.nan, 3.0], requires_grad=True)
    ag.nansum(x).backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0]
    x.grad = None
    ag.nanmean(x).backward()
    assert x.grad.tolist() == [0.5, 0.0, 0.5]


# ---- errors ------------------------------------------------------------------------------------------------------
def test_errors_name_the_op_and_argument():
    x = t([3.0, 1.0, 2.0])
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        ag.topk(x, 4)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        ag.topk(x, -1)
    with pytest.raises(RuntimeError, match="kthvalue.*out of range"):
        ag.kthvalue(x, 0)
    for fn in (lambda: ag.sort(x, 1), lambda: ag.topk(x, 1, dim=2), lambda: ag.kthvalue(x, 1, -2),
               lambda: ag.median(x, 1), lambda: ag.mode(x, 3), lambda: ag.cumsum(x, 1), lambda: ag.cummax(x, -2),
               lambda: ag.prod(x, 1), lambda: ag.diff(x, dim=1), lambda: ag.count_nonzero(x, 2),
               lambda: ag.logcumsumexp(x, 5)):
        with pytest.raises(IndexError, match="Dimension out of range"):
            fn()
    with pytest.raises(RuntimeError, match="bool"):
        ag.topk(t([True, False]), 1)
    with pytest.raises(IndexError, match="median.*non-zero size"):
        ag.median(ag.zeros(0, 2), 0)
    with pytest.raises(NotImplementedError, match="logcumsumexp"):
        ag.logcumsumexp(t([1, 2]), 0)
    with pytest.raises(RuntimeError, match="one-dimensional"):
        ag.diff(t(1.0))
    with pytest.raises(TypeError, match="prod.*dim"):
        ag.prod(ag.ones(2, 2), (0, 1))
    with pytest.raises(RuntimeError, match="nanmean"):
        ag.nanmean(t([1, 2]))
    with pytest.raises(RuntimeError, match="aminmax"):
        ag.aminmax(t([]))
    with pytest.raises(RuntimeError, match="side"):
        ag.searchsorted(x, x, side="left", right=True)
    with pytest.raises(RuntimeError, match="boundaries"):
        ag.searchsorted(ag.ones(2, 3), ag.ones(1, 2))
    with pytest.raises(RuntimeError, match="boundaries"):
        ag.bucketize(x, ag.ones(2, 2))
    with pytest.raises(RuntimeError, match="histc.*not finite"):
        ag.histc(t([1.0, np.inf]))
    with pytest.raises(RuntimeError, match="bins"):
        ag.histc(x, 0)
    with pytest.raises(NotImplementedError, match="histc"):
        ag.histc(t([1, 2]))
