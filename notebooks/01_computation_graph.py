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
# # 1 · The computation graph
#
# Lecture **003** (Pacha, TU Wien; after colah's *Calculus on Computational Graphs*) differentiates one small
# expression by hand:
#
# $$e(a, b) = (a + b)(b + 1) \qquad\text{at } a = 2,\ b = 1.$$
#
# Naming the intermediate results $c = a + b$ and $d = b + 1$ turns it into a graph of three operations:
# $e = c \cdot d$. In this notebook pathgrad builds that graph, evaluates it forward, labels every edge with its
# local derivative, runs the backward pass, and shows the lecture's two views of the chain rule — a **sum over
# paths** and its **factorisation**, which is what backpropagation computes.

# %%
# %matplotlib inline
# %config InlineBackend.figure_formats = ['png']
import numpy as np
import matplotlib.pyplot as plt
plt.rcParams.update({"figure.dpi": 72, "figure.figsize": (4.5, 3.2), "font.size": 9})
import autograd
from autograd import viz
import nn
import optim
from exercises.checks_01 import check_1_1, check_1_2   # self-checks for the exercises at the end

# %% [markdown]
# ## Forward pass
#
# Every operation on a tensor with `requires_grad=True` records itself in the graph. Giving the tensors names
# (`.name`) makes the drawing and the path listings below read like the lecture's figure.

# %%
a = autograd.tensor(2.0, requires_grad=True); a.name = "a"
b = autograd.tensor(1.0, requires_grad=True); b.name = "b"
c = a + b;  c.name = "c"
d = b + 1;  d.name = "d"
e = c * d;  e.name = "e"
print(f"c = {c.item()}, d = {d.item()}, e = {e.item()}")
assert (c.item(), d.item(), e.item()) == (3, 2, 6)      # lecture 003: e = 6

# %% [markdown]
# ## Local derivatives
#
# Each operation only knows the derivative of its output with respect to its own inputs (lecture 003, "compute
# local gradients independently"):
#
# | edge | local derivative | at $a=2, b=1$ |
# |---|---|---|
# | $a \to c$ | $\partial c/\partial a = 1$ | 1 |
# | $b \to c$ | $\partial c/\partial b = 1$ | 1 |
# | $b \to d$ | $\partial d/\partial b = 1$ | 1 |
# | $c \to e$ | $\partial e/\partial c = d$ | 2 |
# | $d \to e$ | $\partial e/\partial d = c$ | 3 |
#
# `draw_graph` writes these numbers on the edges (ovals are operations, boxes are tensors with their value):

# %%
viz.draw_graph(e, show_grad=False)

# %% [markdown]
# ## Backward pass
#
# `e.backward()` walks the graph from $e$ back to the leaves and accumulates $\partial e/\partial x$ into
# `x.grad`. The lecture's result: $\partial e/\partial a = 1 \cdot 2 = 2$ and
# $\partial e/\partial b = 1 \cdot 2 + 1 \cdot 3 = 5$.

# %%
e.backward()
print("de/da =", a.grad.item(), "  de/db =", b.grad.item())
assert a.grad.item() == 2 and b.grad.item() == 5         # lecture 003: e_a(2,1) = 2, e_b(2,1) = 5

# %% [markdown]
# After `backward()` the drawing shows the adjoint $\partial e/\partial n$ of **every** node $n$, not only the
# leaves' `.grad`: $\partial e/\partial c = 2$ and $\partial e/\partial d = 3$ too (the drawing computes them from
# the graph; `backward()` keeps nothing for them). `names=locals()` calls each box by the variable that holds it.
# Look at $b$: its adjoint is the sum over its two outgoing edges of local derivative × the adjoint at the edge's
# head, $1 \cdot 2 + 1 \cdot 3 = 5$ — the lecture's figure.

# %%
final = list(viz.backward_steps(e))[-1]          # the same reverse sweep, for the numbers in the drawing
assert [final.adjoint(t).item() for t in (e, c, d, b, a)] == [1, 2, 3, 5, 2]
viz.draw_graph(e, names=locals())

