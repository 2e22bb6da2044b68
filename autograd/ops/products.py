"""Products: mm, bmm, mv and their add-forms (addmm, addmv, addbmm, baddbmm, addr), einsum, tensordot, kron,
cross, cdist, inner, vdot, chain_matmul.

Two new ops: ``Einsum``, whose backward is again an einsum (of the output gradient with the other operands), and
``PNorm`` (cdist's p-norm of differences). The rest are composites of matmul, einsum and elementwise ops, so their
derivatives come from those.
"""

from __future__ import annotations

import functools
import string
import warnings
from collections import Counter
from typing import Any

import numpy as np

from ..function import Op
from ..tensor import Tensor
from . import reduce
from ._util import add_tangents, as_tensor, norm_dims
from .elementwise import abs, sign, where
from .linalg import MatMul, matmul, outer
from .view import diagonal, permute, reshape, unsqueeze

_LETTERS = string.ascii_uppercase + string.ascii_lowercase  # einsum's subscripts, in torch's output order


# ---- einsum --------------------------------------------------------------------------------------------------------
class Einsum(Op):
    """z = einsum(equation, *operands), the equation in plain letters (no '...', each letter one size).
    ∂z/∂(operand k) is an einsum too: of z̄ with the other operands, into operand k's subscripts (``_einsum_grad``)."""

    @staticmethod
    def forward(ctx, equation, *operands):
        ctx.equation = equation
        ctx.save_for_backward(*operands)
        out = np.asarray(np.einsum(equation, *operands, optimize=len(operands) > 2))
        # NumPy returns a view for some one-operand equations; this op's output has memory of its own
        return out.copy() if any(np.may_share_memory(out, o) for o in operands) else out

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        return (None,) + tuple(_einsum_grad(ctx.equation, grad, operands, k) if need else None
                               for k, need in enumerate(ctx.needs_input_grad[1:]))

    @staticmethod
    def jvp(ctx, _, *tangents):
        operands = ctx.saved_tensors
        return add_tangents(*[Einsum.apply(ctx.equation, *operands[:k], t, *operands[k + 1:])
                              for k, t in enumerate(tangents) if t is not None])


def _einsum_grad(equation: str, grad: Any, operands: tuple, k: int) -> Any:
    """Operand k's gradient: z̄ (output subscripts) times the other operands, summed into operand k's subscripts.
    A letter only operand k has was summed away in forward, so the gradient is the same all along it: a ones factor
    brings it back. A letter that operand k repeats (a diagonal, as in 'ii->i') gets a fresh letter, tied to the
    first by an identity factor: the gradient is zero off the diagonal."""
    lhs, out = equation.split("->")
    terms = lhs.split(",")
    sizes = dict(zip(terms[k], operands[k].shape))
    subs, args = [out], [grad]
    for i, (term, operand) in enumerate(zip(terms, operands)):
        if i != k:
            subs.append(term)
            args.append(operand)
    lonely = "".join(dict.fromkeys(c for c in terms[k] if c not in "".join(subs)))
    if lonely:
        subs.append(lonely)
        args.append(np.ones([sizes[c] for c in lonely], grad.dtype))
    spare = (c for c in _LETTERS if c not in equation)
    target = ""
    for c in terms[k]:
        fresh = next(spare) if c in target else c
        if fresh != c:
            subs.append(c + fresh)
            args.append(np.eye(sizes[c], dtype=grad.dtype))
        target += fresh
    return Einsum.apply(",".join(subs) + "->" + target, *args)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products over the letters not in the output (torch.einsum, string form, with '...' and broadcasting
    of size-1 dims). One operand with nothing summed ('ij->ji', 'ii->i') gives a view, as in torch."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    operands = [as_tensor(o) for o in operands]
    subs, out, sizes = _parse_einsum(equation, [o.shape for o in operands])
    _same_dtype(f"einsum() (equation {equation!r})", *operands)
    for i, (term, o) in enumerate(zip(subs, operands)):
        # a size-1 dim broadcast against a larger one: the operand is the same all along that letter, so drop it
        keep = [j for j, c in enumerate(term) if not (o.shape[j] == 1 and sizes[c] > 1)]
        if len(keep) < len(term):
            operands[i] = reshape(o, [o.shape[j] for j in keep])
            subs[i] = "".join(term[j] for j in keep)
    if len(operands) == 1 and set(subs[0]) <= set(out):
        return _einsum_view(operands[0], subs[0], out)
    return Einsum.apply(",".join(subs) + "->" + out, *operands)


