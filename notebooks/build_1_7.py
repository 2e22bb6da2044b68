"""Build notebooks 01–07 from the lectures in /work/shared/lectures, execute them, save them with outputs.

    python notebooks/build_1_7.py            # write and execute all seven
    python notebooks/build_1_7.py 3 5        # only notebooks 03 and 05
    python notebooks/build_1_7.py --no-execute

Each notebook asserts the lecture's numbers in its code cells, so executing it (here, or in
tests/notebooks/test_notebooks.py) is a test. The cell sources live in this file; edit here, not in the .ipynb.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """\
%matplotlib inline
%config InlineBackend.figure_formats = ['png']
import numpy as np
import matplotlib.pyplot as plt
plt.rcParams.update({"figure.dpi": 72, "figure.figsize": (4.5, 3.2), "font.size": 9})
import autograd
from autograd import viz
import nn
import optim"""


def md(s: str) -> nbformat.NotebookNode:
    return new_markdown_cell(s.strip("\n"))


def code(s: str) -> nbformat.NotebookNode:
    return new_code_cell(s.strip("\n"))


# ---------------------------------------------------------------------------------------------------------------
# 01 — the computation graph
# ---------------------------------------------------------------------------------------------------------------
NB01 = [
    md(r"""
# 1 · The computation graph

