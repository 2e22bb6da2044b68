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
# # 11 · Regularisation: L2, dropout, early stopping
#
# Lecture 000 (Cohn, *Training deep networks*): ANNs are flexible — *“the flipside is over-parameterisation, hence
# tendency to overfitting”*. Its three tools: an explicit L2 penalty, dropout, and early stopping. We check what each
# one does to the gradient or the forward pass, then let a big network overfit 150 digits and apply them.

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
from exercises.checks_11 import check_11_1, check_11_2   # self-checks for the exercises at the end

plt.rcParams.update({"figure.dpi": 70, "figure.figsize": (6, 3), "font.size": 9})
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## L2: *“this will simply add $2\lambda w$ terms to the partial derivatives”*
#
# Minimise $L + \lambda\sum w^2$ instead of $L$. The penalty's derivative is $2\lambda w$ for every weight, so
# the difference between the two gradients must be exactly $2\lambda w$.

# %%
X, y = load_digits()
X = X / 16.0
autograd.manual_seed(0)
net = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))
loss_fn, lam = nn.CrossEntropyLoss(), 0.01
xb, yb = autograd.tensor(X[:64]), autograd.tensor(y[:64])

def grads(penalty):
    net.zero_grad()
    loss = loss_fn(net(xb), yb)
    if penalty:
        loss = loss + lam * sum((p ** 2).sum() for p in net.parameters())
    loss.backward()
    return [p.grad.numpy().copy() for p in net.parameters()]

plain, regularised = grads(False), grads(True)
for (name, p), g0, g1 in zip(net.named_parameters(), plain, regularised):
    assert np.allclose(g1 - g0, 2 * lam * p.detach().numpy(), atol=1e-6)
    print(f"{name:9s} max |(∇L_reg − ∇L) − 2λw| = {np.abs(g1 - g0 - 2 * lam * p.detach().numpy()).max():.1e}")

# %% [markdown]
# Optimisers call this *weight decay*: `optim.SGD(weight_decay=wd)` adds $wd\cdot w$ to the gradient, so it is the
# lecture's penalty with $\lambda = wd/2$. One step of each, from the same weights:

# %%
state = {k: v.clone() for k, v in net.state_dict().items()}
opt = optim.SGD(net.parameters(), lr=0.1)
grads(True); opt.step()
by_penalty = [p.detach().numpy().copy() for p in net.parameters()]
net.load_state_dict(state)
opt = optim.SGD(net.parameters(), lr=0.1, weight_decay=2 * lam)
grads(False); opt.step()
assert all(np.allclose(a, p.detach().numpy(), atol=1e-6) for a, p in zip(by_penalty, net.parameters()))
print("SGD(weight_decay=2λ) on L  ==  SGD on L + λΣw²")

# %% [markdown]
# ## Dropout: *“randomly mask a fraction of units during training … no masking at testing”*
#
# pathgrad's `nn.Dropout(p)` is *inverted* dropout: in training it zeroes each unit with probability $p$ and scales
# the survivors by $1/(1-p)$, so the expected activation is unchanged and the test-time network needs no
# *“weight adjustment”*; in `eval()` mode it is the identity.

# %%
autograd.manual_seed(0)
drop = nn.Dropout(p=0.5)
h = autograd.ones(2000, 50)
out = drop(h).numpy()
print(f"training: fraction zeroed {np.mean(out == 0):.3f}, survivors = {np.unique(out[out != 0])}, "
      f"mean {out.mean():.3f}")
assert abs(np.mean(out == 0) - 0.5) < 0.01 and np.allclose(out[out != 0], 2.0) and abs(out.mean() - 1) < 0.02
drop.eval()
assert np.array_equal(drop(h).numpy(), h.numpy())
# a new mask at every presentation, and the gradient flows only through the kept units
drop.train()
hg = autograd.ones(4, 6, requires_grad=True)
o1 = drop(hg); o2 = drop(hg)
assert not np.array_equal(o1.detach().numpy(), o2.detach().numpy())
o1.sum().backward()
assert np.array_equal(hg.grad.numpy(), o1.detach().numpy())   # ∂/∂h of Σ mask·h/(1−p) = mask/(1−p)

# %% [markdown]
# ## Overfitting, and the three cures
#
# 150 training digits, 600 validation digits, and a 64→256→256→10 ReLU network (about 85,000 parameters for
# 150 examples), trained full-batch with Adam for 150 epochs, three ways: plain (watching the validation loss for early
# stopping), with L2 ($\lambda = 10^{-3}$), and with dropout ($p = 0.5$ after each hidden layer).

# %%
perm = np.random.default_rng(0).permutation(len(X))
tr, va = perm[:150], perm[150:750]
Xtr, ytr, Xva, yva = (autograd.tensor(a) for a in (X[tr], y[tr], X[va], y[va]))

def make(dropout=0.0):
    autograd.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(256, 256), nn.ReLU(), nn.Dropout(dropout), nn.Linear(256, 10))

def fit(net, epochs=150, weight_decay=0.0, keep_best=False):
    opt = optim.Adam(net.parameters(), lr=3e-3, weight_decay=weight_decay)
    hist = {"train": [], "val": [], "val_acc": []}
    best = (np.inf, None, -1)
    for epoch in range(epochs):
        net.train(); opt.zero_grad()
        loss = loss_fn(net(Xtr), ytr); loss.backward(); opt.step()
        net.eval()
        with autograd.no_grad():
            out = net(Xva)
            v = loss_fn(out, yva).item()
            hist["train"].append(loss_fn(net(Xtr), ytr).item())
        hist["val"].append(v)
        hist["val_acc"].append(float((out.numpy().argmax(1) == y[va]).mean()))
        if keep_best and v < best[0]:
            best = (v, {k: t.clone() for k, t in net.state_dict().items()}, epoch)
    return hist, best

