"""Random sampling with torch's names: bernoulli, multinomial, normal, poisson, and the in-place fills bernoulli_,
exponential_, geometric_, random_, cauchy_ and log_normal_.

Every draw comes from ``generator`` or, without one, from the default generator, so ``manual_seed`` makes a run
reproducible. A sample is not differentiable in its parameters (nothing is reparameterised): as in torch, a sample
drawn from tensors that require grad is recorded with a zero gradient for them. For a gradient through a normal
sample, write ``mean + std * randn_like(mean)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .device import check_device
from .function import Op
from .random import Generator, get_rng
from .tensor import Tensor


class Sample(Op):
    """z = a sample that ``draw`` makes from the parameters.   Each parameter's gradient is zero."""

    @staticmethod
    def forward(ctx, draw, *params):
        return draw(*params)

    @staticmethod
    def backward(ctx, grad):
        return (None,) + tuple(grad * 0 if need else None for need in ctx.needs_input_grad[1:])

    @staticmethod
    def jvp(ctx, *tangents):
        return None


def _floating(t: Tensor, op: str, error: type = NotImplementedError) -> np.ndarray:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(t).__name__}")
    if t.dtype.kind != "f":
        raise error(f"{op}(): expected a floating point tensor, got dtype {t.dtype} (convert it with .float())")
    return t.array


def _probability(p: Any, op: str) -> None:
    values = np.asarray(p.array if isinstance(p, Tensor) else p)
    if values.size and not ((values >= 0) & (values <= 1)).all():
        bad = values.min() if values.min() < 0 else values.max()
        raise RuntimeError(f"{op}: expects p to be in [0, 1], but got p={bad}")


