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
# # 3 · Boolean functions with step units
#
# Lecture **000** (Cohn) opens with representational capacity: a network with one hidden layer is a
# *universal approximator*, and with threshold units it can represent any Boolean function. The unit is
#
# $$g(r) = \begin{cases} 1 & r \ge 0 \\ 0 & \text{otherwise} \end{cases}$$
#
# and the lecture's three gates are single units:
# $\mathrm{OR}(x_1, x_2) = g(x_1 + x_2 - 0.5)$, $\mathrm{AND}(x_1, x_2) = g(x_1 + x_2 - 1.5)$,
# $\mathrm{NOT}(x_1) = g(-x_1)$.

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
from exercises.checks_03 import check_3_1, check_3_2   # self-checks for the exercises at the end


# %% [markdown]
# `nn.Step` / `autograd.step` is the Heaviside step with $\mathrm{step}(0) = 1$ (1 where $r \ge 0$): the
# lecture's $g$, which fires at $r = 0$. That matters: $\mathrm{NOT}(0) = g(-0) = g(0)$ must be 1. Written out with
# a comparison, the lecture's unit is:

# %%
def g(r):
    """The lecture's threshold unit: 1 if r >= 0 else 0."""
    return (r >= 0).float()

print("autograd.step(0) =", autograd.step(autograd.tensor(0.0)).item(), "  g(0) =", g(autograd.tensor(0.0)).item())
assert g(autograd.tensor(0.0)).item() == autograd.step(autograd.tensor(0.0)).item() == 1

# %% [markdown]
# ## OR, AND, NOT
#
# Evaluate each unit on all inputs at once: the rows of `X` are the four points of $\{0,1\}^2$.

# %%
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

# %% [markdown]
# ## XOR needs a hidden layer
#
# No single threshold unit computes XOR: its true points $(0,1), (1,0)$ cannot be separated from
# $(0,0), (1,1)$ by one line. One hidden layer solves it: $\mathrm{XOR} = \mathrm{AND}(\mathrm{OR},
# \mathrm{NAND})$, with $\mathrm{NAND}(x_1, x_2) = g(-x_1 - x_2 + 1.5)$. Written as a two-layer network with
# weight matrices:

# %%
W1 = autograd.tensor([[1., -1.],          # hidden unit 1 = OR, hidden unit 2 = NAND
                      [1., -1.]])
b1 = autograd.tensor([-0.5, 1.5])
W2 = autograd.tensor([[1.], [1.]])        # output = AND(h1, h2)
b2 = autograd.tensor([-1.5])

H = g(X @ W1 + b1)
XOR = g(H @ W2 + b2).reshape(-1)
print("hidden layer:\n", H.numpy().astype(int))
print("XOR:", XOR.numpy().astype(int))
assert XOR.tolist() == [0, 1, 1, 0]      # the truth table of XOR

# %% [markdown]
# The hidden layer is a change of representation: in the $(h_1, h_2)$ plane the four inputs land on three
# points, and now a single line separates XOR's true points from its false ones.

# %%
fig, axes = plt.subplots(1, 2, figsize=(6.4, 3))
Xn, Hn, Yn = X.numpy(), H.numpy() + np.array([[0.03, 0.0], [0.0, 0.03], [-0.03, 0.0], [0.0, -0.03]]), XOR.numpy()
for ax, P, title in [(axes[0], Xn, "input space (x1, x2)"), (axes[1], Hn, "hidden space (OR, NAND)")]:
    ax.scatter(P[:, 0], P[:, 1], c=Yn, cmap="coolwarm", s=80, edgecolors="k")
    ax.set_title(title); ax.set_xlim(-0.3, 1.3); ax.set_ylim(-0.3, 1.3)
t = np.linspace(-0.3, 1.3, 2)
axes[1].plot(t, 1.5 - t, "k--", lw=1)       # h1 + h2 = 1.5: the output unit's boundary
plt.tight_layout(); plt.show()

