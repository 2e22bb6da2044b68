"""The optimiser base class: parameter groups, lazily created per-parameter state, ``state_dict``.

This is ``torch.optim.Optimizer``'s contract. A subclass passes its hyper-parameters as ``defaults``; every
parameter group gets its own copy of them (overridable per group), and ``step`` loops over the groups, reads
``p.grad`` and updates ``p.array`` in place under ``no_grad``. Per-parameter buffers live in ``self.state[p]``,
a dict created on first access, holding ``Tensor``s such as ``"exp_avg"`` and the ``"step"`` counter. As in torch,
``self.state`` is a ``defaultdict(dict)`` keyed by the parameters themselves: a Tensor hashes by identity, so a
lookup never compares tensors element-wise.

``FirstOrderOptimizer`` is the shape every gradient-step optimiser here is written in (SGD, Adam and the rest):
the constructor's options checked once, each parameter's state made on first use, and one ``update`` per
parameter. The closure-driven ones (LBFGS, BFGS, ConjugateGradient, Newton) share ``flat.FlatOptimizer``.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import Tensor, enable_grad, get_default_dtype, no_grad
from autograd.graph import increment_version

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


class _RequiredParameter:
    """Singleton marking a hyper-parameter that every parameter group must set (torch's ``required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _describe(obj: Any) -> str:
    return type(obj).__module__ + "." + type(obj).__qualname__


class Optimizer:
    """Base class of all optimisers.

    Args:
        params: an iterable of ``Tensor``s, of ``(name, Tensor)`` pairs, or of dicts (parameter groups, each
            with a ``"params"`` entry and any options that override ``defaults`` for that group).
        defaults: the optimiser's hyper-parameters, used wherever a group does not set its own.
    """

    # scalar state whose dtype load_state_dict keeps (see there); subclasses add theirs
    _scalar_state_keys: tuple[str, ...] = ("step",)

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params should be an iterable of Tensors or dicts, "
                f"but got a single {_describe(params)}; wrap it in a list"
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError(f"{type(self).__name__}: optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Append a parameter group (e.g. layers unfrozen mid-training); unset options take defaults."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: param_group must be a dict, but got {_describe(param_group)}")
        param_group = dict(param_group)  # the caller's dict is theirs; torch mutates it, we need not
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{name}: optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets changes between runs; use a list instead"
            )
        params = list(params)

        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError(f"{name}: all params should be with or without names; some names are missing")
            param_group["param_names"] = names
        param_group["params"] = params

        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: can only optimize Tensors, but one of the params is {_describe(p)}")
            if not p.is_leaf:
                raise ValueError(
                    f"{name}: can't optimize a non-leaf Tensor (shape {tuple(p.shape)}); optimise the "
                    "leaf it was computed from, or call .detach() and set requires_grad=True"
                )

        for key, default in self.defaults.items():
            if default is required and key not in param_group:
                raise ValueError(f"{name}: parameter group didn't specify a value of required option {key!r}")
            param_group.setdefault(key, default)

        ids = [id(p) for p in params]
        if len(ids) != len(set(ids)):
            raise ValueError(f"{name}: a parameter group contains the same parameter more than once")
        for group in self.param_groups:
            if ("param_names" in group) != ("param_names" in param_group):
                raise ValueError(f"{name}: all param groups should be with names or all without")
            if not set(ids).isdisjoint(id(p) for p in group["params"]):
                raise ValueError(f"{name}: some parameters appear in more than one parameter group")

        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to ``None`` (the default, like torch), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if getattr(p.grad, "grad_fn", None) is not None:
                        p.grad = p.grad.detach()  # a create_graph gradient: drop its history, keep the values
                    p.grad.array[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once; ``closure`` re-evaluates the model and returns the loss."""
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    # -- saving and resuming -------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}`` like torch.

        Parameters are replaced by their position across all groups, so the dict holds no parameter and can
        be loaded into a fresh optimiser over the same model. State tensors are returned by reference.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)] if id(p) in index else p: v for p, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state saved by :meth:`state_dict` (e.g. via ``nn.save``/``nn.load``).

        State tensors are copied and cast to their parameter's dtype, except the scalar bookkeeping named in
        ``_scalar_state_keys`` (torch casts all but ``"step"``; keeping e.g. NAdam's float32 ``mu_product``
        makes a resumed run bitwise identical to an uninterrupted one). The loaded optimiser shares nothing
        with the dict it came from.
        """
        name = type(self).__name__
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}: loaded state dict has {len(saved_groups)} parameter groups, "
                f"the optimizer has {len(self.param_groups)}"
            )
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"{name}: loaded state dict's parameter group {i} has {len(saved['params'])} parameters, "
                    f"the optimizer's has {len(group['params'])}"
                )
        id_map = {}
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            for saved_id, p in zip(saved["params"], group["params"], strict=True):
                id_map[int(saved_id)] = p

        self.state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            # a save format may turn integer keys into strings; map them back
            k = int(key) if isinstance(key, str) and key.lstrip("-").isdigit() else key
            if k in id_map:
                p = id_map[k]
                keep = self._scalar_state_keys
                self.state[p] = {sk: _cast_state(p, sv, sk in keep) for sk, sv in value.items()}

        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            for key, value in saved.items():
                # tuples (betas, etas, ...) may come back from a file as lists; keep the type we started with
                if isinstance(group.get(key), tuple) and isinstance(value, list):
                    saved[key] = tuple(value)
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.param_groups = new_groups