def _einsum_view(x: Tensor, term: str, out: str) -> Tensor:
    """One operand, nothing summed: diagonals for repeated letters, then a permutation (views, as in torch)."""
    while len(set(term)) < len(term):
        c = next(c for c in term if term.count(c) > 1)
        i = term.index(c)
        j = term.index(c, i + 1)
        x = diagonal(x, 0, i, j)  # (the diagonal becomes the last dim)
        term = term[:i] + term[i + 1:j] + term[j + 1:] + c
    return permute(x, [term.index(c) for c in out])


def _parse_einsum(equation: str, shapes: list) -> tuple[list[str], str, dict]:
    """The equation with each '...' spelled out in letters of its own: the subscripts of each operand, those of the
    output, and each letter's size (the largest, where a size-1 dim broadcasts)."""
    where = f" (equation {equation!r}, operand shapes {', '.join(str(tuple(s)) for s in shapes)})"

    def fail(msg: str) -> None:
        raise RuntimeError("einsum(): " + msg + where)

    lhs, arrow, rhs = equation.replace(" ", "").partition("->")
    for c in lhs + rhs:
        if c not in _LETTERS and c not in ".,":
            fail(f"invalid subscript {c!r}: subscripts must be in [a-zA-Z]")
    if "->" in rhs or "," in rhs:
        fail("the output (after '->') must be one list of subscripts")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        fail(f"the equation names {len(terms)} operand(s), but {len(shapes)} were given")
    spare = [c for c in _LETTERS if c not in lhs + rhs]
    n_ell = max([len(s) - len(t.replace("...", "")) for t, s in zip(terms, shapes) if "..." in t], default=0)
    ell = "".join(spare[:n_ell])
    subs = []
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        named = term.replace("...", "", 1)
        if "." in named:
            fail(f"found '.' for operand {i} that is not part of an ellipsis '...'")
        if "..." in term and len(named) > len(shape):
            fail(f"operand {i} has {len(shape)} dims, fewer than the {len(named)} its subscripts {term!r} name")
        if "..." not in term and len(term) != len(shape):
            fail(f"the subscripts {term!r} of operand {i} name {len(term)} dims, but it has {len(shape)} (and no "
                 "'...' was given for the others)")
        subs.append(term.replace("...", ell[len(ell) - (len(shape) - len(named)):]))
    sizes: dict = {}
    for i, (term, shape) in enumerate(zip(subs, shapes)):
        mine: dict = {}
        for c, n in zip(term, shape):
            if mine.setdefault(c, n) != n:
                fail(f"subscript {c} is repeated for operand {i} but the sizes don't match, {mine[c]} != {n}")
        for c, n in mine.items():
            seen = sizes.setdefault(c, n)
            if n != seen and 1 not in (n, seen):
                fail(f"subscript {c} has size {n} for operand {i}, which does not broadcast with the size {seen} "
                     "seen before")
            sizes[c] = seen if n == 1 else n
    if arrow:
        if "." in rhs.replace("...", "", 1):
            fail("found '.' in the output that is not part of an ellipsis '...'")
        out = rhs.replace("...", ell)
        for c in out:
            if out.count(c) > 1:
                fail(f"output subscript {c} appears more than once in the output")
            if c not in sizes:
                fail(f"output subscript {c} does not appear in the equation for any input operand")
    else:  # implicit output: the '...' dims, then the letters used exactly once, in alphabetical order
        counts = Counter(lhs.replace(".", "").replace(",", ""))
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    return subs, out, sizes


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Sum over the last ``dims`` dims of a and the first of b, or over the dim lists ``dims = (dims_a, dims_b)``."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int | np.integer):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot: dims={dims} is more than the dims of the inputs (shapes {a.shape} and "
                               f"{b.shape})")
        dims = (list(range(a.ndim - dims, a.ndim)), list(range(dims)))
    da, db = ([d] if isinstance(d, int | np.integer) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError(f"tensordot: both dimension lists should have same length, got {da} and {db}")
    da, db = norm_dims(da, a.ndim), norm_dims(db, b.ndim)
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"tensordot: contracted dimensions need to match, but first has size {a.shape[i]} in "
                               f"dim {i} and second has size {b.shape[j]} in dim {j} (shapes {a.shape} and "
                               f"{b.shape})")
    _same_dtype("tensordot", a, b)
    la, lb = _LETTERS[:a.ndim], list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for i, j in zip(da, db):
        lb[j] = la[i]
    out = [c for i, c in enumerate(la) if i not in da] + [c for j, c in enumerate(lb) if j not in db]
    return einsum(f"{la},{''.join(lb)}->{''.join(out)}", a, b)


