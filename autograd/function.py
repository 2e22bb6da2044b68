"""``Function``: an op's forward, backward and forward-mode rule in one class — torch.autograd.Function's contract.

Calling ``MyOp.apply(*args)`` runs ``forward(ctx, *args)`` without recording; if recording is on and an input
requires grad, the call also makes a graph node. The node *is* ``ctx``: an instance of the op's class that keeps its
inputs (``ctx.args``), the nodes that produced them (``ctx.next_functions``, as in torch), what forward saved
(``ctx.saved_tensors``) and ``ctx.needs_input_grad``. Outputs point back to it through ``grad_fn``.

Two flavours, one mechanism:
- ``Function`` is torch's contract, for users' own ops: forward and backward see Tensors.
- ``Op`` is how pathgrad's built-in ops are written: ``forward`` computes on NumPy arrays; ``backward`` and ``jvp``
  are written once with autograd's functions and operators (``grad * y``, ``matmul(g, w)``, ``sum(g, dims)``),
  which take arrays and Tensors alike. A plain ``backward()`` gives them arrays, fast; ``create_graph=True`` gives
  them Tensors, so the same formula is recorded and can be differentiated again. Ops called on arrays alone just
  compute (``apply``'s first line): that is what makes one formula serve both.
"""

from __future__ import annotations

import itertools
import os
import traceback
from typing import Any

import numpy as np

from .grad_mode import _state
from .tensor import Tensor

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_recorded = itertools.count()  # numbers nodes in the order they are made: a node's inputs come from older nodes