# %% [markdown]
# ## The gate table
#
# The lecture's table, drawn from the weights above: each gate's units with their weights (top; the input "1"
# carries the bias) and what the gate computes (bottom). The shaded region is where the gate outputs 1 for real
# inputs, the dashed lines are the boundaries $w \cdot x + b = 0$ of its first-layer units, and the circles are the
# truth table at the four corners. AND, OR and NOT each need one line; XOR's true corners lie on a diagonal, so it
# needs two units (OR and NAND) and a second layer that ANDs them.

# %%
def draw_units(ax, names, layers):
    """A step-unit network: node labels per column (inputs, bias "1", units); each layer's weights, bias last row."""
    pos = {(c, i): (c, (len(col) - 1) / 2 - i) for c, col in enumerate(names) for i in range(len(col))}
    for c, W in enumerate(layers):
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                (xa, ya), (xb, yb) = pos[c, i], pos[c + 1, j]
                ax.annotate("", (xb, yb), (xa, ya), arrowprops=dict(arrowstyle="-|>", lw=0.6, shrinkA=11, shrinkB=11))
                f = 0.3 if W.shape[1] == 1 else 0.22 + 0.36 * j / (W.shape[1] - 1)   # stagger labels of fan-out
                ax.text(xa + f * (xb - xa), ya + f * (yb - ya), f"{W[i, j]:g}", fontsize=8, color="C3",
                        ha="center", va="center", bbox=dict(fc="white", ec="none", pad=0.1))
    for (c, i), (x, y) in pos.items():
        label = names[c][i]
        ax.scatter(x, y, s=420, c="#fdd9b5" if label not in ("x1", "x2", "1") else "white", edgecolors="k",
                   linewidths=0.6, zorder=3)
        ax.text(x, y, label, ha="center", va="center", fontsize=8 if len(label) < 3 else 6.5, zorder=4)
    ax.set_xlim(-0.3, len(names) - 0.7); ax.set_ylim(-1.3, 1.3); ax.axis("off")

unit = lambda w1, w2, b: np.array([[w1], [w2], [b]])          # one unit's weights, bias last
gates = {  # name: (title, node labels, weights per layer, the gate on a batch of points)
    "AND": ("AND = g(x1 + x2 − 1.5)", [["x1", "x2", "1"], ["g"]], [unit(1, 1, -1.5)],
            lambda P: g(P[:, 0] + P[:, 1] - 1.5)),
    "OR":  ("OR = g(x1 + x2 − 0.5)", [["x1", "x2", "1"], ["g"]], [unit(1, 1, -0.5)],
            lambda P: g(P[:, 0] + P[:, 1] - 0.5)),
    "NOT": ("NOT = g(−x1)", [["x1", "1"], ["g"]], [np.array([[-1.0], [0.0]])],
            lambda P: g(-P[:, 0])),
    "XOR": ("XOR = AND(OR, NAND)", [["x1", "x2", "1"], ["OR", "NAND", "1"], ["AND"]],
            [np.vstack([W1.numpy(), b1.numpy()]), np.vstack([W2.numpy(), b2.numpy()])],
            lambda P: g(g(P @ W1 + b1) @ W2 + b2).reshape(-1)),
}
truth = {"AND": AND, "OR": OR, "NOT": NOT, "XOR": XOR}

gx, gy = np.meshgrid(np.linspace(-0.4, 1.4, 181), np.linspace(-0.4, 1.4, 181))
grid = autograd.tensor(np.c_[gx.ravel(), gy.ravel()])
t = np.linspace(-0.4, 1.4, 2)
fig, axes = plt.subplots(2, 4, figsize=(9, 4.4), gridspec_kw={"height_ratios": [1, 1.15],
                                                              "width_ratios": [1, 1, 1, 1.5]})
