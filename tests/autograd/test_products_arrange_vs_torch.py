"""Products and rearranging ops against torch (skipped without torch): the same calls in both libraries must give the
same values, dtypes and gradients, the same views, and errors of the same type."""

import warnings

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

LIBS = (ag, torch)


def cross(lib, a, b):
    return lib.linalg.cross(a, b) if lib is torch else ag.ops.linalg_cross(a, b)


def idx(lib, values):
    return lib.tensor(values)


# name: (fn(lib, *inputs), input shapes). Every input is a float64 leaf; outputs may be one tensor or a tuple.
CASES = {
    "mm": (lambda L, a, b: L.mm(a, b.mT), [(2, 3), (4, 3)]),
    "bmm": (lambda L, a, b: L.bmm(a, b), [(2, 2, 3), (2, 3, 4)]),
    "mv": (lambda L, a, v: a.mv(v), [(2, 3), (3,)]),
    "addmm": (lambda L, i, a, b: L.addmm(i, a, b, beta=0.5, alpha=-2), [(4,), (2, 3), (3, 4)]),
    "addmm_beta0": (lambda L, i, a, b: i.addmm(a, b, beta=0), [(2, 1), (2, 3), (3, 4)]),
    "addmm_": (lambda L, i, a, b: (i * 1).addmm_(a, b, alpha=3), [(2, 4), (2, 3), (3, 4)]),
    "addmv": (lambda L, i, a, v: L.addmv(i, a, v, beta=2), [(1,), (2, 3), (3,)]),
    "addbmm": (lambda L, i, a, b: L.addbmm(i, a, b), [(2, 4), (3, 2, 3), (3, 3, 4)]),
    "baddbmm": (lambda L, i, a, b: L.baddbmm(i, a, b, beta=0.1, alpha=0.3), [(3, 1, 4), (3, 2, 3), (3, 3, 4)]),
    "baddbmm_": (lambda L, i, a, b: (i * 1).baddbmm_(a, b, alpha=2), [(3, 2, 4), (3, 2, 3), (3, 3, 4)]),
    "addr": (lambda L, i, u, v: L.addr(i, u, v, alpha=2), [(2, 3), (2,), (3,)]),
    "einsum_matmul": (lambda L, a, b: L.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)]),
    "einsum_batch": (lambda L, a, b: L.einsum("bij,bkj->bik", a, b), [(2, 2, 3), (2, 4, 3)]),
    "einsum_trace": (lambda L, a: L.einsum("ii", a), [(3, 3)]),
    "einsum_diagonal": (lambda L, a: L.einsum("iij->ji", a), [(3, 3, 2)]),
    "einsum_outer": (lambda L, a, b: L.einsum("i,j", a, b), [(2,), (3,)]),
    "einsum_ellipsis": (lambda L, a, b: L.einsum("...ij,...jk->...ik", a, b), [(2, 1, 2, 3), (4, 3, 2)]),
    "einsum_ellipsis_sum": (lambda L, a: L.einsum("i...->...", a), [(3, 2, 2)]),
    "einsum_broadcast": (lambda L, a, b: L.einsum("ij,ij->ij", a, b), [(1, 3), (2, 3)]),
    "einsum_three": (lambda L, a, b, c: L.einsum("ij,jk,kl", a, b, c), [(2, 3), (3, 4), (4, 2)]),
    "einsum_implicit": (lambda L, a, b: L.einsum("bA,Ab", a, b), [(2, 3), (3, 2)]),
    "einsum_list": (lambda L, a, b: L.einsum("ii,i->i", [a, b]), [(3, 3), (3,)]),
    "tensordot": (lambda L, a, b: L.tensordot(a, b, dims=([1, 2], [1, 0])), [(2, 3, 4), (4, 3, 5)]),
    "tensordot_int": (lambda L, a, b: L.tensordot(a, b, 1), [(2, 3), (3, 2)]),
    "kron": (lambda L, a, b: L.kron(a, b), [(2, 3), (2,)]),
    "kron_method": (lambda L, a, b: a.kron(b), [(2, 1, 2), (3, 2)]),
    "cross": (lambda L, a, b: L.cross(a, b, dim=0), [(3, 2), (3, 2)]),
    "cross_method": (lambda L, a, b: a.cross(b, dim=-1), [(2, 3), (2, 3)]),
    "linalg_cross": (lambda L, a, b: cross(L, a, b), [(2, 3), (1, 3)]),
    "cdist": (lambda L, a, b: L.cdist(a, b), [(2, 3, 2), (4, 2)]),
    "cdist_p1": (lambda L, a, b: L.cdist(a, b, p=1), [(3, 2), (4, 2)]),
    "cdist_p3": (lambda L, a, b: L.cdist(a, b, p=3), [(3, 2), (4, 2)]),
    "cdist_p05": (lambda L, a, b: L.cdist(a, b, p=0.5), [(3, 2), (4, 2)]),
    "cdist_inf": (lambda L, a, b: L.cdist(a, b, p=float("inf")), [(3, 2), (4, 2)]),
    "cdist_p0": (lambda L, a, b: L.cdist(a, b, p=0), [(3, 2), (4, 2)]),
    "cdist_same_points": (lambda L, a: L.cdist(a, a * 1), [(3, 2)]),
    "inner": (lambda L, a, b: L.inner(a, b), [(2, 3), (4, 3)]),
    "vdot": (lambda L, a, b: a.vdot(b), [(3,), (3,)]),
    "dot_method": (lambda L, a, b: a.dot(b), [(3,), (3,)]),
    "outer_method": (lambda L, a, b: a.outer(b), [(3,), (2,)]),
    "flip": (lambda L, a: L.flip(a, (0, 2)), [(2, 3, 4)]),
    "flip_method": (lambda L, a: a.flip(1), [(2, 3)]),
    "fliplr": (lambda L, a: a.fliplr(), [(2, 3)]),
    "flipud": (lambda L, a: L.flipud(a), [(2, 3)]),
    "roll": (lambda L, a: a.roll((1, -2), (0, 2)), [(2, 3, 4)]),
    "roll_flat": (lambda L, a: L.roll(a, 5), [(2, 3)]),
    "rot90": (lambda L, a: L.rot90(a, 1, (2, 0)), [(2, 3, 4)]),
    "rot90_3": (lambda L, a: a.rot90(3), [(2, 3)]),
    "rot90_2": (lambda L, a: a.rot90(-2), [(2, 3)]),
    "tril": (lambda L, a: L.tril(a, 1), [(2, 3, 4)]),
    "triu": (lambda L, a: a.triu(-1), [(3, 4)]),
    "tril_": (lambda L, a: (a * 1).tril_(), [(3, 3)]),
    "triu_view": (lambda L, a: _triu_view(a), [(2, 3, 3)]),
    "diag_1d": (lambda L, a: L.diag(a, -1), [(3,)]),
    "diag_2d": (lambda L, a: a.diag(1), [(3, 4)]),
    "diag_embed": (lambda L, a: L.diag_embed(a, 1, 0, 2), [(2, 3)]),
    "diagflat": (lambda L, a: a.diagflat(-1), [(2, 2)]),
    "trace": (lambda L, a: L.trace(a), [(3, 4)]),
    "meshgrid_ij": (lambda L, a, b: L.meshgrid(a, b, indexing="ij"), [(2,), (3,)]),
    "meshgrid_xy": (lambda L, a, b, c: L.meshgrid([a, b, c], indexing="xy"), [(2,), (3,), ()]),
    "hstack": (lambda L, a, b: L.hstack([a, b]), [(2, 3), (2, 1)]),
    "vstack": (lambda L, a, b: L.vstack((a, b)), [(3,), (2, 3)]),
    "row_stack": (lambda L, a, b: L.row_stack((a, b)), [(3,), (3,)]),
    "dstack": (lambda L, a, b: L.dstack([a, b]), [(3,), (1, 3)]),
    "column_stack": (lambda L, a, b: L.column_stack([a, b]), [(3,), (3, 2)]),
    "repeat_interleave": (lambda L, a: a.repeat_interleave(2), [(2, 3)]),
    "repeat_interleave_tensor": (lambda L, a: L.repeat_interleave(a, idx(L, [1, 0, 3]), dim=1), [(2, 3)]),
    "tile": (lambda L, a: a.tile(2, 1, 3), [(2, 3)]),
    "tile_tuple": (lambda L, a: L.tile(a, (2,)), [(2, 3)]),
    "movedim": (lambda L, a: L.movedim(a, (0, 1), (2, 0)), [(2, 3, 4)]),
    "moveaxis": (lambda L, a: a.moveaxis(-1, 0), [(2, 3, 4)]),
    "swapaxes": (lambda L, a: L.swapaxes(a, 0, 2), [(2, 3, 4)]),
    "swapdims": (lambda L, a: a.swapdims(1, 0), [(2, 3)]),
    "atleast_3d": (lambda L, a, b: L.atleast_3d(a, b), [(3,), (2, 3)]),
    "block_diag": (lambda L, a, b, c: L.block_diag(a, b, c), [(), (3,), (2, 2)]),
    "cartesian_prod": (lambda L, a, b: L.cartesian_prod(a, b), [(2,), (3,)]),
    "combinations": (lambda L, a: L.combinations(a, 3), [(4,)]),
    "combinations_repl": (lambda L, a: L.combinations(a, with_replacement=True), [(3,)]),
    "take": (lambda L, a: a.take(idx(L, [[0, 5], [-1, 2]])), [(2, 3)]),
    "take_along_dim": (lambda L, a: L.take_along_dim(a, idx(L, [[[1], [0], [2]]]), 2), [(2, 3, 4)]),
    "take_along_dim_flat": (lambda L, a: a.take_along_dim(idx(L, [5, 0, 5])), [(2, 3)]),
}