Lecture **003** (Pacha, TU Wien; after colah's *Calculus on Computational Graphs*) differentiates one small
expression by hand:

$$e(a, b) = (a + b)(b + 1) \qquad\text{at } a = 2,\ b = 1.$$

Naming the intermediate results $c = a + b$ and $d = b + 1$ turns it into a graph of three operations:
$e = c \cdot d$. In this notebook pathgrad builds that graph, evaluates it forward, labels every edge with its
local derivative, runs the backward pass, and shows the lecture's two views of the chain rule — a **sum over
paths** and its **factorisation**, which is what backpropagation computes.
"""),
    code(SETUP),
    md(r"""
## Forward pass

Every operation on a tensor with `requires_grad=True` records itself in the graph. Giving the tensors names
makes the drawing read like the lecture's figure.
"""),
    code("""
a = autograd.tensor(2.0, requires_grad=True); a.name = "a"
b = autograd.tensor(1.0, requires_grad=True); b.name = "b"
c = a + b;  c.name = "c"
d = b + 1;  d.name = "d"
e = c * d;  e.name = "e"
print(f"c = {c.item()}, d = {d.item()}, e = {e.item()}")
assert (c.item(), d.item(), e.item()) == (3, 2, 6)      # lecture 003: e = 6
"""),
    md(r"""
## Local derivatives

Each operation only knows the derivative of its output with respect to its own inputs (lecture 003, "compute
local gradients independently"):

| edge | local derivative | at $a=2, b=1$ |
|---|---|---|
| $a \to c$ | $\partial c/\partial a = 1$ | 1 |
| $b \to c$ | $\partial c/\partial b = 1$ | 1 |
| $b \to d$ | $\partial d/\partial b = 1$ | 1 |
| $c \to e$ | $\partial e/\partial c = d$ | 2 |
| $d \to e$ | $\partial e/\partial d = c$ | 3 |

`draw_graph` writes these numbers on the edges (ovals are operations, boxes are tensors with their value):
"""),
    code("""
viz.draw_graph(e, show_grad=False)
"""),
    md(r"""
## Backward pass

`e.backward()` walks the graph from $e$ back to the leaves and accumulates $\partial e/\partial x$ into
`x.grad`. The lecture's result: $\partial e/\partial a = 1 \cdot 2 = 2$ and
$\partial e/\partial b = 1 \cdot 2 + 1 \cdot 3 = 5$.
"""),
    code("""
e.backward()
print("de/da =", a.grad.item(), "  de/db =", b.grad.item())
assert a.grad.item() == 2 and b.grad.item() == 5         # lecture 003: e_a(2,1) = 2, e_b(2,1) = 5
"""),
    md(r"""
After `backward()` the drawing also shows each leaf's gradient:
"""),
    code("""
viz.draw_graph(e)
"""),
    md(r"""
## The chain rule as a sum over paths

$b$ influences $e$ along two routes, $b \to c \to e$ and $b \to d \to e$. The multivariate chain rule says:
multiply the local derivatives along each path, then add the paths (lecture 002 calls the drawing an
*influence diagram*; lecture 003 writes $e_b = 1\cdot 2 + 1\cdot 3$). `viz.paths` lists them:
"""),
    code("""
for p in viz.paths(e, b):
    print(p)
path_values = [p.value for p in viz.paths(e, b)]
assert path_values == [2.0, 3.0] and sum(path_values) == b.grad.item() == 5
assert [p.value for p in viz.paths(e, a)] == [2.0]
"""),
    md(r"""
## What backward actually does: one sweep, each edge once

Backprop does not enumerate paths. It visits the operations in reverse topological order and hands each input
the *adjoint* $\bar{x} = \partial e/\partial x$ times the local derivative. `viz.backward_steps` shows the
sweep: $\bar e = 1$ becomes $(\bar c, \bar d) = (2, 3)$; then $d = b + 1$ passes $3$ to $b$ and $c = a + b$
passes $2$ to each of $a$ and $b$ — so $\bar b = 3 + 2 = 5$.
"""),
    code("""
for step in viz.backward_steps(e):
    print(step)
viz.draw_graph(e, number_backward=True)
"""),
    md(r"""
## Path factorisation

Lecture 003's second example: $X$ reaches $Y$ along three edges ($\alpha, \beta, \gamma$) and $Y$ reaches $Z$
along three more ($\delta, \epsilon, \zeta$). Summing over paths gives nine products,

$$\frac{\partial Z}{\partial X} = \alpha\delta + \alpha\epsilon + \alpha\zeta + \beta\delta + \beta\epsilon
+ \beta\zeta + \gamma\delta + \gamma\epsilon + \gamma\zeta,$$

but the sum factorises: $\frac{\partial Z}{\partial X} = (\alpha + \beta + \gamma)(\delta + \epsilon + \zeta)$.
Backprop computes the factorised form — at $Y$ it adds the three incoming contributions once, then moves on.
With $\alpha..\zeta = 1..6$: $(1 + 2 + 3)(4 + 5 + 6) = 90$.
"""),
    code("""
alpha, beta, gamma, delta, epsilon, zeta = 1.0, 2.0, 3.0, 4.0, 5.0, 6.0
X = autograd.tensor(1.0, requires_grad=True); X.name = "X"
Y = alpha * X + beta * X + gamma * X;         Y.name = "Y"
Z = delta * Y + epsilon * Y + zeta * Y;       Z.name = "Z"
Z.backward()

ps = viz.paths(Z, X)
print(len(ps), "paths, sum =", sum(p.value for p in ps), "  X.grad =", X.grad.item())
assert len(ps) == 9
assert sum(p.value for p in ps) == (alpha + beta + gamma) * (delta + epsilon + zeta) == X.grad.item() == 90
viz.draw_graph(Z, show_grad=False)
"""),
    md(r"""
## Why the factorisation matters: paths explode, edges do not

Stack the diamond $h \mapsto 1.1\,h + 0.9\,h$ $n$ times. The number of paths from input to output doubles with
every layer ($2^n$), while the number of edges the reverse sweep touches grows linearly. This is the
"combinatorial explosion" of lecture 003 and the reason backprop, not path enumeration, trains networks.
"""),
    code("""
rows = []
for n in [1, 2, 4, 8, 16, 32]:
    x = autograd.tensor(1.0, requires_grad=True)
    h = x
    for _ in range(n):
        h = 1.1 * h + 0.9 * h
    st = viz.path_stats(h, [x])
    rows.append((n, st.paths, st.edges))
    assert st.paths == 2 ** n                      # one path per choice of branch in each diamond
    assert st.edges == 4 * n                       # 2 muls (1 edge each) + 1 add (2 edges) per diamond
print(f"{'depth':>5} {'paths':>14} {'edges':>6}")
for n, p, ed in rows:
    print(f"{n:>5} {p:>14,} {ed:>6}")
"""),
    md(r"""
## Forward mode: the other factorisation

Lecture 003 ends with *forward- vs reverse-mode* differentiation. Forward mode pushes a tangent from one input
towards all outputs (one pass per **input**); reverse mode pulls an adjoint from one output back to all inputs
(one pass per **output**). For a loss — one output, millions of parameters — reverse mode wins. Both give
the same numbers here: seeding $\dot b = 1$ gives $\dot e = \partial e/\partial b = 5$.
"""),
    code("""
from autograd import forward_ad as fwAD
with fwAD.dual_level():
    bd = fwAD.make_dual(autograd.tensor(1.0), autograd.tensor(1.0))    # b = 1, db = 1
    ad = autograd.tensor(2.0)                                           # a = 2, da = 0
    ed = (ad + bd) * (bd + 1)
    de_db = fwAD.unpack_dual(ed).tangent.item()
print("forward mode de/db =", de_db)
assert de_db == 5
"""),
    md(r"""
## A tensor is a view over memory

A tensor does not own its numbers the way a Python float does: it is a *view* over a block of memory (a NumPy
array, `t.array`). Indexing, `view`, `reshape`, `t()`, `unsqueeze`, `detach()` and the other view operations
give new tensors over the **same** memory, as in PyTorch, so writing through one changes what all the others
see. That is what makes `t[i][j] = 1` fill a one-hot matrix, and it is why an in-place operation needs care.

**What a version counter protects you from.** Backward needs some of the forward values: $\partial e/\partial c
= d$, so the multiplication keeps $d$. If $d$ were changed in place before `backward()`, the gradient would
silently use the new value. So every tensor (with all its views) carries a version counter; each in-place
operation bumps it, each saved tensor remembers the version it was saved at, and backward refuses to use a
changed one with an error naming the operation.
"""),
    code("""
m = autograd.zeros(2, 3)
row = m[1]                       # a view: the same memory as m's second row
row[2] = 1.0                     # so this writes into m
print(m)
assert m[1, 2].item() == 1.0 and row._base is m

a = autograd.tensor(2.0, requires_grad=True)
b = autograd.tensor(1.0, requires_grad=True)
c, d = a + b, b + 1
e = c * d                        # keeps c and d for backward (∂e/∂c = d, ∂e/∂d = c)
print("d's version:", d._version)
d.add_(10)                       # an in-place change after d was saved ...
print("d's version:", d._version)
try:
    e.backward()                 # ... is caught, not silently used
except RuntimeError as err:
    print("RuntimeError:", str(err).split(";")[0])
else:
    raise AssertionError("backward should have refused the changed d")
"""),
]

# ---------------------------------------------------------------------------------------------------------------
# 02 — backprop by hand vs the engine
# ---------------------------------------------------------------------------------------------------------------
NB02 = [
    md(r"""
# 2 · Backprop by hand vs the engine

Lecture **000** (Cohn, Melbourne COMP90051 L9) derives backpropagation for a network with one hidden layer and
names two error signals, $\delta$ and $\varepsilon_j$. Lecture **001** (Cornell ML for Intelligent Systems L14)
writes the same recursion for any depth in column-matrix form. Here we code both derivations with NumPy only,
then check them against pathgrad's `backward()`.
"""),
    code(SETUP),
    md(r"""
## The network of lecture 000

Inputs $x_0 = 1$ (bias), $x_1, \dots, x_m$; hidden units $u_0 = 1$ (bias), $u_j = g(r_j)$ with
$r_j = \sum_{i=0}^m x_i v_{ij}$; a linear output $z = s = \sum_{j=0}^p u_j w_j$; squared loss
$L = \tfrac12 (z - y)^2$. Take $m = 3$ inputs, $p = 4$ hidden units and $g = \tanh$.
"""),
    code("""
rng = np.random.default_rng(0)
m, p = 3, 4
x = np.concatenate([[1.0], rng.normal(size=m)])          # x_0 = 1 is the bias input
V = rng.normal(size=(m + 1, p))                          # v_ij: input i -> hidden j
w = rng.normal(size=p + 1)                               # w_j: hidden j -> output, w_0 the bias weight
y = 0.5
g = np.tanh
def g_prime(r): return 1 - np.tanh(r) ** 2

# forward propagation: "use current estimates of v_ij and w_j, calculate r_j, u_j, s and z"
r = x @ V
u = np.concatenate([[1.0], g(r)])                        # u_0 = 1
s = u @ w
z = s
L = 0.5 * (z - y) ** 2
print(f"z = {z:.4f},  L = {L:.4f}")
"""),
    md(r"""
## Backward propagation of errors, by hand

The lecture's equations, read right to left:

$$\frac{\partial L}{\partial v_{ij}} = \varepsilon_j x_i \;\leftarrow\; \varepsilon_j = \delta\, w_j\, g'(r_j)
\;\leftarrow\; \frac{\partial L}{\partial w_j} = \delta u_j \;\leftarrow\; \delta = (z - y)$$

$\delta = \partial L/\partial s$ is the error at the output; $\varepsilon_j = \partial L / \partial r_j$ is the
error at hidden unit $j$, obtained by sending $\delta$ back along $w_j$ and through $g'$.
"""),
    code("""
delta = z - y                                   # δ = ∂L/∂s
dL_dw = delta * u                               # ∂L/∂w_j = δ u_j
eps = delta * w[1:] * g_prime(r)                # ε_j = δ w_j g'(r_j)   (j = 1..p; u_0 has no inputs)
dL_dV = np.outer(x, eps)                        # ∂L/∂v_ij = ε_j x_i
print("delta =", round(delta, 4))
print("eps   =", eps.round(4))
"""),
    md(r"""
## The same network in pathgrad

Build the forward pass from tensors and call `backward()`. The engine knows nothing about $\delta$ or
$\varepsilon$ — it only applies each operation's local derivative — yet it must land on the same numbers.
`retain_grad()` keeps the gradients of the intermediate tensors $s$ and $r$, which *are* $\delta$ and
$\varepsilon$.
"""),
    code("""
xt = autograd.tensor(x)
Vt = autograd.tensor(V, requires_grad=True); Vt.name = "V"
wt = autograd.tensor(w, requires_grad=True); wt.name = "w"
rt = xt @ Vt;                                       rt.retain_grad(); rt.name = "r"
ut = autograd.cat([autograd.ones(1, dtype=rt.dtype), rt.tanh()]); ut.name = "u"
st = ut @ wt;                                       st.retain_grad(); st.name = "s"
Lt = 0.5 * (st - y) ** 2;                           Lt.name = "L"
Lt.backward()

assert np.isclose(Lt.item(), L)
assert np.isclose(st.grad.item(), delta)            # δ = ∂L/∂s
assert np.allclose(rt.grad.numpy(), eps)            # ε_j = ∂L/∂r_j
assert np.allclose(wt.grad.numpy(), dL_dw)          # ∂L/∂w_j = δ u_j
assert np.allclose(Vt.grad.numpy(), dL_dV)          # ∂L/∂v_ij = ε_j x_i
print("engine and hand derivation agree: δ, ε, ∂L/∂w, ∂L/∂V")
viz.draw_graph(Lt)
"""),
    md(r"""
Both agree with finite differences too — the check every hand derivation should pass:
"""),
    code("""
def loss_of(V_, w_):
    u_ = np.concatenate([[1.0], np.tanh(x @ V_)])
    return 0.5 * (u_ @ w_ - y) ** 2

h = 1e-6
fd = np.zeros_like(V)
for i in range(V.shape[0]):
    for j in range(V.shape[1]):
        Vp, Vm = V.copy(), V.copy(); Vp[i, j] += h; Vm[i, j] -= h
        fd[i, j] = (loss_of(Vp, w) - loss_of(Vm, w)) / (2 * h)
print("max |hand - finite difference| =", np.abs(fd - dL_dV).max())
assert np.allclose(fd, dL_dV, atol=1e-8)
"""),
    md(r"""
## Matrix form for any depth (lecture 001)

Lecture 001 uses column vectors, sigmoid units and no separate biases:
$\vec s_\ell = W_{\ell-1}^T \vec v_{\ell-1}$, $\vec v_\ell = \sigma(\vec s_\ell)$, and
$L = \tfrac12 (v_d - y)^2$. The backward pass is one recursion per layer:

$$\frac{\partial L}{\partial v_d} = v_d - y, \qquad
\frac{\partial L}{\partial \vec v_i} = W_i\left(\frac{\partial L}{\partial \vec v_{i+1}} \odot
\sigma'(\vec s_{i+1})\right), \qquad
\frac{\partial L}{\partial W_i} = \vec v_i\left(\frac{\partial L}{\partial \vec v_{i+1}} \odot
\sigma'(\vec s_{i+1})\right)^T$$

with $\sigma'(s) = \sigma(s)(1 - \sigma(s))$. A network of widths $[4, 5, 3, 1]$ (depth $d = 3$):
"""),
    code("""
def sigmoid(s): return 1 / (1 + np.exp(-s))

widths = [4, 5, 3, 1]
rng = np.random.default_rng(1)
Ws = [rng.normal(size=(widths[i], widths[i + 1])) for i in range(len(widths) - 1)]   # W_i: (k_i, k_{i+1})
v0 = rng.normal(size=(widths[0], 1))                                                 # a column vector
y = 1.0

# forward pass (lecture 001, "Forward Pass (Prediction)")
vs, ss = [v0], [None]
for W in Ws:
    ss.append(W.T @ vs[-1])
    vs.append(sigmoid(ss[-1]))

# backward pass: the recursion above, from the output layer down
d = len(Ws)
dL_dv = [None] * (d + 1)
dL_dW = [None] * d
dL_dv[d] = vs[d] - y
for i in reversed(range(d)):
    back = dL_dv[i + 1] * sigmoid(ss[i + 1]) * (1 - sigmoid(ss[i + 1]))   # ∂L/∂v_{i+1} ⊙ σ'(s_{i+1})
    dL_dW[i] = vs[i] @ back.T
    dL_dv[i] = Ws[i] @ back

# the engine
Wt = [autograd.tensor(W, requires_grad=True) for W in Ws]
v = autograd.tensor(v0)
for W in Wt:
    v = (W.T @ v).sigmoid()
loss = 0.5 * ((v - y) ** 2).sum()
loss.backward()
for i in range(d):
    assert np.allclose(Wt[i].grad.numpy(), dL_dW[i]), i
    print(f"dL/dW_{i}: shape {dL_dW[i].shape}, matches the engine")
"""),
    md(r"""
## Why the weights must start random (lecture 001)

"Don't start $W_0, \dots, W_{d-1} = 0$." If every hidden unit starts with the same weights, every hidden unit
computes the same value and receives the same gradient, so gradient descent can never make them differ: the
layer behaves like a single unit. The engine shows the symmetry directly.
"""),
    code("""
W0 = autograd.full((4, 5), 0.3, requires_grad=True)          # all hidden units identical
W1 = autograd.tensor(rng.normal(size=(5, 1)), requires_grad=True)
out = (W1.T @ (W0.T @ autograd.tensor(v0)).sigmoid()).sigmoid()
(0.5 * ((out - 1.0) ** 2).sum()).backward()
G = W0.grad.numpy()
print("gradient of W0 (one column per hidden unit):\\n", G.round(4))
# Each column is the same input vector scaled by that unit's outgoing weight: the update keeps the columns
# proportional to the input, so the units never learn different features of it.
assert np.linalg.matrix_rank(G) == 1
"""),
]

# ---------------------------------------------------------------------------------------------------------------
# 03 — Boolean functions with step units
# ---------------------------------------------------------------------------------------------------------------
NB03 = [
    md(r"""
# 3 · Boolean functions with step units

Lecture **000** (Cohn) opens with representational capacity: a network with one hidden layer is a
*universal approximator*, and with threshold units it can represent any Boolean function. The unit is

$$g(r) = \begin{cases} 1 & r \ge 0 \\ 0 & \text{otherwise} \end{cases}$$

and the lecture's three gates are single units:
$\mathrm{OR}(x_1, x_2) = g(x_1 + x_2 - 0.5)$, $\mathrm{AND}(x_1, x_2) = g(x_1 + x_2 - 1.5)$,
$\mathrm{NOT}(x_1) = g(-x_1)$.
"""),
    code(SETUP),
    md(r"""
`nn.Step` / `autograd.step` is the Heaviside step with $\mathrm{step}(0) = 0$ (1 only where $r > 0$). The
lecture's $g$ fires at $r = 0$, and that matters: $\mathrm{NOT}(0) = g(-0) = g(0)$ must be 1. So we write the
lecture's unit with a comparison:
"""),
    code("""
def g(r):
    \"\"\"The lecture's threshold unit: 1 if r >= 0 else 0.\"\"\"
    return (r >= 0).float()

print("autograd.step(0) =", autograd.step(autograd.tensor(0.0)).item(), "  g(0) =", g(autograd.tensor(0.0)).item())
assert g(autograd.tensor(0.0)).item() == 1
"""),
    md(r"""
## OR, AND, NOT

Evaluate each unit on all inputs at once: the rows of `X` are the four points of $\{0,1\}^2$.
"""),
    code("""
X = autograd.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
x1, x2 = X[:, 0], X[:, 1]
OR  = g(x1 + x2 - 0.5)
AND = g(x1 + x2 - 1.5)
NOT = g(-x1)
print(" x1 x2 | OR AND NOT(x1)")
for row, o, a_, n in zip(X.numpy().astype(int), OR.numpy(), AND.numpy(), NOT.numpy()):
    print(f"  {row[0]}  {row[1]} |  {int(o)}   {int(a_)}    {int(n)}")
assert OR.tolist()  == [0, 1, 1, 1]
assert AND.tolist() == [0, 0, 0, 1]
assert NOT.tolist() == [1, 1, 0, 0]
"""),
    md(r"""
## XOR needs a hidden layer

No single threshold unit computes XOR: its true points $(0,1), (1,0)$ cannot be separated from
$(0,0), (1,1)$ by one line. One hidden layer solves it: $\mathrm{XOR} = \mathrm{AND}(\mathrm{OR},
\mathrm{NAND})$, with $\mathrm{NAND}(x_1, x_2) = g(-x_1 - x_2 + 1.5)$. Written as a two-layer network with
weight matrices:
"""),
    code("""
W1 = autograd.tensor([[1., -1.],          # hidden unit 1 = OR, hidden unit 2 = NAND
                      [1., -1.]])
b1 = autograd.tensor([-0.5, 1.5])
W2 = autograd.tensor([[1.], [1.]])        # output = AND(h1, h2)
b2 = autograd.tensor([-1.5])

H = g(X @ W1 + b1)
XOR = g(H @ W2 + b2).reshape(-1)
print("hidden layer:\\n", H.numpy().astype(int))
print("XOR:", XOR.numpy().astype(int))
assert XOR.tolist() == [0, 1, 1, 0]      # the truth table of XOR
"""),
    md(r"""
The hidden layer is a change of representation: in the $(h_1, h_2)$ plane the four inputs land on three
points, and now a single line separates XOR's true points from its false ones.
"""),
    code("""
fig, axes = plt.subplots(1, 2, figsize=(6.4, 3))
Xn, Hn, Yn = X.numpy(), H.numpy() + np.array([[0.03, 0.0], [0.0, 0.03], [-0.03, 0.0], [0.0, -0.03]]), XOR.numpy()
for ax, P, title in [(axes[0], Xn, "input space (x1, x2)"), (axes[1], Hn, "hidden space (OR, NAND)")]:
    ax.scatter(P[:, 0], P[:, 1], c=Yn, cmap="coolwarm", s=80, edgecolors="k")
    ax.set_title(title); ax.set_xlim(-0.3, 1.3); ax.set_ylim(-0.3, 1.3)
t = np.linspace(-0.3, 1.3, 2)
axes[1].plot(t, 1.5 - t, "k--", lw=1)       # h1 + h2 = 1.5: the output unit's boundary
plt.tight_layout(); plt.show()
"""),
    md(r"""
## Any Boolean function with at most $2^m$ hidden units

The lecture's claim: "any Boolean function over $m$ variables can be implemented using a hidden layer with up
to $2^m$ elements." The construction: one hidden unit per input pattern where the function is 1 — a unit
that fires on exactly that pattern (weight $+1$ on the variables that are 1, $-1$ on those that are 0,
threshold just below the number of ones) — and an output unit that ORs them. We check it on **all 256**
Boolean functions of $m = 3$ variables.
"""),
    code("""
import itertools

def boolean_net(truth):
    \"\"\"Weights of a one-hidden-layer step network computing this truth table (rows in binary order).\"\"\"
    m = int(np.log2(len(truth)))
    patterns = np.array(list(itertools.product([0, 1], repeat=m)), dtype=float)
    ones = patterns[np.asarray(truth, bool)]                       # the patterns where f = 1: one unit each
    W1 = (2 * ones - 1).T                                          # +1 where the pattern has a 1, -1 where a 0
    b1 = -(ones.sum(axis=1) - 0.5)                                 # fires only when all its ones are on and zeros off
    W2 = np.ones((len(ones), 1))
    b2 = np.array([-0.5])                                          # OR of the hidden units
    return [autograd.tensor(a) for a in (W1, b1, W2, b2)]

m = 3
Xb = autograd.tensor(list(itertools.product([0., 1.], repeat=m)))
widths = []
for code_ in range(2 ** (2 ** m)):
    truth = [(code_ >> k) & 1 for k in range(2 ** m)]
    W1_, b1_, W2_, b2_ = boolean_net(truth)
    out = g(g(Xb @ W1_ + b1_) @ W2_ + b2_).reshape(-1) if sum(truth) else autograd.zeros(2 ** m)
    assert out.tolist() == truth, truth
    widths.append(W1_.shape[1])
print(f"all {2 ** 2 ** m} Boolean functions of {m} variables reproduced; widest hidden layer = {max(widths)} = 2^{m}")
assert max(widths) == 2 ** m
"""),
    md(r"""
## Step units cannot be trained by backprop

The step function is flat everywhere except at 0, so its derivative is 0 wherever it exists: every gradient
that flows back through a step unit is zero. (The lecture's activation table in notebook 5 lists its gradient
as "0, N/A at 0".) That is why trained networks use smooth units such as sigmoid or tanh instead.
"""),
    code("""
W = autograd.tensor([[1.], [1.]], requires_grad=True)
out = autograd.step(X @ W - 0.5)
out.sum().backward()
print("gradient through a step unit:", W.grad.numpy().ravel())
assert np.all(W.grad.numpy() == 0)
"""),
    md(r"""
## Universal approximation

Step units approximate any continuous function on an interval, too: a staircase
$f(x) \approx f(x_0) + \sum_k \big(f(x_k) - f(x_{k-1})\big)\, g(x - x_k)$ has one hidden unit per stair, and
its error shrinks as the stairs get narrower — a single, ever wider hidden layer is a universal approximator
(lecture 000, "Depth vs width"). The price is the width: the error falls only like $1/n$.
"""),
    code("""
f = lambda x: np.sin(2 * x) + 0.3 * x
xs = autograd.linspace(-3, 3, 601)

def staircase(n):
    knots = np.linspace(-3, 3, n + 1)
    W1 = autograd.ones(1, n); b1 = autograd.tensor(-knots[1:])        # hidden unit k fires once x >= x_k
    W2 = autograd.tensor(np.diff(f(knots))).reshape(n, 1)               # each stair's height
    return (g(xs.reshape(-1, 1) @ W1 + b1) @ W2).reshape(-1) + f(knots[0])

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(xs.numpy(), f(xs.numpy()), "k", lw=2, label="f")
errors = {}
for n in [4, 16, 64]:
    approx = staircase(n)
    errors[n] = np.abs(approx.numpy() - f(xs.numpy())).max()
    ax.plot(xs.numpy(), approx.numpy(), lw=1, label=f"{n} step units (max err {errors[n]:.2f})")
ax.legend(fontsize=7); plt.show()
assert errors[4] > errors[16] > errors[64] and errors[64] < 0.25   # error ~ stair width x max|f'|
"""),
]

# ---------------------------------------------------------------------------------------------------------------
# 04 — a scalar-graph MLP on moons, then the same in tensors
# ---------------------------------------------------------------------------------------------------------------
NB04 = [
    md(r"""
# 4 · An MLP on moons: first one number at a time, then in tensors

The previous notebooks computed gradients of tiny expressions. A neural network is just a bigger expression.
Here we build a multi-layer perceptron the way Karpathy's *micrograd* does: every weight, every input and every
intermediate result is a **single number** (a 0-d tensor), and a neuron is literally
$\tanh\big(\sum_i w_i x_i + b\big)$ written with `+` and `*`. Then we write the same network with weight
matrices — the column-matrix form of lecture **001** — and see that it computes the same thing, much faster.
"""),
    code(SETUP + """
import random, time"""),
    md(r"""
## The data

`nn.data.make_moons` draws two interleaving half circles (as scikit-learn's `make_moons`). The labels are
mapped to $y \in \{-1, +1\}$ for a max-margin (hinge) loss, as in micrograd's demo.
"""),
    code("""
X, y01 = nn.data.make_moons(100, noise=0.1, random_state=1)
y = 2 * y01 - 1                                           # {0, 1} -> {-1, +1}
plt.figure(figsize=(3.6, 2.8))
plt.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=14, edgecolors="k", linewidths=0.3)
plt.title("make_moons(100, noise=0.1)"); plt.show()
"""),
    md(r"""
## Neurons, layers, MLP — out of scalars

Every parameter is its own `autograd.tensor(number, requires_grad=True)`. The forward pass builds one graph
node per multiplication and addition.
"""),
    code("""
random.seed(0)

def scalar(v, grad=False):
    return autograd.tensor(float(v), dtype=autograd.float64, requires_grad=grad)

class Neuron:
    def __init__(self, n_in, nonlin=True):
        self.w = [scalar(random.uniform(-1, 1), True) for _ in range(n_in)]
        self.b = scalar(0.0, True)
        self.nonlin = nonlin
    def __call__(self, xs):
        act = self.b
        for wi, xi in zip(self.w, xs):
            act = act + wi * xi
        return act.tanh() if self.nonlin else act
    def parameters(self):
        return self.w + [self.b]

class Layer:
    def __init__(self, n_in, n_out, **kw):
        self.neurons = [Neuron(n_in, **kw) for _ in range(n_out)]
    def __call__(self, xs):
        out = [n(xs) for n in self.neurons]
        return out[0] if len(out) == 1 else out
    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

class MLP:
    def __init__(self, n_in, widths):
        sizes = [n_in] + widths
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(widths) - 1) for i in range(len(widths))]
    def __call__(self, xs):
        for layer in self.layers:
            xs = layer(xs)
        return xs
    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

model = MLP(2, [8, 8, 1])
print(len(model.parameters()), "parameters, each its own scalar tensor")
"""),
    md(r"""
One neuron applied to one point is already a graph of a dozen nodes; `draw_graph` shows it with every local
derivative on its edge:
"""),
    code("""
n0 = model.layers[0].neurons[0]
for i, wi in enumerate(n0.w): wi.name = f"w{i}"
n0.b.name = "b"
out = n0([scalar(X[0, 0]), scalar(X[0, 1])])
viz.draw_graph(out, show_grad=False)
"""),
    md(r"""
## Training: hinge loss + L2, mini-batch SGD

The loss is micrograd's: $\frac1B\sum \max(0, 1 - y_i\, \hat y_i) + \alpha \lVert\theta\rVert^2$ (the
regularisation term of lecture 000). Each step samples a mini-batch of 20 points (lecture 000's compromise
between GD and SGD), builds the graph, runs `backward()` and moves every scalar parameter by hand.
"""),
    code("""
params = model.parameters()

def batch_loss(idx):
    scores = [model([scalar(X[i, 0]), scalar(X[i, 1])]) for i in idx]
    data = sum(((1 - float(y[i]) * s).relu() for i, s in zip(idx, scores)), scalar(0.0)) * (1.0 / len(idx))
    reg = 1e-4 * sum((p * p for p in params), scalar(0.0))
    acc = np.mean([(s.item() > 0) == (y[i] > 0) for i, s in zip(idx, scores)])
    return data + reg, acc

rng = np.random.default_rng(0)
t0 = time.perf_counter()
history = []
steps = 60
for k in range(steps):
    idx = rng.choice(len(X), size=20, replace=False)
    loss, acc = batch_loss(idx)
    for p in params:
        p.grad = None
    loss.backward()
    lr = 1.0 - 0.9 * k / steps                               # learning-rate decay, as in micrograd's demo
    with autograd.no_grad():
        for p in params:
            p -= lr * p.grad
    history.append(loss.item())
print(f"{steps} steps in {time.perf_counter() - t0:.1f} s; last loss {history[-1]:.3f}")
print("graph size of one full-data forward pass:", viz.path_stats(batch_loss(range(len(X)))[0]).ops, "ops")
"""),
    md(r"""
## The same network in tensors

A layer of scalar neurons is a matrix–vector product: stacking neuron $j$'s weights as column $j$ of $W$ gives
$\vec v_{\ell} = \tanh(W^T \vec v_{\ell-1} + \vec b)$ (lecture 001's "vectorised form"). Copy the trained scalar
weights into matrices and evaluate **all points at once** — the outputs agree to the last bit of float64
rounding, with two graph nodes per layer instead of hundreds.
"""),
    code("""
def as_matrices(mlp):
    Ws = [autograd.tensor([[w.item() for w in n.w] for n in layer.neurons], dtype=autograd.float64).T
          for layer in mlp.layers]
    bs = [autograd.tensor([n.b.item() for n in layer.neurons], dtype=autograd.float64) for layer in mlp.layers]
    return Ws, bs

def tensor_forward(Ws, bs, Xt):
    h = Xt
    for i, (W, b) in enumerate(zip(Ws, bs)):
        h = h @ W + b
        if i < len(Ws) - 1:
            h = h.tanh()
    return h.reshape(-1)

Ws, bs = as_matrices(model)
Xt = autograd.tensor(X, dtype=autograd.float64)
scores_tensor = tensor_forward(Ws, bs, Xt).numpy()
scores_scalar = np.array([model([scalar(a), scalar(b)]).item() for a, b in X])
print("max |scalar graph - tensor graph| =", np.abs(scores_tensor - scores_scalar).max())
assert np.allclose(scores_tensor, scores_scalar, atol=1e-12)
acc_scalar = np.mean((scores_tensor > 0) == (y > 0))
print(f"training accuracy of the scalar-graph MLP: {acc_scalar:.2f}")
assert acc_scalar >= 0.85
"""),
    md(r"""
## Decision boundary

The tensor form makes it cheap to evaluate the network on a grid of 10,000 points and colour the plane by the
sign of its score.
"""),
    code("""
def plot_boundary(score_fn, title, ax):
    gx, gy = np.meshgrid(np.linspace(-1.6, 2.6, 100), np.linspace(-1.1, 1.6, 100))
    grid = np.c_[gx.ravel(), gy.ravel()]
    Z = score_fn(grid).reshape(gx.shape)
    ax.contourf(gx, gy, Z > 0, cmap="coolwarm", alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12, edgecolors="k", linewidths=0.3)
    ax.set_title(title, fontsize=9)

fig, ax = plt.subplots(figsize=(3.8, 2.8))
plot_boundary(lambda G: tensor_forward(Ws, bs, autograd.tensor(G, dtype=autograd.float64)).numpy(),
              f"scalar-graph MLP, {steps} SGD steps (acc {acc_scalar:.2f})", ax)
plt.show()
"""),
    md(r"""
## Training in tensors with `nn` and `optim`

The same architecture with `nn.Linear` layers, trained full-batch. Every step now costs a handful of matrix
operations, so a thousand steps take about as long as a few dozen scalar-graph steps did.
"""),
    code("""
autograd.manual_seed(0)
net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1))
opt = optim.Adam(net.parameters(), lr=0.02)
Xf, yf = autograd.tensor(X), autograd.tensor(y, dtype=autograd.float32)
t0 = time.perf_counter()
for k in range(500):
    scores = net(Xf).reshape(-1)
    loss = (1 - yf * scores).relu().mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
