"""Products (mm ... einsum, cdist) and rearranging ops (flip ... take_along_dim): values against NumPy or hand-computed
numbers, which results are views, errors, and finite-difference gradcheck (with forward mode) and gradgradcheck in
float64 over random shapes, with broadcasting, non-contiguous inputs and in-place use.

Every expectation about views, dtypes and errors was checked against torch 2.13 (test_products_arrange_vs_torch.py
runs the same cases side by side); none needs torch to run."""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import autograd as ag
from autograd import gradcheck, gradgradcheck
from autograd.ops import linalg_cross

SETTINGS = settings(max_examples=4, deadline=None, derandomize=True)
sides = st.integers(1, 3)


def leaf(shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=ag.float64, requires_grad=True)


def check(fn, *inputs):
    assert gradcheck(fn, inputs, check_forward_ad=True)
    assert gradgradcheck(fn, inputs)


def arr(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def shares(a, b):
    return bool(np.shares_memory(a.array, b.array))


def _quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # (deprecation warnings, tested on their own)
        return fn(*args)


# ---- values against NumPy --------------------------------------------------------------------------------------------
A, B, C, V, W = arr((2, 3), 1), arr((3, 4), 2), arr((2, 3, 4), 3), arr(3, 4), arr((5, 3), 5)
D, M, E = arr((2, 4), 6), arr((4, 4), 7), arr((3, 4), 8)
T = ag.tensor
VALUES = {
    "mm": (lambda: ag.mm(T(A), T(B)), A @ B),
    "bmm": (lambda: ag.bmm(T(C[:, :, :3]), T(np.stack([B, B]))), C[:, :, :3] @ np.stack([B, B])),
    "mv": (lambda: ag.mv(T(A), T(V)), A @ V),
    "addmm": (lambda: ag.addmm(T(D[0]), T(A), T(B), beta=0.5, alpha=2.0), 0.5 * D[0] + 2 * (A @ B)),
    "addmv": (lambda: ag.addmv(T(D[:, 0]), T(A), T(V), beta=2), 2 * D[:, 0] + A @ V),
    "addbmm": (lambda: ag.addbmm(T(E), T(C[:, :, :3]), T(np.stack([B, B]))),
               E + (C[:, :, :3] @ np.stack([B, B])).sum(0)),
    "baddbmm": (lambda: ag.baddbmm(T(E), T(C[:, :, :3]), T(np.stack([B, B])), alpha=-1),
                E - C[:, :, :3] @ np.stack([B, B])),
    "addr": (lambda: ag.addr(T(A), T(V[:2]), T(V), beta=3), 3 * A + np.outer(V[:2], V)),
    "chain_matmul": (lambda: _quiet(ag.chain_matmul, T(A), T(B), T(M)), A @ B @ M),
    "tensordot": (lambda: ag.tensordot(T(C), T(B)), np.tensordot(C, B)),
    "tensordot_lists": (lambda: ag.tensordot(T(C), T(A), ([0, 1], [0, 1])), np.tensordot(C, A, ([0, 1], [0, 1]))),
    "tensordot_0": (lambda: ag.tensordot(T(A), T(V), 0), np.tensordot(A, V, 0)),
    "kron": (lambda: ag.kron(T(A), T(B)), np.kron(A, B)),
    "kron_ranks": (lambda: ag.kron(T(C), T(V)), np.kron(C, V)),
    "cross": (lambda: ag.cross(T(A), T(A[::-1]), dim=1), np.cross(A, A[::-1])),
    "linalg_cross_bcast": (lambda: linalg_cross(T(A), T(V[None])), np.cross(A, V[None])),
    "cdist": (lambda: ag.cdist(T(A), T(W[:4])),
              np.sqrt(((A[:, None] - W[None, :4]) ** 2).sum(-1))),
    "cdist_p1": (lambda: ag.cdist(T(A), T(D[:, :3]), p=1), np.abs(A[:, None] - D[None, :, :3]).sum(-1)),
    "cdist_p3": (lambda: ag.cdist(T(A), T(D[:, :3]), p=3),
                 (np.abs(A[:, None] - D[None, :, :3]) ** 3).sum(-1) ** (1 / 3)),
    "cdist_inf": (lambda: ag.cdist(T(A), T(D[:, :3]), p=float("inf")), np.abs(A[:, None] - D[None, :, :3]).max(-1)),
    "cdist_p0": (lambda: ag.cdist(T([[0.0, 1.0]]), T([[0.0, 2.0], [1.0, 3.0], [0.0, 1.0]]), p=0), [[1.0, 2.0, 0.0]]),
    "inner": (lambda: ag.inner(T(C[..., :3]), T(A)), np.inner(C[..., :3], A)),
    "inner_0d": (lambda: ag.inner(T(A), T(2.0)), 2 * A),
    "vdot": (lambda: ag.vdot(T(V), T(V[::-1])), np.vdot(V, V[::-1])),
    "flip": (lambda: ag.flip(T(C), (0, 2)), np.flip(C, (0, 2))),
    "fliplr": (lambda: ag.fliplr(T(A)), np.fliplr(A)),
    "flipud": (lambda: ag.flipud(T(A)), np.flipud(A)),
    "roll": (lambda: ag.roll(T(C), (1, -5), (0, 2)), np.roll(C, (1, -5), (0, 2))),
    "roll_flat": (lambda: ag.roll(T(C), 7), np.roll(C, 7)),
    "roll_same_dim_twice": (lambda: ag.roll(T(A), (1, 1), (1, 1)), np.roll(A, 2, 1)),
    "rot90": (lambda: ag.rot90(T(C), 1, (0, 2)), np.rot90(C, 1, (0, 2))),
    "rot90_2": (lambda: ag.rot90(T(C), 2, (2, 1)), np.rot90(C, 2, (2, 1))),
    "rot90_neg": (lambda: ag.rot90(T(A), -1), np.rot90(A, -1)),
    "rot90_0": (lambda: ag.rot90(T(A), 4), A),
    "tril": (lambda: ag.tril(T(C), 1), np.tril(C, 1)),
    "triu": (lambda: ag.triu(T(C), -1), np.triu(C, -1)),
    "tril_nan_above": (lambda: ag.tril(T([[1.0, np.nan], [np.inf, 2.0]])), [[1.0, 0.0], [np.inf, 2.0]]),
    "diag_1d": (lambda: ag.diag(T(V), -1), np.diag(V, -1)),
    "diag_2d": (lambda: ag.diag(T(B), 1), np.diag(B, 1)),
    "diag_2d_far": (lambda: ag.diag(T(B), 7), np.diag(B, 7)),
    "diag_embed": (lambda: ag.diag_embed(T(A), 1), np.stack([np.diag(r, 1) for r in A])),
    "diag_embed_dims": (lambda: ag.diag_embed(T(A), -1, 0, 2),
                        np.moveaxis(np.stack([np.diag(r, -1) for r in A]), 0, 1)),
    "diagflat": (lambda: ag.diagflat(T(A)), np.diagflat(A)),
    "trace": (lambda: ag.trace(T(B)), np.trace(B)),
    "trace_int": (lambda: ag.trace(ag.arange(9).reshape(3, 3).int()), 12),
    "hstack": (lambda: ag.hstack([T(A), T(A[:, :1])]), np.hstack([A, A[:, :1]])),
    "hstack_1d": (lambda: ag.hstack([T(V), T(V)]), np.hstack([V, V])),
    "vstack": (lambda: ag.vstack([T(A), T(V)]), np.vstack([A, V])),
    "row_stack": (lambda: ag.row_stack([T(V), T(V)]), np.vstack([V, V])),
    "dstack": (lambda: ag.dstack([T(A), T(A)]), np.dstack([A, A])),
    "column_stack": (lambda: ag.column_stack([T(V), T(A.T), T(V)]), np.column_stack([V, A.T, V])),
    "repeat_interleave": (lambda: ag.repeat_interleave(T(A), 2), np.repeat(A, 2)),
    "repeat_interleave_dim": (lambda: ag.repeat_interleave(T(A), ag.tensor([1, 0, 3]), dim=1),
                              np.repeat(A, [1, 0, 3], 1)),
    "repeat_interleave_counts": (lambda: ag.repeat_interleave(ag.tensor([1, 0, 2])), [0, 2, 2]),
    "tile": (lambda: ag.tile(T(A), (2, 1, 2)), np.tile(A, (2, 1, 2))),
    "tile_short": (lambda: ag.tile(T(C), (2,)), np.tile(C, 2)),
    "movedim": (lambda: ag.movedim(T(C), (0, 1), (2, 0)), np.moveaxis(C, (0, 1), (2, 0))),
    "moveaxis": (lambda: ag.moveaxis(T(C), -1, 0), np.moveaxis(C, -1, 0)),
    "swapaxes": (lambda: ag.swapaxes(T(C), 0, 2), np.swapaxes(C, 0, 2)),
    "swapdims": (lambda: ag.swapdims(T(C), 1, -1), np.swapaxes(C, 1, 2)),
    "block_diag": (lambda: ag.block_diag(T(2.0), T(V[:2]), T(A)),
                   [[2, 0, 0, 0, 0, 0], [0, *V[:2], 0, 0, 0], [0, 0, 0, *A[0]], [0, 0, 0, *A[1]]]),
    "block_diag_empty": (lambda: ag.block_diag(), np.zeros((1, 0))),
    "cartesian_prod": (lambda: ag.cartesian_prod(T(V[:2]), T(V)),
                       [list(p) for p in itertools.product(V[:2], V)]),
    "combinations": (lambda: ag.combinations(T(V), 2), [list(p) for p in itertools.combinations(V, 2)]),
    "combinations_repl": (lambda: ag.combinations(T(V), 2, with_replacement=True),
                          [list(p) for p in itertools.combinations_with_replacement(V, 2)]),
    "combinations_too_many": (lambda: ag.combinations(T(V), 4), np.zeros((0, 4))),
    "combinations_0": (lambda: ag.combinations(T(V), 0), np.zeros(0)),
    "take": (lambda: ag.take(T(A), ag.tensor([[0, 5], [-1, 2]])), [[A[0, 0], A[1, 2]], [A[1, 2], A[0, 2]]]),
    "take_along_dim": (lambda: ag.take_along_dim(T(A), ag.tensor([[2, 0], [2, 1]]), 1),
                       np.take_along_axis(A, np.array([[2, 0], [2, 1]]), 1)),
    "take_along_dim_bcast": (lambda: ag.take_along_dim(T(C), ag.tensor([[[1], [0], [2]]]), 2),
                             np.take_along_axis(C, np.broadcast_to([[[1], [0], [2]]], (2, 3, 1)), 2)),
    "take_along_dim_flat": (lambda: ag.take_along_dim(T(A), ag.tensor([5, 0])), [A[1, 2], A[0, 0]]),
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_values_match_numpy(name):
    fn, expected = VALUES[name]
    out = fn()
    expected = np.asarray(expected, dtype=out.dtype)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.array, expected, rtol=1e-12, atol=1e-12)


def test_dtypes():
    i = ag.arange(6).reshape(2, 3)
    assert ag.mm(i, i.mT).dtype == ag.int64
    assert ag.einsum("ij->", i).dtype == ag.int64
    assert ag.tril(i.bool()).dtype == ag.bool
    assert ag.kron(i, ag.ones(2)).dtype == ag.float32  # int × float: float, as torch promotes
    assert ag.hstack([i, i.float()]).dtype == ag.float32
    assert ag.block_diag(i, ag.ones(1, 1, dtype=ag.float64)).dtype == ag.float64
    assert ag.repeat_interleave(ag.tensor([2, 1])).dtype == ag.int64
    assert ag.addmm(i, i, ag.eye(3).long(), alpha=2).dtype == ag.int64


@pytest.mark.parametrize("eq, shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]), ("i,j->ij", [(2,), (3,)]), ("ij->", [(2, 3)]), ("ij", [(2, 3)]), ("ba", [(2, 3)]),
    ("iij->ji", [(2, 2, 3)]), ("...ij,...jk", [(2, 2, 3), (3, 4)]), ("i...->...", [(2, 3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("ij,ij,ij->i", [(2, 3)] * 3), ("Ab,bA", [(2, 3), (3, 2)]),
])
def test_einsum_values_match_numpy(eq, shapes):
    arrays = [arr(s, i) for i, s in enumerate(shapes)]
    np.testing.assert_allclose(ag.einsum(eq, *[T(a) for a in arrays]).array, np.einsum(eq, *arrays), rtol=1e-12)


def test_einsum_broadcasts_size_one_dims_and_takes_a_list():
    a, b = arr((1, 3), 1), arr((2, 3), 2)
    np.testing.assert_allclose(ag.einsum("ij,ij->ij", T(a), T(b)).array, a * b)
    np.testing.assert_allclose(ag.einsum("i,i->i", [T(a[0, :1]), T(b[0])]).array, a[0, 0] * b[0])
    x, y = arr((4, 1, 2, 3), 3), arr((5, 3, 2), 4)
    out = ag.einsum("...ij,...jk->...ik", T(x), T(y))
    np.testing.assert_allclose(out.array, x @ y)
    np.testing.assert_allclose(ag.einsum("...ij->ij", T(x)).array, x.sum((0, 1)))
    assert ag.einsum("  i j -> j i ", T(A)).shape == (3, 2)


def test_meshgrid_values_and_warning():
    a, b = ag.arange(3.0), ag.arange(4.0)
    gi, gj = ag.meshgrid(a, b, indexing="ij")
    np.testing.assert_array_equal(gi.array, np.meshgrid(a.array, b.array, indexing="ij")[0])
    np.testing.assert_array_equal(gj.array, np.meshgrid(a.array, b.array, indexing="ij")[1])
    gx, gy, gz = ag.meshgrid([a, b, ag.arange(2.0)], indexing="xy")
    for ours, theirs in zip((gx, gy, gz), np.meshgrid(a.array, b.array, np.arange(2.0), indexing="xy")):
        np.testing.assert_array_equal(ours.array, theirs)
    with pytest.warns(UserWarning, match="indexing"):  # torch warns when indexing is left out, and uses "ij"
        assert ag.meshgrid(a, b)[0].shape == (3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag.meshgrid(a, b, indexing="ij")
    assert [g.shape for g in ag.meshgrid(ag.tensor(2.0), a, indexing="ij")] == [(1, 3), (1, 3)]


def test_atleast():
    s, v, m, c = ag.tensor(1.0), ag.ones(3), ag.ones(2, 3), ag.ones(2, 3, 4)
    assert [ag.atleast_1d(t).shape for t in (s, v, m)] == [(1,), (3,), (2, 3)]
    assert [ag.atleast_2d(t).shape for t in (s, v, m)] == [(1, 1), (1, 3), (2, 3)]
    assert [ag.atleast_3d(t).shape for t in (s, v, m, c)] == [(1, 1, 1), (1, 3, 1), (2, 3, 1), (2, 3, 4)]
    assert ag.atleast_2d(m) is m and ag.atleast_1d(v) is v  # already enough dims: the tensor itself, as in torch
    assert [t.shape for t in ag.atleast_1d(s, v)] == [(1,), (3,)]
    assert isinstance(ag.atleast_3d([s]), tuple) and ag.atleast_2d() == ()


def test_cross_without_dim_warns_and_takes_first_size_3_dim():
    a, b = arr((4, 3, 3), 1), arr((4, 3, 3), 2)
    with pytest.warns(UserWarning, match="dim"):
        out = ag.cross(T(a), T(b))
    np.testing.assert_allclose(out.array, np.cross(a, b, axis=1))


def test_chain_matmul_warns_deprecated():
    with pytest.warns(UserWarning, match="deprecated"):
        out = ag.chain_matmul(T(A))
    assert not shares(out, T(A)) and np.array_equal(out.array, A)


def test_add_forms_with_beta_zero_ignore_nan_but_keep_input_in_graph():
    i = ag.tensor([[np.nan, np.inf], [1.0, 2.0]], dtype=ag.float64, requires_grad=True)
    out = ag.addmm(i, ag.ones(2, 2, dtype=ag.float64), ag.ones(2, 2, dtype=ag.float64), beta=0)
    np.testing.assert_array_equal(out.array, np.full((2, 2), 2.0))
    out.sum().backward()
    np.testing.assert_array_equal(i.grad.array, np.zeros((2, 2)))


def test_cdist_gradient_is_zero_at_zero_distance():
    x = ag.tensor([[0.0, 1.0], [2.0, 1.0]], dtype=ag.float64, requires_grad=True)
    y = ag.tensor([[0.0, 1.0], [1.0, 3.0]], dtype=ag.float64)
    for p, want in [(2, [[-1 / 5**0.5, -2 / 5**0.5], [1 + 1 / 5**0.5, -2 / 5**0.5]]), (1, [[-1, -1], [2, -1]]),
                    (0.5, [[-2.41421356, -1.70710678], [3.41421356, -1.70710678]]), (0, [[0, 0], [0, 0]])]:
        x.grad = None
        ag.cdist(x, y, p=p).sum().backward()
        np.testing.assert_allclose(x.grad.array, want, rtol=1e-6)


# ---- views and copies -----------------------------------------------------------------------------------------------
VIEW_OPS = {
    "movedim": lambda t: t.movedim(0, 2),
    "moveaxis": lambda t: ag.moveaxis(t, (0, 1), (1, 0)),
    "swapaxes": lambda t: t.swapaxes(0, 1),
    "swapdims": lambda t: ag.swapdims(t, 2, 0),
    "atleast_3d": lambda t: ag.atleast_3d(t[0]),
    "atleast_2d": lambda t: ag.atleast_2d(t[0, 0]),
    "meshgrid": lambda t: ag.meshgrid(t[0, 0], t[1, 1], indexing="ij")[0],
    "meshgrid_xy": lambda t: ag.meshgrid(t[0, 0], t[1, 1], indexing="xy")[1],
    "einsum_transpose": lambda t: ag.einsum("ijk->kji", t),
    "einsum_diagonal": lambda t: ag.einsum("iij->ji", t[:, :2]),
    "cartesian_prod_one": lambda t: ag.cartesian_prod(t[0, 0]),
}
COPY_OPS = {
    "flip": lambda t: t.flip(0), "flip_none": lambda t: t.flip(()), "fliplr": lambda t: t.fliplr(),
    "roll": lambda t: t.roll(1, 0), "roll_zero": lambda t: t.roll(0), "rot90": lambda t: t.rot90(),
    "rot90_0": lambda t: t.rot90(0), "rot90_2": lambda t: t.rot90(2), "tril": lambda t: t.tril(),
    "triu": lambda t: t.triu(5), "diag_2d": lambda t: t[0].diag(), "diag_1d": lambda t: t[0, 0].diag(),
    "diag_embed": lambda t: t.diag_embed(), "diagflat": lambda t: t[0].diagflat(),
    "tile": lambda t: t.tile(2), "tile_ones": lambda t: t.tile(1, 1), "repeat_ones": lambda t: t.repeat(1, 1, 1),
    "repeat_interleave": lambda t: t.repeat_interleave(1), "take": lambda t: t.take(ag.tensor([0, 1])),
    "take_along_dim": lambda t: t.take_along_dim(ag.tensor([[[0]]]), 2), "block_diag": lambda t: ag.block_diag(t[0]),
    "cartesian_prod": lambda t: ag.cartesian_prod(t[0, 0], t[0, 1]), "combinations": lambda t: ag.combinations(t[0, 0]),
    "hstack": lambda t: ag.hstack([t]), "einsum_sum": lambda t: ag.einsum("ijk->ij", t),
    "einsum_product": lambda t: ag.einsum("ijk,ijk->ijk", t, t), "kron": lambda t: ag.kron(t, ag.ones(())),
    "mm": lambda t: t[0].mm(ag.eye(4, dtype=ag.float64)),
    "tensordot": lambda t: ag.tensordot(t, ag.ones((), dtype=ag.float64), 0),
    "chain_matmul": lambda t: ag.chain_matmul(t[0]),
}


def base():
    return ag.tensor(np.arange(24.0).reshape(2, 3, 4))


@pytest.mark.parametrize("name", sorted(VIEW_OPS))
def test_views_share_memory_and_see_writes(name):
    t = base()
    v = VIEW_OPS[name](t)
    assert shares(v, t)
    before = v.array.copy()
    t.add_(1.0)
    np.testing.assert_array_equal(v.array, before + 1)


@pytest.mark.parametrize("name", sorted(COPY_OPS))
def test_copies_do_not_share_memory(name):
    t = base()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # (chain_matmul's deprecation)
        out = COPY_OPS[name](t)
    assert not shares(out, t)


def test_atleast_and_view_writes_go_to_the_base():
    t = ag.zeros(3)
    ag.atleast_2d(t)[0, 1] = 5.0
    t.movedim(0, 0)[2] = 7.0
    assert t.tolist() == [0.0, 5.0, 7.0]


# ---- errors ----------------------------------------------------------------------------------------------------------
m23, m34, m45, v3, v4 = ag.ones(2, 3), ag.ones(3, 4), ag.ones(4, 5), ag.ones(3), ag.ones(4)
b234, b245 = ag.ones(2, 3, 4), ag.ones(2, 4, 5)
ERRORS = {
    "mm_vector": (lambda: ag.mm(v3, m34), RuntimeError, "self must be a matrix"),
    "mm_mat2_vector": (lambda: ag.mm(m23, v3), RuntimeError, "mat2 must be a matrix"),
    "mm_shapes": (lambda: ag.mm(m23, m45), RuntimeError, r"cannot be multiplied \(2x3 and 4x5\)"),
    "mm_dtypes": (lambda: ag.mm(m23, m34.double()), RuntimeError, "same dtype"),
    "bmm_rank": (lambda: ag.bmm(m23, b234), RuntimeError, "batch1 must be a 3D tensor"),
    "bmm_rank2": (lambda: ag.bmm(b234, m45), RuntimeError, "batch2 must be a 3D tensor"),
    "bmm_shapes": (lambda: ag.bmm(b234, b234), RuntimeError, r"\[2, 4\] but got: \[2, 3\].*\(2, 3, 4\)"),
    "bmm_batch": (lambda: ag.bmm(b234, ag.ones(3, 4, 5)), RuntimeError, r"\[2, 4\] but got: \[3, 4\]"),
    "mv_shapes": (lambda: ag.mv(m23, v4), RuntimeError, r"mat \(2x3\), vec \(4\)"),
    "mv_rank": (lambda: ag.mv(m23, m34), RuntimeError, "vec must be a vector"),
    "addmm_input": (lambda: ag.addmm(ag.ones(3), m23, m34), RuntimeError, r"\(3,\) cannot be broadcast.*\(2, 4\)"),
    "addmm_mat1": (lambda: ag.addmm(ag.ones(2, 4), b234, m34), RuntimeError, "mat1 must be a matrix"),
    "addmm_int_beta": (lambda: ag.addmm(m23.long(), m23.long(), ag.ones(3, 3).long(), beta=0.5), RuntimeError,
                       "integers"),
    "baddbmm_input": (lambda: ag.baddbmm(ag.ones(4, 3, 5), b234, b245), RuntimeError, "cannot be broadcast"),
    "addr_rank": (lambda: ag.addr(m23, m23, v3), RuntimeError, "vec1 must be a vector"),
    "chain_matmul_none": (lambda: ag.chain_matmul(), RuntimeError, "one or more matrices"),
    "einsum_size": (lambda: ag.einsum("ij,jk->ik", m23, m45), RuntimeError,
                    r"subscript j has size 4 for operand 1.*'ij,jk->ik'.*\(2, 3\), \(4, 5\)"),
    "einsum_repeated_size": (lambda: ag.einsum("ii->i", m23), RuntimeError, "repeated for operand 0"),
    "einsum_output_twice": (lambda: ag.einsum("ij->ii", m23), RuntimeError, "appears more than once"),
    "einsum_output_unknown": (lambda: ag.einsum("ij->iz", m23), RuntimeError, "z does not appear"),
    "einsum_ndim": (lambda: ag.einsum("ijk->i", m23), RuntimeError, "name 3 dims, but it has 2"),
    "einsum_operands": (lambda: ag.einsum("ij->ij", m23, m23), RuntimeError, "names 1 operand"),
    "einsum_subscript": (lambda: ag.einsum("i1->i", m23), RuntimeError, "invalid subscript '1'"),
    "einsum_dot": (lambda: ag.einsum("..i->", v3), RuntimeError, "not part of an ellipsis"),
    "einsum_dtypes": (lambda: ag.einsum("i,i", v3, v3.double()), RuntimeError, "same dtype"),
    "tensordot_sizes": (lambda: ag.tensordot(m23, m34, ([1], [1])), RuntimeError, "contracted dimensions"),
    "tensordot_negative": (lambda: ag.tensordot(m23, m34, -1), RuntimeError, "dims >= 0"),
    "tensordot_lengths": (lambda: ag.tensordot(m23, m34, ([0, 1], [0])), RuntimeError, "same length"),
    "cross_size": (lambda: ag.cross(m34, m34, dim=1), RuntimeError, "must have length 3"),
    "cross_no_3": (lambda: ag.cross(m45, m45), RuntimeError, "no dimension of size 3"),
    "cross_ndim": (lambda: ag.cross(m23, v3, dim=-1), RuntimeError, "same number of dimensions"),
    "cdist_1d": (lambda: ag.cdist(v3, m23), RuntimeError, "at least 2D"),
    "cdist_cols": (lambda: ag.cdist(m23, m34), RuntimeError, "same number of columns"),
    "cdist_p": (lambda: ag.cdist(m23, m23, p=-1), RuntimeError, "non-negative p"),
    "cdist_int": (lambda: ag.cdist(m23.long(), m23.long()), RuntimeError, "floating-point"),
    "inner": (lambda: ag.inner(m23, m34), RuntimeError, "last dimension must match"),
    "vdot_rank": (lambda: ag.vdot(m23, v3), RuntimeError, "1D tensors expected"),
    "vdot_size": (lambda: ag.vdot(v3, v4), RuntimeError, "inconsistent tensor size"),
    "flip_int": (lambda: ag.flip(m23, 0), TypeError, "tuple of ints"),
    "flip_twice": (lambda: ag.flip(m23, (0, -2)), RuntimeError, "appears multiple times"),
    "flip_range": (lambda: ag.flip(m23, (2,)), IndexError, "out of range"),
    "fliplr_1d": (lambda: ag.fliplr(v3), RuntimeError, ">= 2-d"),
    "roll_align": (lambda: ag.roll(m23, (1, 2), 0), RuntimeError, "must align"),
    "roll_no_dims": (lambda: ag.roll(m23, (1, 2)), RuntimeError, "must align"),
    "roll_0d": (lambda: ag.roll(ag.tensor(1.0), 1, 0), IndexError, "no dimensions"),
    "rot90_dims": (lambda: ag.rot90(m23, 1, (0,)), RuntimeError, "rotation dims == 2"),
    "rot90_same": (lambda: ag.rot90(m23, 1, (1, -1)), RuntimeError, "to be different"),
    "rot90_1d": (lambda: ag.rot90(v3), RuntimeError, "total dims >= 2"),
    "tril_1d": (lambda: ag.tril(v3), RuntimeError, "at least 2 dimensions"),
    "diag_3d": (lambda: ag.diag(b234), RuntimeError, "Supports 1D or 2D tensors. Got 3D"),
    "diag_embed_same": (lambda: ag.diag_embed(m23, 0, 1, -2), RuntimeError, "cannot be identical"),
    "trace_3d": (lambda: ag.trace(b234), RuntimeError, "expected a matrix"),
    "meshgrid_2d": (lambda: ag.meshgrid(m23, indexing="ij"), RuntimeError, "0D or 1D"),
    "meshgrid_dtypes": (lambda: ag.meshgrid(v3, v3.long(), indexing="ij"), RuntimeError, "same dtype"),
    "meshgrid_indexing": (lambda: ag.meshgrid(v3, indexing="ji"), RuntimeError, "indexing must be"),
    "meshgrid_empty": (lambda: ag.meshgrid(indexing="ij"), RuntimeError, "non-empty"),
    "hstack_tensor": (lambda: ag.hstack(m23), TypeError, "tuple or list of Tensors"),
    "vstack_empty": (lambda: ag.vstack([]), RuntimeError, "non-empty"),
    "repeat_interleave_size": (lambda: ag.repeat_interleave(m23, ag.tensor([1, 2]), dim=1), RuntimeError,
                               "same size as input along dim"),
    "repeat_interleave_negative": (lambda: ag.repeat_interleave(m23, -1), RuntimeError, "can not be negative"),
    "repeat_interleave_float": (lambda: ag.repeat_interleave(m23, ag.tensor([1.0, 2.0]), 0), NotImplementedError,
                                "integer"),
    "repeat_interleave_output_size": (lambda: ag.repeat_interleave(m23, 2, 0, output_size=5), RuntimeError,
                                      "expected 4 but got 5"),
    "repeat_interleave_0d_dim": (lambda: ag.repeat_interleave(ag.tensor(1.0), 2, 0), IndexError, "0-d"),
    "flip_method_no_dims": (lambda: m23.flip(), TypeError, "dims"),
    "repeat_interleave_2d": (lambda: ag.repeat_interleave(m23, ag.ones(2, 2).long(), 0), RuntimeError,
                             "0-dim or 1-dim"),
    "movedim_lengths": (lambda: ag.movedim(b234, (0, 1), (2,)), RuntimeError, "same number of dims"),
    "movedim_repeated": (lambda: ag.movedim(b234, (0, 0), (1, 2)), RuntimeError, "repeated dim in `source`"),
    "movedim_range": (lambda: ag.movedim(b234, 3, 0), IndexError, "out of range"),
    "block_diag_3d": (lambda: ag.block_diag(m23, b234), RuntimeError, "Input 1 has 3 dimensions"),
    "cartesian_prod_2d": (lambda: ag.cartesian_prod(m23, v3), RuntimeError, "1D vector"),
    "combinations_negative": (lambda: ag.combinations(v3, -1), RuntimeError, "non-negative"),
    "take_range": (lambda: ag.take(m23, ag.tensor([6])), IndexError, "index 6 on a tensor of 6 elements"),
    "take_float": (lambda: ag.take(m23, ag.tensor([1.0])), RuntimeError, "long tensor"),
    "take_list": (lambda: ag.take(m23, [1]), TypeError, "must be Tensor"),
    "take_along_dim_ndim": (lambda: ag.take_along_dim(m23, ag.tensor([0]), 0), RuntimeError,
                            "same number of dimensions"),
    "take_along_dim_bcast": (lambda: ag.take_along_dim(m23, ag.tensor([[0, 1]]), 0), RuntimeError, "broadcast"),
    "take_along_dim_range": (lambda: ag.take_along_dim(m23, ag.tensor([[3]]), 1), RuntimeError, "out of bounds"),
    "take_along_dim_negative": (lambda: ag.take_along_dim(m23, ag.tensor([-1])), RuntimeError, "out of bounds"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    fn, kind, match = ERRORS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(kind, match=match):
            fn()


# ---- gradients: matrix products --------------------------------------------------------------------------------------
BETAS = st.sampled_from([(1, 1), (0.5, 2.0), (0, -1.0)])


@SETTINGS
@given(n=sides, k=sides, m=sides, b=sides, ab=BETAS, bcast=st.integers(0, 3))
def test_matrix_product_gradients(n, k, m, b, ab, bcast):
    beta, alpha = ab
    x, y = leaf((n, k), 1), leaf((k, m), 2)
    check(ag.mm, x, y)
    check(lambda x, v: ag.mv(x, v), x, leaf(k, 3))
    check(ag.bmm, leaf((b, n, k), 4), leaf((b, k, m), 5))
    input_shape = [(), (m,), (n, 1), (n, m)][bcast]
    check(lambda i, x, y: ag.addmm(i, x, y, beta=beta, alpha=alpha), leaf(input_shape, 6), x, y)
    check(lambda i, x, v: ag.addmv(i, x, v, beta=beta, alpha=alpha), leaf(input_shape[:1], 7), x, leaf(k, 3))
    check(lambda i, x, y: ag.addbmm(i, x, y, beta=beta, alpha=alpha), leaf(input_shape, 6), leaf((b, n, k), 4),
          leaf((b, k, m), 5))
    check(lambda i, x, y: ag.baddbmm(i, x, y, beta=beta, alpha=alpha), leaf((b, 1, m), 8), leaf((b, n, k), 4),
          leaf((b, k, m), 5))
    check(lambda i, u, v: ag.addr(i, u, v, beta=beta, alpha=alpha), leaf(input_shape, 6), leaf(n, 9), leaf(m, 10))


def test_matrix_products_on_non_contiguous_inputs_and_in_place():
    x, y, i = leaf((3, 2), 1), leaf((3, 4), 2), leaf((2, 4), 3)
    check(lambda x, y: x.mT.mm(y[:, ::2]), x, y)
    check(lambda i, x, y: (i * 1).addmm_(x.mT, y, beta=0.5, alpha=2), i, x, y)
    check(lambda i, x, y: (i * 1)[None].baddbmm_(x.mT[None], y[None]), i, x, y)  # through a view
    check(lambda i, x, y: (i * 1).addbmm_(x.mT[None], y[None], beta=0), i, x, y)
    check(lambda i, x, y: (i * 1)[0].addmv_(y.mT, x[:, 0]), i, x, y)
    check(lambda i, u, v: (i * 1).addr_(u, v[:, 0], alpha=-1), i, leaf(2, 4), leaf((4, 2), 5))
    check(lambda a, b, c: _quiet(ag.chain_matmul, a, b, c), x.mT.detach().requires_grad_(), y, leaf((4, 2), 5))


# ---- gradients: einsum ---------------------------------------------------------------------------------------------
EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 2)]),  # matrix product
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),  # batch
    ("ii", [(3, 3)]),  # trace
    ("ii->i", [(3, 3)]),  # diagonal (a view)
    ("iij->j", [(2, 2, 3)]),  # diagonal, then a sum
    ("iji->ij", [(2, 3, 2)]),  # a repeated letter kept in the output
    ("i,j->ij", [(2,), (3,)]),  # outer
    ("i,i->", [(3,), (3,)]),  # dot
    ("ij->", [(2, 3)]),  # sum of all
    ("ij->j", [(2, 3)]),  # a letter only one operand has
    ("ij,ik->ijk", [(2, 3), (2, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),  # three operands
    ("ij,ij,ij->i", [(2, 3), (2, 3), (2, 3)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),  # ellipsis with broadcasting
    ("...i,...i->...", [(2, 3), (4, 1, 3)]),
    ("...ij->...ji", [(2, 2, 3)]),  # ellipsis, one operand: a view
    ("i...->...", [(3, 2, 2)]),
    ("ij,ij->ij", [(1, 3), (2, 3)]),  # a size-1 dim broadcast
    ("bA,Ab", [(2, 3), (3, 2)]),  # implicit output, capitals first
    ("ii,i->i", [(3, 3), (3,)]),
    ("i,->i", [(3,), ()]),  # a 0-d operand
]


@pytest.mark.parametrize("eq, shapes", EINSUMS, ids=[e for e, _ in EINSUMS])
def test_einsum_gradients(eq, shapes):
    check(lambda *xs: ag.einsum(eq, *xs), *[leaf(s, i) for i, s in enumerate(shapes)])


def test_einsum_same_operand_twice_and_non_contiguous():
    x = leaf((3, 3), 1)
    check(lambda x: ag.einsum("ij,jk->ik", x, x), x)
    check(lambda x: ag.einsum("ij,ij->", x.mT, x[:, ::-1]), x)
    check(lambda x: ag.einsum("ii->i", x.mT) * 2, x)


@SETTINGS
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=3), data=st.data())
def test_einsum_random_contractions(shape, data):
    n = len(shape)
    lb = "".join(data.draw(st.permutations("abc"[:n])))
    out = "".join(c for c in "abc"[:n] if data.draw(st.booleans()))
    sizes = dict(zip("abc", shape))
    check(lambda x, y: ag.einsum(f"{'abc'[:n]},{lb}->{out}", x, y), leaf(shape, 1),
          leaf(tuple(sizes[c] for c in lb), 2))


# ---- gradients: other products ---------------------------------------------------------------------------------------
@SETTINGS
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=3), k=st.integers(0, 2), data=st.data())
def test_tensordot_inner_kron_gradients(shape, k, data):
    k = min(k, len(shape))
    other = shape[len(shape) - k:] + data.draw(array_shapes(min_dims=0, max_dims=1, max_side=2))
    check(lambda a, b: ag.tensordot(a, b, k), leaf(shape, 1), leaf(other, 2))
    check(ag.inner, leaf(shape, 1), leaf(data.draw(array_shapes(min_dims=0, max_dims=1, max_side=2)) + shape[-1:],
                                          3))
    check(ag.kron, leaf(shape, 1), leaf(data.draw(array_shapes(min_dims=0, max_dims=2, max_side=2)), 4))


