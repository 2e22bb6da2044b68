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
# # 6 · The optimiser zoo on a ravine
#
# Lecture **003** (Pacha): a loss "can have canyon-like curvature; the gradient bounces between canyon walls".
# Lecture **004** (Schönhuth) blames a "poorly conditioned Hessian" and introduces momentum and Nesterov; lecture
# **000** (Cohn) lists GD vs SGD vs mini-batch, momentum, Adagrad and Adam, and then a whole "zoo": Nesterov,
# Adadelta, RMSprop, AMSGrad, Nadam, AdamW, QHAdam. We first check the lectures' update rules against
# `optim`, then race them all through one ravine.

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
from exercises.checks_06 import check_6_1, check_6_2   # self-checks for the exercises at the end

# %% [markdown]
# ## GD vs SGD vs mini-batch (lecture 000)
#
# Fit $\hat y = w x + b$ to 64 noisy points by least squares. Because the inputs are not centred ($x$ between 1 and
# 4), $w$ and $b$ are strongly coupled and the loss surface is a long, tilted valley. Each method gets the same
# budget of **8 epochs** and the same learning rate:
#
# * **GD** — one update per epoch, on the gradient of the whole data set: stable, few updates;
# * **SGD** — one update per example: 64 noisy updates per epoch;
# * **mini-batch** ($b = 16$) — 4 updates per epoch, less noise than SGD.

# %%
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

# %%
ws, bs_ = np.meshgrid(np.linspace(-1.5, 3.5, 120), np.linspace(-5.5, 5, 120))
Lgrid = ((ws[..., None] * xd + bs_[..., None] - yd) ** 2).mean(-1)
fig, axes = plt.subplots(1, 3, figsize=(9, 2.8), sharey=True)
for ax, (name, (path, loss)) in zip(axes, runs.items()):
    ax.contour(ws, bs_, np.log(Lgrid), 15, cmap="Greys", linewidths=0.6)
    ax.plot(path[:, 0], path[:, 1], ".-", ms=2, lw=0.8)
    ax.set_title(f"{name}: {len(path) - 1} updates\nfinal loss {loss:.2f}", fontsize=8); ax.set_xlabel("w")
axes[0].set_ylabel("b"); plt.tight_layout(); plt.show()

gd, mb, sgd = (runs[k][1] for k in runs)
# same epochs: more, noisier updates get further along the valley; GD has only made 8 steps
assert sgd < gd and mb < gd


# %% [markdown]
# ## Importance of the learning rate (lecture 000)
#
# Each step is $\theta \leftarrow \theta - \eta\nabla L(\theta)$, and "choice of η has big effect": a large η
# makes the iterates "fluctuate around optima, even diverge", a small one "barely moves". On the simplest bowl,
# $C(w) = \tfrac12 w^2$, the gradient is $w$, so every step multiplies $w$ by $(1 - \eta)$: it shrinks steadily for
# $0 < \eta < 1$, flips sign and shrinks for $1 < \eta < 2$, and grows for $\eta > 2$. 10 steps of `optim.SGD`
# from $w = 2$ with four learning rates:

# %%
def gd_path(lr, w0=2.0, steps=10):
    """GD on C(w) = ½w² with optim.SGD: the iterates w_0..w_steps."""
    w = autograd.tensor([w0], dtype=autograd.float64, requires_grad=True)
    opt = optim.SGD([w], lr=lr)
    out = [w0]
    for _ in range(steps):
        opt.zero_grad(); (0.5 * w ** 2).sum().backward(); opt.step()
        out.append(w.item())
    return np.array(out)

