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
# # 4 · An MLP on moons: first one number at a time, then in tensors
#
# The previous notebooks computed gradients of tiny expressions. A neural network is just a bigger expression.
# Here we build a multi-layer perceptron the way Karpathy's *micrograd* does: every weight, every input and every
# intermediate result is a **single number** (a 0-d tensor), and a neuron is literally
# $\tanh\big(\sum_i w_i x_i + b\big)$ written with `+` and `*`. Then we write the same network with weight
# matrices — the column-matrix form of lecture **001** — and see that it computes the same thing, much faster.

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
import random, time
from exercises.checks_04 import check_4_1, check_4_2   # self-checks for the exercises at the end

# %% [markdown]
# ## The data
#
# `nn.data.make_moons` draws two interleaving half circles (as scikit-learn's `make_moons`). The labels are
# mapped to $y \in \{-1, +1\}$ for a max-margin (hinge) loss, as in micrograd's demo.

# %%
X, y01 = nn.data.make_moons(100, noise=0.1, random_state=1)
y = 2 * y01 - 1                                           # {0, 1} -> {-1, +1}
plt.figure(figsize=(3.6, 2.8))
plt.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=14, edgecolors="k", linewidths=0.3)
plt.title("make_moons(100, noise=0.1)"); plt.show()

# %% [markdown]
# ## Neurons, layers, MLP — out of scalars
#
# Every parameter is its own `autograd.tensor(number, requires_grad=True)`. The forward pass builds one graph
# node per multiplication and addition.

# %%
random.seed(0)

def scalar(v, grad=False):
    return autograd.tensor(float(v), dtype=autograd.float64, requires_grad=grad)

class Neuron:
    def __init__(self, n_in, nonlin=True):
        self.w = [scalar(random.uniform(-1, 1), True) for _ in range(n_in)]
        self.b = scalar(0.0, True)
        self.nonlin = nonlin
    def __call__(self, xs):
        act = self.b
        for wi, xi in zip(self.w, xs):
            act = act + wi * xi
        return act.tanh() if self.nonlin else act
    def parameters(self):
        return self.w + [self.b]

class Layer:
    def __init__(self, n_in, n_out, **kw):
        self.neurons = [Neuron(n_in, **kw) for _ in range(n_out)]
    def __call__(self, xs):
        out = [n(xs) for n in self.neurons]
        return out[0] if len(out) == 1 else out
    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

class MLP:
    def __init__(self, n_in, widths):
        sizes = [n_in] + widths
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(widths) - 1) for i in range(len(widths))]
    def __call__(self, xs):
        for layer in self.layers:
            xs = layer(xs)
        return xs
    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

model = MLP(2, [8, 8, 1])
print(len(model.parameters()), "parameters, each its own scalar tensor")

# %% [markdown]
# One neuron applied to one point is already a graph of a dozen nodes; `draw_graph` shows it (top to bottom) with
# every local derivative on its edge and, after `out.backward()`, every node's adjoint. Look at the weights: each
# one's adjoint is its input times $\tanh' = 1 - \mathrm{out}^2$, the factor every path from a weight to the
# output passes through.

# %%
n0 = model.layers[0].neurons[0]
for i, wi in enumerate(n0.w): wi.name = f"w{i}"
n0.b.name = "b"
x0, x1 = scalar(X[0, 0]), scalar(X[0, 1])
out = n0([x0, x1])
out.backward()
assert np.isclose(n0.w[0].grad.item(), x0.item() * (1 - out.item() ** 2))
viz.draw_graph(out, names={"x0": x0, "x1": x1}, rankdir="TB")     # the weights and b have their .name

# %% [markdown]
# ## Training: hinge loss + L2, mini-batch SGD
#
# The loss is micrograd's: $\frac1B\sum \max(0, 1 - y_i\, \hat y_i) + \alpha \lVert\theta\rVert^2$ (the
# regularisation term of lecture 000). Each step samples a mini-batch of 20 points (lecture 000's compromise
# between GD and SGD), builds the graph, runs `backward()` and moves every scalar parameter by hand.

