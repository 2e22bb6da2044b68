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
# # 15 · A one-layer Transformer
#
# Notebook 14's recurrent networks pass everything through a chain of states, and a gradient from the end of a
# sequence to its start crosses every link of the chain. **Self-attention** connects every position to every other
# one directly. Each position $i$ forms a query $q_i$, a key $k_i$ and a value $v_i$ (three linear maps of its
# vector $x_i$), and its output is an average of all the values, weighted by how well its query matches each key:
#
# $$\text{out}_i = \sum_j a_{ij} v_j, \qquad a_{ij} = \operatorname{softmax}_j\Big(\frac{q_i\cdot k_j}{\sqrt d}\Big).$$
#
# The weights $a_{ij}$ are computed, not learnt: they depend on the input. Here one Transformer encoder layer
# (`nn.TransformerEncoderLayer`: self-attention, then a small MLP at each position, each with a residual connection
# and layer normalisation) learns to **reverse** sequences of digits, and its attention weights show how.

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
from exercises.checks_15 import check_15_1, check_15_2, check_15_3   # self-checks for the exercises at the end

plt.rcParams.update({"figure.dpi": 70, "figure.figsize": (6, 3), "font.size": 9})
np.set_printoptions(precision=2, suppress=True)

# %% [markdown]
# ## The task
#
# Input: 10 random digits. Target: the same digits in reverse order, one prediction per position. Every batch is
# freshly drawn, so the model cannot memorise; 1,000 sequences drawn once from another generator measure it.

# %%
LENGTH, DIGITS = 10, 10

def reversal_batch(rng, size):
    x = rng.integers(0, DIGITS, (size, LENGTH))
    return x, x[:, ::-1].copy()

test_x, test_y = reversal_batch(np.random.default_rng(2024), 1000)
print("input: ", test_x[0]); print("target:", test_y[0])

# %% [markdown]
# ## The model, and why it needs positions
#
# Each digit becomes a vector of `d_model` = 32 numbers (an `nn.Embedding`), the encoder layer with one attention
# head mixes the positions, and a linear layer turns each position's vector into 10 logits. Attention alone does not
# know where a vector sits: permute the input positions and the output is permuted the same way (the sums over $j$
# do not care about order). Reversal is all about order, so each position also adds a learnt vector of its own,
# a *positional embedding*.

# %%
class Reverser(nn.Module):
    def __init__(self, d_model=32, nhead=1, positions=True):
        super().__init__()
        self.embed = nn.Embedding(DIGITS, d_model)
        self.pos = nn.Embedding(LENGTH, d_model) if positions else None
        self.encoder = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2 * d_model, dropout=0.0,
                                                  batch_first=True)
        self.head = nn.Linear(d_model, DIGITS)

    def inputs(self, x):
        """What the encoder layer reads: digit embeddings, plus position embeddings."""
        h = self.embed(autograd.tensor(x))
        return h if self.pos is None else h + self.pos(autograd.arange(x.shape[1]))

    def forward(self, x):
        return self.head(self.encoder(self.inputs(x)))


autograd.manual_seed(0)
no_positions = Reverser(positions=False)
perm = np.random.default_rng(0).permutation(LENGTH)
with autograd.no_grad():
    out = no_positions(test_x[:4]).numpy()
    out_of_permuted = no_positions(test_x[:4, perm]).numpy()
gap = np.abs(out_of_permuted - out[:, perm]).max()
print(f"without positions: |model(x permuted) − model(x) permuted| ≤ {gap:.0e}")
assert gap < 1e-5                        # equivariant: the order of the input is invisible

autograd.manual_seed(0)
model = Reverser()
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")

# %% [markdown]
# ## Training
#
# Cross-entropy over all positions, Adam with learning rate 0.003, batches of 64 sequences, 300 steps.

# %%
def accuracy(model, x, y):
    with autograd.no_grad():
        pred = model(x).argmax(-1).numpy()
    return (pred == y).mean(), (pred == y).all(axis=1).mean()

t0 = time.perf_counter()
opt = optim.Adam(model.parameters(), lr=0.003)
rng = np.random.default_rng(1)
losses, test_acc = [], []
for step in range(300):
    x, y = reversal_batch(rng, 64)
    loss = F.cross_entropy(model(x).reshape(-1, DIGITS), autograd.tensor(y).reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
    if step % 10 == 0:
        test_acc.append(accuracy(model, test_x, test_y)[0])
digit_acc, sequence_acc = accuracy(model, test_x, test_y)
print(f"{len(losses)} steps in {time.perf_counter() - t0:.1f} s; test: {digit_acc:.1%} of digits, "
      f"{sequence_acc:.1%} of whole sequences right")
assert digit_acc > 0.99 and sequence_acc > 0.95

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 2.8))
ax1.semilogy(losses); ax1.set_xlabel("step"); ax1.set_ylabel("training loss")
ax2.plot(np.arange(0, len(losses), 10), test_acc); ax2.set_xlabel("step"); ax2.set_ylabel("test accuracy (digits)")

# %% [markdown]
# A few test sequences and the model's answers:

# %%
with autograd.no_grad():
    pred = model(test_x[:5]).argmax(-1).numpy()
