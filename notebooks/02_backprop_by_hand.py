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
# # 2 · Backprop by hand vs the engine
#
# Lecture **000** (Cohn, Melbourne COMP90051 L9) derives backpropagation for a network with one hidden layer and
# names two error signals, $\delta$ and $\varepsilon_j$. Lecture **001** (Cornell ML for Intelligent Systems L14)
# writes the same recursion for any depth in column-matrix form. Here we code both derivations with NumPy only,
# then check them against pathgrad's `backward()`.

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
from exercises.checks_02 import check_2_1, check_2_2   # self-checks for the exercises at the end

# %% [markdown]
# ## The network of lecture 000
#
# Inputs $x_0 = 1$ (bias), $x_1, \dots, x_m$; hidden units $u_0 = 1$ (bias), $u_j = g(r_j)$ with
# $r_j = \sum_{i=0}^m x_i v_{ij}$; a linear output $z = s = \sum_{j=0}^p u_j w_j$; squared loss
# $L = \tfrac12 (z - y)^2$. Take $m = 3$ inputs, $p = 4$ hidden units and $g = \tanh$.

# %%
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

# %% [markdown]
# ## Backward propagation of errors, by hand
#
# The lecture's equations, read right to left:
#
# $$\frac{\partial L}{\partial v_{ij}} = \varepsilon_j x_i \;\leftarrow\; \varepsilon_j = \delta\, w_j\, g'(r_j)
# \;\leftarrow\; \frac{\partial L}{\partial w_j} = \delta u_j \;\leftarrow\; \delta = (z - y)$$
#
# $\delta = \partial L/\partial s$ is the error at the output; $\varepsilon_j = \partial L / \partial r_j$ is the
# error at hidden unit $j$, obtained by sending $\delta$ back along $w_j$ and through $g'$.

# %%
delta = z - y                                   # δ = ∂L/∂s
dL_dw = delta * u                               # ∂L/∂w_j = δ u_j
eps = delta * w[1:] * g_prime(r)                # ε_j = δ w_j g'(r_j)   (j = 1..p; u_0 has no inputs)
dL_dV = np.outer(x, eps)                        # ∂L/∂v_ij = ε_j x_i
print("delta =", round(delta, 4))
print("eps   =", eps.round(4))

# %% [markdown]
# ## The same network in pathgrad
#
# Build the forward pass from tensors and call `backward()`. The engine knows nothing about $\delta$ or
# $\varepsilon$ — it only applies each operation's local derivative — yet it must land on the same numbers.
# `retain_grad()` keeps the gradients of the intermediate tensors $s$ and $r$, which *are* $\delta$ and
# $\varepsilon$.
#
# The drawing (read it top to bottom) shows the same: every box carries its adjoint, $\partial L/\partial s = \delta$
# on $s$ and $\lVert\partial L/\partial r\rVert = \lVert\varepsilon\rVert$ on $r$ (a vector shows its norm). The
# unnamed boxes are results the code never named, such as $\tanh(r)$ before the bias unit $u_0 = 1$ is prepended.

# %%
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
viz.draw_graph(Lt, rankdir="TB")


# %% [markdown]
# Both agree with finite differences too — the check every hand derivation should pass:

# %%
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


# %% [markdown]
# ## Backward one step at a time
#
# The engine found $\delta$ and $\varepsilon$ without knowing them. To watch how, shrink the network to one input
# $x$, one hidden unit $u = \tanh(r)$ with $r = v x$, and the output $z = w u$ (no biases), with
# $L = \tfrac12 (z - y)^2$. The lecture's equations by hand: $\delta = z - y$, $\partial L/\partial w = \delta u$,
# $\varepsilon = \delta\, w\, g'(r)$ and $\partial L/\partial v = \varepsilon x$.

# %%
x = autograd.tensor(0.5)
y = 1.0
v = autograd.tensor(1.0, requires_grad=True)
w = autograd.tensor(2.0, requires_grad=True)
r = v * x
u = r.tanh()
z = w * u
err = z - y
L = 0.5 * err ** 2
L.backward()

delta = z.item() - y                                  # δ = z - y
eps = delta * w.item() * g_prime(r.item())            # ε = δ w g'(r)
print(f"by hand:    δ = {delta:.4f}, dL/dw = δu = {delta * u.item():.4f}, ε = {eps:.4f}, dL/dv = εx = "
      f"{eps * x.item():.4f}")
print(f"backward(): dL/dw = {w.grad.item():.4f}, dL/dv = {v.grad.item():.4f}")
assert np.isclose(w.grad.item(), delta * u.item()) and np.isclose(v.grad.item(), eps * x.item())

