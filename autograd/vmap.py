"""``vmap(func)``: ``func`` mapped over a batch dimension, as ``torch.vmap``'s results, computed the plain way.

pathgrad does not batch-transform ``func``: the mapped function calls ``func`` once per slice and stacks the
results. The numbers (and their gradients, which flow through select and stack) are vmap's; the speed is a loop's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .ops import stack
from .tensor import Tensor


def vmap(func: Callable[..., Any], in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error", *,
         chunk_size: int | None = None) -> Callable[..., Any]:
    """Map ``func`` over dim ``in_dims`` of its tensor arguments (an int for all, or a tuple with one int or None
    per argument; None: pass the argument whole); results are stacked along ``out_dims``."""

    def mapped(*args: Any) -> Any:
        dims = in_dims if isinstance(in_dims, tuple | list) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError(f"vmap: in_dims has {len(dims)} entries but the function got {len(args)} positional "
                             "arguments; give one in_dims entry (an int or None) per argument")
        sizes = {a.shape[d] for a, d in zip(args, dims) if d is not None and isinstance(a, Tensor)}
        if len(sizes) != 1:
            raise ValueError("vmap: " + ("no tensor argument is mapped (all in_dims are None or no argument is a "
                             "tensor)" if not sizes else f"expected all mapped tensors to have the same size in "
                             f"the mapped dimension, got sizes {sorted(sizes)}"))
        results = [func(*(a.select(d, i) if d is not None and isinstance(a, Tensor) else a
                          for a, d in zip(args, dims))) for i in range(sizes.pop())]
        return _stack_trees(results, out_dims)

    return mapped


def _stack_trees(results: list, out_dims: Any) -> Any:
    """Stack a list of equally shaped results (tensors, or tuples/lists/dicts of them) along ``out_dims``."""
    first = results[0]
    if isinstance(first, Tensor):
        return stack(results, dim=out_dims)
    if isinstance(first, dict):
        return {k: _stack_trees([r[k] for r in results], out_dims) for k in first}
    if isinstance(first, tuple | list):
        dims = out_dims if isinstance(out_dims, tuple | list) else (out_dims,) * len(first)
        return type(first)(_stack_trees([r[k] for r in results], d) for k, d in enumerate(dims))
    raise ValueError(f"vmap: the function returned a {type(first).__name__}; return tensors (or tuples, lists or "
                     "dicts of them)")