# ---- matrix products with torch's rank checks ----------------------------------------------------------------------
def _same_dtype(op: str, *tensors: Tensor) -> None:
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError(f"{op}: expected all tensors to have the same dtype, but got "
                           f"{', '.join(str(t.dtype) for t in tensors)}; convert one with .to(dtype)")


def _need(op: str, t: Tensor, name: str, ndim: int, what: str) -> None:
    if t.ndim != ndim:
        raise RuntimeError(f"{op}: {name} must be a {what}, got a {t.ndim}-D tensor of shape {tuple(t.shape)}")


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The matrix product of two 2-D tensors (no broadcasting; see matmul)."""
    _need("mm", input, "self", 2, "matrix")
    _need("mm", mat2, "mat2", 2, "matrix")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mm: mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x{input.shape[1]} and "
                           f"{mat2.shape[0]}x{mat2.shape[1]})")
    _same_dtype("mm", input, mat2)
    return MatMul.apply(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of two 3-D tensors with the same batch size (no broadcasting)."""
    _need("bmm", input, "batch1", 3, "3D tensor")
    _need("bmm", mat2, "batch2", 3, "3D tensor")
    want = [input.shape[0], input.shape[2]]
    if list(mat2.shape[:2]) != want:
        raise RuntimeError(f"bmm: expected size for first two dimensions of batch2 tensor to be: {want} but got: "
                           f"{list(mat2.shape[:2])} (batch1 {tuple(input.shape)}, batch2 {tuple(mat2.shape)})")
    _same_dtype("bmm", input, mat2)
    return MatMul.apply(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix (n, m) times vector (m,)."""
    _need("mv", input, "self", 2, "matrix")
    _need("mv", vec, "vec", 1, "vector")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"mv: size mismatch, got mat ({input.shape[0]}x{input.shape[1]}), vec ({vec.shape[0]})")
    _same_dtype("mv", input, vec)
    return matmul(input, vec)


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of 2-D tensors, left to right (deprecated in torch, as here: use matmul or linalg.multi_dot)."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
                  "parameters.", UserWarning, stacklevel=2)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for i, m in enumerate(matrices):
        _need("chain_matmul", m, f"matrix {i}", 2, "matrix")
    return matrices[0].clone() if len(matrices) == 1 else functools.reduce(mm, matrices)


def _scaled(x: Tensor, s: Any, op: str) -> Tensor:
    """s·x for the add-forms' beta and alpha. With s = 0, x's values (NaN and inf too) are ignored, as in torch, but
    x stays in the graph with gradient 0."""
    if x.dtype.kind in "biu" and not float(s).is_integer():
        raise RuntimeError(f"{op}: for integer tensors, beta and alpha must be integers, got {s}")
    if s == 1:
        return x
    if s == 0:
        return where(np.False_, x, np.zeros((), x.dtype))
    return x * s


def _add_form(op: str, input: Tensor, beta: Any, product: Tensor, alpha: Any) -> Tensor:
    """beta·input + alpha·product, input broadcast to the product's shape (and not beyond it)."""
    input = as_tensor(input)
    try:
        fits = np.broadcast_shapes(input.shape, product.shape) == product.shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} cannot be broadcast to the shape "
                           f"{tuple(product.shape)} of the product")
    _same_dtype(op, input, product)
    return _scaled(input, beta, op) + _scaled(product, alpha, op)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta·input + alpha·(mat1 @ mat2)."""
    _need("addmm", mat1, "mat1", 2, "matrix")
    _need("addmm", mat2, "mat2", 2, "matrix")
    return _add_form("addmm", input, beta, mm(mat1, mat2), alpha)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta·input + alpha·(mat @ vec)."""
    return _add_form("addmv", input, beta, mv(mat, vec), alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta·input + alpha·Σ_b batch1[b] @ batch2[b]."""
    return _add_form("addbmm", input, beta, reduce.sum(bmm(batch1, batch2), 0), alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta·input + alpha·(batch1 @ batch2), batch by batch."""
    return _add_form("baddbmm", input, beta, bmm(batch1, batch2), alpha)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta·input + alpha·outer(vec1, vec2)."""
    _need("addr", vec1, "vec1", 1, "vector")
    _need("addr", vec2, "vec2", 1, "vector")
    _same_dtype("addr", vec1, vec2)
    return _add_form("addr", input, beta, outer(vec1, vec2), alpha)


# ---- other products ------------------------------------------------------------------------------------------------
def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum over the last dims of both: shape input.shape[:-1] + other.shape[:-1] (a product if one is 0-d)."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{tuple(input.shape)} and {tuple(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """The dot product of two 1-D tensors (for real tensors, the same as dot)."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"vdot: 1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.shape != other.shape:
        raise RuntimeError(f"vdot: inconsistent tensor size, expected tensor {list(input.shape)} and src "
                           f"{list(other.shape)} to have the same number of elements")
    _same_dtype("vdot", input, other)
    return matmul(input, other)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: every element of input times the whole of other, laid out in blocks."""
    a, b = as_tensor(input), as_tensor(other)
    n = max(a.ndim, b.ndim)
    sa, sb = (1,) * (n - a.ndim) + a.shape, (1,) * (n - b.ndim) + b.shape
    # a's dims interleaved with b's: out[i0, j0, i1, j1, ...] = a[i0, i1, ...] * b[j0, j1, ...]
    blocks = reshape(a, [v for s in sa for v in (s, 1)]) * reshape(b, [v for s in sb for v in (1, s)])
    return reshape(blocks, [x * y for x, y in zip(sa, sb)])


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (torch.linalg.cross; the other dims broadcast)."""
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions, got shapes "
                           f"{tuple(input.shape)} and {tuple(other.shape)}")
    (d,) = norm_dims(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
                           f"{other.shape[d]}")
    try:
        np.broadcast_shapes(input.shape, other.shape)
    except ValueError:
        raise RuntimeError(f"linalg.cross: the shapes {tuple(input.shape)} and {tuple(other.shape)} cannot be "
                           "broadcast together") from None
    _same_dtype("linalg.cross", input, other)
    from .arrange import roll  # (arrange imports this module)

    # (a × b)_i = a_{i+1} b_{i+2} − a_{i+2} b_{i+1}, indices mod 3
    return roll(input, -1, d) * roll(other, -2, d) - roll(input, -2, d) * roll(other, -1, d)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """linalg_cross along ``dim``; without dim, along the first dim of size 3 (deprecated in torch, which warns)."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated. Please either pass the dim "
                      "explicitly or simply use torch.linalg.cross.", UserWarning, stacklevel=2)
        dim = next((i for i, n in enumerate(input.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"cross: no dimension of size 3 in input (shape {tuple(input.shape)}); pass dim")
    return linalg_cross(input, other, dim=dim)


# ---- cdist ---------------------------------------------------------------------------------------------------------
class PNorm(Op):
    """z = (Σᵢ |dᵢ|ᵖ)^(1/p) over the last dim.   ∂z/∂dᵢ = sign(dᵢ)·(|dᵢ|/z)^(p−1), taken as 0 where dᵢ = 0 (as torch's
    cdist does: no NaN or inf at zero distances)."""

    @staticmethod
    def forward(ctx, d, p):
        out = np.sum(np.abs(d) ** p, axis=-1) ** (1.0 / p)
        ctx.save_for_backward(d, out)
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx, grad):
        d, out = ctx.saved_tensors
        return unsqueeze(grad, -1) * _pnorm_slope(d, out, ctx.p), None

    @staticmethod
    def jvp(ctx, t, _):
        d, out = ctx.saved_tensors
        return reduce.sum(t * _pnorm_slope(d, out, ctx.p), -1)


def _pnorm_slope(d: Any, out: Any, p: float) -> Any:
    zero = d == 0
    # the ratio is 1 where d = 0, so no inf is made there even in a branch where() drops (its gradient would be NaN)
    ratio = where(zero, 1.0, abs(d) / unsqueeze(where(out == 0, 1.0, out), -1))
    return where(zero, 0.0, sign(d) * ratio ** (p - 1))


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary"
          ) -> Tensor:
    """The p-norm distance between each row of x1 (..., P, M) and each row of x2 (..., R, M): shape (..., P, R),
    the batch dims broadcast. p = 0 counts the differing coordinates; p = inf takes the largest difference."""
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
        if x.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {x.dtype}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"cdist: X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: "
                           f"{x2.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got p={p}")
    _same_dtype("cdist", x1, x2)
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise RuntimeError(f"cdist: the batch dims of X1 {tuple(x1.shape)} and X2 {tuple(x2.shape)} cannot be "
                           "broadcast together") from None
    d = unsqueeze(x1, -2) - unsqueeze(x2, -3)  # (..., P, R, M)
    if p == 0:
        return reduce.sum(sign(abs(d)), -1)  # (sign has zero gradient: so has the count, as in torch)
    if p == 1:
        return reduce.sum(abs(d), -1)
    if p == 2:
        return reduce.norm(d, 2, -1)
    if p == float("inf"):
        return reduce.amax(abs(d), -1)
    return PNorm.apply(d, float(p))