# %% [markdown]
# Now the step-through of `L.backward()` (top to bottom in each picture; the gold op is the one whose backward
# runs). At every step the op's output adjoint $\bar e$ is already complete — each op that uses the output ran
# before it — and the op adds *local derivative × ē* into each input's adjoint. Each tensor here feeds one op, so
# each adjoint receives a single term: steps 1–3 turn $\bar L = 1$ into $\partial L/\partial z = \delta$ (the
# lecture's error at the output); step 4 sends $u \cdot \delta$ to $w$ and $w \cdot \delta$ to $u$; step 5 multiplies by
# $g'(r) = 1 - u^2$, giving $\varepsilon = \partial L/\partial r$; step 6 sends $x \cdot \varepsilon$ to $v$. These are
# the hand-derived numbers above, in the same order.

# %%
steps = list(viz.backward_steps(L))
assert np.isclose(steps[2].adjoint(z).item(), delta)      # after step 3: ∂L/∂z = δ
assert np.isclose(steps[4].adjoint(r).item(), eps)        # after step 5: ∂L/∂r = ε
viz.step_through(L, locals(), rankdir="TB")


# %% [markdown]
# ## Matrix form for any depth (lecture 001)
#
# Lecture 001 uses column vectors, sigmoid units and no separate biases:
# $\vec s_\ell = W_{\ell-1}^T \vec v_{\ell-1}$, $\vec v_\ell = \sigma(\vec s_\ell)$, and
# $L = \tfrac12 (v_d - y)^2$. The backward pass is one recursion per layer:
#
# $$\frac{\partial L}{\partial v_d} = v_d - y, \qquad
# \frac{\partial L}{\partial \vec v_i} = W_i\left(\frac{\partial L}{\partial \vec v_{i+1}} \odot
# \sigma'(\vec s_{i+1})\right), \qquad
# \frac{\partial L}{\partial W_i} = \vec v_i\left(\frac{\partial L}{\partial \vec v_{i+1}} \odot
# \sigma'(\vec s_{i+1})\right)^T$$
#
# with $\sigma'(s) = \sigma(s)(1 - \sigma(s))$. A network of widths $[4, 5, 3, 1]$ (depth $d = 3$):

# %%
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

# %% [markdown]
# ## Why the weights must start random (lecture 001)
#
# "Don't start $W_0, \dots, W_{d-1} = 0$." If every hidden unit starts with the same weights, every hidden unit
# computes the same value and receives the same gradient, so gradient descent can never make them differ: the
# layer behaves like a single unit. The engine shows the symmetry directly.

# %%
W0 = autograd.full((4, 5), 0.3, requires_grad=True)          # all hidden units identical
W1 = autograd.tensor(rng.normal(size=(5, 1)), requires_grad=True)
out = (W1.T @ (W0.T @ autograd.tensor(v0)).sigmoid()).sigmoid()
(0.5 * ((out - 1.0) ** 2).sum()).backward()
G = W0.grad.numpy()
print("gradient of W0 (one column per hidden unit):\n", G.round(4))
# Each column is the same input vector scaled by that unit's outgoing weight: the update keeps the columns
# proportional to the input, so the units never learn different features of it.
assert np.linalg.matrix_rank(G) == 1

# %% [markdown]
# ## Exercise 2.1 · The lecture's derivation with sigmoid units
#
# Redo lecture 000's backward pass for the same network with $g = \sigma$, the sigmoid, in place of $\tanh$
# (everything else as above: $x_0 = 1$, $u_0 = 1$, a linear output, $L = \tfrac12 (z - y)^2$). Only one factor
# of the derivation changes. Write `backprop_sigmoid(x, V, w, y)` with NumPy alone, returning
# $(\partial L/\partial V, \partial L/\partial w)$; `check_2_1` runs it on networks of three sizes against the
# engine.

# %%
def backprop_sigmoid(x, V, w, y):
    """(dL/dV, dL/dw) of lecture 000's network with sigmoid hidden units, by the δ/ε equations."""
    return None          # your code: forward (r, u, z), then δ, ε_j, and the two gradients

check_2_1(backprop_sigmoid)

# %% [markdown]
# ## Exercise 2.2 · A backward of your own
#
# The engine knows nothing about networks: each operation brings its local derivative. Give it one. Below, `Tanh`
# is an `autograd.Function` (PyTorch's contract): `forward` computes $y = \tanh x$ and saves $y$; `backward`
# receives `grad` $= \partial L/\partial y$ and must return $\partial L/\partial x$. Fill in `backward`;
# `check_2_2` sends a gradient through it. Once it passes, `Tanh.apply(xt @ Vt)` can replace `(xt @ Vt).tanh()`
# in the network above and `Vt.grad` comes out the same.

# %%
class Tanh(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.tanh()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return None      # your formula for ∂L/∂x

check_2_2(Tanh)