# %% [markdown]
# ## The chain rule as a sum over paths
#
# $b$ influences $e$ along two routes, $b \to c \to e$ and $b \to d \to e$. The multivariate chain rule says:
# multiply the local derivatives along each path, then add the paths (lecture 002 calls the drawing an
# *influence diagram*; lecture 003 writes $e_b = 1\cdot 2 + 1\cdot 3$). `viz.paths` lists them:

# %%
for p in viz.paths(e, b):
    print(p)
path_values = [p.value for p in viz.paths(e, b)]
assert path_values == [2.0, 3.0] and sum(path_values) == b.grad.item() == 5
assert [p.value for p in viz.paths(e, a)] == [2.0]

# %% [markdown]
# ## What backward actually does: one sweep, each edge once
#
# Backprop does not enumerate paths. It visits the operations in reverse topological order and hands each input
# the *adjoint* $\bar{x} = \partial e/\partial x$ times the local derivative. `viz.backward_steps` shows the
# sweep: $\bar e = 1$ becomes $(\bar c, \bar d) = (2, 3)$; then $d = b + 1$ passes $3$ to $b$ and $c = a + b$
# passes $2$ to each of $a$ and $b$ — so $\bar b = 3 + 2 = 5$.
#
# `viz.step_through` replays the sweep one op at a time (a slider in Jupyter with ipywidgets installed, else a
# strip of pictures, as here and on GitHub). In each picture the gold op is the one whose backward runs, green ops
# are done, its input edges read *local derivative × ē = what flows back*, and every box shows its adjoint so far.
# What accumulates: step 1 fills $\bar c = 2$ and $\bar d = 3$; step 2 adds $1 \times 3$ to $\bar b$, which is now
# 3; step 3 adds $1 \times 2$ to $\bar a$ and another $1 \times 2$ to $\bar b$, which reads $3 + 2 = 5$ — the only
# box that receives two contributions, because $b$ is the only node with two outgoing edges.

# %%
steps = list(viz.backward_steps(e))
for step in steps:
    print(step)
assert [s.adjoint(b).item() for s in steps if s.adjoint(b) is not None] == [3, 5]   # b's adjoint: 3, then 3 + 2
viz.step_through(e, locals())

# %% [markdown]
# ## Path factorisation
#
# Lecture 003's second example: $X$ reaches $Y$ along three edges ($\alpha, \beta, \gamma$) and $Y$ reaches $Z$
# along three more ($\delta, \epsilon, \zeta$). Summing over paths gives nine products,
#
# $$\frac{\partial Z}{\partial X} = \alpha\delta + \alpha\epsilon + \alpha\zeta + \beta\delta + \beta\epsilon
# + \beta\zeta + \gamma\delta + \gamma\epsilon + \gamma\zeta,$$
#
# but the sum factorises: $\frac{\partial Z}{\partial X} = (\alpha + \beta + \gamma)(\delta + \epsilon + \zeta)$.
# Backprop computes the factorised form — at $Y$ it adds the three incoming contributions once, then moves on.
# With $\alpha..\zeta = 1..6$: $(1 + 2 + 3)(4 + 5 + 6) = 90$. In the drawing (top to bottom) look at $Y$'s box:
# $\partial Z/\partial Y = 4 + 5 + 6 = 15$ is computed once, and each of $X$'s three edges multiplies it by its own
# $\alpha$, $\beta$ or $\gamma$.

# %%
alpha, beta, gamma, delta, epsilon, zeta = 1.0, 2.0, 3.0, 4.0, 5.0, 6.0
X = autograd.tensor(1.0, requires_grad=True); X.name = "X"
Y = alpha * X + beta * X + gamma * X;         Y.name = "Y"
Z = delta * Y + epsilon * Y + zeta * Y;       Z.name = "Z"
Z.backward()