# %%
params = model.parameters()

def batch_loss(idx):
    scores = [model([scalar(X[i, 0]), scalar(X[i, 1])]) for i in idx]
    data = sum(((1 - float(y[i]) * s).relu() for i, s in zip(idx, scores)), scalar(0.0)) * (1.0 / len(idx))
    reg = 1e-4 * sum((p * p for p in params), scalar(0.0))
    acc = np.mean([(s.item() > 0) == (y[i] > 0) for i, s in zip(idx, scores)])
    return data + reg, acc

rng = np.random.default_rng(0)
t0 = time.perf_counter()
history = []
steps = 60
for k in range(steps):
    idx = rng.choice(len(X), size=20, replace=False)
    loss, acc = batch_loss(idx)
    for p in params:
        p.grad = None
    loss.backward()
    lr = 1.0 - 0.9 * k / steps                               # learning-rate decay, as in micrograd's demo
    with autograd.no_grad():
        for p in params:
            p -= lr * p.grad
    history.append(loss.item())
print(f"{steps} steps in {time.perf_counter() - t0:.1f} s; last loss {history[-1]:.3f}")
print("graph size of one full-data forward pass:", viz.path_stats(batch_loss(range(len(X)))[0]).ops, "ops")


# %% [markdown]
# ## The same network in tensors
#
# A layer of scalar neurons is a matrix–vector product: stacking neuron $j$'s weights as column $j$ of $W$ gives
# $\vec v_{\ell} = \tanh(W^T \vec v_{\ell-1} + \vec b)$ (lecture 001's "vectorised form"). Copy the trained scalar
# weights into matrices and evaluate **all points at once** — the outputs agree to the last bit of float64
# rounding, with two graph nodes per layer instead of hundreds.

# %%
def as_matrices(mlp):
    Ws = [autograd.tensor([[w.item() for w in n.w] for n in layer.neurons], dtype=autograd.float64).T
          for layer in mlp.layers]
    bs = [autograd.tensor([n.b.item() for n in layer.neurons], dtype=autograd.float64) for layer in mlp.layers]
    return Ws, bs

def tensor_forward(Ws, bs, Xt):
    h = Xt
    for i, (W, b) in enumerate(zip(Ws, bs)):
        h = h @ W + b
        if i < len(Ws) - 1:
            h = h.tanh()
    return h.reshape(-1)

Ws, bs = as_matrices(model)
Xt = autograd.tensor(X, dtype=autograd.float64)
scores_tensor = tensor_forward(Ws, bs, Xt).numpy()
scores_scalar = np.array([model([scalar(a), scalar(b)]).item() for a, b in X])
print("max |scalar graph - tensor graph| =", np.abs(scores_tensor - scores_scalar).max())
assert np.allclose(scores_tensor, scores_scalar, atol=1e-12)
acc_scalar = np.mean((scores_tensor > 0) == (y > 0))
print(f"training accuracy of the scalar-graph MLP: {acc_scalar:.2f}")
assert acc_scalar >= 0.85


# %% [markdown]
# ## Decision boundary
#
# The tensor form makes it cheap to evaluate the network on a grid of 10,000 points and colour the plane by the
# sign of its score.

# %%
def plot_boundary(score_fn, title, ax):
    gx, gy = np.meshgrid(np.linspace(-1.6, 2.6, 100), np.linspace(-1.1, 1.6, 100))
    grid = np.c_[gx.ravel(), gy.ravel()]
    Z = score_fn(grid).reshape(gx.shape)
    ax.contourf(gx, gy, Z > 0, cmap="coolwarm", alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12, edgecolors="k", linewidths=0.3)
    ax.set_title(title, fontsize=9)