t0 = time.perf_counter()
nets, runs = {"none": make(), "L2": make(), "dropout": make(dropout=0.5)}, {}
runs["none"], best = fit(nets["none"], keep_best=True)
runs["L2"], _ = fit(nets["L2"], weight_decay=2e-3)     # λ = 10⁻³: weight_decay = 2λ
runs["dropout"], _ = fit(nets["dropout"])
print(f"{time.perf_counter() - t0:.1f} s")
for k, h in runs.items():
    print(f"{k:8s} final: train loss {h['train'][-1]:.4f}  val loss {h['val'][-1]:.3f}  val acc {h['val_acc'][-1]:.3f}"
          f"   (lowest val loss {min(h['val']):.3f})")

# %%
fig, ax = plt.subplots(1, 2, figsize=(8, 2.8))
for k, h in runs.items():
    line, = ax[0].plot(h["val"], label=f"{k}: validation")
    ax[0].plot(h["train"], "--", color=line.get_color(), lw=0.8)
    ax[1].plot(h["val_acc"], label=k)
v_best, state, e_best = best
ax[0].axvline(e_best, color="k", lw=0.6); ax[0].annotate("early stop", (e_best, v_best * 1.6), fontsize=7)
ax[0].set_yscale("log"); ax[0].set_xlabel("epoch"); ax[0].set_ylabel("loss (dashed: training)")
ax[0].legend(fontsize=7); ax[1].set_xlabel("epoch"); ax[1].set_ylabel("validation accuracy"); ax[1].legend(fontsize=7)
plt.tight_layout()

# %% [markdown]
# **What you see.** Unregularised, the training loss goes to almost zero while the validation loss turns round and
# climbs: the network memorises the 150 examples. *Early stopping* keeps the weights from the epoch with the lowest
# validation loss (the vertical line); L2 and dropout hold the validation loss down for the whole run. L2 also
# makes the weights smaller, which the lecture notes *shrinks the ANN towards a linear model*.

# %%
h0, hl2, hdo = runs["none"], runs["L2"], runs["dropout"]
# overfitting: the unregularised validation loss rose well above its minimum
assert e_best < len(h0["val"]) / 2 and h0["val"][-1] > 1.15 * v_best and h0["train"][-1] < 0.01
# early stopping: restoring the best state gives the best validation loss
net = make(); net.load_state_dict(state); net.eval()
with autograd.no_grad():
    assert abs(loss_fn(net(Xva), yva).item() - v_best) < 1e-6
# L2 and dropout: lower final validation loss than no regularisation
assert hl2["val"][-1] < h0["val"][-1] and hdo["val"][-1] < h0["val"][-1]
# L2 shrinks the weights
wn = {k: float(np.sqrt(sum((p.detach().numpy() ** 2).sum() for p in nets[k].parameters()))) for k in ("none", "L2")}
print(f"early stopping at epoch {e_best}: val loss {v_best:.3f} instead of {h0['val'][-1]:.3f};  "
      f"‖w‖ without / with L2: {wn['none']:.1f} / {wn['L2']:.1f}")
assert wn["L2"] < 0.9 * wn["none"]

# %% [markdown]
# ## The dropout network's graph
#
# The dropout network in training mode, one box per layer, with the first `Dropout` expanded. Inside it dropout is
# one multiplication: the input times an unnamed constant of the same shape, the mask $m/(1-p)$, new at every forward
# pass. Its edge is dashed because a constant gets no gradient, and backward multiplies the error by the same mask,
# so a dropped unit passes no gradient to the layers below. In `eval()` mode the `Dropout` boxes are not in the graph
# at all: dropout is then the identity.

# %%
model = make(dropout=0.5)
loss = loss_fn(model(Xtr), ytr)
viz.draw_graph(loss, names=locals(), show_grad=True, expand=["2"], rankdir="TB")

# %% [markdown]
# ## Exercise 11.1 · One gradient step on the penalised loss
#
# Given the weights `w`, the gradient of the plain loss `grad_L` $= \nabla L$, a learning rate `lr` and the
# lecture's penalty strength `lam` ($\lambda$ in $L + \lambda\sum w^2$), return the weights after one plain
# gradient-descent step on the **penalised** loss. `check_11_1` compares with `backward()` of $L + \lambda\sum w^2$.

# %%
def sgd_step_l2(w, grad_L, lr, lam):
    """w after one gradient step of size lr on L + λΣw², given ∇L (NumPy arrays)."""
    return None          # your code

check_11_1(sgd_step_l2)

# %% [markdown]
# ## Exercise 11.2 · Dropout as a Function with its own backward
#
# Write inverted dropout as an `autograd.Function` (the same contract as `torch.autograd.Function`): `forward(ctx, x,
# mask, p)` gets a 0/1 `mask` of x's shape and returns x with the masked units zeroed and the others scaled by
# $1/(1-p)$; `backward(ctx, grad)` returns one gradient per input of `forward`: x's, then `None` for `mask` and `p`.
# Keep what backward needs with `ctx.save_for_backward(...)` (read it back from `ctx.saved_tensors`) or as an
# attribute of `ctx`. `check_11_2` compares forward and backward with the formulas and runs `autograd.gradcheck`.

# %%
class MyDropout(autograd.Function):
    @staticmethod
    def forward(ctx, x, mask, p):
        return None      # your code

    @staticmethod
    def backward(ctx, grad):
        return None, None, None      # your code: the gradient for x, then None for mask and p

check_11_2(MyDropout)