def _triu_view(a):
    y = a * 1
    y[1].triu_(1)
    return y


def _run(lib, name, seed=0):
    fn, shapes = CASES[name]
    rng = np.random.default_rng(seed)
    inputs = [lib.tensor(rng.standard_normal(s), dtype=lib.float64, requires_grad=True) for s in shapes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = fn(lib, *inputs)
    outs = out if isinstance(out, tuple) else (out,)
    loss = sum((o * lib.tensor(rng.standard_normal(tuple(o.shape)))).sum() for o in outs)
    grads = lib.autograd.grad(loss, inputs, allow_unused=True) if lib is torch else ag.grad(loss, inputs,
                                                                                             allow_unused=True)
    values = [o.detach().numpy().copy() for o in outs]
    return values, [str(o.dtype).split(".")[-1] for o in outs], [None if g is None else g.numpy() for g in grads]


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_dtypes_and_gradients_match_torch(name):
    (ours, our_dtypes, our_grads), (theirs, their_dtypes, their_grads) = (_run(lib, name) for lib in LIBS)
    assert our_dtypes == their_dtypes
    assert [v.shape for v in ours] == [v.shape for v in theirs]
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for a, b in zip(our_grads, their_grads):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


# ---- views, copies and dtypes ----------------------------------------------------------------------------------------
def shares(lib, a, b):
    if lib is torch:
        return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
    return bool(np.shares_memory(a.array, b.array))


MEMORY = {
    "movedim": lambda L, t: t.movedim(0, 2), "swapaxes": lambda L, t: t.swapaxes(0, 1),
    "atleast_3d": lambda L, t: L.atleast_3d(t[0]), "atleast_1d_same": lambda L, t: L.atleast_1d(t),
    "meshgrid": lambda L, t: L.meshgrid(t[0, 0], t[1, 1], indexing="xy")[0],
    "einsum_permute": lambda L, t: L.einsum("ijk->kji", t),
    "einsum_diagonal": lambda L, t: L.einsum("iij->ji", t[:, :2]),
    "einsum_sum": lambda L, t: L.einsum("ijk->ij", t), "flip": lambda L, t: t.flip(0), "roll": lambda L, t: t.roll(1),
    "rot90_0": lambda L, t: t.rot90(0), "rot90_1": lambda L, t: t.rot90(1), "tril": lambda L, t: t.tril(),
    "diag": lambda L, t: t[0].diag(), "diag_embed": lambda L, t: t.diag_embed(), "tile": lambda L, t: t.tile(1),
    "repeat": lambda L, t: t.repeat(1, 1, 1), "repeat_interleave": lambda L, t: t.repeat_interleave(1, 0),
    "cartesian_prod_one": lambda L, t: L.cartesian_prod(t[0, 0]), "block_diag": lambda L, t: L.block_diag(t[0]),
    "take": lambda L, t: t.take(L.tensor([0])), "chain_matmul": lambda L, t: L.chain_matmul(t[0]),
}


@pytest.mark.parametrize("name", sorted(MEMORY))
def test_which_results_share_memory(name):
    seen = []
    for lib in LIBS:
        t = lib.tensor(np.arange(24.0).reshape(2, 3, 4))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            out = MEMORY[name](lib, t)
        seen.append((shares(lib, out, t), out is t))
    assert seen[0] == seen[1]


def test_integer_dtypes_match_torch():
    for fn in (lambda L, x: L.mm(x, x.mT), lambda L, x: L.einsum("ij->", x), lambda L, x: L.trace(x[:, :2]),
               lambda L, x: L.kron(x, L.ones(2)), lambda L, x: L.tril(x.bool()), lambda L, x: L.cross(x, x, dim=1),
               lambda L, x: L.repeat_interleave(x[0]), lambda L, x: L.hstack([x, x.float()]),
               lambda L, x: L.block_diag(x, x.double()), lambda L, x: L.trace(x[:, :2].int())):
        ours, theirs = (fn(lib, lib.arange(6).reshape(2, 3)) for lib in LIBS)
        assert str(ours.dtype) == str(theirs.dtype).split(".")[-1]
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ---- errors ----------------------------------------------------------------------------------------------------------
ERRORS = [
    lambda L: L.mm(L.ones(3), L.ones(3, 4)), lambda L: L.mm(L.ones(2, 3), L.ones(4, 5)),
    lambda L: L.mm(L.ones(2, 3), L.ones(3, 4, dtype=L.float64)), lambda L: L.bmm(L.ones(2, 3), L.ones(2, 3, 4)),
    lambda L: L.bmm(L.ones(2, 3, 4), L.ones(2, 3, 4)), lambda L: L.mv(L.ones(2, 3), L.ones(4)),
    lambda L: L.addmm(L.ones(3), L.ones(2, 3), L.ones(3, 4)), lambda L: L.addr(L.ones(2, 2), L.ones(2, 2), L.ones(2)),
    lambda L: L.chain_matmul(), lambda L: L.einsum("ij,jk->ik", L.ones(2, 3), L.ones(4, 5)),
    lambda L: L.einsum("ii->i", L.ones(2, 3)), lambda L: L.einsum("ij->ii", L.ones(2, 3)),
    lambda L: L.einsum("ij->iz", L.ones(2, 3)), lambda L: L.einsum("ijk", L.ones(2, 3)),
    lambda L: L.einsum("i1", L.ones(2, 3)), lambda L: L.einsum("ij", L.ones(2, 3), L.ones(2, 3)),
    lambda L: L.tensordot(L.ones(2, 3), L.ones(3, 4), ([1], [1])), lambda L: L.tensordot(L.ones(2), L.ones(2), -1),
    lambda L: L.cross(L.ones(3, 4), L.ones(3, 4), dim=1), lambda L: L.cross(L.ones(4, 4), L.ones(4, 4)),
    lambda L: L.cross(L.ones(2, 3), L.ones(3), dim=-1), lambda L: L.cdist(L.ones(3), L.ones(2, 3)),
    lambda L: L.cdist(L.ones(2, 3), L.ones(2, 4)), lambda L: L.cdist(L.ones(2, 3), L.ones(2, 3), p=-1),
    lambda L: L.cdist(L.ones(2, 3).long(), L.ones(2, 3).long()), lambda L: L.inner(L.ones(2, 3), L.ones(2)),
    lambda L: L.vdot(L.ones(2, 3), L.ones(3)), lambda L: L.vdot(L.ones(3), L.ones(4)),
    lambda L: L.flip(L.ones(2, 3), 0), lambda L: L.flip(L.ones(2, 3), (0, 0)), lambda L: L.flip(L.ones(2), (1,)),
    lambda L: L.fliplr(L.ones(3)), lambda L: L.roll(L.ones(2, 3), (1, 2), 0), lambda L: L.roll(L.ones(2), 1, 1),
    lambda L: L.rot90(L.ones(2, 3), 1, (0,)), lambda L: L.rot90(L.ones(2, 3), 1, (0, 0)),
    lambda L: L.rot90(L.ones(3)), lambda L: L.tril(L.ones(3)), lambda L: L.diag(L.ones(2, 2, 2)),
    lambda L: L.diag_embed(L.ones(2, 3), 0, 1, 1), lambda L: L.trace(L.ones(3)),
    lambda L: L.meshgrid(L.ones(2, 2), indexing="ij"), lambda L: L.meshgrid(L.ones(2), L.ones(2).long(), indexing="ij"),
    lambda L: L.meshgrid(L.ones(2), indexing="ji"), lambda L: L.hstack(L.ones(2)), lambda L: L.vstack([]),
    lambda L: L.repeat_interleave(L.ones(2, 3), L.tensor([1, 2]), dim=1), lambda L: L.repeat_interleave(L.ones(2), -1),
    lambda L: L.repeat_interleave(L.ones(2), L.tensor([1.0, 2.0])),
    lambda L: L.repeat_interleave(L.ones(2, 3), 2, 0, output_size=5),
    lambda L: L.movedim(L.ones(2, 3), (0, 1), (1,)), lambda L: L.movedim(L.ones(2, 3), (0, 0), (0, 1)),
    lambda L: L.movedim(L.ones(2, 3), 2, 0), lambda L: L.block_diag(L.ones(2, 2, 2)),
    lambda L: L.cartesian_prod(L.ones(2, 2)), lambda L: L.combinations(L.ones(3), -1),
    lambda L: L.take(L.ones(2, 3), L.tensor([6])), lambda L: L.take(L.ones(2, 3), L.tensor([1.0])),
    lambda L: L.take(L.ones(2, 3), [1]), lambda L: L.take_along_dim(L.ones(2, 3), L.tensor([0]), 0),
    lambda L: L.take_along_dim(L.ones(2, 3), L.tensor([[0, 1]]), 0),
    lambda L: L.take_along_dim(L.ones(2, 3), L.tensor([[1.0]]), 1),
    lambda L: L.take_along_dim(L.ones(2, 3), L.tensor([-1])),
    lambda L: L.repeat_interleave(L.tensor(1.0), 2, 0), lambda L: L.ones(2).flip(),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_have_torch_types(i):
    kinds = []
    for lib in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            with pytest.raises(Exception) as info:
                ERRORS[i](lib)
        kinds.append(info.type)
    assert kinds[0] is kinds[1], kinds