ps = viz.paths(Z, X)
print(len(ps), "paths, sum =", sum(p.value for p in ps), "  X.grad =", X.grad.item())
assert len(ps) == 9
assert sum(p.value for p in ps) == (alpha + beta + gamma) * (delta + epsilon + zeta) == X.grad.item() == 90
viz.draw_graph(Z, rankdir="TB")

# %% [markdown]
# ## Why the factorisation matters: paths explode, edges do not
#
# Stack the diamond $h \mapsto 1.1\,h + 0.9\,h$ $n$ times. The number of paths from input to output doubles with
# every layer ($2^n$), while the number of edges the reverse sweep touches grows linearly. This is the
# "combinatorial explosion" of lecture 003 and the reason backprop, not path enumeration, trains networks.

# %%
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

# %% [markdown]
# ## Forward mode: the other factorisation
#
# Lecture 003 ends with *forward- vs reverse-mode* differentiation. Forward mode pushes a tangent from one input
# towards all outputs (one pass per **input**); reverse mode pulls an adjoint from one output back to all inputs
# (one pass per **output**). For a loss — one output, millions of parameters — reverse mode wins. Both give
# the same numbers here: seeding $\dot b = 1$ gives $\dot e = \partial e/\partial b = 5$.

# %%
from autograd import forward_ad as fwAD
with fwAD.dual_level():
    bd = fwAD.make_dual(autograd.tensor(1.0), autograd.tensor(1.0))    # b = 1, db = 1
    ad = autograd.tensor(2.0)                                           # a = 2, da = 0
    ed = (ad + bd) * (bd + 1)
    de_db = fwAD.unpack_dual(ed).tangent.item()
print("forward mode de/db =", de_db)
assert de_db == 5

# %% [markdown]
# ## A tensor is a view over memory
#
# A tensor does not own its numbers the way a Python float does: it is a *view* over a block of memory (a NumPy
# array, `t.array`). Indexing, `view`, `reshape`, `t()`, `unsqueeze`, `detach()` and the other view operations
# give new tensors over the **same** memory, as in PyTorch, so writing through one changes what all the others
# see. That is what makes `t[i][j] = 1` fill a one-hot matrix, and it is why an in-place operation needs care.
#
# **What a version counter protects you from.** Backward needs some of the forward values: $\partial e/\partial c
# = d$, so the multiplication keeps $d$. If $d$ were changed in place before `backward()`, the gradient would
# silently use the new value. So every tensor (with all its views) carries a version counter; each in-place
# operation bumps it, each saved tensor remembers the version it was saved at, and backward refuses to use a
# changed one with an error naming the operation.

# %%
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

# %% [markdown]
# ## Exercise 1.1 · Derive $\partial e/\partial a$ and $\partial e/\partial b$ by hand
#
# Using only the table of local derivatives above, write the gradient of $e(a, b) = (a + b)(b + 1)$ as
# formulas in $a$ and $b$ — valid at every point, not only at the lecture's $(2, 1)$. `check_1_1` compares your
# function with `backward()` at several points and, if something is off, says where to look.

# %%
def de_grad(a, b):
    """(∂e/∂a, ∂e/∂b) of e(a, b) = (a + b)(b + 1), derived by hand."""
    return None          # your formulas: return (..., ...)

check_1_1(de_grad)

# %% [markdown]
# ## Exercise 1.2 · Every node's adjoint
#
# A new graph: $f(x, y) = (x\,y)(x + y)$, with $p = x\,y$, $s = x + y$ and $f = p\,s$, at $x = 2$, $y = 3$. Run
# the reverse sweep by hand: starting from $\bar f = 1$, write the adjoint $\partial f/\partial n$ of every
# node $n$, each from the adjoints already known and one local derivative. Where a node feeds two others, its
# adjoint collects a contribution from each. `check_1_2` compares your numbers with `retain_grad()` and
# `backward()`.

# %%
adjoints = {"f": None, "p": None, "s": None, "x": None, "y": None}     # your numbers
check_1_2(adjoints)