# ---- distributions with tensor parameters --------------------------------------------------------------------------
def bernoulli(input: Tensor, p: float | None = None, *, generator: Generator | None = None) -> Tensor:
    """Draws 1 with probability ``input`` (elementwise), else 0, in input's dtype; with ``p`` given, each element is 1
    with probability p instead (input gives only the shape and dtype)."""
    probs = _floating(input, "bernoulli")
    rng = get_rng(generator)
    if p is not None:
        _probability(p, "bernoulli")
        return Tensor._make((rng.random(input.shape) < p).astype(input.dtype))
    _probability(probs, "bernoulli")
    return Sample.apply(lambda q: (rng.random(q.shape) < q).astype(q.dtype), input)


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Draws a Poisson count with rate ``input`` (elementwise), in input's dtype."""
    rates = _floating(input, "poisson")
    if rates.size and not (rates >= 0).all():
        raise RuntimeError(f"poisson: invalid Poisson rate {rates.min()}, expected rates to be non-negative")
    rng = get_rng(generator)
    return Sample.apply(lambda r: rng.poisson(r).astype(r.dtype), input)


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Generator | None = None, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal samples, torch.normal's four forms: ``normal(mean_tensor, std_tensor)`` (broadcast together),
    ``normal(mean_tensor, std=1.0)``, ``normal(mean, std_tensor)``, and ``normal(mean, std, size)`` for floats
    (which alone takes ``dtype``, ``device`` and ``requires_grad``)."""
    rng = get_rng(generator)
    tensors = [a for a in (mean, std) if isinstance(a, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal(): with a float mean and std, give the size: normal(mean, std, size)")
        check_device(device, "normal")
        _std_ok(std)
        d = dtypes.to_dtype(dtype)
        if d.kind != "f":
            raise NotImplementedError(f"normal(): samples need a floating dtype, got {d}")
        shape = tuple(size) if isinstance(size, tuple | list) else (size,)
        out = Tensor._make((mean + std * rng.standard_normal(shape)).astype(d))
        return out.requires_grad_(True) if requires_grad else out
    if size is not None:
        raise TypeError("normal(): size is only taken with a float mean and std; a tensor mean or std gives the shape")
    for t in tensors:
        _floating(t, "normal")
    _std_ok(std)
    d = tensors[0].dtype  # mean's dtype if it is a tensor (torch does not promote the two), else std's
    shapes = [t.shape for t in tensors]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(f"normal: the shapes of mean {tuple(shapes[0])} and std {tuple(shapes[1])} cannot be "
                           "broadcast together") from None
    return Sample.apply(lambda m, s: (m + s * rng.standard_normal(shape)).astype(d), mean, std)


def _std_ok(std: Any) -> None:
    if isinstance(std, Tensor):
        if std.numel() and not (std.array >= 0).all():
            raise RuntimeError(f"normal: expects all elements of std >= 0.0, but found {std.array.min()}")
    elif std < 0:
        raise RuntimeError(f"normal: expects std >= 0.0, but found std {std}")


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> Tensor:
    """``num_samples`` category indices (int64) drawn from each row of ``input``, weights proportional to its
    entries (they need not sum to 1). Without replacement a category is drawn at most once, so at most as many
    samples as a row has non-zero weights (torch documents this; its CPU version does not check it)."""
    probs = _floating(input, "multinomial", RuntimeError)
    if probs.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {input.shape}")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (num_samples={num_samples})")
    rows = probs.reshape(-1, probs.shape[-1]).astype(np.float64)
    n = rows.shape[1]
    if not replacement and num_samples > n:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement "
                           f"({num_samples} > {n}); pass replacement=True")
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    nonzero = int((rows > 0).sum(axis=1).min())
    if not replacement and num_samples > nonzero:
        raise RuntimeError(f"multinomial: cannot sample {num_samples} samples without replacement from a row with only "
                           f"{nonzero} non-zero probabilities; pass replacement=True or ask for fewer")
    rng = get_rng(generator)
    if replacement:  # inverse CDF: the first category whose cumulative weight exceeds u
        cdf = np.cumsum(rows, axis=1)
        u = rng.random((len(rows), num_samples)) * cdf[:, -1:]
        out = np.stack([np.searchsorted(c, ui, side="right") for c, ui in zip(cdf, u)])
    else:  # the num_samples smallest of Exp(1)/p: a draw without replacement, weights p (Efraimidis–Spirakis)
        with np.errstate(divide="ignore"):
            keys = rng.exponential(size=rows.shape) / rows
        out = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    return Tensor._make(np.minimum(out, n - 1).astype(np.int64).reshape(probs.shape[:-1] + (num_samples,)))


# ---- in-place fills (Tensor methods): self ← new samples; self keeps its history with a zero gradient -------------
def _fill(t: Tensor, values: np.ndarray) -> Tensor:
    return t.copy_(values)


def bernoulli_(t: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:
    """Fill t with 1 with probability p (a number, or a tensor broadcast to t's shape), else 0."""
    _probability(p, "bernoulli_")
    p = p.array if isinstance(p, Tensor) else p
    return _fill(t, get_rng(generator).random(t.shape) < p)


def exponential_(t: Tensor, lambd: float = 1.0, *, generator: Generator | None = None) -> Tensor:
    """Fill t with samples of density λ·exp(-λx), x ≥ 0."""
    _floating(t, "exponential_", RuntimeError)
    if not lambd > 0:
        raise RuntimeError(f"exponential_: expects lambda > 0.0, but found lambda={lambd}")
    return _fill(t, get_rng(generator).exponential(1 / lambd, t.shape))


def geometric_(t: Tensor, p: float, *, generator: Generator | None = None) -> Tensor:
    """Fill t with the number of Bernoulli(p) trials up to the first success (1, 2, ...)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_: expects p to be in (0, 1), but got p={p}")
    return _fill(t, get_rng(generator).geometric(p, t.shape))


def cauchy_(t: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator: Generator | None = None) -> Tensor:
    """Fill t with Cauchy samples: median + sigma · tan(π(u - ½))."""
    _floating(t, "cauchy_", RuntimeError)
    if not sigma > 0:
        raise RuntimeError(f"cauchy_: expects sigma > 0.0, but found sigma={sigma}")
    return _fill(t, median + sigma * get_rng(generator).standard_cauchy(t.shape))


def log_normal_(t: Tensor, mean: float = 1.0, std: float = 2.0, *, generator: Generator | None = None) -> Tensor:
    """Fill t with exp(x), x ~ Normal(mean, std)."""
    _floating(t, "log_normal_", RuntimeError)
    if not std > 0:
        raise RuntimeError(f"log_normal_: expects std > 0.0, but found std={std}")
    return _fill(t, get_rng(generator).lognormal(mean, std, t.shape))


def random_(t: Tensor, *bounds: int, to: int | None = None, generator: Generator | None = None) -> Tensor:
    """Fill t with integers: ``random_()`` from 0 to the largest integer t's dtype holds exactly (2**24 for float32,
    2**53 for float64), ``random_(to)`` from 0 to to - 1, ``random_(from, to)`` from ``from`` to to - 1."""
    if len(bounds) > 2:
        raise TypeError(f"random_() takes at most 2 bounds (from, to), got {len(bounds)}")
    if to is not None:
        bounds = (bounds[0] if bounds else 0, to)
    d = t.dtype
    # the largest integer of the dtype's range that it holds exactly, and all below it: 2**24 for float32
    top = 1 if d.kind == "b" else 2 ** (np.finfo(d).nmant + 1) if d.kind == "f" else int(np.iinfo(d).max)
    low, high = (0, top + 1) if not bounds else (0, bounds[0]) if len(bounds) == 1 else bounds
    if low >= high:
        raise RuntimeError(f"random_: expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if high - 1 > top or low < (np.iinfo(d).min if d.kind in "iu" else -top):
        raise RuntimeError(f"random_: the range [{low}, {high - 1}] is out of bounds for dtype {d}")
    return _fill(t, get_rng(generator).integers(low, high, t.shape))
