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
# # 12 · An autoencoder on the digits
#
# Lecture 000: *“An autoencoder is an ANN trained in a specific way”* — trained to reproduce its input at its
# output, through a narrow middle layer. The network has to invent a compact code for its inputs: no labels are
# used. Here a 64 → 32 → 8 → 32 → 64 multilayer perceptron learns an 8-number code for the 8×8 digits.

# %%
import os
# These arrays are small: one BLAS thread is faster than several, and much faster on a busy machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1"); os.environ.setdefault("OMP_NUM_THREADS", "1")
# %matplotlib inline
# %config InlineBackend.figure_format = "png"
import time
from collections import OrderedDict
import numpy as np
import matplotlib.pyplot as plt
import autograd, nn, optim
import nn.functional as F
from autograd import viz
from nn.data import load_digits
from exercises.checks_12 import check_12_1, check_12_2   # self-checks for the exercises at the end

plt.rcParams.update({"figure.dpi": 70, "figure.figsize": (6, 3), "font.size": 9})
np.set_printoptions(precision=4, suppress=True)

# %%
X, y = load_digits()
X = X / 16.0                                       # pixels in [0, 1]
perm = np.random.default_rng(0).permutation(len(X))
tr, te = perm[:1400], perm[1400:]
Xtr, Xte = X[tr], X[te]

autograd.manual_seed(0)
encoder = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 8))
decoder = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 64), nn.Sigmoid())
autoencoder = nn.Sequential(OrderedDict(encoder=encoder, decoder=decoder))
opt = optim.Adam(autoencoder.parameters(), lr=1e-2)
mse = nn.MSELoss()

def test_error():
    with autograd.no_grad():
        return mse(autoencoder(autograd.tensor(Xte)), autograd.tensor(Xte)).item()

t0, r = time.perf_counter(), np.random.default_rng(1)
train_curve, test_curve = [], [test_error()]
for epoch in range(40):
    order, total = r.permutation(len(Xtr)), 0.0
    for i in range(0, len(order), 50):
        xb = autograd.tensor(Xtr[order[i:i + 50]])
        opt.zero_grad()
        loss = mse(autoencoder(xb), xb)            # the target is the input itself
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    train_curve.append(total / len(Xtr))
    test_curve.append(test_error())
print(f"trained in {time.perf_counter() - t0:.1f} s;  test MSE per pixel: before {test_curve[0]:.4f}, "
      f"after {test_curve[-1]:.4f}")

# %% [markdown]
# Two yardsticks for the final error: predicting the *mean digit* for every input (what a code of zero numbers
# can do), and PCA with 8 components — the best an autoencoder with *linear* encoder and decoder could reach.

# %%
mean_img = Xtr.mean(0)
baseline = float(((Xte - mean_img) ** 2).mean())
_, _, Vt = np.linalg.svd(Xtr - mean_img, full_matrices=False)
P = Vt[:8]
pca = float(((Xte - mean_img - (Xte - mean_img) @ P.T @ P) ** 2).mean())
print(f"test MSE — mean digit: {baseline:.4f}   PCA (8 components): {pca:.4f}   autoencoder: {test_curve[-1]:.4f}")

fig, ax = plt.subplots(figsize=(5, 2.6))
ax.plot(range(1, len(train_curve) + 1), train_curve, label="training")
ax.plot(range(0, len(test_curve)), test_curve, label="test")
ax.axhline(baseline, color="gray", ls=":", label="mean digit")
ax.axhline(pca, color="k", ls="--", lw=0.8, label="PCA, 8 components")
ax.set_yscale("log"); ax.set_xlabel("epoch"); ax.set_ylabel("MSE per pixel"); ax.legend(fontsize=7)

# the reconstruction error decreases ...
assert test_curve[-1] < 0.3 * test_curve[0]
assert all(np.mean(train_curve[i:i + 10]) > np.mean(train_curve[i + 10:i + 20]) for i in range(0, 21, 10))
# ... far below what no code at all achieves
assert test_curve[-1] < 0.5 * baseline

# %% [markdown]
# ## Reconstructions
#
# One test image of every digit (top), its reconstruction from 8 numbers (middle), and the code itself (bottom).

# %%
picks = [te.tolist().index(next(i for i in te if y[i] == d)) for d in range(10)]
with autograd.no_grad():
    codes = encoder(autograd.tensor(Xte[picks])).numpy()
    recon = decoder(autograd.tensor(codes)).numpy()
fig, ax = plt.subplots(3, 10, figsize=(8, 2.7))
for j in range(10):
    ax[0, j].imshow(Xte[picks[j]].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax[1, j].imshow(recon[j].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax[2, j].imshow(codes[j].reshape(8, 1), cmap="RdBu_r", aspect=0.25)
    for i in range(3):
        ax[i, j].set_xticks([]); ax[i, j].set_yticks([])
ax[0, 0].set_ylabel("input"); ax[1, 0].set_ylabel("output"); ax[2, 0].set_ylabel("code")
plt.tight_layout()
per_image = ((recon - Xte[picks]) ** 2).mean(1)
print("per-image MSE:", per_image.round(4))
assert per_image.max() < baseline

# %% [markdown]
# **What you see.** The reconstructions keep each digit's identity and shape from just eight numbers; the error
# falls steadily during training and ends far below the mean-digit baseline. Nothing in the training used the
# labels: the code was learnt by backpropagating the reconstruction error, $\partial\,\|\hat x - x\|^2/\partial\theta$,
# through decoder and encoder alike.

# %% [markdown]
# ## The autoencoder's graph
#
# The trained autoencoder on 50 test digits, one box per part, with the encoder expanded into its three layers. The
# batch `xb` enters the graph twice: into the encoder and, as the target, into the loss. Both edges are dashed because
# the data gets no gradient. The edge from the encoder to the decoder carries the code, 8 numbers per image, and the
# norm of the reconstruction error's gradient that reaches it.

# %%
xb = autograd.tensor(Xte[:50])
loss = mse(autoencoder(xb), xb)
viz.draw_graph(loss, names=locals(), show_grad=True, expand=["encoder"], rankdir="TB")

# %% [markdown]
# ## Exercise 12.1 · Count the parameters
#
# How big is the code-learning machine? Write the number of parameters (weights and biases) of a chain of
# `nn.Linear` layers with the given widths, so that `[64, 32, 8, 32, 64]` is this notebook's autoencoder (the
# activations have no parameters). `check_12_1` tries four chains, and tells you the autoencoder's count when you
# are right.

# %%
def n_parameters(widths):
    """Number of parameters of nn.Linear(widths[0], widths[1]), nn.Linear(widths[1], widths[2]), …"""
    return None          # your code

check_12_1(n_parameters)

# %% [markdown]
# ## Exercise 12.2 · Where backpropagation starts
#
# The decoder ends in a sigmoid, $\hat x = \sigma(z)$, and the loss is `nn.MSELoss()`, the mean of $(\hat x - x)^2$
# over all $N\times D$ entries of the batch. Derive $\partial L/\partial z$, the gradient that enters the decoder's
# last `Linear` layer, by hand and write it in NumPy. `check_12_2` compares with `backward()`.

# %%
def grad_logits(z, x):
    """∂L/∂z for L = mean((σ(z) − x)²) over all entries; z, x: NumPy arrays of shape (N, D)."""
    return None          # your code

check_12_2(grad_logits)
