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
# # 5 · Activations and losses
#
# Lecture **001** tabulates the common activation functions with their gradients; lecture **003** gives the
# regression losses (MSE, MAE) and a cross-entropy example with two numbers to reproduce, **0.04** and
# **1.39**; lecture **002** adds label smoothing and treats softmax as a *vector* activation. We check every
# formula against the engine.

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
import nn.functional as F
from exercises.checks_05 import check_5_1, check_5_2   # self-checks for the exercises at the end

# %% [markdown]
# ## The activation table (lecture 001)
#
# | name | function | gradient |
# |---|---|---|
# | binary step | $\mathrm{sign}(x)$ / step | $0$ for $x \ne 0$, N/A at $0$ |
# | sigmoid | $\sigma(x) = 1/(1 + e^{-x})$ | $\sigma(x)(1 - \sigma(x))$ |
# | tanh | $\tanh(x)$ | $1 - \tanh^2(x)$ |
# | ReLU | $\max(x, 0)$ | $1$ for $x \ge 0$, $0$ for $x < 0$ |
#
# The engine gets each gradient from `backward()`; the right column is the lecture's closed form.

# %%
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

# %% [markdown]
# Two details the plot hides:
#
# * at $x = 0$ the step and ReLU are not differentiable. The lecture writes "N/A" for the step and picks $1$ for
#   ReLU; pathgrad, like PyTorch, uses the subgradient $0$ for both.
# * sigmoid's gradient is at most $\sigma(0)(1 - \sigma(0)) = 1/4$ and tanh's at most $1$; both vanish for large
#   $|x|$ — the seed of the vanishing-gradient problem (lecture 004).

# %%
z = autograd.tensor([0.0], requires_grad=True)
for name, (fn, _) in acts.items():
    z.grad = None
    fn(z).sum().backward()
    print(f"{name:8s} f'(0) = {z.grad.item():.2f}")
s = autograd.tensor(np.linspace(-10, 10, 2001), requires_grad=True)
s.sigmoid().sum().backward()
assert np.isclose(s.grad.numpy().max(), 0.25)

# %% [markdown]
# ## MSE and MAE (lecture 003)
#
# $$\mathrm{MSE} = \frac1n\sum_{i=1}^n (y_i - \hat y_i)^2, \qquad \mathrm{MAE} = \frac1n\sum_{i=1}^n
# |y_i - \hat y_i|.$$
#
# Their gradients differ in kind: MSE pulls each prediction with a force proportional to its error,
# $\frac{2}{n}(\hat y_i - y_i)$; MAE with a constant force $\frac1n\,\mathrm{sign}(\hat y_i - y_i)$, which is
# why it is less sensitive to outliers.

# %%
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

# %% [markdown]
# ## Cross-entropy: 0.04 vs 1.39 (lecture 003)
#
# ```
# target          = [0, 0, 0, 1]
# good_prediction = [0.01, 0.01, 0.01, 0.96]
# poor_prediction = [0.25, 0.25, 0.25, 0.25]
# cross_entropy(good_prediction, target) = 0.04
# cross_entropy(poor_prediction, target) = 1.39
# ```
#
# These are the *categorical* cross-entropy $-\sum_i y_i \log \hat y_i = -\log \hat y_{\text{true}}$ (lecture
# 002: $\mathrm{div}(\vec y, \vec d) = -\sum_i d_i \log y_i = -\log y_c$): $-\log 0.96 = 0.041$ and
# $-\log 0.25 = \log 4 = 1.386$. (The slide also shows the binary formula
# $-(y\log\hat y + (1-y)\log(1-\hat y))$; summed over the four outputs it would give 0.07 and 2.25 instead.)
#
# The predictions are already probabilities, so the loss to use is `F.nll_loss` on their logarithms
# (negative log-likelihood of the true class). `F.cross_entropy` expects *logits* and applies softmax first:
# feeding it $\log p$ would renormalise $p$ — and the slide's "good" prediction sums to $0.99$, not $1$, so
# that would give $-\log(0.96/0.99) = 0.03$ instead of $0.04$.

# %%
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

# %% [markdown]
# Combined with softmax, the cross-entropy has the simplest gradient in deep learning: with respect to the
# logits $z$ it is $\mathrm{softmax}(z) - \vec d$, prediction minus target.

# %%
z = autograd.tensor([[1.0, -0.5, 0.3, 2.0]], requires_grad=True)
F.cross_entropy(z, target).backward()
expected = z.softmax(-1).detach().numpy() - np.array([[0, 0, 0, 1.0]])
print("dCE/dz =", z.grad.numpy().round(4))
assert np.allclose(z.grad.numpy(), expected)

# %% [markdown]
# In the graph `F.cross_entropy` is **one** op, whose backward is that formula. Written out as softmax, log and the
# negative log-likelihood of the target, the same loss is three ops, and backward multiplies through three
# Jacobians to reach the logits. The two drawings below (top to bottom) end in the same number, and $z$'s box
# shows the same adjoint norm $\lVert\mathrm{softmax}(z) - \vec d\rVert$ in both; only the route differs.

