"""Sorting, scans and the extra reductions against PyTorch: values, indices, dtypes and gradients, with ties and NaNs
(skipped without torch)."""

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def flat(result):
    """The tensors of a result (a tensor, a named tuple or a tuple), in order."""
    if isinstance(result, tuple):
        return [t for r in result for t in flat(r)]
    return [result]


def run(fn, *arrays, grad=True):
    """fn on our tensors and on torch's (float64 leaves that require grad when floating); results and gradients must
    be the same, index for index."""
    ours = [ag.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    theirs = [torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    got, want = flat(fn(ag, *ours)), flat(fn(torch, *theirs))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert str(g.dtype) == str(w.dtype).replace("torch.", ""), (g.dtype, w.dtype)
        assert g.shape == tuple(w.shape)
        np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-12, atol=1e-12, equal_nan=True)
    if not grad or not any(t.requires_grad for t in theirs):
        return
    weights = [np.random.default_rng(7).standard_normal(w.shape) for w in want]
    floats = [i for i, w in enumerate(want) if w.dtype.is_floating_point and w.requires_grad]
    if not floats:
        return
    sum(((got[i] * ag.tensor(weights[i])).sum() for i in floats), ag.tensor(0.0, dtype=ag.float64)).backward()
    sum((want[i] * torch.tensor(weights[i])).sum() for i in floats).backward()
    for o, t in zip(ours, theirs):
        if t.requires_grad:
            expected = np.zeros(t.shape) if t.grad is None else t.grad.numpy()
            actual = np.zeros(o.shape) if o.grad is None else o.grad.numpy()
            np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12, equal_nan=True)


def ties(shape, seed, levels=4, nan=0.0):
    """Small integers as floats: many ties; a fraction ``nan`` of NaNs."""
    r = np.random.default_rng(seed)
    a = r.integers(0, levels, shape).astype(float)
    a[r.random(shape) < nan] = np.nan
    return a