fig, ax = plt.subplots(figsize=(3.8, 2.8))
plot_boundary(lambda G: tensor_forward(Ws, bs, autograd.tensor(G, dtype=autograd.float64)).numpy(),
              f"scalar-graph MLP, {steps} SGD steps (acc {acc_scalar:.2f})", ax)
plt.show()

# %% [markdown]
# ## The same network in `nn`, and its graph
#
# The same architecture from `nn.Linear` and `nn.Tanh` layers. Below is the graph of the untrained network's loss
# on the whole data set, top to bottom. A model's graph is drawn one box per layer of the `nn.Sequential`, with
# the shape of what flows between layers and the norm of its adjoint on each edge; `expand=["0"]` opens the first
# layer. Look inside it: the 16 weights and 8 biases that were separate scalar tensors above are two tensors,
# `0.weight` of shape (8, 2) and `0.bias`, and the whole layer is one `linear` op — which is why this graph has a
# handful of nodes where the scalar graph of the same forward pass had thousands.

# %%
autograd.manual_seed(0)
net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1))
Xf, yf = autograd.tensor(X), autograd.tensor(y, dtype=autograd.float32)
scores = net(Xf).reshape(-1)
hinge = (1 - yf * scores).relu()
loss = hinge.mean()
loss.backward()
viz.draw_graph(loss, names=locals(), expand=["0"], rankdir="TB")

# %% [markdown]
# ## Training in tensors with `nn` and `optim`
#
# The `nn` network, trained full-batch with Adam. Every step now costs a handful of matrix operations, so 500 steps
# take less time than the scalar graph's 60 did.

# %%
opt = optim.Adam(net.parameters(), lr=0.02)
t0 = time.perf_counter()
for k in range(500):
    scores = net(Xf).reshape(-1)
    loss = (1 - yf * scores).relu().mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
with autograd.no_grad():
    acc_tensor = ((net(Xf).reshape(-1) > 0).numpy() == (y > 0)).mean()
print(f"500 Adam steps in {time.perf_counter() - t0:.1f} s; training accuracy {acc_tensor:.2f}")
assert acc_tensor >= 0.97

def net_scores(G):
    with autograd.no_grad():
        return net(autograd.tensor(G)).numpy().ravel()

fig, axes = plt.subplots(1, 2, figsize=(7, 2.7))
plot_boundary(lambda G: tensor_forward(Ws, bs, autograd.tensor(G, dtype=autograd.float64)).numpy(),
              f"scalar graph (acc {acc_scalar:.2f})", axes[0])
plot_boundary(net_scores, f"nn.Sequential + Adam (acc {acc_tensor:.2f})", axes[1])
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Exercise 4.1 · Count the parameters
#
# The scalar MLP above printed its number of parameters. Derive the count for any architecture: write
# `n_params(n_in, widths)` for `MLP(n_in, widths)` — a `Neuron(n_in)` holds `n_in` weights and a bias — without
# building the model. `check_4_1` tries it on several architectures, among them lecture 004's
# $[784, 30, 30, 30, 30, 10]$ network.

# %%
def n_params(n_in, widths):
    """The number of scalar parameters of MLP(n_in, widths)."""
    return None          # your formula

check_4_1(n_params)

# %% [markdown]
# ## Exercise 4.2 · The hinge loss's gradient by hand
#
# Training above used the mean hinge loss $\frac1B \sum_i \max(0, 1 - y_i s_i)$ over scores $s_i$ with labels
# $y_i \in \{-1, +1\}$. Derive its gradient with respect to each score and write it with NumPy:
# `hinge_grad(scores, y)` returns an array like `scores`. Mind the points already classified with a margin.
# `check_4_2` compares your formula with what `backward()` puts in `scores.grad`.

# %%
def hinge_grad(scores, y):
    """∂/∂scores of mean(max(0, 1 - y * scores)), as a NumPy array."""
    return None          # your formula

check_4_2(hinge_grad)