@SETTINGS
@given(lead=array_shapes(min_dims=0, max_dims=2, max_side=2), dim=st.integers(0, 2), data=st.data())
def test_cross_gradients(lead, dim, data):
    dim = min(dim, len(lead))
    shape = lead[:dim] + (3,) + lead[dim:]
    other = tuple(data.draw(st.sampled_from([1, s])) if i != dim else 3 for i, s in enumerate(shape))
    check(lambda a, b: ag.cross(a, b, dim=dim), leaf(shape, 1), leaf(other, 2))
    check(lambda a, b: linalg_cross(a.movedim(dim, -1), b.movedim(dim, -1)), leaf(shape, 1), leaf(other, 2))
    check(ag.vdot, leaf(3, 3), leaf(3, 4))


@pytest.mark.parametrize("p", [0, 0.5, 1, 1.5, 2, 3, float("inf")])
@SETTINGS
@given(p_=sides, r=sides, m=sides, batch=st.sampled_from([((), ()), ((2,), ()), ((2, 1), (3,))]))
def test_cdist_gradients(p, p_, r, m, batch):
    check(lambda a, b: ag.cdist(a, b, p=p), leaf(batch[0] + (p_, m), 1), leaf(batch[1] + (r, m), 2))


# ---- gradients: rearranging -----------------------------------------------------------------------------------------
UNARY = {
    "flip": lambda x: x.flip(0, -1),
    "fliplr": lambda x: x.fliplr(),
    "flipud": lambda x: x.flipud(),
    "roll": lambda x: x.roll((1, -1), (0, -1)),
    "roll_flat": lambda x: x.roll(2),
    "rot90": lambda x: x.rot90(1, (0, -1)),
    "rot90_2": lambda x: x.rot90(2),
    "rot90_3": lambda x: x.rot90(-1, (-1, 0)),
    "tril": lambda x: x.tril(),
    "triu": lambda x: x.triu(1),
    "tril_neg": lambda x: x.tril(-1),
    "diag_embed": lambda x: x.diag_embed(1, 0, -1),
    "diagflat": lambda x: x.diagflat(-1),
    "repeat_interleave": lambda x: x.repeat_interleave(2, 0),
    "repeat_interleave_flat": lambda x: x.repeat_interleave(2),
    "repeat_interleave_counts": lambda x: x.repeat_interleave(ag.tensor([2, 0, 1][:x.shape[-1]]), -1),
    "tile": lambda x: x.tile(2, 1),
    "tile_ones": lambda x: x.tile(1) * 1,
    "movedim": lambda x: x.movedim(0, -1),
    "swapaxes": lambda x: x.swapaxes(0, -1),
    "atleast_3d": lambda x: ag.atleast_3d(x),
    "hstack": lambda x: ag.hstack([x, x * 2]),
    "vstack": lambda x: ag.vstack([x, x[:1]]),
    "dstack": lambda x: ag.dstack([x, x]),
    "column_stack": lambda x: ag.column_stack([x, x]),
    "block_diag": lambda x: ag.block_diag(x.flatten(1)[0], x.flatten(1), x.flatten()[0]),
    "take": lambda x: x.take(ag.tensor([[0, -1], [0, 1]]) % x.numel()),
    "take_along_dim": lambda x: x.take_along_dim(ag.tensor(np.zeros((1,) * x.ndim, np.int64)), 0),
    "take_along_dim_flat": lambda x: x.take_along_dim(ag.tensor([0, x.numel() - 1, 0])),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@SETTINGS
@given(shape=array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=3))
def test_rearranging_gradients(name, shape):
    x = leaf(shape, 1)
    check(UNARY[name], x)
    check(lambda x: UNARY[name](x.mT), x)  # a non-contiguous input


