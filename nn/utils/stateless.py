"""``functional_call(module, tensors, args)``: run a module with some of its parameters and buffers replaced by the
given tensors (by their state_dict names), as ``torch.func.functional_call``; the module is left as it was."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ..module import Module


def functional_call(module: Module, parameter_and_buffer_dicts: Any, args: Any = None, kwargs: dict | None = None,
                    *, tie_weights: bool = True, strict: bool = False) -> Any:
    """``module(*args, **kwargs)`` with the tensors in ``parameter_and_buffer_dicts`` (a dict, or a tuple of dicts)
    standing in for the module's own under those names. ``strict=True`` requires every parameter and buffer to be
    given. The replaced tensors are put back afterwards, even if forward raises."""
    dicts = parameter_and_buffer_dicts if isinstance(parameter_and_buffer_dicts, tuple | list) \
        else (parameter_and_buffer_dicts,)
    given: dict[str, Tensor] = {}
    for d in dicts:
        overlap = given.keys() & d.keys()
        if overlap:
            raise ValueError(f"functional_call: {sorted(overlap)} appeared in more than one of the dicts given")
        given.update(d)
    own = dict(module.named_parameters(remove_duplicate=False)) | dict(module.named_buffers(remove_duplicate=False))
    unknown = sorted(given.keys() - own.keys())
    missing = sorted(own.keys() - given.keys())
    if strict and (unknown or missing):
        raise RuntimeError(f"functional_call got unexpected keys {unknown} and is missing keys {missing} "
                           "(strict=True)")
    if unknown:
        raise RuntimeError(f"functional_call: {unknown} are not parameters or buffers of {type(module).__name__}")
    swapped = []
    try:
        for name, value in given.items():
            owner_name, _, attr = name.rpartition(".")
            owner = module.get_submodule(owner_name) if owner_name else module
            store = owner._parameters if attr in owner._parameters else owner._buffers
            swapped.append((store, attr, store[attr]))
            store[attr] = value  # direct: the stand-in need not be a Parameter
        args = () if args is None else args if isinstance(args, tuple) else (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for store, attr, original in reversed(swapped):
            store[attr] = original