with autograd.no_grad():
    acc_tensor = ((net(Xf).reshape(-1) > 0).numpy() == (y > 0)).mean()
print(f"500 Adam steps in {time.perf_counter() - t0:.1f} s; training accuracy {acc_tensor:.2f}")
assert acc_tensor >= 0.97

def net_scores(G):
    with autograd.no_grad():
        return net(autograd.tensor(G)).numpy().ravel()

fig, axes = plt.subplots(1, 2, figsize=(7, 2.7))
plot_boundary(lambda G: tensor_forward(Ws, bs, autograd.tensor(G, dtype=autograd.float64)).numpy(),
              f"scalar graph (acc {acc_scalar:.2f})", axes[0])
plot_boundary(net_scores, f"nn.Sequential + Adam (acc {acc_tensor:.2f})", axes[1])
plt.tight_layout(); plt.show()
"""),
]

# ---------------------------------------------------------------------------------------------------------------
# 05 — activations and losses
# ---------------------------------------------------------------------------------------------------------------
NB05 = [
    md(r"""
# 5 · Activations and losses

Lecture **001** tabulates the common activation functions with their gradients; lecture **003** gives the
regression losses (MSE, MAE) and a cross-entropy example with two numbers to reproduce, **0.04** and
**1.39**; lecture **002** adds label smoothing and treats softmax as a *vector* activation. We check every
formula against the engine.
"""),
    code(SETUP + """
