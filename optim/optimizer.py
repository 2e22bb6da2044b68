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
import math
import numbers
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

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


class OptionLengthError(ValueError, IndexError):
    """A pair option (``betas``, ``etas``, ``step_sizes``, ...) of the wrong length.

    A ``ValueError``, and an ``IndexError`` as well, which is what torch's optimisers raise for a too-short pair
    (``tuple index out of range``), so code written against either catches it (numpy's ``AxisError`` does the same).
    """


class StateSpec(NamedTuple):
    """What one per-parameter state entry must look like, for ``load_state_dict`` (see ``Optimizer._state_spec``).

    ``shape``: a floating tensor of that shape (a buffer such as ``exp_avg``), or None for a scalar (a number or a 0-d
    real tensor, such as ``step``). ``note`` says where the shape comes from, for the error message; ``sequence``: the
    entry is a list of such values (LBFGS's history); ``unexpected``: why the entry cannot belong to this parameter.
    """

    shape: tuple[int, ...] | None
    note: str = ""
    sequence: bool = False
    unexpected: str | None = None


_FIX_ADVICE = "fix the entry, or delete this parameter's entry from state_dict['state'] to start its state afresh"
_RESTORE_ADVICE = (
    "the state dict was saved from an optimiser over other parameters (another model, or the same parameters in "
    "another order); load it into an optimiser built over the same parameters, in the same order and groups, or "
    "delete this parameter's entry from state_dict['state'] to start its state afresh"
)