class Function:
    """Base class of differentiable ops. Subclass it and define static ``forward``, ``backward`` (and ``jvp``)."""

    on_arrays = False  # False: forward and backward see Tensors (torch's contract); True: see the module docstring
    is_view = False  # the output is a view of input 0 (shares its memory) whenever NumPy returned one
    materialize_grads = True  # give backward zeros, not None, for outputs that got no gradient
    sequence_nr = -1
    scope: tuple = ()  # the Modules whose forward was running when this node was recorded (for drawing)
    output_hooks: dict | None = None  # output index -> hooks (Tensor.register_hook on a non-leaf)
    kwargs: dict | None = None  # the keyword arguments forward was called with, if any
    _saved: tuple | None = ()
    _to_save: tuple = ()
    _non_differentiable: tuple = ()
    _creation: str | None = None

    # ---- the contract a subclass fills in -------------------------------------------------------------------------
    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Function, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, *grad_outputs)")

    @staticmethod
    def jvp(ctx: Function, *tangents: Any) -> Any:
        raise NotImplementedError("this Function defines no forward-mode rule (jvp)")

    # ---- ctx API used inside forward/backward ---------------------------------------------------------------------
    def save_for_backward(self, *values: Any) -> None:
        """Keep inputs or outputs (or other values) for backward; changing a kept input or output in place before
        backward is detected there."""
        self._to_save = values

    @property
    def saved_tensors(self) -> tuple:
        """What forward saved, checked against later in-place changes: arrays for an Op's backward on arrays,
        Tensors otherwise (an output comes back with this node as its grad_fn, so second derivatives flow)."""
        if self._saved is None:
            raise RuntimeError(
                f"{self.name()}: trying to backward through the graph a second time (or to read saved tensors "
                "after they were freed). Pass retain_graph=True to the first backward() if you need a second one.")
        values = []
        # _saved is flat: (where, its version then) for each saved value, where is the input's position, or the
        # output Tensor itself; a constant is (the value, None)
        for where, version in zip(self._saved[::2], self._saved[1::2]):
            v = self._links[3 * where] if where.__class__ is int and version is not None else where
            if version is not None and v._version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: saved tensor {len(values)} of {self.name()} (shape {v.shape}) is at version "
                    f"{v._version}; expected version {version} instead. Use an out-of-place op (x = x + y, not "
                    "x += y), or clone it before changing it.")
            values.append(v)
        if self.on_arrays and not _state.enabled:  # an Op's formula on arrays
            return tuple([v.array if isinstance(v, Tensor) else v for v in values])
        return tuple([Tensor._make(v) if isinstance(v, np.ndarray) else v for v in values])

    def mark_non_differentiable(self, *outputs: Any) -> None:
        self._non_differentiable = outputs

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    @property
    def args(self) -> tuple:
        """The arguments forward was called with, in order: input Tensors and constants (dims, shapes, ...)."""
        return self._links[::3]

    @property
    def next_functions(self) -> tuple:
        """``(producer node, output index)`` for each forward argument; ``(None, 0)`` for leaves and constants."""
        return tuple(zip(self._links[1::3], self._links[2::3]))

    @classmethod
    def name(cls) -> str:
        return cls.__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    # ---- running an op --------------------------------------------------------------------------------------------
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        ctx = cls()
        if cls.on_arrays and not any([isinstance(a, Tensor) for a in args]):
            ctx.needs_input_grad = (False,) * len(args)  # plain arrays in: plain arrays out, nothing to record
            return cls.forward(ctx, *args, **kwargs)
        # For each argument: what forward gets, whether backward may want its gradient, and, flat in one tuple,
        # the argument with the node that made it and which output of that node it is.
        inputs, wants, links = [], [], []
        for a in args:
            tensor = isinstance(a, Tensor)
            grad_fn = a.grad_fn if tensor else None
            inputs.append(a.array if tensor and cls.on_arrays else a)
            wants.append(tensor and (grad_fn is not None or a._requires_grad))
            links += (a, grad_fn, a._output_nr if tensor else 0)
        enabled = _state.enabled
        record = enabled and True in wants
        tangents = _state.fw_level > 0 and any([isinstance(a, Tensor) and a._fw_grad is not None for a in args])
        if tangents:  # forward mode wants every tensor input's tangent
            wants = [isinstance(a, Tensor) for a in args]
        ctx.needs_input_grad = _shared(tuple(wants), _NEEDS) if record or tangents else (False,) * len(args)
        _state.enabled = False  # forward's own ops are not recorded: the op is one node
        try:
            raw = cls.forward(ctx, *inputs, **kwargs)
        except ValueError as e:
            raise _forward_error(cls, args, e) from e
        finally:
            _state.enabled = enabled
        raws = raw if raw.__class__ is tuple else (raw,)
        outputs = tuple([_as_output(o, args) if isinstance(o, Tensor) else Tensor._make(np.asarray(o)) for o in raws])
        if cls.is_view:
            _mark_view(cls, args, outputs[0])
        if record or tangents:
            ctx._links = tuple(links)
            saved = []  # flat: (where, its version now) for each value forward saved
            for v in ctx._to_save:
                saved += _saved_entry(v, args, inputs, raws, outputs)
            # shared if it holds only positions, versions and None (no Tensor, no float or bool constant)
            ctx._saved = _shared(tuple(saved), _SAVED) if all([w is None or w.__class__ is int for w in saved[::2]]
                                                              ) else tuple(saved)
            ctx._to_save = ()  # (resolved: one object less for the garbage collector to track)
        if record:
            ctx._record(kwargs, outputs)
        if _state.anomaly:
            _check_forward(cls, ctx, outputs, record)
        if tangents:
            _propagate_tangents(ctx, args, outputs)
        return outputs if raw.__class__ is tuple else None if raw is None else outputs[0]  # (None: as torch)

    def _record(self, kwargs: dict, outputs: tuple) -> None:
        """Make this ctx a graph node: its outputs get their grad_fn. (``_links`` holds, for each input, the input
        and its producer and output index, fixed when the op ran: an in-place op may later give an input a new
        history.)"""
        # (no empty kwargs dict kept: one object less for the garbage collector to track)
        self.sequence_nr, self.scope, self.kwargs = next(_recorded), _state.scope, kwargs or None
        self.output_meta = _shared(tuple([(o.array.shape, o.array.dtype) for o in outputs]), _META)
        for i, o in enumerate(outputs):
            if o.array.dtype.kind == "f" and not (self._non_differentiable and _listed(o, self._non_differentiable)):
                o._grad_fn, o._output_nr = self, i

    def _call(self, rule: Any, values: list) -> tuple:
        """Run ``rule`` (backward or jvp) on ``values`` (gradients or tangents) as this op expects them: an Op takes
        what it is given; a Function (torch's contract) takes Tensors, and returns arrays where it got arrays."""
        if self.on_arrays or any([isinstance(v, Tensor) for v in values]):
            return _tuple(rule(self, *values))
        results = rule(self, *[None if v is None else Tensor._make(np.asarray(v)) for v in values])
        return tuple([r.array if isinstance(r, Tensor) else r for r in _tuple(results)])

    def _output_moved(self, out: Tensor, to: Tensor) -> None:
        """An in-place op wrote its output ``out`` into ``to``'s memory: a saved output is ``to`` from now on, so a
        later change to ``to`` is caught."""
        self._saved = tuple([x for where, version in zip(self._saved[::2], self._saved[1::2])
                             for x in ((to, to._version) if where is out else (where, version))])

    def _free(self) -> None:
        """Drop what forward saved (backward ran, retain_graph=False)."""
        self._saved = None


class Op(Function):
    """A built-in op: forward on NumPy arrays; backward and jvp written with autograd's functions and operators."""

    on_arrays = True


def _tuple(x: Any) -> tuple:
    return x if x.__class__ is tuple else (x,)