# %%
z3 = autograd.tensor([[1.0, -0.5, 0.3, 2.0]], requires_grad=True)
p = z3.softmax(-1)
log_p = p.log()
ce = F.nll_loss(log_p, target)
ce.backward()
assert np.allclose(z3.grad.numpy(), z.grad.numpy())      # the same gradient as the fused op
viz.draw_graph(ce, names={"z": z3, "p": p, "log_p": log_p, "ce": ce}, rankdir="TB")

# %%
ce_fused = F.cross_entropy(z, target)
viz.draw_graph(ce_fused, names={"z": z, "ce": ce_fused}, show_grad=True, rankdir="TB")   # adjoints without backward()

# %% [markdown]
# ## Why cross-entropy and not L2 for classification (lecture 002)
#
# Lecture 002 compares the convergence of cross-entropy and the $L_2$ divergence. With a sigmoid output that is
# confidently wrong ($z = -6$ for a positive example), the $L_2$ gradient is multiplied by
# $\sigma'(z) \approx 0.0025$ and almost vanishes; the cross-entropy gradient $\sigma(z) - 1 \approx -1$ does not.

# %%
zz = autograd.tensor([-6.0], requires_grad=True)
(0.5 * (zz.sigmoid() - 1) ** 2).sum().backward(); g_l2 = zz.grad.item(); zz.grad = None
F.binary_cross_entropy(zz.sigmoid(), autograd.tensor([1.0])).backward(); g_ce = zz.grad.item()
print(f"dL/dz at z = -6:  L2 {g_l2:.4f}   cross-entropy {g_ce:.4f}")
assert abs(g_ce) > 100 * abs(g_l2)

# %% [markdown]
# ## Label smoothing (lecture 002)
#
# "Sometimes instead of one-hot" targets, use $\epsilon$ for every wrong class and $1 - (k-1)\epsilon$ for the
# right one. The network is then never pushed towards infinitely large logits. PyTorch's (and pathgrad's)
# `label_smoothing=α` mixes the one-hot target with the uniform distribution: $(1-\alpha)\,\vec d + \alpha/k$,
# which is the lecture's target with $\epsilon = \alpha/k$.

# %%
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

# %% [markdown]
# ## Softmax is a vector activation (lecture 002)
#
# A scalar activation acts on each neuron alone: its Jacobian is diagonal. Softmax,
# $y_i = e^{z_i}/\sum_j e^{z_j}$, couples the whole layer — "change one param ⇒ all outputs will change". Its
# Jacobian is the full matrix $\partial y_i/\partial z_j = y_i(\delta_{ij} - y_j)$, i.e.
# $\mathrm{diag}(\vec y) - \vec y\,\vec y^T$; `autograd.functional.jacobian` computes it from the graph.

# %%
from autograd.functional import jacobian
z0 = autograd.tensor([1.0, 2.0, 0.5])
J_soft = jacobian(lambda z: z.softmax(-1), z0).numpy()
J_tanh = jacobian(lambda z: z.tanh(), z0).numpy()
y0 = z0.softmax(-1).numpy()
print("softmax Jacobian:\n", J_soft.round(4))
print("tanh Jacobian:\n", J_tanh.round(4))
assert np.allclose(J_soft, np.diag(y0) - np.outer(y0, y0))
assert np.allclose(J_tanh, np.diag(1 - np.tanh(z0.numpy()) ** 2))          # diagonal: a scalar activation
assert np.allclose(J_soft.sum(axis=0), 0, atol=1e-6)    # outputs always sum to 1, so every column sums to 0

# %% [markdown]
# ## Exercise 5.1 · Softmax's backward
#
# A scalar activation's backward multiplies the incoming gradient by $f'$ elementwise. Softmax is a vector
# activation, so its backward must apply the whole Jacobian above — without forming it. Write
# `softmax_backward(y, grad)`: given the output $\vec y = \mathrm{softmax}(\vec z)$ (one distribution per row) and
# `grad` $= \partial L/\partial \vec y$, return $\partial L/\partial \vec z$ with NumPy. `check_5_1` compares it with
# the engine on a single vector and on a batch of rows.

# %%
def softmax_backward(y, grad):
    """∂L/∂z from y = softmax(z) (last axis) and grad = ∂L/∂y, without building the Jacobian."""
    return None          # your formula

check_5_1(softmax_backward)

# %% [markdown]
# ## Exercise 5.2 · The gradient of label smoothing
#
# With one-hot targets, softmax + cross-entropy has the gradient prediction minus target. Derive the gradient of
# `F.cross_entropy(z, target, label_smoothing=α)` (the mean over a batch of $B$ rows of logits, $k$ classes) with
# respect to $z$, and write it with NumPy: `smoothed_ce_grad(z, target, alpha)`, where `target` holds class
# indices. `check_5_2` compares it with `backward()` for several $B$, $k$ and $\alpha$.

# %%
def smoothed_ce_grad(z, target, alpha):
    """∂/∂z of the label-smoothed cross-entropy, averaged over the rows of z."""
    return None          # your formula

check_5_2(smoothed_ce_grad)
