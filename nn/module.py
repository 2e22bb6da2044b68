"""``Module``: the base class of layers and models, with torch.nn.Module's contract.

Assigning a ``Parameter``, a ``Module`` or a registered buffer to an attribute records it in ``_parameters``,
``_modules`` or ``_buffers``; those dicts, walked recursively, give ``parameters()``, ``state_dict()``, ``train()``
and ``to()``. Calling a module runs ``forward`` inside ``autograd.graph_scope(self)``, so every graph node recorded
there knows which modules produced it (the graph renderer draws each module as a cluster).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor, from_numpy, graph_scope
from autograd.device import check_device, is_device
from autograd.dtypes import to_dtype
from autograd.graph import increment_version
from autograd.hooks import RemovableHandle

from .module_hooks import call_with_hooks
from .parameter import Parameter


class _IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]


def _addindent(s: str, spaces: int) -> str:
    first, *rest = s.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


class Module:
    """Base class for all neural network modules. Subclasses set attributes in ``__init__`` and define ``forward``."""

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist already
        sa = object.__setattr__
        sa(self, "training", True)
        sa(self, "_parameters", OrderedDict())
        sa(self, "_buffers", OrderedDict())
        sa(self, "_non_persistent_buffers_set", set())
        sa(self, "_modules", OrderedDict())
        sa(self, "_forward_hooks", OrderedDict())
        sa(self, "_forward_pre_hooks", OrderedDict())
        sa(self, "_forward_hooks_with_kwargs", {})
        sa(self, "_forward_hooks_always_called", {})
        sa(self, "_forward_pre_hooks_with_kwargs", {})
        sa(self, "_backward_hooks", OrderedDict())
        sa(self, "_backward_pre_hooks", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or self._backward_pre_hooks:
            return call_with_hooks(self, args, kwargs)  # (nn/module_hooks.py)
        with graph_scope(self):
            return self.forward(*args, **kwargs)

    def _add_hook(self, hooks: OrderedDict, hook: Callable[..., Any], prepend: bool, flags: dict[str, bool]
                  ) -> RemovableHandle:
        """Register ``hook`` in ``hooks`` (first, if ``prepend``) and its id in the flag dicts (attribute names)
        whose flag is set; the handle removes it from all of them."""
        handle = RemovableHandle(hooks, extra_dict=[getattr(self, name) for name in flags])
        hooks[handle.id] = hook
        for name, on in flags.items():
            if on:
                getattr(self, name)[handle.id] = True
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
                                  ) -> RemovableHandle:
        """``hook(module, args)`` runs before forward; a returned value (tuple or single) replaces the args. With
        ``with_kwargs``: ``hook(module, args, kwargs)``, returning None or ``(args, kwargs)``. ``prepend`` runs it
        before the hooks already registered."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend,
                              {"_forward_pre_hooks_with_kwargs": with_kwargs})

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)`` (``hook(module, args, kwargs, output)`` with ``with_kwargs``) runs after
        forward; a returned value replaces the output. ``always_call``: it runs even if forward raises."""
        return self._add_hook(self._forward_hooks, hook, prepend, {"_forward_hooks_with_kwargs": with_kwargs,
                                                                   "_forward_hooks_always_called": always_call})

    def register_full_backward_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output)`` runs when the gradients of the module's outputs are known; a returned
        tuple replaces them."""
        return self._add_hook(self._backward_pre_hooks, hook, prepend, {})

    def register_full_backward_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` runs when the gradients of the module's inputs are known
        (None for inputs that are not tensors or need no gradient); a returned tuple replaces grad_input."""
        return self._add_hook(self._backward_hooks, hook, prepend, {})

    # ---- registration ---------------------------------------------------------------------------------------------
    def _check_name(self, kind: str, name: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{kind} name can\'t be empty or contain ".", got: {name!r}')

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a None placeholder, e.g. a disabled bias) under ``name``."""
        self._check_name("parameter", name)
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(nn.Parameter or None required)")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter (e.g. BatchNorm's running_mean). Non-persistent
        buffers are left out of ``state_dict``."""
        self._check_name("buffer", name)
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None "
                            "required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (what ``self.name = module`` does)."""
        self._check_name("module", name)
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._discard(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._discard(name)
            self._modules[name] = value
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(nn.Module or None expected)")
            d["_modules"][name] = None
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None "
                                "expected)")
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _discard(self, name: str) -> None:
        """Forget ``name`` wherever it is, before it is registered again as something else."""
        self.__dict__.pop(name, None)
        for store in ("_parameters", "_buffers", "_modules"):
            self.__dict__[store].pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: registered names live in the three dicts, not in __dict__.
        d = self.__dict__
        params = d.get("_parameters")  # the common case first: a layer reading its weights
        if params is not None and name in params:
            return params[name]
        for store in ("_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__[store]:
                del self.__dict__[store][name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    # ---- traversal ------------------------------------------------------------------------------------------------
    def _named_members(self, get: Callable[[Module], Any], prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        memo: set[int] = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for mod_prefix, mod in mods:
            for name, v in get(mod):
                if v is None or (remove_duplicate and id(v) in memo):
                    continue
                memo.add(id(v))
                yield (mod_prefix + "." + name if mod_prefix else name), v

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
                         ) -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) pairs, e.g. ("0.weight", ...), each shared parameter once."""
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
                      ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_children(self) -> Iterator[tuple[str, Module]]:
        memo: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in memo:
                memo.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
                      ) -> Iterator[tuple[str, Module]]:
        """(name, module) pairs for this module ("") and all its descendants, depth first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(memo, prefix + "." + name if prefix else name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def get_submodule(self, target: str) -> Module:
        """The descendant named by a dotted path, e.g. ``"encoder.0"``."""
        mod = self
        for part in target.split(".") if target else []:
            if part not in mod._modules or mod._modules[part] is None:
                raise AttributeError(f"{type(mod).__name__} has no submodule `{part}` (looking up {target!r})")
            mod = mod._modules[part]
        return mod

    # ---- modes and gradients ----------------------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) on this module and all descendants."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for m in self.children():
            m.train(mode)  # through the method, so that a subclass overriding train() is honoured
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p.grad is not None:
                p.grad = None if set_to_none else from_numpy(np.zeros_like(p.grad.array))

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every descendant, then on self (e.g. a custom weight init)."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ---- dtype ----------------------------------------------------------------------------------------------------
    def _apply(self, fn: Callable[[np.ndarray], np.ndarray]) -> Module:
        """Replace the array of every floating parameter, gradient and buffer by ``fn(array)``, in place, so that
        the Parameter objects (which optimisers hold) stay the same."""
        for m in self.modules():
            for t in itertools.chain(m._parameters.values(), m._buffers.values()):
                if t is None or t.array.dtype.kind != "f":
                    continue
                t.array = fn(t.array)
                if t.grad is not None:
                    t.grad = from_numpy(fn(t.grad.array))
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """torch's forms ``to(dtype)``, ``to(device=None, dtype=None, non_blocking=False)``, ``to(tensor)``: floating
        parameters and buffers are cast in place; any device but the CPU raises ``DeviceError``."""
        where, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None), kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif is_device(a) or isinstance(a, int) and not isinstance(a, bool):
                where = a
            elif not isinstance(a, bool):  # (a bool is the positional non_blocking)
                dtype = a
        check_device(where, "Module.to")
        if dtype is None:
            return self
        dt = to_dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dt}")
        return self._apply(lambda a: a.astype(dt))

    def double(self) -> Module:
        return self.to(np.float64)

    def float(self) -> Module:
        return self.to(np.float32)

    def half(self) -> Module:
        return self.to(np.float16)

    def cpu(self) -> Module:
        return self

    def cuda(self, device: Any = None) -> Module:
        """Raises ``DeviceError``: pathgrad computes on the CPU only."""
        check_device("cuda" if device is None else device, "Module.cuda")
        return self

    # ---- state ----------------------------------------------------------------------------------------------------
    def _state_items(self, keep_vars: bool = False) -> Iterator[tuple[str, Tensor]]:
        """(key, tensor) for every parameter and persistent buffer, with torch's dotted key names. Shared tensors
        appear under each of their names, as in torch."""
        for prefix, m in self.named_modules(remove_duplicate=False):
            dot = prefix + "." if prefix else ""
            for name, p in m._parameters.items():
                if p is not None:
                    yield dot + name, p if keep_vars else p.detach()
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent_buffers_set:
                    yield dot + name, b if keep_vars else b.detach()

    def state_dict(self, *, destination: dict | None = None, prefix: str = "", keep_vars: bool = False
                   ) -> OrderedDict[str, Tensor]:
        """Parameters and persistent buffers by name, detached (they share the module's arrays, like torch)."""
        out = OrderedDict() if destination is None else destination
        for key, t in self._state_items(keep_vars):
            out[prefix + key] = t
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
                        ) -> _IncompatibleKeys:
        """Copy tensors (or numpy arrays) from ``state_dict`` into this module's parameters and buffers.

        With ``strict``, missing and unexpected keys are errors; a shape mismatch always is. All problems are
        reported together, in torch's wording. Returns ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        own = OrderedDict(self._state_items(keep_vars=True))
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict:
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        updates = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            arr = value.array if isinstance(value, Tensor) else np.asarray(value)
            if arr.dtype.kind not in "biuf":
                errors.append(f'While copying the parameter named "{key}", expected a tensor or array from '
                              f"checkpoint but received {type(value).__name__} of dtype {arr.dtype}.")
            elif arr.shape != target.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape {tuple(arr.shape)} from "
                              f"checkpoint, the shape in current model is {tuple(target.shape)}.")
            else:
                updates.append((target, arr))
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        for target, arr in updates:
            # copy into the existing array (as torch's param.copy_ does), so views and optimisers see the values;
            # the source is cast to the target's dtype
            if assign:
                target.array = np.array(arr, dtype=target.dtype)
            elif target.array.flags.writeable:
                np.copyto(target.array, arr, casting="unsafe")
            else:
                target.array = np.array(arr, dtype=target.dtype)
            increment_version(target)
        return _IncompatibleKeys(missing, unexpected)

    # ---- printing -------------------------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr, e.g. ``in_features=2, out_features=3``."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(m), 2) for name, m in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"