rates = {0.1: "too small: barely moves", 0.6: "converges", 1.8: "large: oscillates", 2.1: "too large: diverges"}
lr_paths = {lr: gd_path(lr) for lr in rates}
fig, axes = plt.subplots(1, 4, figsize=(9, 2.4))
for ax, (lr, label) in zip(axes, rates.items()):
    w = lr_paths[lr]
    span = 1.15 * np.abs(w).max()
    u = np.linspace(-span, span, 200)
    ax.plot(u, 0.5 * u ** 2, color="0.6", lw=1)
    ax.plot(w, 0.5 * w ** 2, ".-", color="C3", ms=4, lw=0.8)
    ax.plot(w[0], 0.5 * w[0] ** 2, "ko", ms=4)
    ax.set_title(f"η = {lr}: {label}\nfactor 1 − η = {1 - lr:+.1f}", fontsize=8)
    ax.set_xlabel("w"); ax.set_yticks([])
plt.tight_layout(); plt.show()

for lr, w in lr_paths.items():
    assert np.allclose(w, 2.0 * (1 - lr) ** np.arange(len(w)))   # each step multiplies w by (1 − η)
    print(f"η = {lr}: |w| after {len(w) - 1} steps = {abs(w[-1]):.4f}")
assert abs(lr_paths[0.1][-1]) > 0.5 and abs(lr_paths[0.6][-1]) < 1e-3     # too small: barely moves; 0.6 converges
assert np.all(np.diff(np.sign(lr_paths[1.8])) != 0)                          # large: fluctuates around the optimum
assert abs(lr_paths[2.1][-1]) > abs(lr_paths[2.1][0])                        # too large: diverges

# %% [markdown]
# ## The lectures' update rules are `optim`'s
#
# Momentum. Lecture 004: $\mathbf v \leftarrow \alpha\mathbf v - \epsilon\nabla C$, $\mathbf w \leftarrow
# \mathbf w + \mathbf v$ (lecture 003 writes the same with $\beta, \alpha$; lecture 000 with the sign flipped).
# `optim.SGD(momentum=α)` stores $\mathbf b \leftarrow \alpha\mathbf b + \nabla C$ and steps
# $\mathbf w \leftarrow \mathbf w - \epsilon\mathbf b$ — the same sequence, with $\mathbf v = -\epsilon\mathbf b$.
#
# Adagrad (lecture 000): $g_i \leftarrow g_i + (\nabla L)_i^2$,
# $\theta_i \leftarrow \theta_i - \frac{\eta}{\sqrt{g_i + \epsilon}}(\nabla L)_i$.
#
# Adam (lecture 000): $\mathbf m \leftarrow \beta_1\mathbf m + (1-\beta_1)\nabla L$,
# $\mathbf v \leftarrow \beta_2\mathbf v + (1-\beta_2)\nabla L^2$,
# $\theta \leftarrow \theta - \frac{\eta}{\sqrt{\mathbf v/(1-\beta_2^t)} + \epsilon}\,\mathbf m/(1-\beta_1^t)$. The slide
# writes the bias corrections as $1-\beta$; the original (and `optim.Adam`) uses $1-\beta^t$ at step $t$ — the
# two agree at $t = 1$.
#
# We run each rule by hand in NumPy next to the library for 20 steps on the ravine
# $C(\mathbf w) = 0.01\,w_1^2 + w_2^2$ (gradient $(0.02\,w_1,\ 2 w_2)$) and compare every iterate.

# %%
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

# %% [markdown]
# ## The ravine's gradient, drawn
#
# Why the ravine is hard, in the graph of $C$ at the start $(-8, 1.5)$ (top to bottom, each edge with its local
# derivative, each box with its adjoint): $w_1$ is five times further from the minimum than $w_2$, yet its
# adjoint $\partial C/\partial w_1 = -0.16$ is about twenty times *smaller* than $\partial C/\partial w_2 = 3$. The
# negative gradient points almost straight across the valley, and a learning rate small enough for the steep
# $w_2$ direction barely moves $w_1$.

# %%
w = autograd.tensor(start, dtype=autograd.float64, requires_grad=True)
w1, w2 = w[0], w[1]
C = 0.01 * w1 ** 2 + w2 ** 2                      # the ravine, with its two coordinates named
C.backward()
assert np.allclose(w.grad.numpy(), ravine_grad(start)) and np.allclose(w.grad.numpy(), [-0.16, 3.0])
viz.draw_graph(C, names=locals(), rankdir="TB")

