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
# # 8 · Backpropagation through a convolution: the 180°-rotated filter
#
# Lecture 004 (Schönhuth, *CNN backprop*) derives the error of layer $l$ of a convolutional network from the
# error of layer $l+1$. With one channel per layer and an $M\times M$ filter,
#
# $$z^{l+1}_{x,y} = \sum_a\sum_b w^{l+1}_{ab}\,\sigma(z^l_{x-a,\,y-b}) + b^{l+1} \qquad (2)$$
#
# and the chain rule, with every term where $x \ne x'-a$ or $y\ne y'-b$ vanishing, gives
#
# $$\delta^l_{x,y} = \sum_{x'}\sum_{y'} \delta^{l+1}_{x',y'}\, w^{l+1}_{x'-x,\,y'-y}\, \sigma'(z^l_{x,y}) \qquad (7)$$
#
# — *a convolution in its own right*, with the filter **rotated by 180°** (8). This notebook checks (7) and the
# rotation identity against pathgrad's autograd, then trains a small CNN on the bundled 8×8 digits.

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
from exercises.checks_08 import check_8_1, check_8_2, check_8_3   # self-checks for the exercises at the end

plt.rcParams.update({"figure.dpi": 70, "figure.figsize": (6, 3), "font.size": 9})
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Equation (7), literally
#
# We write eq. (2) and eq. (7) as plain loops over pixels (float64, an 8×8 layer and a 3×3 filter), and let
# autograd differentiate the same forward pass. The cost is $C = \sum_{x',y'} G_{x',y'} z^{l+1}_{x',y'}$ for a
# random $G$, so $\delta^{l+1} = G$ is an arbitrary upstream error.

# %%
rng = np.random.default_rng(0)
H, M = 8, 3                       # layer size, filter size
z_l = rng.normal(size=(H, H))     # pre-activations z^l
w = rng.normal(size=(M, M))       # the filter w^{l+1}
G = rng.normal(size=(H - M + 1, H - M + 1))   # δ^{l+1} = ∂C/∂z^{l+1}
sig = lambda z: 1 / (1 + np.exp(-z))

def eq2(act, w):
    """z^{l+1}_{x',y'} = Σ_ab w_ab σ(z^l)_{x'-a, y'-b}  (a true convolution; 'valid' outputs x' = M-1 … H-1)."""
    out = np.zeros((H - M + 1, H - M + 1))
    for xp in range(M - 1, H):
        for yp in range(M - 1, H):
            out[xp - M + 1, yp - M + 1] = sum(w[a, b] * act[xp - a, yp - b] for a in range(M) for b in range(M))
    return out

def eq7(delta_next, w, z):
    """δ^l_{x,y} = Σ_{x',y'} δ^{l+1}_{x',y'} w_{x'-x, y'-y} σ'(z_{x,y})."""
    delta = np.zeros((H, H))
    for x in range(H):
        for y in range(H):
            s = 0.0
            for xp in range(M - 1, H):
                for yp in range(M - 1, H):
                    if 0 <= xp - x < M and 0 <= yp - y < M:
                        s += delta_next[xp - M + 1, yp - M + 1] * w[xp - x, yp - y]
            delta[x, y] = s * sig(z[x, y]) * (1 - sig(z[x, y]))
    return delta

a_l = sig(z_l)
rot180 = lambda k: k[..., ::-1, ::-1]

# pathgrad's conv2d (like torch's) is a cross-correlation, Σ_ab w_ab a_{x+a, y+b}; eq. (2) is a true
# convolution, which is the cross-correlation with the filter rotated: check that first.
f64 = autograd.float64
z = autograd.tensor(z_l[None, None], requires_grad=True, dtype=f64)
W = autograd.tensor(w[None, None], dtype=f64)
z_next = F.conv2d(autograd.sigmoid(z), autograd.tensor(rot180(w)[None, None].copy(), dtype=f64))
assert np.allclose(z_next.detach().numpy()[0, 0], eq2(a_l, w))

C = (z_next * autograd.tensor(G[None, None], dtype=f64)).sum()
C.backward()
delta_autograd = z.grad.numpy()[0, 0]
delta_eq7 = eq7(G, w, z_l)
print("max |autograd − eq. (7)| =", np.abs(delta_autograd - delta_eq7).max())
assert np.allclose(delta_autograd, delta_eq7, atol=1e-12)

# %% [markdown]
# ## The identity: backward = the forward operation with the filter rotated by 180°
#
# Eq. (7) pairs $\delta^{l+1}_{x'}$ with $w_{x'-x}$: filter and error run *in the same direction*, a
# cross-correlation, while the forward (2) ran them in opposite directions, a convolution. Swapping one for the
# other is exactly a 180° rotation of the filter. In a deep-learning library, where `conv2d` is the
# cross-correlation, the identity reads
#
# $$\bar x = \mathrm{conv2d}\big(\bar y,\ \mathrm{rot}_{180}(w),\ \text{padding}=M-1\big)$$
#
# (a *full* convolution: $\bar y$ is zero-padded so that every input pixel collects every filter tap it touched).
# With several channels the filter bank is also transposed: input and output channels swap roles.