def _cast_state(param: Tensor, value: Any, keep_dtype: bool = False) -> Any:
    """A deep copy of one state entry, its arrays cast to ``param``'s floating dtype unless ``keep_dtype``."""
    if isinstance(value, (Tensor, np.ndarray)):
        array = np.array(value.array if isinstance(value, Tensor) else value)  # np.array copies
        if not keep_dtype and array.dtype.kind == "f" and param.array.dtype.kind == "f":
            array = array.astype(param.array.dtype, copy=False)
        return as_tensor(array)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, keep_dtype) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v, keep_dtype) for v in value)
    return value


# -- helpers shared by the optimiser files ------------------------------------------------------------------


def as_tensor(array: np.ndarray) -> Tensor:
    """Wrap a state buffer in a ``Tensor`` of the same dtype (state holds Tensors, as in torch)."""
    return Tensor(array, dtype=array.dtype)


def zeros_like(p: Tensor) -> Tensor:
    return as_tensor(np.zeros_like(p.array))


def step_tensor(value: float = 0.0) -> Tensor:
    """A scalar state tensor such as the ``"step"`` counter: float32, or float64 when that is the default
    dtype (torch's ``_get_scalar_dtype``), whatever the parameter's dtype."""
    dtype = np.float64 if get_default_dtype() == np.float64 else np.float32
    return as_tensor(np.array(value, dtype=dtype))


def increment(scalar: Tensor) -> float:
    """Add one to a 0-d state tensor in place and return its new value as a Python float."""
    data = scalar.array
    data += 1
    return data.item()


def grad_array(p: Tensor, maximize: bool = False) -> np.ndarray:
    """``p.grad`` as an array, negated (a new array) when maximising."""
    g = p.grad.array
    return np.negative(g) if maximize else g


def weight_decay_(param: np.ndarray, grad: np.ndarray, group: dict[str, Any], decoupled: bool | None = None
                  ) -> np.ndarray:
    """Apply the group's weight decay λ; returns the gradient to use.

    L2 (the default): g ← g + λθ, the gradient of the penalty (λ/2)‖θ‖². Decoupled (AdamW's; the group's
    ``decoupled_weight_decay`` unless ``decoupled`` is given): θ ← θ(1 − lr·λ), shrinking the parameter's array
    directly, outside the adaptive scaling."""
    weight_decay = group["weight_decay"]
    if weight_decay == 0:
        return grad
    if decoupled is None:
        decoupled = group.get("decoupled_weight_decay", False)
    if decoupled:
        param *= 1 - group["lr"] * weight_decay
        return grad
    return grad + weight_decay * param


