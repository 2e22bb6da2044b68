# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 13 · Forward mode vs reverse mode
#
# Lecture 003 (Pacha) ends its backpropagation section with *forward-mode and reverse-mode differentiation* on the
# graph of $e(a,b) = (a+b)(b+1)$ at $a=2, b=1$ (after colah's *Calculus on Computational Graphs*). Forward mode
# pushes $\partial/\partial a$ (or $\partial/\partial b$) from the inputs to every node: **one pass per input**.
# Reverse mode pulls $\partial e/\partial\cdot$ from the output back to every node: **one pass per output**.
# For a function $f:\mathbb R^n\to\mathbb R^m$, forward mode gives Jacobian-vector products $Jv$ (`jvp`),
# reverse mode vector-Jacobian products $v^\top J$ (`vjp`).

# %%
import os
# These arrays are small: one BLAS thread is faster than several, and much faster on a busy machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1"); os.environ.setdefault("OMP_NUM_THREADS", "1")
# %matplotlib inline
# %config InlineBackend.figure_format = "png"
import time
import numpy as np
import matplotlib.pyplot as plt
import autograd, nn, optim
import nn.functional as F
from nn.data import load_digits

plt.rcParams.update({"figure.dpi": 70, "figure.figsize": (6, 3), "font.size": 9})
np.set_printoptions(precision=4, suppress=True)

# %%
from autograd import forward_ad
from autograd.functional import jacobian, jvp, vjp

e = lambda a, b: (a + b) * (b + 1)
a, b = autograd.tensor(2.0), autograd.tensor(1.0)

# forward mode: one pass per input, seeding its tangent with 1
with forward_ad.dual_level():
    de_da = forward_ad.unpack_dual(e(forward_ad.make_dual(a, autograd.tensor(1.0)), b)).tangent.item()
    de_db = forward_ad.unpack_dual(e(a, forward_ad.make_dual(b, autograd.tensor(1.0)))).tangent.item()
print(f"forward mode, two passes:  ∂e/∂a = {de_da},  ∂e/∂b = {de_db}")

# reverse mode: one backward pass gives both
a.requires_grad_(True); b.requires_grad_(True)
out = e(a, b); out.backward()
print(f"reverse mode, one pass:    e = {out.item()},  ∂e/∂a = {a.grad.item()},  ∂e/∂b = {b.grad.item()}")
assert (de_da, de_db) == (a.grad.item(), b.grad.item()) == (2.0, 5.0)

# %% [markdown]
# ## jvp and vjp
#
# $f(x) = \tanh(Wx)$ with $W\in\mathbb R^{m\times n}$ has Jacobian $J = \mathrm{diag}(1-\tanh^2(Wx))\,W$.
# `jvp(f, x, v)` returns $Jv$ from **one forward pass** with dual numbers; `vjp(f, x, u)` returns $u^\top J$ from
# **one backward pass**. Neither forms $J$.

# %%
rng = np.random.default_rng(0)
n, m = 5, 3
Wm = autograd.tensor(rng.normal(size=(m, n)), dtype=autograd.float64)
f = lambda x: autograd.tanh(Wm @ x)
x = autograd.tensor(rng.normal(size=n), dtype=autograd.float64)
J = (1 - np.tanh(Wm.numpy() @ x.numpy()) ** 2)[:, None] * Wm.numpy()

v = autograd.tensor(rng.normal(size=n), dtype=autograd.float64)
u = autograd.tensor(rng.normal(size=m), dtype=autograd.float64)
_, Jv = jvp(f, x, v)
_, uJ = vjp(f, x, u)
assert np.allclose(Jv.numpy(), J @ v.numpy()) and np.allclose(uJ.numpy(), u.numpy() @ J)
for strategy in ("forward-mode", "reverse-mode"):
    assert np.allclose(jacobian(f, x, strategy=strategy).numpy(), J)
print("J v  =", Jv.numpy(), "\nuᵀJ =", uJ.numpy())


# %% [markdown]
# ## Counting passes
#
# A whole Jacobian takes $n$ `jvp`s (one per column, seeding $v = e_j$) or $m$ `vjp`s (one per row, $u = e_i$).
# We count them: every call of $f$ is a forward pass, and an identity op at the output counts how often a backward
# pass runs through it.