import nn.functional as F"""),
    md(r"""
## The activation table (lecture 001)

| name | function | gradient |
|---|---|---|
| binary step | $\mathrm{sign}(x)$ / step | $0$ for $x \ne 0$, N/A at $0$ |
| sigmoid | $\sigma(x) = 1/(1 + e^{-x})$ | $\sigma(x)(1 - \sigma(x))$ |
| tanh | $\tanh(x)$ | $1 - \tanh^2(x)$ |
| ReLU | $\max(x, 0)$ | $1$ for $x \ge 0$, $0$ for $x < 0$ |

The engine gets each gradient from `backward()`; the right column is the lecture's closed form.
"""),
    code("""
xs = np.linspace(-4, 4, 401)
acts = {
    "step":    (autograd.step,    lambda x: np.zeros_like(x)),
    "sigmoid": (autograd.sigmoid, lambda x: (1 / (1 + np.exp(-x))) * (1 - 1 / (1 + np.exp(-x)))),
    "tanh":    (autograd.tanh,    lambda x: 1 - np.tanh(x) ** 2),
    "ReLU":    (autograd.relu,    lambda x: (x >= 0).astype(float)),
}
fig, axes = plt.subplots(1, 4, figsize=(9, 2.2), sharey=True)
for ax, (name, (fn, grad_formula)) in zip(axes, acts.items()):
    x = autograd.tensor(xs, requires_grad=True)
    out = fn(x)
    out.sum().backward()                        # d(sum)/dx_i = f'(x_i): all the derivatives in one pass
    ax.plot(xs, out.detach().numpy(), label="f(x)")
    ax.plot(xs, x.grad.numpy(), "--", label="f'(x), engine")
    ax.set_title(name); ax.set_ylim(-1.2, 1.2)
    away_from_0 = xs != 0
    assert np.allclose(x.grad.numpy()[away_from_0], grad_formula(xs)[away_from_0]), name
