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
# # 10 · Batch normalisation, Algorithm 1 step by step
#
# Lecture 004 presents Ioffe & Szegedy's *Batch Normalizing Transform* over a mini-batch $\mathcal B=\{x_{1\dots m}\}$:
#
# $$\mu_\mathcal{B} = \tfrac1m\textstyle\sum_i x_i,\qquad \sigma^2_\mathcal{B} = \tfrac1m\sum_i (x_i-\mu_\mathcal{B})^2,
# \qquad \hat x_i = \frac{x_i-\mu_\mathcal{B}}{\sqrt{\sigma^2_\mathcal{B}+\epsilon}},\qquad y_i = \gamma\hat x_i + \beta.$$
#
# We compute it by hand in NumPy, compare it with `nn.BatchNorm1d`, check the gradients, and then train a deep
# sigmoid network with and without it.

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
from exercises.checks_10 import check_10_1, check_10_2, check_10_3   # self-checks for the exercises at the end

plt.rcParams.update({"figure.dpi": 70, "figure.figsize": (6, 3), "font.size": 9})
np.set_printoptions(precision=4, suppress=True)

# %%
rng = np.random.default_rng(0)
m, d = 16, 5
x = rng.normal(loc=3.0, scale=[0.5, 1, 2, 4, 8], size=(m, d))   # features on very different scales
gamma, beta, eps = rng.normal(size=d), rng.normal(size=d), 1e-5

# Algorithm 1, line by line
mu = x.mean(axis=0)                          # mini-batch mean
var = ((x - mu) ** 2).mean(axis=0)           # mini-batch variance (biased: 1/m)
x_hat = (x - mu) / np.sqrt(var + eps)        # normalise
y_alg1 = gamma * x_hat + beta                # scale and shift

bn = nn.BatchNorm1d(d, eps=eps, dtype=autograd.float64)
bn.weight.data[...] = gamma
bn.bias.data[...] = beta
bn.train()
xt = autograd.tensor(x, requires_grad=True, dtype=autograd.float64)
y_bn = bn(xt)
print("max |Algorithm 1 − nn.BatchNorm1d| =", np.abs(y_bn.detach().numpy() - y_alg1).max())
assert np.allclose(y_bn.detach().numpy(), y_alg1, rtol=0, atol=1e-6)
print("x̂: mean", x_hat.mean(0).round(6), " variance", x_hat.var(0).round(4))

# %% [markdown]
# ## Test time: running statistics
#
# A trained network must also classify a single example, which has no batch. `BatchNorm1d` therefore keeps running
# averages, updated at every training step with momentum 0.1 — and with the *unbiased* variance
# $\frac{m}{m-1}\sigma^2_\mathcal B$, as in the paper's inference algorithm — and uses them in `eval()` mode.

# %%
rm, rv = bn.running_mean.numpy().copy(), bn.running_var.numpy().copy()
assert np.allclose(rm, 0.9 * 0 + 0.1 * mu) and np.allclose(rv, 0.9 * 1 + 0.1 * var * m / (m - 1))
bn.eval()
x_new = rng.normal(loc=3.0, size=(1, d))
y_eval = bn(autograd.tensor(x_new, dtype=autograd.float64)).detach().numpy()
assert np.allclose(y_eval, gamma * (x_new - rm) / np.sqrt(rv + eps) + beta, atol=1e-6)
print("running mean", rm, "\nrunning var ", rv)

# %% [markdown]
# ## Backpropagation through Algorithm 1
#
# *“Learn γ, β during backpropagation.”* The gradient with respect to $x_i$ has three paths — directly, through
# $\mu_\mathcal B$, and through $\sigma^2_\mathcal B$ — which gives the paper's formulas below. Autograd finds the same
# numbers from the graph of means, subtractions and square roots that `batch_norm` builds.

# %%
dy = rng.normal(size=(m, d))                       # an upstream gradient ∂ℓ/∂y
y_bn.backward(autograd.tensor(dy, dtype=autograd.float64))