for x, p, y in zip(test_x[:5], pred, test_y[:5]):
    print(" ".join(map(str, x)), "→", " ".join(map(str, p)), "✓" if (p == y).all() else "✗")

# %% [markdown]
# ## The attention weights
#
# `nn.MultiheadAttention` returns the weights $a_{ij}$ with `need_weights=True` (the encoder layer asks for none, so
# we call its attention module on the same inputs). With one head they are the softmax of the scaled dot products
# of queries and keys, which the projection `in_proj_weight` (queries, keys and values stacked, $3d\times d$)
# computes; we check that by hand. To output digit $L-1-i$ at position $i$, the position must look at position
# $L-1-i$: the weights should lie on the **anti-diagonal**.

# %%
with autograd.no_grad():
    h = model.inputs(test_x)
    _, weights = model.encoder.self_attn(h, h, h, need_weights=True)
weights = weights.numpy()

d = model.encoder.self_attn.embed_dim
W, b = model.encoder.self_attn.in_proj_weight.detach().numpy(), model.encoder.self_attn.in_proj_bias.detach().numpy()
q, k = h.numpy() @ W[:d].T + b[:d], h.numpy() @ W[d:2 * d].T + b[d:2 * d]
scores = q @ k.transpose(0, 2, 1) / np.sqrt(d)
by_hand = np.exp(scores - scores.max(-1, keepdims=True))
by_hand /= by_hand.sum(-1, keepdims=True)
assert np.allclose(by_hand, weights, atol=1e-5)

fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
im = axes[0].imshow(weights[0], cmap="viridis", vmin=0, vmax=1)
axes[0].set_xticks(range(LENGTH), [str(v) for v in test_x[0]])
axes[0].set_yticks(range(LENGTH), [str(v) for v in pred[0]])
axes[0].set_xlabel("input digit (key position j)"); axes[0].set_ylabel("output digit (query position i)")
axes[0].set_title("one test sequence")
axes[1].imshow(weights.mean(0), cmap="viridis", vmin=0, vmax=1)
axes[1].set_xlabel("key position j"); axes[1].set_ylabel("query position i")
axes[1].set_title("mean over 1,000 test sequences")
fig.colorbar(im, ax=axes, shrink=0.8, label="attention weight $a_{ij}$")

anti = weights[:, np.arange(LENGTH), LENGTH - 1 - np.arange(LENGTH)]
print(f"weight on the anti-diagonal: mean {anti.mean():.3f}, smallest {anti.min():.3f}")
assert anti.mean() > 0.9

# %% [markdown]
# **What you see.** Each output position puts almost all of its weight on the mirror position: the learnt queries
# and keys have turned positions into an address, "position $i$ looks for position $L-1-i$", the same for every
# sequence (right). The digits themselves travel through the values: attention *routes* them. In the backward pass
# the same weights route the gradient: $\partial\,\text{out}_i/\partial v_j = a_{ij}$, so every input is one step
# away from every output, however long the sequence — the path that in notebook 14's RNN was as long as the
# distance in time.
#
# With `need_weights=True` and `average_attn_weights=False` a layer with several heads returns one such map per
# head; `nn.Transformer.generate_square_subsequent_mask` builds the mask that a decoder uses so that a position
# cannot attend to later ones (exercise 15.2).

# %% [markdown]
# ## Exercise 15.1 · Attention weights with several heads
#
# With `num_heads` = $h$ heads, `nn.MultiheadAttention` splits the queries and keys of size $d$ into $h$ parts of
# size $d/h$, computes one softmax of scaled dot products per head (scaled by $1/\sqrt{d/h}$), and by default
# returns the mean of the $h$ weight maps. Write `attention_weights(x, in_proj_weight, in_proj_bias, num_heads)`
# for one unbatched sequence `x` of shape $(L, d)$, with NumPy; `check_15_1` compares with the formula on random
# inputs.

# %%
def attention_weights(x, in_proj_weight, in_proj_bias, num_heads):
    """(L, L): the attention weights averaged over the heads."""
    return None          # your code

check_15_1(attention_weights)

# %% [markdown]
# ## Exercise 15.2 · A causal mask
#
# A decoder predicts position $i$ from positions $\le i$ only. Write `causal_mask(n)` returning the boolean
# `attn_mask` of shape $(n, n)$ for `nn.MultiheadAttention` that stops every position from attending to later ones.
# Careful: for `nn.MultiheadAttention` a `True` means *may not attend*.

# %%
def causal_mask(n):
    """(n, n) bool: True where query position i may not attend to key position j."""
    return None          # your code

check_15_2(causal_mask)

# %% [markdown]
# ## Exercise 15.3 · Sinusoidal positions
#
# Instead of learnt position vectors, the original Transformer (Vaswani et al., 2017) adds fixed ones:
# $PE_{p,2i} = \sin(p / 10000^{2i/d})$ and $PE_{p,2i+1} = \cos(p / 10000^{2i/d})$ for position $p$ and
# $i = 0, \dots, d/2-1$. Write `sinusoidal(n_positions, d_model)` returning the $(n, d)$ array.

# %%
def sinusoidal(n_positions, d_model):
    """(n_positions, d_model): sin in the even columns, cos in the odd ones."""
    return None          # your code

check_15_3(sinusoidal)