# %%
class Tap(autograd.Function):
    """The identity, counting the backward passes through it."""
    backward_passes = 0

    @staticmethod
    def forward(ctx, x):
        return autograd.Tensor._make(x.array)

    @staticmethod
    def backward(ctx, grad):
        Tap.backward_passes += 1
        return grad

    @staticmethod
    def jvp(ctx, t):
        return t

def counted(n, m):
    W = autograd.tensor(np.random.default_rng(n * 100 + m).normal(size=(m, n)) / np.sqrt(n))
    calls = [0]
    def f(x):
        calls[0] += 1
        return Tap.apply(autograd.tanh(W @ x))
    return f, calls

print(" n   m  | forward mode: f calls, backward passes | reverse mode: f calls, backward passes")
for n, m in [(1, 16), (4, 16), (16, 16), (16, 4), (16, 1)]:
    row = []
    for strategy in ("forward-mode", "reverse-mode"):
        f, calls = counted(n, m)
        Tap.backward_passes = 0
        jacobian(f, autograd.randn(n), strategy=strategy)
        row.append((calls[0], Tap.backward_passes))
    print(f"{n:2d}  {m:2d}  | {row[0][0]:21d} {row[0][1]:15d} | {row[1][0]:21d} {row[1][1]:15d}")
    assert row[0] == (n, 0)       # forward mode: one forward pass per input
    assert row[1] == (1, m)       # reverse mode: one forward pass, one backward pass per output


# %% [markdown]
# ## Timing the two strategies
#
# Passes are what cost time. Fix one dimension at 2 and grow the other: forward mode's time grows with the number of
# inputs $n$ and ignores $m$; reverse mode's grows with the number of outputs $m$ and ignores $n$. This is why
# training — a scalar loss ($m=1$) of millions of parameters — uses reverse mode: one backward pass gives the whole
# gradient.

# %%
def best_time(fn, repeat=5):
    t = []
    for _ in range(repeat):
        t0 = time.perf_counter(); fn(); t.append(time.perf_counter() - t0)
    return min(t)

def time_jacobian(n, m, strategy):
    W = autograd.tensor(np.random.default_rng(0).normal(size=(m, n)) / np.sqrt(n))
    x = autograd.randn(n)
    return best_time(lambda: jacobian(lambda x: autograd.tanh(W @ x), x, strategy=strategy))

dims = [1, 4, 16, 64, 128]
t = {(s, which): [time_jacobian(d, 2, s) if which == "n" else time_jacobian(2, d, s) for d in dims]
     for s in ("forward-mode", "reverse-mode") for which in ("n", "m")}

fig, ax = plt.subplots(1, 2, figsize=(8, 2.7), sharey=True)
for i, (which, label) in enumerate([("n", "inputs n  (m = 2 outputs)"), ("m", "outputs m  (n = 2 inputs)")]):
    for s in ("forward-mode", "reverse-mode"):
        ax[i].plot(dims, np.array(t[(s, which)]) * 1e3, "o-", label=s)
    ax[i].set_xscale("log", base=2); ax[i].set_yscale("log"); ax[i].set_xlabel(label)
ax[0].set_ylabel("jacobian time (ms)"); ax[0].legend(fontsize=7)
plt.tight_layout()

for which in ("n", "m"):
    print(f"growing {which}:", {s: [f"{v * 1e3:.2f}" for v in t[(s, which)]] for s in ("forward-mode", "reverse-mode")})
# forward mode ∝ inputs, reverse mode ∝ outputs (128 passes vs 1–2 passes: a wide margin)
assert t[("forward-mode", "n")][-1] > 10 * t[("forward-mode", "n")][0]
assert t[("reverse-mode", "m")][-1] > 10 * t[("reverse-mode", "m")][0]
assert t[("reverse-mode", "n")][-1] < 3 * t[("reverse-mode", "n")][0]
assert t[("forward-mode", "m")][-1] < 3 * t[("forward-mode", "m")][0]
assert t[("forward-mode", "n")][-1] > 5 * t[("reverse-mode", "n")][-1]   # many inputs: reverse wins
assert t[("reverse-mode", "m")][-1] > 5 * t[("forward-mode", "m")][-1]   # many outputs: forward wins

# %% [markdown]
# **What you see.** The two curves cross: with many inputs and few outputs reverse mode wins by the ratio of the
# dimensions, with few inputs and many outputs forward mode does. In the lecture's words, reverse-mode
# differentiation gives *the derivative of one output with respect to every node* in one sweep, forward mode *the
# derivative of every node with respect to one input*.
