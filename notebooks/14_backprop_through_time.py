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
# # 14 · Backpropagation through time
#
# A recurrent network reads a sequence one element at a time and carries a state from each step to the next:
#
# $$h_t = \tanh(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}).$$
#
# Unrolled over $T$ steps it is a $T$-layer network in which every layer has the **same** weights. Backpropagation
# through time (BPTT) is nothing new: it is backpropagation on that unrolled graph. Two things follow from the
# picture. The adjoint of a state $h_t$ collects a contribution from the loss at step $t$ *and* from $h_{t+1}$;
# and the gradient of a shared weight is the **sum** of its gradients at every step. Here a character-level
# language model learns to write English-like sentences, first with a plain RNN, then with an LSTM, and the
# unrolled graph shows why the plain RNN forgets quickly: its gradients vanish with the distance in time, exactly
# as they vanished with depth in notebook 09.

# %%
import os
# These arrays are small: one BLAS thread is faster than several, and much faster on a busy machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1"); os.environ.setdefault("OMP_NUM_THREADS", "1")
# %matplotlib inline
# %config InlineBackend.figure_format = "png"
import re
import time
import numpy as np
import matplotlib.pyplot as plt
import autograd, nn, optim
import nn.functional as F
from autograd import viz
from nn.data import make_sentences
from nn.data.text import GRAMMAR
from exercises.checks_14 import check_14_1, check_14_2, check_14_3   # self-checks for the exercises at the end

plt.rcParams.update({"figure.dpi": 70, "figure.figsize": (6, 3), "font.size": 9})
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## The text
#
# `nn.data.make_sentences` generates sentences from a small context-free grammar (nothing is downloaded, and the
# same seed always gives the same text): about forty words, noun phrases with adjectives, prepositional phrases and
# relative clauses, sentences joined by "and". We hold out the last tenth of the text to measure how well a model
# predicts characters it has not trained on.

# %%
text = make_sentences(5000)
chars = sorted(set(text))
V = len(chars)
stoi = {c: i for i, c in enumerate(chars)}
data = np.array([stoi[c] for c in text])
split = len(data) * 9 // 10
train_data, val_data = data[:split], data[split:]
WORDS = {w for alternatives in GRAMMAR.values() for alt in alternatives for w in alt if w.islower()} | {"an"}
print(f"{len(text):,} characters, {V} different ones: {''.join(chars)!r}; {len(WORDS)} words")
print(text[:300])
assert V < 32 and 200_000 < len(text) < 300_000

# %% [markdown]
# ## A character-level language model
#
# At every position the model reads a character and predicts the next one: an embedding turns each character into
# a vector $x_t$, the recurrent layer updates $h_t$, and a linear layer turns $h_t$ into $V$ logits. The loss is
# the cross-entropy of the next character, averaged over all positions. `nn.RNN` runs the whole loop over time
# in one call; passing its final state back in continues where it left off, which is what sampling does.

# %%
class CharModel(nn.Module):
    def __init__(self, cell="RNN", hidden=64, emb=16):
        super().__init__()
        self.embed = nn.Embedding(V, emb)
        self.rnn = getattr(nn, cell)(emb, hidden, batch_first=True)
        self.head = nn.Linear(hidden, V)

    def forward(self, x, state=None):
        out, state = self.rnn(self.embed(x), state)
        return self.head(out), state


def sample(model, prompt="The ", n=160, temperature=0.7, seed=0):
    """Continue ``prompt`` one character at a time, drawing each from softmax(logits / temperature)."""
    rng = np.random.default_rng(seed)
    out = prompt
    with autograd.no_grad():
        logits, state = model(autograd.tensor([[stoi[c] for c in prompt]]))
        for _ in range(n):
            p = F.softmax(logits[0, -1] / temperature, dim=-1).numpy().astype(np.float64)
            k = rng.choice(V, p=p / p.sum())
            out += chars[k]
            logits, state = model(autograd.tensor([[k]]), state)
    return out


def word_rate(s):
    """The fraction of the sample's complete words that are words of the grammar."""
    words = re.findall(r"[a-z]+", s.lower())[:-1]       # the last one may be cut off
    return np.mean([w in WORDS for w in words]) if words else 0.0