# %% [markdown]
# ## Nesterov's look-ahead (lecture 004)
#
# Momentum's step is $\alpha\mathbf v - \epsilon\nabla C(\mathbf w)$: the velocity carries $\mathbf w$ on by
# $\alpha\mathbf v$ whatever the gradient says, and the gradient is taken where $\mathbf w$ *was*. Nesterov's variant
# takes the gradient where the velocity is about to carry it, at the look-ahead point $\mathbf w + \alpha\mathbf v$:
#
# $$\mathbf v \leftarrow \alpha\mathbf v - \epsilon\nabla C(\mathbf w + \alpha\mathbf v), \qquad
# \mathbf w \leftarrow \mathbf w + \mathbf v.$$
#
# Below, the second step of the momentum run above ($\epsilon = 0.5$, $\alpha = 0.7$; the first step is the same
# for both). The first step has reached the valley floor $w_2 = 0$ with a velocity pointing across it. Momentum
# takes the gradient at $\mathbf w$, where the floor is flat across, and overshoots to the far wall; Nesterov
# looks ahead, finds the far wall's gradient pushing back, and the two cancel. (The $w_1$ axis is stretched about
# tenfold.)

# %%
eps, alpha = 0.5, 0.7                       # the momentum run above (lecture 004: ε, α)
v = -eps * ravine_grad(start)               # the first step is the same for both methods (v starts at 0)
w = start + v
ahead = w + alpha * v                       # where the velocity is about to carry w
v_mom = alpha * v - eps * ravine_grad(w)        # momentum: the gradient at w
v_nag = alpha * v - eps * ravine_grad(ahead)    # Nesterov: the gradient at the look-ahead point
print("w =", w, "  v =", v)
print("momentum lands at", w + v_mom, "  Nesterov at", w + v_nag)

w1, w2 = np.meshgrid(np.linspace(-8.03, -7.72, 100), np.linspace(-1.35, 1.65, 100))
fig, axes = plt.subplots(1, 2, figsize=(7, 3.2), sharey=True)
for ax, (name, at, v_new) in zip(axes, [("momentum", w, v_mom), ("Nesterov", ahead, v_nag)]):
    ax.contour(w1, w2, ravine(np.array([w1, w2])), levels=0.6 + np.array([0.03, 0.1, 0.25, 0.5, 1, 1.6, 2.3]),
               cmap="Greys", linewidths=0.5)
    arrow = dict(angles="xy", scale_units="xy", scale=1, width=0.012)
    ax.quiver(*start, *v, color="0.7", **arrow)                                     # the step before
    ax.quiver(*w, *(alpha * v), color="C0", **arrow)                                # momentum step αv
    ax.quiver(*(w + alpha * v), *(-eps * ravine_grad(at)), color="C3", **arrow)     # gradient step
    ax.quiver(*w, *v_new, color="k", **arrow)                                       # the resulting step
    ax.plot(*at, "o", mfc="none", mec="C3", ms=8)                                   # where the gradient is taken
    ax.plot(*w, "ko", ms=3); ax.axhline(0, color="0.6", lw=0.6, ls=":")          # the valley floor
    ax.set_title(f"{name}: gradient taken at the red circle", fontsize=8); ax.set_xlabel("w1")
    ax.text(w[0] - 0.025, w[1], "w", fontsize=8, va="center")
axes[0].set_ylabel("w2")
axes[1].text(-7.73, 1.45, "grey: the first step\nblue: αv   red: −ε∇C\nblack: the new step v", fontsize=7,
             va="top", ha="right")
plt.tight_layout(); plt.show()

assert np.isclose((w + v_mom)[1], -1.05)          # momentum overshoots the floor w2 = 0
assert np.isclose((w + v_nag)[1], 0.0)            # the look-ahead gradient cancels the overshoot
p = autograd.tensor(start, requires_grad=True)
nag = optim.SGD([p], lr=eps, momentum=alpha, nesterov=True)
for _ in range(2):
    nag.zero_grad(); ravine(p).backward(); nag.step()
