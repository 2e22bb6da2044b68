"""Build notebooks 08–13 (CNN backprop … forward vs reverse mode) and execute them with their outputs.

    .venv/bin/python notebooks/build_8_13.py            # build and execute all six
    .venv/bin/python notebooks/build_8_13.py 09 12      # only those whose names start with 09 or 12
    .venv/bin/python notebooks/build_8_13.py --no-execute

Each notebook is a list of markdown and code cells written below; it is executed by nbclient in a fresh
``python3`` kernel (the one of the interpreter running this script) from the ``notebooks/`` folder and saved with
its outputs, so that it renders on GitHub. Every notebook asserts the claims it makes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from textwrap import dedent

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(dedent(text).strip())


def code(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(dedent(text).strip())


SETUP = code("""
    import os
    # These arrays are small: one BLAS thread is faster than several, and much faster on a busy machine.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1"); os.environ.setdefault("OMP_NUM_THREADS", "1")
    %matplotlib inline
    %config InlineBackend.figure_format = "png"
    import time
    import numpy as np
    import matplotlib.pyplot as plt
    import autograd, nn, optim
    import nn.functional as F
    from nn.data import load_digits

    plt.rcParams.update({"figure.dpi": 70, "figure.figsize": (6, 3), "font.size": 9})
    np.set_printoptions(precision=4, suppress=True)
