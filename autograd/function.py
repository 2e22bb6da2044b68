"""``Function``: an op's forward, backward and forward-mode rule in one class — torch.autograd.Function's contract.

Every built-in op is a Function subclass, and so are users' custom ops. Calling ``MyOp.apply(*args)`` runs
``forward(ctx, *args)`` without recording; if graph recording is on and some input requires grad, the call also
creates a graph node. The node *is* ``ctx``: an instance of the Function class that keeps the inputs in order
(``ctx.args``), the nodes that produced them (``ctx.next_functions``, as in torch), what forward saved, and
``needs_input_grad``. Outputs point back to it through ``grad_fn``.

``backward(ctx, *grad_outputs)`` returns one gradient per forward argument (None where there is none) and is written
with Tensor ops, so that running it while recording (``create_graph=True``) yields differentiable gradients. The
engine reduces each gradient to its input's shape (undoing broadcasting), so a backward may return the broadcast shape.
A built-in op whose formula reads the same on numpy arrays sets ``array_backward``: then a plain ``backward()``
evaluates that one formula on arrays, much faster, and ``create_graph=True`` on Tensors.
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


class Function:
    """Base class of all differentiable ops. Subclass it and define static ``forward``, ``backward`` (and ``jvp``)."""

    # Class-level defaults, so that a node only carries what differs.
    _saved: tuple = ()
    _saved_versions: tuple = ()
    _freed = False
    _non_differentiable: tuple = ()
    _creation: str | None = None
    materialize_grads = True
    needs_input_grad: tuple = ()
    # The forward arguments (``args``): one or two in attributes of their own, others as the tuple given (see apply)
    _nargs = 0
    _arg0: Any = None
    _arg1: Any = None
    _args: tuple = ()
    _saves_args = False  # save_for_backward was given exactly the args (a·b): saved_tensors returns them
    kwargs: dict | None = None
    _output_nrs: tuple = ()
    # The producers of the inputs (see apply): two attributes, and a tuple only for ops with more inputs
    _producer0: Function | None = None
    _producer1: Function | None = None
    _more_producers: tuple = ()
    scope: tuple = ()
    output_hooks: dict | None = None  # output index -> hooks (Tensor.register_hook on a non-leaf)
    sequence_nr = -1  # the order of recording: a node's inputs were all made by nodes with smaller numbers
    # Set by ops whose backward formula is written with what numpy arrays and Tensors share (operators, ``.mT``,
    # ``.reshape``, ``.sum(dim)``, the helpers in ``ops/_util.py``). Without create_graph the engine then runs it on
    # plain arrays, skipping the Tensor bookkeeping; other Functions (users' too) always get Tensors.
    array_backward = False

    # ---- the contract a subclass fills in -------------------------------------------------------------------------
    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Function, *grad_outputs: Tensor) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, *grad_outputs)")

    @staticmethod
    def jvp(ctx: Function, *tangents: Tensor | None) -> Any:
        raise NotImplementedError("this Function defines no forward-mode rule (jvp)")

    # ---- ctx API used inside forward/backward ---------------------------------------------------------------------
    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward; an in-place change to one of them before backward is detected."""
        # Both inputs of a binary op (a·b): no tuple of their own, one object fewer per node
        self._saves_args = len(tensors) == 2 == self._nargs and tensors[0] is self._arg0 and tensors[1] is self._arg1
        versions = ()  # the versions saved_tensors checks against: () while all are 0, the usual case
        for t in tensors:
            if t is not None and t._version:
                versions = tuple([0 if t is None else t._version for t in tensors])
                break
        self._saved, self._saved_versions = () if self._saves_args else tensors, versions

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(
                f"{self.name()}: trying to backward through the graph a second time (or to read saved tensors "
                "after they were freed). Pass retain_graph=True to the first backward() if you need a second one."
            )
        saved, versions = self.args if self._saves_args else self._saved, self._saved_versions
        for i, t in enumerate(saved):
            if t is not None and t._version != (versions[i] if versions else 0):
                v = versions[i] if versions else 0
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: saved tensor {i} of {self.name()} (shape {t.shape}) is at version {t._version}; "
                    f"expected version {v} instead. Use an out-of-place op (x = x + y, not x += y) before backward."
                )
        return saved

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    @property
    def args(self) -> tuple:
        """The arguments forward was called with, in order: input Tensors and constants (dims, shapes, ...)."""
        n = self._nargs
        if n == 2:
            return (self._arg0, self._arg1)
        return (self._arg0,) if n == 1 else self._args

    @property
    def _producers(self) -> tuple:
        """The node that made each input (None for leaves and constants), as recorded; zipped with ``args``
        (a one-input node has a spare None at the end)."""
        return (self._producer0, self._producer1, *self._more_producers)

    @property
    def next_functions(self) -> tuple:
        """``(producer node, output index)`` for each forward argument; ``(None, 0)`` for leaves and constants."""
        return tuple(zip(self._producers, self._output_nrs))

    @classmethod
    def name(cls) -> str:
        return cls.__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    # ---- running an op --------------------------------------------------------------------------------------------
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        # This runs for every op: it is written for speed (one pass over args, no generators).
        state = _state
        ctx = cls.__new__(cls)
        # The cyclic garbage collector walks every live object, repeatedly, and runs more often the more objects
        # there are, so a graph node allocates as few as it can: the usual one or two arguments go into attributes
        # (so do their producers below), and the small metadata tuples, which repeat across nodes, are shared.
        n = ctx._nargs = len(args)
        if n == 1:
            ctx._arg0 = args[0]
        elif n == 2:
            ctx._arg0, ctx._arg1 = args
        else:
            ctx._args = args
        prev = state.enabled
        record = False
        if prev:
            # The edges, fixed now: for each input, whether it wants a gradient, the node that made it (None for
            # leaves and constants) and which output of that node it is. Were they read at backward time from the
            # inputs instead, an in-place op (d += ...) that later gives an input a new history would redirect them.
            needs, producers, nrs = [], [], []
            for a in args:
                if isinstance(a, Tensor) and a.requires_grad:
                    record = True
                    needs.append(True)
                    producers.append(a.grad_fn)
                    nrs.append(a._output_nr)
                else:
                    needs.append(False)
                    producers.append(None)
                    nrs.append(0)
        state.enabled = False
        try:
            raw = cls.forward(ctx, *args, **kwargs)
        except ValueError as e:
            raise ValueError(_forward_error(cls, args, e)) from e
        finally:
            state.enabled = prev

        single = raw.__class__ is not tuple
        if single:
            outs = (Tensor._make(raw) if raw.__class__ is np.ndarray else _as_output(raw, args),)
        else:
            outs = tuple([_as_output(o, args) for o in raw])

        if record:
            ctx.sequence_nr = next(_recorded)
            if kwargs:
                ctx.kwargs = kwargs
            if n:
                ctx._producer0 = producers[0]
                if n > 1:
                    ctx._producer1 = producers[1]
                    if n > 2:
                        ctx._more_producers = tuple(producers[2:])
            ctx.needs_input_grad = _shared(tuple(needs))
            ctx._output_nrs = _shared(tuple(nrs))
            if single:  # the usual case, without the loop below
                o = outs[0]
                data = o.array
                meta = ((data.shape, data.dtype),)
                if data.dtype.kind == "f" and not (ctx._non_differentiable and _listed(o, ctx._non_differentiable)):
                    o.grad_fn, o.requires_grad, o._output_nr = ctx, True, 0
            else:
                meta = []
                nondiff = ctx._non_differentiable
                for i, o in enumerate(outs):
                    data = o.array
                    meta.append((data.shape, data.dtype))
                    if data.dtype.kind == "f" and not (nondiff and _listed(o, nondiff)):
                        o.grad_fn, o.requires_grad, o._output_nr = ctx, True, i
                meta = tuple(meta)
            ctx.output_meta = _shared(meta)
            if state.scope:
                ctx.scope = state.scope
        if state.anomaly:
            _check_forward(cls, ctx, outs, record)
        if state.fw_level:
            _propagate_tangents(cls, ctx, args, outs)
        return outs[0] if single else outs