dx_hat = dy * gamma
dvar = (dx_hat * (x - mu)).sum(0) * -0.5 * (var + eps) ** -1.5
dmu = -(dx_hat / np.sqrt(var + eps)).sum(0) + dvar * (-2 * (x - mu)).mean(0)
dx = dx_hat / np.sqrt(var + eps) + dvar * 2 * (x - mu) / m + dmu / m
dgamma, dbeta = (dy * x_hat).sum(0), dy.sum(0)

assert np.allclose(xt.grad.numpy(), dx, atol=1e-6)
assert np.allclose(bn.weight.grad.numpy(), dgamma, atol=1e-6)
assert np.allclose(bn.bias.grad.numpy(), dbeta, atol=1e-6)
# the gradient BN passes down has zero mean over the batch, and (up to ε) no component along x̂
assert np.allclose(dx.sum(0), 0, atol=1e-9) and np.allclose((dx * x_hat).sum(0), 0, atol=1e-3)
print("∂ℓ/∂x, ∂ℓ/∂γ, ∂ℓ/∂β: the paper's formulas = autograd")

# %% [markdown]
# ### The three paths, drawn
#
# Each arrow carries its local derivative; the adjoint of $x_i$ is the sum over the three coloured paths of the
# products along them (lecture 002's *sum over all paths*). The mean and the variance feed **every** $\hat x_j$, so
# the paths through them also sum over $j$. The dashed arrow, from $\mu_\mathcal B$ into $\sigma^2_\mathcal B$, adds
# nothing: $\partial\sigma^2_\mathcal B/\partial\mu_\mathcal B = -\frac2m\sum_j (x_j-\mu_\mathcal B) = 0$. Below the
# graph, the three contributions to $\partial\ell/\partial x_i$ for one feature, and their sum, which is autograd's.

# %%
direct = dx_hat / np.sqrt(var + eps)             # x_i → x̂_i → ℓ
via_mu = np.broadcast_to(dmu / m, x.shape)       # x_i → μ_B → every x̂_j → ℓ
via_var = dvar * 2 * (x - mu) / m                # x_i → σ²_B → every x̂_j → ℓ
assert np.allclose(direct + via_mu + via_var, xt.grad.numpy(), atol=1e-6)

fig, ax = plt.subplots(figsize=(8, 3))
pos = {"x": (0, 1), "mu": (2, 2), "var": (2, 0), "xhat": (4.4, 1), "y": (5.6, 1), "l": (6.6, 1)}
label = {"x": r"$x_i$", "mu": r"$\mu_\mathcal{B}$", "var": r"$\sigma^2_\mathcal{B}$", "xhat": r"$\hat x_j$",
         "y": r"$y_j$", "l": r"$\ell$"}
for k, (px, py) in pos.items():
    ax.text(px, py, label[k], ha="center", va="center", fontsize=12,
            bbox=dict(boxstyle="circle,pad=0.3", fc="white", ec="0.3"))

def edge(a, b, color, text="", at=(0.5, 0, 0.15), ls="-", lw=2.0, **kw):
    """An arrow a → b with its local derivative written at fraction at[0] along it, shifted by at[1:]."""
    ax.annotate("", pos[b], pos[a], arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, ls=ls, shrinkA=15,
                                                    shrinkB=15))
    (x0, y0), (x1, y1) = pos[a], pos[b]
    t, shift_x, shift_y = at
    ax.text(x0 + t * (x1 - x0) + shift_x, y0 + t * (y1 - y0) + shift_y, text, color=color, va="center",
            fontsize=10, **kw)

