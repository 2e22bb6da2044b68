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
from autograd import viz
from nn.data import load_digits
from exercises.checks_13 import check_13_1, check_13_2, check_13_3   # self-checks for the exercises at the end

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
# ## Dual numbers: the tangent rides along with the value
#
# Forward mode computes with **dual numbers** $v + \dot v\,\varepsilon$, where $\varepsilon^2 = 0$. Sums add
# tangents, and a product keeps only the first-order term, $(u + \dot u\varepsilon)(v + \dot v\varepsilon) = uv +
# (\dot u v + u\dot v)\varepsilon$: the product rule. Seeding one input with tangent 1 and the other with 0, every
# node of the lecture's graph carries its value and its derivative with respect to that input, and the output reads
# $e = 6 + 2\varepsilon$ (so $\partial e/\partial a = 2$) or $e = 6 + 5\varepsilon$ ($\partial e/\partial b = 5$).
# The numbers below are pathgrad's `forward_ad` at each node; red marks the nodes the seed reaches.

# %%
def dual_graph(a_dot, b_dot):
    """(value, tangent) at every node of e = (a + b)(b + 1) at a = 2, b = 1, from pathgrad's dual numbers."""
    with forward_ad.dual_level():
        a_ = forward_ad.make_dual(autograd.tensor(2.0), autograd.tensor(a_dot))
        b_ = forward_ad.make_dual(autograd.tensor(1.0), autograd.tensor(b_dot))
        c_ = a_ + b_
        d_ = b_ + 1
        e_ = c_ * d_
        return {name: (forward_ad.unpack_dual(t).primal.item(), forward_ad.unpack_dual(t).tangent.item())
                for name, t in zip("abcde", (a_, b_, c_, d_, e_))}

seeds = {"a": dual_graph(1.0, 0.0), "b": dual_graph(0.0, 1.0)}
assert {k: t for k, (v, t) in seeds["a"].items()} == {"a": 1, "b": 0, "c": 1, "d": 0, "e": 2}
assert {k: t for k, (v, t) in seeds["b"].items()} == {"a": 0, "b": 1, "c": 1, "d": 1, "e": 5}
assert all(v == {"a": 2, "b": 1, "c": 3, "d": 2, "e": 6}[k] for s in seeds.values() for k, (v, t) in s.items())

pos = {"a": (0, 0), "b": (2, 0), "c": (0, 1), "d": (2, 1), "e": (1, 2)}
rule = {"a": "a", "b": "b", "c": "c = a + b", "d": "d = b + 1", "e": "e = c · d"}
edges = [("a", "c", "1"), ("b", "c", "1"), ("b", "d", "1"), ("c", "e", "d = 2"), ("d", "e", "c = 3")]
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
for ax, (seed, vals) in zip(axes, seeds.items()):
    for u, v, local in edges:
        (x0, y0), (x1, y1) = pos[u], pos[v]
        live = vals[u][1] != 0          # a nonzero tangent flows along this edge
        ax.annotate("", (x1, y1), (x0, y0), arrowprops=dict(arrowstyle="-|>", lw=2 if live else 1,
                    color="C3" if live else "0.6", shrinkA=17, shrinkB=17))
        ax.text((x0 + x1) / 2 + (0.08 if x1 >= x0 else -0.08), (y0 + y1) / 2, local, fontsize=8, color="0.3",
                ha="left" if x1 >= x0 else "right", va="center")
    for k, (x_, y_) in pos.items():
        value, tangent = vals[k]
        ax.text(x_, y_, f"{rule[k]}\n{value:g} + {tangent:g}ε", ha="center", va="center", fontsize=9,
                bbox=dict(boxstyle="round,pad=0.35", fc="mistyrose" if tangent else "white",
                          ec="C3" if tangent else "0.5"))
    ax.set_title(f"tangent 1 on {seed}:  ∂e/∂{seed} = {vals['e'][1]:g}")
    ax.set_xlim(-0.6, 2.6); ax.set_ylim(-0.4, 2.4); ax.axis("off")
fig.text(0.5, 0.01, "each arrow: its local derivative.   Since ε² = 0, (u + u̇ε)(v + v̇ε) = uv + (u̇v + uv̇)ε",
         ha="center", fontsize=8)
plt.tight_layout(rect=(0, 0.05, 1, 1))

# %% [markdown]
# Reverse mode on the same graph, for comparison: **one** backward pass from $e$ leaves the adjoint
# $\partial e/\partial\cdot$ on every node. Each edge carries the same local derivative as above. The adjoints
# are $\partial e/\partial c = 2$, $\partial e/\partial d = 3$, $\partial e/\partial a = 2$ and
# $\partial e/\partial b = 2 + 3 = 5$, summed over $b$'s two paths. Forward mode needed the two pictures above,
# one per input, to get $\partial e/\partial a$ and $\partial e/\partial b$.

# %%
a, b = autograd.tensor(2.0, requires_grad=True), autograd.tensor(1.0, requires_grad=True)
c = a + b
d = b + 1
e_ab = c * d
e_ab.backward()
assert (a.grad.item(), b.grad.item()) == (2.0, 5.0)
viz.draw_graph(e_ab, names={"a": a, "b": b, "c": c, "d": d, "e": e_ab})

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

# %% [markdown]
# ## Exercise 13.1 · Push a tangent through the graph by hand
#
# Seed **both** inputs with tangent 1, $\dot a = \dot b = 1$ (the direction $(1, 1)$), at the lecture's $a = 2$,
# $b = 1$. Using the rules of the dual-number figure, work out the tangents of $c = a + b$, $d = b + 1$ and
# $e = c\cdot d$ by hand, node by node. `check_13_1` compares them with `forward_ad`.

# %%
answer_13_1 = None       # your numbers: (c_dot, d_dot, e_dot)
check_13_1(answer_13_1)

# %% [markdown]
# ## Exercise 13.2 · Dual numbers of your own
#
# Complete the class: `Dual(value, tangent)` stands for value + tangent·ε with $\varepsilon^2 = 0$. Write `__add__`
# and `__mul__` so that the lecture's function, written for plain numbers, `(a + b) * (b + 1)`, gives its derivative
# when it is called with dual numbers. A plain number such as the `1` in `b + 1` must work too, on either side.
# `check_13_2` runs the lecture's example with each seed, and a polynomial.

# %%
class Dual:
    """value + tangent·ε, with ε² = 0."""

    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = value, tangent

    def __add__(self, other):
        return None      # your code: return a Dual

    def __mul__(self, other):
        return None      # your code: return a Dual

    __radd__, __rmul__ = __add__, __mul__      # 1 + x and 3 * x call these

    def __repr__(self):
        return f"{self.value} + {self.tangent}ε"

check_13_2(Dual)

# %% [markdown]
# ## Exercise 13.3 · A Jacobian from forward passes
#
# Build the whole $m\times n$ Jacobian of `f` at `x` from `jvp` alone (imported above from `autograd.functional`):
# `jvp(f, x, v)` returns `(f(x), J v)`, so each call gives one column when $v$ is a unit vector. `check_13_3` compares
# your $J$ with the formula for $\tanh(Wx)$ and counts how often `f` ran: forward mode should cost one pass per input.

# %%
def jacobian_by_jvp(f, x):
    """J[i, j] = ∂f_i/∂x_j of f at the 1-d Tensor x, from one jvp per input."""
    return None          # your code

check_13_3(jacobian_by_jvp)
