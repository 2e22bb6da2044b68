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
# # 9 · Vanishing and exploding gradients
#
# Lecture 004 measures how fast each layer learns by the norm of the cost's gradient with respect to the layer's
# biases, $\|\nabla_{b^l} C\|$. For sigmoid networks on MNIST it finds, *at initialisation*,
#
# | network | $\|\nabla_{b^1}C\|$ | $\|\nabla_{b^2}C\|$ | $\|\nabla_{b^3}C\|$ | $\|\nabla_{b^4}C\|$ |
# |---|---|---|---|---|
# | [784,30,30,10] | 0.07 | 0.31 | | |
# | [784,30,30,30,10] | 0.012 | 0.06 | 0.283 | |
# | [784,30,30,30,30,10] | 0.003 | 0.017 | 0.07 | 0.285 |
#
# — *neurons in earlier layers learn more slowly*. Here we repeat the measurement on the bundled 8×8 digits, with
# 64 inputs instead of 784, and then try the lecture's two remedies: ReLU units and batch normalisation.

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
from exercises.checks_09 import check_9_1, check_9_2   # self-checks for the exercises at the end

plt.rcParams.update({"figure.dpi": 70, "figure.figsize": (6, 3), "font.size": 9})
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## The lecture's set-up
#
# As in the lecture's source (Nielsen, *Neural Networks and Deep Learning*, ch. 5): sigmoid units everywhere,
# weights $\sim N(0, 1/n_\text{in})$, biases $\sim N(0,1)$, the cross-entropy cost
# $C = -\frac1n\sum_x\sum_j [y_j\ln a_j + (1-y_j)\ln(1-a_j)]$, and the gradient over 1,000 training images.

# %%
X, y = load_digits()
X = X / 16.0
idx = np.random.default_rng(0).permutation(len(X))[:1000]
X1000, Y1000 = X[idx], np.eye(10, dtype=np.float32)[y[idx]]