SHAPES = [(7,), (3, 5), (2, 17), (4, 40), (130,), (2, 3, 4)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("descending", [False, True])
def test_stable_sort_with_ties_and_nans(shape, descending):
    a = ties(shape, 1, nan=0.1)
    for dim in range(-len(shape), len(shape)):
        run(lambda m, x, dim=dim: m.sort(x, dim=dim, descending=descending, stable=True), a)
        run(lambda m, x, dim=dim: m.argsort(x, dim=dim, descending=descending, stable=True), a)
        run(lambda m, x, dim=dim: x.sort(dim=dim, descending=descending, stable=True), a)


@pytest.mark.parametrize("shape", SHAPES)
def test_sort_without_ties_any_stability(shape):
    a = np.random.default_rng(2).permutation(int(np.prod(shape))).reshape(shape).astype(float)
    run(lambda m, x: m.sort(x), a)
    run(lambda m, x: m.sort(x, 0, descending=True), a)
    run(lambda m, x: m.msort(x), a)


def test_sort_of_ints_bools_and_0d():
    run(lambda m, x: m.sort(x, descending=True, stable=True), np.array([3, 1, 3, 2, 1]))
    run(lambda m, x: m.sort(x, stable=True), np.array([True, False, True]))
    run(lambda m, x: m.sort(x), np.array(2.5))


@pytest.mark.parametrize("n", [1, 3, 7, 16, 17, 40, 130])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("sorted_", [True, False])
def test_topk_ties_pick_torchs_indices(n, largest, sorted_):
    a = ties((3, n), n, levels=max(2, n // 4), nan=0.05)
    for k in sorted({1, 2, n // 2, n - 1, n} & set(range(1, n + 1))):
        run(lambda m, x, k=k: m.topk(x, k, dim=1, largest=largest, sorted=sorted_), a)
    run(lambda m, x: x.topk(1, 0, largest, sorted_), a)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 16, 33])
def test_kthvalue_ties(n):
    a = ties((4, n), n, levels=3, nan=0.05)
    for k in range(1, n + 1):
        run(lambda m, x, k=k: m.kthvalue(x, k, 1), a)
    run(lambda m, x: m.kthvalue(x, 2, 0, keepdim=True), a)
    run(lambda m, x: x.kthvalue(1), a)


@pytest.mark.parametrize("name", ["median", "nanmedian"])
@pytest.mark.parametrize("shape", [(1,), (6,), (5, 4), (3, 20), (2, 3, 5)])
def test_median_ties_nans_and_all_nan_rows(name, shape):
    a = ties(shape, 3, nan=0.2)
    if len(shape) > 1:
        a[0] = np.nan
    for dim in range(len(shape)):
        run(lambda m, x, dim=dim: getattr(m, name)(x, dim), a)
        run(lambda m, x, dim=dim: getattr(m, name)(x, dim, keepdim=True), a)
    run(lambda m, x: getattr(m, name)(x), a)  # all elements: the gradient is shared among the equal ones
    run(lambda m, x: getattr(m, name)(x), ties(shape, 4))
    run(lambda m, x: getattr(x, name)(), np.array([2.0, 1.0, 2.0, 5.0, 2.0]))


@pytest.mark.parametrize("n", [1, 4, 16, 17, 60])
def test_mode_ties(n):
    run(lambda m, x: m.mode(x, 1), ties((5, n), n, levels=3))
    run(lambda m, x: m.mode(x, 1, keepdim=True), ties((5, n), n + 1, levels=4, nan=0.1))
    run(lambda m, x: m.mode(x, 0), ties((n, 3), n + 2).astype(np.int64))
    run(lambda m, x: x.mode(), ties((n,), n + 3) > 1)


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_cummin_ties_nans_signed_zeros(name):
    a = ties((4, 9), 5, levels=3, nan=0.1)
    run(lambda m, x: getattr(m, name)(x, 1), a)
    run(lambda m, x: getattr(m, name)(x, 0), a)
    run(lambda m, x: getattr(m, name)(x, 0), np.array([0.0, -0.0, 0.0, -0.0]))
    run(lambda m, x: getattr(m, name)(x, 0), np.array([3, 1, 3, 5], dtype=np.int32))
    run(lambda m, x: getattr(x, name)(-1), np.array(2.0))


def test_cumsum_cumprod_logcumsumexp_values_dtypes_and_gradients():
    r = np.random.default_rng(6)
    a = r.standard_normal((3, 6))
    z = a.copy()
    z[0, [1, 4]] = 0.0
    z[1, 2] = 0.0
    for dim in (0, 1, -1):
        run(lambda m, x, dim=dim: m.cumsum(x, dim), a)
        run(lambda m, x, dim=dim: m.cumprod(x, dim), z)
        run(lambda m, x, dim=dim: m.logcumsumexp(x, dim), a * 30)
    run(lambda m, x: m.cumsum(x, 0), np.array([1, 2, 3], dtype=np.int32))
    run(lambda m, x: m.cumprod(x, 0), np.array([True, True, False]))
    run(lambda m, x: m.cumsum(x, 0, dtype=m.float64), np.array([1, 2, 3], dtype=np.int32))
    run(lambda m, x: m.logcumsumexp(x, 0), np.array([-1000.0, 0.0, -1000.0]))
    run(lambda m, x: x.cumprod(0), np.array(3.0))


def test_cumprod_second_derivative_with_zeros():
    d = np.array([2.0, 0.0, 3.0, 0.0, 4.0])
    x, t = ag.tensor(d, requires_grad=True), torch.tensor(d, requires_grad=True)
    (gx,) = ag.grad((ag.cumprod(x, 0) * ag.tensor([1.0, 2, 3, 4, 5])).sum(), x, create_graph=True)
    (gt,) = torch.autograd.grad((torch.cumprod(t, 0) * torch.tensor([1.0, 2, 3, 4, 5])).sum(), t, create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), gt.detach().numpy())
    (hx,) = ag.grad((gx * ag.tensor([1.0, -1, 2, 0.5, 3])).sum(), x)
    (ht,) = torch.autograd.grad((gt * torch.tensor([1.0, -1, 2, 0.5, 3])).sum(), t)
    np.testing.assert_allclose(hx.numpy(), ht.numpy())


def test_in_place_cumsum_and_cumprod():
    for name in ("cumsum_", "cumprod_"):
        run(lambda m, x, name=name: getattr(x * 1, name)(1), np.arange(1.0, 7.0).reshape(2, 3))
        run(lambda m, x, name=name: getattr(x.clone(), name)(0), np.array([1, 2, 3], dtype=np.int32))


def test_diff():
    a = np.random.default_rng(8).standard_normal((3, 5))
    for n in range(0, 7):
        run(lambda m, x, n=n: m.diff(x, n), a)
    run(lambda m, x, p, q: m.diff(x, 2, 0, prepend=p, append=q), a, a[:1] * 3, a[:2] - 1)
    run(lambda m, x: m.diff(x), np.array([True, False, False, True]))
    run(lambda m, x: m.diff(x), np.array([1, 4, 9], dtype=np.uint8))
    run(lambda m, x, p: m.diff(x, prepend=p), np.array([1.0, 4.0]), np.array([0]))


@pytest.mark.parametrize("zeros", [0, 1, 2, 3])
def test_prod_with_zeros(zeros):
    a = np.random.default_rng(9).standard_normal((3, 4)) + 2
    a.reshape(-1)[[5, 2, 9][:zeros]] = 0.0
    run(lambda m, x: m.prod(x), a)
    for dim in (0, 1, -1):
        run(lambda m, x, dim=dim: m.prod(x, dim), a)
        run(lambda m, x, dim=dim: x.prod(dim, keepdim=True), a)


def test_prod_dtypes():
    i = np.array([[1, 2], [3, 4]], dtype=np.int32)
    run(lambda m, x: m.prod(x), i)
    run(lambda m, x: m.prod(x, 1, dtype=m.float32), i)
    run(lambda m, x: m.prod(x), np.array([True, False]))
    run(lambda m, x: m.prod(x, 0), np.array(3.0))
    run(lambda m, x: m.prod(x), np.zeros(0))


def test_unique_and_unique_consecutive():
    a = np.array([[1, 2, 2], [1, 2, 2], [0, 5, 1], [1, 2, 2]])
    for kw in ({}, {"return_inverse": True}, {"return_counts": True}, {"return_inverse": True, "return_counts": True}):
        run(lambda m, x, kw=kw: m.unique(x, **kw), a, grad=False)
        run(lambda m, x, kw=kw: m.unique(x, dim=0, **kw), a, grad=False)
        run(lambda m, x, kw=kw: m.unique(x, dim=1, **kw), a, grad=False)
        run(lambda m, x, kw=kw: m.unique_consecutive(x, **kw), a, grad=False)
        run(lambda m, x, kw=kw: m.unique_consecutive(x, dim=0, **kw), a, grad=False)
    run(lambda m, x: x.unique(sorted=False, return_counts=True), np.array([1.0, np.nan, np.nan, 1.0]), grad=False)
    run(lambda m, x: m.unique(x, return_inverse=True), np.array(3.0), grad=False)


def test_unique_output_has_no_derivative():
    for m in (ag, torch):
        x = m.tensor([1.0, 2.0, 1.0], requires_grad=True)
        with pytest.raises(NotImplementedError):
            m.unique(x).sum().backward()


def test_searchsorted_and_bucketize():
    s = np.array([1.0, 3.0, 3.0, 5.0, 7.0])
    v = np.array([[3.0, 6.0], [9.0, 0.0]])
    for kw in ({}, {"right": True}, {"side": "right"}, {"side": "left"}, {"out_int32": True}):
        run(lambda m, b, x, kw=kw: m.searchsorted(b, x, **kw), s, v, grad=False)
    run(lambda m, b: m.searchsorted(b, 3.0), s, grad=False)
    run(lambda m, b, x: m.searchsorted(b, x), np.array([[1.0, 2, 3], [2, 4, 6]]), np.array([[2.0, 5], [2, 5]]),
        grad=False)
    run(lambda m, b, x, o: m.searchsorted(b, x, sorter=o), np.array([3.0, 1, 2]), np.array([2.5, 0, 3]),
        np.array([1, 2, 0]), grad=False)
    run(lambda m, b, x: m.searchsorted(b, x), np.array([1.0, 2.0, np.nan]), np.array([np.nan, 5.0, 1.5]),
        grad=False)
    run(lambda m, b, x: m.searchsorted(b, x), np.array([1, 2, 3]), np.array([2.5, 2.0]), grad=False)
    for right in (False, True):
        run(lambda m, x, b, right=right: m.bucketize(x, b, right=right), v, s, grad=False)
    run(lambda m, b: m.bucketize(3.0, b), s, grad=False)


def test_nonzero_argwhere_count_nonzero():
    a = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, np.nan]])
    run(lambda m, x: m.nonzero(x), a)
    run(lambda m, x: m.nonzero(x, as_tuple=True), a)
    run(lambda m, x: x.argwhere(), a)
    run(lambda m, x: m.nonzero(x), np.array(5.0))
    run(lambda m, x: m.nonzero(x, as_tuple=True), np.array(0.0))
    for dim in (None, 0, 1, (0, 1)):
        run(lambda m, x, dim=dim: m.count_nonzero(x, dim), a)


