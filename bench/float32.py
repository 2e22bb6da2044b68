"""float32 end to end: does any op, layer, loss or optimiser silently upcast float32 to float64?

Every case starts from float32 inputs and parameters, runs forward, backward (and, for optimisers, three steps), and
is watched at four levels:

  * every Tensor created while the case runs (``Tensor._make`` / ``Tensor.__init__`` are wrapped): a float64 one is an
    upcast, reported with the innermost line of autograd/, nn/ or optim/ that made it;
  * every node of the recorded graph: its outputs' dtypes (``output_meta``), reported by op name;
  * every gradient a backward returns, before the engine casts it to its input's dtype (``engine._reduce_to`` is
    wrapped): a float64 gradient for a float32 input is computed in float64 and cast back — slow, and hidden;
  * inside optimiser steps, every NumPy ufunc / function on the parameters, gradients and state (they are viewed as a
    spying ndarray subclass): a float32 operand giving a float64 result is reported with the operation and operands;

and at the end the dtypes of the loss, every parameter, gradient and optimiser state buffer are checked.
This is a benchmark-side audit, not a test.

    python bench/float32.py
"""

from __future__ import annotations

import os

if __name__ == "__main__":  # run on its own: one thread; imported by run.py: leave the defaults to run.py
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

import sys  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd import Tensor, engine  # noqa: E402
from autograd.engine import topological_order  # noqa: E402
from nn import functional as F  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = tuple(str(ROOT / p) + os.sep for p in ("autograd", "nn", "optim"))

# ---- the watch ------------------------------------------------------------------------------------------------------
_case = [None]  # the case running now; None: not watching
findings: dict[tuple[str, str, str], int] = {}  # (case, kind, detail) -> count


def _where() -> str:
    """The innermost stack frame inside pathgrad's packages (the line that made the float64)."""
    for f in reversed(traceback.extract_stack()[:-2]):
        if f.filename.startswith(PACKAGES) and not f.filename.endswith("float32.py"):
            return f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} ({f.name}): {f.line}"
    return "(outside pathgrad)"


def _record(kind: str, detail: str) -> None:
    key = (_case[0], kind, detail)
    findings[key] = findings.get(key, 0) + 1


_orig_make = Tensor._make
_orig_init = Tensor.__init__
_orig_reduce_to = engine._reduce_to


def _make(data):
    if _case[0] is not None and data.dtype == np.float64:
        _record("float64 tensor", _where())
    return _orig_make(data)


def _init(self, *args, **kwargs):
    _orig_init(self, *args, **kwargs)
    if _case[0] is not None and self.array.dtype == np.float64:
        _record("float64 tensor", _where())


def _reduce_to(g, inp, node):
    gd = g.array.dtype if isinstance(g, Tensor) else np.asarray(g).dtype
    if _case[0] is not None and inp.array.dtype == np.float32 and gd != np.float32:
        _record("backward gradient", f"{node.name()} returned a {gd} gradient for a float32 input (cast back by "
                                     "the engine)")
    return _orig_reduce_to(g, inp, node)


def _describe(a) -> str:
    if isinstance(a, np.ndarray):
        return f"{a.dtype}{list(a.shape)}"
    if isinstance(a, np.generic):
        return f"np.{a.dtype} scalar"
    return type(a).__name__


def _check_numpy(name: str, args, res) -> None:
    flat = [a for a in args if isinstance(a, np.ndarray | np.generic)]
    if not any(a.dtype == np.float32 for a in flat):
        return
    for r in res if isinstance(res, tuple) else (res,):
        if isinstance(r, np.ndarray | np.generic) and r.dtype == np.float64:
            _record("numpy upcast", f"{name}({', '.join(_describe(a) for a in args)}) -> float64 at {_where()}")