def make_net(sizes, act="sigmoid", bn=False, seed=0):
    """A fully connected net. act='relu' uses He init N(0, 2/n_in); bn=True puts BatchNorm1d before every hidden
    activation (the Linear layer then has no bias: BN's β takes its place)."""
    autograd.manual_seed(seed)
    r = np.random.default_rng(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = i == len(sizes) - 2
        lin = nn.Linear(n_in, n_out, bias=last or not bn)
        std = np.sqrt((1.0 if act == "sigmoid" else 2.0) / n_in)
        lin.weight.data[...] = r.normal(0, std, (n_out, n_in))
        if lin.bias is not None:
            lin.bias.data[...] = r.normal(0, 1, n_out) if act == "sigmoid" else 0
        layers.append(lin)
        if not last:
            if bn:
                layers.append(nn.BatchNorm1d(n_out))
            layers.append(nn.Sigmoid() if act == "sigmoid" else nn.ReLU())
    return nn.Sequential(*layers)

bce = nn.BCEWithLogitsLoss(reduction="sum")

def cost(net, X, Y):
    return bce(net(autograd.tensor(X)), autograd.tensor(Y)) / len(X)

def grad_norms(net, X=X1000, Y=Y1000):
    """‖∇_b C‖ and ‖∇_W C‖ for every hidden layer."""
    net.zero_grad()
    cost(net, X, Y).backward()
    lins = [m for m in net if isinstance(m, nn.Linear)][:-1]
    b = [float(np.linalg.norm(m.bias.grad.numpy())) for m in lins if m.bias is not None]
    W = [float(np.linalg.norm(m.weight.grad.numpy())) for m in lins]
    return np.array(b), np.array(W)

lecture = {2: [0.07, 0.31], 3: [0.012, 0.06, 0.283], 4: [0.003, 0.017, 0.07, 0.285]}
sigmoid_b = {}
for hidden in (2, 3, 4):
    sizes = [64] + [30] * hidden + [10]
    sigmoid_b[hidden] = grad_norms(make_net(sizes))[0]
    print(f"{str(sizes):22s} digits: {np.round(sigmoid_b[hidden], 4)}   lecture (MNIST): {lecture[hidden]}")
    # the lecture's pattern: every layer learns several times slower than the one after it
    assert np.all(np.diff(sigmoid_b[hidden]) > 0)
    assert np.all(sigmoid_b[hidden][1:] / sigmoid_b[hidden][:-1] > 2.5)


# %% [markdown]
# The same pattern as the lecture's MNIST figures, even the same magnitudes: each layer's bias gradient is
# roughly **4–7 times smaller** than the next one's, so in the [64,30,30,30,30,10] net the first hidden layer
# learns more than a hundred times slower than the last. The lecture's explanation (eqs. 19–28): $\partial C/\partial
# b_1$ is a product of factors $w_j\sigma'(z_j)$, and $\sigma' \le 1/4$ while $|w_j|$ is typically below 1.
#
# The graph of the [64,30,30,30,30,10] net's cost shows where the gradient is lost, one box per layer. Read the
# norm $\|\bar g\|$ of the error on each edge from the bottom up: it shrinks several times at every `Sigmoid` and
# barely changes at a `Linear`. The first `Linear` is expanded; its bias box holds $\|\nabla_{b^1}C\|$, the first
# number of the last row above.

# %%
net = make_net([64, 30, 30, 30, 30, 10])
C = cost(net, X1000, Y1000)
*_, last = viz.backward_steps(C)        # the drawing's adjoints, from a reverse sweep of its own
assert np.isclose(np.linalg.norm(last.adjoint(net[0].bias)), sigmoid_b[4][0])
viz.draw_graph(C, names=locals(), module=net, show_grad=True, expand=["0"], rankdir="TB")

# %% [markdown]
# ## During training
#
# The lecture's figure *“training speed in [784,30,30,30,30,10]-NN”* follows these norms while the network
# learns. We train the four-hidden-layer net with mini-batch SGD and measure after every epoch.

# %%
def train(net, epochs=20, lr=0.1, batch=20, seed=1):
    opt = optim.SGD(net.parameters(), lr=lr)
    r = np.random.default_rng(seed)
    history = [grad_norms(net)]
    for _ in range(epochs):
        order = r.permutation(len(X1000))
        for i in range(0, len(order), batch):
            b = order[i:i + batch]
            opt.zero_grad()
            cost(net, X1000[b], Y1000[b]).backward()
            opt.step()
        history.append(grad_norms(net))
    return history

t0 = time.perf_counter()
sizes = [64, 30, 30, 30, 30, 10]
hist = train(make_net(sizes))
speed_b = np.array([h[0] for h in hist])
fig, ax = plt.subplots()
for l in range(4):
    ax.plot(speed_b[:, l], label=f"hidden layer {l + 1}")
ax.set_yscale("log"); ax.set_xlabel("epoch"); ax.set_ylabel(r"$\|\nabla_{b^l} C\|$"); ax.legend(fontsize=7)
ax.set_title("sigmoid [64,30,30,30,30,10] on digits")
print(f"{time.perf_counter() - t0:.1f} s")
# the ordering survives training: earlier layers stay the slow learners
assert np.all(np.diff(speed_b, axis=1) > 0)


# %% [markdown]
# ## Exploding gradients
#
# The lecture's recipe for the opposite problem: weights around 100 and biases chosen so that every $z_j = 0$,
# hence $\sigma'(z_j)=1/4$ and $|w_j\sigma'(z_j)| = 25 > 1$. A chain of one-neuron layers (the lecture's
# eq. 19 network) shows the gradient then *grows* by 25 per layer towards the input — while with $w = 0.5$ and
# the same $z_j = 0$ it *shrinks* by $1/(0.5\cdot\frac14) = 8$ per layer.

# %%
def chain(w_value, depth=5, a0=0.5):
    ws = [autograd.tensor(w_value, requires_grad=True, dtype=autograd.float64) for _ in range(depth)]
    bs = []
    a = autograd.tensor(a0, dtype=autograd.float64)
    for w_ in ws:
        b = autograd.tensor(-w_value * a.item(), requires_grad=True, dtype=autograd.float64)  # so z = 0
        bs.append(b)
        a = autograd.sigmoid(w_ * a + b)
    a.backward()                                   # C = a_L, ∂C/∂a_L = 1
    return np.array([abs(b.grad.item()) for b in bs])

vanish, explode = chain(0.5), chain(100.0)
print("|∂C/∂b_j|, w = 0.5 :", vanish)
print("|∂C/∂b_j|, w = 100 :", explode)
assert np.allclose(vanish[:-1] / vanish[1:], 0.5 * 0.25)   # 8 times smaller per layer towards the input
assert np.allclose(explode[:-1] / explode[1:], 100 * 0.25)  # 25 times larger per layer towards the input

# %% [markdown]
# ## The remedies: ReLU and batch normalisation
#
# *ReLU* has $\text{ReLU}'(z) = 1$ for $z>0$ instead of $\sigma'\le 1/4$; with He initialisation
# ($w\sim N(0,2/n_\text{in})$) the factors $w_j\,\text{ReLU}'(z_j)$ are balanced on average. *Batch normalisation*
# (notebook 10) re-standardises every layer's pre-activations, so the sigmoids work in their steep middle and the
# scale of the weights drops out of the backward pass.
#
# With BN the hidden Linear layers have no bias (BN subtracts the batch mean, so a bias would get zero gradient),
# and BN's shift β is not comparable either: its gradient is a sum over the batch of an error that BN's backward
# has centred. So we compare the **weight** gradients $\|\nabla_{W^l}C\|$, which in the sigmoid net vanish just like
# the bias gradients. Three random initialisations each.

# %%
kinds = {"sigmoid": dict(act="sigmoid"), "ReLU": dict(act="relu"), "sigmoid + BN": dict(act="sigmoid", bn=True)}
W_norms = {k: np.array([grad_norms(make_net(sizes, seed=s, **kw))[1] for s in range(3)]) for k, kw in kinds.items()}
spread = {}
for k, v in W_norms.items():
    spread[k] = float(np.mean(v.max(1) / v.min(1)))
    print(f"{k:13s} ‖∇W‖ per hidden layer (seed 0): {np.round(v[0], 4)}   largest/smallest (mean of 3 seeds): "
          f"{spread[k]:.1f}")

fig, ax = plt.subplots()
for k, v in W_norms.items():
    ax.plot(range(1, 5), v.mean(0), "o-", label=k)
ax.set_yscale("log"); ax.set_xticks(range(1, 5)); ax.set_xlabel("hidden layer")
ax.set_ylabel(r"$\|\nabla_{W^l} C\|$ (mean of 3 seeds)"); ax.legend(fontsize=7)

assert spread["sigmoid"] > 50                     # two orders of magnitude from layer 1 to layer 4
assert spread["ReLU"] < 10 and spread["sigmoid + BN"] < 3
assert spread["sigmoid"] > 10 * max(spread["ReLU"], spread["sigmoid + BN"])

# %% [markdown]
# **What you see.** With sigmoids the first hidden layer's gradient is about a hundred times smaller than the
# fourth's; with ReLU the four layers are within a small factor of each other, and with batch normalisation they are
# practically level. As the lecture says, the fundamental problem is that an early layer's gradient is a product
# of factors from *all* later layers; the remedies make those factors balanced by design instead of by chance.

# %% [markdown]
# ## Exercise 9.1 · Eq. (19) by hand, for any depth
#
# The lecture's chain has one sigmoid neuron per layer: $z_j = w_j a_{j-1} + b_j$, $a_j = \sigma(z_j)$, and here the
# cost is the last activation, $C = a_L$. Write $\partial C/\partial b_1$ as eq. (19) does — a product of local
# derivatives along the one path from $b_1$ to $C$ — for lists `w`, `b` of any length $L$ (the lecture's $L = 4$)
# and the input $a_0$. Run the forward pass first to get every $z_j$. `check_9_1` compares with `backward()` on
# chains of 3, 4 and 6 neurons.

# %%
def dC_db1(w, b, a0):
    """∂C/∂b_1 for a_j = σ(w_j a_{j−1} + b_j), j = 1…L, and C = a_L (w, b: arrays of length L)."""
    return None          # your code

check_9_1(dC_db1)

# %% [markdown]
# ## Exercise 9.2 · Pick a weight that balances the chain
#
# In the exploding-gradient chain above every $z_j = 0$: with $w = 0.5$ the gradient shrank 8 times per layer
# towards the input, with $w = 100$ it grew 25 times. Which weight $w > 0$ (the same in every layer, biases again
# chosen so that every $z_j = 0$) makes $|\partial C/\partial b_j|$ **equal in all layers** — the lecture's *balanced*
# gradients? Work it out from eq. (26); `check_9_2` builds a 6-layer chain with your $w$ and measures.

# %%
answer_9_2 = None        # your number
check_9_2(answer_9_2)
