"""``torch.func``'s function transforms, as far as pathgrad runs them: ``grad`` and ``grad_and_value`` turn a
scalar function into its gradient function; ``vmap`` maps over a batch dimension (with a loop: see autograd.vmap);
``jacrev``/``jacfwd``/``hessian`` return Jacobian and Hessian functions. They compose: ``vmap(grad(f))`` gives
per-sample gradients. (``functional_call``, which needs a Module, is nn.utils.stateless's; ``pathgrad.func`` has
both.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import functional
from .engine import grad as _grad
from .grad_mode import enable_grad
from .tensor import Tensor
from .vmap import vmap

__all__ = ["grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "vmap"]


def _flat(tree: Any) -> list[Tensor]:
    if isinstance(tree, Tensor):
        return [tree]
    if isinstance(tree, dict):
        return [t for v in tree.values() for t in _flat(v)]
    if isinstance(tree, list | tuple):
        return [t for v in tree for t in _flat(v)]
    return []


def _rebuild(tree: Any, values: list) -> Any:
    """``tree`` with its tensors replaced, in order, by ``values`` (consumed from the front)."""
    if isinstance(tree, Tensor):
        return values.pop(0)
    if isinstance(tree, dict):
        return {k: _rebuild(v, values) for k, v in tree.items()}
    if isinstance(tree, list | tuple):
        return type(tree)(_rebuild(v, values) for v in tree)
    return tree


def grad_and_value(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
                   ) -> Callable[..., Any]:
    """A function returning (∂func/∂args[argnums], func(*args)); func must return a one-element tensor (or, with
    ``has_aux``, a pair (that tensor, anything)). An argument may be a tensor or a dict/list/tuple of tensors; its
    gradient has the same structure."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        args = list(args)
        nested = any(t.requires_grad for i in nums for t in _flat(args[i]))  # inside another transform: keep graphs
        for i in nums:
            leaves = [t if t.requires_grad else t.detach().requires_grad_(True) for t in _flat(args[i])]
            args[i] = _rebuild(args[i], leaves)
        with enable_grad():
            out = func(*args, **kwargs)
            out, aux = out if has_aux else (out, None)
            if not isinstance(out, Tensor) or out.numel() != 1:
                raise RuntimeError(f"grad: the function must return a one-element tensor, got "
                                   f"{type(out).__name__}{'' if not isinstance(out, Tensor) else tuple(out.shape)}")
            inputs = [t for i in nums for t in _flat(args[i])]
            grads = list(_grad(out, inputs, create_graph=nested, allow_unused=True))
        grads = [g if g is not None else t.detach() * 0 for g, t in zip(grads, inputs)]
        trees = [_rebuild(args[i], grads) for i in nums]
        g = trees[0] if isinstance(argnums, int) else tuple(trees)
        value = out if nested else out.detach()
        return (g, (value, aux)) if has_aux else (g, value)

    return wrapper


def grad(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False) -> Callable[..., Any]:
    """The gradient function of ``func`` (see ``grad_and_value``): ``grad(f)(x)`` is ∂f/∂x."""
    both = grad_and_value(func, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = both(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def jacrev(func: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    """The Jacobian of ``func`` with respect to argument ``argnums``, by reverse mode."""
    def wrapper(*args: Any) -> Any:
        return functional.jacobian(lambda x: func(*args[:argnums], x, *args[argnums + 1:]), args[argnums])
    return wrapper


def jacfwd(func: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    """The Jacobian of ``func`` with respect to argument ``argnums``, by forward mode."""
    def wrapper(*args: Any) -> Any:
        return functional.jacobian(lambda x: func(*args[:argnums], x, *args[argnums + 1:]), args[argnums],
                                   strategy="forward-mode", vectorize=True)
    return wrapper


def hessian(func: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        return functional.hessian(lambda x: func(*args[:argnums], x, *args[argnums + 1:]), args[argnums])
    return wrapper