autograd.manual_seed(0)
rnn_model = CharModel("RNN")
before = sample(rnn_model)
print(before)
print(f"words of the grammar: {word_rate(before):.0%}")
assert word_rate(before) < 0.2

# %% [markdown]
# Untrained, every character is about equally likely: noise.
#
# ## The unrolled graph
#
# `nn.RNN` is the loop of one step, `nn.RNNCell`, over time. Written out as that loop, with each step inside a
# Module of its own (`autograd.graph_scope` tags the ops recorded inside it), the drawing shows the unrolled
# network: three copies of the same step for the three characters of `"The"`, each predicting the next character
# (`"he "`); time runs downwards. The parameters (left) are shared: each one has an edge into every step, and its
# adjoint (‖∂out/∂·‖, shown in every box after `backward()`) is the sum of what the three steps send back. The
# state $h_t$ leaves each step twice, to the step's prediction and to the next step; its adjoint adds the two.

# %%
class TimeStep(nn.Module):
    """A time step of the unrolled loop: holds nothing, it only groups that step's ops in the drawing."""


class Unrolled(nn.Module):
    """``CharModel`` with nn.RNN written as a Python loop over nn.RNNCell, one TimeStep per character."""

    def __init__(self, model, steps):
        super().__init__()
        self.embed, self.head = model.embed, model.head
        self.cell = nn.RNNCell(model.rnn.input_size, model.rnn.hidden_size)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):   # the same numbers as the layer's
            getattr(self.cell, name).data[...] = getattr(model.rnn, name + "_l0").data
        self.steps = nn.ModuleList([TimeStep() for _ in range(steps)])

    def forward(self, x, y):
        h = autograd.zeros(x.shape[0], self.cell.hidden_size)
        h.name, losses, self.states = "h0", [], []
        for t, step in enumerate(self.steps):
            with autograd.graph_scope(step):
                h = self.cell(self.embed(x[:, t]), h)
                h.name = f"h{t + 1}"
                h.retain_grad()              # to check the sum over steps below
                self.states.append(h)
                losses.append(F.cross_entropy(self.head(h), y[:, t]))
                losses[-1].name = f"loss{t + 1}"
        return autograd.stack(losses).mean()


x3, y3 = autograd.tensor([[stoi[c] for c in "The"]]), autograd.tensor([[stoi[c] for c in "he "]])
unrolled = Unrolled(rnn_model, 3)
loss3 = unrolled(x3, y3)
logits3, _ = rnn_model(x3)          # the layer gives the same loss as the loop
assert np.isclose(loss3.item(), F.cross_entropy(logits3[0], y3[0]).item(), rtol=1e-5)
loss3.backward()
viz.draw_graph(loss3, collapse_modules=False)

# %% [markdown]
# Reading the graph backwards is BPTT: the sweep starts at the loss, enters step 3, then step 2 (through the
# prediction at step 2 *and* through $h_2$'s edge into step 3), then step 1. Each step $t$ adds to the adjoint of
# the shared $W_{hh}$ its own term $\delta_t^\top h_{t-1}$, where $\delta_t = \bar h_t \odot (1 - h_t^2)$ is the
# adjoint of the step's pre-activation and $\bar h_t$ the state's adjoint (both of its uses added up). The
# engine's `cell.weight_hh.grad` is exactly the sum of the three terms (the first is zero: $h_0 = 0$).

# %%
hs = [h.detach().numpy() for h in unrolled.states]
deltas = [h.grad.numpy() * (1 - hv ** 2) for h, hv in zip(unrolled.states, hs)]
terms = [d.T @ h_prev for d, h_prev in zip(deltas, [np.zeros_like(hs[0])] + hs[:-1])]   # h_0 = 0
print("‖δ_t^T h_{t-1}‖ for t = 1, 2, 3:", np.array([np.linalg.norm(m) for m in terms]))
assert np.allclose(sum(terms), unrolled.cell.weight_hh.grad.numpy(), atol=1e-7)

# %% [markdown]
# ## Training
#
# We train on random windows of 32 characters, 32 windows per batch. The gradient of a window reaches back at most
# to its first character ("truncated BPTT": each window starts from a zero state). Adam, learning rate 0.01, 300
# steps.