@SETTINGS
@given(n=sides, m=sides, data=st.data())
def test_diagonal_gradients(n, m, data):
    k = data.draw(st.integers(1 - n, m - 1))  # (a diagonal that is not empty)
    check(lambda x: x.diag(k), leaf(n, 1))
    check(lambda x: x.diag(k), leaf((n, m), 2))
    check(lambda x: x.trace(), leaf((n, m), 3))
    check(lambda x: (x * 1).tril_(k), leaf((n, m), 4))  # in place
    check(lambda x: (x * 1).triu_(k), leaf((n, m), 5))


def test_in_place_triangle_through_a_view():
    def fn(x):
        y = x * 1
        y[1].tril_()
        y.mT[0].triu_(1)
        return y
    check(fn, leaf((2, 3, 3), 1))


@SETTINGS
@given(a=sides, b=sides, c=sides)
def test_grid_gradients(a, b, c):
    check(lambda x, y, z: ag.meshgrid(x, y, z, indexing="xy"), leaf(a, 1), leaf(b, 2), leaf(c, 3))
    check(lambda x, y: ag.meshgrid(x, y, indexing="ij"), leaf(a, 1), leaf((), 2))
    check(lambda x, y: ag.cartesian_prod(x, y), leaf(a, 1), leaf(b, 2))
    check(lambda x: ag.combinations(x, 2, with_replacement=True), leaf(a + 1, 3))
    check(lambda x: ag.combinations(x, 3), leaf(a + 2, 4))