edge("x", "xhat", "C0", r"$1/\sqrt{\sigma^2_\mathcal{B}+\epsilon}$  (only $j = i$)", at=(0.7, 0, 0.13), ha="center")
edge("x", "mu", "C1", r"$1/m$", at=(0.45, -0.05, 0.17), ha="right")
edge("mu", "xhat", "C1", r"$-1/\sqrt{\sigma^2_\mathcal{B}+\epsilon}$", at=(0.5, 0.1, 0.17), ha="left")
edge("x", "var", "C2", r"$2(x_i-\mu_\mathcal{B})/m$", at=(0.45, -0.05, -0.17), ha="right")
edge("var", "xhat", "C2", r"$-\frac{1}{2}(x_j-\mu_\mathcal{B})(\sigma^2_\mathcal{B}+\epsilon)^{-3/2}$",
     at=(0.5, 0.1, -0.17), ha="left")
edge("mu", "var", "0.55", r"$\partial\sigma^2_\mathcal{B}/\partial\mu_\mathcal{B} = 0$", at=(0.65, 0.08, 0), ls="--",
     lw=1, ha="left")
edge("xhat", "y", "0.3", r"$\gamma$", ha="center")
edge("y", "l", "0.3")
ax.set_xlim(-0.4, 7.0); ax.set_ylim(-0.4, 2.4); ax.axis("off")
ax.set_title(r"$x_i$ reaches $\ell$ three ways: directly, through $\mu_\mathcal{B}$, through $\sigma^2_\mathcal{B}$")

f, i = 3, np.arange(m)
fig, bx = plt.subplots(figsize=(8, 2.2))
for k, (part, name) in enumerate([(direct, "direct"), (via_mu, r"through $\mu_\mathcal{B}$"),
                                  (via_var, r"through $\sigma^2_\mathcal{B}$")]):
    bx.bar(i + (k - 1) * 0.28, part[:, f], width=0.28, color=f"C{k}", label=name)