# %%
def batch(source, rng, size=32, length=32):
    start = rng.integers(0, len(source) - length - 1, size)
    idx = start[:, None] + np.arange(length + 1)
    return autograd.tensor(source[idx[:, :-1]]), autograd.tensor(source[idx[:, 1:]])


def lm_loss(model, x, y):
    logits, _ = model(x)
    return F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))


def train(model, steps=300, lr=0.01, seed=1):
    opt = optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(steps):
        loss = lm_loss(model, *batch(train_data, rng))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def val_loss(model):
    with autograd.no_grad():
        return lm_loss(model, *batch(val_data, np.random.default_rng(123), size=256, length=64)).item()


t0 = time.perf_counter()
rnn_losses = train(rnn_model)              # the model sampled from above
print(f"RNN: {len(rnn_losses)} steps in {time.perf_counter() - t0:.1f} s; "
      f"validation loss {val_loss(rnn_model):.3f} nats per character (uniform guessing: ln {V} = {np.log(V):.2f})")
after = sample(rnn_model)
print(after)
print(f"words of the grammar: {word_rate(after):.0%}")
assert val_loss(rnn_model) < 0.7 and word_rate(after) > 0.9

# %% [markdown]
# After training the RNN spells the grammar's words, puts spaces between them and a capital after each full stop,
# and mostly strings the words in the grammar's order.
#
# ## An LSTM
#
# An LSTM adds a second state, the cell $c_t$, updated by gates (each a sigmoid of its own linear function of
# $x_t$ and $h_{t-1}$):
#
# $$c_t = f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh c_t .$$
#
# The forget gate $f_t$ decides how much of the cell to keep. Following Gers et al. (2000) and Jozefowicz et al.
# (2015) we start it open: a bias of 2 on the forget gate gives $f \approx \sigma(2) \approx 0.88$ at the start
# (torch, and pathgrad, initialise every bias uniformly around 0, i.e. $f \approx 0.5$). `nn.LSTM`'s gate order is
# $i, f, g, o$, so the forget gate's bias is the second quarter of `bias_ih_l0`.

# %%
def make_lstm(forget_bias=2.0, seed=0):
    autograd.manual_seed(seed)
    model = CharModel("LSTM")
    H = model.rnn.hidden_size
    model.rnn.bias_ih_l0.data[H:2 * H] = forget_bias
    model.rnn.bias_hh_l0.data[H:2 * H] = 0.0
    return model

t0 = time.perf_counter()
lstm_model = make_lstm()
lstm_losses = train(lstm_model)
print(f"LSTM: {len(lstm_losses)} steps in {time.perf_counter() - t0:.1f} s; validation loss {val_loss(lstm_model):.3f}")
lstm_text = sample(lstm_model)
print(lstm_text)
print(f"words of the grammar: {word_rate(lstm_text):.0%}")
assert val_loss(lstm_model) < 0.7 and word_rate(lstm_text) > 0.9

fig, ax = plt.subplots()
smooth = lambda v: np.convolve(v, np.ones(10) / 10, mode="valid")   # noqa: E731
ax.plot(smooth(rnn_losses), label="RNN"); ax.plot(smooth(lstm_losses), label="LSTM")
ax.set_xlabel("step"); ax.set_ylabel("training loss (nats/char)"); ax.set_ylim(0, 3.5); ax.legend()