axes[0].legend(fontsize=7); plt.tight_layout(); plt.show()
"""),
    md(r"""
Two details the plot hides:

* at $x = 0$ the step and ReLU are not differentiable. The lecture writes "N/A" for the step and picks $1$ for
  ReLU; pathgrad, like PyTorch, uses the subgradient $0$ for both.
* sigmoid's gradient is at most $\sigma(0)(1 - \sigma(0)) = 1/4$ and tanh's at most $1$; both vanish for large
  $|x|$ — the seed of the vanishing-gradient problem (lecture 004).
"""),
    code("""
z = autograd.tensor([0.0], requires_grad=True)
for name, (fn, _) in acts.items():
    z.grad = None
    fn(z).sum().backward()
    print(f"{name:8s} f'(0) = {z.grad.item():.2f}")
s = autograd.tensor(np.linspace(-10, 10, 2001), requires_grad=True)
s.sigmoid().sum().backward()
assert np.isclose(s.grad.numpy().max(), 0.25)
"""),
    md(r"""
## MSE and MAE (lecture 003)

$$\mathrm{MSE} = \frac1n\sum_{i=1}^n (y_i - \hat y_i)^2, \qquad \mathrm{MAE} = \frac1n\sum_{i=1}^n
|y_i - \hat y_i|.$$

Their gradients differ in kind: MSE pulls each prediction with a force proportional to its error,
$\frac{2}{n}(\hat y_i - y_i)$; MAE with a constant force $\frac1n\,\mathrm{sign}(\hat y_i - y_i)$, which is
why it is less sensitive to outliers.
"""),
    code("""
y_true = autograd.tensor([3.0, -0.5, 2.0, 7.0])
y_pred = autograd.tensor([2.5, 0.0, 2.0, 8.0], requires_grad=True)
mse = F.mse_loss(y_pred, y_true); mse.backward()
g_mse = y_pred.grad.numpy().copy(); y_pred.grad = None
mae = F.l1_loss(y_pred, y_true); mae.backward()
g_mae = y_pred.grad.numpy()
d = y_pred.detach().numpy() - y_true.numpy()
print(f"MSE = {mse.item():.4f}, MAE = {mae.item():.4f}")
print("dMSE/dŷ =", g_mse, "  dMAE/dŷ =", g_mae)
assert np.isclose(mse.item(), np.mean(d ** 2)) and np.isclose(mse.item(), 0.375)
assert np.isclose(mae.item(), np.mean(np.abs(d))) and np.isclose(mae.item(), 0.5)
assert np.allclose(g_mse, 2 * d / 4)
assert np.allclose(g_mae[d != 0], np.sign(d[d != 0]) / 4)
"""),
    md(r"""
## Cross-entropy: 0.04 vs 1.39 (lecture 003)

```
target          = [0, 0, 0, 1]
good_prediction = [0.01, 0.01, 0.01, 0.96]
poor_prediction = [0.25, 0.25, 0.25, 0.25]
cross_entropy(good_prediction, target) = 0.04
cross_entropy(poor_prediction, target) = 1.39
```

These are the *categorical* cross-entropy $-\sum_i y_i \log \hat y_i = -\log \hat y_{\text{true}}$ (lecture
002: $\mathrm{div}(\vec y, \vec d) = -\sum_i d_i \log y_i = -\log y_c$): $-\log 0.96 = 0.041$ and
$-\log 0.25 = \log 4 = 1.386$. (The slide also shows the binary formula
$-(y\log\hat y + (1-y)\log(1-\hat y))$; summed over the four outputs it would give 0.07 and 2.25 instead.)

The predictions are already probabilities, so the loss to use is `F.nll_loss` on their logarithms
(negative log-likelihood of the true class). `F.cross_entropy` expects *logits* and applies softmax first:
feeding it $\log p$ would renormalise $p$ — and the slide's "good" prediction sums to $0.99$, not $1$, so
that would give $-\log(0.96/0.99) = 0.03$ instead of $0.04$.
"""),
    code("""
target = autograd.tensor([3])                            # class index of the one-hot [0, 0, 0, 1]
good = autograd.tensor([[0.01, 0.01, 0.01, 0.96]])
poor = autograd.tensor([[0.25, 0.25, 0.25, 0.25]])
ce_good = F.nll_loss(good.log(), target).item()
ce_poor = F.nll_loss(poor.log(), target).item()
print(f"cross_entropy(good) = {ce_good:.4f} -> {ce_good:.2f}")
print(f"cross_entropy(poor) = {ce_poor:.4f} -> {ce_poor:.2f}")
assert round(ce_good, 2) == 0.04 and round(ce_poor, 2) == 1.39     # lecture 003's numbers
assert np.isclose(ce_good, -np.log(0.96)) and np.isclose(ce_poor, np.log(4))

renormalised = F.cross_entropy(good.log(), target).item()             # softmax(log p) = p / 0.99
print(f"F.cross_entropy(log p) renormalises the good prediction: {renormalised:.4f}")
assert np.isclose(renormalised, -np.log(0.96 / 0.99))

binary = lambda p: F.binary_cross_entropy(p, autograd.tensor([[0., 0., 0., 1.]]), reduction="sum").item()
print(f"binary formula summed over outputs: {binary(good):.2f} and {binary(poor):.2f}")
assert round(binary(good), 2) == 0.07 and round(binary(poor), 2) == 2.25
"""),
    md(r"""
Combined with softmax, the cross-entropy has the simplest gradient in deep learning: with respect to the
logits $z$ it is $\mathrm{softmax}(z) - \vec d$, prediction minus target.
"""),
    code("""
z = autograd.tensor([[1.0, -0.5, 0.3, 2.0]], requires_grad=True)
F.cross_entropy(z, target).backward()
expected = z.softmax(-1).detach().numpy() - np.array([[0, 0, 0, 1.0]])
print("dCE/dz =", z.grad.numpy().round(4))
assert np.allclose(z.grad.numpy(), expected)
"""),
    md(r"""