""")

# ---------------------------------------------------------------------------------------------------------------------
NB08 = [
    md("""
    # 8 · Backpropagation through a convolution: the 180°-rotated filter

    Lecture 004 (Schönhuth, *CNN backprop*) derives the error of layer $l$ of a convolutional network from the
    error of layer $l+1$. With one channel per layer and an $M\\times M$ filter,

    $$z^{l+1}_{x,y} = \\sum_a\\sum_b w^{l+1}_{ab}\\,\\sigma(z^l_{x-a,\\,y-b}) + b^{l+1} \\qquad (2)$$

    and the chain rule, with every term where $x \\ne x'-a$ or $y\\ne y'-b$ vanishing, gives

    $$\\delta^l_{x,y} = \\sum_{x'}\\sum_{y'} \\delta^{l+1}_{x',y'}\\, w^{l+1}_{x'-x,\\,y'-y}\\, \\sigma'(z^l_{x,y}) \\qquad (7)$$

    — *a convolution in its own right*, with the filter **rotated by 180°** (8). This notebook checks (7) and the
    rotation identity against pathgrad's autograd, then trains a small CNN on the bundled 8×8 digits.
    """),
    SETUP,
    md("""
    ## Equation (7), literally

    We write eq. (2) and eq. (7) as plain loops over pixels (float64, an 8×8 layer and a 3×3 filter), and let
    autograd differentiate the same forward pass. The cost is $C = \\sum_{x',y'} G_{x',y'} z^{l+1}_{x',y'}$ for a
    random $G$, so $\\delta^{l+1} = G$ is an arbitrary upstream error.
    """),
    code("""
    rng = np.random.default_rng(0)
    H, M = 8, 3                       # layer size, filter size
    z_l = rng.normal(size=(H, H))     # pre-activations z^l
    w = rng.normal(size=(M, M))       # the filter w^{l+1}
    G = rng.normal(size=(H - M + 1, H - M + 1))   # δ^{l+1} = ∂C/∂z^{l+1}
    sig = lambda z: 1 / (1 + np.exp(-z))

    def eq2(act, w):
        \"\"\"z^{l+1}_{x',y'} = Σ_ab w_ab σ(z^l)_{x'-a, y'-b}  (a true convolution; 'valid' outputs x' = M-1 … H-1).\"\"\"
        out = np.zeros((H - M + 1, H - M + 1))
        for xp in range(M - 1, H):
            for yp in range(M - 1, H):
                out[xp - M + 1, yp - M + 1] = sum(w[a, b] * act[xp - a, yp - b] for a in range(M) for b in range(M))
        return out

    def eq7(delta_next, w, z):
        \"\"\"δ^l_{x,y} = Σ_{x',y'} δ^{l+1}_{x',y'} w_{x'-x, y'-y} σ'(z_{x,y}).\"\"\"
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
    """),
    md("""
    ## The identity: backward = the forward operation with the filter rotated by 180°

    Eq. (7) pairs $\\delta^{l+1}_{x'}$ with $w_{x'-x}$: filter and error run *in the same direction*, a
    cross-correlation, while the forward (2) ran them in opposite directions, a convolution. Swapping one for the
    other is exactly a 180° rotation of the filter. In a deep-learning library, where `conv2d` is the
    cross-correlation, the identity reads

    $$\\bar x = \\mathrm{conv2d}\\big(\\bar y,\\ \\mathrm{rot}_{180}(w),\\ \\text{padding}=M-1\\big)$$

    (a *full* convolution: $\\bar y$ is zero-padded so that every input pixel collects every filter tap it touched).
    With several channels the filter bank is also transposed: input and output channels swap roles.
    """),
    code("""
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
    """),
    code("""
    fig, ax = plt.subplots(1, 4, figsize=(8, 2.2))
    for a, img, title in zip(ax, [w, rot180(w), G, delta_autograd],
                             ["filter w", "rot180(w)", "δ$^{l+1}$ (6×6)", "δ$^{l}$ (8×8)"]):
        a.imshow(img, cmap="RdBu_r"); a.set_title(title); a.set_xticks([]); a.set_yticks([])
    plt.tight_layout()
    """),
    md("""
    ## A CNN on the digits

    Autograd applies the identity for us in every `Conv2d` layer. Two conv–ReLU–max-pool blocks and a linear layer,
    trained with Adam on 1,300 of the 1,797 digits and tested on the other 497.
    """),
    code("""
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
    """),
    code("""
    fig, ax = plt.subplots(1, 2, figsize=(8, 2.5))
    ax[0].plot(losses); ax[0].set_xlabel("step"); ax[0].set_ylabel("cross-entropy"); ax[0].set_yscale("log")
    ax[1].plot(range(1, len(accs) + 1), accs, "o-"); ax[1].set_xlabel("epoch"); ax[1].set_ylabel("test accuracy")
    plt.tight_layout()

    k = cnn[0].weight.detach().numpy()[:, 0]
    fig, ax = plt.subplots(1, 8, figsize=(8, 1.2))
    for a, f in zip(ax, k):
        a.imshow(f, cmap="RdBu_r"); a.axis("off")
    _ = fig.suptitle("the eight learnt 3×3 filters of the first layer", y=1.05)
    """),
    md("""
    **What you see.** The loss falls by more than an order of magnitude within a few epochs and the test accuracy
    passes 90%. Every gradient that reached the first layer's filters went through the rotated-filter convolution
    verified above (and through max-pooling, which routes each error to the arg-max of its window).
    """),
]

# ---------------------------------------------------------------------------------------------------------------------
NB09 = [
    md("""
    # 9 · Vanishing and exploding gradients

    Lecture 004 measures how fast each layer learns by the norm of the cost's gradient with respect to the layer's
    biases, $\\|\\nabla_{b^l} C\\|$. For sigmoid networks on MNIST it finds, *at initialisation*,

    | network | $\\|\\nabla_{b^1}C\\|$ | $\\|\\nabla_{b^2}C\\|$ | $\\|\\nabla_{b^3}C\\|$ | $\\|\\nabla_{b^4}C\\|$ |
    |---|---|---|---|---|
    | [784,30,30,10] | 0.07 | 0.31 | | |
    | [784,30,30,30,10] | 0.012 | 0.06 | 0.283 | |
    | [784,30,30,30,30,10] | 0.003 | 0.017 | 0.07 | 0.285 |

    — *neurons in earlier layers learn more slowly*. Here we repeat the measurement on the bundled 8×8 digits, with
    64 inputs instead of 784, and then try the lecture's two remedies: ReLU units and batch normalisation.
    """),
    SETUP,
    md("""
    ## The lecture's set-up

    As in the lecture's source (Nielsen, *Neural Networks and Deep Learning*, ch. 5): sigmoid units everywhere,
    weights $\\sim N(0, 1/n_\\text{in})$, biases $\\sim N(0,1)$, the cross-entropy cost
    $C = -\\frac1n\\sum_x\\sum_j [y_j\\ln a_j + (1-y_j)\\ln(1-a_j)]$, and the gradient over 1,000 training images.
    """),
    code("""
    X, y = load_digits()
    X = X / 16.0
    idx = np.random.default_rng(0).permutation(len(X))[:1000]
    X1000, Y1000 = X[idx], np.eye(10, dtype=np.float32)[y[idx]]

    def make_net(sizes, act="sigmoid", bn=False, seed=0):
        \"\"\"A fully connected net. act='relu' uses He init N(0, 2/n_in); bn=True puts BatchNorm1d before every hidden
        activation (the Linear layer then has no bias: BN's β takes its place).\"\"\"
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

    def cost(net, X, Y):
        return F.binary_cross_entropy_with_logits(net(autograd.tensor(X)), autograd.tensor(Y), reduction="sum") / len(X)

    def grad_norms(net, X=X1000, Y=Y1000):
        \"\"\"‖∇_b C‖ and ‖∇_W C‖ for every hidden layer.\"\"\"
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
    """),
    md("""
    The same pattern as the lecture's MNIST figures, even the same magnitudes: each layer's bias gradient is
    roughly **4–7 times smaller** than the next one's, so in the [64,30,30,30,30,10] net the first hidden layer
    learns more than a hundred times slower than the last. The lecture's explanation (eqs. 19–28): $\\partial C/\\partial
    b_1$ is a product of factors $w_j\\sigma'(z_j)$, and $\\sigma' \\le 1/4$ while $|w_j|$ is typically below 1.

    ## During training

    The lecture's figure *“training speed in [784,30,30,30,30,10]-NN”* follows these norms while the network
    learns. We train the four-hidden-layer net with mini-batch SGD and measure after every epoch.
    """),
    code("""
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
    ax.set_yscale("log"); ax.set_xlabel("epoch"); ax.set_ylabel(r"$\\|\\nabla_{b^l} C\\|$"); ax.legend(fontsize=7)
    ax.set_title("sigmoid [64,30,30,30,30,10] on digits")
    print(f"{time.perf_counter() - t0:.1f} s")
    # the ordering survives training: earlier layers stay the slow learners
    assert np.all(np.diff(speed_b, axis=1) > 0)
    """),
    md("""
    ## Exploding gradients

    The lecture's recipe for the opposite problem: weights around 100 and biases chosen so that every $z_j = 0$,
    hence $\\sigma'(z_j)=1/4$ and $|w_j\\sigma'(z_j)| = 25 > 1$. A chain of one-neuron layers (the lecture's
    eq. 19 network) shows the gradient then *grows* by 25 per layer towards the input — while with $w = 0.5$ and
    the same $z_j = 0$ it *shrinks* by $1/(0.5\\cdot\\frac14) = 8$ per layer.
    """),
    code("""
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
    """),
    md("""
    ## The remedies: ReLU and batch normalisation

    *ReLU* has $\\text{ReLU}'(z) = 1$ for $z>0$ instead of $\\sigma'\\le 1/4$; with He initialisation
    ($w\\sim N(0,2/n_\\text{in})$) the factors $w_j\\,\\text{ReLU}'(z_j)$ are balanced on average. *Batch normalisation*
    (notebook 10) re-standardises every layer's pre-activations, so the sigmoids work in their steep middle and the
    scale of the weights drops out of the backward pass.

    With BN the hidden Linear layers have no bias (BN subtracts the batch mean, so a bias would get zero gradient),
    and BN's shift β is not comparable either: its gradient is a sum over the batch of an error that BN's backward
    has centred. So we compare the **weight** gradients $\\|\\nabla_{W^l}C\\|$, which in the sigmoid net vanish just like
    the bias gradients. Three random initialisations each.
    """),
    code("""
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
    ax.set_ylabel(r"$\\|\\nabla_{W^l} C\\|$ (mean of 3 seeds)"); ax.legend(fontsize=7)

    assert spread["sigmoid"] > 50                     # two orders of magnitude from layer 1 to layer 4
    assert spread["ReLU"] < 10 and spread["sigmoid + BN"] < 3
    assert spread["sigmoid"] > 10 * max(spread["ReLU"], spread["sigmoid + BN"])
    """),
    md("""
    **What you see.** With sigmoids the first hidden layer's gradient is about a hundred times smaller than the
    fourth's; with ReLU the four layers are within a small factor of each other, and with batch normalisation they are
    practically level. As the lecture says, the fundamental problem is that an early layer's gradient is a product
    of factors from *all* later layers; the remedies make those factors balanced by design instead of by chance.
    """),
]

# ---------------------------------------------------------------------------------------------------------------------
NB10 = [
    md("""
    # 10 · Batch normalisation, Algorithm 1 step by step

    Lecture 004 presents Ioffe & Szegedy's *Batch Normalizing Transform* over a mini-batch $\\mathcal B=\\{x_{1\\dots m}\\}$:

    $$\\mu_\\mathcal{B} = \\tfrac1m\\textstyle\\sum_i x_i,\\qquad \\sigma^2_\\mathcal{B} = \\tfrac1m\\sum_i (x_i-\\mu_\\mathcal{B})^2,
    \\qquad \\hat x_i = \\frac{x_i-\\mu_\\mathcal{B}}{\\sqrt{\\sigma^2_\\mathcal{B}+\\epsilon}},\\qquad y_i = \\gamma\\hat x_i + \\beta.$$

    We compute it by hand in NumPy, compare it with `nn.BatchNorm1d`, check the gradients, and then train a deep
    sigmoid network with and without it.
    """),
    SETUP,
    code("""
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
    """),
    md("""
    ## Test time: running statistics

    A trained network must also classify a single example, which has no batch. `BatchNorm1d` therefore keeps running
    averages, updated at every training step with momentum 0.1 — and with the *unbiased* variance
    $\\frac{m}{m-1}\\sigma^2_\\mathcal B$, as in the paper's inference algorithm — and uses them in `eval()` mode.
    """),
    code("""
    rm, rv = bn.running_mean.numpy().copy(), bn.running_var.numpy().copy()
    assert np.allclose(rm, 0.9 * 0 + 0.1 * mu) and np.allclose(rv, 0.9 * 1 + 0.1 * var * m / (m - 1))
    bn.eval()
    x_new = rng.normal(loc=3.0, size=(1, d))
    y_eval = bn(autograd.tensor(x_new, dtype=autograd.float64)).detach().numpy()
    assert np.allclose(y_eval, gamma * (x_new - rm) / np.sqrt(rv + eps) + beta, atol=1e-6)
    print("running mean", rm, "\\nrunning var ", rv)
    """),
    md("""
    ## Backpropagation through Algorithm 1

    *“Learn γ, β during backpropagation.”* The gradient with respect to $x_i$ has three paths — directly, through
    $\\mu_\\mathcal B$, and through $\\sigma^2_\\mathcal B$ — which gives the paper's formulas below. Autograd finds the same
    numbers from the graph of means, subtractions and square roots that `batch_norm` builds.
    """),
    code("""
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
    """),
    md("""
    ## Training with and without batch normalisation

    The deep sigmoid network of notebook 9, [64,30,30,30,30,10], where the early layers barely learn. Same
    initial weights, same batches, same plain SGD; the second network has a `BatchNorm1d` before every sigmoid.
    """),
    code("""
    X, y = load_digits()
    X = X / 16.0
    perm = np.random.default_rng(0).permutation(len(X))
    tr, te = perm[:1300], perm[1300:]

    def make(bn, seed=0):
        autograd.manual_seed(seed)
        sizes, layers = [64, 30, 30, 30, 30, 10], []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers += [nn.BatchNorm1d(b)] if bn else []
                layers.append(nn.Sigmoid())
        return nn.Sequential(*layers)

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
    """),
    md("""
    **What you see.** Without BN the loss never leaves the plateau at $\\ln 10 \\approx 2.30$ — the network outputs
    the same guess for every digit, while the vanishing gradients of notebook 9 starve its early layers; with BN the
    same network, with the same learning rate, starts learning at once and reaches over 90% test accuracy. (The test
    accuracy wobbles from epoch to epoch: at this large learning rate the running statistics used at test time lag
    behind the weights.) This is the lecture's *“reshapes the cost function surface: accelerated
    training”* and *“prevents gradients from vanishing”*.
    """),
]

# ---------------------------------------------------------------------------------------------------------------------
NB11 = [
    md("""
    # 11 · Regularisation: L2, dropout, early stopping

    Lecture 000 (Cohn, *Training deep networks*): ANNs are flexible — *“the flipside is over-parameterisation, hence
    tendency to overfitting”*. Its three tools: an explicit L2 penalty, dropout, and early stopping. We check what each
    one does to the gradient or the forward pass, then let a big network overfit 150 digits and apply them.
    """),
    SETUP,
    md("""
    ## L2: *“this will simply add $2\\lambda w$ terms to the partial derivatives”*

    Minimise $L + \\lambda\\sum w^2$ instead of $L$. The penalty's derivative is $2\\lambda w$ for every weight, so
    the difference between the two gradients must be exactly $2\\lambda w$.
    """),
    code("""
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
    """),
    md("""
    Optimisers call this *weight decay*: `optim.SGD(weight_decay=wd)` adds $wd\\cdot w$ to the gradient, so it is the
    lecture's penalty with $\\lambda = wd/2$. One step of each, from the same weights:
    """),
    code("""
    state = {k: v.clone() for k, v in net.state_dict().items()}
    opt = optim.SGD(net.parameters(), lr=0.1)
    grads(True); opt.step()
    by_penalty = [p.detach().numpy().copy() for p in net.parameters()]
    net.load_state_dict(state)
    opt = optim.SGD(net.parameters(), lr=0.1, weight_decay=2 * lam)
    grads(False); opt.step()
    assert all(np.allclose(a, p.detach().numpy(), atol=1e-6) for a, p in zip(by_penalty, net.parameters()))
    print("SGD(weight_decay=2λ) on L  ==  SGD on L + λΣw²")
    """),
    md("""
    ## Dropout: *“randomly mask a fraction of units during training … no masking at testing”*

    pathgrad's `nn.Dropout(p)` is *inverted* dropout: in training it zeroes each unit with probability $p$ and scales
    the survivors by $1/(1-p)$, so the expected activation is unchanged and the test-time network needs no
    *“weight adjustment”*; in `eval()` mode it is the identity.
    """),
    code("""
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
    """),
    md("""
    ## Overfitting, and the three cures

    150 training digits, 600 validation digits, and a 64→256→256→10 ReLU network (about 85,000 parameters for
    150 examples), trained full-batch with Adam for 150 epochs, three ways: plain (watching the validation loss for early
    stopping), with L2 ($\\lambda = 10^{-3}$), and with dropout ($p = 0.5$ after each hidden layer).
    """),
    code("""
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
    """),
    code("""
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
    """),
    md("""
    **What you see.** Unregularised, the training loss goes to almost zero while the validation loss turns round and
    climbs: the network memorises the 150 examples. *Early stopping* keeps the weights from the epoch with the lowest
    validation loss (the vertical line); L2 and dropout hold the validation loss down for the whole run. L2 also
    makes the weights smaller, which the lecture notes *shrinks the ANN towards a linear model*.
    """),
    code("""
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
    """),
]

# ---------------------------------------------------------------------------------------------------------------------
NB12 = [
    md("""
    # 12 · An autoencoder on the digits

    Lecture 000: *“An autoencoder is an ANN trained in a specific way”* — trained to reproduce its input at its
    output, through a narrow middle layer. The network has to invent a compact code for its inputs: no labels are
    used. Here a 64 → 32 → 8 → 32 → 64 multilayer perceptron learns an 8-number code for the 8×8 digits.
    """),
    SETUP,
    code("""
    X, y = load_digits()
    X = X / 16.0                                       # pixels in [0, 1]
    perm = np.random.default_rng(0).permutation(len(X))
    tr, te = perm[:1400], perm[1400:]
    Xtr, Xte = X[tr], X[te]

    autograd.manual_seed(0)
    encoder = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 8))
    decoder = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 64), nn.Sigmoid())
    autoencoder = nn.Sequential(encoder, decoder)
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
    """),
    md("""
    Two yardsticks for the final error: predicting the *mean digit* for every input (what a code of zero numbers
    can do), and PCA with 8 components — the best an autoencoder with *linear* encoder and decoder could reach.
    """),
    code("""
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
    """),
    md("""
    ## Reconstructions

    One test image of every digit (top), its reconstruction from 8 numbers (middle), and the code itself (bottom).
    """),
    code("""
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
    """),
    md("""
    **What you see.** The reconstructions keep each digit's identity and shape from just eight numbers; the error
    falls steadily during training and ends far below the mean-digit baseline. Nothing in the training used the
    labels: the code was learnt by backpropagating the reconstruction error, $\\partial\\,\\|\\hat x - x\\|^2/\\partial\\theta$,
    through decoder and encoder alike.
    """),
]

# ---------------------------------------------------------------------------------------------------------------------
NB13 = [
    md("""
    # 13 · Forward mode vs reverse mode

    Lecture 003 (Pacha) ends its backpropagation section with *forward-mode and reverse-mode differentiation* on the
    graph of $e(a,b) = (a+b)(b+1)$ at $a=2, b=1$ (after colah's *Calculus on Computational Graphs*). Forward mode
    pushes $\\partial/\\partial a$ (or $\\partial/\\partial b$) from the inputs to every node: **one pass per input**.
    Reverse mode pulls $\\partial e/\\partial\\cdot$ from the output back to every node: **one pass per output**.
    For a function $f:\\mathbb R^n\\to\\mathbb R^m$, forward mode gives Jacobian-vector products $Jv$ (`jvp`),
    reverse mode vector-Jacobian products $v^\\top J$ (`vjp`).
    """),
    SETUP,
    code("""
    from autograd import forward_ad
    from autograd.functional import jacobian, jvp, vjp

    e = lambda a, b: (a + b) * (b + 1)
    a, b = autograd.tensor(2.0), autograd.tensor(1.0)

    # forward mode: one pass per input, seeding its tangent with 1
    with forward_ad.dual_level():
        de_da = forward_ad.unpack_dual(e(forward_ad.make_dual(a, autograd.tensor(1.0)), b)).tangent.item()
        de_db = forward_ad.unpack_dual(e(a, forward_ad.make_dual(b, autograd.tensor(1.0)))).tangent.item()
    print(f"forward mode, two passes:  ∂e/∂a = {de_da},  ∂e/∂b = {de_db}")

    # reverse mode: one backward pass gives both
    a.requires_grad_(True); b.requires_grad_(True)
    out = e(a, b); out.backward()
    print(f"reverse mode, one pass:    e = {out.item()},  ∂e/∂a = {a.grad.item()},  ∂e/∂b = {b.grad.item()}")
    assert (de_da, de_db) == (a.grad.item(), b.grad.item()) == (2.0, 5.0)
    """),
    md("""
    ## jvp and vjp

    $f(x) = \\tanh(Wx)$ with $W\\in\\mathbb R^{m\\times n}$ has Jacobian $J = \\mathrm{diag}(1-\\tanh^2(Wx))\\,W$.
    `jvp(f, x, v)` returns $Jv$ from **one forward pass** with dual numbers; `vjp(f, x, u)` returns $u^\\top J$ from
    **one backward pass**. Neither forms $J$.
    """),
    code("""
    rng = np.random.default_rng(0)
    n, m = 5, 3
    Wm = autograd.tensor(rng.normal(size=(m, n)), dtype=autograd.float64)
    f = lambda x: autograd.tanh(Wm @ x)
    x = autograd.tensor(rng.normal(size=n), dtype=autograd.float64)
    J = (1 - np.tanh(Wm.numpy() @ x.numpy()) ** 2)[:, None] * Wm.numpy()

    v = autograd.tensor(rng.normal(size=n), dtype=autograd.float64)
    u = autograd.tensor(rng.normal(size=m), dtype=autograd.float64)
    _, Jv = jvp(f, x, v)
    _, uJ = vjp(f, x, u)
    assert np.allclose(Jv.numpy(), J @ v.numpy()) and np.allclose(uJ.numpy(), u.numpy() @ J)
    for strategy in ("forward-mode", "reverse-mode"):
        assert np.allclose(jacobian(f, x, strategy=strategy).numpy(), J)
    print("J v  =", Jv.numpy(), "\\nuᵀJ =", uJ.numpy())
    """),
    md("""
    ## Counting passes

    A whole Jacobian takes $n$ `jvp`s (one per column, seeding $v = e_j$) or $m$ `vjp`s (one per row, $u = e_i$).
    We count them: every call of $f$ is a forward pass, and an identity op at the output counts how often a backward
    pass runs through it.
    """),
    code("""
    class Tap(autograd.Function):
        \"\"\"The identity, counting the backward passes through it.\"\"\"
        backward_passes = 0

        @staticmethod
        def forward(ctx, x):
            return autograd.Tensor._make(x.array)

        @staticmethod
        def backward(ctx, grad):
            Tap.backward_passes += 1
            return grad

        @staticmethod
        def jvp(ctx, t):
            return t

    def counted(n, m):
        W = autograd.tensor(np.random.default_rng(n * 100 + m).normal(size=(m, n)) / np.sqrt(n))
        calls = [0]
        def f(x):
            calls[0] += 1
            return Tap.apply(autograd.tanh(W @ x))
        return f, calls

    print(" n   m  | forward mode: f calls, backward passes | reverse mode: f calls, backward passes")
    for n, m in [(1, 16), (4, 16), (16, 16), (16, 4), (16, 1)]:
        row = []
        for strategy in ("forward-mode", "reverse-mode"):
            f, calls = counted(n, m)
            Tap.backward_passes = 0
            jacobian(f, autograd.randn(n), strategy=strategy)
            row.append((calls[0], Tap.backward_passes))
        print(f"{n:2d}  {m:2d}  | {row[0][0]:21d} {row[0][1]:15d} | {row[1][0]:21d} {row[1][1]:15d}")
        assert row[0] == (n, 0)       # forward mode: one forward pass per input
        assert row[1] == (1, m)       # reverse mode: one forward pass, one backward pass per output
    """),
    md("""
    ## Timing the two strategies

    Passes are what cost time. Fix one dimension at 2 and grow the other: forward mode's time grows with the number of
    inputs $n$ and ignores $m$; reverse mode's grows with the number of outputs $m$ and ignores $n$. This is why
    training — a scalar loss ($m=1$) of millions of parameters — uses reverse mode: one backward pass gives the whole
    gradient.
    """),
    code("""
    def best_time(fn, repeat=5):
        t = []
        for _ in range(repeat):
            t0 = time.perf_counter(); fn(); t.append(time.perf_counter() - t0)
        return min(t)

    def time_jacobian(n, m, strategy):
        W = autograd.tensor(np.random.default_rng(0).normal(size=(m, n)) / np.sqrt(n))
        x = autograd.randn(n)
        return best_time(lambda: jacobian(lambda x: autograd.tanh(W @ x), x, strategy=strategy))

    dims = [1, 4, 16, 64, 128]
    t = {(s, which): [time_jacobian(d, 2, s) if which == "n" else time_jacobian(2, d, s) for d in dims]
         for s in ("forward-mode", "reverse-mode") for which in ("n", "m")}

    fig, ax = plt.subplots(1, 2, figsize=(8, 2.7), sharey=True)
    for i, (which, label) in enumerate([("n", "inputs n  (m = 2 outputs)"), ("m", "outputs m  (n = 2 inputs)")]):
        for s in ("forward-mode", "reverse-mode"):
            ax[i].plot(dims, np.array(t[(s, which)]) * 1e3, "o-", label=s)
        ax[i].set_xscale("log", base=2); ax[i].set_yscale("log"); ax[i].set_xlabel(label)
    ax[0].set_ylabel("jacobian time (ms)"); ax[0].legend(fontsize=7)
    plt.tight_layout()

    for which in ("n", "m"):
        print(f"growing {which}:", {s: [f"{v * 1e3:.2f}" for v in t[(s, which)]] for s in ("forward-mode", "reverse-mode")})
    # forward mode ∝ inputs, reverse mode ∝ outputs (128 passes vs 1–2 passes: a wide margin)
    assert t[("forward-mode", "n")][-1] > 10 * t[("forward-mode", "n")][0]
    assert t[("reverse-mode", "m")][-1] > 10 * t[("reverse-mode", "m")][0]
    assert t[("reverse-mode", "n")][-1] < 3 * t[("reverse-mode", "n")][0]
    assert t[("forward-mode", "m")][-1] < 3 * t[("forward-mode", "m")][0]
    assert t[("forward-mode", "n")][-1] > 5 * t[("reverse-mode", "n")][-1]   # many inputs: reverse wins
    assert t[("reverse-mode", "m")][-1] > 5 * t[("forward-mode", "m")][-1]   # many outputs: forward wins
    """),
    md("""
    **What you see.** The two curves cross: with many inputs and few outputs reverse mode wins by the ratio of the
    dimensions, with few inputs and many outputs forward mode does. In the lecture's words, reverse-mode
    differentiation gives *the derivative of one output with respect to every node* in one sweep, forward mode *the
    derivative of every node with respect to one input*.
    """),
]

NOTEBOOKS = {
    "08_cnn_backprop": NB08,
    "09_vanishing_gradients": NB09,
    "10_batch_norm": NB10,
    "11_regularisation": NB11,
    "12_autoencoder": NB12,
    "13_forward_vs_reverse": NB13,
}


def build(name: str, cells: list, execute: bool = True) -> float:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.from_dict(c) for c in cells]  # fresh copies: SETUP is shared between notebooks
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    seconds = 0.0
    if execute:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        seconds = time.perf_counter() - t0
    nbformat.validate(nb)
    nbformat.write(nb, HERE / f"{name}.ipynb")
    return seconds


def main(argv: list[str]) -> None:
    execute = "--no-execute" not in argv
    wanted = [a for a in argv if not a.startswith("--")]
    for name, cells in NOTEBOOKS.items():
        if wanted and not any(name.startswith(w) for w in wanted):
            continue
        seconds = build(name, cells, execute)
        size = (HERE / f"{name}.ipynb").stat().st_size
        print(f"{name}.ipynb: {seconds:.1f} s, {size / 1024:.0f} KB", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