# %% [markdown]
# On this text the two end up alike: predicting the next character needs the current word and the few before it,
# which both can remember. The difference is in what they *could* learn, and it shows in the gradients.
#
# ## Vanishing gradients through time
#
# Take a window of 60 characters and a loss at the **last** position only, $L = \ell(y_{60})$. How much does
# $L$ depend on the state $h_t$ at each earlier step? We run the layer one step at a time (passing the state on),
# keep every state's gradient with `retain_grad()`, and plot $\|\partial L/\partial h_t\|$ (mean over a batch of
# 32 windows) against $t$.
#
# This is notebook 09's measurement with time in place of depth. There, the gradient of an early layer was a
# product of one factor $w_j\sigma'(z_j)$ per later layer. Here, by the chain rule along the states,
#
# $$\frac{\partial L}{\partial h_t} = \frac{\partial L}{\partial h_T}\, J_T J_{T-1} \cdots J_{t+1}, \qquad
# J_k = \frac{\partial h_k}{\partial h_{k-1}} = \operatorname{diag}(1 - h_k^2)\, W_{hh},$$
#
# and since the same $W_{hh}$ appears in every factor, a matrix that shrinks vectors shrinks the gradient by about
# the same factor at every step: geometrically. At initialisation $W_{hh}\sim U(\pm 1/\sqrt{H})$ for $H$ hidden
# units has spectral radius about $1/\sqrt 3 \approx 0.58$, and $\tanh' \le 1$ only makes the factor smaller.
# The LSTM's cell has the additive update $c_t = f_t c_{t-1} + \dots$, so along the cell
# $\partial c_k/\partial c_{k-1} = \operatorname{diag}(f_k)$: no weight matrix and no squashing derivative, and
# with $f\approx 1$ almost no shrinking.

# %%
def state_grads(model, x, y):
    """‖∂L/∂h_t‖ for t = 1..T (mean over the batch), L = the loss at the last position only."""
    e = model.embed(x)
    state, hs = None, []
    for t in range(x.shape[1]):
        _, state = model.rnn(e[:, t:t + 1], state)
        h = state[0] if isinstance(state, tuple) else state      # LSTM: (h, c)
        h.retain_grad()
        hs.append(h)
    F.cross_entropy(model.head(hs[-1][0]), y[:, -1]).backward()
    model.zero_grad()
    return np.array([np.linalg.norm(h.grad.numpy()[0], axis=-1).mean() for h in hs])

x60, y60 = batch(val_data, np.random.default_rng(7), size=32, length=60)
autograd.manual_seed(0)
fresh_rnn = CharModel("RNN")
radius = np.abs(np.linalg.eigvals(fresh_rnn.rnn.weight_hh_l0.detach().numpy())).max()
print(f"spectral radius of W_hh at initialisation: {radius:.2f}")
assert 0.45 < radius < 0.7
grads = {"RNN, initial": state_grads(fresh_rnn, x60, y60),
         "LSTM, initial": state_grads(make_lstm(), x60, y60),
         "RNN, trained": state_grads(rnn_model, x60, y60),
         "LSTM, trained": state_grads(lstm_model, x60, y60)}

fig, axes = plt.subplots(1, 2, figsize=(8, 3), sharey=True)
for (name, g), ls in zip(grads.items(), ["-", "-", "--", "--"]):
    ax = axes[0] if "initial" in name else axes[1]
    ax.semilogy(np.arange(1, 61), g / g[-1], ls, label=name.split(",")[0])
for ax, title in zip(axes, ["at initialisation", "after training"]):
    ax.set_title(title); ax.set_xlabel("time step t"); ax.legend()
axes[0].set_ylabel(r"$\|\partial L/\partial h_t\|\;/\;\|\partial L/\partial h_{60}\|$")

per_step = {k: (g[0] / g[-1]) ** (1 / 59) for k, g in grads.items()}
for k, g in grads.items():
    print(f"{k:14s} ‖∂L/∂h_1‖ / ‖∂L/∂h_60‖ = {g[0] / g[-1]:.1e}   (a factor {per_step[k]:.2f} per step)")
assert grads["RNN, initial"][0] / grads["RNN, initial"][-1] < 1e-10       # vanished
assert grads["LSTM, initial"][0] / grads["LSTM, initial"][-1] > 1e-3      # carried back 59 steps
assert per_step["RNN, initial"] < 0.7 and per_step["LSTM, initial"] > 0.85
assert grads["LSTM, trained"][0] / grads["LSTM, trained"][-1] > 1e3 * grads["RNN, trained"][0] / grads[
    "RNN, trained"][-1]