## Why cross-entropy and not L2 for classification (lecture 002)

Lecture 002 compares the convergence of cross-entropy and the $L_2$ divergence. With a sigmoid output that is
confidently wrong ($z = -6$ for a positive example), the $L_2$ gradient is multiplied by
$\sigma'(z) \approx 0.0025$ and almost vanishes; the cross-entropy gradient $\sigma(z) - 1 \approx -1$ does not.
"""),
    code("""
zz = autograd.tensor([-6.0], requires_grad=True)
(0.5 * (zz.sigmoid() - 1) ** 2).sum().backward(); g_l2 = zz.grad.item(); zz.grad = None
F.binary_cross_entropy(zz.sigmoid(), autograd.tensor([1.0])).backward(); g_ce = zz.grad.item()
print(f"dL/dz at z = -6:  L2 {g_l2:.4f}   cross-entropy {g_ce:.4f}")
assert abs(g_ce) > 100 * abs(g_l2)
"""),
    md(r"""
## Label smoothing (lecture 002)

"Sometimes instead of one-hot" targets, use $\epsilon$ for every wrong class and $1 - (k-1)\epsilon$ for the
right one. The network is then never pushed towards infinitely large logits. PyTorch's (and pathgrad's)
`label_smoothing=α` mixes the one-hot target with the uniform distribution: $(1-\alpha)\,\vec d + \alpha/k$,
which is the lecture's target with $\epsilon = \alpha/k$.
"""),
    code("""
k, alpha = 4, 0.1
eps = alpha / k
smoothed = np.full(k, eps); smoothed[3] = 1 - (k - 1) * eps         # lecture 002: [ε, ε, ε, 1-(k-1)ε]
print("smoothed target:", smoothed)
logits = autograd.tensor([[1.0, -0.5, 0.3, 2.0]])
manual = -(smoothed * logits.log_softmax(-1).numpy()).sum()
library = F.cross_entropy(logits, target, label_smoothing=alpha).item()
print(f"manual {manual:.6f}   F.cross_entropy(label_smoothing={alpha}) {library:.6f}")
assert np.isclose(manual, library)
assert np.isclose(F.cross_entropy(logits, autograd.tensor(smoothed[None])).item(), library)   # soft targets
"""),
    md(r"""
## Softmax is a vector activation (lecture 002)

A scalar activation acts on each neuron alone: its Jacobian is diagonal. Softmax,
$y_i = e^{z_i}/\sum_j e^{z_j}$, couples the whole layer — "change one param ⇒ all outputs will change". Its
Jacobian is the full matrix $\partial y_i/\partial z_j = y_i(\delta_{ij} - y_j)$, i.e.
$\mathrm{diag}(\vec y) - \vec y\,\vec y^T$; `autograd.functional.jacobian` computes it from the graph.
"""),
    code("""
from autograd.functional import jacobian
z0 = autograd.tensor([1.0, 2.0, 0.5])
J_soft = jacobian(lambda z: z.softmax(-1), z0).numpy()
J_tanh = jacobian(lambda z: z.tanh(), z0).numpy()
y0 = z0.softmax(-1).numpy()
print("softmax Jacobian:\\n", J_soft.round(4))
print("tanh Jacobian:\\n", J_tanh.round(4))
assert np.allclose(J_soft, np.diag(y0) - np.outer(y0, y0))
assert np.allclose(J_tanh, np.diag(1 - np.tanh(z0.numpy()) ** 2))          # diagonal: a scalar activation
assert np.allclose(J_soft.sum(axis=0), 0, atol=1e-6)    # outputs always sum to 1, so every column sums to 0
"""),
]

# ---------------------------------------------------------------------------------------------------------------
# 06 — the optimiser zoo on a ravine
# ---------------------------------------------------------------------------------------------------------------
NB06 = [
    md(r"""
# 6 · The optimiser zoo on a ravine

Lecture **003** (Pacha): a loss "can have canyon-like curvature; the gradient bounces between canyon walls".
Lecture **004** (Schönhuth) blames a "poorly conditioned Hessian" and introduces momentum and Nesterov; lecture
**000** (Cohn) lists GD vs SGD vs mini-batch, momentum, Adagrad and Adam, and then a whole "zoo": Nesterov,
Adadelta, RMSprop, AMSGrad, Nadam, AdamW, QHAdam. We first check the lectures' update rules against
`optim`, then race them all through one ravine.
"""),
    code(SETUP),
    md(r"""
## GD vs SGD vs mini-batch (lecture 000)

Fit $\hat y = w x + b$ to 64 noisy points by least squares. Because the inputs are not centred ($x$ between 1 and
4), $w$ and $b$ are strongly coupled and the loss surface is a long, tilted valley. Each method gets the same
budget of **8 epochs** and the same learning rate:

* **GD** — one update per epoch, on the gradient of the whole data set: stable, few updates;
* **SGD** — one update per example: 64 noisy updates per epoch;
* **mini-batch** ($b = 16$) — 4 updates per epoch, less noise than SGD.
"""),
    code("""
rng = np.random.default_rng(0)
xd = rng.uniform(1, 4, size=64)
yd = 2.0 * xd - 3.0 + rng.normal(scale=0.5, size=64)
Xd, Yd = autograd.tensor(xd), autograd.tensor(yd)

def mse(theta, idx=slice(None)):
    return ((theta[0] * Xd[idx] + theta[1] - Yd[idx]) ** 2).mean()

def run(batch, epochs=8, lr=0.05, seed=0):
    order_rng = np.random.default_rng(seed)
    theta = autograd.tensor([-1.0, 4.0], dtype=autograd.float64, requires_grad=True)
    opt = optim.SGD([theta], lr=lr)
    path = [theta.detach().numpy().copy()]
    for _ in range(epochs):
        perm = order_rng.permutation(64)
        for start in range(0, 64, batch):
            opt.zero_grad()
            mse(theta, perm[start:start + batch]).backward()
            opt.step()
            path.append(theta.detach().numpy().copy())
    with autograd.no_grad():
        return np.array(path), mse(theta).item()

runs = {"GD (b=64)": run(64), "mini-batch (b=16)": run(16), "SGD (b=1)": run(1)}
for name, (path, loss) in runs.items():
    print(f"{name:18s} {len(path) - 1:4d} updates, final loss {loss:.3f}")
"""),
    code("""
ws, bs_ = np.meshgrid(np.linspace(-1.5, 3.5, 120), np.linspace(-5.5, 5, 120))
Lgrid = ((ws[..., None] * xd + bs_[..., None] - yd) ** 2).mean(-1)
fig, axes = plt.subplots(1, 3, figsize=(9, 2.8), sharey=True)
for ax, (name, (path, loss)) in zip(axes, runs.items()):
    ax.contour(ws, bs_, np.log(Lgrid), 15, cmap="Greys", linewidths=0.6)
    ax.plot(path[:, 0], path[:, 1], ".-", ms=2, lw=0.8)
    ax.set_title(f"{name}: {len(path) - 1} updates\\nfinal loss {loss:.2f}", fontsize=8); ax.set_xlabel("w")
axes[0].set_ylabel("b"); plt.tight_layout(); plt.show()

gd, mb, sgd = (runs[k][1] for k in runs)
# same epochs: more, noisier updates get further along the valley; GD has only made 8 steps
assert sgd < gd and mb < gd
"""),
    md(r"""
## The lectures' update rules are `optim`'s

Momentum. Lecture 004: $\mathbf v \leftarrow \alpha\mathbf v - \epsilon\nabla C$, $\mathbf w \leftarrow
\mathbf w + \mathbf v$ (lecture 003 writes the same with $\beta, \alpha$; lecture 000 with the sign flipped).
`optim.SGD(momentum=α)` stores $\mathbf b \leftarrow \alpha\mathbf b + \nabla C$ and steps
$\mathbf w \leftarrow \mathbf w - \epsilon\mathbf b$ — the same sequence, with $\mathbf v = -\epsilon\mathbf b$.

Adagrad (lecture 000): $g_i \leftarrow g_i + (\nabla L)_i^2$,
$\theta_i \leftarrow \theta_i - \frac{\eta}{\sqrt{g_i + \epsilon}}(\nabla L)_i$.

Adam (lecture 000): $\mathbf m \leftarrow \beta_1\mathbf m + (1-\beta_1)\nabla L$,
$\mathbf v \leftarrow \beta_2\mathbf v + (1-\beta_2)\nabla L^2$,
$\theta \leftarrow \theta - \frac{\eta}{\sqrt{\mathbf v/(1-\beta_2^t)} + \epsilon}\,\mathbf m/(1-\beta_1^t)$. The slide
writes the bias corrections as $1-\beta$; the original (and `optim.Adam`) uses $1-\beta^t$ at step $t$ — the
two agree at $t = 1$.

We run each rule by hand in NumPy next to the library for 20 steps on the ravine
$C(\mathbf w) = 0.01\,w_1^2 + w_2^2$ (gradient $(0.02\,w_1,\ 2 w_2)$) and compare every iterate.
"""),
    code("""