bx.plot(i, xt.grad.numpy()[:, f], "k_", ms=10, mew=2, label="their sum = autograd's")
bx.axhline(0, color="0.5", lw=0.5); bx.set_xticks(i)
bx.set_xlabel("example i"); bx.set_ylabel(rf"$\partial\ell/\partial x_i$ (feature {f})")
bx.legend(fontsize=7, ncol=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
plt.tight_layout()

# %% [markdown]
# ### Stepping through backward on a batch of 3
#
# The same three paths, as autograd walks them. Take one feature, a batch of three, and $\ell = \hat x_1$ (the output
# for the first example; $\epsilon = 0$). Algorithm 1 is written as it reads, so $x - \mu_\mathcal B$ is computed once
# for $\sigma^2_\mathcal B$ and once for $\hat x$. Each step runs one op's backward and adds what that op sends to its
# inputs' adjoints. $\partial\ell/\partial x$ grows once per path: the direct path at step 3 (the subtraction for
# $\hat x$), the path through $\sigma^2_\mathcal B$ at step 7, and the path through $\mu_\mathcal B$ at step 8, once
# $\partial\ell/\partial\mu_\mathcal B$ is complete. $\partial\ell/\partial\mu_\mathcal B$ itself grows at steps 3
# and 7, and at step 7 by exactly $0$: that is the dashed arrow in the figure above. The boxes show the norms of the
# arrays, and the cell prints each step's contribution.

# %%
x3 = autograd.tensor([1.0, 2.0, 6.0], requires_grad=True, dtype=autograd.float64)
mu3 = x3.mean()
var3 = ((x3 - mu3) ** 2).mean()
sigma3 = var3.sqrt()
x_hat3 = (x3 - mu3) / sigma3
ell = x_hat3[0]
names = {"x": x3, "μ": mu3, "σ²": var3, "σ": sigma3, "x̂": x_hat3, "ℓ": ell}
print(f"μ = {mu3.item():.4g},  σ² = {var3.item():.4g},  σ = {sigma3.item():.4g},  ℓ = x̂₁ = {ell.item():.4g}")
ell.backward()
received = {"x": [], "μ": []}        # input -> [(step, what that step adds to its adjoint)]
for step in viz.backward_steps(ell):
    for a, g in zip(step.node.args, step.grad_inputs):
        if g is not None and (a is x3 or a is mu3):
            name = "x" if a is x3 else "μ"
            received[name].append((step.index + 1, g))
            print(f"step {step.index + 1}, backward of {viz.op_label(step.node):4s}: ∂ℓ/∂{name} += {np.round(g, 4)}")
m3, s3, d3 = 3, sigma3.item(), x3.detach().numpy() - mu3.item()
paths = {"direct": np.eye(3)[0] / s3,                       # x_1 → x̂_1
         "through σ²": -d3[0] * d3 / (m3 * s3 ** 3),          # x_i → σ² → x̂_1
         "through μ": np.full(3, -1 / (m3 * s3))}             # x_i → μ → x̂_1
assert [k for k, _ in received["x"]] == [3, 7, 8] and [k for k, _ in received["μ"]] == [3, 7]
assert all(np.allclose(g, p) for (_, g), p in zip(received["x"], paths.values()))
assert np.allclose(sum(g for _, g in received["x"]), x3.grad.numpy())
assert np.isclose(received["μ"][0][1], -1 / s3) and received["μ"][1][1] == 0
print("∂ℓ/∂x = direct + through σ² + through μ =", x3.grad.numpy())
viz.step_through(ell, names, rankdir="TB", show_data=False)

# %% [markdown]
# ## Training with and without batch normalisation
#
# The deep sigmoid network of notebook 9, [64,30,30,30,30,10], where the early layers barely learn. Same
# initial weights, same batches, same plain SGD; the second network has a `BatchNorm1d` before every sigmoid.

# %%
X, y = load_digits()
X = X / 16.0
perm = np.random.default_rng(0).permutation(len(X))
tr, te = perm[:1300], perm[1300:]

def make(bn, seed=0):
    """One block per hidden layer, Linear (→ BatchNorm1d) → Sigmoid, then the output Linear."""
    autograd.manual_seed(seed)
    sizes, blocks = [64, 30, 30, 30, 30, 10], []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        blocks.append(nn.Sequential(nn.Linear(a, b), *([nn.BatchNorm1d(b)] if bn else []), nn.Sigmoid()))
    return nn.Sequential(*blocks, nn.Linear(sizes[-2], sizes[-1]))

def run(net, epochs=12, lr=0.5):
    opt, loss_fn, r = optim.SGD(net.parameters(), lr=lr), nn.CrossEntropyLoss(), np.random.default_rng(1)
    curve, acc = [], []
    for _ in range(epochs):
        net.train()
        order = r.permutation(tr)
        for i in range(0, len(order), 32):
            b = order[i:i + 32]
            opt.zero_grad()
            loss = loss_fn(net(autograd.tensor(X[b])), autograd.tensor(y[b]))
            loss.backward()
            opt.step()
            curve.append(loss.item())
        net.eval()
        with autograd.no_grad():
            acc.append(float((net(autograd.tensor(X[te])).numpy().argmax(1) == y[te]).mean()))
    return np.array(curve), acc

t0 = time.perf_counter()
results = {name: run(make(bn)) for name, bn in [("without BN", False), ("with BN", True)]}
print(f"{time.perf_counter() - t0:.1f} s")
for name, (curve, acc) in results.items():
    print(f"{name:10s}: final loss (mean of last 20 steps) {curve[-20:].mean():.3f}, test accuracy {acc[-1]:.3f}")

fig, ax = plt.subplots(1, 2, figsize=(8, 2.6))
smooth = lambda c: np.convolve(c, np.ones(10) / 10, mode="valid")
for name, (curve, acc) in results.items():
    ax[0].plot(smooth(curve), label=name)
    ax[1].plot(range(1, len(acc) + 1), acc, "o-", label=name)
ax[0].set_xlabel("step"); ax[0].set_ylabel("cross-entropy (smoothed)"); ax[0].legend(fontsize=7)
ax[1].set_xlabel("epoch"); ax[1].set_ylabel("test accuracy"); ax[1].legend(fontsize=7)
plt.tight_layout()

(c0, a0), (c1, a1) = results["without BN"], results["with BN"]
assert c1[-20:].mean() < c0[-20:].mean() / 2 and a1[-1] > a0[-1] + 0.05
print("test accuracy per epoch with BN:", np.round(a1, 3))
assert a1[-1] > 0.9 and a0[-1] < 0.5

# %% [markdown]
# **What you see.** Without BN the loss never leaves the plateau at $\ln 10 \approx 2.30$ — the network outputs
# the same guess for every digit, while the vanishing gradients of notebook 9 starve its early layers; with BN the
# same network, with the same learning rate, starts learning at once and reaches over 90% test accuracy. (The test
# accuracy wobbles from epoch to epoch: at this large learning rate the running statistics used at test time lag
# behind the weights.) This is the lecture's *“reshapes the cost function surface: accelerated
# training”* and *“prevents gradients from vanishing”*.

# %% [markdown]
# ## The network's graph
#
# The network with BN at initialisation, on one batch of 32, one box per block; block 0 is expanded into its
# `Linear`, `BatchNorm1d` and `Sigmoid`. Read the norms $\|\bar g\|$ of the error on the edges from the bottom up
# and compare them with notebook 9's graph of the same network without BN. There the error shrank several times at
# every `Sigmoid`. Here it shrinks inside each block (at the `Sigmoid`, see block 0) and `BatchNorm1d` scales it back
# up, so the error reaching block 0 is about as large as the one leaving the last block.

# %%
net = make(bn=True)
xb, yb = autograd.tensor(X[tr[:32]]), autograd.tensor(y[tr[:32]])
loss = nn.CrossEntropyLoss()(net(xb), yb)
viz.draw_graph(loss, names=locals(), show_grad=True, expand=["0"], rankdir="TB")

# %% [markdown]
# ## Exercise 10.1 · Batch norm's backward, path by path
#
# Write the backward pass of Algorithm 1 yourself, in NumPy: given the upstream gradient `dy` $=\partial\ell/\partial y$
# (shape $m\times d$), the batch `x`, `gamma` and `eps`, return $(\partial\ell/\partial x,\ \partial\ell/\partial\gamma,
# \ \partial\ell/\partial\beta)$. Build $\partial\ell/\partial x_i$ as the figure does: one term per path, each the
# product of the local derivatives along it. `check_10_1` compares your three arrays with `backward()` on two batches;
# if only $\partial\ell/\partial x$ is off, its hint says which path is missing.

# %%
def bn_backward(dy, x, gamma, eps):
    """(dx, dgamma, dbeta) of y = γ·(x − μ_B)/√(σ²_B + ε) + β over the batch x (NumPy arrays)."""
    return None          # your code: return dx, dgamma, dbeta

check_10_1(bn_backward)

# %% [markdown]
# ## Exercise 10.2 · Predict a gradient without computing it
#
# Take one feature and the loss $\ell = \sum_i y_i$, the plain sum of its batch-normalised outputs (with
# $\gamma \ne 0$). Before computing anything: what is $\partial\ell/\partial x_i$? (Think about what
# $\sum_i \hat x_i$ is, or add up the three paths with $\partial\ell/\partial y_j = 1$.) `check_10_2` runs
# `backward()` on a batch and compares.

# %%
answer_10_2 = None       # your number
check_10_2(answer_10_2)

# %% [markdown]
# ## Exercise 10.3 · The running statistics `eval()` uses
#
# `nn.BatchNorm1d(d)` starts with `running_mean` $= 0$ and `running_var` $= 1$, and after each training-mode forward
# pass updates them with `momentum` $= 0.1$ as described in *Test time* above. Write what they are after one training
# step on each of a list of batches. `check_10_3` feeds three batches of 8 examples.

# %%
def running_stats(batches, momentum):
    """(running_mean, running_var) of BatchNorm1d after one training step on each batch (NumPy arrays m × d)."""
    return None          # your code: return running_mean, running_var

check_10_3(running_stats)