# %%
# one channel, the library's (cross-correlation) convention
x = autograd.tensor(rng.normal(size=(1, 1, H, H)), requires_grad=True, dtype=f64)
y = F.conv2d(x, W)
ybar = rng.normal(size=y.shape)
y.backward(autograd.tensor(ybar, dtype=f64))
full = F.conv2d(autograd.tensor(ybar, dtype=f64), autograd.tensor(rot180(w)[None, None].copy(), dtype=f64),
                padding=M - 1).numpy()
assert np.allclose(x.grad.numpy(), full)
# ... and NOT with the unrotated filter (w is not symmetric)
unrotated = F.conv2d(autograd.tensor(ybar, dtype=f64), W, padding=M - 1).numpy()
assert not np.allclose(x.grad.numpy(), unrotated)

# three input channels, four output channels: rotate every kernel, swap in/out channels
Wb = rng.normal(size=(4, 3, M, M))
x = autograd.tensor(rng.normal(size=(2, 3, H, H)), requires_grad=True, dtype=f64)
w_t = autograd.tensor(Wb, requires_grad=True, dtype=f64)
y = F.conv2d(x, w_t)
ybar = rng.normal(size=y.shape)
y.backward(autograd.tensor(ybar, dtype=f64))
full = F.conv2d(autograd.tensor(ybar, dtype=f64),
                autograd.tensor(rot180(Wb).transpose(1, 0, 2, 3).copy(), dtype=f64), padding=M - 1).numpy()
assert np.allclose(x.grad.numpy(), full)

# the filter's own gradient is a cross-correlation too: of the input with the output error
wgrad = np.stack([np.stack([
    F.conv2d(autograd.tensor(x.detach().numpy()[:, c:c + 1].transpose(1, 0, 2, 3).copy()),
             autograd.tensor(ybar[:, o:o + 1].transpose(1, 0, 2, 3).copy())).numpy()[0, 0]
    for c in range(3)]) for o in range(4)])
assert np.allclose(w_t.grad.numpy(), wgrad)
print("x̄ = full conv2d(ȳ, rot180(w)):  verified for 1→1 and 3→4 channels;  w̄ = conv2d(x, ȳ): verified")

# %%
fig, ax = plt.subplots(1, 4, figsize=(8, 2.2))
for a, img, title in zip(ax, [w, rot180(w), G, delta_autograd],
                         ["filter w", "rot180(w)", "δ$^{l+1}$ (6×6)", "δ$^{l}$ (8×8)"]):
    a.imshow(img, cmap="RdBu_r"); a.set_title(title); a.set_xticks([]); a.set_yticks([])
plt.tight_layout()

# %% [markdown]
# ## Stepping through backward of a tiny convolution
#
# One 3×3 input $x$, one 2×2 filter $w$, so $y = \mathrm{conv2d}(x, w)$ is 2×2, and $C = \sum y$. Move the slider
# (or read the strip: one picture per step of backward). At step 1 `sum` sends $\bar y = 1$ to each of the four
# outputs. At step 2 conv2d's backward fills both leaves at once. Each pixel of $x$ collects $\bar y_{x'}\,w_{x'-x}$
# from every window that covered it: the corners from one window, the edge pixels from two, the centre from all four.
# That sum over windows is the full convolution with the rotated filter. $\bar w$ collects $x\,\bar y$ over the four
# window positions. The boxes show the norm $\|\partial C/\partial\cdot\|$ of each adjoint; the arrays are printed
# below the figure.

# %%
x = autograd.tensor(np.arange(1.0, 10.0).reshape(1, 1, 3, 3), requires_grad=True, dtype=f64)
w = autograd.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], requires_grad=True, dtype=f64)
y = F.conv2d(x, w)
C = y.sum()
C.backward()
print("x̄ =\n", x.grad.numpy()[0, 0], "\nw̄ =\n", w.grad.numpy()[0, 0])
# every pixel's adjoint is the sum of the filter taps that touched it; the centre got all four
assert np.array_equal(x.grad.numpy()[0, 0], [[1, 3, 2], [4, 10, 6], [3, 7, 4]])
assert np.array_equal(w.grad.numpy()[0, 0], [[12, 16], [24, 28]])   # each tap: the sum of the 4 pixels it saw
viz.step_through(C, locals(), rankdir="TB")

# %% [markdown]
# ## A CNN on the digits
#
# Autograd applies the identity for us in every `Conv2d` layer. Two conv–ReLU–max-pool blocks and a linear layer,
# trained with Adam on 1,300 of the 1,797 digits and tested on the other 497.

# %%
X, y = load_digits()
X = (X / 16.0).reshape(-1, 1, 8, 8)
perm = np.random.default_rng(0).permutation(len(X))
tr, te = perm[:1300], perm[1300:]
Xtr, ytr, Xte, yte = X[tr], y[tr], X[te], y[te]

autograd.manual_seed(0)
cnn = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 8×8 → 4×4
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 4×4 → 2×2
    nn.Flatten(), nn.Linear(16 * 2 * 2, 10))