def ravine(w):
    return 0.01 * w[0] ** 2 + w[1] ** 2
def ravine_grad(w):
    return np.array([0.02 * w[0], 2 * w[1]])
start = np.array([-8.0, 1.5])

def library_path(make_opt, steps=20):
    w = autograd.tensor(start, dtype=autograd.float64, requires_grad=True)
    opt = make_opt([w])
    out = []
    for _ in range(steps):
        opt.zero_grad(); ravine(w).backward(); opt.step()
        out.append(w.detach().numpy().copy())
    return np.array(out)

def momentum_by_hand(eps=0.5, alpha=0.7, steps=20):       # lecture 004, eqs. (14)-(15)
    w, v, out = start.copy(), np.zeros(2), []
    for _ in range(steps):
        v = alpha * v - eps * ravine_grad(w); w = w + v; out.append(w)
    return np.array(out)

def adagrad_by_hand(eta=1.0, eps=1e-10, steps=20):       # lecture 000
    w, G, out = start.copy(), np.zeros(2), []
    for _ in range(steps):
        g = ravine_grad(w); G = G + g ** 2; w = w - eta / np.sqrt(G + eps) * g; out.append(w)
    return np.array(out)

def adam_by_hand(eta=0.5, b1=0.9, b2=0.999, eps=1e-8, steps=20):   # lecture 000, with 1 - β^t
    w, m, v, out = start.copy(), np.zeros(2), np.zeros(2), []
    for t in range(1, steps + 1):
        g = ravine_grad(w); m = b1 * m + (1 - b1) * g; v = b2 * v + (1 - b2) * g ** 2
        w = w - eta / (np.sqrt(v / (1 - b2 ** t)) + eps) * m / (1 - b1 ** t); out.append(w)
    return np.array(out)

checks = {
    "momentum": (momentum_by_hand(), library_path(lambda p: optim.SGD(p, lr=0.5, momentum=0.7))),
    "Adagrad":  (adagrad_by_hand(),  library_path(lambda p: optim.Adagrad(p, lr=1.0, eps=1e-10))),
    "Adam":     (adam_by_hand(),     library_path(lambda p: optim.Adam(p, lr=0.5))),
}
for name, (hand, lib) in checks.items():
    err = np.abs(hand - lib).max()
    print(f"{name:9s} max |by hand - optim| over 20 steps = {err:.1e}")
    assert np.allclose(hand, lib, rtol=1e-6, atol=1e-8), name
"""),
    md(r"""
## The race

Eleven optimisers, 100 steps each, from $(-8, 1.5)$ on $C(\mathbf w) = 0.01\,w_1^2 + w_2^2$: the valley floor
is the $w_1$ axis, and the walls are 100 times steeper than the floor (condition number 100). Learning rates are
set per method, roughly as large as each tolerates. Watch for:

* **GD** bouncing between the walls (its learning rate is capped by the steep direction, so it crawls along
  the floor);
* **momentum / Nesterov** averaging the bounces away and building up speed along the floor (lecture 004);
* the **adaptive** methods (Adagrad, Adadelta, RMSprop, Adam and its variants) rescaling each coordinate by its
  own gradient history, so both directions move at a similar speed — they head almost straight for the
  floor, then along it.
"""),
    code("""
zoo = {
    "GD":        lambda p: optim.SGD(p, lr=0.95),
    "momentum":  lambda p: optim.SGD(p, lr=0.5, momentum=0.7),
    "Nesterov":  lambda p: optim.SGD(p, lr=0.5, momentum=0.7, nesterov=True),
    "Adagrad":   lambda p: optim.Adagrad(p, lr=1.0),
    "Adadelta":  lambda p: optim.Adadelta(p, lr=50.0),
    "RMSprop":   lambda p: optim.RMSprop(p, lr=0.1),
    "Adam":      lambda p: optim.Adam(p, lr=0.5),
    "AMSGrad":   lambda p: optim.Adam(p, lr=0.5, amsgrad=True),
    "AdamW":     lambda p: optim.AdamW(p, lr=0.5, weight_decay=0.01),
    "NAdam":     lambda p: optim.NAdam(p, lr=0.5),
    "QHAdam":    lambda p: optim.QHAdam(p, lr=0.5),
}
paths, final = {}, {}
for name, make in zoo.items():
    path = np.vstack([start, library_path(make, steps=100)])
    paths[name], final[name] = path, ravine(path[-1])
    print(f"{name:9s} loss after 100 steps: {final[name]:.2e}")

w1, w2 = np.meshgrid(np.linspace(-9, 2, 100), np.linspace(-2, 2, 100))
fig, axes = plt.subplots(3, 4, figsize=(9, 4.6), sharex=True, sharey=True)
for ax, (name, path) in zip(axes.flat, paths.items()):
    ax.contour(w1, w2, ravine(np.array([w1, w2])), levels=np.geomspace(1e-3, 5, 10), cmap="Greys", linewidths=0.5)
    ax.plot(path[:, 0], path[:, 1], ".-", ms=2, lw=0.8, color="C3")
    ax.plot(0, 0, "k*", ms=6)
    ax.set_title(f"{name}  ({final[name]:.0e})", fontsize=8)
axes.flat[-1].axis("off")
plt.tight_layout(); plt.show()

assert final["momentum"] < final["GD"] / 10 and final["Nesterov"] < final["GD"] / 10
for name in ["Adagrad", "RMSprop", "Adam", "AMSGrad", "AdamW", "NAdam"]:
    assert final[name] < final["GD"] / 10, name
assert all(v < ravine(start) / 100 for v in final.values())
"""),
    md(r"""
What the grid shows:

* **GD** zig-zags across the valley and is still far along the floor after 100 steps.
* **Momentum** and **Nesterov** oscillate a little at first and then run along the floor; Nesterov evaluates the
  gradient at the look-ahead point $\mathbf w + \alpha\mathbf v$, which damps the overshoot.
* **Adagrad** divides by the root of the *sum* of squared gradients, so its steps only shrink — fine here,
  "too conservative" on long runs (lecture 000). **Adadelta** and **RMSprop** replace the sum with a decaying
  average (lecture 003: "RMSprop: very similar to Adadelta").
* **Adam** = momentum + RMSprop scaling; its first steps have size ≈ η in each coordinate, whatever the
  gradient's scale. **AMSGrad** uses the maximum of past $v$ instead of the average; **AdamW** decays the weights
  directly instead of through the gradient; **NAdam** adds Nesterov's look-ahead to Adam; **QHAdam** averages a
  plain gradient step with the momentum step.
"""),
]

# ---------------------------------------------------------------------------------------------------------------
# 07 — second order
# ---------------------------------------------------------------------------------------------------------------
NB07 = [
    md(r"""
# 7 · Second order: the Hessian, Newton, BFGS, L-BFGS, CG

Lecture **004** (Schönhuth), "Hessian technique": by Taylor's theorem

$$C(\mathbf w + \delta\mathbf w) \approx C(\mathbf w) + \nabla C\,\delta\mathbf w + \tfrac12\,\delta\mathbf w^T H\,
\delta\mathbf w, \qquad H_{jk} = \frac{\partial^2 C}{\partial w_j \partial w_k},$$

and the right-hand side is minimised by $\delta\mathbf w = -H^{-1}\nabla C$. Iterating
$\mathbf w \leftarrow \mathbf w - \eta H^{-1}\nabla C$ "takes into account how fast the gradient changes", and
"theoretical and empirical evidence says that less iterations are needed" — but $H$ has $N^2$ entries. The
lecture's alternatives: conjugate gradient, BFGS and L-BFGS (also lecture 000's "batch-style" zoo).
"""),
    code(SETUP + """
from autograd.functional import hessian, hvp"""),
    md(r"""
## The Hessian from the engine

pathgrad differentiates its own backward pass (`create_graph=True`), so `autograd.functional.hessian` gives
exact second derivatives. Check them on Rosenbrock's function $C(x, y) = (1-x)^2 + 100(y - x^2)^2$, whose
Hessian is $\begin{pmatrix}1200x^2 - 400y + 2 & -400x\\ -400x & 200\end{pmatrix}$.
"""),
    code("""
def rosenbrock(w):
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2

w0 = autograd.tensor([-1.2, 1.0], dtype=autograd.float64)
H = hessian(rosenbrock, w0).numpy()
x, y = w0.numpy()
H_exact = np.array([[1200 * x ** 2 - 400 * y + 2, -400 * x], [-400 * x, 200]])
print("H from the engine:\\n", H)
assert np.allclose(H, H_exact)

# a Hessian-vector product without forming H: what CG-style and truncated-Newton methods use
v = autograd.tensor([1.0, -2.0], dtype=autograd.float64)
assert np.allclose(hvp(rosenbrock, w0, v)[1].numpy(), H_exact @ v.numpy())
"""),
    md(r"""
The second-order Taylor model of lecture 004, eq. (12), is accurate to third order: halving the step
divides its error by about 8.
"""),
    code("""
