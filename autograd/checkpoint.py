"""Gradient checkpointing (``torch.utils.checkpoint.checkpoint``): trade compute for memory.

``checkpoint(f, *args)`` runs ``f`` without recording a graph, so none of its intermediate results are kept; in
backward it runs ``f`` again, this time recording, and backpropagates through that fresh graph. The gradients are
the same as without checkpointing (the random state is restored for the rerun, so dropout masks agree); the memory
held between forward and backward is only the inputs and outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import engine, random
from .function import Function
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor


class _Checkpoint(Function):
    """z = f(x₁, ..., xₙ), f run again in backward: x̄ᵢ = ∂f/∂xᵢ · z̄ from the rerun's graph, and the gradients of
    the parameters f uses are accumulated into their ``.grad`` by that same backward (as torch's reentrant form)."""

    @staticmethod
    def forward(ctx, run, rng_state, *args):
        ctx.run, ctx.rng_state = run, rng_state
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        ctx.tensor_at = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.inputs = args
        with no_grad():
            return run(*args)

    @staticmethod
    def backward(ctx, *grads):
        args, saved = list(ctx.inputs), ctx.saved_tensors
        for i, t in zip(ctx.tensor_at, saved):
            args[i] = t.detach().requires_grad_(t.requires_grad)
        bits = random.default_generator.rng.bit_generator  # its state is a plain dict: no need for get_rng_state's JSON
        state = bits.state
        if ctx.rng_state is not None:
            bits.state = ctx.rng_state
        try:
            with enable_grad():
                out = ctx.run(*args)
        finally:
            bits.state = state
        outs = out if isinstance(out, tuple) else (out,)
        pairs = [(o, g) for o, g in zip(outs, grads) if isinstance(o, Tensor) and o.requires_grad]
        if pairs:
            engine.backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None, *[a.grad if isinstance(a, Tensor) else None for a in args])


def checkpoint(function: Callable[..., Any], *args: Any, use_reentrant: bool | None = None,
               preserve_rng_state: bool = True, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, keeping no intermediate results for backward (they are recomputed)."""
    if not any(isinstance(a, Tensor) and a.requires_grad for a in args) and use_reentrant is not False:
        # torch's reentrant checkpoint warns and records nothing when no input requires grad; parameters inside
        # function would get no gradient, so run it normally instead of silently dropping them
        return function(*args, **kwargs)
    run = (lambda *a: function(*a, **kwargs)) if kwargs else function
    state = random.default_generator.rng.bit_generator.state if preserve_rng_state else None
    return _Checkpoint.apply(run, state, *args)


def checkpoint_sequential(functions: Any, segments: int, input: Tensor, use_reentrant: bool | None = None,  # noqa: A002
                          **kwargs: Any) -> Any:
    """Run a Sequential (or a list of modules) in ``segments`` checkpointed pieces; the last runs normally."""
    functions = list(functions.children()) if hasattr(functions, "children") else list(functions)
    size = max(len(functions) // segments, 1)

    def run(start: int, end: int) -> Callable[[Tensor], Tensor]:
        def forward(x: Tensor) -> Tensor:
            for f in functions[start:end]:
                x = f(x)
            return x
        return forward

    end = -1
    for start in range(0, len(functions) - size, size):
        end = start + size
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1 if end < 0 else end, len(functions))(input)