assert np.allclose(p.detach().numpy(), w + v_nag + alpha * v_nag)   # optim keeps the look-ahead point itself

# %% [markdown]
# The last assertion is a detail worth knowing: `optim.SGD(nesterov=True)`, like PyTorch's, does not store
# $\mathbf w$ but the look-ahead point $\mathbf w + \alpha\mathbf v$ itself, which lets it take the gradient at the
# parameters it holds. The steps are the same, shifted by $\alpha\mathbf v$.

# %% [markdown]
# ## The race
#
# Eleven optimisers, 100 steps each, from $(-8, 1.5)$ on $C(\mathbf w) = 0.01\,w_1^2 + w_2^2$: the valley floor
# is the $w_1$ axis, and the walls are 100 times steeper than the floor (condition number 100). Learning rates are
# set per method, roughly as large as each tolerates. Watch for:
#
# * **GD** bouncing between the walls (its learning rate is capped by the steep direction, so it crawls along
#   the floor);
# * **momentum / Nesterov** averaging the bounces away and building up speed along the floor (lecture 004);
# * the **adaptive** methods (Adagrad, Adadelta, RMSprop, Adam and its variants) rescaling each coordinate by its
#   own gradient history, so both directions move at a similar speed — they head almost straight for the
#   floor, then along it.

# %%
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

# %% [markdown]
# What the grid shows:
#
# * **GD** zig-zags across the valley and is still far along the floor after 100 steps.
# * **Momentum** and **Nesterov** oscillate a little at first and then run along the floor; Nesterov evaluates the
#   gradient at the look-ahead point $\mathbf w + \alpha\mathbf v$, which damps the overshoot.
# * **Adagrad** divides by the root of the *sum* of squared gradients, so its steps only shrink — fine here,
#   "too conservative" on long runs (lecture 000). **Adadelta** and **RMSprop** replace the sum with a decaying
#   average (lecture 003: "RMSprop: very similar to Adadelta").
# * **Adam** = momentum + RMSprop scaling; its first steps have size ≈ η in each coordinate, whatever the
#   gradient's scale. **AMSGrad** uses the maximum of past $v$ instead of the average; **AdamW** decays the weights
#   directly instead of through the gradient; **NAdam** adds Nesterov's look-ahead to Adam; **QHAdam** averages a
#   plain gradient step with the momentum step.

# %% [markdown]
# ## Exercise 6.1 · Pick the learning rate
#
# In the race GD got $\eta = 0.95$, "roughly as large as it tolerates". Find the limit. On a quadratic bowl
# $C(\mathbf w) = \tfrac12 \sum_i \lambda_i w_i^2$ each coordinate is its own one-dimensional bowl, like the
# learning-rate figure's, with curvature $\lambda_i$; the ravine $0.01\,w_1^2 + w_2^2$ has $\lambda = (0.02, 2)$. Write
# `largest_stable_lr(curvatures)`: the learning rate above which GD diverges. `check_6_1` tries the ravine and
# other bowls.

# %%
def largest_stable_lr(curvatures):
    """The largest η for which GD converges on ½ Σ λ_i w_i², given the list of λ_i."""
    return None          # your formula

check_6_1(largest_stable_lr)

# %% [markdown]
# ## Exercise 6.2 · Nesterov's step by hand
#
# Write one step of Nesterov's method in lecture 004's form, as in the look-ahead figure:
# `nesterov_step(w, v, grad_fn, eps, alpha)` returns the new `(w, v)`, where `grad_fn(w)` is $\nabla C$ at `w` (NumPy
# arrays). `check_6_2` runs 20 of your steps on the ravine and compares them with `optim.SGD(nesterov=True)`.

# %%
def nesterov_step(w, v, grad_fn, eps, alpha):
    """One step of v ← αv − ε∇C(w + αv), w ← w + v; returns (w, v)."""
    return None          # your code

check_6_2(nesterov_step)