wt = w0.clone().requires_grad_()
g = autograd.grad(rosenbrock(wt), wt)[0].numpy()
C0 = rosenbrock(w0).item()
direction = np.array([0.3, -0.2])
errs = []
for h in [1e-1, 5e-2, 2.5e-2]:
    dw = h * direction
    taylor = C0 + g @ dw + 0.5 * dw @ H @ dw
    actual = rosenbrock(autograd.tensor(w0.numpy() + dw)).item()
    errs.append(abs(actual - taylor))
    print(f"|δw| = {np.linalg.norm(dw):.4f}: C = {actual:.6f}, quadratic model = {taylor:.6f}, error {errs[-1]:.2e}")
ratios = [errs[i] / errs[i + 1] for i in range(2)]
print("error ratios:", np.round(ratios, 2))
assert all(6 < r < 10 for r in ratios)
"""),
    md(r"""
## On a quadratic, Newton needs one step

For $C(\mathbf w) = \frac12\mathbf w^T A\mathbf w$ the quadratic model is exact, so one Newton step
$\mathbf w - A^{-1}A\mathbf w = 0$ lands on the minimum, whatever the conditioning. Gradient descent's step size
is limited by the steepest direction ($\eta < 2/\lambda_{\max}$), so its iteration count grows with the
condition number $\kappa = \lambda_{\max}/\lambda_{\min}$ — the ravine of notebook 6.
`optim.Newton(lr=η, max_iter=1, line_search_fn=None)` is exactly the lecture's update.
"""),
    code("""
def iterations(make_opt, loss_fn, w_start, tol, max_steps, closure_backward=True):
    \"\"\"Number of optimiser iterations until loss < tol (one iteration per step).\"\"\"
    w = autograd.tensor(w_start, dtype=autograd.float64, requires_grad=True)
    opt = make_opt([w])
    path = [w.detach().numpy().copy()]
    def closure():
        opt.zero_grad()
        loss = loss_fn(w)
        if closure_backward:
            loss.backward()
        return loss
    for k in range(1, max_steps + 1):
        opt.step(closure)
        path.append(w.detach().numpy().copy())
        with autograd.no_grad():
            if loss_fn(w).item() < tol:
                return k, np.array(path)
    return None, np.array(path)

rows = []
for kappa in [10, 30, 100]:
    A = autograd.tensor(np.diag([1.0, kappa]), dtype=autograd.float64)
    quad = lambda w, A=A: 0.5 * (w @ A @ w)
    n_newton, _ = iterations(lambda p: optim.Newton(p, lr=1, max_iter=1, line_search_fn=None),
                             quad, [1.0, 1.0], 1e-10, 10, closure_backward=False)
    n_gd, _ = iterations(lambda p, k=kappa: optim.SGD(p, lr=1.0 / k), quad, [1.0, 1.0], 1e-10, 20000)
    rows.append((kappa, n_gd, n_newton))
    assert n_newton == 1 and n_gd > 10 * kappa
print(f"{'kappa':>6} {'GD iterations':>14} {'Newton iterations':>18}")
for kappa, n_gd, n_newton in rows:
    print(f"{kappa:>6} {n_gd:>14} {n_newton:>18}")
"""),
    md(r"""
## Rosenbrock's banana: Newton vs GD vs BFGS, L-BFGS, CG

A curved valley, started at the classic $(-1.2, 1)$; the minimum is $(1, 1)$. Count iterations until
$C < 10^{-8}$. The closure-driven optimisers take a `closure` that re-evaluates the loss (for `Newton`, without
calling `backward()`: it differentiates twice itself), and all except GD use a strong-Wolfe line search.

* **Newton**: the exact Hessian each iteration ($N$ backward passes, $N^2$ memory);
* **BFGS**: builds an approximation of $H^{-1}$ from successive gradient differences ($N^2$ memory, no second
  derivatives);
* **L-BFGS**: the same from the last few gradient pairs only ($O(N)$ memory — the one that scales to networks);
* **conjugate gradient**: each direction is made conjugate to the previous one ($O(N)$ memory).
"""),
    code("""
tol, start = 1e-8, [-1.2, 1.0]
methods = {
    "Newton":  (lambda p: optim.Newton(p, max_iter=1), False),
    "BFGS":    (lambda p: optim.BFGS(p, max_iter=1), True),
    # max_eval=25: LBFGS's default budget (5/4 · max_iter = 1) would leave its line search no evaluations
    "L-BFGS":  (lambda p: optim.LBFGS(p, max_iter=1, max_eval=25, line_search_fn="strong_wolfe"), True),
    "CG":      (lambda p: optim.ConjugateGradient(p, max_iter=1), True),
    "GD":      (lambda p: optim.SGD(p, lr=1e-3), True),
}
results = {}
for name, (make, needs_backward) in methods.items():
    n, path = iterations(make, rosenbrock, start, tol, 3000 if name == "GD" else 500, needs_backward)
    results[name] = (n, path)
    final = rosenbrock(autograd.tensor(path[-1])).item()
    print(f"{name:7s} {'did not converge in' if n is None else 'converged in':>19} {len(path) - 1:5d} "
          f"iterations, C = {final:.1e}")

n_newton = results["Newton"][0]
assert n_newton is not None and n_newton < 40
for name in ["BFGS", "L-BFGS", "CG"]:
    assert results[name][0] is not None and n_newton <= results[name][0], name
assert results["GD"][0] is None or results["GD"][0] > 20 * n_newton      # GD: thousands of iterations
"""),
    code("""
gx, gy = np.meshgrid(np.linspace(-1.6, 1.6, 160), np.linspace(-0.6, 2.0, 160))
C = (1 - gx) ** 2 + 100 * (gy - gx ** 2) ** 2
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
axes[0].contour(gx, gy, np.log10(C + 1e-3), 15, cmap="Greys", linewidths=0.5)
for name, (n, path) in results.items():
    axes[0].plot(path[:, 0], path[:, 1], ".-", ms=3, lw=0.9, label=name)
    losses = [rosenbrock(autograd.tensor(p)).item() for p in path[::max(1, len(path) // 300)]]
    axes[1].semilogy(np.arange(len(path))[::max(1, len(path) // 300)], losses, label=name)
axes[0].plot(1, 1, "k*", ms=8); axes[0].legend(fontsize=7); axes[0].set_title("paths from (-1.2, 1)")
axes[1].set_xscale("symlog", linthresh=50); axes[1].set_xlabel("iteration"); axes[1].set_ylabel("C")
axes[1].axhline(tol, color="k", lw=0.5, ls=":"); axes[1].legend(fontsize=7); axes[1].set_title("loss")
plt.tight_layout(); plt.show()
"""),
    md(r"""
Newton and the quasi-Newton methods follow the banana-shaped valley in tens of iterations; gradient descent,
whose step is capped by the steep walls, crawls along the floor and is still far from $(1, 1)$ after thousands.

## Why not Newton for networks?

"Issue is the size of $H$, which is of size $N^2$ if $N$ is the number of parameters … there could be
$N = 10^7$ many parameters" (lecture 004).
"""),
    code("""
N = 10 ** 7
print(f"N = {N:.0e} parameters: H has {N ** 2:.0e} entries = {N ** 2 * 4 / 1e12:.0f} TB in float32;")
print(f"L-BFGS with history 10 stores 2·10·N numbers = {2 * 10 * N * 4 / 1e9:.1f} GB")
assert N ** 2 == 10 ** 14
"""),
]

NOTEBOOKS = {
    "01_computation_graph": NB01,
    "02_backprop_by_hand": NB02,
    "03_boolean_functions": NB03,
    "04_mlp_on_moons": NB04,
    "05_activations_and_losses": NB05,
    "06_optimiser_zoo": NB06,
    "07_second_order": NB07,
}


def kernel_env() -> str:
    """A temporary Jupyter data dir whose ``python3`` kernel is this interpreter; returns its path."""
    d = Path(tempfile.mkdtemp(prefix="pathgrad-kernel-"))
    spec = d / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (pathgrad)", "language": "python",
    }))
    return str(d)


def build(name: str, cells: list, execute: bool = True) -> float:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    seconds = 0.0
    if execute:
        from nbclient import NotebookClient
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        seconds = time.perf_counter() - t0
        for cell in nb.cells:            # execution timestamps would make every rebuild a diff
            cell.get("metadata", {}).pop("execution", None)
            # graphviz-pure's harmless font-metric warning for non-ASCII labels (reported upstream): not content
            if cell.cell_type == "code":
                cell["outputs"] = [o for o in cell["outputs"] if not (
                    o.get("name") == "stderr" and "no value for width of non-ASCII character" in o.get("text", ""))]
    path = HERE / f"{name}.ipynb"
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print(f"{path.name}: {seconds:.1f} s, {path.stat().st_size / 1024:.0f} KB", flush=True)
    return seconds


def main(argv: list[str]) -> None:
    execute = "--no-execute" not in argv
    wanted = [a for a in argv if not a.startswith("-")]
    if execute:
        os.environ["JUPYTER_PATH"] = kernel_env() + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    for name, cells in NOTEBOOKS.items():
        if not wanted or any(name.startswith(w.zfill(2)) for w in wanted):
            build(name, cells, execute)


if __name__ == "__main__":
    main(sys.argv[1:])
