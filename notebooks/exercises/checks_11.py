"""Checks for notebook 11 (regularisation): one SGD step on the L2-penalised loss, and inverted dropout as a custom
``autograd.Function`` with its own backward."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd

from .arrays import close
from .feedback import Hint, Unanswered, ask, exercise

F64 = autograd.float64


@exercise("11.1", "define sgd_step_l2(w, grad_L, lr, lam) returning the new w")
def check_11_1(sgd_step_l2: Callable[[np.ndarray, np.ndarray, float, float], np.ndarray]) -> str:
    """``sgd_step_l2(w, grad_L, lr, lam)``: one SGD step on L + λΣw², given w and ∇L."""
    rng = np.random.default_rng(11)
    w0, A, t = rng.normal(size=5), rng.normal(size=(4, 5)), rng.normal(size=4)
    lr, lam = 0.1, 0.05
    w = autograd.tensor(w0, dtype=F64, requires_grad=True)
    L = 0.5 * ((autograd.tensor(A, dtype=F64) @ w - autograd.tensor(t, dtype=F64)) ** 2).sum()
    (g,) = autograd.grad(L, w, retain_graph=True)
    (L + lam * (w ** 2).sum()).backward()
    got = ask(sgd_step_l2, w0.copy(), g.numpy().copy(), lr, lam)
    if close(got, w0 - lr * w.grad.numpy()):
        return "the same step as SGD(weight_decay=2λ) on L alone"
    g = g.numpy()
    for hint, value in {
        "the derivative of λw² is 2λw, not λw": w0 - lr * (g + lam * w0),
        "a gradient step goes against the gradient: w − lr·(…)": w0 + lr * (g + 2 * lam * w0),
        "the penalty's gradient is part of the gradient, so the learning rate multiplies it too":
            w0 - lr * g - 2 * lam * w0,
    }.items():
        if close(got, value):
            raise Hint(hint)
    raise Hint("differentiate L + λΣw² term by term, then take one step of size lr against it")


@exercise("11.2", "write forward and backward of MyDropout")
def check_11_2(MyDropout: type) -> str:
    """``MyDropout``: an autograd.Function with forward(ctx, x, mask, p) = x·mask/(1 − p) and its backward."""
    if not (isinstance(MyDropout, type) and issubclass(MyDropout, autograd.Function)):
        raise Hint("pass your class, a subclass of autograd.Function")
    rng = np.random.default_rng(112)
    p = 0.25
    x0, mask0, g0 = rng.normal(size=(4, 5)), (rng.random((4, 5)) > p).astype(np.float64), rng.normal(size=(4, 5))
    x = autograd.tensor(x0, dtype=F64, requires_grad=True)
    mask = autograd.tensor(mask0, dtype=F64)
    out = MyDropout.apply(x, mask, p)
    if not isinstance(out, autograd.Tensor) or out.detach().numpy().dtype == object:
        raise Unanswered("forward still returns None: return x with the dropped units zeroed, scaled by 1/(1 − p)")
    if not close(out, x0 * mask0 / (1 - p)):
        if close(out, x0 * mask0):
            raise Hint("inverted dropout scales the kept units by 1/(1 − p), so that the expected output is "
                       "unchanged and eval() needs no weight adjustment")
        raise Hint("forward: keep x where mask is 1, zero it where mask is 0, and scale by 1/(1 − p)")
    try:
        out.backward(autograd.tensor(g0, dtype=F64))
    except RuntimeError as e:
        if "gradients" not in str(e):
            raise
        raise Hint("backward returns one gradient per input of forward: x's, then None for mask and p") from None
    if x.grad is None:
        raise Unanswered("backward's first result, the gradient for x, is still None")
    got = x.grad.numpy()
    if not close(got, g0 * mask0 / (1 - p)):
        if close(got, g0):
            raise Hint("backward passed the gradient through unchanged; a dropped unit's output does not depend on "
                       "x, so no gradient reaches it")
        if close(got, g0 * mask0):
            raise Hint("the gradient is masked but not scaled: forward multiplied by 1/(1 − p)")
        raise Hint("∂(x·mask/(1 − p))/∂x = mask/(1 − p): multiply the incoming gradient by it")
    xs = autograd.tensor(x0, dtype=F64, requires_grad=True)
    if not autograd.gradcheck(lambda t: MyDropout.apply(t, mask, p), (xs,), raise_exception=False):
        raise Hint("autograd.gradcheck disagrees with your backward")
    return "forward, backward and gradcheck agree"