class Spy(np.ndarray):
    """An ndarray that reports float32 → float64 promotions in the ufuncs and functions it takes part in."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        raw = [i.view(np.ndarray) if isinstance(i, Spy) else i for i in inputs]
        out = kwargs.get("out")
        if out:
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, Spy) else o for o in out)
        res = getattr(ufunc, method)(*raw, **kwargs)
        _check_numpy(ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}", raw, res)
        if out:
            return out[0] if len(out) == 1 else out
        if isinstance(res, tuple):
            return tuple(r.view(Spy) if type(r) is np.ndarray else r for r in res)
        return res.view(Spy) if type(res) is np.ndarray else res

    def __array_function__(self, func, types, args, kwargs):
        res = super().__array_function__(func, types, args, kwargs)
        _check_numpy(f"np.{func.__name__}", [a.view(np.ndarray) if isinstance(a, Spy) else a for a in args], res)
        return res


def _spy(a):
    return a.view(Spy) if isinstance(a, np.ndarray) and not isinstance(a, Spy) else a


def _unspy(a):
    return a.view(np.ndarray) if isinstance(a, Spy) else a


def install() -> None:
    Tensor._make = staticmethod(_make)
    Tensor.__init__ = _init
    engine._reduce_to = _reduce_to


def uninstall() -> None:
    Tensor._make = staticmethod(_orig_make)
    Tensor.__init__ = _orig_init
    engine._reduce_to = _orig_reduce_to


# ---- running a case -------------------------------------------------------------------------------------------------
def f32(*shape, positive=False, seed=0, requires_grad=True) -> Tensor:
    a = np.random.default_rng(seed + sum(shape)).standard_normal(shape).astype(np.float32)
    if positive:
        a = np.abs(a) + np.float32(0.5)
    return autograd.tensor(a, requires_grad=requires_grad)


def _check_graph(name: str, loss: Tensor) -> None:
    if loss.dtype != np.float32:
        _record("final dtype", f"loss is {loss.dtype}")
    if loss.grad_fn is None:
        return
    for node in topological_order([loss.grad_fn]):
        for i, (_, dt) in enumerate(node.output_meta):
            if dt == np.float64:
                _record("graph node", f"{node.name()} output {i} is float64")


def run_forward_case(name: str, fn: Callable[[], tuple[Tensor, list[Tensor]]]) -> None:
    """fn() -> (output, leaves); the output is summed to a scalar loss and backpropagated."""
    _case[0] = name
    try:
        out, leaves = fn()
        loss = out if out.ndim == 0 else out.sum()
        _check_graph(name, loss)
        loss.backward()
        for i, t in enumerate(leaves):
            if t.dtype.kind != "f":
                continue  # integer indices
            if t.grad is not None and t.grad.dtype != np.float32:
                _record("final dtype", f"grad of leaf {i} is {t.grad.dtype}")
            if t.dtype != np.float32:
                _record("final dtype", f"leaf {i} is {t.dtype}")
    except Exception as e:  # noqa: BLE001 - an audit reports and goes on
        _record("error", f"{type(e).__name__}: {e}")
    finally:
        _case[0] = None


def run_layer_case(name: str, layer: nn.Module, x: Tensor) -> None:
    def fn():
        out = layer(x)
        return out, [x, *layer.parameters()]
    run_forward_case(name, fn)
    _case[0] = name
    for bname, b in layer.named_buffers() if hasattr(layer, "named_buffers") else []:
        if isinstance(b, Tensor) and b.dtype.kind == "f" and b.dtype != np.float32:
            _record("final dtype", f"buffer {bname} is {b.dtype}")
    _case[0] = None


def run_optimizer_case(name: str, make: Callable[[list], optim.Optimizer], closure_based: bool = False) -> None:
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    params = list(model.parameters())
    x, y = f32(8, 3, requires_grad=False), f32(8, 2, seed=1, requires_grad=False)
    _case[0] = name
    try:
        opt = make(params)

        def closure():
            opt.zero_grad()
            loss = F.mse_loss(model(x), y)
            if not isinstance(opt, optim.Newton):  # Newton differentiates the closure's loss itself
                loss.backward()
            return loss

        for _ in range(3):
            if closure_based:
                for p in params:
                    p.array = _spy(p.array)
                opt.step(closure)
            else:
                closure()
                for p in params:
                    p.array = _spy(p.array)
                    p.grad.array = _spy(p.grad.array)
                for st in opt.state.values() if hasattr(opt.state, "values") else []:
                    for v in st.values():
                        if isinstance(v, Tensor):
                            v.array = _spy(v.array)
                opt.step()
            for p in params:
                p.array = _unspy(p.array)
                if p.grad is not None:
                    p.grad.array = _unspy(p.grad.array)
        for p in params:
            if p.dtype != np.float32:
                _record("final dtype", f"parameter is {p.dtype} after step")
        for st in opt.state.values() if hasattr(opt.state, "values") else []:
            for k, v in st.items():
                arr = v.array if isinstance(v, Tensor) else v
                if isinstance(arr, np.ndarray):
                    if isinstance(v, Tensor):
                        v.array = _unspy(v.array)
                    if arr.dtype == np.float64 and (arr.ndim or k != "step"):
                        _record("final dtype", f"state[{k!r}] is float64{list(arr.shape)}")
    except Exception as e:  # noqa: BLE001
        _record("error", f"{type(e).__name__}: {e}")
    finally:
        _case[0] = None


# ---- the cases ------------------------------------------------------------------------------------------------------
def op_cases() -> dict[str, Callable[[], tuple[Tensor, list[Tensor]]]]:
    def one(f, *specs):
        def fn():
            ts = [f32(*s) if isinstance(s, tuple) else s() for s in specs]
            return f(*ts), [t for t in ts if isinstance(t, Tensor)]
        return fn

    A, B, M, P = (4, 5), (4, 5), (5, 3), lambda: f32(4, 5, positive=True)
    idx = autograd.tensor(np.array([[0, 1], [2, 3], [4, 0], [1, 1]]))
    mask = autograd.tensor(np.arange(20).reshape(4, 5) % 3 == 0)
    s64 = autograd.tensor(0.5, dtype=autograd.float64)  # made outside the watch: float64 on purpose
    return {
        "add": one(lambda a, b: a + b, A, B), "sub": one(lambda a, b: a - b, A, B),
        "mul": one(lambda a, b: a * b, A, B), "div": one(lambda a, b: a / b, A, P),
        "add python float": one(lambda a: a + 1.5, A), "mul python float": one(lambda a: a * 0.3, A),
        "div python int": one(lambda a: a / 3, A), "rsub python float": one(lambda a: 1.0 - a, A),
        "rdiv python float": one(lambda a: 2.0 / a, P), "pow 2": one(lambda a: a ** 2, A),
        "pow 0.5": one(lambda a: a ** 0.5, P), "pow tensor": one(lambda a, b: a ** b, P, B),
        "rpow": one(lambda a: 2.0 ** a, A), "neg": one(lambda a: -a, A), "abs": one(lambda a: a.abs(), A),
        "exp": one(lambda a: a.exp(), A), "log": one(lambda a: a.log(), P), "log1p": one(lambda a: a.log1p(), P),
        "sqrt": one(lambda a: a.sqrt(), P), "sin": one(lambda a: a.sin(), A), "cos": one(lambda a: a.cos(), A),
        "tanh": one(lambda a: a.tanh(), A), "sigmoid": one(lambda a: a.sigmoid(), A),
        "relu": one(lambda a: a.relu(), A), "erf": one(lambda a: a.erf(), A), "sign·x": one(lambda a: a.sign() * a, A),
        "clamp": one(lambda a: a.clamp(-0.5, 0.5), A), "maximum": one(lambda a, b: a.maximum(b), A, B),
        "minimum": one(lambda a, b: a.minimum(b), A, B), "sum dim": one(lambda a: a.sum(1), A),
        "mean": one(lambda a: a.mean(), A), "mean dim": one(lambda a: a.mean(0), A),
        "var": one(lambda a: a.var(1), A), "std": one(lambda a: a.std(), A), "norm": one(lambda a: a.norm(), A),
        "max": one(lambda a: a.max(), A), "max dim": one(lambda a: a.max(1)[0] if isinstance(a.max(1), tuple)
                                                          else a.max(1), A),
        "amax": one(lambda a: a.amax(1), A), "amin": one(lambda a: a.amin(0), A),
        "softmax": one(lambda a: a.softmax(1) * a, A), "log_softmax": one(lambda a: a.log_softmax(1), A),
        "logsumexp": one(lambda a: a.logsumexp(1), A), "matmul": one(lambda a, m: a @ m, A, M),
        "matmul vector": one(lambda a: a @ f32(5), A), "dot": one(lambda v, w: autograd.dot(v, w), (5,), (5,)),
        "outer": one(lambda v, w: autograd.outer(v, w), (5,), (3,)),
        "gather": one(lambda a: a.gather(1, idx), A), "index": one(lambda a: a[1:3, ::2], A),
        "fancy index": one(lambda a: a[np.array([0, 2, 2])], A),
        "masked_fill": one(lambda a: a.masked_fill(mask, 0.0), A),
        "where": one(lambda a, b: autograd.where(mask, a, b), A, B),
        "where python float": one(lambda a: autograd.where(mask, a, 0.0), A),
        "reshape/permute/transpose": one(lambda a: a.reshape(2, 10).T.reshape(5, 4).permute(1, 0), A),
        "unsqueeze/expand": one(lambda a: a.unsqueeze(0).expand(3, 4, 5), A),
        "repeat": one(lambda a: a.repeat(2, 1), A), "flatten": one(lambda a: a.flatten(), A),
        "cat": one(lambda a, b: autograd.cat([a, b], 0), A, B), "stack": one(lambda a, b: autograd.stack([a, b]), A, B),
        "split/chunk": one(lambda a: a.split(2, 1)[0] * a.chunk(2, 0)[1].sum(), A),
        "pad": one(lambda a: autograd.pad(a, (1, 1)), A),
        "broadcast add (bias)": one(lambda a, b: a + b, A, (5,)),
        "broadcast mul (column)": one(lambda a, b: a * b, A, (4, 1)),
        "0-d float32 tensor scalar": one(lambda a, s: a * s, A, ()),
        "np.float32 scalar operand": one(lambda a: a * np.float32(0.5), A),
        "np.float64 scalar operand": one(lambda a: a * np.float64(0.5), A),
        "0-d float64 tensor operand": one(lambda a: a * s64, A),
        "to(float32)": one(lambda a: a.to(autograd.float32) * 1, A), "clone": one(lambda a: a.clone(), A),
    }


def layer_cases() -> dict[str, tuple[nn.Module, Callable[[], Tensor]]]:
    autograd.manual_seed(0)
    return {
        "Linear": (nn.Linear(5, 3), lambda: f32(4, 5)),
        "Conv1d": (nn.Conv1d(2, 3, 3, padding=1), lambda: f32(2, 2, 7)),
        "Conv2d": (nn.Conv2d(2, 3, 3), lambda: f32(2, 2, 6, 6)),
        "Conv2d stride 2, padding 1": (nn.Conv2d(2, 3, 3, stride=2, padding=1), lambda: f32(2, 2, 7, 7)),
        "MaxPool1d": (nn.MaxPool1d(2), lambda: f32(2, 3, 8)), "MaxPool2d": (nn.MaxPool2d(2), lambda: f32(2, 3, 6, 6)),
        "AvgPool1d": (nn.AvgPool1d(2), lambda: f32(2, 3, 8)), "AvgPool2d": (nn.AvgPool2d(2), lambda: f32(2, 3, 6, 6)),
        "AdaptiveAvgPool2d": (nn.AdaptiveAvgPool2d((2, 3)), lambda: f32(2, 3, 7, 5)),
        "BatchNorm1d (train)": (nn.BatchNorm1d(5), lambda: f32(8, 5)),
        "BatchNorm2d (train)": (nn.BatchNorm2d(3), lambda: f32(4, 3, 5, 5)),
        "LayerNorm": (nn.LayerNorm(5), lambda: f32(4, 5)), "Dropout": (nn.Dropout(0.3), lambda: f32(4, 5)),
        "Embedding": (nn.Embedding(10, 4), lambda: autograd.tensor(np.array([[1, 2], [3, 9]]))),
        "ReLU": (nn.ReLU(), lambda: f32(4, 5)), "LeakyReLU": (nn.LeakyReLU(0.1), lambda: f32(4, 5)),
        "ELU": (nn.ELU(), lambda: f32(4, 5)), "GELU": (nn.GELU(), lambda: f32(4, 5)),
        "GELU tanh": (nn.GELU(approximate="tanh"), lambda: f32(4, 5)), "SiLU": (nn.SiLU(), lambda: f32(4, 5)),
        "Softplus": (nn.Softplus(), lambda: f32(4, 5)), "Tanh": (nn.Tanh(), lambda: f32(4, 5)),
        "Sigmoid": (nn.Sigmoid(), lambda: f32(4, 5)), "Softmax": (nn.Softmax(1), lambda: f32(4, 5)),
        "LogSoftmax": (nn.LogSoftmax(1), lambda: f32(4, 5)), "Flatten": (nn.Flatten(), lambda: f32(2, 3, 4)),
    }


def loss_cases() -> dict[str, Callable[[], tuple[Tensor, list[Tensor]]]]:
    y = autograd.tensor(np.array([0, 2, 1, 2]))
    w = autograd.tensor(np.array([1.0, 2.0, 0.5], dtype=np.float32))

    def case(f, *shapes, positive=False):
        def fn():
            z = f32(*shapes[0])
            return f(z), [z]
        return fn

    prob = lambda: autograd.tensor(np.full((4, 3), 1 / 3, dtype=np.float32))  # noqa: E731
    t45 = lambda: f32(4, 3, seed=7, requires_grad=False)  # noqa: E731
    p01 = lambda: autograd.tensor(np.linspace(0.1, 0.9, 12, dtype=np.float32).reshape(4, 3))  # noqa: E731
    return {
        "cross_entropy": case(lambda z: F.cross_entropy(z, y), (4, 3)),
        "cross_entropy weight": case(lambda z: F.cross_entropy(z, y, weight=w), (4, 3)),
        "cross_entropy label_smoothing": case(lambda z: F.cross_entropy(z, y, label_smoothing=0.1), (4, 3)),
        "cross_entropy probabilities": case(lambda z: F.cross_entropy(z, prob()), (4, 3)),
        "cross_entropy sum": case(lambda z: F.cross_entropy(z, y, reduction="sum"), (4, 3)),
        "nll_loss": case(lambda z: F.nll_loss(z.log_softmax(1), y), (4, 3)),
        "mse_loss": case(lambda z: F.mse_loss(z, t45()), (4, 3)),
        "l1_loss": case(lambda z: F.l1_loss(z, t45()), (4, 3)),
        "huber_loss": case(lambda z: F.huber_loss(z, t45(), delta=0.5), (4, 3)),
        "smooth_l1_loss": case(lambda z: F.smooth_l1_loss(z, t45(), beta=0.5), (4, 3)),
        "binary_cross_entropy": case(lambda z: F.binary_cross_entropy(z.sigmoid(), p01()), (4, 3)),
        "binary_cross_entropy_with_logits": case(lambda z: F.binary_cross_entropy_with_logits(z, p01()), (4, 3)),
        "kl_div": case(lambda z: F.kl_div(z.log_softmax(1), prob(), reduction="batchmean"), (4, 3)),
        "CrossEntropyLoss module": case(lambda z: nn.CrossEntropyLoss()(z, y), (4, 3)),
    }


def optimizer_cases() -> dict[str, tuple[Callable, bool]]:
    o = optim
    return {
        "SGD": (lambda ps: o.SGD(ps, lr=0.1), False),
        "SGD momentum+nesterov+wd": (lambda ps: o.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
                                     False),
        "Adam": (lambda ps: o.Adam(ps, lr=1e-2), False),
        "Adam amsgrad+wd": (lambda ps: o.Adam(ps, lr=1e-2, amsgrad=True, weight_decay=1e-2), False),
        "AdamW": (lambda ps: o.AdamW(ps, lr=1e-2), False), "Adamax": (lambda ps: o.Adamax(ps, lr=1e-2), False),
        "NAdam": (lambda ps: o.NAdam(ps, lr=1e-2), False), "RAdam": (lambda ps: o.RAdam(ps, lr=1e-2), False),
        "RMSprop": (lambda ps: o.RMSprop(ps, lr=1e-2), False),
        "RMSprop centered+momentum": (lambda ps: o.RMSprop(ps, lr=1e-2, centered=True, momentum=0.9), False),
        "Adagrad": (lambda ps: o.Adagrad(ps, lr=1e-2), False), "Adadelta": (lambda ps: o.Adadelta(ps), False),
        "ASGD": (lambda ps: o.ASGD(ps, lr=1e-2), False), "Rprop": (lambda ps: o.Rprop(ps, lr=1e-2), False),
        "Lion": (lambda ps: o.Lion(ps, lr=1e-3), False), "QHAdam": (lambda ps: o.QHAdam(ps, lr=1e-2), False),
        "Adafactor": (lambda ps: o.Adafactor(ps, lr=1e-2), False),
        "LBFGS": (lambda ps: o.LBFGS(ps, lr=1, max_iter=3), True),
        "BFGS": (lambda ps: o.BFGS(ps, max_iter=3), True),
        "ConjugateGradient": (lambda ps: o.ConjugateGradient(ps, max_iter=3), True),
        "Newton": (lambda ps: o.Newton(ps, max_iter=2), True),
    }


def audit() -> tuple[int, dict[tuple[str, str, str], int]]:
    """Run every case under the watch; returns (number of cases, findings)."""
    findings.clear()
    install()
    n = 0
    try:
        for name, fn in op_cases().items():
            run_forward_case(f"op {name}", fn)
            n += 1
        for name, (layer, x) in layer_cases().items():
            run_layer_case(f"layer {name}", layer, x())
            n += 1
        for name, fn in loss_cases().items():
            run_forward_case(f"loss {name}", fn)
            n += 1
        for name, (make, closure) in optimizer_cases().items():
            run_optimizer_case(f"optim {name}", make, closure)
            n += 1
    finally:
        uninstall()
    return n, dict(findings)


def report(n: int, found: dict) -> str:
    if not found:
        return f"float32 audit: {n} cases (ops, layers, losses, optimisers): no upcast to float64 found"
    lines = [f"float32 audit: {n} cases; findings (case | kind | where/what | times):"]
    for (case, kind, detail), count in sorted(found.items()):
        lines.append(f"  {case} | {kind} | {detail} | ×{count}")
    return "\n".join(lines)


def main() -> None:
    assert autograd.get_default_dtype() == np.float32
    print(report(*audit()))


if __name__ == "__main__":
    sys.exit(main())