def test_histc():
    r = np.random.default_rng(10)
    run(lambda m, x: m.histc(x), r.standard_normal(1000), grad=False)
    run(lambda m, x: m.histc(x, bins=7, min=-1, max=1), r.standard_normal(100).astype(np.float32), grad=False)
    run(lambda m, x: m.histc(x, bins=4), np.array([1.0, 1.0, 1.0]), grad=False)
    run(lambda m, x: m.histc(x, bins=3, min=0, max=3), np.array([0.0, 1, 2, 3, 3.5, -1, np.nan]), grad=False)
    run(lambda m, x: x.histc(3), np.zeros(0), grad=False)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the all-NaN row: 0/0, on purpose
def test_std_var_mean_aminmax_nansum_nanmean():
    a = np.random.default_rng(11).standard_normal((3, 4))
    a[0, 1] = a[0, 2]
    n = a.copy()
    n[1, [0, 3]] = np.nan
    n[2] = np.nan
    for dim in (None, 0, 1, (0, 1)):
        run(lambda m, x, dim=dim: m.std_mean(x, dim), a)
        run(lambda m, x, dim=dim: m.var_mean(x, dim, correction=0, keepdim=True), a)
        run(lambda m, x, dim=dim: m.nansum(x, dim), n)
        run(lambda m, x, dim=dim: x.nanmean(dim, keepdim=True), n)
    for dim in (None, 0, 1):
        run(lambda m, x, dim=dim: m.aminmax(x, dim=dim), a)
        run(lambda m, x, dim=dim: x.aminmax(dim=dim, keepdim=True), a)
    run(lambda m, x: m.nansum(x), np.array([1, 2], dtype=np.int32))
    run(lambda m, x: m.aminmax(x), np.array([True, False]))