opt = optim.Adam(cnn.parameters(), lr=1e-2)
loss_fn = nn.CrossEntropyLoss()

def accuracy(model, X, y):
    model.eval()
    with autograd.no_grad():
        acc = float((model(autograd.tensor(X)).numpy().argmax(1) == y).mean())
    model.train()
    return acc

t0, losses, accs = time.perf_counter(), [], []
batch_rng = np.random.default_rng(1)
for epoch in range(15):
    order = batch_rng.permutation(len(Xtr))
    for i in range(0, len(order), 50):
        b = order[i:i + 50]
        opt.zero_grad()
        loss = loss_fn(cnn(autograd.tensor(Xtr[b])), autograd.tensor(ytr[b]))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    accs.append(accuracy(cnn, Xte, yte))
    print(f"epoch {epoch + 1}: last batch loss {losses[-1]:.3f}, test accuracy {accs[-1]:.3f}")
print(f"trained in {time.perf_counter() - t0:.1f} s")
assert accs[-1] > 0.9 and np.mean(losses[-10:]) < np.mean(losses[:10]) / 4

# %%
fig, ax = plt.subplots(1, 2, figsize=(8, 2.5))
ax[0].plot(losses); ax[0].set_xlabel("step"); ax[0].set_ylabel("cross-entropy"); ax[0].set_yscale("log")
ax[1].plot(range(1, len(accs) + 1), accs, "o-"); ax[1].set_xlabel("epoch"); ax[1].set_ylabel("test accuracy")
plt.tight_layout()

k = cnn[0].weight.detach().numpy()[:, 0]
fig, ax = plt.subplots(1, 8, figsize=(8, 1.2))
for a, f in zip(ax, k):
    a.imshow(f, cmap="RdBu_r"); a.axis("off")
_ = fig.suptitle("the eight learnt 3×3 filters of the first layer", y=1.05)

# %% [markdown]
# **What you see.** The loss falls by more than an order of magnitude within a few epochs and the test accuracy
# passes 90%. Every gradient that reached the first layer's filters went through the rotated-filter convolution
# verified above (and through max-pooling, which routes each error to the arg-max of its window).

# %% [markdown]
# ## The CNN's graph
#
# One test batch through the trained network, drawn as one box per layer. The edges carry each layer's output
# shape, 8×8 → 4×4 → 2×2 → 64 → 10 as in the comments above, and the norm $\|\bar g\|$ of the error flowing back
# along it. The first `Conv2d` is expanded: inside it the single `conv2d` op, whose backward is the rotated-filter
# convolution, with its weight (8 filters of 1×3×3), its bias and their gradients.

# %%
images, labels = autograd.tensor(Xte[:50]), autograd.tensor(yte[:50])
loss = loss_fn(cnn(images), labels)
viz.draw_graph(loss, names=locals(), show_grad=True, expand=["0"], rankdir="TB")

# %% [markdown]
# ## Exercise 8.1 · Predict a shape: conv2d's output size
#
# A conv2d layer slides an $M\times M$ window over an $H\times H$ input that has `padding` zeros added on every side,
# moving `stride` pixels at a time. Write the output size along one side as a formula in $H$, $M$, padding and
# stride — then use it to confirm the comments `8×8 → 4×4` and `4×4 → 2×2` in the CNN above. `check_8_1` compares
# your formula with conv2d for seven settings, strides 1 to 3 among them.

# %%
def conv_out(H, M, padding=0, stride=1):
    """Output size of conv2d along one side: input size H, filter size M."""
    return None          # your formula

check_8_1(conv_out)

# %% [markdown]
# ## Exercise 8.2 · conv2d's backward for the input, by hand
#
# Implement eq. (7)–(8) in NumPy, without autograd: for $y = \mathrm{conv2d}(x, w)$ with one channel, stride 1 and
# no padding, return $\bar x = \partial C/\partial x$ given $\bar y = \partial C/\partial y$ and the filter $w$
# (which need not be square). `np.pad` and two loops over the filter, or `np.lib.stride_tricks.sliding_window_view`,
# are all it takes. `check_8_2` compares your $\bar x$ with `backward()`.

# %%
def conv_input_grad(ybar, w):
    """x̄ = ∂C/∂x for y = conv2d(x, w) (one channel, no padding), given ȳ = ∂C/∂y; NumPy arrays."""
    return None          # your code

check_8_2(conv_input_grad)

# %% [markdown]
# ## Exercise 8.3 · ... and for the filter
#
# The same layer's filter gradient $\bar w = \partial C/\partial w$, from the input $x$ and $\bar y$. Start from
# $y_{x',y'} = \sum_{a,b} w_{ab}\,x_{x'+a,\,y'+b}$ (conv2d's cross-correlation) and ask which outputs each $w_{ab}$
# touches. Is there a rotation this time? `check_8_3` compares with `backward()`.

# %%
def conv_weight_grad(x, ybar):
    """w̄ = ∂C/∂w for y = conv2d(x, w) (one channel, no padding), given x and ȳ; NumPy arrays."""
    return None          # your code

check_8_3(conv_weight_grad)