# Speed, measured: a node's small tuples of constants (needs_input_grad, output_meta, the positions and versions
# of the inputs it saved) repeat from node to node. Sharing one copy of each keeps a node of micrograd's scalar demo
# at three objects the cyclic garbage collector tracks (node, output, _links) instead of six; on that benchmark the
# collector's time per step falls from 0.47 s to 0.27 s (bench/scalar.py). Only tuples of bools, ints, None, shapes
# and dtypes are shared, never tensors, each kind in its own dict (as keys, (0, 1) and (False, True) are the same).
_NEEDS: dict = {}
_META: dict = {}
_SAVED: dict = {}


def _shared(t: tuple, copies: dict) -> tuple:
    """One copy of each small tuple of constants (see above), from ``copies``, a dict for one kind of tuple."""
    return copies.setdefault(t, t) if len(copies) < 4096 else copies.get(t, t)


def _listed(o: Tensor, values: tuple) -> bool:
    return any(o is v or o.array is v for v in values)


def _as_output(o: Tensor, args: tuple) -> Tensor:
    """A Tensor that a Function's forward returned, as an output: a new tensor object if it is one of the inputs."""
    return Tensor._make(o.array) if any([o is a for a in args]) else o


def _mark_view(cls: type, args: tuple, out: Tensor) -> None:
    """If NumPy's result shares input 0's memory, ``out`` is a view of that input's base, as in torch: the same
    storage and version counter, and the chain of view ops that makes it from the base (replayed on new history)."""
    x = args[0]
    if isinstance(x, Tensor) and np.may_share_memory(out.array, x.array):
        base = x if x._base is None else x._base
        out._base, out._counter, out._base_history = base, base._shared_counter(), base._grad_fn
        out._view_fn = (x._view_fn if x._base is not None else ()) + ((cls, args[1:]),)


def _saved_entry(value: Any, args: tuple, inputs: list, raws: tuple, outputs: tuple) -> tuple:
    """(where, version now) for a value forward saved: an input (by position; forward may have saved its array),
    an output (the Tensor), or a constant as it is, with version None."""
    if value is None:
        return None, None
    for i, v in enumerate(inputs):
        if value is v or value is args[i]:
            return (i, args[i]._version) if isinstance(args[i], Tensor) else (value, None)
    for r, o in zip(raws, outputs):
        if value is r or value is o or value is o.array:
            return o, o._version
    return value, None


def _forward_error(cls: type, args: tuple, e: ValueError) -> Exception:
    """The error to raise for a ValueError from forward: the op's own stays a ValueError; NumPy's (shapes that don't
    broadcast, ...) becomes torch's type for it, RuntimeError, with a message that names the op and the shapes."""
    op = cls.__name__.lower()
    shapes = [tuple(a.shape) for a in args if isinstance(a, Tensor | np.ndarray)]
    msg = str(e)
    if msg.startswith(op + ":") or ":" in msg.split(" ")[0]:
        return ValueError(msg)
    if "broadcast" in msg and len(shapes) >= 2:
        msg = (f"{op}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together; each trailing "
               "dimension must match or be 1 (reshape or unsqueeze one operand)")
    else:
        msg = f"{op}: {msg} (input shapes: {', '.join(map(str, shapes))})"
    return RuntimeError(msg)


def _check_forward(cls: type, ctx: Function, outs: tuple, record: bool) -> None:
    # Where the user called the op: the last frames outside pathgrad's own autograd package.
    frames = [f for f in traceback.extract_stack()[:-3] if _PACKAGE_DIR not in f.filename]
    stack = "".join(traceback.format_list(frames[-6:]))
    if record:
        ctx._creation = stack
    for i, o in enumerate(outs):
        if o.array.dtype.kind == "f" and not np.isfinite(o.array).all():
            raise RuntimeError(
                f"detect_anomaly: {cls.__name__} produced NaN/Inf in forward output {i}. It was called from:\n{stack}"
            )


def _propagate_tangents(ctx: Function, args: tuple, outs: tuple) -> None:
    """Forward mode: the outputs' tangents from the inputs' (ż = Σᵢ ∂z/∂xᵢ · ẋᵢ), by the op's jvp rule on arrays.
    A tensor input without a tangent moves with tangent zero, so the rule sees one for every tensor input."""
    tangents = [None if not isinstance(a, Tensor) else np.zeros_like(a.array) if a._fw_grad is None
                else a._fw_grad.array for a in args]
    prev, level = _state.enabled, _state.fw_level
    _state.enabled, _state.fw_level = False, 0  # the rule's own ops neither record nor push tangents further
    try:
        out_t = ctx._call(type(ctx).jvp, tangents)
    finally:
        _state.enabled, _state.fw_level = prev, level
    for o, t in zip(outs, out_t):
        if t is not None and o.array.dtype.kind == "f":
            t = np.asarray(t, dtype=o.array.dtype)
            o._fw_grad = Tensor._make(np.broadcast_to(t, o.shape) if t.shape != o.shape else t)