for (top, bottom), (name, (title, names, layers, gate)) in zip(axes.T, gates.items()):
    draw_units(top, names, layers)
    top.set_title(title, fontsize=9)
    bottom.contourf(gx, gy, gate(grid).numpy().reshape(gx.shape), levels=[-0.5, 0.5, 1.5],
                    colors=["white", "#fdd9b5"])
    for *w, b in layers[0].T:                           # each first-layer unit's boundary w·x + b = 0
        if len(w) == 2:
            bottom.plot(t, -(w[0] * t + b) / w[1], "k--", lw=0.7)
        else:                                           # NOT sees x1 only
            bottom.axvline(-b / w[0], color="k", ls="--", lw=0.7)
    out = gate(X)
    assert out.tolist() == truth[name].tolist(), name              # the table is the units' output
    for (px, py), o in zip(X.numpy(), out.numpy().astype(int)):
        bottom.text(px, py, o, ha="center", va="center", fontsize=9,
                    bbox=dict(boxstyle="circle", fc="C3" if o else "white", ec="k", lw=0.6))
    bottom.set_xlim(-0.4, 1.4); bottom.set_ylim(-0.4, 1.4); bottom.set_aspect("equal")
    bottom.set_xticks([0, 1]); bottom.set_yticks([0, 1]); bottom.set_xlabel("x1", fontsize=8)
axes[1, 0].set_ylabel("x2", fontsize=8)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Any Boolean function with at most $2^m$ hidden units
#
# The lecture's claim: "any Boolean function over $m$ variables can be implemented using a hidden layer with up
# to $2^m$ elements." The construction: one hidden unit per input pattern where the function is 1 — a unit
# that fires on exactly that pattern (weight $+1$ on the variables that are 1, $-1$ on those that are 0,
# threshold just below the number of ones) — and an output unit that ORs them. We check it on **all 256**
# Boolean functions of $m = 3$ variables.

# %%
import itertools

def boolean_net(truth):
    """Weights of a one-hidden-layer step network computing this truth table (rows in binary order)."""
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

# %% [markdown]
# ## Step units cannot be trained by backprop
#
# The step function is flat everywhere except at 0, so its derivative is 0 wherever it exists: every gradient
# that flows back through a step unit is zero. (The lecture's activation table in notebook 5 lists its gradient
# as "0, N/A at 0".) That is why trained networks use smooth units such as sigmoid or tanh instead.
#
# The drawing of the OR unit on the four inputs (top to bottom) shows where the signal dies: each of the four
# outputs has adjoint 1 ($\lVert\partial L/\partial \mathrm{out}\rVert = 2$), but every box above the step has
# adjoint 0, so nothing reaches $W$.

# %%
W = autograd.tensor([[1.], [1.]], requires_grad=True)
out = autograd.step(X @ W - 0.5)
L = out.sum()
L.backward()
print("gradient through a step unit:", W.grad.numpy().ravel())
assert np.all(W.grad.numpy() == 0)
viz.draw_graph(L, names=locals(), rankdir="TB")

# %% [markdown]
# ## Universal approximation
#
# Step units approximate any continuous function on an interval, too: a staircase
# $f(x) \approx f(x_0) + \sum_k \big(f(x_k) - f(x_{k-1})\big)\, g(x - x_k)$ has one hidden unit per stair, and
# its error shrinks as the stairs get narrower — a single, ever wider hidden layer is a universal approximator
# (lecture 000, "Depth vs width"). The price is the width: the error falls only like $1/n$.

# %%
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

# %% [markdown]
# ## Exercise 3.1 · Majority with one step unit
#
# The majority of three inputs is 1 when at least two of $x_1, x_2, x_3$ are 1. Like AND and OR, one threshold
# unit $g(w \cdot x + b)$ computes it. Choose its three weights and its bias; `check_3_1` evaluates your unit on
# all eight inputs.

# %%
majority = None          # your unit: (w, b), w a list of three weights, b a number
check_3_1(majority)

# %% [markdown]
# ## Exercise 3.2 · Parity needs a hidden layer
#
# The parity of three bits (1 when an odd number of them are 1, i.e. $x_1 \oplus x_2 \oplus x_3$) generalises XOR:
# no single unit computes it. Build a two-layer step network $g\big(g(X W_1 + b_1) W_2 + b_2\big)$ for it, with
# `X` of shape (8, 3) holding the inputs as rows: choose the hidden width $h$ and the four arrays. The lecture's
# bound says $h \le 2^3$ is enough; how few can you use? `check_3_2` tests all eight inputs.

# %%
parity = None            # your network: (W1, b1, W2, b2) with shapes (3, h), (h,), (h, 1), (1,)
check_3_2(parity)