class Optimizer:
    """Base class of all optimisers.

    Args:
        params: an iterable of ``Tensor``s, of ``(name, Tensor)`` pairs, or of dicts (parameter groups, each
            with a ``"params"`` entry and any options that override ``defaults`` for that group).
        defaults: the optimiser's hyper-parameters, used wherever a group does not set its own.
    """

    # scalar state (0-d tensors) whose dtype load_state_dict keeps, and which it accepts as plain numbers too (see
    # there and _state_spec); subclasses add theirs
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
            if isinstance(default, tuple) and key in param_group:  # a pair such as betas, set for this group
                param_group[key] = check_length(name, key, param_group[key], len(default), "parameter group's ")
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

        Everything is checked before anything is changed, and a mismatch raises ``ValueError`` naming the parameter
        (its index in the dict, its group and position) and the state entry: the number of groups and of parameters
        in each (as torch), every state tensor's shape and dtype against its parameter (``_state_spec``; torch checks
        neither), the scalar counters' types, and the length of pair options such as ``betas``.

        State tensors are copied and cast to their parameter's dtype, except the scalar bookkeeping named in
        ``_scalar_state_keys`` (torch casts all but ``"step"``; keeping e.g. NAdam's float32 ``mu_product``
        makes a resumed run bitwise identical to an uninterrupted one); those may also be plain numbers (torch's
        older checkpoints keep ``step`` as an int), which become float scalar tensors, as torch makes them. The
        loaded optimiser shares nothing with the dict it came from.
        """
        name = type(self).__name__
        where = f"{name}.load_state_dict"
        if not isinstance(state_dict, Mapping) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError(f"{where}: expected a dict with 'state' and 'param_groups', as state_dict() returns, "
                             f"got {_describe(state_dict)}")
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{where}: loaded state dict has a different number of parameter groups: {len(saved_groups)} "
                f"saved, {len(self.param_groups)} in the optimizer; build the optimiser with the same parameter "
                "groups as the one whose state was saved"
            )
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if not isinstance(saved, dict) or "params" not in saved:
                raise ValueError(f"{where}: parameter group {i} of the state dict is not a dict with 'params'")
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"{where}: loaded state dict contains a parameter group that doesn't match the size of "
                    f"optimizer's group: group {i} has {len(saved['params'])} parameters in the state dict, "
                    f"{len(group['params'])} in the optimizer; build the optimiser over the same parameters, "
                    "in the same groups, as the one whose state was saved"
                )
            for key, value in saved.items():
                # tuples (betas, etas, ...) may come back from a file as lists; keep the type we started with
                if isinstance(group.get(key), tuple):
                    saved[key] = check_length(where, key, value, len(group[key]), f"group {i}'s ")

        id_map: dict[int, tuple[Tensor, int, int]] = {}  # saved index -> (parameter, group, position)
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            for j, (saved_id, p) in enumerate(zip(saved["params"], group["params"], strict=True)):
                index = _state_index(saved_id)
                if index is None or index in id_map:
                    raise ValueError(
                        f"{where}: group {i}, position {j} of the state dict names parameter {saved_id!r}, "
                        "but parameters are numbered by distinct integers (as state_dict() writes them)"
                    )
                id_map[index] = (p, i, j)

        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            k = _state_index(key)  # a save format may turn integer keys into strings; map them back
            if k is None:
                continue  # state of a tensor in no group (state_dict() keeps it under the tensor): not ours
            if k not in id_map:
                raise ValueError(
                    f"{where}: the state dict has state for parameter {key!r}, which none of its parameter groups "
                    f"lists (they list {sorted(id_map)[:8]}{'...' if len(id_map) > 8 else ''}); {_RESTORE_ADVICE}"
                )
            p, i, j = id_map[k]
            if not isinstance(value, Mapping):
                raise ValueError(f"{where}: the state of parameter {k} (group {i}, position {j}) is a "
                                 f"{_describe(value)}, not a dict of state entries")
            state[p] = {sk: self._load_state_entry(p, sk, sv, f"{where}: state[{k}][{sk!r}]",
                                                   f" of parameter {k} (group {i}, position {j})")
                        for sk, sv in value.items()}

        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.state = state
        self.param_groups = new_groups

    def _state_spec(self, p: Tensor, key: str) -> StateSpec:
        """What ``self.state[p][key]`` must be, checked by ``load_state_dict``: a scalar for the keys named in
        ``_scalar_state_keys``, a floating tensor of ``p``'s shape otherwise (an optimiser whose state is shaped
        otherwise, Adafactor's or the closure optimisers', says so here)."""
        if key in self._scalar_state_keys:
            return StateSpec(None)
        return StateSpec(tuple(p.array.shape), "the parameter's shape")

    def _state_owner(self, p: Tensor) -> str:
        """What the state of ``p`` is checked against, for ``load_state_dict``'s messages."""
        return f"the parameter has shape {tuple(p.array.shape)} and dtype {p.array.dtype}"

    def _load_state_entry(self, p: Tensor, key: str, value: Any, entry: str, whose: str) -> Any:
        """A checked copy of one loaded state entry of ``p``; errors name it as ``entry`` (``[n]``) ``whose``."""
        spec = self._state_spec(p, key)
        param = self._state_owner(p)
        label = entry + whose
        if spec.unexpected is not None:
            raise ValueError(f"{label} does not belong here: {spec.unexpected} ({param}); {_RESTORE_ADVICE}")
        if spec.sequence:
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"{label} is {_value_of(value)}, expected a list (a history of values); "
                                 f"{_FIX_ADVICE}")
            return type(value)(self._check_state_value(p, key, v, spec, f"{entry}[{n}]{whose}", param)
                               for n, v in enumerate(value))
        return self._check_state_value(p, key, value, spec, label, param)

    def _check_state_value(self, p: Tensor, key: str, value: Any, spec: StateSpec, label: str, param: str) -> Any:
        keep = key in self._scalar_state_keys
        if value is None and not keep:
            return None  # e.g. torch's LBFGS keeps Nones in its "al" list; the counters (step...) are never None
        if spec.shape is None:  # a scalar: a real number or a 0-d real tensor
            if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):  # numpy's too
                number = float(value)
                _check_counter(key, number, label)
                return step_tensor(number) if keep else value  # our first-order updates read scalars as tensors
            array = value.array if isinstance(value, Tensor) else value if isinstance(value, np.ndarray) else None
            if array is None or array.ndim != 0 or array.dtype.kind not in "fiu":
                got = (f"a tensor of shape {tuple(array.shape)} and dtype {array.dtype}" if array is not None
                       else _value_of(value))
                raise ValueError(
                    f"{label} is {got}, but {key!r} is a scalar: a real number or a 0-d float tensor (shape (), "
                    f"as state_dict() and torch write it); {_FIX_ADVICE}"
                )
            _check_counter(key, float(array), label)
            if keep and array.dtype.kind != "f":
                return step_tensor(float(array))  # an integer count (older checkpoints) as the float scalar torch keeps
            return _cast_state(p, value, keep)
        if not isinstance(value, (Tensor, np.ndarray)):
            raise ValueError(
                f"{label} is {_value_of(value)}, expected a tensor of shape {spec.shape} ({spec.note}) and a "
                f"floating dtype; {_RESTORE_ADVICE}"
            )
        array = value.array if isinstance(value, Tensor) else value
        if tuple(array.shape) != spec.shape:
            raise ValueError(
                f"{label} has shape {tuple(array.shape)} and dtype {array.dtype}, expected shape {spec.shape} "
                f"({spec.note}); {param}; {_RESTORE_ADVICE}"
            )
        if array.dtype.kind != p.array.dtype.kind:
            kind = _KIND_NAMES.get(p.array.dtype.kind, "matching")
            raise ValueError(
                f"{label} has dtype {array.dtype} (shape {tuple(array.shape)}), expected a {kind} dtype like the "
                f"parameter's {p.array.dtype}; {param}; {_RESTORE_ADVICE}"
            )
        return _cast_state(p, value, keep)


