"""Calling a Module that has hooks, in torch's order: forward pre-hooks, forward, forward hooks; and the full backward
hooks, which see the gradients with respect to the module's inputs and outputs.

A backward hook needs two gradients that the backward sweep computes at different times: d(loss)/d(outputs) when it
reaches the module's outputs, d(loss)/d(inputs) when it leaves the module. So the call passes the module's tensor
inputs, and later its tensor outputs, through an identity node each (``BackwardHookFunction``, as torch does). The
output node's backward runs the backward pre-hooks and keeps the output gradients; the input node's backward hands
both to the backward hooks, whose return value, if any, replaces the input gradients.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Function, Tensor, graph_scope, is_grad_enabled


class BackwardHookFunction(Function):
    """y = x for each tensor x (copied, so that an in-place change of y leaves x alone).   dy/dx = 1; the
    gradients pass through ``on_grads``, which may replace them."""

    @staticmethod
    def forward(ctx, on_grads, *tensors):
        ctx.on_grads = on_grads
        ctx.differentiable = [t.requires_grad and t.dtype.kind == "f" for t in tensors]
        ctx.shapes = [t.shape for t in tensors]
        outs = tuple(Tensor._make(t.array.copy()) for t in tensors)
        ctx.mark_non_differentiable(*[o for o, d in zip(outs, ctx.differentiable) if not d])
        return outs

    @staticmethod
    def backward(ctx, *grads):
        grads = tuple(g if d else None for g, d in zip(grads, ctx.differentiable))
        new = ctx.on_grads(grads)
        for i, (g, shape) in enumerate(zip(new, ctx.shapes)):
            if g is not None and tuple(np.shape(g)) != tuple(shape):
                raise RuntimeError(f"Function BackwardHookFunctionBackward returned an invalid gradient at index {i} "
                                   f"- got {list(np.shape(g))} but expected shape compatible with {list(shape)}")
        return (None, *(g if d else None for g, d in zip(new, ctx.differentiable)))

    @staticmethod
    def jvp(ctx, _, *tangents):
        return tangents


def _pack(index: list[int], values: tuple, size: int) -> tuple:
    out = [None] * size
    for i, v in zip(index, values):
        out[i] = v
    return tuple(out)


class BackwardHook:
    """The state one call of a hooked module shares between its two identity nodes (torch.utils.hooks.BackwardHook)."""

    def __init__(self, module: Any, hooks: list, pre_hooks: list) -> None:
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs: tuple | None = None
        self.n_inputs = self.n_outputs = -1
        self.input_index: list[int] | None = None
        self.output_index: list[int] | None = None

    def _wrap(self, values: tuple, on_grads: Any) -> tuple[tuple, list[int] | None]:
        """``values`` with its tensors passed through an identity node, and their positions (None: no node, as no
        tensor requires grad or grad mode is off)."""
        index = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        if not (is_grad_enabled() and any(values[i].requires_grad for i in index)):
            return values, None
        outs = BackwardHookFunction.apply(on_grads, *[values[i] for i in index])
        new = list(values)
        for i, o in zip(index, outs):
            new[i] = o
        return tuple(new), index

    def setup_input_hook(self, args: tuple) -> tuple:
        res, self.input_index = self._wrap(args, self._input_grads)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, result: Any) -> Any:
        is_tuple = isinstance(result, tuple)
        values = result if is_tuple else (result,)
        res, self.output_index = self._wrap(values, self._output_grads)
        self.n_outputs = len(values)
        return res if is_tuple else res[0]

    def _output_grads(self, grads: tuple) -> tuple:
        self.grad_outputs = _pack(self.output_index, grads, self.n_outputs)
        for hook in self.pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got {len(new)}, but "
                                   f"expected {len(self.grad_outputs)}")
            self.grad_outputs = tuple(new)
        local = self.grad_outputs
        if self.input_index is None:  # no input requires grad: the input node never runs, so the hooks run here
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                          "since no inputs require gradients.", stacklevel=2)
            for hook in self.hooks:
                res = hook(self.module, (None,) * self.n_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_index)

    def _input_grads(self, grads: tuple) -> tuple:
        if self.grad_outputs is None:  # the outputs got no gradient: nothing to report
            return grads
        res = _pack(self.input_index, grads, self.n_inputs)
        for hook in self.hooks:
            new = hook(self.module, res, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(res):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(new)}, but "
                                   f"expected {len(res)}")
            res = tuple(new)
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_index)


def call_with_hooks(module: Any, args: tuple, kwargs: dict) -> Any:
    """``module(*args, **kwargs)`` with its hooks, as torch's ``Module._call_impl``. Forward hooks registered with
    ``always_call=True`` run even when forward raises (with output None), before the error propagates."""
    result, called = None, set()
    try:
        for hook_id, hook in list(module._forward_pre_hooks.items()):
            if hook_id in module._forward_pre_hooks_with_kwargs:
                new = hook(module, args, kwargs)
                if new is not None:
                    if not (isinstance(new, tuple) and len(new) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                           f"but got {new}.")
                    args, kwargs = new
            else:
                new = hook(module, args)
                if new is not None:
                    args = new if isinstance(new, tuple) else (new,)
        bw = None
        if module._backward_hooks or module._backward_pre_hooks:
            bw = BackwardHook(module, list(module._backward_hooks.values()), list(module._backward_pre_hooks.values()))
            args = bw.setup_input_hook(args)
        with graph_scope(module):
            result = module.forward(*args, **kwargs)
        for hook_id, hook in list(module._forward_hooks.items()):
            if hook_id in module._forward_hooks_always_called:
                called.add(hook_id)
            if hook_id in module._forward_hooks_with_kwargs:
                new = hook(module, args, kwargs, result)
            else:
                new = hook(module, args, result)
            if new is not None:
                result = new
        if bw is not None:
            if not isinstance(result, Tensor | tuple):
                warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple of "
                              f"Tensors but received {type(result)}", stacklevel=3)
            result = bw.setup_output_hook(result)
        return result
    except Exception:
        for hook_id, hook in list(module._forward_hooks.items()):
            if hook_id in module._forward_hooks_always_called and hook_id not in called:
                try:
                    if hook_id in module._forward_hooks_with_kwargs:
                        new = hook(module, args, kwargs, result)
                    else:
                        new = hook(module, args, result)
                    if new is not None:
                        result = new
                except Exception as e:
                    warnings.warn("module forward hook with ``always_call=True`` raised an exception that was "
                                  f"silenced as another error was raised in forward: {e}", stacklevel=3)
        raise