def lerp_(buf: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """``buf ← buf + weight·(end − buf)`` in place, the two-branch form torch's ``lerp_`` uses.

    Adam-style moving averages ``β·m + (1−β)·g`` are written as ``m.lerp_(g, 1−β)`` in torch; matching its
    branch keeps float32 results identical.
    """
    if abs(weight) < 0.5:
        buf += weight * (end - buf)
    else:
        diff = end - buf
        diff *= 1 - weight
        np.subtract(end, diff, out=buf)
    return buf


def check_options(name: str, **options: Any) -> None:
    """Raise torch's ``ValueError``, naming the optimiser, for the first invalid option in the order given.

    ``betas`` must each be in [0, 1), ``nus`` each and ``rho`` in [0, 1], ``etas`` 0 < etaminus < 1 < etaplus;
    every other option must be ≥ 0 (NaN is not)."""
    for key, value in options.items():
        if key in ("betas", "nus"):
            top = ")" if key == "betas" else "]"
            for i, v in enumerate(value):
                if not (0.0 <= v < 1.0 if key == "betas" else 0.0 <= v <= 1.0):
                    raise ValueError(f"{name}: invalid {key[:-1]} parameter at index {i}: {v} (must be in [0, 1{top})")
        elif key == "rho":
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name}: invalid rho value: {value} (must be in [0, 1])")
        elif key == "etas":
            if not 0.0 < value[0] < 1.0 < value[1]:
                raise ValueError(
                    f"{name}: invalid eta values: {value[0]}, {value[1]} (need 0 < etaminus < 1 < etaplus)")
        elif not 0.0 <= value:
            label = {"lr": "learning rate", "eps": "epsilon value"}.get(key, f"{key} value")
            raise ValueError(f"{name}: invalid {label}: {value}")


def evaluate_closure(closure: Callable[[], Any] | None) -> Any:
    """Call ``closure`` with gradients enabled (``step`` itself runs under ``no_grad``); None → None."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


# -- the shape of the first-order optimisers ----------------------------------------------------------------


class FirstOrderOptimizer(Optimizer):
    """An optimiser that moves each parameter by a rule of its gradient and its own state (SGD, Adam, ...).

    A subclass writes three things: its constructor, which passes ``defaults`` here (the options named in
    ``_checked_options`` are validated, in that order, with torch's messages); ``init_state``, the state of a
    parameter before its first update; and ``update``, the rule, in place on numpy arrays. ``step`` does the rest:
    it runs the closure, skips the parameters without a gradient, negates the gradient when ``maximize``, makes
    the state on first use, and bumps the version of every parameter it updated, as torch's in-place updates do
    (a graph recorded before ``step()`` then refuses to backpropagate through the old values).
    """

    _checked_options: tuple[str, ...] = ("lr", "eps", "betas", "weight_decay")

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        check_options(type(self).__name__, **{key: defaults[key] for key in self._checked_options})
        super().__init__(params, defaults)

    def init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of ``p`` before its first update: none unless the subclass says otherwise."""
        return {}

    def param_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """``self.state[p]``, made by ``init_state`` on first use."""
        state = self.state[p]
        if not state:
            state.update(self.init_state(p, group))
        return state

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        """One step of the rule for one parameter: change ``param`` (its array) and the state in place."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update()")

    def update_group(self, index: int, group: dict[str, Any], params: list[Tensor]) -> None:
        """Update the parameters of group ``index`` that have a gradient; Adam overrides this for ``foreach``."""
        for p in params:
            self.update(p.array, grad_array(p, group["maximize"]), self.param_state(p, group), group)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; ``closure`` re-evaluates the model and returns the loss."""
        loss = evaluate_closure(closure)
        for index, group in enumerate(self.param_groups):
            params = [p for p in group["params"] if p.grad is not None]
            self.update_group(index, group, params)
            for p in params:
                increment_version(p)
        return loss