_KIND_NAMES = {"f": "floating", "c": "complex", "i": "integer", "u": "unsigned integer", "b": "boolean"}


def _state_index(key: Any) -> int | None:
    """A parameter's index in a state dict (an int, or its digits, as a save format may write it); None if not one."""
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        return int(key)
    if isinstance(key, str) and key.lstrip("-").isdigit():
        return int(key)
    return None


def _value_of(value: Any) -> str:
    """``value`` for an error message: its type, and its start."""
    text = repr(value)
    return f"a {type(value).__name__} ({text if len(text) <= 40 else text[:37] + '...'})"


def _check_counter(key: str, value: float, label: str) -> None:
    if key == "step" and not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{label} is {value}, but the step count must be a finite number >= 0; {_FIX_ADVICE}")


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


PAIR_OPTIONS = {
    "betas": "(beta1, beta2)",
    "nus": "(nu1, nu2)",
    "etas": "(etaminus, etaplus)",
    "step_sizes": "(min_step_size, max_step_size)",
}


def check_length(name: str, key: str, value: Any, length: int, whose: str = "", what: str | None = None
                 ) -> tuple[Any, ...]:
    """``value`` as a tuple, or ``OptionLengthError`` (a ValueError) unless it is a sequence of ``length`` items.

    The message names the optimiser, the option (``whose`` before it: e.g. "group 1's "), the length expected and
    the meaning of the items (``what``, by default the one ``PAIR_OPTIONS`` gives)."""
    what = PAIR_OPTIONS.get(key, "") if what is None else what
    expected = f"{whose}{key} must be a tuple of {length} values" + (f" {what}" if what else "")
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list, np.ndarray)):
        raise OptionLengthError(f"{name}: {expected}, got {_describe(value)} {value!r}")
    if len(value) != length:
        raise OptionLengthError(f"{name}: {expected}, got {len(value)}: {tuple(value)!r}")
    return tuple(value)


def check_options(name: str, **options: Any) -> None:
    """Raise torch's ``ValueError``, naming the optimiser, for the first invalid option in the order given.

    ``betas`` must each be in [0, 1), ``nus`` each and ``rho`` in [0, 1], ``etas`` 0 < etaminus < 1 < etaplus;
    the pairs (``betas``, ``nus``, ``etas``, ``step_sizes``) must have two values (``OptionLengthError``, a
    ValueError that is also the IndexError torch raises); every other option must be ≥ 0 (NaN is not)."""
    for key, value in options.items():
        if key in PAIR_OPTIONS:
            check_length(name, key, value, 2)
        if key == "step_sizes":
            continue  # any two numbers, as torch's Rprop
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