# %% [markdown]
# **What you see.** At initialisation the plain RNN's gradient shrinks by a constant factor per step, about the
# spectral radius of $W_{hh}$ — a straight line on the log scale, more than ten orders of magnitude over 59 steps —
# while the LSTM's loses a couple: the loss at step 60 still sends a useful gradient to step 1. Nothing the RNN saw
# 30 characters ago can be learnt from, whatever it was.
#
# After training both decay, and that too is a lesson: the forget gates are *learnt*. On this text nothing beyond
# a few words helps to predict the next character, and training closes some of the LSTM's forget gates. We compute
# $f_t = \sigma(x_t W_{if}^\top + b_{if} + h_{t-1} W_{hf}^\top + b_{hf})$ from the layer's weights and states
# (the forget gate is the second quarter of the weight and bias rows) on the same 32 windows.

# %%
def forget_gates(model, x):
    """The LSTM's forget gate f_t at every step and unit, for the windows x."""
    lstm, H = model.rnn, model.rnn.hidden_size
    with autograd.no_grad():
        e = model.embed(x)
        h = lstm(e)[0].numpy()
    h_prev = np.concatenate([np.zeros_like(h[:, :1]), h[:, :-1]], axis=1)      # h_0 = 0
    rows = slice(H, 2 * H)
    W_if, W_hf = lstm.weight_ih_l0.detach().numpy()[rows], lstm.weight_hh_l0.detach().numpy()[rows]
    b_f = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy()[rows]
    return 1 / (1 + np.exp(-(e.numpy() @ W_if.T + h_prev @ W_hf.T + b_f)))

f_initial, f_trained = forget_gates(make_lstm(), x60), forget_gates(lstm_model, x60)
print(f"mean forget gate: initial {f_initial.mean():.2f}, trained {f_trained.mean():.2f}; "
      f"below 0.5: initial {(f_initial < 0.5).mean():.0%}, trained {(f_trained < 0.5).mean():.0%}")
assert f_trained.mean() < f_initial.mean() - 0.05

# %% [markdown]
# Still the trained LSTM's gradient reaches back many orders of magnitude further than the RNN's. The LSTM does not
# force long memory, it makes long memory *learnable* — as ReLU and batch normalisation made deep networks trainable
# in notebook 09, by keeping the factors of the product near 1 by design rather than by chance.
#
# (The opposite failure, exploding gradients, has the same cause, a factor above 1 per step; the usual remedy in
# recurrent networks is to clip the gradient's norm, `nn.utils.clip_grad_norm_`, before each optimiser step.)

# %% [markdown]
# ## Exercise 14.1 · BPTT by hand: the adjoints of the states
#
# A scalar RNN, $h_t = \tanh(w\,h_{t-1} + u\,x_t)$ for $t = 1..T$ from a given $h_0$, with the loss $L = h_T$.
# Write `state_adjoints(w, u, xs, h0)` that returns the list $[\partial L/\partial h_0, \dots,
# \partial L/\partial h_T]$ with NumPy: run the forward loop, keep the states, then sweep backwards. `check_14_1`
# compares with `backward()` on random sequences.

# %%
def state_adjoints(w, u, xs, h0):
    """[∂L/∂h_0, ..., ∂L/∂h_T] for h_t = tanh(w·h_{t−1} + u·x_t), L = h_T."""
    return None          # your code

check_14_1(state_adjoints)

# %% [markdown]
# ## Exercise 14.2 · The gradient of a shared weight
#
# Same RNN and loss. The weight $w$ is used at every step, so $\partial L/\partial w$ has one term per step.
# Write `weight_grad(w, u, xs, h0)` returning $\partial L/\partial w$ (a number).

# %%
def weight_grad(w, u, xs, h0):
    """∂L/∂w for h_t = tanh(w·h_{t−1} + u·x_t), L = h_T."""
    return None          # your code

check_14_2(weight_grad)

# %% [markdown]
# ## Exercise 14.3 · How open must the forget gate be?
#
# Along the LSTM's cell, with the forget gate's other inputs at zero, each step multiplies the gradient by
# $\sigma(b)$, $b$ the forget gate's bias. Find the **smallest** bias $b$ (to two decimals) for which the gradient
# that reaches back 50 steps keeps at least half its size, $\partial c_{50}/\partial c_0 \ge 1/2$. `check_14_3`
# runs the 50 steps with autograd.

# %%
forget_bias = None       # your number

check_14_3(forget_bias)