_recorded = itertools.count()
_SHARED: dict = {}


def _shared(t: tuple) -> tuple:
    """One canonical copy of a small immutable tuple of constants."""
    got = _SHARED.get(t)
    if got is None:
        if len(_SHARED) < 4096:
            _SHARED[t] = t
        return t
    return got


def _listed(o: Tensor, tensors: tuple) -> bool:
    return any(o is t for t in tensors)


def _as_output(o: Any, args: tuple) -> Tensor:
    """A forward's return value as a new output Tensor (numpy returns scalars for 0-d results: made arrays again)."""
    if isinstance(o, Tensor):
        for a in args:
            if o is a:  # an input returned as is: the output must be a new tensor object
                return Tensor._make(o.array)
        return o
    return Tensor._make(np.asarray(o))


def _forward_error(cls: type, args: tuple, e: ValueError) -> str:
    op = cls.__name__.lower()
    shapes = [tuple(a.shape) for a in args if isinstance(a, Tensor | np.ndarray)]
    msg = str(e)
    if msg.startswith(op + ":"):
        return msg
    if "broadcast" in msg and len(shapes) >= 2:
        return (f"{op}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together; each trailing "
                "dimension must match or be 1 (reshape or unsqueeze one operand)")
    return f"{op}: {msg} (input shapes: {', '.join(map(str, shapes))})"


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


def _propagate_tangents(cls: type, ctx: Function, args: tuple, outs: tuple) -> None:
    tangents = [a._fw_grad if isinstance(a, Tensor) else None for a in args]
    if all(t is None for t in tangents):
        return
    # Tensor inputs without a tangent move with tangent zero, so each jvp rule sees a tensor for every tensor input.
    tangents = [
        (t if t is not None else Tensor._make(np.zeros_like(a.array))) if isinstance(a, Tensor) else None
        for a, t in zip(args, tangents)
    ]
    # The rule's own ops must neither record a graph nor push tangents of their (dual) operands further.
    prev, level = _state.enabled, _state.fw_level
    _state.enabled, _state.fw_level = False, 0
    try:
        out_t = cls.jvp(ctx, *tangents)
    finally:
        _state.enabled, _state.fw_level = prev, level
    out_t = (out_t,) if not isinstance(out_t, tuple) else out_t
    for o, t in zip(outs, out_t):
        if t is not None and o.array.dtype.kind == "f":
            t = t.array if isinstance(t, Tensor) else np.asarray(t)
            if t.shape != o.shape:  # a tangent of a broadcast input
                t = np.broadcast_to(t, o.shape)
            o._fw_grad = Tensor._make(t)