def test_all_any():
    for a in (np.array([[1, 0], [3, 4]], dtype=np.int32), np.array([[0.0, np.nan], [2, 1]]),
              np.array([1, 2], dtype=np.uint8)):
        for fn in ("all", "any"):
            run(lambda m, x, fn=fn: getattr(m, fn)(x), a, grad=False)
            for dim in range(a.ndim):
                run(lambda m, x, fn=fn, dim=dim: getattr(m, fn)(x, dim), a, grad=False)
                run(lambda m, x, fn=fn, dim=dim: getattr(x, fn)(dim, keepdim=True), a, grad=False)


BAD = {
    "topk_k_too_big": lambda m: m.topk(m.tensor([3.0, 1.0]), 3),
    "topk_negative_k": lambda m: m.topk(m.tensor([3.0, 1.0]), -1),
    "topk_bool": lambda m: m.topk(m.tensor([True, False]), 1),
    "topk_bad_dim": lambda m: m.topk(m.tensor([3.0, 1.0]), 1, dim=1),
    "kthvalue_k": lambda m: m.kthvalue(m.tensor([3.0, 1.0]), 3),
    "kthvalue_zero": lambda m: m.kthvalue(m.tensor([3.0, 1.0]), 0),
    "sort_bad_dim": lambda m: m.sort(m.tensor([3.0, 1.0]), dim=-2),
    "median_empty_dim": lambda m: m.median(m.zeros(0, 2), 0),
    "mode_empty": lambda m: m.mode(m.tensor([])),
    "cumsum_bad_dim": lambda m: m.cumsum(m.tensor([1.0]), 1),
    "cummax_bad_dim": lambda m: m.cummax(m.tensor(1.0), 1),
    "logcumsumexp_int": lambda m: m.logcumsumexp(m.tensor([1, 2]), 0),
    "diff_0d": lambda m: m.diff(m.tensor(1.0)),
    "diff_negative": lambda m: m.diff(m.tensor([1.0, 2.0]), n=-1),
    "diff_prepend_dims": lambda m: m.diff(m.tensor([1.0, 2.0]), prepend=m.tensor([[0.0]])),
    "prod_tuple_dim": lambda m: m.prod(m.ones(2, 2), (0, 1)),
    "nanmean_int": lambda m: m.nanmean(m.tensor([1, 2])),
    "aminmax_empty": lambda m: m.aminmax(m.tensor([])),
    "searchsorted_side": lambda m: m.searchsorted(m.tensor([1.0]), m.tensor([1.0]), side="middle"),
    "searchsorted_opposites": lambda m: m.searchsorted(m.tensor([1.0]), m.tensor([1.0]), side="left", right=True),
    "searchsorted_shapes": lambda m: m.searchsorted(m.ones(2, 3), m.ones(1, 2)),
    "bucketize_2d": lambda m: m.bucketize(m.ones(2), m.ones(2, 2)),
    "histc_int": lambda m: m.histc(m.tensor([1, 2])),
    "histc_bins": lambda m: m.histc(m.tensor([1.0]), bins=0),
    "histc_range": lambda m: m.histc(m.tensor([1.0]), bins=2, min=3, max=1),
    "histc_inf": lambda m: m.histc(m.tensor([1.0, float("inf")])),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_raises_torchs_error_type(name):
    with pytest.raises(Exception) as theirs:
        BAD[name](torch)
    with pytest.raises(Exception) as ours:
        BAD[name](ag)
    assert isinstance(ours.value, type(theirs.value)), (ours.value, theirs.value)
